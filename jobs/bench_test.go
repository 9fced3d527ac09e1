package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/uptrace/bun"
)

// BenchmarkDelivery measures webhook delivery end to end on SQLite and
// PostgreSQL (when PARTNERKIT_TEST_POSTGRES is set or a server answers on
// 127.0.0.1:5432): b.N partners are created one after another through the
// service, with one endpoint subscribed to partner.created on a loopback
// receiver that verifies every signature with webhooks.Verify, and the
// clock runs until the receiver has all b.N events. The engine has the
// production settings (the default workers and poll interval). pace=none
// creates them as fast as the service takes them (a burst: throughput, and
// latency under saturation); pace=50ms one every 50 ms (20/s: latency in
// steady operation, events/s then bounded by the pace). Metrics:
// events/s (b.N over the time from the first create to the last arrival),
// and p50_ms/p99_ms of the latency from a create call's return (its commit)
// to its event's arrival. ns/op is the same time per event as events/s.
//
//	go test -run '^$' -bench BenchmarkDelivery -benchtime 200x ./jobs/
func BenchmarkDelivery(b *testing.B) {
	dbs := []struct {
		name string
		open func(testing.TB) *bun.DB
	}{{"sqlite", testdb.SQLite}, {"postgres", benchPostgres}}
	for _, d := range dbs {
		b.Run("store="+d.name, func(b *testing.B) {
			for _, pace := range []time.Duration{0, 50 * time.Millisecond} {
				name := "pace=none"
				if pace > 0 {
					name = "pace=" + pace.String()
				}
				b.Run(name, func(b *testing.B) { benchDelivery(b, d.open, pace) })
			}
		})
	}
}

// benchDelivery creates b.N partners, one every pace (0: as fast as the
// service takes them), and waits for their deliveries.
func benchDelivery(b *testing.B, open func(testing.TB) *bun.DB, pace time.Duration) {
	ctx := context.Background()
	in := start(b, open(b), jobs.Config{Rules: []jobs.Rule{}})
	admin := rootAdmin(b, in.svc)
	sk := newSink(b, b.N)
	ep, err := in.svc.Webhooks.CreateEndpoint(ctx, admin, webhooks.EndpointInput{URL: sk.url,
		EventTypes: []string{"partner.created"}})
	if err != nil {
		b.Fatal(err)
	}
	sk.setSecret(ep.Secret)
	created := make(map[string]time.Time, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	began := time.Now()
	for i := range b.N {
		p, err := in.svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor,
			Name: fmt.Sprintf("Partner %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		created[p.ID] = time.Now()
		if pace > 0 {
			time.Sleep(time.Until(began.Add(time.Duration(i+1) * pace)))
		}
	}
	select {
	case <-sk.done:
	case <-time.After(2*time.Minute + time.Duration(b.N)*10*time.Millisecond):
		b.Fatalf("the receiver got %d of %d events", sk.count(), b.N)
	}
	elapsed := time.Since(began)
	b.StopTimer()
	if n := sk.invalid(); n > 0 {
		b.Fatalf("%d deliveries failed webhooks.Verify", n)
	}
	lat := make([]time.Duration, 0, b.N)
	arrived := sk.arrivals()
	for id, at := range created {
		got, ok := arrived[id]
		if !ok {
			b.Fatalf("no delivery of partner %s", id)
		}
		lat = append(lat, got.Sub(at))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50_ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99_ms")
}

// sink is the benchmark's receiver: it verifies each delivery's signature
// and notes when each partner's partner.created event first arrived.
type sink struct {
	url  string
	done chan struct{}

	mu      sync.Mutex
	secret  string
	want    int
	arrived map[string]time.Time
	bad     int
}

func newSink(b *testing.B, want int) *sink {
	sk := &sink{done: make(chan struct{}), want: want, arrived: make(map[string]time.Time, want)}
	srv := httptest.NewServer(sk)
	b.Cleanup(srv.Close)
	sk.url = srv.URL + "/hook"
	return sk
}

func (sk *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	at := time.Now()
	sk.mu.Lock()
	defer sk.mu.Unlock()
	var ev partnerkit.Event
	if err != nil || webhooks.Verify(sk.secret, r.Header.Get(webhooks.SignatureHeader), body, 0) != nil ||
		json.Unmarshal(body, &ev) != nil {
		sk.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	if ev.Type != "partner.created" {
		return
	}
	if _, seen := sk.arrived[ev.Data.EntityID]; seen {
		return
	}
	sk.arrived[ev.Data.EntityID] = at
	if len(sk.arrived) == sk.want {
		close(sk.done)
	}
}

func (sk *sink) setSecret(s string) {
	sk.mu.Lock()
	defer sk.mu.Unlock()
	sk.secret = s
}

func (sk *sink) count() int {
	sk.mu.Lock()
	defer sk.mu.Unlock()
	return len(sk.arrived)
}

func (sk *sink) invalid() int {
	sk.mu.Lock()
	defer sk.mu.Unlock()
	return sk.bad
}

func (sk *sink) arrivals() map[string]time.Time {
	sk.mu.Lock()
	defer sk.mu.Unlock()
	out := make(map[string]time.Time, len(sk.arrived))
	for k, v := range sk.arrived {
		out[k] = v
	}
	return out
}

// percentile returns the p-quantile of sorted (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchPostgres is testdb.Postgres, also when PARTNERKIT_TEST_POSTGRES is
// unset but a server answers on the local port (as `make bench` assumes).
func benchPostgres(tb testing.TB) *bun.DB {
	tb.Helper()
	if os.Getenv(testdb.PostgresEnv) == "" {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:5432", 200*time.Millisecond); err == nil {
			c.Close()
			tb.Setenv(testdb.PostgresEnv, "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
		}
	}
	return testdb.Postgres(tb)
}
