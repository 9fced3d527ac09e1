//go:build !js

package client_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/shopspring/decimal"
)

// mirror pairs a client wire type with the server type whose JSON it reads
// or writes. omitted lists, with the reason, the JSON paths that are on one
// side only on purpose ("updated_at", "items.position"); any other path on
// one side only fails TestWireTypes.
type mirror struct {
	client, server any
	omitted        map[string]string
}

// mirrors is every client wire type and what it mirrors. A client type may
// mirror two server types (the output and the input of the same thing).
var mirrors = []mirror{
	// partners and the API's session views
	{client: client.User{}, server: partners.User{}, omitted: map[string]string{
		"updated_at": "the PWA never shows when a user last changed"}},
	{client: client.Membership{}, server: partners.Membership{}},
	{client: client.Member{}, server: partners.Member{}, omitted: map[string]string{
		"user.updated_at": "as in User"}},
	{client: client.MembershipView{}, server: api.MembershipView{}},
	{client: client.Me{}, server: api.Me{}, omitted: map[string]string{
		"user.updated_at": "as in User"}},
	{client: client.Contact{}, server: partners.Contact{}},
	{client: client.Partner{}, server: partners.Account{}},
	{client: client.DirectoryEntry{}, server: partners.DirectoryEntry{}, omitted: map[string]string{
		// partners.DirectoryEntry.MarshalJSON writes its Counts map beside
		// the account's fields; the stores of the later domains name them.
		"signed_contracts": "a count the contracts store contributes (partners.Counts)",
		"agreements":       "a count the contracts store contributes (partners.Counts)",
		"listings":         "a count the listings store contributes (partners.Counts)"}},
	{client: client.NewPartner{}, server: partners.CreatePartnerInput{}},
	{client: client.PartnerChanges{}, server: partners.UpdatePartnerInput{}, omitted: map[string]string{
		"business_contact":  "the PWA renames; contacts are edited through the API only",
		"technical_contact": "as business_contact"}},
	{client: client.APIKey{}, server: partners.APIKey{}, omitted: map[string]string{
		"created_by": "the PWA shows the creator (creator), not the principal"}},
	{client: client.KeyCreator{}, server: partners.KeyCreator{}},
	{client: client.CreatedAPIKey{}, server: api.CreatedAPIKey{}, omitted: map[string]string{
		"created_by": "as in APIKey"}},
	{client: client.TeamInvitation{}, server: api.CreatedTeamInvitation{}, omitted: map[string]string{
		"account_id": "the PWA invites into the account it acts in",
		"created_by": "not shown",
		"created_at": "not shown",
		"used_at":    "a new invitation is unused",
		"sent_at":    "a new or resent invitation was sent now",
		"revoked_at": "a new or resent invitation is not revoked"}},
	{client: client.TeamInvitationReview{}, server: partners.TeamInvitationReview{}},
	{client: client.AuditEvent{}, server: partnerkit.AuditEvent{}, omitted: map[string]string{
		"account_id": "the trail is read within one tenancy"}},
	{client: client.ErrorBody{}, server: api.ErrorBody{}},

	// passwords, sessions, two-factor sign-in, account security (issue 15)
	{client: client.TwoFactorChallenge{}, server: api.TwoFactorChallenge{}},
	{client: client.SecondFactor{}, server: partners.SecondFactorInput{}},
	{client: client.PasswordResetRequest{}, server: api.PasswordResetRequest{}},
	{client: client.PasswordResetAccepted{}, server: api.PasswordResetAccepted{}},
	{client: client.PasswordReset{}, server: api.PasswordResetInput{}},
	{client: client.PasswordChange{}, server: partners.ChangePasswordInput{}},
	{client: client.PasswordChanged{}, server: api.PasswordChanged{}},
	{client: client.Session{}, server: partners.SessionInfo{}},
	{client: client.SessionsEnded{}, server: api.SessionsEnded{}},
	{client: client.Security{}, server: partners.SecurityOverview{}},
	{client: client.SecurityChanges{}, server: partners.SecurityInput{}},
	{client: client.TwoFactorEnrolment{}, server: partners.TwoFactorEnrolment{}},
	{client: client.TwoFactorCode{}, server: api.TwoFactorCode{}},
	{client: client.RecoveryCodes{}, server: api.RecoveryCodes{}},
	{client: client.TwoFactorOff{}, server: partners.DisableTwoFactorInput{}},
	{client: client.RecoveryCodesRenewal{}, server: partners.RecoveryCodesInput{}},
	{client: client.AccountSecurity{}, server: partners.AccountSecurity{}},
	{client: client.AccountSecurityChanges{}, server: partners.AccountSecurityInput{}},
	{client: client.TeamInvitationStatus{}, server: partners.TeamInvitationView{}, omitted: map[string]string{
		"account_id": "the list is the account's own",
		"created_by": "not shown"}},
	{client: client.TeamInvitationDelivery{}, server: partners.MailDelivery{}},

	// agreements
	{client: client.Document{}, server: agreements.Document{}},
	{client: client.DocumentInput{}, server: agreements.DocumentInput{}},
	{client: client.Agreement{}, server: agreements.Agreement{}},
	{client: client.NewAgreement{}, server: agreements.CreateInput{}},
	{client: client.AgreementChanges{}, server: agreements.UpdateInput{}},
	{client: client.AgreementVersion{}, server: agreements.Version{}},

	// contracts and onboarding
	{client: client.Contract{}, server: contracts.Contract{}},
	{client: client.ContractEvent{}, server: contracts.Event{}},
	{client: client.Marketplace{}, server: contracts.Marketplace{}},
	{client: client.Onboarding{}, server: contracts.OnboardingInput{}},
	{client: client.Invitation{}, server: contracts.Invitation{}, omitted: map[string]string{
		"owner_id":   "the inviting account is the caller's",
		"created_by": "not shown"}},
	{client: client.OnboardingResult{}, server: contracts.OnboardingResult{}, omitted: map[string]string{
		"invitation.owner_id":   "as in Invitation",
		"invitation.created_by": "as in Invitation"}},
	{client: client.InvitationReview{}, server: contracts.InvitationReview{}},
	{client: client.MailDelivery{}, server: partnerkit.MailDelivery{}},
	{client: client.InvitationResent{}, server: contracts.ResendResult{}, omitted: map[string]string{
		"invitation.owner_id": "as in Invitation", "invitation.created_by": "as in Invitation"}},
	{client: client.Activation{}, server: contracts.ActivationInput{}},
	{client: client.ActivationResult{}, server: contracts.ActivationResult{}, omitted: map[string]string{
		"user.updated_at": "as in User"}},

	// capacity
	{client: client.Terms{}, server: capacity.Terms{}},
	{client: client.TermsChange{}, server: capacity.TermsInput{}},
	{client: client.CapacityContract{}, server: capacity.CapacityContract{}},
	{client: client.PartnerOverview{}, server: capacity.PartnerOverview{}},
	{client: client.Overview{}, server: capacity.Overview{}},
	{client: client.Allocation{}, server: capacity.Allocation{}},
	{client: client.AllocationChange{}, server: capacity.AllocationInput{}},
	{client: client.StorageAccount{}, server: capacity.StorageAccount{}},
	{client: client.NewStorageAccount{}, server: capacity.StorageAccountInput{}},
	{client: client.Sample{}, server: capacity.Sample{}},
	{client: client.IngestResult{}, server: capacity.IngestResult{}},
	{client: client.ReportRow{}, server: capacity.ReportRow{}},
	{client: client.Report{}, server: capacity.Report{}},
	{client: client.Deal{}, server: capacity.Deal{}, omitted: map[string]string{
		"decided_by": "not shown",
		"created_by": "not shown",
		"updated_at": "not shown",
		"version":    "deals are decided by action, never edited"}},
	{client: client.NewDeal{}, server: capacity.DealInput{}},

	// listings
	{client: client.ProductItem{}, server: listings.Item{}},
	{client: client.ProductItem{}, server: listings.ItemInput{}, omitted: map[string]string{
		"position": "the API numbers items in their order"}},
	{client: client.Product{}, server: listings.Product{}},
	{client: client.NewProduct{}, server: listings.ProductInput{}, omitted: map[string]string{
		"items.position": "as in ProductItem"}},
	{client: client.ProductChanges{}, server: listings.UpdateProductInput{}, omitted: map[string]string{
		"items.position": "as in ProductItem"}},
	{client: client.Listing{}, server: listings.Listing{}},
	{client: client.PlanDimension{}, server: listings.Dimension{}},
	{client: client.OfferPlan{}, server: listings.OfferPlan{}},
	{client: client.OfferPlanSet{}, server: listings.OfferPlanSet{}},

	// resellers
	{client: client.CatalogPlanResource{}, server: resellers.PlanResource{}},
	{client: client.CatalogPlan{}, server: resellers.Plan{}},
	{client: client.CatalogPlan{}, server: resellers.PlanInput{}},
	{client: client.CatalogService{}, server: resellers.CatalogService{}},
	{client: client.NewCatalogService{}, server: resellers.ServiceInput{}},
	{client: client.ResellerClient{}, server: resellers.Client{}},
	{client: client.NewResellerClient{}, server: resellers.ClientInput{}},
	{client: client.ResourceAmount{}, server: resellers.Amount{}},
	{client: client.AmountInput{}, server: resellers.AmountInput{}},
	{client: client.Subscription{}, server: resellers.Subscription{}},
	{client: client.SubscriptionChanges{}, server: resellers.SubscriptionUpdate{}},
	{client: client.SubscriptionEvent{}, server: resellers.Event{}, omitted: map[string]string{
		"partner_id": "the history is read within the reseller's own account"}},
	{client: client.Charge{}, server: resellers.Charge{}},
	{client: client.Order{}, server: resellers.OrderInput{}},
	{client: client.ResourceUsage{}, server: resellers.Usage{}},
	{client: client.AnalyticsPoint{}, server: resellers.Point{}},
	{client: client.AnalyticsRow{}, server: resellers.Row{}},
	{client: client.Analytics{}, server: resellers.Analytics{}},

	// domain events and webhooks
	{client: client.EventType{}, server: partnerkit.EventType{}},
	{client: client.Event{}, server: partnerkit.Event{}},
	{client: client.EventData{}, server: partnerkit.EventData{}},
	{client: client.WebhookEndpoint{}, server: webhooks.Endpoint{}},
	{client: client.NewWebhookEndpoint{}, server: webhooks.EndpointInput{}},
	{client: client.WebhookEndpointChanges{}, server: webhooks.EndpointPatch{}},
	{client: client.CreatedWebhookEndpoint{}, server: webhooks.CreatedEndpoint{}},
	{client: client.WebhookSecretRotation{}, server: webhooks.RotateInput{}},
	{client: client.RotatedWebhookSecret{}, server: webhooks.RotatedSecret{}},
	{client: client.WebhookDelivery{}, server: webhooks.Delivery{}},
	{client: client.WebhookAttempt{}, server: webhooks.Attempt{}},
	{client: client.WebhookDeliveryDetail{}, server: webhooks.DeliveryDetail{}},
	{client: client.List[client.Event]{}, server: partnerkit.List[partnerkit.Event]{}},

	// the kernel's list envelope
	{client: client.List[client.Partner]{}, server: partnerkit.List[partners.Account]{}},
}

