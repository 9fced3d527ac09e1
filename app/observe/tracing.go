//go:build !js

package observe

import (
	"context"
	"fmt"
	"strings"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/extra/bunotel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Tracing is the server's OpenTelemetry tracing: a tracer provider that
// exports spans, or, when off, nothing at all (no provider, no hooks: the
// request path is as it was).
type Tracing struct {
	tp *sdktrace.TracerProvider
}

// TracingOptions configure NewTracing.
type TracingOptions struct {
	// Version is service.version (the server's release).
	Version string
	// Sync exports each span when it ends (tests with an in-memory
	// exporter) instead of in batches.
	Sync bool
}

// TracingEnabled reports whether the environment asks for tracing: an
// OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), and neither OTEL_SDK_DISABLED=true
// nor OTEL_TRACES_EXPORTER=none says otherwise.
func TracingEnabled(getenv func(string) string) bool {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") || strings.EqualFold(getenv("OTEL_TRACES_EXPORTER"), "none") {
		return false
	}
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// TracingFromEnv returns the tracing the environment asks for: off
// (TracingEnabled false), or spans exported over OTLP/HTTP (protobuf) to
// the endpoint, configured by the standard variables the SDK reads itself
// — OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS, _TIMEOUT,
// _COMPRESSION, _CERTIFICATE, OTEL_SERVICE_NAME (default "partnerkit"),
// OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and _ARG (default: every
// request, or as the caller's traceparent says), OTEL_BSP_*.
func TracingFromEnv(ctx context.Context, getenv func(string) string, version string) (*Tracing, error) {
	if !TracingEnabled(getenv) {
		return &Tracing{}, nil
	}
	for _, key := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if p := getenv(key); p != "" && p != "http/protobuf" {
			return nil, fmt.Errorf("tracing: %s=%s: this server exports over OTLP/HTTP only (http/protobuf)", key, p)
		}
		if getenv(key) != "" {
			break // the traces-specific setting wins
		}
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	return NewTracing(ctx, exp, TracingOptions{Version: version})
}

// NewTracing returns tracing that exports to exp (tests pass
// go.opentelemetry.io/otel/sdk/trace/tracetest's in-memory exporter).
func NewTracing(ctx context.Context, exp sdktrace.SpanExporter, o TracingOptions) (*Tracing, error) {
	// Later options win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
	// override the defaults.
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName("partnerkit"), semconv.ServiceVersion(o.Version)),
		resource.WithFromEnv())
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	export := sdktrace.WithBatcher(exp)
	if o.Sync {
		export = sdktrace.WithSyncer(exp)
	}
	return &Tracing{tp: sdktrace.NewTracerProvider(export, sdktrace.WithResource(res))}, nil
}

// Enabled reports whether spans are made.
func (t *Tracing) Enabled() bool { return t != nil && t.tp != nil }

// Provider is the tracer provider, nil when tracing is off (for
// HandlerOptions.Tracer).
func (t *Tracing) Provider() trace.TracerProvider {
	if !t.Enabled() {
		return nil
	}
	return t.tp
}

// InstrumentDB returns db with bun's OpenTelemetry hook (extra/bunotel):
// each query Bun runs within a traced request becomes a child span of it,
// its statement without its arguments. Queries outside any span
// (background work) make no span of their own. Build the stores and the
// job engine on the returned *bun.DB (a copy of db sharing its pool).
// When tracing is off it returns db itself.
func (t *Tracing) InstrumentDB(db *bun.DB) *bun.DB {
	if !t.Enabled() {
		return db
	}
	hook := childQueries{bunotel.NewQueryHook(bunotel.WithTracerProvider(t.tp))}
	traced := db.WithQueryHook(hook)
	// The stores' prepared statements bypass Bun's hooks: the same hook
	// runs around them.
	sqldb.AddPreparedHook(traced, hook)
	return traced
}

// childQueries is bunotel's hook for queries that run inside a span.
type childQueries struct{ hook *bunotel.QueryHook }

func (c childQueries) BeforeQuery(ctx context.Context, ev *bun.QueryEvent) context.Context {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	return c.hook.BeforeQuery(ctx, ev)
}

func (c childQueries) AfterQuery(ctx context.Context, ev *bun.QueryEvent) {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return
	}
	c.hook.AfterQuery(ctx, ev)
}

// ForceFlush exports the spans not yet exported; a no-op when tracing is
// off.
func (t *Tracing) ForceFlush(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.tp.ForceFlush(ctx)
}

// Shutdown exports the spans not yet exported and stops; a no-op when
// tracing is off.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.tp.Shutdown(ctx)
}
