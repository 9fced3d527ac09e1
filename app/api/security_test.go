package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/app/api"
	wiring "github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/uptrace/bun"
)

// loopback is the peer address of every httptest request.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}

// newServerOn serves the API on db (nil: the memory store) with opts and
// the Config changed by cfgFn.
func newServerOn(t *testing.T, db *bun.DB, opts wiring.Options, cfgFn func(*api.Config)) *server {
	t.Helper()
	if opts.Hasher == (partners.PasswordHasher{}) {
		opts.Hasher = storetest.CheapHasher
	}
	cfg := wiring.Memory(opts)
	if db != nil {
		cfg = wiring.SQL(db, opts)
	}
	cfg.Logger = slog.New(slog.DiscardHandler)
	if cfgFn != nil {
		cfgFn(&cfg)
	}
	h := api.New(cfg)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &server{t: t, srv: srv, cfg: cfg, api: h}
}

func openSQLite(t *testing.T) *bun.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// signInFrom posts a sign-in as if from address (through the trusted
// loopback proxy) and returns the status and Retry-After.
func (s *server) signInFrom(address, email, password string) (int, string) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/api/v1/session", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if address != "" {
		req.Header.Set("X-Forwarded-For", address)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Retry-After")
}

// TestThrottleAcrossInstances hammers one login with 60 concurrent wrong
// passwords from one address, spread over every server instance sharing
// the database (two on PostgreSQL): at most five are checked, the rest are
// 429 with Retry-After, and the user still signs in from another address.
func TestThrottleAcrossInstances(t *testing.T) {
	trusted := func(c *api.Config) { c.TrustedProxies = loopback }
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			var instances []*server
			switch store {
			case "sqlite":
				instances = append(instances, newServerOn(t, openSQLite(t), wiring.Options{}, trusted))
			case "postgres":
				dsn := testdb.CreatePostgresDatabase(t, testdb.PostgresDSN(t))
				for range 2 {
					db, err := sqldb.Open(context.Background(), dsn)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { db.Close() })
					instances = append(instances, newServerOn(t, db, wiring.Options{}, trusted))
				}
			}
			instances[0].bootstrap("Provider", "victim@provider.example")
			const attempts = 60
			var mu sync.Mutex
			counts := map[int]int{}
			retry := true
			errs := storetest.Race(attempts, func(i int) error {
				status, after := instances[i%len(instances)].signInFrom("203.0.113.9", "victim@provider.example", "Wr0ng-password")
				mu.Lock()
				defer mu.Unlock()
				counts[status]++
				if status == http.StatusTooManyRequests && after == "" {
					retry = false
				}
				return nil
			})
			_ = errs
			if counts[http.StatusUnauthorized] > partners.PairAttempts || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != attempts || !retry {
				t.Fatalf("statuses %v (Retry-After on every 429: %v): want at most %d checked, the rest 429", counts, retry, partners.PairAttempts)
			}
			for _, s := range instances {
				if status, _ := s.signInFrom("198.51.100.7", "victim@provider.example", "Sup3r-secret"); status != http.StatusCreated {
					t.Fatalf("the victim from another address: %d", status)
				}
			}
		})
	}
}

// TestPasswordSlotsAnswer503 bounds the password hashes that run at once:
// a burst beyond the slots waits briefly, then gets 503 with Retry-After.
func TestPasswordSlotsAnswer503(t *testing.T) {
	s := newServerOn(t, nil, wiring.Options{Hasher: partners.DefaultPasswordHasher, PasswordSlots: 1, PasswordWait: time.Millisecond},
		func(c *api.Config) { c.TrustedProxies = loopback })
	s.bootstrap("Provider", "admin@provider.example")
	var mu sync.Mutex
	statuses := map[int]int{}
	storetest.Race(8, func(i int) error { // fewer than EmailFreeAttempts: none is slowed
		status, after := s.signInFrom(fmt.Sprintf("203.0.113.%d", i), "admin@provider.example", "Wr0ng-password")
		mu.Lock()
		defer mu.Unlock()
		statuses[status]++
		if status == http.StatusServiceUnavailable && after == "" {
			t.Error("503 without Retry-After")
		}
		return nil
	})
	if statuses[http.StatusServiceUnavailable] == 0 || statuses[http.StatusUnauthorized]+statuses[http.StatusServiceUnavailable] != 8 {
		t.Fatalf("statuses %v: want some 503 and no other answer than 401", statuses)
	}
}

