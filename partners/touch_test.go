package partners_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/memstore"
)

// writeCounter counts the writes of sessions and API keys that reach the store.
type writeCounter struct {
	partners.Store
	updates, batches atomic.Int64
}

func (w *writeCounter) UpdateSession(ctx context.Context, s *partners.Session) error {
	w.updates.Add(1)
	return w.Store.UpdateSession(ctx, s)
}

func (w *writeCounter) UpdateAPIKey(ctx context.Context, k *partners.APIKey) error {
	w.updates.Add(1)
	return w.Store.UpdateAPIKey(ctx, k)
}

func (w *writeCounter) TouchSessions(ctx context.Context, seen map[string]time.Time) error {
	if len(seen) > 0 {
		w.batches.Add(1)
	}
	return w.Store.TouchSessions(ctx, seen)
}

func (w *writeCounter) TouchAPIKeys(ctx context.Context, used map[string]time.Time) error {
	if len(used) > 0 {
		w.batches.Add(1)
	}
	return w.Store.TouchAPIKeys(ctx, used)
}

// TestAuthenticationWritesNothing: resolving a session or an API key on
// every request never writes; their last use reaches the store in batches.
func TestAuthenticationWritesNothing(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := partnerkit.Clock(func() time.Time { return now })
	st := &writeCounter{Store: memstore.New(nil)}
	svc := partners.NewService(st, partners.WithClock(clock), partners.WithPasswordHasher(partners.PasswordHasher{Time: 1, MemoryKiB: 64, Threads: 1}))
	root, admin, err := svc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Root", AdminEmail: "a@root.example", AdminPassword: "Sup3r-secret"})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.SignIn(ctx, "a@root.example", "Sup3r-secret", "")
	if err != nil {
		t.Fatal(err)
	}
	actor := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
	k, key, err := svc.CreateAPIKey(ctx, actor, partners.APIKeyInput{Description: "ci", Role: partnerkit.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	for range 120 { // two hours of requests, one a minute
		now = now.Add(time.Minute)
		if _, _, err := svc.SessionActor(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.APIKeyActor(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.FlushTouches(ctx); err != nil {
		t.Fatal(err)
	}
	if n := st.updates.Load(); n != 0 {
		t.Fatalf("%d writes on the read path, want none", n)
	}
	keys, err := svc.APIKeys(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].ID != k.ID || keys[0].LastUsedAt == nil || !keys[0].LastUsedAt.Equal(now) {
		t.Fatalf("last use %v, want %s", keys[0].LastUsedAt, now)
	}
	// At most one batch per TouchFlushEvery (two kinds each), and at least the final one.
	if b, most := st.batches.Load(), 2*int64(120*time.Minute/partners.TouchFlushEvery)+2; b == 0 || b > most {
		t.Fatalf("%d batches of touches, want 1 to %d", b, most)
	}
}
