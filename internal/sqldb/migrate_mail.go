package sqldb

// mailSteps are the schema of the mail outbox (package mail).
var mailSteps = []schemaMigration{
	{name: "20261215000001", comment: "mail outbox", statements: []string{
		// One row per queued message. data holds the templates' fields as
		// a JSON object until the message is sent, refused or failed, then
		// '{}': its links carry tokens. dedupe_key is NULL for a message
		// without one; the unique key makes an event handled twice (or on
		// two instances) queue its mail once (INSERT … ON CONFLICT
		// (dedupe_key) DO NOTHING). No foreign key to accounts: a message
		// outlives what it was about.
		`CREATE TABLE mail_messages (
			id TEXT PRIMARY KEY,
			kind TEXT NOT NULL,
			recipient TEXT NOT NULL,
			account_id TEXT NOT NULL DEFAULT '',
			ref TEXT NOT NULL DEFAULT '',
			dedupe_key TEXT,
			data TEXT NOT NULL DEFAULT '{}',
			status TEXT NOT NULL,
			attempts INTEGER NOT NULL DEFAULT 0,
			last_error TEXT NOT NULL DEFAULT '',
			next_attempt_at {{ts}},
			sent_at {{ts}},
			created_at {{ts}} NOT NULL,
			updated_at {{ts}} NOT NULL,
			CONSTRAINT mail_messages_dedupe_key UNIQUE (dedupe_key)
		)`,
		// What was sent about an object (mail.Service.Status), newest first.
		`CREATE INDEX mail_messages_ref_idx ON mail_messages (ref, created_at, id)`,
		// The queued messages by due time, for operators and sweeps.
		`CREATE INDEX mail_messages_status_due_idx ON mail_messages (status, next_attempt_at)`,
	}},
}
