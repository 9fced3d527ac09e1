// Package idemtest is the conformance suite of idempotency stores: every
// implementation (memory, SQLite, PostgreSQL, yours) runs Run.
package idemtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/idempotency"
)

// Run runs the suite; newStore returns an empty store.
func Run(t *testing.T, newStore func(t *testing.T) idempotency.Store) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	rec := func(key, token string) idempotency.Record {
		return idempotency.Record{Key: key, Fingerprint: "fp-" + key, Token: token, CreatedAt: now,
			ExpiresAt: now.Add(24 * time.Hour), LockedUntil: now.Add(time.Minute)}
	}
	t.Run("ClaimCompleteReplay", func(t *testing.T) {
		s := newStore(t)
		if _, claimed, err := s.Claim(ctx, rec("k1", "t1"), now); err != nil || !claimed {
			t.Fatalf("first claim: %v %v", claimed, err)
		}
		old, claimed, err := s.Claim(ctx, rec("k1", "t2"), now)
		if err != nil || claimed || old == nil || old.Done || old.Fingerprint != "fp-k1" {
			t.Fatalf("claim of a pending key: %+v %v %v", old, claimed, err)
		}
		if err := s.Complete(ctx, "k1", "t1", 201, []byte("sealed")); err != nil {
			t.Fatal(err)
		}
		old, claimed, err = s.Claim(ctx, rec("k1", "t3"), now.Add(time.Hour))
		if err != nil || claimed || !old.Done || old.Status != 201 || string(old.Response) != "sealed" || old.Token != "t1" {
			t.Fatalf("claim of a done key: %+v %v %v", old, claimed, err)
		}
	})
	t.Run("ExpiredKeyClaimedAgain", func(t *testing.T) {
		s := newStore(t)
		_, _, _ = s.Claim(ctx, rec("k1", "t1"), now)
		_ = s.Complete(ctx, "k1", "t1", 200, []byte("x"))
		if _, claimed, err := s.Claim(ctx, rec("k1", "t2"), now.Add(24*time.Hour)); err != nil || !claimed {
			t.Fatalf("claim after expiry: %v %v", claimed, err)
		}
	})
	t.Run("StaleLeaseTakenOver", func(t *testing.T) {
		s := newStore(t)
		_, _, _ = s.Claim(ctx, rec("k1", "t1"), now)
		later := rec("k1", "t2")
		later.LockedUntil = now.Add(2 * time.Minute)
		if _, claimed, err := s.Claim(ctx, later, now.Add(time.Minute)); err != nil || !claimed {
			t.Fatalf("claim after the lease: %v %v", claimed, err)
		}
		// The first holder's late completion changes nothing.
		_ = s.Complete(ctx, "k1", "t1", 200, []byte("late"))
		old, claimed, _ := s.Claim(ctx, rec("k1", "t3"), now.Add(time.Minute))
		if claimed || old.Done || old.Token != "t2" {
			t.Fatalf("after a lost claim completed: %+v %v", old, claimed)
		}
	})
	t.Run("Release", func(t *testing.T) {
		s := newStore(t)
		_, _, _ = s.Claim(ctx, rec("k1", "t1"), now)
		_ = s.Release(ctx, "k1", "other")
		if _, claimed, _ := s.Claim(ctx, rec("k1", "t2"), now); claimed {
			t.Fatal("released by another token")
		}
		if err := s.Release(ctx, "k1", "t1"); err != nil {
			t.Fatal(err)
		}
		if _, claimed, err := s.Claim(ctx, rec("k1", "t2"), now); err != nil || !claimed {
			t.Fatalf("claim after release: %v %v", claimed, err)
		}
	})
	t.Run("Sweep", func(t *testing.T) {
		s := newStore(t)
		_, _, _ = s.Claim(ctx, rec("k1", "t1"), now)
		_ = s.Complete(ctx, "k1", "t1", 200, nil)
		if err := s.Sweep(ctx, now.Add(25*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, claimed, _ := s.Claim(ctx, rec("k1", "t2"), now); !claimed {
			t.Fatal("a swept key is still held")
		}
	})
	t.Run("ConcurrentClaimsOneWins", func(t *testing.T) {
		s := newStore(t)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				_, claimed, err := s.Claim(ctx, rec("k1", fmt.Sprint("t", i)), now)
				if err != nil {
					t.Error(err)
				}
				if claimed {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d claims won, want 1", wins.Load())
		}
	})
}
