package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
)

// goInternals are fragments of Go error texts that must never reach a user.
var goInternals = []string{"can't convert", "15:04:05", "illegal base64", "json: ", "cannot unmarshal", "strconv", "reflect", "invalid UTF-8 in"}

// TestHostileInput sends NUL bytes, control characters, invalid UTF-8,
// blank names, huge offsets and malformed values in every place a request
// carries text — JSON fields at any depth, query and path parameters, the
// sign-in body — on the memory store and on SQLite: each is a 400 naming
// the field in words for people, never a 500.
func TestHostileInput(t *testing.T) {
	onEveryStore(t, func(t *testing.T, s *server, _ partnerkit.Actor) {
		admin := s.signIn("root@provider.example", "Sup3r-secret")
		anon := s.anonymous()
		cases := []struct {
			name         string
			as           *user
			method, path string
			body         any
			field        string // "" for an error about the whole request
			message      string // a fragment of the message, if any
		}{
			{"NULInJSONField", admin, "POST", "/partners", `{"type":"vendor","name":"Bad\u0000Name"}`, "name", partnerkit.ProblemControl},
			{"NULInNestedField", admin, "POST", "/partners", `{"type":"vendor","name":"x","business_contact":{"name":"a\u0000"}}`, "business_contact.name", ""},
			{"NULInQuery", admin, "GET", "/partners?q=a%00b", nil, "q", ""},
			{"NULInQueryOfAnyRoute", admin, "GET", "/contracts?partner_id=%00", nil, "partner_id", ""},
			{"NULInUnknownQuery", admin, "GET", "/partners?colour=%00", nil, "colour", ""},
			{"NULInPath", admin, "GET", "/partners/PA-%00", nil, "id", ""},
			{"NULInPathOfList", admin, "GET", "/agreements/AGR-%00/versions", nil, "id", ""},
			{"NULInVersionNumber", admin, "GET", "/agreements/AGR-x/versions/1%00/document", nil, "n", ""},
			{"NULInPublicToken", anon, "GET", "/invitations/abc%00", nil, "token", ""},
			{"NULInTeamToken", anon, "POST", "/team-invitations/%00/accept", `{"full_name":"x","password":"Sup3r-secret"}`, "token", ""},
			{"LongPathID", admin, "GET", "/partners/PA-" + strings.Repeat("x", partnerkit.MaxIDLength), nil, "id", partnerkit.ProblemIDTooLong},
			{"NULInSessionEmail", anon, "POST", "/session", `{"email":"root@provider.example\u0000","password":"Sup3r-secret"}`, "email", ""},
			{"NULInSessionPassword", anon, "POST", "/session", `{"email":"root@provider.example","password":"Sup3r\u0000secret"}`, "password", ""},
			{"InvalidUTF8InField", admin, "POST", "/partners", "{\"type\":\"vendor\",\"name\":\"Bad\xffName\"}", "name", partnerkit.ProblemUTF8},
			{"InvalidUTF8Nested", admin, "POST", "/catalog/services", "{\"name\":\"S\",\"plans\":[{\"name\":\"P\"},{\"name\":\"\xc3\"}]}", "plans[1].name", partnerkit.ProblemUTF8},
			{"InvalidUTF8InQuery", admin, "GET", "/partners?q=%ff", nil, "q", partnerkit.ProblemUTF8},
			{"ZeroWidthName", admin, "POST", "/partners", `{"type":"vendor","name":"\u200b\u200d\ufeff\u2060"}`, "name", "is required"},
			{"ZeroWidthItemName", admin, "POST", "/catalog/services", `{"name":"S","plans":[{"name":"\u200b","billing_period":"monthly"}]}`, "plans[0].name", "is required"},
			{"BlankAgreementName", admin, "POST", "/agreements", `{"type":"program","name":"\u3000\u00a0\u200c"}`, "name", "is required"},
			{"ControlInSingleLine", admin, "POST", "/partners", `{"type":"vendor","name":"tab\there"}`, "name", partnerkit.ProblemControl},
			{"NewlineInSingleLine", admin, "POST", "/agreements", `{"type":"program","name":"two\nlines"}`, "name", ""},
			{"C1ControlInName", admin, "POST", "/partners", `{"type":"vendor","name":"a\u0085b"}`, "name", ""},
			{"NULInMultiLine", admin, "POST", "/agreements", `{"type":"program","name":"A","description":"a\nb\u0000"}`, "description", partnerkit.ProblemControlMultiline},
			{"BellInMultiLine", admin, "POST", "/products", `{"name":"P","description":"ding\u0007","items":[]}`, "description", ""},
			{"NULInReason", admin, "POST", "/deals/DL-x/approve", `{"reason":"ok\u0000"}`, "reason", ""},
			{"HugeOffset", admin, "GET", "/partners?offset=9223372036854775807", nil, "offset", ""},
			{"OffsetOverflow", admin, "GET", "/marketplaces?offset=99999999999999999999999", nil, "offset", ""},
			{"NegativeLimit", admin, "GET", "/partners?limit=-5", nil, "limit", ""},
			{"ZeroLimit", admin, "GET", "/partners?limit=0", nil, "limit", "between 1 and 500"},
			{"ZeroLimitOnWholeList", admin, "GET", "/team?limit=0", nil, "limit", ""},
			{"UnknownSort", admin, "GET", "/partners?sort=bogus", nil, "sort", "must be one of: name, created_at, -name, -created_at"},
			{"UnknownSortOnWholeList", admin, "GET", "/marketplaces?sort=bogus", nil, "sort", ""},
			{"MalformedQuery", admin, "GET", "/partners?q=%zz", nil, "", "query string"},
			{"BadDecimalDeep", admin, "POST", "/catalog/services", `{"name":"S","plans":[{"name":"P","resources":[{"name":"r","unit":"u","unit_price":"abc"}]}]}`, "plans[0].resources[0].unit_price", "decimal number"},
			{"BadTimeDeep", admin, "POST", "/usage", `{"samples":[{},{},{},{"timestamp":"yesterday"}]}`, "samples[3].timestamp", "date and time"},
			{"BadBase64", admin, "POST", "/agreements", `{"type":"program","name":"A","document":{"kind":"file","file_name":"a.txt","content":"!!!"}}`, "document.content", "base64"},
			{"WrongTypeDeep", admin, "POST", "/catalog/services", `{"name":"S","plans":[{"name":"P","trial_days":"ten"}]}`, "plans[0].trial_days", "whole number"},
			{"IntOutOfRange", admin, "POST", "/catalog/services", `{"name":"S","plans":[{"name":"P","trial_days":1e999}]}`, "plans[0].trial_days", ""},
			{"UnknownNestedField", admin, "POST", "/partners", `{"type":"vendor","name":"x","business_contact":{"nmae":"x"}}`, "business_contact.nmae", "not a known field"},
			{"NotAnObject", admin, "POST", "/partners", `[1,2]`, "", "the request body must be a JSON object"},
			{"ArrayForObject", admin, "POST", "/onboarding", `{"partner":[]}`, "partner", "must be a JSON object"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res, data := c.as.do(c.method, c.path, c.body)
				var eb errorBody
				if err := json.Unmarshal(data, &eb); err != nil || res.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %s", res.StatusCode, data)
				}
				if c.field != "" && eb.Error.Fields[c.field] == "" {
					t.Fatalf("error does not name %q: %s", c.field, data)
				}
				if !strings.Contains(eb.Error.Message, c.message) {
					t.Fatalf("message %q does not say %q", eb.Error.Message, c.message)
				}
				for _, internal := range goInternals {
					if strings.Contains(eb.Error.Message, internal) || strings.Contains(eb.Error.Fields[c.field], internal) {
						t.Fatalf("Go internals %q reach the user: %s", internal, data)
					}
				}
			})
		}
		t.Run("MultiLineAcceptsTabsAndNewlines", func(t *testing.T) {
			admin.must("POST", "/agreements", `{"type":"program","name":"Terms","description":"line one\r\nline two\n\tindented"}`, http.StatusCreated, nil)
		})
		t.Run("MessageDoesNotRepeatTheFields", func(t *testing.T) {
			var eb errorBody
			admin.must("POST", "/partners", `{"type":"wizard","name":""}`, http.StatusBadRequest, &eb)
			if len(eb.Error.Fields) != 2 || strings.Contains(eb.Error.Message, "type") || strings.Count(eb.Error.Message, "is required") != 1 {
				t.Fatalf("message %q, fields %v", eb.Error.Message, eb.Error.Fields)
			}
		})
	})
}

