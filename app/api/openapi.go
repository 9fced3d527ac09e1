//go:build !js

package api

import (
	"regexp"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
)

// op documents one route: what it does, what it takes and what it returns.
type op struct {
	summary string
	// in is the request body's type (a zero value), nil for none.
	in any
	// out is the response's type; list wraps it in {"items", "total"}.
	out    any
	list   bool
	status int
	// query lists the query parameters.
	query []string
	// csv says the route also answers text/csv.
	csv bool
}

// pageQuery names the paging parameters in a route's query list; every
// list route documents them, and sort, typed by listQueryParams.
var pageQuery = []string{"limit", "offset"}

// listQueryParams describes the limit, offset and sort parameters that
// every list route takes, sort with the values its order accepts.
func listQueryParams(order partnerkit.Order) []any {
	sorts := make([]any, 0, 2*len(order.Fields))
	for _, s := range order.Sorts() {
		sorts = append(sorts, string(s))
	}
	return []any{
		map[string]any{"name": "limit", "in": "query", "description": "How many items to return (default " +
			itoa(partnerkit.DefaultLimit) + ")", "schema": map[string]any{"type": "integer", "minimum": 1, "maximum": partnerkit.MaxLimit}},
		map[string]any{"name": "offset", "in": "query", "description": "How many items to skip",
			"schema": map[string]any{"type": "integer", "minimum": 0, "maximum": partnerkit.MaxOffset}},
		map[string]any{"name": "sort", "in": "query", "description": "The order: a field, or -field for descending (default " +
			string(order.Default) + "; empty is the default too); ties are broken by ID", "allowEmptyValue": true,
			"schema": map[string]any{"type": "string", "enum": sorts}},
	}
}

