package sqldb

import (
	"slices"
	"strings"

	"github.com/uptrace/bun"
)

// schemaMigration is one step of the schema, written once for both dialects:
// {{ts}} is the timestamp type, {{sorted}} the collation clause of columns
// that are sorted (byte order on every store), {{bigint}} a 64-bit integer, {{blob}} bytes,
// {{decimal}} an exact decimal; a statement that starts with {{sqlite}}
// runs on SQLite only. Migrate runs a step's statements and the
// row that marks it applied in one transaction, so every statement must be
// transactional on both dialects (no CREATE INDEX CONCURRENTLY, no VACUUM).
type schemaMigration struct {
	name, comment string
	statements    []string
}

// migrations lists the schema, oldest first. Append only: never edit a step
// that has shipped.
var migrations = joinSteps(coreSteps, webhookSteps, ruleSteps, mailSteps, idempotencySteps, securitySteps, sizeSteps, catalogSteps)

// coreSteps are the steps of the first releases and of the directory.
var coreSteps = []schemaMigration{
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
	{name: "20261120000002", comment: "agreements_contracts", statements: []string{
		`CREATE TABLE audit_events (
			id TEXT PRIMARY KEY,
			account_id TEXT NOT NULL,
			actor TEXT NOT NULL,
			actor_account_id TEXT NOT NULL DEFAULT '',
			action TEXT NOT NULL,
			entity_type TEXT NOT NULL,
			entity_id TEXT NOT NULL,
			at {{ts}} NOT NULL,
			before TEXT NOT NULL DEFAULT '',
			after TEXT NOT NULL DEFAULT ''
		)`,
		`CREATE INDEX audit_events_entity_idx ON audit_events (entity_id, at, id)`,
		`CREATE TABLE agreements (
			id TEXT PRIMARY KEY,
			owner_id TEXT NOT NULL REFERENCES accounts (id),
			type TEXT NOT NULL,
			name TEXT NOT NULL,
			search_name TEXT {{sorted}} NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			current_version INTEGER NOT NULL,
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			version INTEGER NOT NULL
		)`,
		`CREATE INDEX agreements_owner_name_idx ON agreements (owner_id, search_name, id)`,
		`CREATE INDEX agreements_owner_type_name_idx ON agreements (owner_id, type, search_name, id)`,
		`CREATE TABLE agreement_versions (
			agreement_id TEXT NOT NULL REFERENCES agreements (id),
			number INTEGER NOT NULL,
			document_kind TEXT NOT NULL,
			document_url TEXT NOT NULL DEFAULT '',
			file_name TEXT NOT NULL DEFAULT '',
			media_type TEXT NOT NULL DEFAULT '',
			size {{bigint}} NOT NULL DEFAULT 0,
			sha256 TEXT NOT NULL DEFAULT '',
			created_by TEXT NOT NULL DEFAULT '',
			created_at {{ts}} NOT NULL,
			PRIMARY KEY (agreement_id, number)
		)`,
		`CREATE TABLE agreement_documents (
			agreement_id TEXT NOT NULL,
			number INTEGER NOT NULL,
			content {{blob}} NOT NULL,
			PRIMARY KEY (agreement_id, number),
			FOREIGN KEY (agreement_id, number) REFERENCES agreement_versions (agreement_id, number) ON DELETE CASCADE
		)`,
		`CREATE TABLE marketplaces (
			id TEXT PRIMARY KEY,
			owner_id TEXT NOT NULL REFERENCES accounts (id),
			name TEXT NOT NULL,
			search_name TEXT {{sorted}} NOT NULL,
			currency TEXT NOT NULL,
			external BOOLEAN NOT NULL,
			created_at {{ts}} NOT NULL
		)`,
		`CREATE UNIQUE INDEX marketplaces_owner_name_key ON marketplaces (owner_id, search_name)`,
		`CREATE TABLE contracts (
			id TEXT PRIMARY KEY,
			owner_id TEXT NOT NULL REFERENCES accounts (id),
			partner_id TEXT NOT NULL REFERENCES accounts (id),
			agreement_id TEXT NOT NULL,
			agreement_version INTEGER NOT NULL,
			type TEXT NOT NULL,
			marketplace_id TEXT REFERENCES marketplaces (id),
			status TEXT NOT NULL,
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			signed_at {{ts}},
			activated_at {{ts}},
			terminated_at {{ts}},
			version INTEGER NOT NULL,
			FOREIGN KEY (agreement_id, agreement_version) REFERENCES agreement_versions (agreement_id, number)
		)`,
		// A vendor has at most one open distribution contract per marketplace.
		`CREATE UNIQUE INDEX contracts_partner_marketplace_key ON contracts (partner_id, marketplace_id)
			WHERE marketplace_id IS NOT NULL AND status IN ('pending', 'signed', 'active')`,
		`CREATE INDEX contracts_partner_status_idx ON contracts (partner_id, status, agreement_id)`,
		`CREATE INDEX contracts_owner_created_idx ON contracts (owner_id, created_at, id)`,
		`CREATE INDEX contracts_agreement_idx ON contracts (agreement_id, agreement_version)`,
		`CREATE TABLE contract_events (
			id TEXT PRIMARY KEY,
			contract_id TEXT NOT NULL REFERENCES contracts (id),
			type TEXT NOT NULL,
			from_status TEXT NOT NULL DEFAULT '',
			to_status TEXT NOT NULL,
			agreement_version INTEGER NOT NULL,
			actor TEXT NOT NULL,
			at {{ts}} NOT NULL
		)`,
		`CREATE INDEX contract_events_contract_idx ON contract_events (contract_id, at, id)`,
		`CREATE TABLE invitations (
			id TEXT PRIMARY KEY,
			token_hash TEXT NOT NULL,
			owner_id TEXT NOT NULL REFERENCES accounts (id),
			partner_id TEXT NOT NULL REFERENCES accounts (id),
			contract_id TEXT NOT NULL REFERENCES contracts (id),
			created_by TEXT NOT NULL,
			created_at {{ts}} NOT NULL,
			expires_at {{ts}} NOT NULL,
			used_at {{ts}},
			used_by TEXT NOT NULL DEFAULT ''
		)`,
		`CREATE UNIQUE INDEX invitations_token_hash_key ON invitations (token_hash)`,
		`CREATE INDEX invitations_partner_idx ON invitations (partner_id)`,
		// The partner directory counts listings; the listings domain adds its columns.
		`CREATE TABLE listings (
			id TEXT PRIMARY KEY,
			vendor_id TEXT NOT NULL REFERENCES accounts (id),
			created_at {{ts}} NOT NULL
		)`,
		`CREATE INDEX listings_vendor_idx ON listings (vendor_id)`,
	}},
	{name: "20261120000003", comment: "capacity", statements: []string{
		`CREATE TABLE capacity_terms (
			contract_id TEXT PRIMARY KEY REFERENCES contracts (id),
			reserved_tb {{decimal}} NOT NULL,
			billing_model TEXT NOT NULL,
			price_per_tb {{decimal}} NOT NULL,
			excess_price_per_tb {{decimal}} NOT NULL,
			currency TEXT NOT NULL,
			updated_at {{ts}} NOT NULL
		)`,
		`CREATE TABLE allocations (
			partner_id TEXT PRIMARY KEY REFERENCES accounts (id),
			contract_id TEXT NOT NULL REFERENCES contracts (id),
			allocated_tb {{decimal}} NOT NULL,
			allow_overdraft BOOLEAN NOT NULL,
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL
		)`,
		`CREATE INDEX allocations_contract_idx ON allocations (contract_id)`,
		`CREATE TABLE allocation_history (
			id TEXT PRIMARY KEY,
			partner_id TEXT NOT NULL REFERENCES accounts (id),
			contract_id TEXT NOT NULL,
			allocated_tb {{decimal}} NOT NULL,
			effective_at {{ts}} NOT NULL
		)`,
		`CREATE INDEX allocation_history_partner_idx ON allocation_history (partner_id, effective_at)`,
		`CREATE TABLE storage_accounts (
			id TEXT PRIMARY KEY,
			partner_id TEXT NOT NULL REFERENCES accounts (id),
			name TEXT NOT NULL,
			search_name TEXT {{sorted}} NOT NULL,
			quota_tb {{decimal}} NOT NULL,
			status TEXT NOT NULL,
			delete_at {{ts}},
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			version INTEGER NOT NULL
		)`,
		`CREATE UNIQUE INDEX storage_accounts_partner_name_key ON storage_accounts (partner_id, search_name)`,
		`CREATE TABLE usage_samples (
			storage_account_id TEXT NOT NULL REFERENCES storage_accounts (id) ON DELETE CASCADE,
			ts {{bigint}} NOT NULL,
			bytes {{bigint}} NOT NULL,
			PRIMARY KEY (storage_account_id, ts)
		)`,
		`CREATE TABLE usage_account_daily (
			storage_account_id TEXT NOT NULL REFERENCES storage_accounts (id) ON DELETE CASCADE,
			day INTEGER NOT NULL,
			partner_id TEXT NOT NULL,
			peak_bytes {{bigint}} NOT NULL,
			sum_bytes {{bigint}} NOT NULL,
			samples INTEGER NOT NULL,
			last_ts {{bigint}} NOT NULL,
			PRIMARY KEY (storage_account_id, day)
		)`,
		`CREATE INDEX usage_account_daily_partner_idx ON usage_account_daily (partner_id, day)`,
		`CREATE TABLE usage_partner_daily (
			partner_id TEXT NOT NULL REFERENCES accounts (id),
			day INTEGER NOT NULL,
			contract_id TEXT NOT NULL,
			peak_bytes {{bigint}} NOT NULL,
			avg_bytes {{bigint}} NOT NULL,
			allocated_tb {{decimal}} NOT NULL,
			last_ts {{bigint}} NOT NULL,
			PRIMARY KEY (partner_id, day)
		)`,
		`CREATE INDEX usage_partner_daily_contract_idx ON usage_partner_daily (contract_id, day)`,
		`CREATE TABLE deals (
			id TEXT PRIMARY KEY,
			partner_id TEXT NOT NULL REFERENCES accounts (id),
			owner_id TEXT NOT NULL REFERENCES accounts (id),
			customer_name TEXT NOT NULL,
			expected_tb {{decimal}},
			expected_value {{decimal}},
			currency TEXT NOT NULL DEFAULT '',
			close_date TEXT NOT NULL,
			note TEXT NOT NULL DEFAULT '',
			status TEXT NOT NULL,
			reason TEXT NOT NULL DEFAULT '',
			decided_by TEXT NOT NULL DEFAULT '',
			decided_at {{ts}},
			created_by TEXT NOT NULL,
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			version INTEGER NOT NULL
		)`,
		`CREATE INDEX deals_owner_idx ON deals (owner_id, created_at)`,
		`CREATE INDEX deals_partner_idx ON deals (partner_id, created_at)`,
	}},
	{name: "20261120000004", comment: "auth", statements: []string{
		`CREATE TABLE sessions (
			token_hash TEXT PRIMARY KEY,
			user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
			created_at {{ts}} NOT NULL,
			expires_at {{ts}} NOT NULL,
			last_seen_at {{ts}} NOT NULL
		)`,
		`CREATE INDEX sessions_user_idx ON sessions (user_id)`,
		`CREATE TABLE api_keys (
			id TEXT PRIMARY KEY,
			token_hash TEXT NOT NULL,
			prefix TEXT NOT NULL,
			account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
			role TEXT NOT NULL,
			description TEXT NOT NULL,
			created_by TEXT NOT NULL,
			created_at {{ts}} NOT NULL,
			expires_at {{ts}},
			revoked_at {{ts}},
			last_used_at {{ts}}
		)`,
		`CREATE UNIQUE INDEX api_keys_token_hash_key ON api_keys (token_hash)`,
		`CREATE INDEX api_keys_account_idx ON api_keys (account_id, created_at)`,
		`CREATE TABLE team_invitations (
			id TEXT PRIMARY KEY,
			token_hash TEXT NOT NULL,
			account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
			email TEXT NOT NULL,
			role TEXT NOT NULL,
			created_by TEXT NOT NULL,
			created_at {{ts}} NOT NULL,
			expires_at {{ts}} NOT NULL,
			used_at {{ts}}
		)`,
		`CREATE UNIQUE INDEX team_invitations_token_hash_key ON team_invitations (token_hash)`,
		`CREATE TABLE login_failures (
			key TEXT PRIMARY KEY,
			failures INTEGER NOT NULL,
			window_start {{ts}} NOT NULL,
			locked_until {{ts}}
		)`,
	}},
	{name: "20261120000005", comment: "listings", statements: []string{
		`CREATE TABLE products (
			id TEXT PRIMARY KEY,
			vendor_id TEXT NOT NULL REFERENCES accounts (id),
			name TEXT NOT NULL,
			search_name TEXT {{sorted}} NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			version INTEGER NOT NULL
		)`,
		`CREATE INDEX products_vendor_name_idx ON products (vendor_id, search_name, id)`,
		`CREATE TABLE product_items (
			product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
			position INTEGER NOT NULL,
			name TEXT NOT NULL,
			mpn TEXT NOT NULL DEFAULT '',
			type TEXT NOT NULL,
			unit TEXT NOT NULL,
			price {{decimal}} NOT NULL,
			PRIMARY KEY (product_id, position)
		)`,
		// Listings were created with the directory's count; they gain their product and marketplace.
		`ALTER TABLE listings ADD COLUMN product_id TEXT REFERENCES products (id)`,
		`ALTER TABLE listings ADD COLUMN marketplace_id TEXT REFERENCES marketplaces (id)`,
		`ALTER TABLE listings ADD COLUMN status TEXT NOT NULL DEFAULT 'listed'`,
		`CREATE UNIQUE INDEX listings_product_marketplace_key ON listings (product_id, marketplace_id)`,
		`CREATE INDEX listings_vendor_created_idx ON listings (vendor_id, created_at, id)`,
	}},
	{name: "20261120000006", comment: "resellers", statements: []string{
		`CREATE TABLE reseller_services (
			id TEXT PRIMARY KEY,
			provider_id TEXT NOT NULL REFERENCES accounts (id),
			name TEXT {{sorted}} NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			plans TEXT NOT NULL,
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			version INTEGER NOT NULL
		)`,
		`CREATE INDEX reseller_services_provider_name_idx ON reseller_services (provider_id, name, id)`,
		`CREATE TABLE reseller_clients (
			id TEXT PRIMARY KEY,
			partner_id TEXT NOT NULL REFERENCES accounts (id),
			name TEXT {{sorted}} NOT NULL,
			search_name TEXT {{sorted}} NOT NULL,
			email TEXT NOT NULL DEFAULT '',
			status TEXT NOT NULL,
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			version INTEGER NOT NULL
		)`,
		`CREATE INDEX reseller_clients_partner_name_idx ON reseller_clients (partner_id, name, id)`,
		`CREATE TABLE reseller_subscriptions (
			id TEXT PRIMARY KEY,
			partner_id TEXT NOT NULL REFERENCES accounts (id),
			client_id TEXT NOT NULL REFERENCES reseller_clients (id),
			service_id TEXT NOT NULL REFERENCES reseller_services (id),
			plan_id TEXT NOT NULL,
			provider_id TEXT NOT NULL REFERENCES accounts (id),
			service_name TEXT NOT NULL,
			plan_name TEXT NOT NULL,
			billing_period TEXT NOT NULL,
			decrease_at_renewal BOOLEAN NOT NULL,
			status TEXT NOT NULL,
			resources TEXT NOT NULL,
			scheduled TEXT NOT NULL DEFAULT '[]',
			trial_ends_at {{ts}},
			period_start {{ts}} NOT NULL,
			period_end {{ts}} NOT NULL,
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			version INTEGER NOT NULL
		)`,
		`CREATE INDEX reseller_subscriptions_partner_created_idx ON reseller_subscriptions (partner_id, created_at, id)`,
		`CREATE INDEX reseller_subscriptions_client_idx ON reseller_subscriptions (client_id)`,
		`CREATE TABLE reseller_subscription_events (
			id TEXT PRIMARY KEY,
			subscription_id TEXT NOT NULL REFERENCES reseller_subscriptions (id),
			partner_id TEXT NOT NULL REFERENCES accounts (id),
			seq INTEGER NOT NULL,
			type TEXT NOT NULL,
			from_status TEXT NOT NULL DEFAULT '',
			to_status TEXT NOT NULL,
			resources TEXT NOT NULL,
			actor TEXT NOT NULL,
			at {{ts}} NOT NULL
		)`,
		`CREATE UNIQUE INDEX reseller_subscription_events_seq_key ON reseller_subscription_events (subscription_id, seq)`,
		`CREATE INDEX reseller_subscription_events_partner_idx ON reseller_subscription_events (partner_id, at)`,
		`CREATE TABLE reseller_charges (
			id TEXT PRIMARY KEY,
			partner_id TEXT NOT NULL REFERENCES accounts (id),
			client_id TEXT NOT NULL REFERENCES reseller_clients (id),
			subscription_id TEXT NOT NULL REFERENCES reseller_subscriptions (id),
			service_id TEXT NOT NULL REFERENCES reseller_services (id),
			kind TEXT NOT NULL,
			resource TEXT NOT NULL,
			unit TEXT NOT NULL,
			quantity {{decimal}} NOT NULL,
			unit_price {{decimal}} NOT NULL,
			fraction {{decimal}} NOT NULL,
			amount {{decimal}} NOT NULL,
			period_start {{ts}} NOT NULL,
			period_end {{ts}} NOT NULL,
			description TEXT NOT NULL,
			created_at {{ts}} NOT NULL
		)`,
		`CREATE INDEX reseller_charges_partner_created_idx ON reseller_charges (partner_id, created_at, id)`,
		`CREATE INDEX reseller_charges_subscription_idx ON reseller_charges (subscription_id)`,
	}},
	{name: "20261201000001", comment: "concurrency", statements: []string{
		// One account without a manager: the root that Bootstrap creates,
		// also when several instances bootstrap an empty database at once.
		`CREATE UNIQUE INDEX accounts_one_root_key ON accounts ((manager_id IS NULL)) WHERE manager_id IS NULL`,
	}},
	{name: "20261201000002", comment: "throttle", statements: []string{
		// Sign-in counts are changed by compare-and-swap on seq.
		`ALTER TABLE login_failures ADD COLUMN seq INTEGER NOT NULL DEFAULT 0`,
	}},
	{name: "20261201000003", comment: "directory", statements: []string{
		// The directory's totals: a manager's partners counted by type and
		// status, kept by every change in its transaction.
		`CREATE TABLE account_counts (
			manager_id TEXT NOT NULL,
			type TEXT NOT NULL,
			status TEXT NOT NULL,
			n {{bigint}} NOT NULL,
			PRIMARY KEY (manager_id, type, status)
		)`,
		`INSERT INTO account_counts (manager_id, type, status, n)
			SELECT manager_id, type, status, count(*) FROM accounts WHERE manager_id IS NOT NULL GROUP BY manager_id, type, status`,
		// Two indexes instead of six: each is in the order of a sort and
		// carries the filters, so a filtered page walks one index without
		// touching the rows it skips.
		`DROP INDEX accounts_manager_name_idx`,
		`DROP INDEX accounts_manager_type_name_idx`,
		`DROP INDEX accounts_manager_status_name_idx`,
		`DROP INDEX accounts_manager_created_idx`,
		`DROP INDEX accounts_manager_type_created_idx`,
		`DROP INDEX accounts_manager_status_created_idx`,
		`CREATE INDEX accounts_directory_name_idx ON accounts (manager_id, search_name, id, type, status)`,
		`CREATE INDEX accounts_directory_created_idx ON accounts (manager_id, created_at, id, type, status)`,
	}},
}

