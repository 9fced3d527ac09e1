package api_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/app/api"
	wiring "github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/shopspring/decimal"
)

// The fuzz targets drive the real handler (api.New on real services) on the
// memory store and on SQLite with every input, and fail on any 5xx or panic
// (the handler turns a panic into a 500). Their seed corpora live in
// testdata/fuzz/<FuzzName>/; `make fuzz` runs each for 30 s.

// fuzzAPI is one API on one store, with a bootstrapped root, an admin API
// key and a few entities whose IDs stand in for path values.
type fuzzAPI struct {
	name string
	h    http.Handler
	key  string
	// ids maps the first path segment of a route ("partners") to an ID that
	// exists there.
	ids map[string]string
}

// newFuzzAPIs builds the API on the memory store and on SQLite.
func newFuzzAPIs(tb testing.TB) []*fuzzAPI {
	tb.Helper()
	opts := wiring.Options{Hasher: storetest.CheapHasher}
	var out []*fuzzAPI
	for _, name := range []string{"memory", "sqlite"} {
		cfg := wiring.Memory(opts)
		if name == "sqlite" {
			cfg = wiring.SQL(testdb.SQLite(tb), opts)
		}
		cfg.Logger = slog.New(slog.DiscardHandler)
		cfg.RateLimit = api.RateLimit{PerSecond: -1} // every input reaches a handler, however fast they come
		out = append(out, seedFuzzAPI(tb, name, cfg))
	}
	return out
}

