//go:build !js

package client_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/app/client/nethttp"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
)

// lossy is a transport that delivers every request and, while lose is set,
// loses the server's answer to a POST (a dropped connection after the
// server acted). It records the Idempotency-Key of each POST it sent.
type lossy struct {
	next client.Transport
	mu   sync.Mutex
	lose bool
	// gate, when set, holds each POST until it is closed.
	gate chan struct{}
	keys []string
	// replayed counts the answers marked Idempotent-Replayed.
	replayed int
}

func (l *lossy) Do(ctx context.Context, req *client.Request) (*client.Response, error) {
	if req.Method != "POST" {
		return l.next.Do(ctx, req)
	}
	l.mu.Lock()
	l.keys = append(l.keys, req.Header["Idempotency-Key"])
	gate := l.gate
	l.mu.Unlock()
	if gate != nil {
		<-gate
	}
	res, err := l.next.Do(ctx, req)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil && res.Header["idempotent-replayed"] == "true" {
		l.replayed++
	}
	if err == nil && l.lose {
		return nil, errors.New("connection reset by peer")
	}
	return res, err
}

func (l *lossy) sent() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.keys...)
}

// TestPostIdempotencyKey: every POST of the client carries an
// Idempotency-Key, one per user action. A retry after a lost answer sends
// the same key and gets the first response (the partner is created once);
// a double submit sends one key twice, so the server acts once (the second
// gets the first's answer, or 409 while it runs); a new action after an
// answer, or a changed body, gets a new key.
func TestPostIdempotencyKey(t *testing.T) {
	ctx := context.Background()
	cfg := server.Memory(server.Options{Hasher: storetest.CheapHasher})
	cfg.Logger = slog.New(slog.DiscardHandler)
	if _, _, err := cfg.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "root@provider.example", AdminPassword: "Sup3r-secret"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(cfg))
	defer srv.Close()
	tr := &lossy{next: nethttp.New()}
	c := client.New(srv.URL, tr)
	if _, err := c.SignIn(ctx, "root@provider.example", "Sup3r-secret"); err != nil {
		t.Fatal(err)
	}
	total := func() int {
		t.Helper()
		l, err := c.Partners(ctx, client.DirectoryQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return l.Total
	}
	alpha := client.NewPartner{Type: "reseller", Name: "Alpha"}

	t.Run("RetryAfterLostAnswer", func(t *testing.T) {
		tr.lose = true
		if _, err := c.CreatePartner(ctx, alpha); !client.Unreachable(err) {
			t.Fatalf("a lost answer: %v, want unreachable", err)
		}
		tr.lose = false
		p, err := c.CreatePartner(ctx, alpha) // the user submits again
		if err != nil || p.Name != "Alpha" {
			t.Fatalf("retry: %+v %v", p, err)
		}
		keys := tr.sent()
		if n := len(keys); n < 2 || keys[n-1] == "" || keys[n-1] != keys[n-2] || tr.replayed != 1 {
			t.Fatalf("keys %q, %d replayed: want the lost one sent again, its answer replayed", keys, tr.replayed)
		}
		if n := total(); n != 1 {
			t.Fatalf("%d partners after a retried create, want 1", n)
		}
	})

	t.Run("NewActionNewKey", func(t *testing.T) {
		before := tr.sent()
		if _, err := c.CreatePartner(ctx, alpha); err != nil { // the same form again, on purpose: a second Alpha
			t.Fatal(err)
		}
		if _, err := c.CreatePartner(ctx, client.NewPartner{Type: "reseller", Name: "Bravo"}); err != nil {
			t.Fatal(err)
		}
		keys := tr.sent()[len(before):]
		if len(keys) != 2 || keys[0] == before[len(before)-1] || keys[0] == keys[1] || keys[0] == "" {
			t.Fatalf("keys %q after %q: want a new key per answered action", keys, before[len(before)-1])
		}
		if n := total(); n != 3 {
			t.Fatalf("%d partners, want 3", n)
		}
	})

	t.Run("ChangedBodyAfterFailure", func(t *testing.T) {
		tr.lose = true
		_, _ = c.CreatePartner(ctx, client.NewPartner{Type: "reseller", Name: "Charlie"})
		tr.lose = false
		if _, err := c.CreatePartner(ctx, client.NewPartner{Type: "reseller", Name: "Charly"}); err != nil {
			t.Fatalf("another body after a failure: %v (its own key, not the failed one's)", err)
		}
		keys := tr.sent()
		if n := len(keys); keys[n-1] == keys[n-2] {
			t.Fatalf("keys %q: another body reused the failed request's key", keys)
		}
	})

	t.Run("DoubleSubmit", func(t *testing.T) {
		before, partnersBefore := len(tr.sent()), total()
		tr.mu.Lock()
		tr.gate = make(chan struct{})
		tr.mu.Unlock()
		var wg sync.WaitGroup
		got := make([]*client.Partner, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { got[i], errs[i] = c.CreatePartner(ctx, client.NewPartner{Type: "reseller", Name: "Delta"}) })
		}
		for len(tr.sent()) < before+2 { // both at the gate
			time.Sleep(time.Millisecond)
		}
		close(tr.gate)
		wg.Wait()
		tr.gate = nil
		keys := tr.sent()[before:]
		if keys[0] != keys[1] {
			t.Fatalf("a double submit sent keys %q, want one", keys)
		}
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case partnerkit.ErrorCode(err) != partnerkit.CodeConflict: // the first still ran: 409, it does not wait
				t.Fatalf("submit %d: %v", i, err)
			}
		}
		if ok == 2 && got[0].ID != got[1].ID || ok == 0 {
			t.Fatalf("double submit: %+v %v, %+v %v: want one partner", got[0], errs[0], got[1], errs[1])
		}
		if n := total(); n != partnersBefore+1 {
			t.Fatalf("%d partners after a double submit, want %d", n, partnersBefore+1)
		}
	})
}
