package sqldb

// catalogSteps are the Reseller Store catalog's later columns.
var catalogSteps = []schemaMigration{
	{name: "20261222000003", comment: "catalog_currency", statements: []string{
		// The currency of a service's prices (resellers.CatalogService);
		// the services offered before it are in US dollars.
		`ALTER TABLE reseller_services ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD'`,
	}},
	{name: "20261223000001", comment: "product_currency", statements: []string{
		// The currency of a product's item prices (listings.Product); the
		// products made before it are in US dollars.
		`ALTER TABLE products ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD'`,
	}},
	{name: "20261223000002", comment: "subscription_currency", statements: []string{
		// The currency of a subscription (its service's at order time) and
		// of each charge (resellers.Subscription, resellers.Charge); those
		// made before it are in US dollars, as their services were.
		`ALTER TABLE reseller_subscriptions ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD'`,
		`ALTER TABLE reseller_charges ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD'`,
	}},
	{name: "20261224000001", comment: "account_counts_shards", statements: []string{
		// A manager's count of one type and status is spread over rows
		// (shard): on PostgreSQL each change adds to one of
		// partners/bunstore's countShards at random, so concurrent creates
		// under one manager no longer queue on one row's lock until they
		// commit (32 at once made 761 creates a second); a total sums the
		// rows as before. SQLite, one writer at a time, keeps shard 0.
		`CREATE TABLE account_counts_sharded (
			manager_id TEXT NOT NULL,
			type TEXT NOT NULL,
			status TEXT NOT NULL,
			shard INTEGER NOT NULL,
			n {{bigint}} NOT NULL,
			PRIMARY KEY (manager_id, type, status, shard)
		)`,
		`INSERT INTO account_counts_sharded (manager_id, type, status, shard, n)
			SELECT manager_id, type, status, 0, n FROM account_counts`,
		`DROP TABLE account_counts`,
		`ALTER TABLE account_counts_sharded RENAME TO account_counts`,
	}},
}