func seedFuzzAPI(tb testing.TB, name string, cfg api.Config) *fuzzAPI {
	tb.Helper()
	ctx := context.Background()
	root, admin, err := cfg.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "root@provider.example", AdminPassword: "Sup3r-secret"})
	if err != nil {
		tb.Fatal(err)
	}
	actor := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
	_, key, err := cfg.Partners.CreateAPIKey(ctx, actor, partners.APIKeyInput{Description: "fuzz", Role: partnerkit.RoleAdmin})
	if err != nil {
		tb.Fatal(err)
	}
	vendor, err := cfg.Partners.CreatePartner(ctx, actor, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Vendor"})
	if err != nil {
		tb.Fatal(err)
	}
	agr, err := cfg.Agreements.Create(ctx, actor, agreements.CreateInput{Type: agreements.TypeCapacity, Name: "Capacity terms"})
	if err != nil {
		tb.Fatal(err)
	}
	mp, err := cfg.Contracts.CreateMarketplace(ctx, actor, contracts.MarketplaceInput{Name: "Market", Currency: "USD"})
	if err != nil {
		tb.Fatal(err)
	}
	con, err := cfg.Contracts.Create(ctx, actor, contracts.CreateInput{PartnerID: vendor.ID, AgreementID: agr.ID})
	if err != nil {
		tb.Fatal(err)
	}
	// A distributor on an active capacity contract, its reseller's allocation
	// and storage account: usage can be ingested and reported.
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	dist, err := cfg.Partners.CreatePartner(ctx, actor, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Distributor"})
	must(err)
	distActor := partnerkit.Actor{AccountID: dist.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
	reseller, err := cfg.Partners.CreatePartner(ctx, distActor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Reseller"})
	must(err)
	capCon, err := cfg.Contracts.Create(ctx, actor, contracts.CreateInput{PartnerID: dist.ID, AgreementID: agr.ID})
	must(err)
	_, err = cfg.Contracts.Sign(ctx, actor, capCon.ID)
	must(err)
	_, err = cfg.Contracts.Activate(ctx, actor, capCon.ID)
	must(err)
	_, err = cfg.Capacity.SetTerms(ctx, actor, capCon.ID, capacity.TermsInput{ReservedTB: decimal.NewFromInt(100),
		BillingModel: capacity.BillingReserved, PricePerTB: decimal.NewFromInt(5), ExcessPricePerTB: decimal.NewFromInt(8), Currency: "USD"})
	must(err)
	_, err = cfg.Capacity.SetAllocation(ctx, distActor, reseller.ID, capacity.AllocationInput{ContractID: capCon.ID, AllocatedTB: decimal.NewFromInt(50)})
	must(err)
	sa, err := cfg.Capacity.CreateStorageAccount(ctx, distActor, capacity.StorageAccountInput{PartnerID: reseller.ID, Name: "Bucket",
		QuotaTB: decimal.NewFromInt(10)})
	must(err)
	return &fuzzAPI{name: name, h: api.New(cfg), key: key, ids: map[string]string{
		"partners": vendor.ID, "agreements": agr.ID, "marketplaces": mp.ID, "contracts": con.ID,
		"capacity": capCon.ID, "team": admin.ID, "api-keys": "AK-none", "audit": root.ID,
		"storage-accounts": sa.ID, "reseller": reseller.ID,
	}}
}

// expand replaces the placeholders $SA (a storage account), $PA (a
// reseller with an allocation), $CTR (an active capacity contract) and $AGR
// (an agreement) in a fuzzed body with real IDs, so bodies reach deep.
func (f *fuzzAPI) expand(body []byte) []byte {
	for _, p := range []struct{ placeholder, id string }{
		{"$SA", f.ids["storage-accounts"]}, {"$PA", f.ids["reseller"]}, {"$CTR", f.ids["capacity"]}, {"$AGR", f.ids["agreements"]},
	} {
		body = bytes.ReplaceAll(body, []byte(p.placeholder), []byte(p.id))
	}
	return body
}

// serve sends one request and fails the test on a 5xx.
func (f *fuzzAPI) serve(t *testing.T, method, path, rawQuery string, body []byte) {
	t.Helper()
	req := httptest.NewRequest(method, "/", bytes.NewReader(body))
	req.URL = &url.URL{Path: "/api/v1" + path, RawQuery: rawQuery}
	req.RequestURI = ""
	req.Header.Set("Authorization", "Bearer "+f.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s: %s %s?%q (body %q): status %d: %s", f.name, method, path, rawQuery, body, rec.Code, rec.Body.Bytes())
	}
}

// routes returns the API's routes of the given methods, in a stable order.
func routes(a *api.API, methods ...string) []api.Route {
	var out []api.Route
	for _, r := range a.Routes() {
		if slices.Contains(methods, r.Method) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b api.Route) int { return strings.Compare(a.Method+a.Path, b.Method+b.Path) })
	return out
}

// fill puts value into every {param} of a route's path; the value "$"
// stands for an ID that exists in the route's collection.
func (f *fuzzAPI) fill(path, value string) string {
	segments := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, s := range segments {
		if strings.HasPrefix(s, "{") {
			switch {
			case value == "$" && s == "{n}":
				segments[i] = "1"
			case value == "$":
				segments[i] = f.ids[segments[0]]
			default:
				segments[i] = value
			}
		}
	}
	return "/" + strings.Join(segments, "/")
}

// FuzzJSONBodies posts fuzzed JSON bodies to every route that takes one
// (POST, PUT, PATCH), with real IDs in the path.
func FuzzJSONBodies(f *testing.F) {
	apis := newFuzzAPIs(f)
	writes := routes(apis[0].h.(*api.API), http.MethodPost, http.MethodPut, http.MethodPatch)
	for i, r := range writes {
		f.Add(uint8(i), []byte(fmt.Sprintf(`{"name":"seed %s"}`, r.Path)))
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := writes[int(route)%len(writes)]
		for _, a := range apis {
			a.serve(t, r.Method, a.fill(r.Path, "$"), "", a.expand(body))
		}
	})
}

// FuzzListQueries sends fuzzed query strings and path values to every GET
// route: lists and single resources ("$" as the path value stands for a
// real ID, and the query's placeholders are expanded as in bodies).
func FuzzListQueries(f *testing.F) {
	apis := newFuzzAPIs(f)
	gets := routes(apis[0].h.(*api.API), http.MethodGet)
	for i := range gets {
		f.Add(uint8(i), "$", "limit=10&offset=0")
	}
	f.Fuzz(func(t *testing.T, route uint8, pathValue, query string) {
		r := gets[int(route)%len(gets)]
		for _, a := range apis {
			a.serve(t, r.Method, a.fill(r.Path, pathValue), string(a.expand([]byte(query))), nil)
		}
	})
}
