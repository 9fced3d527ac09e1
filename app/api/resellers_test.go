package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/shopspring/decimal"
)

// seedResellers makes the provider actor's account offer a catalog service
// to its reseller (an active service contract), and the reseller order a
// subscription for a new client. It returns the service, client and
// subscription IDs.
func seedResellers(t *testing.T, s *server, provider partnerkit.Actor, resellerID string) (service, client, subscription string) {
	t.Helper()
	ctx := context.Background()
	cfg := s.cfg
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	agr, err := cfg.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeService, Name: "Reseller Store"})
	check(err)
	c, err := cfg.Contracts.Create(ctx, provider, contracts.CreateInput{PartnerID: resellerID, AgreementID: agr.ID})
	check(err)
	_, err = cfg.Contracts.Sign(ctx, provider, c.ID)
	check(err)
	_, err = cfg.Contracts.Activate(ctx, provider, c.ID)
	check(err)
	svc, err := cfg.Resellers.CreateService(ctx, provider, resellers.ServiceInput{Name: "Cloud Mail", Plans: []resellers.PlanInput{{
		Name: "Business", BillingPeriod: resellers.Monthly, Resources: []resellers.PlanResource{
			{Name: "mailboxes", Unit: "user", UnitPrice: decimal.RequireFromString("4.50"), Min: decimal.NewFromInt(1)}}}}})
	check(err)
	reseller := partnerkit.Actor{AccountID: resellerID, UserID: "UR-reseller", Role: partnerkit.RoleAdmin}
	sub, err := cfg.Resellers.Order(ctx, reseller, resellers.OrderInput{NewClient: &resellers.ClientInput{Name: "Acme"},
		ServiceID: svc.ID, PlanID: svc.Plans[0].ID})
	check(err)
	return svc.ID, sub.ClientID, sub.ID
}

// TestResellersAPI orders, manages and analyses a subscription over HTTP
// on every store.
func TestResellersAPI(t *testing.T) {
	onEveryStore(t, func(t *testing.T, s *server, provider partnerkit.Actor) {
		ctx := context.Background()
		res, err := s.cfg.Partners.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Reseller"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.cfg.Partners.CreateUser(ctx, provider, partners.CreateUserInput{AccountID: res.ID, Email: "m@reseller.example",
			FullName: "Manager", Password: "Sup3r-secret", Role: partnerkit.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		svcID, _, _ := seedResellers(t, s, provider, res.ID)
		u := s.signIn("m@reseller.example", "Sup3r-secret")

		var catalog partnerkit.List[resellers.CatalogService]
		u.must(http.MethodGet, "/catalog", nil, http.StatusOK, &catalog)
		if catalog.Total != 1 || catalog.Items[0].ID != svcID {
			t.Fatalf("catalog = %+v", catalog)
		}
		plan := catalog.Items[0].Plans[0].ID
		var sub resellers.Subscription
		u.must(http.MethodPost, "/subscriptions", map[string]any{"new_client": map[string]any{"name": "Globex"},
			"service_id": svcID, "plan_id": plan, "resources": []any{map[string]any{"name": "mailboxes", "amount": "3"}}}, http.StatusCreated, &sub)
		var eb errorBody
		u.must(http.MethodPost, "/subscriptions", map[string]any{"new_client": map[string]any{"name": "X"},
			"service_id": svcID, "plan_id": plan, "resources": []any{map[string]any{"name": "mailboxes", "amount": "0"}}}, http.StatusBadRequest, &eb)
		if _, ok := eb.Error.Fields["resources[0].amount"]; !ok {
			t.Fatalf("error = %+v", eb)
		}
		u.must(http.MethodPatch, "/subscriptions/"+sub.ID+"/resources", map[string]any{"resources": []any{map[string]any{"name": "mailboxes", "amount": "5"}}}, http.StatusOK, &sub)
		u.must(http.MethodPost, "/subscriptions/"+sub.ID+"/stop", nil, http.StatusOK, &sub)
		u.must(http.MethodPost, "/subscriptions/"+sub.ID+"/renew", nil, http.StatusConflict, &eb)
		if _, ok := eb.Error.Fields["status"]; !ok || !strings.Contains(eb.Error.Message, "stopped") {
			t.Fatalf("renew stopped = %+v", eb)
		}
		u.must(http.MethodPost, "/subscriptions/"+sub.ID+"/activate", nil, http.StatusOK, &sub)
		var history partnerkit.List[resellers.Event]
		u.must(http.MethodGet, "/subscriptions/"+sub.ID+"/history", nil, http.StatusOK, &history)
		if history.Total != 4 {
			t.Fatalf("history = %+v", history)
		}
		var charges partnerkit.List[resellers.Charge]
		u.must(http.MethodGet, "/charges?subscription_id="+sub.ID, nil, http.StatusOK, &charges)
		if charges.Total != 2 || !charges.Items[0].Amount.Equal(decimal.RequireFromString("13.5")) {
			t.Fatalf("charges = %+v", charges)
		}
		var a resellers.Analytics
		u.must(http.MethodGet, "/analytics?by=client", nil, http.StatusOK, &a)
		if len(a.Rows) != 2 || a.Rows[0].Name != "Acme" || a.Rows[1].Name != "Globex" {
			t.Fatalf("analytics = %+v", a)
		}
		u.must(http.MethodGet, "/analytics?by=planet", nil, http.StatusBadRequest, &eb)
		if _, ok := eb.Error.Fields["by"]; !ok {
			t.Fatalf("error = %+v", eb)
		}
		res2, body := u.do(http.MethodGet, "/analytics.csv?by=service", nil)
		if res2.StatusCode != http.StatusOK || !strings.HasPrefix(res2.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(string(body), "Cloud Mail") {
			t.Fatalf("csv: %d %s", res2.StatusCode, body)
		}
		res3, body := u.do(http.MethodGet, "/charges.csv?subscription_id="+sub.ID, nil)
		if res3.StatusCode != http.StatusOK || !strings.HasPrefix(res3.Header.Get("Content-Type"), "text/csv") ||
			strings.Count(string(body), "\n") != 3 || !strings.Contains(string(body), ","+sub.ID+",") ||
			!strings.Contains(string(body), ",13.50,") {
			t.Fatalf("charges csv: %d %s", res3.StatusCode, body)
		}
		u.must(http.MethodGet, "/charges.csv?from=yesterday", nil, http.StatusBadRequest, &eb)
		if _, ok := eb.Error.Fields["from"]; !ok {
			t.Fatalf("error = %+v", eb)
		}
	})
}