// listRoutes are every list route with the path a test can call: IDs in a
// path are made up (the list checks come first, the service answers 404).
var listRoutes = map[string]string{
	"GET /partners":                            "/partners",
	"GET /partners/{id}/users":                 "/partners/PA-x/users",
	"GET /team":                                "/team",
	"GET /api-keys":                            "/api-keys",
	"GET /audit":                               "/audit?entity_id=PA-x",
	"GET /agreements":                          "/agreements",
	"GET /agreements/{id}/versions":            "/agreements/AGR-x/versions",
	"GET /marketplaces":                        "/marketplaces",
	"GET /contracts":                           "/contracts",
	"GET /contracts/{id}/events":               "/contracts/CTR-x/events",
	"GET /capacity/contracts":                  "/capacity/contracts",
	"GET /capacity/contracts/{id}/allocations": "/capacity/contracts/CTR-x/allocations",
	"GET /storage-accounts":                    "/storage-accounts",
	"GET /deals":                               "/deals",
	"GET /products":                            "/products",
	"GET /listings":                            "/listings",
	"GET /catalog/services":                    "/catalog/services",
	"GET /catalog":                             "/catalog",
	"GET /clients":                             "/clients",
	"GET /subscriptions":                       "/subscriptions",
	"GET /subscriptions/{id}/history":          "/subscriptions/SUB-x/history",
	"GET /charges":                             "/charges",
}