// docs documents every route; a test fails when a mounted route is missing.
var docs = map[string]op{
	"POST /session":   {summary: "Sign in: sets the session cookie", in: SignInInput{}, out: Me{}, status: 201},
	"DELETE /session": {summary: "Sign out", status: 204},
	"GET /me":         {summary: "Who the caller is, and the accounts it may switch to", out: Me{}},
	"PUT /me/account": {summary: "Switch the session's account", in: struct {
		AccountID string `json:"account_id"`
	}{}, out: Me{}},
	"GET /team": {summary: "Members of the caller's account", out: partners.Member{}, list: true},
	"POST /team": {summary: "Add a member by email (admins): a new email becomes a user; one that has a login gets an invitation instead, answered alike",
		in: partners.CreateUserInput{}, out: partners.TeamAddition{}, status: 201},
	"PATCH /team/{user_id}": {summary: "Change a member's role (admins; one admin always stays)",
		in: struct {
			Role partnerkit.Role `json:"role"`
		}{}, out: partners.Membership{}},
	"DELETE /team/{user_id}": {summary: "Remove a member (admins; one admin always stays)", status: 204},
	"POST /team/invitations": {summary: "Invite a member by link (admins); the token is shown only here",
		in: partners.TeamInviteInput{}, out: CreatedTeamInvitation{}, status: 201},
	"GET /team-invitations/{token}": {summary: "What a team invitation link shows (public)", out: partners.TeamInvitationReview{}},
	"POST /team-invitations/{token}/accept": {summary: "Join with a team invitation link (public)",
		in: partners.AcceptTeamInvitationInput{}, out: partners.User{}, status: 201},
	"GET /api-keys":         {summary: "API keys of the caller's account (admins)", out: partners.APIKey{}, list: true},
	"POST /api-keys":        {summary: "Create an API key; the key is shown only in this response", in: partners.APIKeyInput{}, out: CreatedAPIKey{}, status: 201},
	"DELETE /api-keys/{id}": {summary: "Revoke an API key", out: partners.APIKey{}},
	"GET /audit":            {summary: "Audit trail of an entity", out: partnerkit.AuditEvent{}, list: true, query: append([]string{"entity_id"}, pageQuery...)},

	"GET /partners": {summary: "The partner directory", out: DirectoryRow{}, list: true, csv: true,
		query: append([]string{"q", "type", "status", "sort", "manager_id", "format", "total"}, pageQuery...)},
	"POST /partners": {summary: "Create a partner", in: partners.CreatePartnerInput{}, out: partners.Account{}, status: 201},
	"POST /partners/batch": {summary: "Create up to 1000 partners at once, all or nothing (errors name the row: partners[12].name)",
		in: PartnersBatch{}, out: PartnersCreated{}, status: 201},
	"GET /partners/{id}":             {summary: "A partner's details", out: partners.Account{}},
	"PATCH /partners/{id}":           {summary: "Rename or edit a partner", in: partners.UpdatePartnerInput{}, out: partners.Account{}},
	"DELETE /partners/{id}":          {summary: "Delete a partner that has no data left", status: 204},
	"POST /partners/{id}/suspend":    {summary: "Suspend an active partner", out: partners.Account{}},
	"POST /partners/{id}/reactivate": {summary: "Reactivate a suspended partner", out: partners.Account{}},
	"GET /partners/{id}/contacts":    {summary: "A partner's business and technical contacts", out: ContactsInput{}},
	"PUT /partners/{id}/contacts":    {summary: "Replace a partner's contacts", in: ContactsInput{}, out: ContactsInput{}},
	"GET /partners/{id}/users":       {summary: "A partner's console users", out: partners.Member{}, list: true},

	"POST /onboarding": {summary: "The Create Partner wizard in one atomic call", in: contracts.OnboardingInput{}, out: contracts.OnboardingResult{}, status: 201},
	"GET /invitations": {summary: "Activation invitations the caller's account generated (or one visible partner's), newest first, each pending, activated, expired or revoked, with where and when it was sent and what became of its e-mail",
		out: contracts.Invitation{}, list: true, query: append([]string{"partner_id", "status"}, pageQuery...)},
	"POST /invitations/{id}/resend": {summary: "Send a pending or expired invitation again: a new link (shown only here) and a fresh expiry; the previous link stops working; the e-mail goes to the given address or the invitation's",
		in: contracts.ResendInput{}, out: contracts.ResendResult{}},
	"POST /invitations/{id}/revoke":              {summary: "Revoke a pending invitation: its link stops working at once", out: contracts.Invitation{}},
	"GET /invitations/{token}":                   {summary: "What an invited company reviews (public)", out: contracts.InvitationReview{}},
	"GET /invitations/{token}/document":          {summary: "The invitation's agreement document (public)", out: agreements.Version{}},
	"POST /invitations/{token}/activate":         {summary: "Activate with an invitation link (public)", in: contracts.ActivationInput{}, out: contracts.ActivationResult{}, status: 201},
	"GET /agreements":                            {summary: "Agreements", out: agreements.Agreement{}, list: true, query: append([]string{"q", "type", "owner_id"}, pageQuery...)},
	"POST /agreements":                           {summary: "Create an agreement with its first version", in: agreements.CreateInput{}, out: agreements.Agreement{}, status: 201},
	"GET /agreements/{id}":                       {summary: "An agreement", out: agreements.Agreement{}},
	"PATCH /agreements/{id}":                     {summary: "Rename or describe an agreement", in: agreements.UpdateInput{}, out: agreements.Agreement{}},
	"GET /agreements/{id}/versions":              {summary: "An agreement's versions", out: agreements.Version{}, list: true},
	"POST /agreements/{id}/versions":             {summary: "Publish a new version", in: agreements.DocumentInput{}, out: agreements.Version{}, status: 201},
	"GET /agreements/{id}/versions/{n}/document": {summary: "A version's document: the file, or its description", out: agreements.Version{}},
	"DELETE /agreements/{id}/versions/{n}":       {summary: "Delete a version no contract uses", status: 204},
	"GET /marketplaces":                          {summary: "Marketplaces of the caller's account", out: contracts.Marketplace{}, list: true},
	"POST /marketplaces":                         {summary: "Create a marketplace", in: contracts.MarketplaceInput{}, out: contracts.Marketplace{}, status: 201},
	"GET /contracts": {summary: "Contracts", out: contracts.Contract{}, list: true,
		query: append([]string{"account_id", "partner_id", "agreement_id", "status"}, pageQuery...)},
	"POST /contracts":                {summary: "Create a pending contract", in: contracts.CreateInput{}, out: contracts.Contract{}, status: 201},
	"GET /contracts/{id}":            {summary: "A contract", out: contracts.Contract{}},
	"GET /contracts/{id}/events":     {summary: "A contract's history", out: contracts.Event{}, list: true},
	"GET /contracts/{id}/document":   {summary: "The agreement version a contract is bound to", out: agreements.Version{}},
	"POST /contracts/{id}/sign":      {summary: "Sign a pending contract", out: contracts.Contract{}},
	"POST /contracts/{id}/activate":  {summary: "Activate a signed contract", out: contracts.Contract{}},
	"POST /contracts/{id}/reject":    {summary: "Reject a pending contract", out: contracts.Contract{}},
	"POST /contracts/{id}/terminate": {summary: "Terminate a signed or active contract", out: contracts.Contract{}},
	"POST /contracts/{id}/resign":    {summary: "Sign the agreement's newer version (the partner)", out: contracts.Contract{}},

	"GET /capacity/contracts":                  {summary: "Capacity contracts (Select contract)", out: capacity.CapacityContract{}, list: true},
	"PUT /capacity/contracts/{id}/terms":       {summary: "Set a contract's capacity terms", in: capacity.TermsInput{}, out: capacity.Terms{}},
	"GET /capacity/contracts/{id}/overview":    {summary: "A contract's overview widgets", out: capacity.Overview{}},
	"GET /capacity/contracts/{id}/allocations": {summary: "A contract's allocations by partner", out: capacity.PartnerOverview{}, list: true},
	"GET /partners/{id}/allocation":            {summary: "A partner's allocation", out: capacity.Allocation{}},
	"GET /partners/{id}/allocations":           {summary: "A partner's allocation as a list: empty when it has none", out: capacity.Allocation{}, list: true},
	"PUT /partners/{id}/allocation":            {summary: "Set a partner's allocation", in: capacity.AllocationInput{}, out: capacity.Allocation{}},
	"POST /partners/{id}/transfer":             {summary: "Move a partner to another capacity contract", in: TransferInput{}, out: capacity.Allocation{}},
	"GET /storage-accounts": {summary: "Storage accounts", out: capacity.StorageAccount{}, list: true, csv: true,
		query: append([]string{"partner_id", "status", "q", "format"}, pageQuery...)},
	"POST /storage-accounts":                      {summary: "Create a storage account", in: capacity.StorageAccountInput{}, out: capacity.StorageAccount{}, status: 201},
	"GET /storage-accounts/{id}":                  {summary: "A storage account", out: capacity.StorageAccount{}},
	"PATCH /storage-accounts/{id}":                {summary: "Rename or requota a storage account", in: capacity.StorageAccountUpdate{}, out: capacity.StorageAccount{}},
	"DELETE /storage-accounts/{id}":               {summary: "Schedule a storage account's removal in 30 days", out: capacity.StorageAccount{}},
	"POST /storage-accounts/{id}/cancel-deletion": {summary: "Keep a storage account scheduled for removal", out: capacity.StorageAccount{}},
	"POST /usage":                                 {summary: "Ingest usage samples (idempotent)", in: UsageInput{}, out: capacity.IngestResult{}},
	"GET /usage/reports": {summary: "Usage report by day or month", out: capacity.Report{}, csv: true,
		query: []string{"partner_id", "contract_id", "from", "to", "granularity", "format"}},
	"GET /deals":               {summary: "Deals", out: capacity.Deal{}, list: true, query: append([]string{"account_id", "status"}, pageQuery...)},
	"POST /deals":              {summary: "Register a deal", in: capacity.DealInput{}, out: capacity.Deal{}, status: 201},
	"GET /deals/{id}":          {summary: "A deal", out: capacity.Deal{}},
	"POST /deals/{id}/approve": {summary: "Approve a deal", in: ReasonInput{}, out: capacity.Deal{}},
	"POST /deals/{id}/reject":  {summary: "Reject a deal with a reason", in: ReasonInput{}, out: capacity.Deal{}},
	"POST /deals/{id}/won":     {summary: "Mark an approved deal won", out: capacity.Deal{}},
	"POST /deals/{id}/lost":    {summary: "Mark an approved deal lost", out: capacity.Deal{}},
	"GET /openapi.json":        {summary: "This document (public)"},

	"GET /products":         {summary: "A vendor's products", out: listings.Product{}, list: true, query: append([]string{"vendor_id"}, pageQuery...)},
	"POST /products":        {summary: "Create a product with its items", in: listings.ProductInput{}, out: listings.Product{}, status: 201},
	"GET /products/{id}":    {summary: "A product", out: listings.Product{}},
	"PATCH /products/{id}":  {summary: "Rename, describe or replace the items of a product", in: listings.UpdateProductInput{}, out: listings.Product{}},
	"DELETE /products/{id}": {summary: "Delete a product that is not listed", status: 204},
	"GET /products/{id}/offer-plans": {summary: "The product's Microsoft commercial marketplace offer plans for a tenant",
		out: listings.OfferPlanSet{}, query: []string{"tenant_id"}},
	"GET /listings": {summary: "Listings of products on marketplaces", out: listings.Listing{}, list: true,
		query: append([]string{"vendor_id", "product_id", "marketplace_id"}, pageQuery...)},
	"POST /listings":        {summary: "List a product on a marketplace (needs an active distribution contract)", in: listings.ListingInput{}, out: listings.Listing{}, status: 201},
	"DELETE /listings/{id}": {summary: "Take a product off a marketplace", status: 204},

	"GET /catalog/services": {summary: "Catalog services the caller's account provides", out: resellers.CatalogService{}, list: true, query: pageQuery},
	"POST /catalog/services": {summary: "Offer a service in the Reseller Store catalog", in: resellers.ServiceInput{},
		out: resellers.CatalogService{}, status: 201},
	"GET /catalog/services/{id}":   {summary: "A catalog service", out: resellers.CatalogService{}},
	"PATCH /catalog/services/{id}": {summary: "Replace a catalog service's name, description and plans (its provider)", in: resellers.ServiceInput{}, out: resellers.CatalogService{}},
	"GET /catalog": {summary: "Services the caller may buy: those of providers it holds an active contract with",
		out: resellers.CatalogService{}, list: true, query: pageQuery},
	"GET /clients": {summary: "A reseller's clients", out: resellers.Client{}, list: true,
		query: append([]string{"partner_id", "status", "q"}, pageQuery...)},
	"POST /clients":       {summary: "Add a client", in: resellers.ClientInput{}, out: resellers.Client{}, status: 201},
	"GET /clients/{id}":   {summary: "A client", out: resellers.Client{}},
	"PATCH /clients/{id}": {summary: "Rename a client or change its status (active, on_hold, deleted)", in: resellers.ClientUpdate{}, out: resellers.Client{}},
	"GET /subscriptions": {summary: "A reseller's subscriptions, newest first", out: resellers.Subscription{}, list: true,
		query: append([]string{"partner_id", "client_id", "service_id", "status"}, pageQuery...)},
	"POST /subscriptions": {summary: "Order a subscription for an existing or a new client; the reseller is billed",
		in: resellers.OrderInput{}, out: resellers.Subscription{}, status: 201},
	"GET /subscriptions/{id}":           {summary: "A subscription", out: resellers.Subscription{}},
	"PATCH /subscriptions/{id}":         {summary: "Change a subscription's settings: auto_renew (its reseller)", in: resellers.SubscriptionUpdate{}, out: resellers.Subscription{}},
	"GET /subscriptions/{id}/history":   {summary: "A subscription's status history, oldest first", out: resellers.Event{}, list: true},
	"POST /subscriptions/{id}/stop":     {summary: "Stop an active subscription", out: resellers.Subscription{}},
	"POST /subscriptions/{id}/activate": {summary: "Resume a stopped subscription within its period", out: resellers.Subscription{}},
	"POST /subscriptions/{id}/renew":    {summary: "Renew an active or expired subscription for one more billing period", out: resellers.Subscription{}},
	"PATCH /subscriptions/{id}/resources": {summary: "Change resource amounts: increases bill the rest of the period, decreases never refund",
		in: ResourcesInput{}, out: resellers.Subscription{}},
	"GET /charges": {summary: "Charges billed to a reseller, oldest first", out: resellers.Charge{}, list: true,
		query: append([]string{"partner_id", "subscription_id", "client_id", "from", "to"}, pageQuery...)},
	"GET /charges.csv": {summary: "The charges as CSV, every page; decimals as exact strings", csv: true,
		query: []string{"partner_id", "subscription_id", "client_id", "from", "to"}},
	"GET /analytics": {summary: "Cost and consumption per month or day, by client or service, with the change against the previous period",
		out: resellers.Analytics{}, csv: true, query: []string{"partner_id", "by", "granularity", "from", "to", "currency", "format"}},
	"GET /analytics.csv": {summary: "The analytics as CSV", csv: true, query: []string{"partner_id", "by", "granularity", "from", "to", "currency"}},
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)
