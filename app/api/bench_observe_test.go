package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/observe"
	wiring "github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// benchObserved runs BenchmarkAPIListPartners's page through app/observe's
// handler, as the server serves it, in one run: observe=off is the API
// alone (as api=sqlite), observe=metrics counts and times each request
// for /metrics, observe=on adds tracing — a server span per request, SQL
// child spans from bun's hook, exported in batches to an in-memory
// exporter. The overhead is on/off (benchstat -col /observe). On a shared
// machine, whose load drifts between one benchmark and the next,
// observe=interleaved is the steadier figure: each iteration sends the
// page once without and once with metrics and tracing, in alternating
// order, and reports both times and their ratio (on/off).
func benchObserved(b *testing.B, cfg api.Config, db *bun.DB, client *http.Client) {
	ctx := context.Background()
	cfg.RateLimit = api.RateLimit{PerSecond: -1} // a benchmark is a runaway loop
	const page = "/api/v1/partners?type=vendor&sort=name&limit=50"
	get := func(b *testing.B, url string) {
		res, err := client.Get(url + page)
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatal(err, res)
		}
		if _, err := io.Copy(io.Discard, res.Body); err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
	}
	// serve starts the API with observe's metrics, and tracing when
	// traced; off: the API alone.
	serve := func(b *testing.B, mode string) string {
		var h http.Handler
		switch mode {
		case "off":
			h = api.New(cfg)
		default:
			m := observe.NewMetrics(observe.MetricsOptions{NoRuntime: true})
			m.WatchDB("partnerkit", db.DB)
			var o observe.HandlerOptions
			observed := cfg
			if mode == "on" {
				spans := tracetest.NewInMemoryExporter()
				tracing, err := observe.NewTracing(ctx, spans, observe.TracingOptions{Version: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() {
					if err := tracing.ForceFlush(ctx); err != nil || len(spans.GetSpans()) == 0 {
						b.Errorf("no spans exported (%v)", err)
					}
					_ = tracing.Shutdown(ctx)
				})
				o.Tracer = tracing.Provider()
				// The services again, on the database with SQL spans.
				traced := wiring.SQL(tracing.InstrumentDB(db), wiring.Options{Hasher: storetest.CheapHasher})
				traced.Logger, traced.RateLimit = cfg.Logger, cfg.RateLimit
				observed = traced
			}
			observed.Observer = m
			h = m.Handler(api.New(observed), o)
		}
		srv := httptest.NewServer(h)
		b.Cleanup(srv.Close)
		return srv.URL
	}
	for _, mode := range []string{"off", "metrics", "on"} {
		b.Run("api=sqlite/observe="+mode, func(b *testing.B) {
			url := serve(b, mode)
			b.ReportAllocs()
			for b.Loop() {
				get(b, url)
			}
		})
	}
	b.Run("api=sqlite/observe=interleaved", func(b *testing.B) {
		off, on := serve(b, "off"), serve(b, "on")
		var offTime, onTime time.Duration
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			first, second, t1, t2 := off, on, &offTime, &onTime
			if n%2 == 1 {
				first, second, t1, t2 = on, off, &onTime, &offTime
			}
			start := time.Now()
			get(b, first)
			mid := time.Now()
			get(b, second)
			*t1 += mid.Sub(start)
			*t2 += time.Since(mid)
			n++
		}
		b.ReportMetric(float64(offTime.Nanoseconds())/float64(n), "off-ns/req")
		b.ReportMetric(float64(onTime.Nanoseconds())/float64(n), "on-ns/req")
		b.ReportMetric(float64(onTime)/float64(offTime), "on/off")
	})
}