// TestEveryListPagesAndSorts proves that every list route reads limit,
// offset and sort the same way: a bad one is a 400 naming it, every
// accepted sort is accepted (on SQLite it reaches the store's ORDER BY),
// and the whole lists (team, API keys, marketplaces, ...) page too.
func TestEveryListPagesAndSorts(t *testing.T) {
	onEveryStore(t, func(t *testing.T, s *server, root partnerkit.Actor) {
		admin := s.signIn("root@provider.example", "Sup3r-secret")
		documented := 0
		for _, r := range s.api.Routes() {
			path, ok := listRoutes[r.Method+" "+r.Path]
			if !ok {
				continue
			}
			documented++
			path = strings.ReplaceAll(path, "PA-x", root.AccountID)
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			t.Run(strings.TrimPrefix(r.Path, "/"), func(t *testing.T) {
				for _, bad := range []struct{ query, field string }{
					{"limit=0", "limit"}, {"limit=501", "limit"}, {"limit=-5", "limit"}, {"limit=ten", "limit"},
					{"offset=-1", "offset"}, {"offset=1000000001", "offset"}, {"offset=9223372036854775808", "offset"},
					{"sort=bogus", "sort"}, {"sort=-", "sort"}, {"sort=", ""},
				} {
					res, data := admin.do(http.MethodGet, path+sep+bad.query, nil)
					if bad.field == "" { // sort= is the default order
						if res.StatusCode == http.StatusBadRequest || res.StatusCode >= 500 {
							t.Fatalf("%s: status %d: %s", bad.query, res.StatusCode, data)
						}
						continue
					}
					var eb errorBody
					_ = json.Unmarshal(data, &eb)
					if res.StatusCode != http.StatusBadRequest || eb.Error.Fields[bad.field] == "" {
						t.Fatalf("%s: status %d, want 400 naming %s: %s", bad.query, res.StatusCode, bad.field, data)
					}
				}
				var openapi struct {
					Paths map[string]map[string]struct {
						Parameters []struct {
							Name   string `json:"name"`
							Schema struct {
								Enum []string `json:"enum"`
							} `json:"schema"`
						} `json:"parameters"`
					} `json:"paths"`
				}
				admin.must(http.MethodGet, "/openapi.json", nil, http.StatusOK, &openapi)
				var sorts []string
				var names []string
				for _, p := range openapi.Paths["/api/v1"+r.Path]["get"].Parameters {
					names = append(names, p.Name)
					if p.Name == "sort" {
						sorts = p.Schema.Enum
					}
				}
				if !slices.Contains(names, "limit") || !slices.Contains(names, "offset") || len(sorts) == 0 {
					t.Fatalf("the OpenAPI document does not declare limit, offset and sort with its values: %v %v", names, sorts)
				}
				for _, sort := range sorts {
					res, data := admin.do(http.MethodGet, path+sep+"limit=1&offset=0&sort="+sort, nil)
					if res.StatusCode == http.StatusBadRequest || res.StatusCode >= 500 {
						t.Fatalf("sort=%s: status %d: %s", sort, res.StatusCode, data)
					}
				}
			})
		}
		if documented != len(listRoutes) {
			t.Fatalf("%d of %d list routes are mounted", documented, len(listRoutes))
		}
	})
}

