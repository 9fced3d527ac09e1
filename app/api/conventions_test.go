package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/partners"
)

// send is do with extra request headers.
func (u *user) send(method, path string, body any, header map[string]string) (*http.Response, []byte) {
	u.s.t.Helper()
	var sent []byte
	switch b := body.(type) {
	case nil:
	case string:
		sent = []byte(b)
	default:
		sent, _ = json.Marshal(b)
	}
	req, _ := http.NewRequest(method, u.s.srv.URL+"/api/v1"+path, bytes.NewReader(sent))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", u.s.srv.URL)
	if u.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+u.bearer)
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := u.client.Do(req)
	if err != nil {
		u.s.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, data
}

func TestIdempotencyKey(t *testing.T) {
	onEveryStoreServer(t, func(t *testing.T, s *server) {
		admin := s.bootstrap("Distributor", "admin@dist.example")
		key := map[string]string{"Idempotency-Key": "create-alpha-1"}
		partner := map[string]any{"type": "reseller", "name": "Alpha"}

		first, body1 := admin.send(http.MethodPost, "/partners", partner, key)
		if first.StatusCode != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first: %d %s", first.StatusCode, body1)
		}
		t.Run("ReplayAnswersTheFirstResponse", func(t *testing.T) {
			again, body2 := admin.send(http.MethodPost, "/partners", partner, key)
			if again.StatusCode != http.StatusCreated || !bytes.Equal(body1, body2) || again.Header.Get("Idempotent-Replayed") != "true" ||
				again.Header.Get("Location") != first.Header.Get("Location") || again.Header.Get("ETag") != first.Header.Get("ETag") {
				t.Fatalf("replay: %d %v %s", again.StatusCode, again.Header, body2)
			}
			var dir struct{ Total int }
			admin.must(http.MethodGet, "/partners", nil, http.StatusOK, &dir)
			if dir.Total != 1 {
				t.Fatalf("%d partners after a replay, want 1", dir.Total)
			}
		})
		t.Run("ErrOtherBody", func(t *testing.T) {
			res, body := admin.send(http.MethodPost, "/partners", map[string]any{"type": "reseller", "name": "Beta"}, key)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"idempotency_key_reused"`) {
				t.Fatalf("same key, other body: %d %s", res.StatusCode, body)
			}
		})
		t.Run("ErrOtherRoute", func(t *testing.T) {
			res, _ := admin.send(http.MethodPost, "/clients", partner, key)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("same key, other route: %d", res.StatusCode)
			}
		})
		t.Run("PerActor", func(t *testing.T) {
			admin.must(http.MethodPost, "/team", map[string]any{"email": "staff@dist.example", "full_name": "Staff",
				"password": "Sup3r-secret", "role": "staff"}, http.StatusCreated, nil)
			other := s.signIn("staff@dist.example", "Sup3r-secret")
			res, body := other.send(http.MethodPost, "/partners", partner, key)
			if res.StatusCode != http.StatusCreated || res.Header.Get("Idempotent-Replayed") != "" || bytes.Equal(body, body1) {
				t.Fatalf("another actor's key: %d %s", res.StatusCode, body)
			}
		})
		t.Run("BadInputLeavesTheKeyFree", func(t *testing.T) {
			k := map[string]string{"Idempotency-Key": "fix-and-retry"}
			res, _ := admin.send(http.MethodPost, "/partners", map[string]any{"type": "reseller"}, k)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("bad input: %d", res.StatusCode)
			}
			res, body := admin.send(http.MethodPost, "/partners", map[string]any{"type": "reseller", "name": "Fixed"}, k)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("the corrected retry: %d %s", res.StatusCode, body)
			}
		})
		t.Run("ErrBadKey", func(t *testing.T) {
			res, body := admin.send(http.MethodPost, "/partners", partner, map[string]string{"Idempotency-Key": strings.Repeat("k", 256)})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Idempotency-Key") {
				t.Fatalf("a long key: %d %s", res.StatusCode, body)
			}
		})
	})
}

// onEveryStoreServer runs fn on a memory server and on a SQLite one.
func onEveryStoreServer(t *testing.T, fn func(t *testing.T, s *server)) {
	for _, sqlite := range []bool{false, true} {
		name := "memory"
		if sqlite {
			name = "sqlite"
		}
		t.Run(name, func(t *testing.T) { fn(t, newServer(t, sqlite)) })
	}
}

// Of concurrent requests with one key, one runs and the others get 409
// at once (they do not wait); a retry after it answered gets its answer.
func TestIdempotencyKeyConcurrent(t *testing.T) {
	onEveryStoreServer(t, func(t *testing.T, s *server) {
		admin := s.bootstrap("Distributor", "admin@dist.example")
		key := map[string]string{"Idempotency-Key": "concurrent"}
		var wg sync.WaitGroup
		statuses := make([]int, 6)
		for i := range statuses {
			wg.Go(func() {
				res, _ := admin.send(http.MethodPost, "/partners", map[string]any{"type": "reseller", "name": "Gamma"}, key)
				statuses[i] = res.StatusCode
			})
		}
		wg.Wait()
		created := 0
		for _, st := range statuses {
			switch st {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
			default:
				t.Errorf("status %d", st)
			}
		}
		var dir struct{ Total int }
		admin.must(http.MethodGet, "/partners", nil, http.StatusOK, &dir)
		if created < 1 || dir.Total != 1 {
			t.Fatalf("statuses %v, %d partners, want one created", statuses, dir.Total)
		}
	})
}

// The idempotency records live in the store the API is given: on SQL
// servers a table (idempotency/bunstore), so two API instances on one
// database share them.
func TestIdempotencyAcrossInstances(t *testing.T) {
	s := newServer(t, true)
	if s.cfg.Idempotency == nil {
		t.Fatal("the SQL wiring gives the API no idempotency store")
	}
	admin := s.bootstrap("Distributor", "admin@dist.example")
	key := s.apiKey(admin)
	for i := range 2 {
		h := api.New(s.cfg) // another instance on the same database
		req, _ := http.NewRequest(http.MethodPost, "/api/v1/partners", strings.NewReader(`{"type":"reseller","name":"Shared"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "across")
		req.Header.Set("Authorization", "Bearer "+key)
		rec := &recorder{header: http.Header{}}
		h.ServeHTTP(rec, req)
		if rec.status != http.StatusCreated || (i == 1) != (rec.header.Get("Idempotent-Replayed") == "true") {
			t.Fatalf("instance %d: %d %v %s", i, rec.status, rec.header, rec.body.String())
		}
	}
}

// apiKey creates an admin API key of u's account.
func (s *server) apiKey(u *user) string {
	s.t.Helper()
	var key api.CreatedAPIKey
	u.must(http.MethodPost, "/api-keys", map[string]any{"description": "test", "role": "admin"}, http.StatusCreated, &key)
	return key.Key
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func TestETagAndIfMatch(t *testing.T) {
	onEveryStoreServer(t, func(t *testing.T, s *server) {
		admin := s.bootstrap("Distributor", "admin@dist.example")
		var p struct {
			ID      string
			Version int
		}
		res, body := admin.send(http.MethodPost, "/partners", map[string]any{"type": "reseller", "name": "Alpha"}, nil)
		_ = json.Unmarshal(body, &p)
		if res.Header.Get("ETag") != `"`+strconv.Itoa(p.Version)+`"` || res.Header.Get("Location") != "/api/v1/partners/"+p.ID {
			t.Fatalf("201: ETag %q, Location %q, body %s", res.Header.Get("ETag"), res.Header.Get("Location"), body)
		}
		res, _ = admin.send(http.MethodGet, "/partners/"+p.ID, nil, nil)
		etag := res.Header.Get("ETag")
		if etag != `"`+strconv.Itoa(p.Version)+`"` {
			t.Fatalf("GET: ETag %q, version %d", etag, p.Version)
		}
		t.Run("Matching", func(t *testing.T) {
			res, body := admin.send(http.MethodPatch, "/partners/"+p.ID, map[string]any{"name": "Alpha 2"}, map[string]string{"If-Match": etag})
			var after struct{ Version int }
			_ = json.Unmarshal(body, &after)
			if res.StatusCode != http.StatusOK || after.Version != p.Version+1 || res.Header.Get("ETag") != `"`+strconv.Itoa(after.Version)+`"` {
				t.Fatalf("PATCH with a matching If-Match: %d %q %s", res.StatusCode, res.Header.Get("ETag"), body)
			}
		})
		t.Run("ErrStale", func(t *testing.T) {
			res, body := admin.send(http.MethodPatch, "/partners/"+p.ID, map[string]any{"name": "Alpha 3"}, map[string]string{"If-Match": etag})
			if res.StatusCode != http.StatusPreconditionFailed || !strings.Contains(string(body), `"precondition_failed"`) {
				t.Fatalf("PATCH with a stale If-Match: %d %s", res.StatusCode, body)
			}
			res, _ = admin.send(http.MethodPost, "/partners/"+p.ID+"/suspend", nil, map[string]string{"If-Match": etag})
			if res.StatusCode != http.StatusPreconditionFailed {
				t.Fatalf("an action with a stale If-Match: %d", res.StatusCode)
			}
			res, _ = admin.send(http.MethodDelete, "/partners/"+p.ID, nil, map[string]string{"If-Match": `"999"`})
			if res.StatusCode != http.StatusPreconditionFailed {
				t.Fatalf("DELETE with a stale If-Match: %d", res.StatusCode)
			}
		})
		t.Run("ErrBodyVersionDisagrees", func(t *testing.T) {
			res, _ := admin.send(http.MethodGet, "/partners/"+p.ID, nil, nil)
			res2, body := admin.send(http.MethodPatch, "/partners/"+p.ID, map[string]any{"name": "Alpha 4", "version": 1},
				map[string]string{"If-Match": res.Header.Get("ETag")})
			if res2.StatusCode != http.StatusPreconditionFailed {
				t.Fatalf("If-Match and a body version that disagree: %d %s", res2.StatusCode, body)
			}
		})
		t.Run("Star", func(t *testing.T) {
			res, _ := admin.send(http.MethodPost, "/partners/"+p.ID+"/suspend", nil, map[string]string{"If-Match": "*"})
			if res.StatusCode != http.StatusOK {
				t.Fatalf("If-Match: * on an existing resource: %d", res.StatusCode)
			}
			res, _ = admin.send(http.MethodPost, "/partners/PA-nothing/suspend", nil, map[string]string{"If-Match": "*"})
			if res.StatusCode != http.StatusNotFound {
				t.Fatalf("If-Match: * on a missing resource: %d", res.StatusCode)
			}
		})
	})
}

func TestMethodNotAllowed(t *testing.T) {
	s := newServer(t, false)
	admin := s.bootstrap("Distributor", "admin@dist.example")
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodPut, "/partners/PA-x", "DELETE, GET, HEAD, PATCH"},
		{http.MethodDelete, "/partners", "GET, HEAD, POST"},
		{http.MethodGet, "/session", "DELETE, POST"},
	} {
		res, body := admin.send(c.method, c.path, nil, nil)
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != c.allow || !strings.Contains(string(body), `"method_not_allowed"`) {
			t.Errorf("%s %s: %d Allow %q %s", c.method, c.path, res.StatusCode, res.Header.Get("Allow"), body)
		}
	}
	res, _ := admin.send(http.MethodGet, "/no-such-thing", nil, nil)
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown path: %d", res.StatusCode)
	}
}