// TestForwardedHeaders honours X-Forwarded-For and X-Forwarded-Proto only
// from a trusted proxy.
func TestForwardedHeaders(t *testing.T) {
	for _, c := range []struct {
		name    string
		trusted []netip.Prefix
	}{{"Untrusted", nil}, {"TrustedProxy", loopback}} {
		t.Run(c.name, func(t *testing.T) {
			s := newServerOn(t, nil, wiring.Options{}, func(cfg *api.Config) { cfg.TrustedProxies = c.trusted })
			s.bootstrap("Provider", "admin@provider.example")
			body, _ := json.Marshal(map[string]string{"email": "admin@provider.example", "password": "Sup3r-secret"})
			req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/api/v1/session", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-Proto", "https")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			secure := false
			for _, ck := range res.Cookies() {
				secure = secure || ck.Name == api.SessionCookie && ck.Secure
			}
			if secure != (c.trusted != nil) {
				t.Fatalf("Secure cookie %v over plain HTTP with X-Forwarded-Proto from an %s peer", secure, c.name)
			}
			// Five failures "from" one forwarded address: from a trusted
			// proxy they count for that address only; otherwise the header
			// is ignored and they count for the peer.
			for range partners.PairAttempts {
				s.signInFrom("203.0.113.1", "admin@provider.example", "Wr0ng-password")
			}
			status, _ := s.signInFrom("203.0.113.2", "admin@provider.example", "Sup3r-secret")
			want := http.StatusTooManyRequests
			if c.trusted != nil {
				want = http.StatusCreated
			}
			if status != want {
				t.Fatalf("sign-in from another forwarded address: %d, want %d", status, want)
			}
		})
	}
}

// TestCrossSiteRequests refuses login CSRF and cross-site writes however
// the browser marks them, and JSON routes take only JSON (415).
func TestCrossSiteRequests(t *testing.T) {
	s := newServer(t, false)
	admin := s.bootstrap("Provider", "admin@provider.example")
	signIn := `{"email":"admin@provider.example","password":"Sup3r-secret"}`
	for _, c := range []struct {
		name, method, path, body string
		header                   map[string]string
		cookie                   bool
		want                     int
	}{
		{"SignInTextPlainForm", "POST", "/session", signIn, map[string]string{"Content-Type": "text/plain"}, false, 415},
		{"SignInNoContentType", "POST", "/session", signIn, map[string]string{}, false, 415},
		{"SignInFromAnotherSite", "POST", "/session", signIn, map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}, false, 403},
		{"SignInCrossSiteFetch", "POST", "/session", signIn, map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, false, 403},
		{"SignInSameOrigin", "POST", "/session", signIn, map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}, false, 201},
		{"WriteHTTPSOriginOnHTTP", "POST", "/partners", `{"type":"reseller","name":"X"}`, map[string]string{"Content-Type": "application/json", "Origin": "https://" + strings.TrimPrefix(s.srv.URL, "http://")}, true, 403},
		{"WriteCrossSiteRefererNoOrigin", "POST", "/partners", `{"type":"reseller","name":"X"}`, map[string]string{"Content-Type": "application/json", "Referer": "https://evil.example/page"}, true, 403},
		{"WriteCrossSiteFetch", "POST", "/partners", `{"type":"reseller","name":"X"}`, map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, true, 403},
		{"WriteSameOriginReferer", "POST", "/partners", `{"type":"reseller","name":"X"}`, map[string]string{"Content-Type": "application/json", "Referer": s.srv.URL + "/partners"}, true, 201},
		{"WriteFormBody", "POST", "/partners", `type=reseller&name=X`, map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": s.srv.URL}, true, 415},
		{"WriteJSONWithCharset", "POST", "/partners", `{"type":"reseller","name":"Y"}`, map[string]string{"Content-Type": "application/json; charset=utf-8", "Origin": s.srv.URL}, true, 201},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, s.srv.URL+"/api/v1"+c.path, strings.NewReader(c.body))
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			client := http.DefaultClient
			if c.cookie {
				client = admin.client
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.want {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, c.want, data)
			}
		})
	}
}

