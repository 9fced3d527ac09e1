package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/api"
	wiring "github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/webhooks"
)

// server is a real API on a real store, behind httptest.
type server struct {
	t   *testing.T
	srv *httptest.Server
	cfg api.Config
	api *api.API
}

func newServer(t *testing.T, sqlite bool) *server { t.Helper(); return newServerWith(t, sqlite, nil) }

// newServerWith is newServer with its API configuration changed by configure.
func newServerWith(t *testing.T, sqlite bool, configure func(*api.Config)) *server {
	t.Helper()
	opts := wiring.Options{Hasher: storetest.CheapHasher}
	cfg := wiring.Memory(opts)
	if sqlite {
		db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		// The SQL server runs its real job engine: events, webhook
		// attempts and scheduled rules (no sender: attempts fail fast).
		if err := jobs.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		engine, err := jobs.New(db, jobs.Config{Logger: slog.New(slog.DiscardHandler), PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		opts.Publisher = engine
		opts.Webhooks = []webhooks.Option{webhooks.WithScheduler(engine)}
		cfg = wiring.SQL(db, opts)
		if err := engine.Start(context.Background(), &cfg.Services); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = engine.Stop(ctx)
		})
	}
	cfg.Logger = slog.New(slog.DiscardHandler)
	if configure != nil {
		configure(&cfg)
	}
	h := api.New(cfg)
	s := &server{t: t, cfg: cfg, api: h}
	s.srv = httptest.NewServer(s.validating(h)) // every answer is checked against the OpenAPI document
	t.Cleanup(s.srv.Close)
	return s
}

// user is an HTTP client with its own cookie jar.
type user struct {
	s      *server
	client *http.Client
	bearer string
}

func (s *server) anonymous() *user {
	jar, _ := cookiejar.New(nil)
	return &user{s: s, client: &http.Client{Jar: jar}}
}

func (s *server) signIn(email, password string) *user {
	s.t.Helper()
	u := s.anonymous()
	u.must(http.MethodPost, "/session", map[string]string{"email": email, "password": password}, http.StatusCreated, nil)
	return u
}

// do sends a request; body is JSON-encoded unless it is a string.
func (u *user) do(method, path string, body any) (*http.Response, []byte) {
	u.s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req, _ := http.NewRequest(method, u.s.srv.URL+"/api/v1"+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", u.s.srv.URL)
	if u.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+u.bearer)
	}
	res, err := u.client.Do(req)
	if err != nil {
		u.s.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, data
}