func TestUnsupportedMediaType(t *testing.T) {
	s := newServer(t, false)
	admin := s.bootstrap("Distributor", "admin@dist.example")
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		res, body := admin.send(http.MethodPost, "/partners", `{"type":"reseller","name":"x"}`, map[string]string{"Content-Type": ct})
		if res.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(body), `"unsupported_media_type"`) {
			t.Errorf("Content-Type %q: %d %s", ct, res.StatusCode, body)
		}
	}
	res, _ := admin.send(http.MethodPost, "/partners", `{"type":"reseller","name":"x"}`, map[string]string{"Content-Type": "application/json; charset=utf-8"})
	if res.StatusCode != http.StatusCreated {
		t.Errorf("JSON with a charset: %d", res.StatusCode)
	}
}

func TestRateLimit(t *testing.T) {
	// One request per 4 s refills the bucket: the four requests below fit
	// in that time however slow the machine (a race build on shared cores).
	s := newServerWith(t, false, func(cfg *api.Config) { cfg.RateLimit = api.RateLimit{PerSecond: 0.25, Burst: 3} })
	anon := s.anonymous()
	var last *http.Response
	for i := range 4 {
		res, body := anon.send(http.MethodGet, "/openapi.json", nil, nil)
		last = res
		remaining, _ := strconv.Atoi(res.Header.Get("RateLimit-Remaining"))
		if res.Header.Get("RateLimit-Limit") != "3" || res.Header.Get("RateLimit-Reset") == "" {
			t.Fatalf("request %d: headers %v", i, res.Header)
		}
		if i < 3 && (res.StatusCode != http.StatusOK || remaining != 2-i) {
			t.Fatalf("request %d: %d, remaining %d", i, res.StatusCode, remaining)
		}
		if i == 3 && (res.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), `"rate_limited"`)) {
			t.Fatalf("request %d: %d %s", i, res.StatusCode, body)
		}
	}
	wait, _ := strconv.Atoi(last.Header.Get("Retry-After"))
	if wait < 1 || wait > 4 {
		t.Fatalf("Retry-After %q, want at most 4 s (one request per 4 s)", last.Header.Get("Retry-After"))
	}
	time.Sleep(time.Duration(wait)*time.Second + 100*time.Millisecond)
	if res, _ := anon.send(http.MethodGet, "/openapi.json", nil, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("after Retry-After: %d", res.StatusCode)
	}
	// An API key has a bucket of its own, whatever its address spent.
	ctx := context.Background()
	root, admin, err := s.cfg.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "root@provider.example", AdminPassword: "Sup3r-secret"})
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := s.cfg.Partners.CreateAPIKey(ctx, partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin},
		partners.APIKeyInput{Description: "bot", Role: partnerkit.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		anon.send(http.MethodGet, "/openapi.json", nil, nil)
	}
	bot := &user{s: s, client: http.DefaultClient, bearer: key}
	if res, _ := bot.send(http.MethodGet, "/me", nil, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("an API key after its address's bucket ran dry: %d", res.StatusCode)
	}
}