// TestListsSortAndPage checks the order and the window of lists a store
// pages (partners, agreements) and of lists a service returns whole
// (marketplaces, team, API keys).
func TestListsSortAndPage(t *testing.T) {
	onEveryStore(t, func(t *testing.T, s *server, _ partnerkit.Actor) {
		admin := s.signIn("root@provider.example", "Sup3r-secret")
		for _, n := range []string{"Bravo", "alpha", "Charlie"} {
			admin.must(http.MethodPost, "/partners", map[string]any{"type": "vendor", "name": n}, http.StatusCreated, nil)
			admin.must(http.MethodPost, "/marketplaces", map[string]any{"name": n + " market", "currency": "USD"}, http.StatusCreated, nil)
			admin.must(http.MethodPost, "/agreements", map[string]any{"type": "program", "name": n + " terms"}, http.StatusCreated, nil)
			admin.must(http.MethodPost, "/api-keys", map[string]any{"description": n + " key", "role": "viewer"}, http.StatusCreated, nil)
			admin.must(http.MethodPost, "/team", map[string]any{"email": strings.ToLower(n) + "@provider.example",
				"full_name": n + " Person", "password": "Sup3r-secret", "role": "viewer"}, http.StatusCreated, nil)
		}
		type item struct {
			Name        string `json:"name"`
			Description string `json:"description"`
			User        struct {
				FullName string `json:"full_name"`
			} `json:"user"`
		}
		cases := []struct {
			path         string
			want         []string
			total        int
			contentRange string
		}{
			{"/partners?sort=name", []string{"alpha", "Bravo", "Charlie"}, 3, "items 0-2/3"},
			{"/partners?sort=-name&limit=2", []string{"Charlie", "Bravo"}, 3, "items 0-1/3"},
			{"/partners?sort=-created_at&limit=1&offset=1", []string{"alpha"}, 3, "items 1-1/3"},
			{"/partners?offset=3", []string{}, 3, "items */3"},
			{"/agreements?sort=-name", []string{"Charlie terms", "Bravo terms", "alpha terms"}, 3, "items 0-2/3"},
			{"/agreements?sort=created_at&limit=2", []string{"Bravo terms", "alpha terms"}, 3, "items 0-1/3"},
			{"/marketplaces", []string{"alpha market", "Bravo market", "Charlie market"}, 3, "items 0-2/3"},
			{"/marketplaces?sort=-name&limit=1", []string{"Charlie market"}, 3, "items 0-0/3"},
			{"/marketplaces?sort=created_at&offset=1", []string{"alpha market", "Charlie market"}, 3, "items 1-2/3"},
			{"/api-keys", []string{"Charlie key", "alpha key", "Bravo key"}, 3, "items 0-2/3"},
			{"/api-keys?sort=description&limit=2", []string{"alpha key", "Bravo key"}, 3, "items 0-1/3"},
			{"/team?sort=-full_name&limit=2", []string{"Charlie Person", "Bravo Person"}, 4, "items 0-1/4"},
			{"/team?offset=1&limit=1", []string{"Bravo Person"}, 4, "items 1-1/4"},
		}
		for _, c := range cases {
			t.Run(c.path, func(t *testing.T) {
				res, data := admin.do(http.MethodGet, c.path, nil)
				var list struct {
					Items []item `json:"items"`
					Total int    `json:"total"`
				}
				if err := json.Unmarshal(data, &list); err != nil || res.StatusCode != http.StatusOK {
					t.Fatalf("status %d: %s", res.StatusCode, data)
				}
				got := []string{}
				for _, it := range list.Items {
					got = append(got, it.Name+it.Description+it.User.FullName)
				}
				if !slices.Equal(got, c.want) || list.Total != c.total || res.Header.Get("Content-Range") != c.contentRange {
					t.Fatalf("got %v total %d range %q; want %v total %d range %q", got, list.Total,
						res.Header.Get("Content-Range"), c.want, c.total, c.contentRange)
				}
			})
		}
	})
}

