//go:build !js

// Package observe is the server's observability: Prometheus metrics at
// /metrics, OpenTelemetry tracing exported over OTLP, request IDs, log
// lines that carry them, and the readiness probe /readyz. It wraps the
// server's handler and observes the services through the small observer
// ports of app/api, jobs and webhooks, so that no domain package (and not
// the WebAssembly UI) imports a metrics or tracing library.
//
//	m := observe.NewMetrics(observe.MetricsOptions{Version: version})
//	m.WatchDB("partnerkit", db.DB)
//	cfg.Observer = m // api.Config: route patterns and sign-in failures
//	h := m.Handler(site, observe.HandlerOptions{Ready: readiness, Tracer: tracing.Provider()})
//
// Series (all but go_sql_*, go_* and process_* prefixed partnerkit_):
//
//	partnerkit_http_requests_total{method,route,code}        counter
//	partnerkit_http_request_duration_seconds{method,route,class} histogram
//	partnerkit_http_requests_in_flight                       gauge
//	go_sql_*{db_name}      database/sql pool statistics (open, in use, idle, waits)
//	partnerkit_jobs{state,kind}                              gauge (River's table, read at scrape)
//	partnerkit_job_failures_total{kind,reason}               counter (reason: error, panic)
//	partnerkit_signin_failures_total{reason}                 counter
//	partnerkit_webhook_delivery_attempts_total{outcome}      counter (succeeded, retrying, failed)
//	partnerkit_build_info{version,goversion}                 gauge, always 1
//
// route is the API's route pattern (/api/v1/partners/{id}) or the
// server's (/healthz, /metrics, /readyz, / for the PWA): never the raw
// path, whose values are unbounded.
package observe

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// HandlerOptions configure Metrics.Handler.
type HandlerOptions struct {
	// MetricsToken, when set, is the bearer token /metrics requires
	// (PARTNERKIT_METRICS_TOKEN); empty serves /metrics to anyone who
	// reaches the server: keep it off the public network then.
	MetricsToken string
	// Ready answers /readyz; nil answers 200 always.
	Ready *Readiness
	// Tracer, when set, traces every request (otelhttp), continuing a
	// W3C traceparent a client sent; nil traces nothing at no cost.
	Tracer trace.TracerProvider
	// Wrap, when set, wraps the handlers of /metrics and /readyz (the
	// server's security headers).
	Wrap func(http.Handler) http.Handler
}

// isSignIn reports whether a route pattern signs in: POST /api/v1/session,
// and the POSTs under it (the steps of a two-factor sign-in). Their
// failures are partnerkit_signin_failures_total.
func isSignIn(pattern string) bool {
	path, ok := strings.CutPrefix(pattern, "POST /api/v1/session")
	return ok && (path == "" || path[0] == '/')
}

// Handler returns next with /metrics and /readyz beside it, each request
// counted and timed by route pattern, given a request ID (a sane
// X-Request-ID of the caller's, else a new one, sent back in the
// response), and, when o.Tracer is set, traced.
func (m *Metrics) Handler(next http.Handler, o HandlerOptions) http.Handler {
	mux := http.NewServeMux()
	var metrics http.Handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	if o.MetricsToken != "" {
		metrics = requireBearer(o.MetricsToken, metrics)
	}
	var ready http.Handler = o.Ready
	if o.Ready == nil {
		ready = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeReady(w, nil, nil) })
	}
	if o.Wrap != nil {
		metrics, ready = o.Wrap(metrics), o.Wrap(ready)
	}
	mux.Handle("GET /metrics", noStore(metrics))
	mux.Handle("GET /readyz", noStore(ready))
	mux.Handle("/", next)
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.serve(w, r, mux) })
	if o.Tracer != nil {
		h = otelhttp.NewHandler(h, "partnerkit",
			otelhttp.WithTracerProvider(o.Tracer),
			otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})))
	}
	return h
}

// routeKey holds the *routeNote of a request in its context.
type routeKey struct{}

// routeNote is where the API writes the route pattern it matched.
type routeNote struct{ pattern string }

// serve runs one request through mux, counted and timed.
func (m *Metrics) serve(w http.ResponseWriter, r *http.Request, mux http.Handler) {
	start := time.Now()
	id := r.Header.Get("X-Request-ID")
	if !ValidRequestID(id) {
		id = NewRequestID()
		r.Header.Set("X-Request-ID", id) // the API logs and echoes the same one
	}
	w.Header().Set("X-Request-ID", id)
	span := trace.SpanFromContext(r.Context())
	if span.IsRecording() {
		span.SetAttributes(attribute.String("partnerkit.request_id", id))
	}
	note := &routeNote{}
	inner := r.WithContext(context.WithValue(r.Context(), routeKey{}, note))
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	m.inFlight.Inc()
	defer func() {
		m.inFlight.Dec()
		pattern := note.pattern
		if pattern == "" {
			pattern = inner.Pattern // the server's own mux: /healthz, /metrics, / …
		}
		route := routeOf(pattern)
		m.record(r.Method, route, rec.status, time.Since(start))
		// otelhttp names the span "METHOD route" from the pattern.
		r.Pattern = pattern
		if span.IsRecording() {
			span.SetAttributes(semconv.HTTPRoute(route))
		}
	}()
	mux.ServeHTTP(rec, inner)
}

// Served implements api.Observer: it notes the API's route pattern for the
// request's line in the metrics, or, when the API is served without
// Handler around it, counts the request itself.
func (m *Metrics) Served(r *http.Request, pattern string, status int, elapsed time.Duration) {
	if pattern == "" {
		pattern = "shed"
	}
	if isSignIn(pattern) && (status < 200 || status > 299) {
		m.signInFailures.WithLabelValues(signInReason(status)).Inc()
	}
	if note, ok := r.Context().Value(routeKey{}).(*routeNote); ok {
		note.pattern = pattern
		return
	}
	m.record(r.Method, routeOf(pattern), status, elapsed)
}

// signInReason names a failed sign-in's status.
func signInReason(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "invalid_credentials"
	case http.StatusTooManyRequests:
		return "throttled"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusUnsupportedMediaType:
		return "invalid_request"
	}
	if status >= 500 {
		return "error"
	}
	return "other"
}

// record counts and times one request.
func (m *Metrics) record(method, route string, status int, elapsed time.Duration) {
	method = normalMethod(method)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route, statusClass(status)).Observe(elapsed.Seconds())
}

// routeOf is the route of a ServeMux pattern without its method:
// "GET /api/v1/partners/{id}" → "/api/v1/partners/{id}"; "" → "unmatched".
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		return pattern[i:]
	}
	if pattern == "" {
		return "unmatched"
	}
	return pattern
}

// normalMethod bounds the method label: an unknown method is "other".
func normalMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

func statusClass(code int) string {
	switch {
	case code >= 100 && code < 600:
		return strconv.Itoa(code/100) + "xx"
	}
	return "other"
}

// ValidRequestID reports whether a caller's X-Request-ID may be echoed and
// logged (the rule of app/api): 1 to 64 letters, digits, '-', '_' or '.'.
func ValidRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// NewRequestID returns a random request ID (16 hex digits).
func NewRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requireBearer answers 401 unless the request carries
// "Authorization: Bearer token".
func requireBearer(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics: bearer token required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// recorder remembers the status of a response.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines of the event stream).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
