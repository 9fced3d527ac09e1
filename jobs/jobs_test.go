package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/partnerkit/partnerkit/webhooks/httpsender"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/uptrace/bun"
)

// databases are the SQL databases the engine runs on.
var databases = []struct {
	name string
	open func(testing.TB) *bun.DB
}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}}

// hook is a real HTTP receiver that checks every signature and answers
// from a script of status codes (the last one repeats).
type hook struct {
	t      testing.TB
	mu     sync.Mutex
	secret string
	script []int
	got    []partnerkit.Event
	at     []time.Time
	notify chan struct{}
}

func newHook(t testing.TB, script ...int) (*hook, *httptest.Server) {
	h := &hook{t: t, script: script, notify: make(chan struct{}, 1024)}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

// signedHook starts a receiver (newHook) of the partner.created events
// of svc's root account, on a new endpoint whose secret it checks.
func signedHook(t testing.TB, svc *wiring.Services, admin partnerkit.Actor, path string, script ...int) (*hook, *webhooks.CreatedEndpoint) {
	t.Helper()
	h, srv := newHook(t, script...)
	ep, err := svc.Webhooks.CreateEndpoint(context.Background(), admin, webhooks.EndpointInput{URL: srv.URL + path,
		EventTypes: []string{"partner.created"}})
	if err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	h.secret = ep.Secret
	h.mu.Unlock()
	return h, ep
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	secret := h.secret
	h.mu.Unlock()
	if err := webhooks.Verify(secret, r.Header.Get(webhooks.SignatureHeader), body, 0); err != nil {
		h.t.Errorf("delivery %s: %v", r.Header.Get(webhooks.DeliveryIDHeader), err)
	}
	var ev partnerkit.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		h.t.Errorf("the body is not an event: %v", err)
	}
	h.mu.Lock()
	h.got = append(h.got, ev)
	h.at = append(h.at, time.Now())
	status := http.StatusOK
	if len(h.script) > 0 {
		status = h.script[0]
		if len(h.script) > 1 {
			h.script = h.script[1:]
		}
	}
	h.mu.Unlock()
	w.WriteHeader(status)
	h.notify <- struct{}{}
}

func (h *hook) events() []partnerkit.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]partnerkit.Event(nil), h.got...)
}

// waitFor waits until cond holds or fails after a deadline.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// instance is one server's services and job engine on db.
type instance struct {
	svc    *wiring.Services
	engine *jobs.Engine
}

