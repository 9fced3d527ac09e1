package sqldb_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/internal/sqldb"
)

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pk.db")
	for range 2 {
		db, err := sqldb.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.NewSelect().Table(sqldb.MigrationsTable).ColumnExpr("count(*)").Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("no migrations recorded")
		}
		db.Close()
	}
}

func TestSQLiteDSN(t *testing.T) {
	dsn := sqldb.SQLiteDSN("/tmp/x.db")
	for _, want := range []string{"file:/tmp/x.db?", "journal_mode%28WAL%29", "foreign_keys%281%29", "_txlock=immediate"} {
		if !contains(dsn, want) {
			t.Errorf("DSN %q lacks %q", dsn, want)
		}
	}
	if got := sqldb.SQLiteDSN("file:custom?mode=memory"); got != "file:custom?mode=memory" {
		t.Errorf("explicit DSN changed: %q", got)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
