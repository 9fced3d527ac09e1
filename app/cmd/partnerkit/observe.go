//go:build !js

package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/partnerkit/partnerkit/app/observe"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// observability is the server's metrics, tracing, logger and readiness
// (app/observe), configured from the environment:
//
//	PARTNERKIT_LOG_FORMAT     text (default) or json
//	PARTNERKIT_METRICS_TOKEN  bearer token that /metrics requires (empty: none)
//	OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
//	                          set: traces exported over OTLP/HTTP (the
//	                          other OTEL_* variables as the SDK reads them)
type observability struct {
	logger  *slog.Logger
	metrics *observe.Metrics
	tracing *observe.Tracing
	token   string
}

// newObservability reads the environment; the logger writes to out.
func newObservability(ctx context.Context, getenv func(string) string, out io.Writer) (*observability, error) {
	logger, err := observe.NewLogger(out, getenv("PARTNERKIT_LOG_FORMAT"))
	if err != nil {
		return nil, err
	}
	tracing, err := observe.TracingFromEnv(ctx, getenv, version)
	if err != nil {
		return nil, err
	}
	if tracing.Enabled() {
		// For code that reaches for the global provider (none of ours:
		// the handler and the database hook are given it).
		otel.SetTracerProvider(tracing.Provider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
		// Export failures (the collector is down) go to the server's log.
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { logger.Warn("tracing", "err", err) }))
	}
	o := &observability{
		logger:  logger,
		metrics: observe.NewMetrics(observe.MetricsOptions{Version: version, Logger: logger}),
		tracing: tracing,
		token:   getenv("PARTNERKIT_METRICS_TOKEN"),
	}
	return o, nil
}

// instrument returns db with SQL spans when tracing is on (the stores and
// the job engine must share it), else db.
func (o *observability) instrument(db *bun.DB) *bun.DB { return o.tracing.InstrumentDB(db) }

// watch adds the pool statistics of db and the job engine's queue depth.
func (o *observability) watch(db *bun.DB, engine *jobs.Engine) {
	o.metrics.WatchDB("partnerkit", db.DB)
	o.metrics.WatchJobs(engine)
}

// handler is next with /metrics and /readyz, request metrics, request IDs
// and, when on, tracing around it.
func (o *observability) handler(next http.Handler, db *bun.DB, engine *jobs.Engine) http.Handler {
	o.logger.Info("observability", "metrics", "/metrics", "metrics_token", o.token != "",
		"readiness", "/readyz", "tracing", o.tracing.Enabled())
	return o.metrics.Handler(next, observe.HandlerOptions{
		MetricsToken: o.token,
		Ready:        observe.NewReadiness(o.logger, observe.ServerChecks(db, engine)...),
		Tracer:       o.tracing.Provider(),
		Wrap: func(h http.Handler) http.Handler {
			return server.SecurityHeaders(h, func(r *http.Request) bool { return r.TLS != nil })
		},
	})
}

// shutdown exports the spans still buffered.
func (o *observability) shutdown(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := o.tracing.Shutdown(ctx); err != nil {
		o.logger.Warn("export the last spans", "err", err)
	}
}
