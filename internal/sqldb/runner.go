package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
)

// MigrationsTable records the applied steps of the schema, one row per step.
// Its name and columns are those bun/migrate used (WithTableName), so a
// database that an earlier version migrated with bun/migrate is recognised.
const MigrationsTable = "partnerkit_migrations"

// migrationLockKey is the PostgreSQL advisory lock that serializes
// migrations of several server instances starting at once.
const migrationLockKey = 0x5041_524b // "PARK"

// migrationRow is a row of MigrationsTable. Its fields and tags are those of
// bun/migrate's Migration model (v1.3.0), so the table bun created and the
// one created here are the same.
type migrationRow struct {
	bun.BaseModel `bun:"table:partnerkit_migrations"`

	ID         int64 `bun:",pk,autoincrement"`
	Name       string
	GroupID    int64
	MigratedAt time.Time `bun:",notnull,nullzero,default:current_timestamp"`
}

// SchemaStatus says which steps of the schema a database has.
type SchemaStatus struct {
	// Applied names the steps applied, in the order of the schema.
	Applied []string
	// Pending names the steps Migrate would apply, in order.
	Pending []string
	// Unknown names applied steps this program does not know: a newer
	// version migrated the database.
	Unknown []string
}

// UpToDate reports whether no step is pending.
func (s SchemaStatus) UpToDate() bool { return len(s.Pending) == 0 }

// stepHook runs inside a step's transaction after its statements and before
// its mark; an error rolls the step back. Tests inject failures with it.
type stepHook func(ctx context.Context, step string) error

// Migrate brings db's schema up to date. Each pending step runs in ONE
// transaction with the row that marks it applied, so a crash or a kill at
// any point leaves the step either wholly applied and marked or not at all,
// and the next Migrate carries on.
//
// Several processes may migrate one database at once: on PostgreSQL they
// queue on a session advisory lock (released by the server when a process
// dies; no lock row is left behind), on SQLite on the write lock of BEGIN
// IMMEDIATE (SQLiteDSN sets _txlock=immediate); each step checks its mark
// again inside its transaction and is skipped when another process applied
// it meanwhile.
func Migrate(ctx context.Context, db *bun.DB) error {
	return runMigrations(ctx, db, migrations, nil)
}

// MigrationStatus reports which steps of the schema db has and which
// Migrate would apply. It changes nothing, not even on a new database.
func MigrationStatus(ctx context.Context, db *bun.DB) (SchemaStatus, error) {
	if err := checkSteps(migrations); err != nil {
		return SchemaStatus{}, err
	}
	applied, _, err := appliedSteps(ctx, db)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("migration status: %w", err)
	}
	return statusOf(migrations, applied), nil
}

// statusOf compares the schema's steps with the applied ones.
func statusOf(steps []schemaMigration, applied map[string]bool) SchemaStatus {
	var s SchemaStatus
	known := make(map[string]bool, len(steps))
	for _, m := range steps {
		known[m.name] = true
		if applied[m.name] {
			s.Applied = append(s.Applied, m.name)
		} else {
			s.Pending = append(s.Pending, m.name)
		}
	}
	for name := range applied {
		if !known[name] {
			s.Unknown = append(s.Unknown, name)
		}
	}
	slices.Sort(s.Unknown)
	return s
}

// runMigrations applies the pending steps, calling hook (when set) inside each
// step's transaction after its statements.
func runMigrations(ctx context.Context, db *bun.DB, steps []schemaMigration, hook stepHook) error {
	if err := checkSteps(steps); err != nil {
		return err
	}
	// One connection carries the advisory lock and every transaction.
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if IsPostgres(db) {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLockKey); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		defer unlock(context.WithoutCancel(ctx), conn)
	}
	if _, err := conn.NewCreateTable().Model((*migrationRow)(nil)).ModelTableExpr(MigrationsTable).IfNotExists().Exec(ctx); err != nil {
		return fmt.Errorf("migrate: create %s: %w", MigrationsTable, err)
	}
	applied, lastGroup, err := appliedSteps(ctx, conn)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	group := lastGroup + 1 // one group per run, as bun/migrate numbered them
	for _, m := range steps {
		if applied[m.name] {
			continue
		}
		err := conn.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return applyStep(ctx, tx, m, group, hook)
		})
		if err != nil {
			return fmt.Errorf("migrate: %s %s: %w", m.name, m.comment, err)
		}
	}
	return nil
}

// applyStep runs one step and marks it applied, in the caller's transaction.
// A step marked meanwhile by another process is skipped.
func applyStep(ctx context.Context, tx bun.Tx, m schemaMigration, group int64, hook stepHook) error {
	n, err := tx.NewSelect().Model((*migrationRow)(nil)).Where("name = ?", m.name).Count(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for _, stmt := range m.statements {
		sql := render(tx, stmt)
		if sql == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", firstLine(stmt), err)
		}
	}
	if hook != nil {
		if err := hook(ctx, m.name); err != nil {
			return err
		}
	}
	row := &migrationRow{Name: m.name, GroupID: group, MigratedAt: time.Now().UTC()}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("mark applied: %w", err)
	}
	return nil
}

// appliedSteps reads the names of the applied steps and the last group
// number; a database without MigrationsTable has none.
func appliedSteps(ctx context.Context, db bun.IDB) (map[string]bool, int64, error) {
	exists, err := tableExists(ctx, db, MigrationsTable)
	if err != nil || !exists {
		return map[string]bool{}, 0, err
	}
	var rows []migrationRow
	if err := db.NewSelect().Model(&rows).Column("name", "group_id").Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", MigrationsTable, err)
	}
	applied := make(map[string]bool, len(rows))
	var last int64
	for _, r := range rows {
		applied[r.Name] = true
		last = max(last, r.GroupID)
	}
	return applied, last, nil
}

// tableExists reports whether the current schema has a table of that name.
func tableExists(ctx context.Context, db bun.IDB, name string) (bool, error) {
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	if IsPostgres(db) {
		q = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
	}
	var n int
	if err := db.QueryRowContext(ctx, q, name).Scan(&n); err != nil {
		return false, fmt.Errorf("look up table %s: %w", name, err)
	}
	return n > 0, nil
}

// unlock releases the advisory lock; a connection that may still hold it is
// discarded rather than returned to the pool.
func unlock(ctx context.Context, conn bun.Conn) {
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock(?)", migrationLockKey); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// checkSteps rejects a schema with an unnamed or repeated step.
func checkSteps(steps []schemaMigration) error {
	seen := make(map[string]bool, len(steps))
	for _, m := range steps {
		switch {
		case m.name == "":
			return errors.New("migrate: a step has no name")
		case seen[m.name]:
			return fmt.Errorf("migrate: step %s is listed twice", m.name)
		}
		seen[m.name] = true
	}
	return nil
}
