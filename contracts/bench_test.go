package contracts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/partnerkit/partnerkit/webhooks/httpsender"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/uptrace/bun"
)

// BenchmarkOnboarding measures whole Create Partner wizard calls: a vendor
// with a new agreement (URL document) on two marketplaces, invited.
//
// On the memory store the events go to the in-process dispatcher. On
// SQLite and PostgreSQL (when PARTNERKIT_TEST_POSTGRES is set or a server
// answers on 127.0.0.1:5432) the real job engine is the publisher, as in
// the server, in two variants of the same run: webhooks=none (each change
// inserts its fan-out job, which finds no endpoint) and webhooks=one (an
// endpoint of the acting account receives every event: an httptest
// receiver answering 204 through the real HTTP sender). ns/op is the write
// path, the wizard call; the deliveries run meanwhile on the engine's
// workers, and delivered/op says how many of each wizard's events reached
// the receiver before the timer stopped (of 6), drain_events/s how fast
// the rest arrived once the wizards stopped (untimed, for at most
// drainLimit). jobs=off, with no publisher (the audit trail only), is the
// baseline of the engine's own cost. The deliveries=after variants keep the
// engine's workers stopped during the timed loop, so ns/op is the write
// path alone: none/deliveries=after against one/deliveries=after is what an
// endpoint adds to the wizard's own work (its six deliveries and the job of
// their first attempts, created in the wizard's transaction), and
// one/none,deliveries=after,interleaved reports that ratio with the two
// taking turns wizard by wizard (the figure to quote: run one after the
// other, the two drift apart with the machine).
func BenchmarkOnboarding(b *testing.B) {
	b.Run("store=memory", func(b *testing.B) {
		benchOnboard(b, wiring.MustNew(stores.Memory(), wiring.Options{Hasher: storetest.CheapHasher}), nil)
	})
	dbs := []struct {
		name string
		open func(testing.TB) *bun.DB
	}{{"sqlite", testdb.SQLite}, {"postgres", postgres}}
	for _, d := range dbs {
		b.Run("store="+d.name, func(b *testing.B) {
			b.Run("jobs=off", func(b *testing.B) {
				benchOnboard(b, wiring.MustNew(stores.MustSQL(d.open(b)), wiring.Options{Hasher: storetest.CheapHasher}), nil)
			})
			for _, hooks := range []string{"none", "one", "none/deliveries=after", "one/deliveries=after"} {
				b.Run("webhooks="+hooks, func(b *testing.B) {
					// deliveries=after starts the engine's workers once the
					// timed loop is over: ns/op is then the write path
					// alone (the wizard's transaction with its fan-out job),
					// without the deliveries competing for the CPU and the
					// database meanwhile.
					later := strings.HasSuffix(hooks, "after")
					svc, received, start := withEngine(b, d.open(b), !later)
					if strings.HasPrefix(hooks, "none") {
						received = nil // (none/deliveries=after never starts the workers)
					} else {
						received.start = start
					}
					benchOnboard(b, svc, received)
				})
			}
			b.Run("webhooks=one/none,deliveries=after,interleaved", func(b *testing.B) { benchWritePathRatio(b, d.open) })
		})
	}
}

// benchOnboard runs the wizard b.N times on svc; when received is not nil,
// an endpoint of the acting account receives every event and received
// counts its deliveries.
func benchOnboard(b *testing.B, svc *wiring.Services, received *receiver) {
	wizard := onboarder(b, svc, received)
	before := int64(0)
	if received != nil {
		before = received.n.Load()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		wizard()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "wizards/s")
	if received != nil {
		b.StopTimer()
		if received.start != nil {
			received.start()
		}
		want := before + eventsPerWizard*int64(b.N)
		b.ReportMetric(float64(received.n.Load()-before)/float64(b.N), "delivered/op")
		// Untimed: the backlog's delivery rate once the writes stopped.
		t0, n0 := time.Now(), received.n.Load()
		for received.n.Load() < want && time.Since(t0) < drainLimit {
			time.Sleep(20 * time.Millisecond)
		}
		got := received.n.Load()
		if got < want {
			b.Logf("%d of %d events delivered %s after the last wizard", got-before, want-before, drainLimit)
		}
		b.ReportMetric(float64(got-n0)/time.Since(t0).Seconds(), "drain_events/s")
	}
}

