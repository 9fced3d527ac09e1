package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// Migration table names, prefixed so an embedding application's own
// bun/migrate tables never clash with ours.
const (
	MigrationsTable     = "partnerkit_migrations"
	MigrationLocksTable = "partnerkit_migration_locks"
)

// migrationLockKey is the PostgreSQL advisory lock that serializes
// migrations of several server instances starting at once.
const migrationLockKey = 0x5041_524b // "PARK"

// schemaMigration is one step of the schema, written once for both dialects:
// {{ts}} is the timestamp type, {{sorted}} the collation clause of columns
// that are sorted (byte order on every store), {{bigint}} a 64-bit integer.
type schemaMigration struct {
	name, comment string
	statements    []string
}

// migrations lists the schema, oldest first. Append only: never edit a step
// that has shipped.
var migrations = []schemaMigration{
	{name: "20261120000001", comment: "partners", statements: []string{
		`CREATE TABLE accounts (
			id TEXT PRIMARY KEY,
			type TEXT NOT NULL,
			name TEXT NOT NULL,
			search_name TEXT {{sorted}} NOT NULL,
			legal_name TEXT NOT NULL DEFAULT '',
			external_id TEXT NOT NULL DEFAULT '',
			status TEXT NOT NULL,
			manager_id TEXT REFERENCES accounts (id),
			path TEXT NOT NULL,
			business_contact_name TEXT NOT NULL DEFAULT '',
			business_contact_email TEXT NOT NULL DEFAULT '',
			business_contact_phone TEXT NOT NULL DEFAULT '',
			technical_contact_name TEXT NOT NULL DEFAULT '',
			technical_contact_email TEXT NOT NULL DEFAULT '',
			technical_contact_phone TEXT NOT NULL DEFAULT '',
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			version INTEGER NOT NULL
		)`,
		`CREATE UNIQUE INDEX accounts_manager_external_id_key ON accounts (manager_id, external_id) WHERE external_id <> ''`,
		`CREATE INDEX accounts_manager_name_idx ON accounts (manager_id, search_name, id)`,
		`CREATE INDEX accounts_manager_type_name_idx ON accounts (manager_id, type, search_name, id)`,
		`CREATE INDEX accounts_manager_status_name_idx ON accounts (manager_id, status, search_name, id)`,
		`CREATE INDEX accounts_manager_created_idx ON accounts (manager_id, created_at, id)`,
		`CREATE INDEX accounts_manager_type_created_idx ON accounts (manager_id, type, created_at, id)`,
		`CREATE INDEX accounts_manager_status_created_idx ON accounts (manager_id, status, created_at, id)`,
		`CREATE TABLE users (
			id TEXT PRIMARY KEY,
			email TEXT NOT NULL,
			full_name TEXT NOT NULL,
			password_hash TEXT NOT NULL,
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL
		)`,
		`CREATE UNIQUE INDEX users_email_key ON users (email)`,
		`CREATE TABLE memberships (
			user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
			role TEXT NOT NULL,
			created_at {{ts}} NOT NULL,
			PRIMARY KEY (user_id, account_id)
		)`,
		`CREATE INDEX memberships_account_idx ON memberships (account_id, created_at)`,
	}},
	{name: "20261120000002", comment: "directory_count_sources", statements: []string{
		// The partner directory counts rows of these tables; the contracts
		// and listings domains add their remaining columns.
		`CREATE TABLE contracts (
			id TEXT PRIMARY KEY,
			partner_id TEXT NOT NULL REFERENCES accounts (id),
			agreement_id TEXT NOT NULL,
			status TEXT NOT NULL,
			created_at {{ts}} NOT NULL
		)`,
		`CREATE INDEX contracts_partner_status_idx ON contracts (partner_id, status, agreement_id)`,
		`CREATE TABLE listings (
			id TEXT PRIMARY KEY,
			vendor_id TEXT NOT NULL REFERENCES accounts (id),
			created_at {{ts}} NOT NULL
		)`,
		`CREATE INDEX listings_vendor_idx ON listings (vendor_id)`,
	}},
}

// render fills the dialect's types into a statement.
func render(db bun.IDB, stmt string) string {
	pg := IsPostgres(db)
	r := strings.NewReplacer(
		"{{ts}}", pick(pg, "TIMESTAMPTZ", "TIMESTAMP"),
		"{{sorted}}", pick(pg, `COLLATE "C"`, ""),
		"{{bigint}}", pick(pg, "BIGINT", "INTEGER"),
	)
	return r.Replace(stmt)
}

func pick(pg bool, postgres, sqlite string) string {
	if pg {
		return postgres
	}
	return sqlite
}

// Migrate brings db's schema up to date. Each step runs in its own
// transaction and is marked applied only when it succeeded. On PostgreSQL an
// advisory lock lets several instances start at once.
func Migrate(ctx context.Context, db *bun.DB) error {
	ms := migrate.NewMigrations()
	for _, m := range migrations {
		m := m
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
		migrate.WithLocksTableName(MigrationLocksTable),
		migrate.WithMarkAppliedOnSuccess(true))

	if IsPostgres(db) {
		conn, err := db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLockKey); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationLockKey) //nolint:errcheck
	}
	if err := migrator.Init(ctx); err != nil {
		return fmt.Errorf("migrate: init: %w", err)
	}
	if _, err := migrator.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
