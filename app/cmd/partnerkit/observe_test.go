//go:build !js

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/internal/testdb"
)

// storyClient is one person's HTTP client of the real server.
type storyClient struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newStoryClient(t *testing.T, base string) *storyClient {
	jar, _ := cookiejar.New(nil)
	return &storyClient{t: t, base: base, client: &http.Client{Jar: jar}}
}

// must sends a JSON request (X-Request-ID: seed-001) and checks the status.
func (c *storyClient) must(method, path string, body any, status int, out any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", c.base)
	req.Header.Set("X-Request-ID", "seed-001")
	res, err := c.client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, status, data)
	}
	if res.Header.Get("X-Request-ID") != "seed-001" {
		c.t.Fatalf("%s %s: X-Request-ID %q", method, path, res.Header.Get("X-Request-ID"))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
}

// TestObservability runs the seed-001 story (a provider invites a reseller,
// which reviews and activates its invitation, then signs in) against the
// real server, then scrapes /metrics (with its token) and finds the
// request series by route pattern, the database pool's and the job
// engine's; /readyz is ready; the log is JSON with request IDs.
func TestObservability(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "pk.db") },
		"postgres": func(t *testing.T) string { return testdb.CreatePostgresDatabase(t, testdb.PostgresDSN(t)) },
	}
	for name, dsn := range stores {
		t.Run(name, func(t *testing.T) {
			addr, out := startServer(t, map[string]string{
				"PARTNERKIT_DB": dsn(t), "PARTNERKIT_ADMIN_EMAIL": "mick@mighty.example", "PARTNERKIT_ADMIN_PASSWORD": "Sup3r-secret",
				"PARTNERKIT_LOG_FORMAT": "json", "PARTNERKIT_METRICS_TOKEN": "metrics-s3cret",
			})
			base := "http://" + addr

			// The story (app/api's TestSeed001Story, on the real binary).
			mick := newStoryClient(t, base)
			mick.must(http.MethodPost, "/api/v1/session", map[string]string{"email": "mick@mighty.example", "password": "not-the-password"}, http.StatusUnauthorized, nil)
			mick.must(http.MethodPost, "/api/v1/session", map[string]string{"email": "mick@mighty.example", "password": "Sup3r-secret"}, http.StatusCreated, nil)
			var onboarded struct {
				Partner         struct{ ID string }
				ActivationToken string `json:"activation_token"`
			}
			mick.must(http.MethodPost, "/api/v1/onboarding", map[string]any{
				"partner": map[string]any{"type": "reseller", "name": "Champions"},
				"new_agreement": map[string]any{"type": "program", "name": "Reseller program", "description": "Sell and support.",
					"document": map[string]any{"kind": "url", "url": "https://mighty.example/program.pdf"}},
				"action": "invite",
			}, http.StatusCreated, &onboarded)
			champ := newStoryClient(t, base)
			champ.must(http.MethodGet, "/api/v1/invitations/"+onboarded.ActivationToken, nil, http.StatusOK, nil)
			champ.must(http.MethodPost, "/api/v1/invitations/"+onboarded.ActivationToken+"/activate", map[string]any{
				"email": "coach@champions.example", "accept_agreement": true, "full_name": "Coach Carter",
				"password": "Sup3r-secret", "legal_name": "Champions Corp"}, http.StatusCreated, nil)
			champ.must(http.MethodPost, "/api/v1/session", map[string]string{"email": "coach@champions.example", "password": "Sup3r-secret"}, http.StatusCreated, nil)
			champ.must(http.MethodGet, "/api/v1/me", nil, http.StatusOK, nil)
			champ.must(http.MethodGet, "/api/v1/contracts", nil, http.StatusOK, nil)
			mick.must(http.MethodGet, "/api/v1/partners?q=champ", nil, http.StatusOK, nil)
			mick.must(http.MethodGet, "/api/v1/partners/"+onboarded.Partner.ID, nil, http.StatusOK, nil)
			champ.must(http.MethodDelete, "/api/v1/session", nil, http.StatusNoContent, nil)

			var ready struct{ Status string }
			mick.must(http.MethodGet, "/readyz", nil, http.StatusOK, &ready)
			if ready.Status != "ready" {
				t.Fatalf("readyz %+v", ready)
			}

			scrape := func(token string) (int, string) {
				req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b)
			}
			if code, _ := scrape(""); code != http.StatusUnauthorized {
				t.Fatalf("metrics without the token: %d", code)
			}
			want := []string{
				`partnerkit_http_requests_total{code="201",method="POST",route="/api/v1/onboarding"} 1`,
				`partnerkit_http_requests_total{code="200",method="GET",route="/api/v1/invitations/{token}"} 1`,
				`partnerkit_http_requests_total{code="201",method="POST",route="/api/v1/invitations/{token}/activate"} 1`,
				`partnerkit_http_requests_total{code="200",method="GET",route="/api/v1/partners/{id}"} 1`,
				`partnerkit_http_requests_total{code="201",method="POST",route="/api/v1/session"} 2`,
				`partnerkit_http_requests_total{code="200",method="GET",route="/readyz"} 1`,
				`partnerkit_http_request_duration_seconds_bucket{class="2xx",method="GET",route="/api/v1/partners",le="+Inf"} 1`,
				`partnerkit_signin_failures_total{reason="invalid_credentials"} 1`,
				`go_sql_open_connections{db_name="partnerkit"}`,
				`go_sql_in_use_connections{db_name="partnerkit"}`,
				`go_sql_idle_connections{db_name="partnerkit"}`,
				`go_sql_wait_duration_seconds_total{db_name="partnerkit"}`,
				// The story's events fan out on the job engine.
				`partnerkit_jobs{kind="partnerkit.fan_out",state="completed"}`,
				`partnerkit_webhook_delivery_attempts_total{outcome="failed"} 0`,
				`partnerkit_build_info{goversion="go`,
				`go_goroutines`,
			}
			var body string
			for deadline := time.Now().Add(15 * time.Second); ; {
				var code int
				code, body = scrape("metrics-s3cret")
				if code != http.StatusOK {
					t.Fatalf("metrics: %d %s", code, body)
				}
				missing := ""
				for _, w := range want {
					if !strings.Contains(body, w) {
						missing = w
						break
					}
				}
				if missing == "" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no %s in\n%s", missing, body)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if strings.Contains(body, onboarded.ActivationToken) || strings.Contains(body, onboarded.Partner.ID) {
				t.Fatal("a raw path is a label value")
			}

			// Every request line of the log is JSON with its request ID.
			var requests, ours int
			sc := bufio.NewScanner(strings.NewReader(out.String()))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				line := sc.Bytes()
				if !bytes.HasPrefix(line, []byte("{")) {
					continue // the first admin's credentials, printed once
				}
				var l map[string]any
				if err := json.Unmarshal(line, &l); err != nil {
					t.Fatalf("log line is not JSON: %s", line)
				}
				if l["msg"] != "request" {
					continue
				}
				requests++
				if id, _ := l["request_id"].(string); id == "" {
					t.Errorf("request line without request_id: %s", line)
				} else if id == "seed-001" {
					ours++
				}
			}
			if requests == 0 || ours < 10 {
				t.Fatalf("%d request lines, %d with request_id seed-001:\n%s", requests, ours, out)
			}
		})
	}
}
