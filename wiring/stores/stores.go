// Package stores makes the Partnerkit store of every domain on one
// database: the SQL stores (SQLite or PostgreSQL through Bun) on one
// *bun.DB, or the in-memory stores on one memory DB. Building a store
// registers what its domain tells the others (the partner directory's
// counts, what keeps an account from being deleted), so build them all
// here, once per database, and pass them to wiring.New.
package stores

import (
	agreementsbun "github.com/partnerkit/partnerkit/agreements/bunstore"
	agreementsmem "github.com/partnerkit/partnerkit/agreements/memstore"
	capacitybun "github.com/partnerkit/partnerkit/capacity/bunstore"
	capacitymem "github.com/partnerkit/partnerkit/capacity/memstore"
	contractsbun "github.com/partnerkit/partnerkit/contracts/bunstore"
	contractsmem "github.com/partnerkit/partnerkit/contracts/memstore"
	listingsbun "github.com/partnerkit/partnerkit/listings/bunstore"
	listingsmem "github.com/partnerkit/partnerkit/listings/memstore"
	mailbun "github.com/partnerkit/partnerkit/mail/bunstore"
	mailmem "github.com/partnerkit/partnerkit/mail/memstore"
	partnersbun "github.com/partnerkit/partnerkit/partners/bunstore"
	partnersmem "github.com/partnerkit/partnerkit/partners/memstore"
	resellersbun "github.com/partnerkit/partnerkit/resellers/bunstore"
	resellersmem "github.com/partnerkit/partnerkit/resellers/memstore"
	webhooksbun "github.com/partnerkit/partnerkit/webhooks/bunstore"
	webhooksmem "github.com/partnerkit/partnerkit/webhooks/memstore"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/uptrace/bun"
)

// SQL returns the SQL stores of every domain on db, which must be migrated
// (partners/bunstore.Open opens and migrates) and, on SQLite, opened with
// the pragmas of partners/bunstore.SQLiteDSN: a database without them is
// refused with an error that says what to set (partners/bunstore.ErrDatabaseNotReady).
func SQL(db *bun.DB) (wiring.Stores, error) {
	// Every New runs the same check of db, once: the first refuses a bad one.
	p, err := partnersbun.New(db)
	if err != nil {
		return wiring.Stores{}, err
	}
	a, _ := agreementsbun.New(db)
	c, _ := contractsbun.New(db)
	k, _ := capacitybun.New(db)
	l, _ := listingsbun.New(db)
	r, _ := resellersbun.New(db)
	w, _ := webhooksbun.New(db)
	m, _ := mailbun.New(db)
	return wiring.Stores{Partners: p, Agreements: a, Contracts: c, Capacity: k, Listings: l, Resellers: r, Webhooks: w, Mail: m}, nil
}

// MustSQL is SQL that panics on error, for programs and tests whose
// database is known to fit (one partners/bunstore.Open opened).
func MustSQL(db *bun.DB) wiring.Stores {
	st, err := SQL(db)
	if err != nil {
		panic(err)
	}
	return st
}

// Memory returns the memory stores of every domain on one new memory DB.
func Memory() wiring.Stores {
	db := partnersmem.NewDB()
	return wiring.Stores{Partners: partnersmem.New(db), Agreements: agreementsmem.New(db), Contracts: contractsmem.New(db),
		Capacity: capacitymem.New(db), Listings: listingsmem.New(db), Resellers: resellersmem.New(db), Webhooks: webhooksmem.New(db),
		Mail: mailmem.New(db)}
}