// TestSuspendedPartnerCannotAct: after a suspension the partner's sessions
// and keys are 403 naming it, a fresh sign-in too; /me and switching to
// another membership still work; reactivation restores access.
func TestSuspendedPartnerCannotAct(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			var db *bun.DB
			if store == "sqlite" {
				db = openSQLite(t)
			} else {
				db = testdb.Postgres(t)
			}
			s := newServerOn(t, db, wiring.Options{}, nil)
			root := s.bootstrap("Provider", "root@provider.example")
			var a, b struct {
				ID string `json:"id"`
			}
			root.must("POST", "/partners", map[string]any{"type": "reseller", "name": "A"}, 201, &a)
			root.must("POST", "/partners", map[string]any{"type": "reseller", "name": "B"}, 201, &b)
			ctx := context.Background()
			rootActor, _, err := s.cfg.Partners.SessionActor(ctx, sessionToken(t, root))
			if err != nil {
				t.Fatal(err)
			}
			u, err := s.cfg.Partners.CreateUser(ctx, rootActor, partners.CreateUserInput{AccountID: a.ID, Email: "admin@a.example",
				FullName: "A", Password: "Sup3r-secret", Role: partnerkit.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.cfg.Partners.AddMember(ctx, rootActor, b.ID, u.ID, partnerkit.RoleStaff); err != nil {
				t.Fatal(err)
			}
			member := s.signIn("admin@a.example", "Sup3r-secret")
			var key struct {
				Key string `json:"key"`
			}
			member.must("POST", "/api-keys", map[string]any{"description": "erp", "role": "staff"}, 201, &key)
			program := &user{s: s, client: http.DefaultClient, bearer: key.Key}
			root.must("POST", "/partners/"+a.ID+"/suspend", nil, 200, nil)

			res, body := member.do("POST", "/partners", map[string]any{"type": "customer", "name": "Sneaky"})
			if res.StatusCode != 403 || !strings.Contains(string(body), "suspended") {
				t.Fatalf("a member's write after suspension: %d %s", res.StatusCode, body)
			}
			if res, body := program.do("GET", "/partners", nil); res.StatusCode != 403 {
				t.Fatalf("an API key after suspension: %d %s", res.StatusCode, body)
			}
			var me api.Me
			member.must("GET", "/me", nil, 200, &me)
			suspended := false
			for _, m := range me.Memberships {
				suspended = suspended || m.AccountID == a.ID && m.AccountStatus == partners.StatusSuspended
			}
			if !suspended {
				t.Fatalf("/me does not show the suspension: %+v", me.Memberships)
			}
			member.must("PUT", "/me/account", map[string]any{"account_id": b.ID}, 200, nil)
			member.must("GET", "/partners", nil, 200, nil) // acting in B now
			res, _ = member.do("PUT", "/me/account", map[string]any{"account_id": a.ID})
			if res.StatusCode != 403 {
				t.Fatalf("switching into the suspended account: %d", res.StatusCode)
			}
			root.must("POST", "/partners/"+a.ID+"/reactivate", nil, 200, nil)
			program.must("GET", "/partners", nil, 200, nil)
			member.must("PUT", "/me/account", map[string]any{"account_id": a.ID}, 200, nil)
		})
	}
}

