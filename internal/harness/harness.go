// Package harness is the conformance kit's Harness (package storetest) of
// Partnerkit's own stores: the memory stores, and the SQL stores on a
// SQLite file or a PostgreSQL database made for each test. The central
// conformance loop and every store package's own tests run the kit through
// it.
package harness

import (
	"testing"

	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/uptrace/bun"
)

// Harness makes a new set of stores with open; it holds nothing to close.
type Harness struct {
	caps storetest.Capabilities
	open func(t *testing.T) storetest.Stores
}

var _ storetest.Harness = Harness{}

// MakeStores implements storetest.Harness.
func (h Harness) MakeStores(t *testing.T) storetest.Stores {
	t.Helper()
	return h.open(t)
}

// Capabilities implements storetest.Harness.
func (h Harness) Capabilities() storetest.Capabilities { return h.caps }

// Close implements storetest.Harness.
func (Harness) Close() {}

// Memory is the storetest.HarnessMaker of the memory stores of every
// domain (wiring/stores.Memory), which serialise writes.
func Memory(*testing.T) storetest.Harness {
	return Harness{caps: storetest.Capabilities{Name: "memory", SerializesWrites: true},
		open: func(*testing.T) storetest.Stores { return stores.Memory() }}
}

// SQLite is the storetest.HarnessMaker of the SQL stores of every domain on
// a new SQLite file per MakeStores; SQLite's immediate transactions
// serialise writes.
func SQLite(*testing.T) storetest.Harness {
	return Harness{caps: storetest.Capabilities{Name: "sqlite", SerializesWrites: true},
		open: func(t *testing.T) storetest.Stores { return sql(t, testdb.SQLite(t)) }}
}

// Postgres is the storetest.HarnessMaker of the SQL stores of every domain
// on a new PostgreSQL database per MakeStores, on the server that
// PARTNERKIT_TEST_POSTGRES names (the test skips when it is unset). Writers
// run at once under READ COMMITTED.
func Postgres(t *testing.T) storetest.Harness {
	testdb.PostgresDSN(t) // skip early when unset
	return Harness{caps: storetest.Capabilities{Name: "postgres"},
		open: func(t *testing.T) storetest.Stores { return sql(t, testdb.Postgres(t)) }}
}

func sql(t *testing.T, db *bun.DB) storetest.Stores {
	t.Helper()
	st, err := stores.SQL(db)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
