package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/shopspring/decimal"
)

// tenant A's resources, which tenant B must never reach.
type tenantA struct {
	partner, agreement, contract, capacityContract, storageAccount, deal, apiKey, member string
	// vendor, product and listing: a vendor of A with a product listed on A's marketplace.
	vendor, product, listing, marketplace string
	// catalogService, client and subscription: A offers a service to its
	// reseller, which ordered a subscription for a client.
	catalogService, client, subscription string
	// webhook and delivery: an endpoint of A and its test delivery.
	webhook, delivery string
	// teamInvitation: a team invitation of A.
	teamInvitation string
	// invitation: an activation invitation A issued.
	invitation string
}

// seedTenants makes a provider with two distributors, A and B; A has a
// reseller, an agreement and contract with it, a capacity contract from the
// provider, an allocation, a storage account, a deal, an API key and a
// viewer. It returns A's resources and sessions of A's viewer and B's admin.
func seedTenants(t *testing.T, s *server) (tenantA, *user, *user) {
	t.Helper()
	ctx := context.Background()
	cfg := s.cfg
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	root, rootUser, err := cfg.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "root@provider.example", AdminPassword: "Sup3r-secret"})
	check(err)
	provider := partnerkit.Actor{AccountID: root.ID, UserID: rootUser.ID, Role: partnerkit.RoleAdmin}
	mk := func(name string) (*partners.Account, partnerkit.Actor) {
		acc, err := cfg.Partners.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: name})
		check(err)
		u, err := cfg.Partners.CreateUser(ctx, provider, partners.CreateUserInput{AccountID: acc.ID,
			Email: "admin@" + strings.ToLower(name) + ".example", FullName: name, Password: "Sup3r-secret", Role: partnerkit.RoleAdmin})
		check(err)
		return acc, partnerkit.Actor{AccountID: acc.ID, UserID: u.ID, Role: partnerkit.RoleAdmin}
	}
	a, aAdmin := mk("A")
	mk("B")
	viewer, err := cfg.Partners.CreateUser(ctx, aAdmin, partners.CreateUserInput{Email: "viewer@a.example", FullName: "V",
		Password: "Sup3r-secret", Role: partnerkit.RoleViewer})
	check(err)

	var ta tenantA
	ta.member = viewer.ID
	reseller, err := cfg.Partners.CreatePartner(ctx, aAdmin, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "R"})
	check(err)
	ta.partner = reseller.ID
	agr, err := cfg.Agreements.Create(ctx, aAdmin, agreements.CreateInput{Type: agreements.TypeProgram, Name: "Program",
		Document: agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: "p.md", Content: []byte("# Program\n")}})
	check(err)
	ta.agreement = agr.ID
	con, err := cfg.Contracts.Create(ctx, aAdmin, contracts.CreateInput{PartnerID: reseller.ID, AgreementID: agr.ID})
	check(err)
	ta.contract = con.ID

	capAgr, err := cfg.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeCapacity, Name: "Capacity"})
	check(err)
	capCon, err := cfg.Contracts.Create(ctx, provider, contracts.CreateInput{PartnerID: a.ID, AgreementID: capAgr.ID})
	check(err)
	_, err = cfg.Contracts.Sign(ctx, provider, capCon.ID)
	check(err)
	_, err = cfg.Contracts.Activate(ctx, provider, capCon.ID)
	check(err)
	ta.capacityContract = capCon.ID
	_, err = cfg.Capacity.SetTerms(ctx, provider, capCon.ID, capacity.TermsInput{ReservedTB: decimal.NewFromInt(100),
		BillingModel: capacity.BillingReserved, PricePerTB: decimal.NewFromInt(5), ExcessPricePerTB: decimal.NewFromInt(8), Currency: "USD"})
	check(err)
	_, err = cfg.Capacity.SetAllocation(ctx, aAdmin, reseller.ID, capacity.AllocationInput{ContractID: capCon.ID, AllocatedTB: decimal.NewFromInt(10)})
	check(err)
	sa, err := cfg.Capacity.CreateStorageAccount(ctx, aAdmin, capacity.StorageAccountInput{PartnerID: reseller.ID, Name: "S", QuotaTB: decimal.NewFromInt(1)})
	check(err)
	ta.storageAccount = sa.ID
	size := decimal.NewFromInt(5)
	deal, err := cfg.Capacity.RegisterDeal(ctx, partnerkit.Actor{AccountID: reseller.ID, UserID: "UR-r", Role: partnerkit.RoleAdmin},
		capacity.DealInput{CustomerName: "C", ExpectedTB: &size, CloseDate: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)})
	check(err)
	ta.deal = deal.ID
	key, _, err := cfg.Partners.CreateAPIKey(ctx, aAdmin, partners.APIKeyInput{Description: "k", Role: partnerkit.RoleViewer})
	check(err)
	ta.apiKey = key.ID
	ta.vendor, ta.product, ta.listing = seedListing(t, s, aAdmin)
	mps, err := cfg.Contracts.Marketplaces(ctx, aAdmin)
	check(err)
	ta.marketplace = mps[0].ID
	ta.catalogService, ta.client, ta.subscription = seedResellers(t, s, aAdmin, reseller.ID)
	invited, err := cfg.Contracts.Onboard(ctx, aAdmin, contracts.OnboardingInput{Partner: partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Invited"},
		AgreementID: agr.ID, Action: contracts.ActionInvite})
	check(err)
	ta.invitation = invited.Invitation.ID
	ep, err := cfg.Webhooks.CreateEndpoint(ctx, aAdmin, webhooks.EndpointInput{URL: "https://93.184.215.14/hook", EventTypes: []string{"partner.created"}})
	check(err)
	ta.webhook = ep.ID
	d, err := cfg.Webhooks.SendTest(ctx, aAdmin, ep.ID)
	check(err)
	ta.delivery = d.ID
	ti, _, err := cfg.Partners.InviteMember(ctx, aAdmin, partners.TeamInviteInput{Email: "joiner@a.example", Role: partnerkit.RoleViewer})
	check(err)
	ta.teamInvitation = ti.ID
	return ta, s.signIn("viewer@a.example", "Sup3r-secret"), s.signIn("admin@b.example", "Sup3r-secret")
}

