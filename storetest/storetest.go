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
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
)

// Stores is one set of stores of every domain, sharing one empty database.
type Stores struct {
	// Partners is the partners store.
	Partners partners.Store
}

// Opener returns a new set of stores on a new, empty database. It registers
// any clean-up with t.
type Opener func(t *testing.T) Stores

// Run runs the whole conformance suite: every domain's tests.
func Run(t *testing.T, open Opener) {
	t.Run("Partners", func(t *testing.T) { Partners(t, open) })
}

// CheapHasher hashes passwords fast, for tests only.
var CheapHasher = partners.PasswordHasher{Time: 1, MemoryKiB: 64, Threads: 1}

// TickingClock returns a clock that starts at start and moves one second
// forward on every call, so every timestamp of a test differs.
func TickingClock(start time.Time) partnerkit.Clock {
	var n atomic.Int64
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Second) }
}

// Epoch is the start of the ticking clock of the suite.
var Epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func wantCode(t *testing.T, err error, code partnerkit.Code) {
	t.Helper()
	if got := partnerkit.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
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
