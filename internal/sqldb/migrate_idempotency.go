package sqldb

// idempotencySteps are the schema of the API's Idempotency-Key records
// (idempotency/bunstore): one row per caller and key, its response sealed.
var idempotencySteps = []schemaMigration{
	{name: "20261217000101", comment: "idempotency_keys", statements: []string{
		// id is a hash of the caller and the key it sent; fingerprint one of
		// the first request; token the claim's; response the sealed answer,
		// NULL while pending (done false, leased until locked_until).
		`CREATE TABLE idempotency_keys (
			id TEXT PRIMARY KEY,
			fingerprint TEXT NOT NULL,
			token TEXT NOT NULL,
			done BOOLEAN NOT NULL DEFAULT FALSE,
			status INTEGER NOT NULL DEFAULT 0,
			response {{blob}},
			created_at {{ts}} NOT NULL,
			expires_at {{ts}} NOT NULL,
			locked_until {{ts}} NOT NULL
		)`,
		// The sweep deletes by expiry.
		`CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at)`,
	}},
}