// routeCase says how to call one route against tenant A's resources.
type routeCase struct {
	path string // with A's IDs filled in, and a query string where it matters
	body any    // a body valid enough that only the actor decides the outcome
	// foreignOK is set where another tenant is not refused with 404
	// because the route acts on the caller's own account.
	foreignOK bool
	// foreignField is set where A's ID travels in the body: another tenant
	// gets 400 naming the field, worded alike whether the ID exists or not.
	foreignField string
	// viewerOK is set for writes a viewer may make.
	viewerOK bool
}

func routeCases(ta tenantA) map[string]routeCase {
	day := time.Now().UTC().Format(time.DateOnly)
	return map[string]routeCase{
		"GET /me":                                     {path: "/me", foreignOK: true},
		"PUT /me/account":                             {path: "/me/account", body: map[string]any{"account_id": "PA-none"}, foreignOK: true, viewerOK: true},
		"GET /team":                                   {path: "/team", foreignOK: true},
		"POST /team":                                  {path: "/team", body: map[string]any{"email": "n@x.example", "full_name": "N", "password": "Sup3r-secret", "role": "staff"}, foreignOK: true},
		"POST /team/invitations":                      {path: "/team/invitations", body: map[string]any{"email": "j@x.example", "role": "viewer"}, foreignOK: true},
		"PATCH /team/{user_id}":                       {path: "/team/" + ta.member, body: map[string]any{"role": "staff"}},
		"DELETE /team/{user_id}":                      {path: "/team/" + ta.member},
		"GET /api-keys":                               {path: "/api-keys", foreignOK: true},
		"POST /api-keys":                              {path: "/api-keys", body: map[string]any{"description": "d", "role": "viewer"}, foreignOK: true},
		"DELETE /api-keys/{id}":                       {path: "/api-keys/" + ta.apiKey},
		"GET /audit":                                  {path: "/audit?entity_id=" + ta.partner},
		"GET /partners":                               {path: "/partners?manager_id=" + ta.partner},
		"POST /partners":                              {path: "/partners", body: map[string]any{"type": "reseller", "name": "N"}, foreignOK: true},
		"POST /partners/batch":                        {path: "/partners/batch", body: map[string]any{"partners": []any{map[string]any{"type": "reseller", "name": "N"}}}, foreignOK: true},
		"GET /partners/{id}":                          {path: "/partners/" + ta.partner},
		"PATCH /partners/{id}":                        {path: "/partners/" + ta.partner, body: map[string]any{"name": "Renamed"}},
		"DELETE /partners/{id}":                       {path: "/partners/" + ta.partner},
		"POST /partners/{id}/suspend":                 {path: "/partners/" + ta.partner + "/suspend"},
		"POST /partners/{id}/reactivate":              {path: "/partners/" + ta.partner + "/reactivate"},
		"GET /partners/{id}/contacts":                 {path: "/partners/" + ta.partner + "/contacts"},
		"PUT /partners/{id}/contacts":                 {path: "/partners/" + ta.partner + "/contacts", body: map[string]any{"business_contact": map[string]any{"name": "B"}}},
		"GET /partners/{id}/users":                    {path: "/partners/" + ta.partner + "/users"},
		"POST /onboarding":                            {path: "/onboarding", body: map[string]any{"partner": map[string]any{"type": "reseller", "name": "N"}, "agreement_id": ta.agreement, "action": "invite"}, foreignField: "agreement_id"},
		"GET /agreements":                             {path: "/agreements?owner_id=" + ta.partner},
		"POST /agreements":                            {path: "/agreements", body: map[string]any{"type": "program", "name": "N"}, foreignOK: true},
		"GET /agreements/{id}":                        {path: "/agreements/" + ta.agreement},
		"PATCH /agreements/{id}":                      {path: "/agreements/" + ta.agreement, body: map[string]any{"name": "N"}},
		"GET /agreements/{id}/versions":               {path: "/agreements/" + ta.agreement + "/versions"},
		"POST /agreements/{id}/versions":              {path: "/agreements/" + ta.agreement + "/versions", body: map[string]any{"kind": "none"}},
		"GET /agreements/{id}/versions/{n}/document":  {path: "/agreements/" + ta.agreement + "/versions/1/document"},
		"DELETE /agreements/{id}/versions/{n}":        {path: "/agreements/" + ta.agreement + "/versions/1"},
		"GET /marketplaces":                           {path: "/marketplaces", foreignOK: true},
		"POST /marketplaces":                          {path: "/marketplaces", body: map[string]any{"name": "M", "currency": "USD"}, foreignOK: true},
		"GET /contracts":                              {path: "/contracts?account_id=" + ta.partner},
		"GET /invitations":                            {path: "/invitations?partner_id=" + ta.partner},
		"POST /contracts":                             {path: "/contracts", body: map[string]any{"partner_id": ta.partner, "agreement_id": ta.agreement}, foreignField: "partner_id"},
		"GET /contracts/{id}":                         {path: "/contracts/" + ta.contract},
		"GET /contracts/{id}/events":                  {path: "/contracts/" + ta.contract + "/events"},
		"GET /contracts/{id}/document":                {path: "/contracts/" + ta.contract + "/document"},
		"POST /contracts/{id}/sign":                   {path: "/contracts/" + ta.contract + "/sign"},
		"POST /contracts/{id}/activate":               {path: "/contracts/" + ta.contract + "/activate"},
		"POST /contracts/{id}/reject":                 {path: "/contracts/" + ta.contract + "/reject"},
		"POST /contracts/{id}/terminate":              {path: "/contracts/" + ta.contract + "/terminate"},
		"POST /contracts/{id}/resign":                 {path: "/contracts/" + ta.contract + "/resign"},
		"GET /capacity/contracts":                     {path: "/capacity/contracts", foreignOK: true},
		"PUT /capacity/contracts/{id}/terms":          {path: "/capacity/contracts/" + ta.capacityContract + "/terms", body: map[string]any{"reserved_tb": "100", "billing_model": "reserved", "price_per_tb": "5", "excess_price_per_tb": "8", "currency": "USD"}},
		"GET /capacity/contracts/{id}/overview":       {path: "/capacity/contracts/" + ta.capacityContract + "/overview"},
		"GET /capacity/contracts/{id}/allocations":    {path: "/capacity/contracts/" + ta.capacityContract + "/allocations"},
		"GET /partners/{id}/allocation":               {path: "/partners/" + ta.partner + "/allocation"},
		"GET /partners/{id}/allocations":              {path: "/partners/" + ta.partner + "/allocations"},
		"PUT /partners/{id}/allocation":               {path: "/partners/" + ta.partner + "/allocation", body: map[string]any{"allocated_tb": "5"}},
		"POST /partners/{id}/transfer":                {path: "/partners/" + ta.partner + "/transfer", body: map[string]any{"contract_id": ta.capacityContract}},
		"GET /storage-accounts":                       {path: "/storage-accounts?partner_id=" + ta.partner},
		"POST /storage-accounts":                      {path: "/storage-accounts", body: map[string]any{"partner_id": ta.partner, "name": "N", "quota_tb": "1"}},
		"GET /storage-accounts/{id}":                  {path: "/storage-accounts/" + ta.storageAccount},
		"PATCH /storage-accounts/{id}":                {path: "/storage-accounts/" + ta.storageAccount, body: map[string]any{"name": "N"}},
		"DELETE /storage-accounts/{id}":               {path: "/storage-accounts/" + ta.storageAccount},
		"POST /storage-accounts/{id}/cancel-deletion": {path: "/storage-accounts/" + ta.storageAccount + "/cancel-deletion"},
		"POST /usage":                                 {path: "/usage", body: map[string]any{"samples": []any{map[string]any{"storage_account_id": ta.storageAccount, "timestamp": time.Now().UTC().Add(-time.Hour), "bytes": 1}}}, foreignField: "samples[0].storage_account_id"},
		"GET /usage/reports":                          {path: "/usage/reports?partner_id=" + ta.partner + "&from=" + day + "&to=" + day},
		"GET /deals":                                  {path: "/deals?account_id=" + ta.partner},
		"POST /deals":                                 {path: "/deals", body: map[string]any{"customer_name": "C", "expected_tb": "5", "close_date": time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}, foreignOK: true},
		"GET /deals/{id}":                             {path: "/deals/" + ta.deal},
		"POST /deals/{id}/approve":                    {path: "/deals/" + ta.deal + "/approve", body: map[string]any{"reason": "ok"}},
		"POST /deals/{id}/reject":                     {path: "/deals/" + ta.deal + "/reject", body: map[string]any{"reason": "no"}},
		"POST /deals/{id}/won":                        {path: "/deals/" + ta.deal + "/won"},
		"POST /deals/{id}/lost":                       {path: "/deals/" + ta.deal + "/lost"},
		"GET /products":                               {path: "/products?vendor_id=" + ta.vendor},
		"POST /products":                              {path: "/products", body: map[string]any{"vendor_id": ta.vendor, "name": "N", "items": []any{map[string]any{"name": "S", "type": "reservation", "unit": "user", "price": "1"}}}, foreignField: "vendor_id"},
		"GET /products/{id}":                          {path: "/products/" + ta.product},
		"PATCH /products/{id}":                        {path: "/products/" + ta.product, body: map[string]any{"name": "N"}},
		"DELETE /products/{id}":                       {path: "/products/" + ta.product},
		"GET /products/{id}/offer-plans":              {path: "/products/" + ta.product + "/offer-plans?tenant_id=contoso"},
		"GET /listings":                               {path: "/listings?vendor_id=" + ta.vendor},
		"POST /listings":                              {path: "/listings", body: map[string]any{"product_id": ta.product, "marketplace_id": "MP-none"}, foreignField: "product_id"},
		"DELETE /listings/{id}":                       {path: "/listings/" + ta.listing},
		"GET /catalog/services":                       {path: "/catalog/services", foreignOK: true},
		"POST /catalog/services":                      {path: "/catalog/services", body: map[string]any{"name": "S", "plans": []any{map[string]any{"name": "P", "billing_period": "monthly", "resources": []any{map[string]any{"name": "r", "unit": "u", "unit_price": "1", "min": "0", "max": "0"}}}}}, foreignOK: true},
		"GET /catalog/services/{id}":                  {path: "/catalog/services/" + ta.catalogService},
		"PATCH /catalog/services/{id}":                {path: "/catalog/services/" + ta.catalogService, body: map[string]any{"name": "S"}},
		"GET /catalog":                                {path: "/catalog", foreignOK: true},
		"GET /clients":                                {path: "/clients?partner_id=" + ta.partner},
		"POST /clients":                               {path: "/clients", body: map[string]any{"name": "C"}, foreignOK: true},
		"GET /clients/{id}":                           {path: "/clients/" + ta.client},
		"PATCH /clients/{id}":                         {path: "/clients/" + ta.client, body: map[string]any{"name": "C"}},
		"GET /subscriptions":                          {path: "/subscriptions?partner_id=" + ta.partner},
		"POST /subscriptions":                         {path: "/subscriptions", body: map[string]any{"new_client": map[string]any{"name": "C"}, "service_id": ta.catalogService, "plan_id": "PLN-x"}, foreignField: "service_id"},
		"GET /subscriptions/{id}":                     {path: "/subscriptions/" + ta.subscription},
		"GET /subscriptions/{id}/history":             {path: "/subscriptions/" + ta.subscription + "/history"},
		"PATCH /subscriptions/{id}":                   {path: "/subscriptions/" + ta.subscription, body: map[string]any{"auto_renew": true}},
		"POST /subscriptions/{id}/stop":               {path: "/subscriptions/" + ta.subscription + "/stop"},
		"POST /subscriptions/{id}/activate":           {path: "/subscriptions/" + ta.subscription + "/activate"},
		"POST /subscriptions/{id}/renew":              {path: "/subscriptions/" + ta.subscription + "/renew"},
		"PATCH /subscriptions/{id}/resources":         {path: "/subscriptions/" + ta.subscription + "/resources", body: map[string]any{"resources": []any{map[string]any{"name": "mailboxes", "amount": "2"}}}},
		"GET /charges":                                {path: "/charges?partner_id=" + ta.partner},
		"GET /charges.csv":                            {path: "/charges.csv?partner_id=" + ta.partner},
		"GET /analytics":                              {path: "/analytics?partner_id=" + ta.partner},
		"GET /analytics.csv":                          {path: "/analytics.csv?partner_id=" + ta.partner},
		"POST /invitations/{id}/resend":               {path: "/invitations/" + ta.invitation + "/resend"},
		"POST /invitations/{id}/revoke":               {path: "/invitations/" + ta.invitation + "/revoke"},
		"PUT /me/password":                            {path: "/me/password", body: map[string]any{"current_password": "wrong", "new_password": "N3w-Passphrase"}, foreignOK: true, viewerOK: true},
		"GET /me/sessions":                            {path: "/me/sessions", foreignOK: true},
		"DELETE /me/sessions":                         {path: "/me/sessions", foreignOK: true, viewerOK: true},
		"DELETE /me/sessions/{id}":                    {path: "/me/sessions/SE-none", viewerOK: true},
		"GET /me/security":                            {path: "/me/security", foreignOK: true},
		"PATCH /me/security":                          {path: "/me/security", body: map[string]any{"new_sign_in_mail": true}, foreignOK: true, viewerOK: true},
		"POST /me/two-factor":                         {path: "/me/two-factor", foreignOK: true, viewerOK: true},
		"POST /me/two-factor/confirm":                 {path: "/me/two-factor/confirm", body: map[string]any{"code": "000000"}, foreignOK: true, viewerOK: true},
		"POST /me/two-factor/disable":                 {path: "/me/two-factor/disable", body: map[string]any{"password": "wrong", "code": "000000"}, foreignOK: true, viewerOK: true},
		"POST /me/two-factor/recovery-codes":          {path: "/me/two-factor/recovery-codes", body: map[string]any{"password": "wrong", "code": "000000"}, foreignOK: true, viewerOK: true},
		"GET /account/security":                       {path: "/account/security", foreignOK: true},
		"PATCH /account/security":                     {path: "/account/security", body: map[string]any{"require_two_factor": false}, foreignOK: true},
		"GET /team/invitations":                       {path: "/team/invitations", foreignOK: true},
		"POST /team/invitations/{id}/resend":          {path: "/team/invitations/" + ta.teamInvitation + "/resend"},
		"POST /team/invitations/{id}/revoke":          {path: "/team/invitations/" + ta.teamInvitation + "/revoke"},
		"GET /event-types":                            {path: "/event-types", foreignOK: true},
		"GET /events":                                 {path: "/events", foreignOK: true},
		"GET /webhooks":                               {path: "/webhooks", foreignOK: true},
		"POST /webhooks":                              {path: "/webhooks", body: map[string]any{"url": "https://93.184.215.14/b", "event_types": []string{"partner.created"}}, foreignOK: true},
		"GET /webhooks/{id}":                          {path: "/webhooks/" + ta.webhook},
		"PATCH /webhooks/{id}":                        {path: "/webhooks/" + ta.webhook, body: map[string]any{"description": "d"}},
		"DELETE /webhooks/{id}":                       {path: "/webhooks/" + ta.webhook},
		"POST /webhooks/{id}/rotate-secret":           {path: "/webhooks/" + ta.webhook + "/rotate-secret"},
		"POST /webhooks/{id}/test":                    {path: "/webhooks/" + ta.webhook + "/test"},
		"GET /webhooks/{id}/deliveries":               {path: "/webhooks/" + ta.webhook + "/deliveries"},
		"GET /webhook-deliveries/{id}":                {path: "/webhook-deliveries/" + ta.delivery},
		"POST /webhook-deliveries/{id}/redeliver":     {path: "/webhook-deliveries/" + ta.delivery + "/redeliver"},
	}
}