// onboarder bootstraps a distributor on svc with two marketplaces (and,
// when received is not nil, an endpoint of its own receiving every event)
// and returns a function that runs one wizard call as that distributor.
func onboarder(b *testing.B, svc *wiring.Services, received *receiver) func() {
	ctx := context.Background()
	psvc, csvc := svc.Partners, svc.Contracts
	root, admin, err := psvc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Distributor", AccountType: partners.TypeDistributor,
		AdminEmail: "admin@dist.example", AdminPassword: "Sup3r-secret"})
	if err != nil {
		b.Fatal(err)
	}
	actor := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
	if received != nil {
		if _, err := svc.Webhooks.CreateEndpoint(ctx, actor, webhooks.EndpointInput{URL: received.url}); err != nil {
			b.Fatal(err)
		}
	}
	var markets []string
	for _, n := range []string{"AppSource", "Azure Marketplace"} {
		m, err := csvc.CreateMarketplace(ctx, actor, contracts.MarketplaceInput{Name: n, Currency: "USD", External: true})
		if err != nil {
			b.Fatal(err)
		}
		markets = append(markets, m.ID)
	}
	i := 0
	return func() {
		i++
		res, err := csvc.Onboard(ctx, actor, contracts.OnboardingInput{
			Partner: partners.CreatePartnerInput{Type: partners.TypeVendor, Name: fmt.Sprintf("Vendor %d", i)},
			NewAgreement: &agreements.CreateInput{Type: agreements.TypeProgram, Name: fmt.Sprintf("Program %d", i),
				Document: agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https://example.com/terms.pdf"}},
			MarketplaceIDs: markets, Action: contracts.ActionInvite,
		})
		if err != nil || len(res.Contracts) != 3 {
			b.Fatal(err)
		}
	}
}

// benchWritePathRatio runs wizards on two databases taking turns, one
// without an endpoint and one with an endpoint receiving every event,
// their engines' workers stopped (the write path alone), and reports the
// ratio of their times: the machine's drift (runs of the variants one
// after the other varied by a fifth) then falls on both alike.
func benchWritePathRatio(b *testing.B, open func(testing.TB) *bun.DB) {
	none, _, _ := withEngine(b, open(b), false)
	one, received, _ := withEngine(b, open(b), false)
	without, with := onboarder(b, none, nil), onboarder(b, one, received)
	var tNone, tOne time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		without()
		t1 := time.Now()
		with()
		tNone, tOne = tNone+t1.Sub(t0), tOne+time.Since(t1)
	}
	b.ReportMetric(float64(tNone.Nanoseconds())/float64(b.N), "none-ns/wizard")
	b.ReportMetric(float64(tOne.Nanoseconds())/float64(b.N), "one-ns/wizard")
	b.ReportMetric(tOne.Seconds()/tNone.Seconds(), "one/none")
}

// eventsPerWizard is how many events one wizard call emits: partner,
// agreement, three contracts and the invitation created (the receiver
// counts those types only).
const eventsPerWizard = 6

var wizardEvents = map[string]bool{"partner.created": true, "agreement.created": true,
	"contract.created": true, "invitation.created": true}

// drainLimit bounds the wait for the deliveries after the timed loop.
const drainLimit = 20 * time.Second

// receiver is an httptest endpoint answering 204 that counts the
// deliveries of the wizard's events.
type receiver struct {
	url string
	n   atomic.Int64
	// start, when set, starts the engine's workers after the timed loop.
	start func()
}

// withEngine builds the services on db with the job engine as publisher
// and webhooks scheduler, as the server wires them (private addresses
// allowed, for the loopback receiver), and starts the engine.
// When startNow is false the workers start only when the returned start
// is called.
func withEngine(b *testing.B, db *bun.DB, startNow bool) (*wiring.Services, *receiver, func()) {
	b.Helper()
	ctx := context.Background()
	rc := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct{ Type string }
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			b.Errorf("the delivery is not an event: %v", err)
		}
		if wizardEvents[ev.Type] {
			rc.n.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	rc.url = srv.URL + "/hook"
	if err := jobs.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	eng, err := jobs.New(db, jobs.Config{Rules: []jobs.Rule{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		b.Fatal(err)
	}
	st, err := stores.SQL(db)
	if err != nil {
		b.Fatal(err)
	}
	svc, err := wiring.New(st, wiring.Options{Hasher: storetest.CheapHasher, Publisher: eng, Webhooks: []webhooks.Option{
		webhooks.WithScheduler(eng), webhooks.AllowPrivateAddresses(true),
		webhooks.WithSender(httpsender.New(httpsender.Options{AllowPrivate: true}))}})
	if err != nil {
		b.Fatal(err)
	}
	eng.Use(svc) // as the server does: deliveries are created with the change
	start := func() {
		if err := eng.Start(ctx, svc); err != nil {
			b.Fatal(err)
		}
	}
	if startNow {
		start()
		start = nil
	}
	b.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := eng.Stop(stopCtx); err != nil {
			b.Errorf("stop the engine: %v", err)
		}
	})
	return svc, rc, start
}

// postgres is testdb.Postgres, also when PARTNERKIT_TEST_POSTGRES is unset
// but a server answers on the local port (as `make bench` assumes).
func postgres(tb testing.TB) *bun.DB {
	tb.Helper()
	if os.Getenv(testdb.PostgresEnv) == "" {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:5432", 200*time.Millisecond); err == nil {
			c.Close()
			tb.Setenv(testdb.PostgresEnv, "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
		}
	}
	return testdb.Postgres(tb)
}
