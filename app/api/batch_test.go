package api_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
)

// TestPartnersBatch: POST /partners/batch creates every partner or none,
// and its errors name the row.
func TestPartnersBatch(t *testing.T) {
	onEveryStore(t, func(t *testing.T, s *server, _ partnerkit.Actor) {
		admin := s.signIn("root@provider.example", "Sup3r-secret")
		row := func(name, ext string) map[string]any {
			return map[string]any{"type": "reseller", "name": name, "external_id": ext}
		}
		count := func() int {
			var l struct{ Total int }
			admin.must(http.MethodGet, "/partners", nil, http.StatusOK, &l)
			return l.Total
		}
		for _, c := range []struct {
			name   string
			rows   []any
			status int
			field  string
		}{
			{"BadRowNamed", []any{row("A", "A-1"), row("", "A-2"), row("C", "A-3")}, 400, "partners[1].name"},
			{"TwiceInBatch", []any{row("A", "X-1"), row("B", "X-1")}, 400, "partners[1].external_id"},
			{"Empty", []any{}, 400, "partners"},
			{"TooMany", func() []any {
				var rows []any
				for range partners.MaxPartnerBatch + 1 {
					rows = append(rows, row("P", ""))
				}
				return rows
			}(), 400, "partners"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := count()
				res, body := admin.do(http.MethodPost, "/partners/batch", map[string]any{"partners": c.rows})
				if res.StatusCode != c.status || !strings.Contains(string(body), `"`+c.field+`"`) || count() != before {
					t.Fatalf("status %d (want %d), fields %s, %d partners written", res.StatusCode, c.status, body, count()-before)
				}
			})
		}
		var created api.PartnersCreated
		admin.must(http.MethodPost, "/partners/batch", map[string]any{"partners": []any{row("First", "E-1"), row("Second", "E-2")}},
			http.StatusCreated, &created)
		if created.Total != 2 || created.Items[0].Name != "First" || created.Items[1].ExternalID != "E-2" {
			t.Fatalf("created %+v", created)
		}
		res, body := admin.do(http.MethodPost, "/partners/batch", map[string]any{"partners": []any{row("Third", "E-3"), row("Again", "E-1")}})
		if res.StatusCode != 409 || !strings.Contains(string(body), `"partners[1].external_id"`) {
			t.Fatalf("taken external ID: %d %s", res.StatusCode, body)
		}
	})
}

// TestDirectoryRowNames: the documented directory row names every figure
// the domains register, by their own constants.
func TestDirectoryRowNames(t *testing.T) {
	want := map[string]bool{contracts.CountSignedContracts: true, contracts.CountAgreements: true, listings.CountListings: true}
	typ := reflect.TypeOf(api.DirectoryRow{})
	got := map[string]bool{}
	for i := range typ.NumField() {
		if name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ","); name != "" && !typ.Field(i).Anonymous {
			got[name] = true
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DirectoryRow counts %v, registered %v", got, want)
	}
	s := newServer(t, true)
	admin := s.bootstrap("Provider", "admin@provider.example")
	admin.must(http.MethodPost, "/partners", map[string]any{"type": "reseller", "name": "R"}, http.StatusCreated, nil)
	var dir struct {
		Items []map[string]any `json:"items"`
	}
	admin.must(http.MethodGet, "/partners", nil, http.StatusOK, &dir)
	for name := range want {
		if _, ok := dir.Items[0][name]; !ok {
			t.Errorf("the directory row lacks %q: %v", name, dir.Items[0])
		}
	}
}

// TestDirectoryWithoutTotal: ?total=false skips counting and says whether
// more items follow.
func TestDirectoryWithoutTotal(t *testing.T) {
	onEveryStore(t, func(t *testing.T, s *server, _ partnerkit.Actor) {
		admin := s.signIn("root@provider.example", "Sup3r-secret")
		var rows []any
		for i := range 3 {
			rows = append(rows, map[string]any{"type": "reseller", "name": strings.Repeat("p", i+1)})
		}
		admin.must(http.MethodPost, "/partners/batch", map[string]any{"partners": rows}, http.StatusCreated, nil)
		for _, c := range []struct {
			query, rangeHeader string
			items              int
			more               bool
		}{{"limit=2&total=false", "items 0-1/*", 2, true}, {"limit=2&offset=2&total=false", "items 2-2/*", 1, false},
			{"limit=5&offset=9&total=false", "items */*", 0, false}} {
			res, body := admin.do(http.MethodGet, "/partners?"+c.query, nil)
			var got map[string]any
			_ = json.Unmarshal(body, &got)
			items, _ := got["items"].([]any)
			_, hasTotal := got["total"]
			if res.StatusCode != 200 || len(items) != c.items || got["has_more"] != c.more || hasTotal || res.Header.Get("Content-Range") != c.rangeHeader {
				t.Fatalf("%s: %d %s (Content-Range %q)", c.query, res.StatusCode, body, res.Header.Get("Content-Range"))
			}
		}
		if res, _ := admin.do(http.MethodGet, "/partners?total=maybe", nil); res.StatusCode != 400 {
			t.Fatalf("total=maybe: %d", res.StatusCode)
		}
	})
}