// TestTenancyMatrix calls every authenticated route as anonymous (401), as
// another tenant's admin (404 for A's resources) and as A's viewer (403 for
// writes); no call may answer 500.
func TestTenancyMatrix(t *testing.T) {
	s := newServer(t, false)
	ta, viewer, foreign := seedTenants(t, s)
	cases := routeCases(ta)
	anonymous := s.anonymous()
	for _, r := range s.api.Routes() {
		key := r.Method + " " + r.Path
		if r.Public {
			continue
		}
		c, ok := cases[key]
		if !ok {
			t.Errorf("route %s has no tenancy case: add it to routeCases", key)
			continue
		}
		t.Run(strings.ReplaceAll(key, "/", "_"), func(t *testing.T) {
			check := func(who string, u *user, want int) []byte {
				t.Helper()
				res, body := u.do(r.Method, c.path, c.body)
				if res.StatusCode >= 500 {
					t.Fatalf("%s: %d %s", who, res.StatusCode, body)
				}
				if want != 0 && res.StatusCode != want {
					t.Errorf("%s: status %d, want %d: %s", who, res.StatusCode, want, body)
				}
				return body
			}
			check("anonymous", anonymous, http.StatusUnauthorized)
			switch {
			case c.foreignField != "":
				if body := check("foreign admin", foreign, http.StatusBadRequest); !strings.Contains(string(body), `"`+c.foreignField+`"`) {
					t.Errorf("foreign admin: the error does not name %s: %s", c.foreignField, body)
				}
			case c.foreignOK:
				check("foreign admin", foreign, 0)
			default:
				check("foreign admin", foreign, http.StatusNotFound)
			}
			viewerWant := 0
			if r.Method != http.MethodGet && !c.viewerOK {
				viewerWant = http.StatusForbidden
			}
			check("viewer", viewer, viewerWant)
		})
	}
	for key := range cases {
		if !s.hasRoute(key) {
			t.Errorf("tenancy case %s names no route", key)
		}
	}
}

