package bunstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/partners/bunstore"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
)

// What the refusal says of each setting New asks of SQLite.
const (
	noFK   = "PRAGMA foreign_keys is 0, want 1 (_pragma=foreign_keys(1))"
	noBusy = "PRAGMA busy_timeout is 0, want a wait in milliseconds (_pragma=busy_timeout(10000))"
	noTx   = "transactions begin DEFERRED, want IMMEDIATE (_txlock=immediate)"
	hint   = "open it with the DSN that partners/bunstore.SQLiteDSN(path) returns"
)

// openSQLite opens a SQLite *bun.DB on dsn as an adopter would, migrated
// unless told not to.
func openSQLite(t *testing.T, dsn string, migrate bool) *bun.DB {
	t.Helper()
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := bun.NewDB(sqldb, sqlitedialect.New())
	t.Cleanup(func() { db.Close() })
	if migrate {
		if err := bunstore.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// TestNewRefusesAnUnfitDatabase: a SQLite *bun.DB without the pragmas the
// stores need, or with a pending schema step, is refused at construction
// with an error that says what to set; one with them is accepted.
func TestNewRefusesAnUnfitDatabase(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		query   string           // the DSN's query, after file:PATH
		prepare func(db *bun.DB) // what the adopter does before New
		migrate bool             // whether the schema is migrated
		want    []string         // what the error says; none: accepted
	}{
		{name: "Bare", migrate: true, want: []string{noFK, noBusy, noTx, hint}},
		{name: "NoForeignKeys", query: "?_pragma=busy_timeout(5000)&_txlock=immediate", migrate: true, want: []string{noFK, hint}},
		{name: "NoBusyTimeout", query: "?_pragma=foreign_keys(1)&_txlock=immediate", migrate: true, want: []string{noBusy, hint}},
		{name: "DeferredTransactions", query: "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)", migrate: true,
			want: []string{noTx, hint}},
		{name: "PragmasOnOneConnectionOnly", query: "?_txlock=immediate", migrate: true, prepare: func(db *bun.DB) {
			for _, p := range []string{"PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 5000"} {
				if _, err := db.ExecContext(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
		}, want: []string{noFK, noBusy, "every connection of the pool"}},
		{name: "NotMigrated", query: "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_txlock=immediate",
			want: []string{"the schema has", "pending steps", "partners/bunstore.Migrate(ctx, db)"}},
		{name: "OneConnectionNeedsNoImmediateTransactions", query: "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)",
			migrate: true, prepare: func(db *bun.DB) { db.SetMaxOpenConns(1) }},
		{name: "WithoutWAL", query: "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_txlock=immediate", migrate: true},
		{name: "SQLiteDSN", migrate: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "adopter.db")
			dsn := "file:" + path + c.query
			if c.name == "SQLiteDSN" {
				dsn = bunstore.SQLiteDSN(path)
			}
			db := openSQLite(t, dsn, c.migrate)
			if c.prepare != nil {
				c.prepare(db)
			}
			_, err := bunstore.New(db)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("New refused a fit database: %v", err)
				}
				return
			}
			if !errors.Is(err, bunstore.ErrDatabaseNotReady) {
				t.Fatalf("New(db) = %v, want ErrDatabaseNotReady", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q: %v", w, err)
				}
			}
			for _, w := range []string{noFK, noBusy, noTx} {
				if !slices.Contains(c.want, w) && strings.Contains(err.Error(), w) {
					t.Errorf("the error says %q, which is set: %v", w, err)
				}
			}
		})
	}
}

// Open a SQLite *bun.DB of your own with the DSN the stores need, migrate
// it, and build every store on it.
func ExampleSQLiteDSN() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "partnerkit") // your data directory
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	sqldb, err := sql.Open("sqlite", bunstore.SQLiteDSN(filepath.Join(dir, "partnerkit.db")))
	if err != nil {
		panic(err)
	}
	db := bun.NewDB(sqldb, sqlitedialect.New())
	defer db.Close()
	if err := bunstore.Migrate(ctx, db); err != nil {
		panic(err)
	}
	st, err := stores.SQL(db) // refuses a database without the DSN's pragmas
	if err != nil {
		panic(err)
	}
	svc, err := wiring.New(st, wiring.Options{})
	if err != nil {
		panic(err)
	}
	n, err := svc.Stores.Partners.CountAccounts(ctx)
	fmt.Println(n, err)
	// Output: 0 <nil>
}
