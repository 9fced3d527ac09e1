package storetest

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/shopspring/decimal"
)

// hostileSuite is the table of the boundary rule's conformance tests (see
// RunHostileTests): a Go caller of any
// service that passes a NUL byte, a control character, invalid UTF-8, a
// blank name, an out-of-range number or page, or an unknown sort gets an
// invalid error naming the field, on every store — so no store ever sees
// such a value (PostgreSQL refuses NUL and overflows NUMERIC(38,12); on it
// either would be an internal error). Every accepted sort of every paged
// list reaches the store's ORDER BY, and huge pages never fail a store.
// The tests share one fixture, which the suite's setup makes, and run in
// order.
func hostileSuite() suite {
	ctx := context.Background()
	var (
		f      *resellersFixture
		lst    *listings.Service
		admin  partnerkit.Actor
		vendor *partners.Account
		before int // accounts before the hostile calls
	)
	setup := func(t *testing.T, h Harness) {
		f = newResellersFixture(t, h)
		lst, admin = f.partnersEnv.lst, f.admin
		vendor = f.create(t, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Vendor"})
		before = f.count(t)
	}
	nul, bad := "a\x00b", "Bad\xffName"
	huge := decimal.New(1, 30)
	ptr := func(s string) *string { return &s }
	e := func(_ any, err error) error { return err }
	e3 := func(_, _ any, err error) error { return err }

	cases := []struct {
		name, field string
		call        func() error
	}{
		// partners
		{"CreatePartnerNUL", "name", func() error {
			return e(f.svc.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: nul}))
		}},
		{"CreatePartnerInvalidUTF8", "name", func() error {
			return e(f.svc.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: bad}))
		}},
		{"CreatePartnerZeroWidth", "name", func() error {
			return e(f.svc.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "\u200b\u200d\ufeff"}))
		}},
		{"CreatePartnerControl", "name", func() error {
			return e(f.svc.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "tab\tname"}))
		}},
		{"CreatePartnerNestedNUL", "business_contact.phone", func() error {
			return e(f.svc.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "V",
				BusinessContact: partners.Contact{Phone: nul}}))
		}},
		{"UpdatePartnerBlank", "name", func() error {
			return e(f.svc.UpdatePartner(ctx, admin, vendor.ID, partners.UpdatePartnerInput{Name: ptr("\u2060\u00a0")}))
		}},
		{"GetPartnerNUL", "id", func() error { return e(f.svc.GetPartner(ctx, admin, "PA-\x00")) }},
		{"GetPartnerTooLong", "id", func() error { return e(f.svc.GetPartner(ctx, admin, strings.Repeat("P", 300))) }},
		{"DeletePartnerNUL", "id", func() error { return f.svc.DeletePartner(ctx, admin, nul) }},
		{"MembersNUL", "id", func() error { return e(f.svc.Members(ctx, admin, nul)) }},
		{"DirectoryQNUL", "q", func() error { return e(f.svc.Directory(ctx, admin, partners.DirectoryFilter{Q: nul})) }},
		{"DirectoryManagerNUL", "manager_id", func() error {
			return e(f.svc.Directory(ctx, admin, partners.DirectoryFilter{ManagerID: nul}))
		}},
		{"DirectoryHugeOffset", "offset", func() error {
			return e(f.svc.Directory(ctx, admin, partners.DirectoryFilter{Page: partnerkit.Page{Offset: math.MaxInt}}))
		}},
		{"DirectoryUnknownSort", "sort", func() error { return e(f.svc.Directory(ctx, admin, partners.DirectoryFilter{Sort: "size"})) }},
		{"AuditEntityNUL", "entity_id", func() error { return e(f.svc.AuditTrail(ctx, admin, nul, partnerkit.Page{})) }},
		{"AuditUnknownSort", "sort", func() error {
			return e(f.svc.Audit(ctx, admin, partners.AuditFilter{EntityID: vendor.ID, Sort: "-when"}))
		}},
		{"SignInEmailNUL", "email", func() error { return e3(f.svc.SignIn(ctx, "admin@root.example\x00", "Sup3r-secret", "")) }},
		{"SignInPasswordInvalidUTF8", "password", func() error { return e3(f.svc.SignIn(ctx, "admin@root.example", bad, "")) }},
		{"CreateUserEmailNUL", "email", func() error {
			return e(f.svc.CreateUser(ctx, admin, partners.CreateUserInput{Email: "a\x00@x.example", FullName: "A",
				Password: "Sup3r-secret", Role: partnerkit.RoleViewer}))
		}},
		{"ChangeRoleNUL", "user_id", func() error { return e(f.svc.ChangeRole(ctx, admin, nul, partnerkit.RoleViewer)) }},
		{"RevokeAPIKeyNUL", "id", func() error { return e(f.svc.RevokeAPIKey(ctx, admin, nul)) }},
		{"APIKeyDescriptionNewline", "description", func() error {
			return e3(f.svc.CreateAPIKey(ctx, admin, partners.APIKeyInput{Description: "two\nlines", Role: partnerkit.RoleViewer}))
		}},
		{"ReviewTeamInvitationNUL", "token", func() error { return e(f.svc.ReviewTeamInvitation(ctx, nul)) }},
		{"GrantTeamAccessNUL", "user_ids[0]", func() error {
			return e(f.svc.GrantTeamAccess(ctx, admin, vendor.ID, []string{nul}, false))
		}},
		// agreements
		{"AgreementDescriptionNUL", "description", func() error {
			return e(f.agr.Create(ctx, admin, agreements.CreateInput{Type: agreements.TypeProgram, Name: "A", Description: "ok\n" + nul}))
		}},
		{"AgreementFileNameNUL", "document.file_name", func() error {
			return e(f.agr.Create(ctx, admin, agreements.CreateInput{Type: agreements.TypeProgram, Name: "A",
				Document: agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: "a\x00.txt", Content: []byte("hi")}}))
		}},
		{"PublishURLNUL", "document.url", func() error {
			return e(f.agr.Publish(ctx, admin, "AGR-x", agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https://x.example/" + nul}))
		}},
		{"AgreementGetNUL", "id", func() error { return e(f.agr.Get(ctx, admin, nul)) }},
		{"AgreementListQInvalidUTF8", "q", func() error { return e(f.agr.List(ctx, admin, agreements.ListFilter{Q: bad})) }},
		// contracts
		{"ContractListPartnerNUL", "partner_id", func() error {
			return e(f.con.List(ctx, admin, contracts.ListFilter{PartnerID: nul}))
		}},
		{"ContractSignNUL", "id", func() error { return e(f.con.Sign(ctx, admin, nul)) }},
		{"MarketplaceNameNUL", "name", func() error {
			return e(f.con.CreateMarketplace(ctx, admin, contracts.MarketplaceInput{Name: nul, Currency: "USD"}))
		}},
		{"OnboardingMarketplaceNUL", "marketplace_ids[0]", func() error {
			return e(f.con.Onboard(ctx, admin, contracts.OnboardingInput{Partner: partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "V"},
				AgreementID: "AGR-x", MarketplaceIDs: []string{nul}, Action: contracts.ActionInvite}))
		}},
		{"ActivateInvitationTokenNUL", "token", func() error {
			return e(f.con.ActivateInvitation(ctx, nul, contracts.ActivationInput{}))
		}},
		// capacity
		{"StorageAccountsQNUL", "q", func() error { return e(f.cap.StorageAccounts(ctx, admin, capacity.StorageFilter{Q: nul})) }},
		{"StorageAccountNUL", "id", func() error { return e(f.cap.StorageAccount(ctx, admin, nul)) }},
		{"IngestUsageNUL", "samples[1].storage_account_id", func() error {
			return e(f.cap.IngestUsage(ctx, admin, []capacity.Sample{{StorageAccountID: "SA-x", Timestamp: Epoch}, {StorageAccountID: nul, Timestamp: Epoch}}))
		}},
		{"SetTermsHugePrice", "price_per_tb", func() error {
			return e(f.cap.SetTerms(ctx, admin, "CTR-x", capacity.TermsInput{ReservedTB: decimal.NewFromInt(1),
				BillingModel: capacity.BillingReserved, PricePerTB: huge, Currency: "USD"}))
		}},
		{"SetTermsContractNUL", "contract_id", func() error { return e(f.cap.SetTerms(ctx, admin, nul, capacity.TermsInput{})) }},
		{"DealNoteControl", "note", func() error {
			return e(f.cap.RegisterDeal(ctx, admin, capacity.DealInput{CustomerName: "C", ExpectedTB: &huge, CloseDate: "2099-01-01", Note: "\x1b[2J"}))
		}},
		{"ApproveDealReasonNUL", "reason", func() error { return e(f.cap.ApproveDeal(ctx, admin, "DL-x", nul)) }},
		{"UsageReportPartnerNUL", "partner_id", func() error {
			return e(f.cap.UsageReport(ctx, admin, capacity.ReportQuery{PartnerID: nul, From: Epoch, To: Epoch}))
		}},
		// listings
		{"ProductItemNUL", "items[0].name", func() error {
			return e(lst.CreateProduct(ctx, admin, listings.ProductInput{VendorID: vendor.ID, Name: "P",
				Items: []listings.ItemInput{{Name: nul, Type: listings.ItemReservation, Unit: "u"}}}))
		}},
		{"ProductItemZeroWidth", "items[0].unit", func() error {
			return e(lst.CreateProduct(ctx, admin, listings.ProductInput{VendorID: vendor.ID, Name: "P",
				Items: []listings.ItemInput{{Name: "i", Type: listings.ItemReservation, Unit: "\u200b"}}}))
		}},
		{"ProductItemHugePrice", "items[0].price", func() error {
			return e(lst.CreateProduct(ctx, admin, listings.ProductInput{VendorID: vendor.ID, Name: "P",
				Items: []listings.ItemInput{{Name: "i", Type: listings.ItemReservation, Unit: "u", Price: huge}}}))
		}},
		{"GetProductNUL", "id", func() error { return e(lst.GetProduct(ctx, admin, nul)) }},
		{"ListProductsVendorNUL", "vendor_id", func() error { return e(lst.ListProducts(ctx, admin, listings.ProductFilter{VendorID: nul})) }},
		{"ListListingsMarketplaceNUL", "marketplace_id", func() error {
			return e(lst.ListListings(ctx, admin, listings.ListingFilter{MarketplaceID: nul}))
		}},
		{"OfferPlansTenantNUL", "tenant_id", func() error { return e(lst.OfferPlans(ctx, admin, "PRD-x", nul)) }},
		// resellers
		{"ServicePlanNameNUL", "plans[0].name", func() error {
			return e(f.rs.CreateService(ctx, admin, resellers.ServiceInput{Name: "S", Plans: []resellers.PlanInput{{Name: nul,
				BillingPeriod: resellers.Monthly, Resources: []resellers.PlanResource{{Name: "r", Unit: "u"}}}}}))
		}},
		{"ServiceNameZeroWidth", "name", func() error {
			return e(f.rs.CreateService(ctx, admin, resellers.ServiceInput{Name: "\ufeff", Plans: []resellers.PlanInput{{Name: "P",
				BillingPeriod: resellers.Monthly, Resources: []resellers.PlanResource{{Name: "r", Unit: "u"}}}}}))
		}},
		{"ClientsQNUL", "q", func() error { return e(f.rs.Clients(ctx, f.resellerActor, resellers.ClientFilter{Q: nul})) }},
		{"ClientNameNUL", "name", func() error {
			return e(f.rs.CreateClient(ctx, f.resellerActor, resellers.ClientInput{Name: nul}))
		}},
		{"OrderNewClientNUL", "new_client.name", func() error {
			return e(f.rs.Order(ctx, f.resellerActor, resellers.OrderInput{NewClient: &resellers.ClientInput{Name: nul},
				ServiceID: f.service.ID, PlanID: f.service.Plans[0].ID}))
		}},
		{"SubscriptionsClientNUL", "client_id", func() error {
			return e(f.rs.Subscriptions(ctx, f.resellerActor, resellers.SubscriptionFilter{ClientID: nul}))
		}},
		{"SubscriptionStopNUL", "id", func() error { return e(f.rs.Stop(ctx, f.resellerActor, nul)) }},
		{"ChargesPartnerNUL", "partner_id", func() error { return e(f.rs.Charges(ctx, admin, resellers.ChargeFilter{PartnerID: nul})) }},
		{"ChargesUnknownSort", "sort", func() error { return e(f.rs.Charges(ctx, admin, resellers.ChargeFilter{Sort: "amount"})) }},
	}
	var tests []test
	for _, c := range cases {
		tests = append(tests, test{name: c.name, fn: func(t *testing.T, _ Harness) {
			wantField(t, c.call(), partnerkit.CodeInvalid, c.field)
		}})
	}
	return suite{setup: setup, setupNeeds: forEverything, tests: append(tests, []test{
		{name: "HostileCallsWriteNothing", fn: func(t *testing.T, _ Harness) {
			if n := f.count(t); n != before {
				t.Fatalf("hostile calls wrote %d accounts", n-before)
			}
		}},
		{name: "EverySortReachesTheStore", fn: func(t *testing.T, _ Harness) {
			lists := []struct {
				name  string
				order partnerkit.Order
				list  func(s partnerkit.Sort) error
			}{
				{"Directory", partners.DirectoryOrder, func(s partnerkit.Sort) error {
					return e(f.svc.Directory(ctx, admin, partners.DirectoryFilter{Sort: s}))
				}},
				{"Audit", partners.AuditOrder, func(s partnerkit.Sort) error {
					return e(f.svc.Audit(ctx, admin, partners.AuditFilter{EntityID: vendor.ID, Sort: s}))
				}},
				{"Agreements", agreements.ListOrder, func(s partnerkit.Sort) error { return e(f.agr.List(ctx, admin, agreements.ListFilter{Sort: s})) }},
				{"Contracts", contracts.ListOrder, func(s partnerkit.Sort) error { return e(f.con.List(ctx, admin, contracts.ListFilter{Sort: s})) }},
				{"StorageAccounts", capacity.StorageOrder, func(s partnerkit.Sort) error {
					return e(f.cap.StorageAccounts(ctx, admin, capacity.StorageFilter{Sort: s}))
				}},
				{"Deals", capacity.DealOrder, func(s partnerkit.Sort) error { return e(f.cap.Deals(ctx, admin, capacity.DealFilter{Sort: s})) }},
				{"Products", listings.ProductOrder, func(s partnerkit.Sort) error {
					return e(lst.ListProducts(ctx, admin, listings.ProductFilter{VendorID: vendor.ID, Sort: s}))
				}},
				{"Listings", listings.ListingOrder, func(s partnerkit.Sort) error {
					return e(lst.ListListings(ctx, admin, listings.ListingFilter{VendorID: vendor.ID, Sort: s}))
				}},
				{"Catalog", resellers.ServiceOrder, func(s partnerkit.Sort) error {
					return e(f.rs.Catalog(ctx, f.resellerActor, resellers.ServiceFilter{Sort: s}))
				}},
				{"ProvidedServices", resellers.ServiceOrder, func(s partnerkit.Sort) error {
					return e(f.rs.ProvidedServices(ctx, admin, resellers.ServiceFilter{Sort: s}))
				}},
				{"Clients", resellers.ClientOrder, func(s partnerkit.Sort) error {
					return e(f.rs.Clients(ctx, f.resellerActor, resellers.ClientFilter{Sort: s}))
				}},
				{"Subscriptions", resellers.SubscriptionOrder, func(s partnerkit.Sort) error {
					return e(f.rs.Subscriptions(ctx, f.resellerActor, resellers.SubscriptionFilter{Sort: s}))
				}},
				{"Charges", resellers.ChargeListOrder, func(s partnerkit.Sort) error {
					return e(f.rs.Charges(ctx, f.resellerActor, resellers.ChargeFilter{Sort: s}))
				}},
			}
			for _, l := range lists {
				for _, s := range append(l.order.Sorts(), "") {
					noErr(t, l.list(s))
				}
				wantField(t, l.list("bogus"), partnerkit.CodeInvalid, "sort")
			}
		}},
		{name: "SortOrdersTheStorePage", fn: func(t *testing.T, _ Harness) {
			for _, n := range []string{"Bravo", "alpha", "Charlie"} {
				must[*agreements.Agreement](t)(f.agr.Create(ctx, admin, agreements.CreateInput{Type: agreements.TypeProgram, Name: "Sorted " + n}))
			}
			names := func(s partnerkit.Sort, offset int) string {
				l := must[partnerkit.List[agreements.Agreement]](t)(f.agr.List(ctx, admin, agreements.ListFilter{Q: "sorted", Sort: s,
					Page: partnerkit.Page{Limit: 2, Offset: offset}}))
				var out []string
				for _, a := range l.Items {
					out = append(out, strings.TrimPrefix(a.Name, "Sorted "))
				}
				return strings.Join(out, ",")
			}
			for _, c := range []struct {
				sort   partnerkit.Sort
				offset int
				want   string
			}{
				{"", 0, "alpha,Bravo"}, {"name", 2, "Charlie"}, {"-name", 0, "Charlie,Bravo"},
				{"created_at", 0, "Bravo,alpha"}, {"-created_at", 1, "alpha,Bravo"},
			} {
				if got := names(c.sort, c.offset); got != c.want {
					t.Errorf("sort %q offset %d: %s, want %s", c.sort, c.offset, got, c.want)
				}
			}
		}},
		{name: "HugePagesNeverFailAStore", fn: func(t *testing.T, _ Harness) {
			st := f.stores
			limits := []struct{ limit, offset int }{{math.MaxInt, math.MaxInt}, {math.MaxInt, 0}, {0, math.MaxInt}, {1, math.MaxInt - 1}}
			for _, p := range limits {
				_, _, err := st.Partners.Directory(ctx, partners.DirectoryQuery{ManagerID: f.root.ID, Limit: p.limit, Offset: p.offset})
				noErr(t, err)
				_, _, err = st.Partners.AuditTrail(ctx, partners.AuditQuery{EntityID: vendor.ID, Limit: p.limit, Offset: p.offset})
				noErr(t, err)
				_, _, err = st.Agreements.ListAgreements(ctx, agreements.Query{OwnerID: f.root.ID, Limit: p.limit, Offset: p.offset})
				noErr(t, err)
				_, _, err = st.Contracts.ListContracts(ctx, contracts.Query{AccountID: f.root.ID, Limit: p.limit, Offset: p.offset})
				noErr(t, err)
				_, _, err = st.Resellers.ListClients(ctx, resellers.ClientQuery{PartnerID: f.reseller.ID, Limit: p.limit, Offset: p.offset})
				noErr(t, err)
			}
		}},
	}...)}
}
