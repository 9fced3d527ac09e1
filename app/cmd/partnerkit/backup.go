//go:build !js

package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/partnerkit/partnerkit/internal/sqldb"
)

// backupCommand is `partnerkit backup FILE`: on SQLite, VACUUM INTO writes
// the database as one read transaction saw it — a consistent copy, taken
// while the server keeps serving and writing (WAL lets the writer go on) —
// to a file beside FILE, which is checked and then renamed to FILE, so
// FILE is whole or absent. PostgreSQL databases are pg_dump's job.
func backupCommand(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs, dsn := newFlagSet("backup", getenv, out)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: partnerkit backup [-db DB] FILE\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("backup: give the file to write: partnerkit backup [-db DB] FILE")
	}
	target := fs.Arg(0)
	if sqldb.IsPostgresDSN(*dsn) {
		return fmt.Errorf("backup: %s is a PostgreSQL database: back it up with PostgreSQL's own tools, "+
			"e.g. pg_dump --format=custom --file=%s '%s' (restore with pg_restore)", redactDSN(*dsn), target, redactDSN(*dsn))
	}
	if err := requireExisting(*dsn); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(target); err == nil {
		return fmt.Errorf("backup: %s exists: choose a new file (a backup never overwrites one)", target)
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	partial := abs + ".partial"
	if _, err := os.Stat(partial); err == nil {
		return fmt.Errorf("backup: %s exists (an interrupted backup?): remove it first", partial)
	}
	db, err := sqldb.OpenNoMigrate(ctx, *dsn)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	if _, err := db.DB.ExecContext(ctx, "VACUUM INTO ?", partial); err != nil {
		os.Remove(partial)
		return fmt.Errorf("backup: VACUUM INTO %s: %w", partial, err)
	}
	if err := checkCopy(ctx, partial); err != nil {
		os.Remove(partial)
		return fmt.Errorf("backup: the copy failed its check: %w", err)
	}
	if err := os.Rename(partial, abs); err != nil {
		os.Remove(partial)
		return fmt.Errorf("backup: %w", err)
	}
	size := int64(0)
	if st, err := os.Stat(abs); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(out, "Backed up %s to %s (%d bytes). Restore it by stopping the server and putting it in place of the database file.\n",
		*dsn, target, size)
	if key := secretKeyFile(*dsn); key != "" && getenv(secretKeyVar) == "" {
		if _, err := os.Stat(key); err == nil {
			fmt.Fprintf(out, "The key of the two-factor secrets, %s, is not in the copy: keep a copy of it in a safe place too (it never changes).\n", key)
		}
	}
	return nil
}

// checkCopy opens the copy read-only and runs SQLite's quick check.
func checkCopy(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&result); err != nil {
		return err
	}
	if result != "ok" {
		return fmt.Errorf("PRAGMA quick_check: %s", result)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+sqldb.MigrationsTable).Scan(&n); err != nil {
		return fmt.Errorf("not a Partnerkit database: %w", err)
	}
	return nil
}