// TestHugeOffsetsNeverPanic pages past the end at the largest offset on
// every paged list of the memory store and SQLite.
func TestHugeOffsetsNeverPanic(t *testing.T) {
	onEveryStore(t, func(t *testing.T, s *server, root partnerkit.Actor) {
		admin := s.signIn("root@provider.example", "Sup3r-secret")
		admin.must(http.MethodPost, "/partners", map[string]any{"type": "vendor", "name": "V"}, http.StatusCreated, nil)
		for key, path := range listRoutes {
			path = strings.ReplaceAll(path, "PA-x", root.AccountID)
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			res, data := admin.do(http.MethodGet, path+sep+"limit=500&offset="+strconv.Itoa(partnerkit.MaxOffset), nil)
			if res.StatusCode >= 500 || res.StatusCode == http.StatusBadRequest {
				t.Errorf("%s: status %d: %s", key, res.StatusCode, data)
			}
		}
	})
}

// TestUsageBytesNeverOverflow: a sample's bytes are bounded, so a day's
// rollup (a sum of up to 86,400 samples) never overflows a store (it was a
// 500 on SQLite and PostgreSQL from the second batch of MaxInt64 samples).
func TestUsageBytesNeverOverflow(t *testing.T) {
	for _, a := range newFuzzAPIs(t) {
		t.Run(a.name, func(t *testing.T) {
			for i, c := range []struct {
				bytes  string
				status int
			}{{"9223372036854775807", 400}, {"9223372036854775807", 400}, {"100000000000000", 200}, {"100000000000000", 200}} {
				body := a.expand([]byte(`{"samples":[{"storage_account_id":"$SA","timestamp":"2025-01-01T00:00:0` + strconv.Itoa(i) +
					`Z","bytes":` + c.bytes + `}]}`))
				req := httptest.NewRequest(http.MethodPost, "/api/v1/usage", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+a.key)
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				a.h.ServeHTTP(rec, req)
				if rec.Code != c.status || c.status == 400 && !strings.Contains(rec.Body.String(), "samples[0].bytes") {
					t.Fatalf("batch %d: status %d, want %d: %s", i, rec.Code, c.status, rec.Body.Bytes())
				}
			}
		})
	}
}
