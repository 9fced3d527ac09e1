package sqldb

// webhookSteps are the schema of events, webhook endpoints and deliveries.
var webhookSteps = []schemaMigration{
	{name: "20261201000004", comment: "webhooks", statements: []string{
		// An account's endpoints. event_types is a JSON array of event type
		// names ("[]": every type); webhooks/bunstore filters by type in Go
		// (an account has at most webhooks.MaxEndpoints endpoints).
		`CREATE TABLE webhook_endpoints (
			id TEXT PRIMARY KEY,
			account_id TEXT NOT NULL REFERENCES accounts (id),
			url TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			event_types TEXT NOT NULL DEFAULT '[]',
			enabled BOOLEAN NOT NULL,
			disabled_reason TEXT NOT NULL DEFAULT '',
			secret_hint TEXT NOT NULL DEFAULT '',
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			version INTEGER NOT NULL
		)`,
		// The endpoint list of an account, in its order; MatchingEndpoints
		// reads it with account_id IN (…).
		`CREATE INDEX webhook_endpoints_account_created_idx ON webhook_endpoints (account_id, created_at, id)`,
		// Signing secrets, kept so that they can sign; a rotated-out one
		// has an expiry.
		`CREATE TABLE webhook_secrets (
			endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
			value TEXT {{sorted}} NOT NULL,
			created_at {{ts}} NOT NULL,
			expires_at {{ts}},
			PRIMARY KEY (endpoint_id, value)
		)`,
		// One delivery per endpoint and event: the unique key makes a
		// fan-out that runs twice (or on two instances) insert each once
		// (INSERT … ON CONFLICT (endpoint_id, event_id) DO NOTHING).
		`CREATE TABLE webhook_deliveries (
			id TEXT PRIMARY KEY,
			endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
			account_id TEXT NOT NULL,
			event_id TEXT NOT NULL,
			event_type TEXT NOT NULL,
			test BOOLEAN NOT NULL DEFAULT FALSE,
			status TEXT NOT NULL,
			attempts INTEGER NOT NULL DEFAULT 0,
			last_status_code INTEGER NOT NULL DEFAULT 0,
			last_error TEXT NOT NULL DEFAULT '',
			next_attempt_at {{ts}},
			payload {{blob}} NOT NULL,
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			CONSTRAINT webhook_deliveries_endpoint_event_key UNIQUE (endpoint_id, event_id)
		)`,
		// The delivery log of an endpoint, newest first.
		`CREATE INDEX webhook_deliveries_endpoint_created_idx ON webhook_deliveries (endpoint_id, created_at, id)`,
		// Each attempt number of a delivery once.
		`CREATE TABLE webhook_attempts (
			delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
			number INTEGER NOT NULL,
			at {{ts}} NOT NULL,
			manual BOOLEAN NOT NULL DEFAULT FALSE,
			status_code INTEGER NOT NULL DEFAULT 0,
			latency_ms {{bigint}} NOT NULL DEFAULT 0,
			response TEXT NOT NULL DEFAULT '',
			error TEXT NOT NULL DEFAULT '',
			PRIMARY KEY (delivery_id, number)
		)`,
	}},
	{name: "20261201000005", comment: "events feed", statements: []string{
		// GET /events: a tenancy's audit events by time (partners.Store.Events
		// walks this index once per visible account).
		`CREATE INDEX audit_events_account_at_idx ON audit_events (account_id, at, id)`,
	}},
}
