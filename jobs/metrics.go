package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"
)

// What an operator's metrics and readiness probe read from the engine
// (app/observe turns them into Prometheus series and /readyz). Nothing
// here imports a metrics library: the engine reports to an Observer.

// Observer is told of what the engine does, for metrics. Its methods must
// be quick and safe for concurrent use.
type Observer interface {
	// JobFailed is called for every failed run of a job: its kind, and
	// whether it panicked (else it returned an error or timed out).
	// River runs it again unless it was its last attempt.
	JobFailed(kind string, panicked bool)
}

// QueueDepth is how many of Partnerkit's jobs of one kind are in one state
// (River's states: available, scheduled, running, retryable, completed,
// cancelled, discarded, pending).
type QueueDepth struct {
	State, Kind string
	Count       int64
}

// QueueDepths counts Partnerkit's jobs (its queue in River's table) by
// state and kind, with one query. Completed, cancelled and discarded jobs
// stay in the table until River's cleaner deletes them (after a day, a
// day and a week by default).
func (e *Engine) QueueDepths(ctx context.Context) ([]QueueDepth, error) {
	table := "river_job"
	if sqldb.IsPostgres(e.db) {
		table = PostgresSchema + ".river_job"
	}
	rows, err := e.db.DB.QueryContext(ctx,
		"SELECT state, kind, count(*) FROM "+table+" WHERE queue = "+placeholder(e.db)+" GROUP BY state, kind ORDER BY state, kind", Queue)
	if err != nil {
		return nil, fmt.Errorf("jobs: queue depths: %w", err)
	}
	defer rows.Close()
	var out []QueueDepth
	for rows.Next() {
		var d QueueDepth
		if err := rows.Scan(&d.State, &d.Kind, &d.Count); err != nil {
			return nil, fmt.Errorf("jobs: queue depths: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: queue depths: %w", err)
	}
	return out, nil
}

// placeholder is the first bind parameter of db's dialect.
func placeholder(db *bun.DB) string {
	if sqldb.IsPostgres(db) {
		return "$1"
	}
	return "?"
}

// Running reports whether the engine works jobs: Start succeeded, Stop
// was not called, and River's client has not stopped on its own.
func (e *Engine) Running() bool {
	if !e.running.Load() {
		return false
	}
	select {
	case <-e.client.Stopped():
		return false
	default:
		return true
	}
}

// OwnPool is River's own connection pool on SQLite (one connection), for
// its pool statistics; nil on PostgreSQL, where River uses db's pool.
func (e *Engine) OwnPool() *sql.DB { return e.ownPool }

// PendingMigrations lists the versions of River's migrations that Migrate
// would apply to db (none: River's tables are up to date). It changes
// nothing, not even on PostgreSQL, where a missing schema means every
// migration is pending.
func PendingMigrations(ctx context.Context, db *bun.DB) ([]int, error) {
	var driver riverdriver.Driver[*sql.Tx]
	schema := ""
	if sqldb.IsPostgres(db) {
		driver, schema = riverdatabasesql.New(db.DB), PostgresSchema
		var n int
		if err := db.DB.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1", PostgresSchema).Scan(&n); err != nil {
			return nil, fmt.Errorf("jobs: pending migrations: %w", err)
		}
		if n == 0 {
			return allVersions(driver)
		}
	} else {
		driver = riversqlite.New(db.DB)
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Schema: schema, Logger: quietLogger()})
	if err != nil {
		return nil, fmt.Errorf("jobs: pending migrations: %w", err)
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: pending migrations: %w", err)
	}
	applied := make(map[int]bool, len(existing))
	for _, v := range existing {
		applied[v.Version] = true
	}
	var pending []int
	for _, v := range m.AllVersions() {
		if !applied[v.Version] {
			pending = append(pending, v.Version)
		}
	}
	return pending, nil
}

func allVersions(driver riverdriver.Driver[*sql.Tx]) ([]int, error) {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Schema: PostgresSchema, Logger: quietLogger()})
	if err != nil {
		return nil, fmt.Errorf("jobs: pending migrations: %w", err)
	}
	var out []int
	for _, v := range m.AllVersions() {
		out = append(out, v.Version)
	}
	return out, nil
}
