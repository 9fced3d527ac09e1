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
}
