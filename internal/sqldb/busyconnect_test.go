package sqldb_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/internal/sqldb"
)

// Opening a database while another process writes to it (a RESERVED
// lock, before the file is in WAL) waits for the write to end instead of
// failing with "database is locked": switching to WAL promotes the new
// connection's read lock, and SQLite refuses that promotion at once,
// without its busy handler, while another connection holds RESERVED (as
// when several processes open one new database at once). This fails
// without busyRetryConnector.
func TestOpenWaitsWhileTheFileIsLocked(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pk.db")
	other, err := sql.Open("sqlite", "file:"+path) // rollback journal, as a file not yet in WAL
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"CREATE TABLE t (x INTEGER)", "BEGIN IMMEDIATE", "INSERT INTO t VALUES (1)"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(q, err)
		}
	}
	const held = 300 * time.Millisecond
	go func() {
		time.Sleep(held)
		_, _ = conn.ExecContext(ctx, "COMMIT")
	}()
	start := time.Now()
	db, err := sqldb.OpenNoMigrate(ctx, path)
	if err != nil {
		t.Fatalf("open while the file was locked for %s: %v", held, err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q (%v), want wal", mode, err)
	}
	t.Logf("opened after %s", time.Since(start).Round(time.Millisecond))
}