func start(t testing.TB, db *bun.DB, cfg jobs.Config, opts ...webhooks.Option) *instance {
	t.Helper()
	ctx := context.Background()
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 50 * time.Millisecond
	}
	eng, err := jobs.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := stores.SQL(db)
	if err != nil {
		t.Fatal(err)
	}
	wopts := append([]webhooks.Option{webhooks.WithScheduler(eng), webhooks.AllowPrivateAddresses(true),
		webhooks.WithSender(httpsender.New(httpsender.Options{AllowPrivate: true})),
		webhooks.WithRetrySchedule([]time.Duration{100 * time.Millisecond, 100 * time.Millisecond})}, opts...)
	svc, err := wiring.New(st, wiring.Options{Publisher: eng, Webhooks: wopts,
		Hasher: partners.PasswordHasher{Time: 1, MemoryKiB: 8, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx, svc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := eng.Stop(stopCtx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return &instance{svc: svc, engine: eng}
}

func rootAdmin(t testing.TB, svc *wiring.Services) partnerkit.Actor {
	t.Helper()
	root, admin, _, err := svc.Partners.EnsureRoot(context.Background(), partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "admin@example.com", AdminFullName: "Admin", AdminPassword: "Correct-horse-7"})
	if err != nil {
		t.Fatal(err)
	}
	if admin == nil {
		t.Fatal("the database had a root already")
	}
	return partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
}

// TestEventsReachWebhooksAndSubscribers runs on SQLite and PostgreSQL: a
// committed change reaches the endpoint (signed; a 500 is retried and the
// log shows both attempts) and the in-process subscribers; a change rolled
// back half-way (the onboarding wizard failing) emits nothing.
func TestEventsReachWebhooksAndSubscribers(t *testing.T) {
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			in := start(t, d.open(t), jobs.Config{Rules: []jobs.Rule{}})
			svc := in.svc
			admin := rootAdmin(t, svc)
			h, ep := signedHook(t, svc, admin, "/hook", 500, 200)
			var subMu sync.Mutex
			var subscribed []partnerkit.Event
			stop := svc.Events.Subscribe(nil, func(_ context.Context, e partnerkit.Event) error {
				subMu.Lock()
				defer subMu.Unlock()
				subscribed = append(subscribed, e)
				return nil
			})
			defer stop()

			// The wizard fails half-way: its partner is rolled back with its events.
			_, err := svc.Contracts.Onboard(ctx, admin, contracts.OnboardingInput{
				Partner:     partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Rolled back"},
				AgreementID: partnerkit.NewID(partnerkit.PrefixAgreement), Action: contracts.ActionCreateAccount})
			if err == nil {
				t.Fatal("the wizard did not fail")
			}
			p, err := svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Acme"})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the retried delivery", func() bool { return len(h.events()) >= 2 })
			got := h.events()
			if got[0].Type != "partner.created" || got[0].Data.EntityID != p.ID || got[1].ID != got[0].ID {
				t.Fatalf("received %+v: want partner.created of %s, twice", got, p.ID)
			}
			list, err := svc.Webhooks.Deliveries(ctx, admin, ep.ID, webhooks.DeliveryFilter{})
			if err != nil || list.Total != 1 {
				t.Fatalf("deliveries %+v %v: want one (none for the rolled-back partner)", list, err)
			}
			waitFor(t, "the second attempt recorded", func() bool {
				dd, err := svc.Webhooks.Delivery(ctx, admin, list.Items[0].ID)
				return err == nil && dd.Status == webhooks.DeliverySucceeded && len(dd.AttemptLog) == 2 &&
					dd.AttemptLog[0].StatusCode == 500 && dd.AttemptLog[1].StatusCode == 200
			})
			waitFor(t, "the subscriber", func() bool {
				subMu.Lock()
				defer subMu.Unlock()
				for _, e := range subscribed {
					if e.Data.EntityID == p.ID {
						return true
					}
				}
				return false
			})
			time.Sleep(300 * time.Millisecond) // give a stray event time to show
			subMu.Lock()
			defer subMu.Unlock()
			for _, e := range subscribed {
				if strings.Contains(string(e.Data.Object), "Rolled back") {
					t.Errorf("subscriber got %s of the rolled-back partner", e.Type)
				}
			}
		})
	}
}

// TestSubscriberErrorIsRetried checks at-least-once delivery to in-process
// subscribers: a handler that fails gets the event again.
func TestSubscriberErrorIsRetried(t *testing.T) {
	ctx := context.Background()
	in := start(t, testdb.SQLite(t), jobs.Config{Rules: []jobs.Rule{}})
	admin := rootAdmin(t, in.svc)
	var mu sync.Mutex
	calls := 0
	stop := in.svc.Events.Subscribe([]string{"partner.created"}, func(context.Context, partnerkit.Event) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			return errors.New("the CRM is down")
		}
		return nil
	})
	defer stop()
	if _, err := in.svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retry", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return calls >= 2
	})
}