// sessionToken returns the session cookie a user's jar holds.
func sessionToken(t *testing.T, u *user) string {
	t.Helper()
	for _, c := range u.client.Jar.Cookies(mustURL(t, u.s.srv.URL)) {
		if c.Name == api.SessionCookie {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// TestAddingMembersRevealsNoLogin: POST /team answers alike for an email
// another tenant uses and for a new one.
func TestAddingMembersRevealsNoLogin(t *testing.T) {
	s := newServer(t, true)
	ta, _, foreign := seedTenants(t, s)
	_ = ta
	answer := func(email string) (int, map[string]any) {
		res, body := foreign.do("POST", "/team", map[string]any{"email": email, "full_name": "New", "password": "Sup3r-secret", "role": "staff"})
		var out map[string]any
		_ = json.Unmarshal(body, &out)
		delete(out, "email")
		return res.StatusCode, out
	}
	takenStatus, taken := answer("viewer@a.example") // a login of tenant A
	freshStatus, fresh := answer("fresh@new.example")
	if takenStatus != 201 || freshStatus != 201 || fmt.Sprint(taken) != fmt.Sprint(fresh) {
		t.Fatalf("answers differ: %d %v / %d %v", takenStatus, taken, freshStatus, fresh)
	}
}

// TestTokensNeverLogged runs the invitation and team-invitation stories
// with the request log captured: no token, password or session appears.
func TestTokensNeverLogged(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	s := newServerOn(t, openSQLite(t), wiring.Options{}, func(c *api.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	})
	mick := s.bootstrap("Mighty Mick's LLC", "mick@mighty.example")
	var res contracts.OnboardingResult
	var agr agreements.Agreement
	mick.must("POST", "/agreements", map[string]any{"type": "program", "name": "Program"}, 201, &agr)
	mick.must("POST", "/onboarding", map[string]any{"partner": map[string]any{"type": "reseller", "name": "Champions"},
		"agreement_id": agr.ID, "action": "invite"}, 201, &res)
	anon := s.anonymous()
	anon.must("GET", "/invitations/"+res.ActivationToken, nil, 200, nil)
	anon.must("GET", "/invitations/"+res.ActivationToken+"/nope", nil, 404, nil)
	anon.must("POST", "/invitations/"+res.ActivationToken+"/activate", map[string]any{"email": "coach@champions.example",
		"accept_agreement": true, "full_name": "Coach", "password": "Ch4mpions-pass", "legal_name": "Champions Corp"}, 201, nil)
	var inv struct {
		Token string `json:"token"`
	}
	mick.must("POST", "/team/invitations", map[string]any{"email": "new@mighty.example", "role": "staff"}, 201, &inv)
	anon.must("GET", "/team-invitations/"+inv.Token, nil, 200, nil)
	anon.must("POST", "/team-invitations/"+inv.Token+"/accept", map[string]any{"full_name": "New", "password": "N3w-password"}, 201, nil)
	session := sessionToken(t, mick)
	mu.Lock()
	defer mu.Unlock()
	for name, secret := range map[string]string{"activation token": res.ActivationToken, "team token": inv.Token,
		"password": "Ch4mpions-pass", "session": session} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log contains the %s", name)
		}
	}
	if !strings.Contains(logs.String(), "/invitations/[redacted]") {
		t.Errorf("the log does not show the redacted paths:\n%s", logs.String())
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestSecurityHeaders checks the browser security headers of the PWA and
// the API, and HSTS only over TLS.
func TestSecurityHeaders(t *testing.T) {
	web := fstest.MapFS{"app.wasm": {Data: []byte("\x00asm")}, "app.css": {Data: []byte("body{}")}}
	services := wiring.Memory(wiring.Options{Hasher: storetest.CheapHasher})
	services.Logger = slog.New(slog.DiscardHandler)
	h := wiring.Handler(services, nil, web)
	for _, c := range []struct {
		name string
		tls  bool
	}{{"HTTP", false}, {"TLS", true}} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(h)
			if c.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			defer srv.Close()
			for _, path := range []string{"/", "/partners", "/api/v1/openapi.json", "/healthz"} {
				res, err := srv.Client().Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				hd := res.Header
				csp := hd.Get("Content-Security-Policy")
				if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") ||
					(!strings.HasPrefix(path, "/api/") && !strings.Contains(csp, "'wasm-unsafe-eval'")) {
					t.Errorf("%s: CSP %q", path, csp)
				}
				if hd.Get("X-Frame-Options") != "DENY" || hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") == "" {
					t.Errorf("%s: headers %v", path, hd)
				}
				if hsts := hd.Get("Strict-Transport-Security"); (hsts != "") != c.tls {
					t.Errorf("%s: HSTS %q over TLS=%v", path, hsts, c.tls)
				}
			}
		})
	}
}

// TestDocumentDownloadHeader: a hostile file name cannot break out of
// Content-Disposition, and only PDF and plain text open inline.
func TestDocumentDownloadHeader(t *testing.T) {
	s := newServer(t, false)
	admin := s.bootstrap("Provider", "admin@provider.example")
	for _, c := range []struct {
		name, file, content, disposition string
	}{
		{"BreakOutAttempt", `x.html";filename*=UTF-8''x.html;y=".txt`, "plain text", "inline"},
		{"UnicodeName", "Vertrag für Händler.txt", "Vertrag", "inline"},
		{"MarkdownDownloads", "terms.md", "# Terms\n", "attachment"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var agr agreements.Agreement
			admin.must("POST", "/agreements", map[string]any{"type": "program", "name": c.name, "document": map[string]any{
				"kind": "file", "file_name": c.file, "content": []byte(c.content)}}, 201, &agr)
			res, _ := admin.do("GET", "/agreements/"+agr.ID+"/versions/1/document", nil)
			disposition, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
			if err != nil || disposition != c.disposition || len(params) != 1 || params["filename"] != c.file {
				t.Fatalf("Content-Disposition %q parses as %q %v (%v)", res.Header.Get("Content-Disposition"), disposition, params, err)
			}
		})
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestShedsLoadPastCapacity: with every request slot taken, a request
// waits QueueWait, then gets 503 with Retry-After, never a 500 or an
// endless queue.
func TestShedsLoadPastCapacity(t *testing.T) {
	s := newServerOn(t, nil, wiring.Options{}, func(c *api.Config) { c.MaxInFlight, c.QueueWait = 1, 20*time.Millisecond })
	admin := s.bootstrap("Provider", "admin@provider.example")
	// A client that sends its headers and then stalls its body holds the one slot.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	time.Sleep(50 * time.Millisecond)
	res, body := admin.do(http.MethodGet, "/partners", nil)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d (Retry-After %q): %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	conn.Close()
	time.Sleep(50 * time.Millisecond)
	admin.must(http.MethodGet, "/partners", nil, http.StatusOK, nil)
}