func (s *server) hasRoute(key string) bool {
	for _, r := range s.api.Routes() {
		if r.Method+" "+r.Path == key {
			return true
		}
	}
	return false
}

// TestForeignFilterIDs passes another tenant's IDs in every ID filter of
// every list (each query parameter the OpenAPI document declares that ends
// in _id): the answer is uniformly 404, never an empty list, and never a
// leak. The test fails when a list gains an ID filter without a case here.
func TestForeignFilterIDs(t *testing.T) {
	s := newServer(t, false)
	ta, _, foreign := seedTenants(t, s)
	ids := map[string]string{
		"manager_id": ta.partner, "owner_id": ta.partner, "account_id": ta.partner, "partner_id": ta.partner,
		"vendor_id": ta.vendor, "agreement_id": ta.agreement, "contract_id": ta.capacityContract,
		"product_id": ta.product, "marketplace_id": ta.marketplace, "client_id": ta.client,
		"service_id": ta.catalogService, "subscription_id": ta.subscription, "entity_id": ta.partner,
	}
	day := time.Now().UTC().Format(time.DateOnly)
	required := map[string]string{"/usage/reports": "from=" + day + "&to=" + day}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	foreign.must(http.MethodGet, "/openapi.json", nil, http.StatusOK, &doc)
	tested := 0
	for path, ops := range doc.Paths {
		op, ok := ops["get"]
		if !ok || strings.Contains(path, "{") {
			continue
		}
		for _, p := range op.Parameters {
			if p.In != "query" || !strings.HasSuffix(p.Name, "_id") || p.Name == "tenant_id" {
				continue
			}
			id, ok := ids[p.Name]
			if !ok {
				t.Errorf("GET %s: no foreign ID for filter %s: add it to this test", path, p.Name)
				continue
			}
			query := p.Name + "=" + id
			if r := required[strings.TrimPrefix(path, "/api/v1")]; r != "" {
				query += "&" + r
			}
			if p.Name != "partner_id" && strings.HasSuffix(path, "/usage/reports") {
				query = p.Name + "=" + id + "&" + required["/usage/reports"]
			}
			t.Run(strings.ReplaceAll(path, "/", "_")+"/"+p.Name, func(t *testing.T) {
				res, body := foreign.do(http.MethodGet, strings.TrimPrefix(path, "/api/v1")+"?"+query, nil)
				if res.StatusCode != http.StatusNotFound {
					t.Fatalf("status %d, want 404: %s", res.StatusCode, body)
				}
			})
			tested++
		}
	}
	if tested < 20 {
		t.Fatalf("only %d ID filters found in the OpenAPI document", tested)
	}
}

