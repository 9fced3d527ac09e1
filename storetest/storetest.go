// Package storetest is the conformance kit of Partnerkit's stores: one set
// of behaviour tests that the memory stores and the SQL stores on SQLite and
// PostgreSQL all pass, so they cannot drift apart, and that a store of your
// own can run. As in go-cloud's drivertest, you implement a Harness, which
// makes a new set of stores on an empty database for each test, and call
// RunConformanceTests (every domain's tests) or one domain's Run…Tests
// (RunPartnersTests, …) from a test in your store's package:
//
//	// myHarness makes the stores under test: a partners store only, here
//	// Partnerkit's memory store standing in for one of your own.
//	type myHarness struct{}
//
//	func newMyHarness(t *testing.T) storetest.Harness { return myHarness{} }
//
//	func (myHarness) MakeStores(t *testing.T) storetest.Stores {
//		return storetest.Stores{Partners: memstore.New(memstore.NewDB())}
//	}
//
//	func (myHarness) Capabilities() storetest.Capabilities {
//		return storetest.Capabilities{Name: "mine", SerializesWrites: true}
//	}
//
//	func (myHarness) Close() {}
//
//	func TestMyStore(t *testing.T) {
//		storetest.RunConformanceTests(t, newMyHarness)
//	}
//
// This package's TestMyStore runs exactly that code. Each test names the
// stores it needs and skips when MakeStores leaves one nil, saying which
// ("needs an agreements store: give Stores.Agreements"): with a partners
// store only, the Partners, Auth and Security tests and the partners rules
// of Concurrency run. Make every store of one set on one database, so that
// the operations spanning domains are atomic (wiring.New refuses stores on
// two). The tests build the services with wiring.New, as programs do.
//
// The tests are subtests named Domain/Test (Partners/Delete,
// Concurrency/ConcurrentTeamKeepsAnAdmin), so go test -run selects them.
// Partnerkit runs the kit on its memory, SQLite and PostgreSQL stores in
// this package's TestConformance, and each store package runs its domain's
// tests on itself. To run it on Partnerkit's SQL stores on a *bun.DB you
// open yourself, open SQLite with the DSN of partners/bunstore.SQLiteDSN
// (their New refuses a database without its pragmas, saying which) and make
// the stores with wiring/stores.SQL.
package storetest

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/wiring"
)

// Stores is one set of stores of every domain, sharing one empty database
// (so that multi-domain operations are atomic): the stores wiring.New
// builds the services on.
type Stores = wiring.Stores

// wired builds the services on st through wiring.New, as every program
// does, failing t when the stores do not fit together.
func wired(t *testing.T, st Stores, o wiring.Options) *wiring.Services {
	t.Helper()
	s, err := wiring.New(st, o)
	noErr(t, err)
	return s
}

// CheapHasher hashes passwords fast, for tests only.
var CheapHasher = partners.PasswordHasher{Time: 1, MemoryKiB: 64, Threads: 1}

// TickingClock returns a clock that starts at start and moves one second
// forward on every call, so every timestamp of a test differs.
func TickingClock(start time.Time) partnerkit.Clock {
	c, _ := AdjustableClock(start)
	return c
}

// AdjustableClock returns a ticking clock and a function that moves it
// forward by d (to test expiry).
func AdjustableClock(start time.Time) (partnerkit.Clock, func(d time.Duration)) {
	var n, skip atomic.Int64
	clock := func() time.Time {
		return start.Add(time.Duration(n.Add(1))*time.Second + time.Duration(skip.Load()))
	}
	return clock, func(d time.Duration) { skip.Add(int64(d)) }
}

// Epoch is the start of the ticking clock of the suite.
var Epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// wantCode fails t unless err has code (or one of more).
func wantCode(t *testing.T, err error, code partnerkit.Code, more ...partnerkit.Code) {
	t.Helper()
	if got := partnerkit.ErrorCode(err); got != code && !slices.Contains(more, got) {
		t.Fatalf("error code = %q, want %q (err: %v)", got, append([]partnerkit.Code{code}, more...), err)
	}
}

func wantField(t *testing.T, err error, code partnerkit.Code, field string) {
	t.Helper()
	wantCode(t, err, code)
	if _, ok := partnerkit.ErrorFields(err)[field]; !ok {
		t.Fatalf("error fields = %v, want one for %q (err: %v)", partnerkit.ErrorFields(err), field, err)
	}
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