// notWire lists the client's struct types that mirror no JSON body, with
// the reason.
var notWire = map[string]string{
	"Client":               "the client itself",
	"Request":              "a Transport's request",
	"Response":             "a Transport's response",
	"Page":                 "query parameters (limit, offset, sort)",
	"DirectoryQuery":       "query parameters of GET /partners",
	"ContractQuery":        "query parameters of GET /contracts",
	"InvitationQuery":      "query parameters of GET /invitations",
	"ListingQuery":         "query parameters of GET /listings",
	"AnalyticsQuery":       "query parameters of GET /analytics",
	"ChargeQuery":          "query parameters of GET /charges.csv",
	"EventQuery":           "query parameters of GET /events",
	"WebhookDeliveryQuery": "query parameters of GET /webhooks/{id}/deliveries",
	"TwoFactorRequired":    "SignIn's error, holding a TwoFactorChallenge",
}

// TestWireTypes compares the JSON field names of every client wire type
// with those of the server type it mirrors, recursively (nested structs,
// slices, pointers, embedded structs flattened), and fails naming every
// field that exists on one side only and is not in the pair's omitted
// list — a renamed or new field fails here, not in a browser. It also
// fails for a client struct type that is in neither mirrors nor notWire,
// so a new wire type cannot go unchecked, and for an omission that is no
// longer one.
func TestWireTypes(t *testing.T) {
	for _, m := range mirrors {
		ct, st := reflect.TypeOf(m.client), reflect.TypeOf(m.server)
		t.Run(ct.Name()+"/"+st.String(), func(t *testing.T) {
			var diffs []string
			compareJSON(ct, st, "", &diffs)
			var unexplained []string
			used := map[string]bool{}
			for _, d := range diffs {
				path := d[strings.Index(d, " ")+1:]
				if _, ok := m.omitted[path]; ok {
					used[path] = true
					continue
				}
				unexplained = append(unexplained, d)
			}
			for path := range m.omitted {
				if !used[path] {
					unexplained = append(unexplained, "omitted "+path+" is on both sides (or neither): drop it from the list")
				}
			}
			sort.Strings(unexplained)
			for _, d := range unexplained {
				t.Error(d)
			}
		})
	}
}