// TestAuditOfSharedUsers: a user who is a member of tenants A and B shows
// each tenant's admin only that tenant's events over GET /audit, and a
// third tenant none (404).
func TestAuditOfSharedUsers(t *testing.T) {
	s := newServer(t, true)
	ta, viewer, foreign := seedTenants(t, s)
	_ = ta
	ctx := context.Background()
	var me api.Me
	viewer.must(http.MethodGet, "/me", nil, http.StatusOK, &me) // A's viewer, shared with B below
	var bMe api.Me
	foreign.must(http.MethodGet, "/me", nil, http.StatusOK, &bMe)
	bAdmin := partnerkit.Actor{AccountID: bMe.AccountID, UserID: bMe.User.ID, Role: partnerkit.RoleAdmin}
	root, _, err := s.cfg.Partners.SessionActor(ctx, sessionToken(t, s.signIn("root@provider.example", "Sup3r-secret")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.cfg.Partners.AddMember(ctx, root, bMe.AccountID, me.User.ID, partnerkit.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if _, err := s.cfg.Partners.ChangeRole(ctx, bAdmin, me.User.ID, partnerkit.RoleStaff); err != nil {
		t.Fatal(err)
	}
	var trail struct {
		Items []partnerkit.AuditEvent `json:"items"`
	}
	foreign.must(http.MethodGet, "/audit?entity_id="+me.User.ID, nil, http.StatusOK, &trail)
	if len(trail.Items) == 0 {
		t.Fatal("B's admin sees none of B's events of the shared user")
	}
	for _, ev := range trail.Items {
		if ev.AccountID != bMe.AccountID {
			t.Fatalf("B's admin sees %s of account %s", ev.Action, ev.AccountID)
		}
	}
	aAdmin := s.signIn("admin@a.example", "Sup3r-secret")
	aAdmin.must(http.MethodGet, "/audit?entity_id="+me.User.ID, nil, http.StatusOK, &trail)
	for _, ev := range trail.Items {
		if ev.AccountID != me.AccountID {
			t.Fatalf("A's admin sees %s of account %s", ev.Action, ev.AccountID)
		}
	}
}
