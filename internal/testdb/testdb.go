// Package testdb gives tests real, private, migrated databases: a SQLite
// file in a temporary directory, or a PostgreSQL database created for the
// test and dropped after it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/uptrace/bun"
)

// PostgresEnv names the environment variable that holds the DSN of a
// PostgreSQL server where tests may create and drop databases.
const PostgresEnv = "PARTNERKIT_TEST_POSTGRES"

// SQLite returns a migrated SQLite database in a file of a temporary
// directory, closed when the test ends.
func SQLite(tb testing.TB) *bun.DB {
	tb.Helper()
	return open(tb, filepath.Join(tb.TempDir(), "partnerkit.db"))
}

// PostgresDSN returns the server DSN from PARTNERKIT_TEST_POSTGRES, or skips
// the test when it is unset.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		tb.Skipf("%s is not set: PostgreSQL tests skipped", PostgresEnv)
	}
	return dsn
}

// Postgres creates a fresh database on the server that
// PARTNERKIT_TEST_POSTGRES names, migrates it, and drops it when the test
// ends. It skips when the variable is unset and fails when the server is
// unreachable.
func Postgres(tb testing.TB) *bun.DB {
	tb.Helper()
	dsn := CreatePostgresDatabase(tb, PostgresDSN(tb))
	return open(tb, dsn)
}

// CreatePostgresDatabase creates a randomly named database on the server
// serverDSN names, registers its drop at the end of the test, and returns
// its DSN.
func CreatePostgresDatabase(tb testing.TB, serverDSN string) string {
	tb.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", serverDSN)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "partnerkit_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		tb.Fatalf("postgres: create database: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("postgres: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(serverDSN)
	if err != nil {
		tb.Fatalf("postgres: bad DSN: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func open(tb testing.TB, dsn string) *bun.DB {
	tb.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", redact(dsn), err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return fmt.Sprint(dsn)
}
