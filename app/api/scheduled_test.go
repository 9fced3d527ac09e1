package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
)

// TestScheduledRuleFields reads and writes the fields of the scheduled
// rules over HTTP on every store: auto_renew on plans and subscriptions
// (PATCH /subscriptions/{id}), alert_thresholds on capacity terms (errors
// naming alert_thresholds[i]), and invitations listed with their status.
func TestScheduledRuleFields(t *testing.T) {
	onEveryStore(t, func(t *testing.T, s *server, provider partnerkit.Actor) {
		ctx := context.Background()
		root := s.signIn("root@provider.example", "Sup3r-secret")

		// A plan that renews automatically, and a subscription that copies it.
		res, err := s.cfg.Partners.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Reseller"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.cfg.Partners.CreateUser(ctx, provider, partners.CreateUserInput{AccountID: res.ID, Email: "m@reseller.example",
			FullName: "Manager", Password: "Sup3r-secret", Role: partnerkit.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		svcID, _, _ := seedResellers(t, s, provider, res.ID)
		var svc resellers.CatalogService
		root.must(http.MethodGet, "/catalog/services/"+svcID, nil, http.StatusOK, &svc)
		in := map[string]any{"name": svc.Name, "version": svc.Version, "plans": []any{map[string]any{"id": svc.Plans[0].ID, "name": "Business",
			"billing_period": "monthly", "auto_renew": true, "resources": []any{map[string]any{"name": "mailboxes", "unit": "user", "unit_price": "4.5", "min": "1", "max": "0"}}}}}
		root.must(http.MethodPatch, "/catalog/services/"+svcID, in, http.StatusOK, &svc)
		if !svc.Plans[0].AutoRenew {
			t.Fatalf("plan = %+v", svc.Plans[0])
		}
		u := s.signIn("m@reseller.example", "Sup3r-secret")
		var sub resellers.Subscription
		u.must(http.MethodPost, "/subscriptions", map[string]any{"new_client": map[string]any{"name": "Globex"},
			"service_id": svcID, "plan_id": svc.Plans[0].ID}, http.StatusCreated, &sub)
		if !sub.AutoRenew {
			t.Fatalf("subscription did not copy the plan's auto_renew: %+v", sub)
		}
		u.must(http.MethodPatch, "/subscriptions/"+sub.ID, map[string]any{"auto_renew": false, "version": sub.Version}, http.StatusOK, &sub)
		if sub.AutoRenew {
			t.Fatalf("auto_renew still on: %+v", sub)
		}
		var eb errorBody
		u.must(http.MethodPatch, "/subscriptions/"+sub.ID, map[string]any{"auto_renew": true, "version": 1}, http.StatusConflict, &eb)
		if _, ok := eb.Error.Fields["version"]; !ok {
			t.Fatalf("stale version: %+v", eb)
		}

		// Capacity terms carry their alert thresholds.
		capAgr, err := s.cfg.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeCapacity, Name: "Capacity"})
		if err != nil {
			t.Fatal(err)
		}
		con, err := s.cfg.Contracts.Create(ctx, provider, contracts.CreateInput{PartnerID: res.ID, AgreementID: capAgr.ID})
		if err != nil {
			t.Fatal(err)
		}
		terms := map[string]any{"reserved_tb": "100", "billing_model": "reserved", "price_per_tb": "5", "excess_price_per_tb": "8", "currency": "USD"}
		var got capacity.Terms
		root.must(http.MethodPut, "/capacity/contracts/"+con.ID+"/terms", terms, http.StatusOK, &got)
		if !slices.Equal(got.AlertThresholds, []int{80, 90, 100}) {
			t.Fatalf("default thresholds = %v", got.AlertThresholds)
		}
		terms["alert_thresholds"] = []int{75, 70}
		root.must(http.MethodPut, "/capacity/contracts/"+con.ID+"/terms", terms, http.StatusBadRequest, &eb)
		if _, ok := eb.Error.Fields["alert_thresholds[1]"]; !ok {
			t.Fatalf("decreasing thresholds: %+v", eb)
		}
		terms["alert_thresholds"] = []int{50, 100}
		root.must(http.MethodPut, "/capacity/contracts/"+con.ID+"/terms", terms, http.StatusOK, &got)
		var list partnerkit.List[capacity.CapacityContract]
		root.must(http.MethodGet, "/capacity/contracts", nil, http.StatusOK, &list)
		if len(list.Items) != 1 || !slices.Equal(list.Items[0].Terms.AlertThresholds, []int{50, 100}) {
			t.Fatalf("capacity contracts = %+v", list.Items)
		}

		// Invitations are listed with their status.
		var ob contracts.OnboardingResult
		root.must(http.MethodPost, "/onboarding", map[string]any{"partner": map[string]any{"type": "reseller", "name": "Invited"},
			"new_agreement": map[string]any{"type": "program", "name": "Program"}, "action": "invite"}, http.StatusCreated, &ob)
		var invs partnerkit.List[contracts.Invitation]
		root.must(http.MethodGet, "/invitations?status=pending", nil, http.StatusOK, &invs)
		if invs.Total != 1 || invs.Items[0].ID != ob.Invitation.ID || invs.Items[0].Status != contracts.InvitationPending {
			t.Fatalf("pending invitations = %+v", invs)
		}
		root.must(http.MethodGet, "/invitations?partner_id="+ob.Partner.ID+"&sort=expires_at", nil, http.StatusOK, &invs)
		if invs.Total != 1 {
			t.Fatalf("the partner's invitations = %+v", invs)
		}
		root.must(http.MethodGet, "/invitations?status=lost", nil, http.StatusBadRequest, &eb)
		if _, ok := eb.Error.Fields["status"]; !ok {
			t.Fatalf("bad status: %+v", eb)
		}
		root.must(http.MethodGet, "/invitations?status=expired", nil, http.StatusOK, &invs)
		if invs.Total != 0 {
			t.Fatalf("expired invitations = %+v", invs)
		}
	})
}