// TestWireTypesCoverEveryClientType fails for a client struct type that is
// neither paired in mirrors nor listed in notWire — above all one named
// like a domain type, which looks like a mirror nobody checks.
func TestWireTypesCoverEveryClientType(t *testing.T) {
	paired := map[string]bool{}
	for _, m := range mirrors {
		name, _, _ := strings.Cut(reflect.TypeOf(m.client).Name(), "[")
		paired[name] = true
	}
	domain := structNames(t, "../../partners", "../../agreements", "../../contracts", "../../capacity",
		"../../listings", "../../resellers", "../../webhooks", "../api", "../..")
	for _, name := range structNames(t, ".") {
		_, skip := notWire[name]
		switch {
		case paired[name] && skip:
			t.Errorf("client.%s is both in mirrors and in notWire", name)
		case paired[name] || skip:
		case slices.Contains(domain, name):
			t.Errorf("client.%s is named like a server type but TestWireTypes does not compare it: add it to mirrors", name)
		default:
			t.Errorf("client.%s is in neither mirrors nor notWire: pair it with the server type it mirrors", name)
		}
	}
}

// structNames lists the exported struct types declared in the non-test Go
// files of dirs.
func structNames(t *testing.T, dirs ...string) []string {
	t.Helper()
	var names []string
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, decl := range f.Decls {
				g, ok := decl.(*ast.GenDecl)
				if !ok || g.Tok != token.TYPE {
					continue
				}
				for _, spec := range g.Specs {
					ts := spec.(*ast.TypeSpec)
					if _, isStruct := ts.Type.(*ast.StructType); isStruct && ts.Name.IsExported() {
						names = append(names, ts.Name.Name)
					}
				}
			}
		}
	}
	return names
}