// render fills the dialect's types into a statement; it is empty when
// the statement is not for db's dialect.
func render(db bun.IDB, stmt string) string {
	pg := IsPostgres(db)
	if rest, ok := strings.CutPrefix(stmt, "{{sqlite}}"); ok {
		if pg {
			return ""
		}
		stmt = rest
	}
	r := strings.NewReplacer(
		"{{ts}}", pick(pg, "TIMESTAMPTZ", "TIMESTAMP"),
		"{{sorted}}", pick(pg, `COLLATE "C"`, ""),
		"{{bigint}}", pick(pg, "BIGINT", "INTEGER"),
		"{{blob}}", pick(pg, "BYTEA", "BLOB"),
		// Decimals keep every digit: NUMERIC on PostgreSQL, TEXT on SQLite
		// (whose NUMERIC affinity loses digits); arithmetic happens in Go.
		"{{decimal}}", pick(pg, "NUMERIC(38,12)", "TEXT"),
	)
	return r.Replace(stmt)
}

func pick(pg bool, postgres, sqlite string) string {
	if pg {
		return postgres
	}
	return sqlite
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// joinSteps returns the steps of several files in the order of their names
// (each file appends its own, so parallel work does not edit one list).
func joinSteps(lists ...[]schemaMigration) []schemaMigration {
	out := slices.Concat(lists...)
	slices.SortStableFunc(out, func(a, b schemaMigration) int { return strings.Compare(a.name, b.name) })
	return out
}
