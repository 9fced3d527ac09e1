//go:build !js

package observe_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/partnerkit/partnerkit/app/observe"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// syncBuffer is a bytes buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// stack is the real API on SQLite behind observe's handler.
type stack struct {
	url     string
	metrics *observe.Metrics
	spans   *tracetest.InMemoryExporter
	log     *syncBuffer
	client  *http.Client
}

// newStack serves server.Handler on a new SQLite database with metrics,
// and with tracing to an in-memory exporter when traced; the log is JSON.
func newStack(t *testing.T, traced bool, o observe.HandlerOptions) *stack {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "pk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := &stack{spans: tracetest.NewInMemoryExporter(), log: &syncBuffer{}}
	logger, err := observe.NewLogger(s.log, "json")
	if err != nil {
		t.Fatal(err)
	}
	if traced {
		tracing, err := observe.NewTracing(ctx, s.spans, observe.TracingOptions{Version: "test", Sync: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tracing.Shutdown(ctx) })
		db = tracing.InstrumentDB(db)
		o.Tracer = tracing.Provider()
	}
	s.metrics = observe.NewMetrics(observe.MetricsOptions{Version: "test", Logger: logger, NoRuntime: true})
	s.metrics.WatchDB("partnerkit", db.DB)
	cfg := server.SQL(db, server.Options{Hasher: storetest.CheapHasher})
	cfg.Logger = logger
	cfg.Observer = s.metrics
	if _, _, _, err := cfg.Partners.EnsureRoot(ctx, partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "boss@example.com", AdminFullName: "Boss", AdminPassword: "Sup3r-secret"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.metrics.Handler(server.Handler(cfg, db, nil), o))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	jar, _ := cookiejar.New(nil)
	s.client = &http.Client{Jar: jar}
	return s
}

// do sends a request and returns the response with its body read.
func (s *stack) do(t *testing.T, method, path, body string, header ...string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (s *stack) signIn(t *testing.T) {
	t.Helper()
	if res, body := s.do(t, http.MethodPost, "/api/v1/session", `{"email":"boss@example.com","password":"Sup3r-secret"}`); res.StatusCode != http.StatusCreated {
		t.Fatalf("sign in: %d %s", res.StatusCode, body)
	}
}

// scrape returns /metrics.
func (s *stack) scrape(t *testing.T, header ...string) string {
	t.Helper()
	res, body := s.do(t, http.MethodGet, "/metrics", "", header...)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("metrics: %d %s", res.StatusCode, body)
	}
	return body
}

// logLines parses the JSON log.
func logLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// TestTracing: every request is one trace, its server span named by the
// route pattern, with the SQL that Bun ran as child spans; a caller's
// traceparent is continued; request log lines carry the trace ID.
func TestTracing(t *testing.T) {
	s := newStack(t, true, observe.HandlerOptions{})
	s.signIn(t)
	s.spans.Reset() // sign-in's spans aside: one request at a time below

	type request struct{ method, path, name string }
	for _, r := range []request{
		{http.MethodGet, "/api/v1/partners?limit=5", "GET /api/v1/partners"},
		{http.MethodPost, "/api/v1/partners", "POST /api/v1/partners"},
		{http.MethodGet, "/api/v1/me", "GET /api/v1/me"},
	} {
		t.Run(r.name, func(t *testing.T) {
			s.spans.Reset()
			body := ""
			if r.method == http.MethodPost {
				body = `{"type":"reseller","name":"Champions"}`
			}
			res, data := s.do(t, r.method, r.path, body, "Origin", s.url, "X-Request-ID", "trace-test-1")
			if res.StatusCode >= 300 {
				t.Fatalf("%d %s", res.StatusCode, data)
			}
			spans := s.spans.GetSpans()
			traces := map[trace.TraceID]bool{}
			var root *tracetest.SpanStub
			sql := 0
			for i, sp := range spans {
				traces[sp.SpanContext.TraceID()] = true
				switch sp.SpanKind {
				case trace.SpanKindServer:
					if root != nil {
						t.Fatalf("two server spans: %s and %s", root.Name, sp.Name)
					}
					root = &spans[i]
				case trace.SpanKindClient:
					sql++
				}
			}
			if len(traces) != 1 || root == nil {
				t.Fatalf("%d traces, server span %v, in %d spans", len(traces), root != nil, len(spans))
			}
			if root.Name != r.name {
				t.Errorf("server span %q, want %q", root.Name, r.name)
			}
			if sql == 0 {
				t.Errorf("no SQL spans under %s", root.Name)
			}
			for _, sp := range spans {
				if sp.SpanKind == trace.SpanKindClient && sp.Parent.SpanID() != root.SpanContext.SpanID() {
					t.Errorf("SQL span %q is not a child of the request's span", sp.Name)
				}
			}
			// The request's log line carries the request and trace IDs.
			found := false
			for _, l := range logLines(t, s.log.String()) {
				if l["msg"] == "request" && l["request_id"] == "trace-test-1" && l["trace_id"] == root.SpanContext.TraceID().String() {
					found = true
				}
			}
			if !found {
				t.Errorf("no request log line with request_id and trace_id %s:\n%s", root.SpanContext.TraceID(), s.log)
			}
		})
	}

	t.Run("traceparent", func(t *testing.T) {
		s.spans.Reset()
		const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		s.do(t, http.MethodGet, "/healthz", "", "traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
		spans := s.spans.GetSpans()
		if len(spans) != 1 || spans[0].SpanContext.TraceID().String() != traceID || spans[0].Name != "GET /healthz" {
			t.Fatalf("spans %+v", spans)
		}
	})
}

// TestTracingOff: without a tracer provider nothing is traced and the
// database has no hook.
func TestTracingOff(t *testing.T) {
	tracing, err := observe.TracingFromEnv(context.Background(), func(string) string { return "" }, "test")
	if err != nil || tracing.Enabled() || tracing.Provider() != nil {
		t.Fatalf("tracing on without OTEL_EXPORTER_OTLP_ENDPOINT: %v %v", tracing, err)
	}
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}
	if !observe.TracingEnabled(func(k string) string { return env[k] }) {
		t.Fatal("OTEL_EXPORTER_OTLP_ENDPOINT set: tracing off")
	}
	env["OTEL_SDK_DISABLED"] = "true"
	if observe.TracingEnabled(func(k string) string { return env[k] }) {
		t.Fatal("OTEL_SDK_DISABLED=true: tracing on")
	}
	env = map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
	if _, err := observe.TracingFromEnv(context.Background(), func(k string) string { return env[k] }, "test"); err == nil {
		t.Fatal("grpc accepted")
	}
	s := newStack(t, false, observe.HandlerOptions{})
	s.signIn(t)
	if res, _ := s.do(t, http.MethodGet, "/api/v1/partners", ""); res.StatusCode != http.StatusOK {
		t.Fatal(res.Status)
	}
	if n := len(s.spans.GetSpans()); n != 0 {
		t.Fatalf("%d spans with tracing off", n)
	}
}