// leaves are types whose JSON is a single value, compared by name only.
var leaves = map[reflect.Type]bool{
	reflect.TypeOf(time.Time{}):           true,
	reflect.TypeOf(decimal.Decimal{}):     true,
	reflect.TypeOf(decimal.NullDecimal{}): true,
	reflect.TypeOf(json.RawMessage{}):     true,
}

// jsonFields maps the JSON names of a struct's fields to their types,
// embedded structs flattened.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case name == "-" || (!f.IsExported() && !f.Anonymous):
		case f.Anonymous && name == "" && ft.Kind() == reflect.Struct:
			for k, v := range jsonFields(ft) {
				if _, dup := out[k]; !dup {
					out[k] = v
				}
			}
		case name == "":
			out[f.Name] = f.Type
		default:
			out[name] = f.Type
		}
	}
	return out
}

// element is the struct a field's JSON holds (through pointers, slices and
// arrays), or nil for a single value.
func element(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return nil // []byte: base64
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || leaves[t] {
		return nil
	}
	return t
}

// compareJSON appends to diffs every JSON path under prefix that exists on
// one side only ("client only: x", "server only: x"), and every field that
// is an object on one side and a single value on the other.
func compareJSON(c, s reflect.Type, prefix string, diffs *[]string) {
	cf, sf := jsonFields(c), jsonFields(s)
	for name, ct := range cf {
		st, ok := sf[name]
		if !ok {
			*diffs = append(*diffs, "client-only "+prefix+name)
			continue
		}
		ce, se := element(ct), element(st)
		switch {
		case ce != nil && se != nil:
			compareJSON(ce, se, prefix+name+".", diffs)
		case (ce == nil) != (se == nil):
			*diffs = append(*diffs, "shape "+prefix+name+": client "+ct.String()+", server "+st.String())
		}
	}
	for name := range sf {
		if _, ok := cf[name]; !ok {
			*diffs = append(*diffs, "server-only "+prefix+name)
		}
	}
}