// must sends a request, checks the status and decodes the body into out.
func (u *user) must(method, path string, body any, status int, out any) []byte {
	u.s.t.Helper()
	res, data := u.do(method, path, body)
	if res.StatusCode != status {
		u.s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			u.s.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return data
}

type errorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// bootstrap makes a provider with an admin and returns the admin's session.
func (s *server) bootstrap(name, email string) *user {
	s.t.Helper()
	_, _, err := s.cfg.Partners.Bootstrap(context.Background(), partners.BootstrapInput{AccountName: name,
		AccountType: partners.TypeDistributor, AdminEmail: email, AdminPassword: "Sup3r-secret"})
	if err != nil {
		s.t.Fatal(err)
	}
	return s.signIn(email, "Sup3r-secret")
}

// TestSeed001Story is the reseller tutorial through the real server: the
// distributor Mighty Mick's LLC invites the reseller Champions Corp, which
// reviews and activates through the public invitation endpoints, then signs in.
func TestSeed001Story(t *testing.T) {
	s := newServer(t, true)
	mick := s.bootstrap("Mighty Mick's LLC", "mick@mighty.example")

	var res struct {
		Partner         struct{ ID, Name, Status string }
		ActivationToken string `json:"activation_token"`
		ActivationLink  string `json:"activation_link"`
		Contracts       []struct{ ID, Status string }
	}
	mick.must(http.MethodPost, "/onboarding", map[string]any{
		"partner": map[string]any{"type": "reseller", "name": "Champions"},
		"new_agreement": map[string]any{"type": "program", "name": "Reseller program", "description": "Sell and support.",
			"document": map[string]any{"kind": "url", "url": "https://mighty.example/program.pdf"}},
		"action": "invite",
	}, http.StatusCreated, &res)
	if res.Partner.Status != "invited" || res.ActivationToken == "" || !strings.HasSuffix(res.ActivationLink, res.ActivationToken) {
		t.Fatalf("onboarding result %+v", res)
	}

	champ := s.anonymous()
	var review map[string]any
	champ.must(http.MethodGet, "/invitations/"+res.ActivationToken, nil, http.StatusOK, &review)
	if review["inviter_name"] != "Mighty Mick's LLC" || review["agreement_name"] != "Reseller program" {
		t.Fatalf("review %v", review)
	}
	// Bad input names the fields and uses nothing up.
	var eb errorBody
	champ.must(http.MethodPost, "/invitations/"+res.ActivationToken+"/activate", map[string]any{
		"email": "coach@champions.example", "accept_agreement": false, "full_name": "Coach Carter",
		"password": "weak", "legal_name": "Champions"}, http.StatusBadRequest, &eb)
	for _, f := range []string{"accept_agreement", "password", "legal_name"} {
		if eb.Error.Fields[f] == "" {
			t.Errorf("activation error does not name %s: %+v", f, eb)
		}
	}
	var act struct {
		Partner  struct{ Status, LegalName string } `json:"partner"`
		Contract struct{ Status string }            `json:"contract"`
	}
	activation := map[string]any{"email": "coach@champions.example", "accept_agreement": true,
		"full_name": "Coach Carter", "password": "Sup3r-secret", "legal_name": "Champions Corp"}
	champ.must(http.MethodPost, "/invitations/"+res.ActivationToken+"/activate", activation, http.StatusCreated, &act)
	if act.Partner.Status != "active" || act.Contract.Status != "active" {
		t.Fatalf("activation %+v", act)
	}
	champ.must(http.MethodPost, "/invitations/"+res.ActivationToken+"/activate", activation, http.StatusGone, &eb)
	if !strings.Contains(eb.Error.Message, "already been used") {
		t.Fatalf("reuse message %q", eb.Error.Message)
	}
	champ.must(http.MethodGet, "/invitations/not-a-token", nil, http.StatusNotFound, nil)

	// Champions Corp signs in and sees its own account and contract.
	coach := s.signIn("coach@champions.example", "Sup3r-secret")
	var me api.Me
	coach.must(http.MethodGet, "/me", nil, http.StatusOK, &me)
	if me.AccountID != res.Partner.ID || me.Role != partnerkit.RoleAdmin || me.Memberships[0].AccountName != "Champions" {
		t.Fatalf("me %+v", me)
	}
	var mine struct {
		Items []struct{ ID, Status string }
		Total int
	}
	coach.must(http.MethodGet, "/contracts", nil, http.StatusOK, &mine)
	if mine.Total != 1 || mine.Items[0].Status != "active" {
		t.Fatalf("contracts %+v", mine)
	}
	// The distributor's directory shows it active with its signed contract.
	var dir struct {
		Items []struct {
			Name            string
			Status          string
			SignedContracts int    `json:"signed_contracts"`
			LegalName       string `json:"legal_name"`
		}
		Total int
	}
	r := mick.must(http.MethodGet, "/partners?q=champ", nil, http.StatusOK, &dir)
	if dir.Total != 1 || dir.Items[0].Status != "active" || dir.Items[0].SignedContracts != 1 || dir.Items[0].LegalName != "Champions Corp" {
		t.Fatalf("directory %s", r)
	}
	// Signing out ends the session.
	coach.must(http.MethodDelete, "/session", nil, http.StatusNoContent, nil)
	coach.must(http.MethodGet, "/me", nil, http.StatusUnauthorized, nil)
}

func TestListsAndCSV(t *testing.T) {
	s := newServer(t, false)
	admin := s.bootstrap("Distributor", "admin@dist.example")
	for _, n := range []string{"Alpha", "=HYPERLINK(\"x\")", "Gamma"} {
		admin.must(http.MethodPost, "/partners", map[string]any{"type": "reseller", "name": n}, http.StatusCreated, nil)
	}
	res, body := admin.do(http.MethodGet, "/partners?limit=2&offset=1&sort=name", nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Range") != "items 1-2/3" {
		t.Fatalf("page: %d %q %s", res.StatusCode, res.Header.Get("Content-Range"), body)
	}
	res, body = admin.do(http.MethodGet, "/partners?format=csv", nil)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || len(lines) != 4 || !strings.Contains(string(body), `'=HYPERLINK`) {
		t.Fatalf("csv: %q\n%s", res.Header.Get("Content-Type"), body)
	}
	var eb errorBody
	admin.must(http.MethodGet, "/partners?limit=lots", nil, http.StatusBadRequest, &eb)
	if eb.Error.Fields["limit"] == "" {
		t.Fatalf("limit error %+v", eb)
	}
	admin.must(http.MethodGet, "/partners?sort=size", nil, http.StatusBadRequest, &eb)
	if eb.Error.Fields["sort"] == "" {
		t.Fatalf("sort error %+v", eb)
	}
}

func TestMalformedRequests(t *testing.T) {
	s := newServer(t, false)
	admin := s.bootstrap("Distributor", "admin@dist.example")
	cases := []struct {
		name, path, body string
		status           int
		field, message   string
	}{
		{"Syntax", "/partners", `{"type": "reseller", "name": }`, 400, "", "malformed JSON"},
		{"Truncated", "/partners", `{"type": "reseller"`, 400, "", "malformed JSON"},
		{"Empty", "/partners", ``, 400, "", "empty"},
		{"WrongType", "/partners", `{"type": "reseller", "name": 42}`, 400, "name", ""},
		{"WrongNestedType", "/partners", `{"type": "reseller", "name": "x", "business_contact": {"email": 7}}`, 400, "business_contact.email", ""},
		{"UnknownField", "/partners", `{"type": "reseller", "name": "x", "colour": "red"}`, 400, "colour", ""},
		{"TrailingData", "/partners", `{"type": "reseller", "name": "x"} {}`, 400, "", "after the JSON value"},
		{"NotAnObject", "/partners", `["reseller"]`, 400, "", "object"},
		{"BadDecimal", "/capacity/contracts/CTR-x/terms", `{"reserved_tb": "ten", "billing_model": "reserved"}`, 400, "reserved_tb", ""},
		{"TooLarge", "/partners", `{"name": "` + strings.Repeat("x", api.MaxJSONBody) + `"}`, 413, "", "bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := http.MethodPost
			if strings.HasSuffix(c.path, "/terms") {
				method = http.MethodPut
			}
			var eb errorBody
			admin.must(method, c.path, c.body, c.status, &eb)
			if c.field != "" && eb.Error.Fields[c.field] == "" {
				t.Fatalf("error does not name %q: %+v", c.field, eb)
			}
			if !strings.Contains(eb.Error.Message, c.message) {
				t.Fatalf("message %q does not say %q", eb.Error.Message, c.message)
			}
		})
	}
	// Nothing of it was written.
	var dir struct{ Total int }
	admin.must(http.MethodGet, "/partners", nil, http.StatusOK, &dir)
	if dir.Total != 0 {
		t.Fatalf("malformed requests wrote %d partners", dir.Total)
	}
}