// TestMetrics: requests are counted by route pattern, never by raw path;
// failed sign-ins are counted; the pool series are there; the token, when
// set, guards /metrics.
func TestMetrics(t *testing.T) {
	s := newStack(t, false, observe.HandlerOptions{MetricsToken: "s3cret"})
	if res, _ := s.do(t, http.MethodPost, "/api/v1/session", `{"email":"boss@example.com","password":"wrong-password"}`); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad sign-in: %d", res.StatusCode)
	}
	s.signIn(t)
	for _, id := range []string{"PA-nothing1", "PA-nothing2", "PA-nothing3"} {
		if res, _ := s.do(t, http.MethodGet, "/api/v1/partners/"+id, ""); res.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: %d", id, res.StatusCode)
		}
	}
	s.do(t, http.MethodGet, "/api/v1/no/such/route", "")
	s.do(t, http.MethodGet, "/healthz", "")

	for _, h := range [][]string{nil, {"Authorization", "Bearer wrong"}} {
		if res, _ := s.do(t, http.MethodGet, "/metrics", "", h...); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("metrics with %v: %d", h, res.StatusCode)
		}
	}
	body := s.scrape(t, "Authorization", "Bearer s3cret")
	for _, want := range []string{
		`partnerkit_http_requests_total{code="404",method="GET",route="/api/v1/partners/{id}"} 3`,
		`partnerkit_http_requests_total{code="201",method="POST",route="/api/v1/session"} 1`,
		`partnerkit_http_requests_total{code="404",method="GET",route="/api/"} 1`,
		`partnerkit_http_requests_total{code="200",method="GET",route="/healthz"} 1`,
		`partnerkit_http_request_duration_seconds_count{class="4xx",method="GET",route="/api/v1/partners/{id}"} 3`,
		`partnerkit_signin_failures_total{reason="invalid_credentials"} 1`,
		`go_sql_open_connections{db_name="partnerkit"}`,
		`go_sql_wait_count_total{db_name="partnerkit"}`,
		`partnerkit_build_info{goversion=`,
		`partnerkit_webhook_delivery_attempts_total{outcome="succeeded"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s in\n%s", want, body)
		}
	}
	for _, raw := range []string{"PA-nothing1", "/no/such/route"} {
		if strings.Contains(body, raw) {
			t.Errorf("a raw path (%s) is a label value", raw)
		}
	}
}

// TestRequestID: a sane X-Request-ID is echoed, anything else replaced by
// a new one, on the API and elsewhere alike.
func TestRequestID(t *testing.T) {
	s := newStack(t, false, observe.HandlerOptions{})
	for _, path := range []string{"/healthz", "/api/v1/openapi.json"} {
		res, _ := s.do(t, http.MethodGet, path, "", "X-Request-ID", "abc-123.X_y")
		if got := res.Header.Get("X-Request-ID"); got != "abc-123.X_y" {
			t.Errorf("%s: sane id echoed as %q", path, got)
		}
		res, _ = s.do(t, http.MethodGet, path, "", "X-Request-ID", "bad id\twith spaces")
		if got := res.Header.Get("X-Request-ID"); !observe.ValidRequestID(got) || strings.Contains(got, "bad") {
			t.Errorf("%s: insane id answered with %q", path, got)
		}
		res, _ = s.do(t, http.MethodGet, path, "")
		if got := res.Header.Get("X-Request-ID"); len(got) != 16 {
			t.Errorf("%s: generated id %q", path, got)
		}
	}
}

// TestTraceHandler: only records logged with a traced context get IDs.
func TestTraceHandler(t *testing.T) {
	var buf syncBuffer
	logger, err := observe.NewLogger(&buf, "json")
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("t").Start(context.Background(), "op")
	logger.InfoContext(ctx, "inside", "k", "v")
	span.End()
	logger.Info("outside")
	lines := logLines(t, buf.String())
	if len(lines) != 2 || lines[0]["trace_id"] != span.SpanContext().TraceID().String() || lines[0]["span_id"] == nil || lines[1]["trace_id"] != nil {
		t.Fatalf("%v", lines)
	}
	if _, err := observe.NewLogger(&buf, "xml"); err == nil {
		t.Fatal("format xml accepted")
	}
}
