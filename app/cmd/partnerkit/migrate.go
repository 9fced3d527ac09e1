//go:build !js

package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"
)

// ErrSchemaNewer is returned (wrapped, naming the migrations) for a
// database that a newer Partnerkit migrated: this one does not know its
// schema and must not write to it.
var ErrSchemaNewer = errors.New("the database's schema is newer than this partnerkit knows")

// schemaReport is the migration state of a database: Partnerkit's steps
// and River's versions.
type schemaReport struct {
	partnerkit sqldb.SchemaStatus
	// river lists every River migration this binary knows, in order.
	river []rivermigrate.Migration
	// riverApplied holds the applied River versions.
	riverApplied map[int]bool
	// riverUnknown lists applied River versions this binary does not know.
	riverUnknown []int
	// riverTable names River's migrations table.
	riverTable string
}

func (r schemaReport) riverPending() []rivermigrate.Migration {
	var out []rivermigrate.Migration
	for _, m := range r.river {
		if !r.riverApplied[m.Version] {
			out = append(out, m)
		}
	}
	return out
}

// newer names the applied migrations this binary does not know.
func (r schemaReport) newer() []string {
	var out []string
	for _, n := range r.partnerkit.Unknown {
		out = append(out, "partnerkit "+n)
	}
	for _, v := range r.riverUnknown {
		out = append(out, "river "+strconv.Itoa(v))
	}
	return out
}

// schemaStatus reads db's migration state; it changes nothing.
func schemaStatus(ctx context.Context, db *bun.DB) (schemaReport, error) {
	var r schemaReport
	var err error
	if r.partnerkit, err = sqldb.MigrationStatus(ctx, db); err != nil {
		return r, err
	}
	var driver riverdriver.Driver[*sql.Tx]
	exists := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'river_migration'"
	r.riverTable = "river_migration"
	schema := ""
	if sqldb.IsPostgres(db) {
		driver, schema = riverdatabasesql.New(db.DB), jobs.PostgresSchema
		r.riverTable = jobs.PostgresSchema + ".river_migration"
		exists = "SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + jobs.PostgresSchema + "' AND table_name = 'river_migration'"
	} else {
		driver = riversqlite.New(db.DB)
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Schema: schema, Logger: quietLogger()})
	if err != nil {
		return r, fmt.Errorf("river migrations: %w", err)
	}
	r.river = m.AllVersions()
	r.riverApplied = map[int]bool{}
	var n int
	if err := db.DB.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return r, fmt.Errorf("river migrations: %w", err)
	}
	if n == 0 {
		return r, nil
	}
	// River's migration lines other than "main" are not Partnerkit's
	// (the line column came with River's migration 5).
	rows, err := db.DB.QueryContext(ctx, "SELECT version FROM "+r.riverTable+" WHERE line = 'main'")
	if err != nil {
		rows, err = db.DB.QueryContext(ctx, "SELECT version FROM "+r.riverTable)
	}
	if err != nil {
		return r, fmt.Errorf("river migrations: %w", err)
	}
	defer rows.Close()
	known := map[int]bool{}
	for _, m := range r.river {
		known[m.Version] = true
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return r, fmt.Errorf("river migrations: %w", err)
		}
		r.riverApplied[v] = true
		if !known[v] {
			r.riverUnknown = append(r.riverUnknown, v)
		}
	}
	slices.Sort(r.riverUnknown)
	return r, rows.Err()
}

// refuseNewerSchema fails with ErrSchemaNewer when db has migrations this
// binary does not know.
func refuseNewerSchema(ctx context.Context, db *bun.DB) error {
	r, err := schemaStatus(ctx, db)
	if err != nil {
		return err
	}
	if n := r.newer(); len(n) > 0 {
		return fmt.Errorf("%w (version %s): it has migrations applied by a newer version: %s. "+
			"Run that version (or a newer one), or restore a backup taken before the upgrade; "+
			"`partnerkit migrate status` lists them", ErrSchemaNewer, version, strings.Join(n, ", "))
	}
	return nil
}

