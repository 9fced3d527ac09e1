package storetest_test

import (
	"testing"

	agreementsbun "github.com/partnerkit/partnerkit/agreements/bunstore"
	agreementsmem "github.com/partnerkit/partnerkit/agreements/memstore"
	capacitybun "github.com/partnerkit/partnerkit/capacity/bunstore"
	capacitymem "github.com/partnerkit/partnerkit/capacity/memstore"
	contractsbun "github.com/partnerkit/partnerkit/contracts/bunstore"
	contractsmem "github.com/partnerkit/partnerkit/contracts/memstore"
	"github.com/partnerkit/partnerkit/internal/testdb"
	listingsbun "github.com/partnerkit/partnerkit/listings/bunstore"
	listingsmem "github.com/partnerkit/partnerkit/listings/memstore"
	"github.com/partnerkit/partnerkit/partners/bunstore"
	"github.com/partnerkit/partnerkit/partners/memstore"
	resellersbun "github.com/partnerkit/partnerkit/resellers/bunstore"
	resellersmem "github.com/partnerkit/partnerkit/resellers/memstore"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/uptrace/bun"
)

// TestConformance runs the one conformance suite on every store: memory,
// SQLite and (when PARTNERKIT_TEST_POSTGRES is set) PostgreSQL.
func TestConformance(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) storetest.Stores {
			db := memstore.NewDB()
			return storetest.Stores{Partners: memstore.New(db), Agreements: agreementsmem.New(db), Contracts: contractsmem.New(db),
				Capacity: capacitymem.New(db), Listings: listingsmem.New(db), Resellers: resellersmem.New(db)}
		})
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) storetest.Stores { return sqlStores(testdb.SQLite(t)) })
	})
	t.Run("postgres", func(t *testing.T) {
		testdb.PostgresDSN(t) // skip early when unset
		t.Parallel()
		storetest.Run(t, func(t *testing.T) storetest.Stores { return sqlStores(testdb.Postgres(t)) })
	})
}

func sqlStores(db *bun.DB) storetest.Stores {
	return storetest.Stores{Partners: bunstore.New(db), Agreements: agreementsbun.New(db), Contracts: contractsbun.New(db),
		Capacity: capacitybun.New(db), Listings: listingsbun.New(db), Resellers: resellersbun.New(db)}
}
