package sqldb

// ruleSteps are the schema the scheduled rules need (automatic renewal,
// invitation expiry, usage thresholds).
var ruleSteps = []schemaMigration{
	{name: "20261201000010", comment: "subscription_auto_renew", statements: []string{
		// Copied from the plan (a JSON column) at order time.
		`ALTER TABLE reseller_subscriptions ADD COLUMN auto_renew BOOLEAN NOT NULL DEFAULT FALSE`,
		// The period-end rule reads the active subscriptions by period end.
		`CREATE INDEX reseller_subscriptions_due_idx ON reseller_subscriptions (status, period_end, id)`,
	}},
	{name: "20261201000011", comment: "invitation_status", statements: []string{
		// pending, activated, expired or revoked; moved by conditional updates.
		`ALTER TABLE invitations ADD COLUMN status TEXT NOT NULL DEFAULT 'pending'`,
		`UPDATE invitations SET status = 'activated' WHERE used_at IS NOT NULL`,
		// The expiry rule reads the pending invitations by expiry; lists
		// read an owner's invitations newest first.
		`CREATE INDEX invitations_due_idx ON invitations (status, expires_at, id)`,
		`CREATE INDEX invitations_owner_created_idx ON invitations (owner_id, created_at, id)`,
	}},
	{name: "20261201000012", comment: "usage_alerts", statements: []string{
		// A JSON list of percentages of an allocation.
		`ALTER TABLE capacity_terms ADD COLUMN alert_thresholds TEXT NOT NULL DEFAULT '[80,90,100]'`,
		// One row per threshold alerted per partner, contract and month: the
		// key makes the alert once-only across instances.
		`CREATE TABLE usage_alerts (
			partner_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
			contract_id TEXT NOT NULL,
			month TEXT NOT NULL,
			threshold INTEGER NOT NULL,
			used_tb {{decimal}} NOT NULL,
			allocated_tb {{decimal}} NOT NULL,
			PRIMARY KEY (partner_id, contract_id, month, threshold)
		)`,
		`CREATE INDEX usage_alerts_month_idx ON usage_alerts (month)`,
	}},
	{name: "20261201000013", comment: "invitation_sends", statements: []string{
		// Where the link was mailed, when it was last issued and how many
		// times; who revoked it.
		`ALTER TABLE invitations ADD COLUMN sent_to TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE invitations ADD COLUMN sent_at {{ts}}`,
		`UPDATE invitations SET sent_at = created_at`,
		`ALTER TABLE invitations ADD COLUMN sends INTEGER NOT NULL DEFAULT 1`,
		`ALTER TABLE invitations ADD COLUMN revoked_at {{ts}}`,
		`ALTER TABLE invitations ADD COLUMN revoked_by TEXT NOT NULL DEFAULT ''`,
	}},
}
