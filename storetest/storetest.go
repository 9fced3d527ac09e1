// Package storetest is the conformance suite of Partnerkit's stores: one set
// of behaviour tests that the in-memory store and every SQL dialect must all
// pass, so they cannot drift apart. Adopters can run it against a store of
// their own:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Stores {
//			return storetest.Stores{Partners: mystore.New(t)}
//		})
//	}
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

// Opener returns a new set of stores on a new, empty database. It registers
// any clean-up with t.
type Opener func(t *testing.T) Stores

// Run runs the whole conformance suite: every domain's tests.
func Run(t *testing.T, open Opener) {
	t.Run("Partners", func(t *testing.T) { Partners(t, open) })
	t.Run("Auth", func(t *testing.T) { Auth(t, open) })
	t.Run("Agreements", func(t *testing.T) { Agreements(t, open) })
	t.Run("Contracts", func(t *testing.T) { Contracts(t, open) })
	t.Run("Onboarding", func(t *testing.T) { Onboarding(t, open) })
	t.Run("Capacity", func(t *testing.T) { Capacity(t, open) })
	t.Run("Listings", func(t *testing.T) { Listings(t, open) })
	t.Run("Resellers", func(t *testing.T) { Resellers(t, open) })
	t.Run("Security", func(t *testing.T) { Security(t, open) })
	t.Run("Concurrency", func(t *testing.T) { Concurrency(t, open) })
	t.Run("Hostile", func(t *testing.T) { Hostile(t, open) })
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
