package sqldb

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Step is a step of the schema as tests see it.
type Step struct {
	Name       string
	Statements []string
}

// Steps returns the schema's steps, oldest first.
func Steps() []Step {
	steps := make([]Step, len(migrations))
	for i, m := range migrations {
		steps[i] = Step{Name: m.name, Statements: m.statements}
	}
	return steps
}

// MigrateWithHook migrates like Migrate and calls hook inside each pending
// step's transaction, after its statements and before its mark.
func MigrateWithHook(ctx context.Context, db *bun.DB, hook func(ctx context.Context, step string) error) error {
	return runMigrations(ctx, db, migrations, hook)
}

// MigrateFirst applies only the first n steps of the schema.
func MigrateFirst(ctx context.Context, db *bun.DB, n int) error {
	return runMigrations(ctx, db, migrations[:n], nil)
}

// LegacyMigrationLocksTable is the lock table of bun/migrate that the
// versions before the transactional runner created.
const LegacyMigrationLocksTable = "partnerkit_migration_locks"

// LegacyMigrate migrates the first n steps the way the versions before the
// transactional runner did, with bun/migrate (each step in a transaction,
// its mark written after the commit).
func LegacyMigrate(ctx context.Context, db *bun.DB, n int) error {
	ms := migrate.NewMigrations()
	for _, m := range migrations[:n] {
		ms.Add(migrate.Migration{
			Name:    m.name,
			Comment: m.comment,
			Up: func(ctx context.Context, mg *migrate.Migrator, _ *migrate.Migration) error {
				return mg.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					for _, stmt := range m.statements {
						if _, err := tx.ExecContext(ctx, render(tx, stmt)); err != nil {
							return fmt.Errorf("%s: %w", firstLine(stmt), err)
						}
					}
					return nil
				})
			},
		})
	}
	migrator := migrate.NewMigrator(db, ms,
		migrate.WithTableName(MigrationsTable),
		migrate.WithLocksTableName(LegacyMigrationLocksTable),
		migrate.WithMarkAppliedOnSuccess(true))
	if err := migrator.Init(ctx); err != nil {
		return fmt.Errorf("migrate: init: %w", err)
	}
	if _, err := migrator.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// CachedStatements returns how many statements a connection of the
// CachingConnector keeps prepared (-1 for another connection).
func CachedStatements(dc any) int {
	c, ok := dc.(*cachingConn)
	if !ok {
		return -1
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.stmts)
}

// MaxCachedStatements is maxCachedStatements.
const MaxCachedStatements = maxCachedStatements

// SetCheckpointEvery sets how often, at most, the WAL is checkpointed in
// the background, and returns a function that restores the default.
func SetCheckpointEvery(d time.Duration) (restore func()) {
	old := checkpointEvery.Swap(int64(d))
	return func() { checkpointEvery.Store(old) }
}

// Checkpointing reports whether a background checkpoint of db runs.
func Checkpointing(db *bun.DB) bool { return writerOf(db).checkpointing.Load() }