// openDatabase opens dsn, refuses a schema newer than this binary, and
// migrates Partnerkit's schema (River's is jobs.Migrate's).
func openDatabase(ctx context.Context, dsn string) (*bun.DB, error) {
	db, err := sqldb.OpenNoMigrate(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := refuseNewerSchema(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if err := sqldb.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if err := sqldb.Optimize(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// migrateCommand is `partnerkit migrate up|status`.
func migrateCommand(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if sub != "up" && sub != "status" {
		return errors.New("migrate: say `partnerkit migrate up` (apply the pending migrations) or `partnerkit migrate status`")
	}
	fs, dsn := newFlagSet("migrate "+sub, getenv, out)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if sub == "status" {
		if err := requireExisting(*dsn); err != nil {
			return err
		}
	}
	db, err := sqldb.OpenNoMigrate(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	before, err := schemaStatus(ctx, db)
	if err != nil {
		return err
	}
	if sub == "status" {
		printStatus(out, redactDSN(*dsn), before)
		return nil
	}
	if err := refuseNewerSchema(ctx, db); err != nil {
		return err
	}
	if err := sqldb.Migrate(ctx, db); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, db); err != nil {
		return err
	}
	after, err := schemaStatus(ctx, db)
	if err != nil {
		return err
	}
	applied := 0
	for _, name := range after.partnerkit.Applied {
		if !slices.Contains(before.partnerkit.Applied, name) {
			fmt.Fprintf(out, "applied  partnerkit %s\n", name)
			applied++
		}
	}
	for _, m := range after.river {
		if after.riverApplied[m.Version] && !before.riverApplied[m.Version] {
			fmt.Fprintf(out, "applied  river %03d %s\n", m.Version, m.Name)
			applied++
		}
	}
	if applied == 0 {
		fmt.Fprintln(out, "The schema is up to date: nothing to apply.")
	} else {
		fmt.Fprintf(out, "Applied %d migrations; the schema is up to date.\n", applied)
	}
	return nil
}

// printStatus lists a database's applied, pending and unknown migrations.
func printStatus(out io.Writer, db string, r schemaReport) {
	p := r.partnerkit
	fmt.Fprintf(out, "Database %s\n\n", db)
	fmt.Fprintf(out, "Partnerkit (%s): %d applied, %d pending", sqldb.MigrationsTable, len(p.Applied), len(p.Pending))
	if len(p.Unknown) > 0 {
		fmt.Fprintf(out, ", %d unknown", len(p.Unknown))
	}
	fmt.Fprintln(out)
	for _, n := range p.Applied {
		fmt.Fprintf(out, "  applied  %s\n", n)
	}
	for _, n := range p.Pending {
		fmt.Fprintf(out, "  pending  %s\n", n)
	}
	for _, n := range p.Unknown {
		fmt.Fprintf(out, "  unknown  %s  (applied by a newer version)\n", n)
	}
	pending := r.riverPending()
	fmt.Fprintf(out, "\nRiver (%s): %d applied, %d pending", r.riverTable, len(r.river)-len(pending), len(pending))
	if len(r.riverUnknown) > 0 {
		fmt.Fprintf(out, ", %d unknown", len(r.riverUnknown))
	}
	fmt.Fprintln(out)
	for _, m := range r.river {
		state := "pending"
		if r.riverApplied[m.Version] {
			state = "applied"
		}
		fmt.Fprintf(out, "  %s  %03d %s\n", state, m.Version, m.Name)
	}
	for _, v := range r.riverUnknown {
		fmt.Fprintf(out, "  unknown  %03d  (applied by a newer version)\n", v)
	}
	if len(p.Pending)+len(pending) > 0 {
		fmt.Fprintln(out, "\n`partnerkit migrate up` applies the pending migrations (the server applies them at start, too).")
	}
}

// quietLogger discards River's log (the commands report themselves).
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError + 1}))
}
