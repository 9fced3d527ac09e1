// Package teststores builds one storetest.Stores of every domain, on one
// in-memory database or on one SQL database, for the conformance suite and
// the benchmarks (app/server wires the same stores for serving).
package teststores

import (
	agreementsbun "github.com/partnerkit/partnerkit/agreements/bunstore"
	agreementsmem "github.com/partnerkit/partnerkit/agreements/memstore"
	capacitybun "github.com/partnerkit/partnerkit/capacity/bunstore"
	capacitymem "github.com/partnerkit/partnerkit/capacity/memstore"
	contractsbun "github.com/partnerkit/partnerkit/contracts/bunstore"
	contractsmem "github.com/partnerkit/partnerkit/contracts/memstore"
	listingsbun "github.com/partnerkit/partnerkit/listings/bunstore"
	listingsmem "github.com/partnerkit/partnerkit/listings/memstore"
	"github.com/partnerkit/partnerkit/partners/bunstore"
	"github.com/partnerkit/partnerkit/partners/memstore"
	resellersbun "github.com/partnerkit/partnerkit/resellers/bunstore"
	resellersmem "github.com/partnerkit/partnerkit/resellers/memstore"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/uptrace/bun"
)

// Memory returns the memory stores of every domain on one new database.
func Memory() storetest.Stores {
	db := memstore.NewDB()
	return storetest.Stores{Partners: memstore.New(db), Agreements: agreementsmem.New(db), Contracts: contractsmem.New(db),
		Capacity: capacitymem.New(db), Listings: listingsmem.New(db), Resellers: resellersmem.New(db)}
}

// SQL returns the SQL stores of every domain on db (already migrated).
func SQL(db *bun.DB) storetest.Stores {
	return storetest.Stores{Partners: bunstore.New(db), Agreements: agreementsbun.New(db), Contracts: contractsbun.New(db),
		Capacity: capacitybun.New(db), Listings: listingsbun.New(db), Resellers: resellersbun.New(db)}
}