// TestTwoInstancesOnePostgres runs two servers' engines on one PostgreSQL
// database: every event is delivered (once per endpoint), and each
// periodic rule runs once per period, on whichever instance leads.
func TestTwoInstancesOnePostgres(t *testing.T) {
	ctx := context.Background()
	db := testdb.Postgres(t)
	const period = time.Second
	var mu sync.Mutex
	runs := map[string][]time.Time{}
	rule := func(instance string) []jobs.Rule {
		return []jobs.Rule{{Name: "count", Every: period, Run: func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			runs[instance] = append(runs[instance], time.Now())
			return nil
		}}}
	}
	a := start(t, db, jobs.Config{Rules: rule("a"), ID: "instance-a"})
	b := start(t, db, jobs.Config{Rules: rule("b"), ID: "instance-b"})
	admin := rootAdmin(t, a.svc)
	h, srv := newHook(t)
	ep, err := a.svc.Webhooks.CreateEndpoint(ctx, admin, webhooks.EndpointInput{URL: srv.URL, EventTypes: []string{"partner.created"}})
	if err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	h.secret = ep.Secret
	h.mu.Unlock()
	began := time.Now()
	const n = 40
	want := map[string]bool{}
	for i := range n {
		in := []*instance{a, b}[i%2]
		p, err := in.svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "P" + strings.Repeat("x", i%5) + string(rune('a'+i%26))})
		if err != nil {
			t.Fatal(err)
		}
		want[p.ID] = true
	}
	waitFor(t, "every event delivered", func() bool {
		got := map[string]bool{}
		for _, e := range h.events() {
			got[e.Data.EntityID] = true
		}
		for id := range want {
			if !got[id] {
				return false
			}
		}
		return true
	})
	seen := map[string]int{}
	for _, e := range h.events() {
		seen[e.ID]++
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("event %s delivered %d times to one endpoint", id, c)
		}
	}
	time.Sleep(5*period - time.Since(began))
	mu.Lock()
	defer mu.Unlock()
	var all []time.Time
	for _, ts := range runs {
		all = append(all, ts...)
	}
	slices.SortFunc(all, func(x, y time.Time) int { return x.Compare(y) })
	elapsed := time.Since(began)
	if len(all) < 2 || len(all) > int(elapsed/period)+2 {
		t.Fatalf("the rule ran %d times in %s (a %d, b %d): want about once per %s", len(all), elapsed.Round(time.Millisecond),
			len(runs["a"]), len(runs["b"]), period)
	}
	windows := map[int64]int{}
	for _, at := range all {
		windows[at.Truncate(period).Unix()]++
	}
	for w, c := range windows {
		if c > 1 {
			t.Errorf("the rule ran %d times in the period starting %s", c, time.Unix(w, 0).UTC())
		}
	}
	t.Logf("rule runs: instance a %d, b %d in %s", len(runs["a"]), len(runs["b"]), elapsed.Round(time.Millisecond))
}

// TestEventsOfAnEngineNotStarted covers the two ways a change's events
// reach an endpoint, on SQLite and PostgreSQL: a started server creates
// the deliveries in the change's transaction, and a process whose engine
// only inserts jobs (the create-admin command: jobs.New without Use or
// Start) leaves a fan-out job that the server works. Either way the
// payload is the stored event, as GET /events shows it.
func TestEventsOfAnEngineNotStarted(t *testing.T) {
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			db := d.open(t)
			server := start(t, db, jobs.Config{Rules: []jobs.Rule{}})
			admin := rootAdmin(t, server.svc)
			h, _ := signedHook(t, server.svc, admin, "")

			cli, err := jobs.New(db, jobs.Config{Rules: []jobs.Rule{},
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Stop(ctx)
			st, err := stores.SQL(db)
			if err != nil {
				t.Fatal(err)
			}
			other, err := wiring.New(st, wiring.Options{Publisher: cli, Webhooks: []webhooks.Option{webhooks.WithScheduler(cli)},
				Hasher: partners.PasswordHasher{Time: 1, MemoryKiB: 8, Threads: 1}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for i, svc := range []*wiring.Services{server.svc, other} {
				p, err := svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor,
					Name: []string{"By the server", "By a command"}[i]})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, p.ID)
			}
			waitFor(t, "both partners' events", func() bool { return len(h.events()) >= 2 })
			got := map[string]partnerkit.Event{}
			for _, e := range h.events() {
				got[e.Data.EntityID] = e
			}
			for _, id := range ids {
				e, ok := got[id]
				if !ok {
					t.Fatalf("no delivery of partner %s's event: got %+v", id, h.events())
				}
				stored, err := server.svc.Partners.EventsByID(ctx, []string{e.ID})
				if err != nil || len(stored) != 1 {
					t.Fatalf("event %s: %v %v", e.ID, stored, err)
				}
				want := partnerkit.EventOf(&stored[0])
				wantJSON, _ := json.Marshal(want)
				gotJSON, _ := json.Marshal(e)
				if string(gotJSON) != string(wantJSON) {
					t.Errorf("delivered\n%s\nstored\n%s", gotJSON, wantJSON)
				}
			}
		})
	}
}