func TestAuthentication(t *testing.T) {
	s := newServer(t, false)
	admin := s.bootstrap("Distributor", "admin@dist.example")

	// Cookie-authenticated writes from another origin are refused.
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/api/v1/partners", strings.NewReader(`{"type":"reseller","name":"x"}`))
	req.Header.Set("Origin", "https://evil.example")
	res, err := admin.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site write: %d", res.StatusCode)
	}

	// API keys: shown once, work as Bearer, revocable.
	var key api.CreatedAPIKey
	admin.must(http.MethodPost, "/api-keys", map[string]any{"description": "collector", "role": "viewer"}, http.StatusCreated, &key)
	bot := &user{s: s, client: http.DefaultClient, bearer: key.Key}
	bot.must(http.MethodGet, "/partners", nil, http.StatusOK, nil)
	bot.must(http.MethodPost, "/partners", map[string]any{"type": "reseller", "name": "x"}, http.StatusForbidden, nil)
	var keys struct {
		Items []map[string]any
	}
	admin.must(http.MethodGet, "/api-keys", nil, http.StatusOK, &keys)
	if len(keys.Items) != 1 || keys.Items[0]["key"] != nil || keys.Items[0]["last_used_at"] == nil {
		t.Fatalf("keys %+v", keys)
	}
	admin.must(http.MethodDelete, "/api-keys/"+key.ID, nil, http.StatusOK, nil)
	bot.must(http.MethodGet, "/partners", nil, http.StatusUnauthorized, nil)

	// A team invitation link: reviewed and accepted without signing in.
	var inv api.CreatedTeamInvitation
	admin.must(http.MethodPost, "/team/invitations", map[string]any{"email": "joiner@dist.example", "role": "staff"}, http.StatusCreated, &inv)
	if inv.Link != "/join/"+inv.Token || inv.Token == "" {
		t.Fatalf("invitation %+v", inv)
	}
	joiner := s.anonymous()
	var rev map[string]any
	joiner.must(http.MethodGet, "/team-invitations/"+inv.Token, nil, http.StatusOK, &rev)
	if rev["account_name"] != "Distributor" || rev["role"] != "staff" {
		t.Fatalf("review %v", rev)
	}
	joiner.must(http.MethodPost, "/team-invitations/"+inv.Token+"/accept", map[string]any{"full_name": "J", "password": "Sup3r-secret"}, http.StatusCreated, nil)
	joiner.must(http.MethodPost, "/team-invitations/"+inv.Token+"/accept", map[string]any{"full_name": "J", "password": "Sup3r-secret"}, http.StatusGone, nil)
	var me api.Me
	s.signIn("joiner@dist.example", "Sup3r-secret").must(http.MethodGet, "/me", nil, http.StatusOK, &me)
	if me.Role != partnerkit.RoleStaff {
		t.Fatalf("joined as %s", me.Role)
	}

	// Sign-in throttling answers 429 with Retry-After.
	anon := s.anonymous()
	for range partners.MaxLoginFailures {
		anon.must(http.MethodPost, "/session", map[string]string{"email": "admin@dist.example", "password": "nope"}, http.StatusUnauthorized, nil)
	}
	res, _ = anon.do(http.MethodPost, "/session", map[string]string{"email": "admin@dist.example", "password": "Sup3r-secret"})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("throttled sign-in: %d", res.StatusCode)
	}
}

// onEveryStore runs fn on a fresh memory server and a fresh SQLite server,
// each with a root provider bootstrapped (root@provider.example signs in);
// root is its admin.
func onEveryStore(t *testing.T, fn func(t *testing.T, s *server, root partnerkit.Actor)) {
	t.Helper()
	for _, sqlite := range []bool{false, true} {
		name := "memory"
		if sqlite {
			name = "sqlite"
		}
		t.Run(name, func(t *testing.T) {
			s := newServer(t, sqlite)
			account, admin, err := s.cfg.Partners.Bootstrap(context.Background(), partners.BootstrapInput{AccountName: "Provider",
				AdminEmail: "root@provider.example", AdminPassword: "Sup3r-secret"})
			if err != nil {
				t.Fatal(err)
			}
			fn(t, s, partnerkit.Actor{AccountID: account.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin})
		})
	}
}
