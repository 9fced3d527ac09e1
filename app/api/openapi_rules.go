//go:build !js

package api

import (
	"reflect"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	agreementrules "github.com/partnerkit/partnerkit/agreements/rules"
	"github.com/partnerkit/partnerkit/capacity"
	capacityrules "github.com/partnerkit/partnerkit/capacity/rules"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/listings"
	listingrules "github.com/partnerkit/partnerkit/listings/rules"
	"github.com/partnerkit/partnerkit/partners"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
	"github.com/partnerkit/partnerkit/resellers"
	resellerrules "github.com/partnerkit/partnerkit/resellers/rules"
	"github.com/partnerkit/partnerkit/webhooks"
)

// fieldRule is what a service checks of one field by hand (beyond its Go
// type and validate tag), written with the constants the service checks
// against, so the document states the same limits. Bounds apply to request
// schemas; enum, pattern and description to both.
type fieldRule struct {
	// required: the service refuses the request without the field.
	required bool
	// optionalOut: a response may leave the field out although its tag
	// has no omitempty (none so far).
	optionalOut          bool
	minLength, maxLength int
	minItems, maxItems   int
	minimum, maximum     any
	format, pattern      string
	// enum lists the values of a plain string (event type names), the
	// component enumName; items is the rule of each element of an array.
	enum     []string
	enumName string
	// inOnly: the enum is what a request may send (a subset of the type's
	// values, which responses carry).
	inOnly      bool
	items       *fieldRule
	description string
}

// text is the rule of a text field: required or not, at most max characters.
func text(required bool, max int) fieldRule {
	r := fieldRule{required: required, maxLength: max}
	if required {
		r.minLength = 1
	}
	return r
}

// applyRule adds a field's rule to its schema and returns the schema.
func (g *schemaGen) applyRule(s map[string]any, r fieldRule, mode schemaMode) map[string]any {
	if r.enumName != "" && (mode == modeIn || !r.inOnly) {
		ref := g.enumRef(r.enumName, r.enum)
		if s["nullable"] == true {
			return map[string]any{"type": "string", "allOf": []any{ref}, "nullable": true}
		}
		return ref
	}
	if s["$ref"] != nil || s["allOf"] != nil {
		return s
	}
	if r.pattern != "" {
		s["pattern"] = r.pattern
	}
	if r.items != nil {
		if items, ok := s["items"].(map[string]any); ok {
			s["items"] = g.applyRule(items, *r.items, mode)
		}
	}
	if mode != modeIn {
		return s
	}
	for key, v := range map[string]int{"minLength": r.minLength, "maxLength": r.maxLength, "minItems": r.minItems, "maxItems": r.maxItems} {
		if v > 0 {
			s[key] = v
		}
	}
	if r.minimum != nil {
		s["minimum"] = r.minimum
	}
	if r.maximum != nil {
		s["maximum"] = r.maximum
	}
	if r.format != "" {
		s["format"] = r.format
	}
	return s
}

func fieldRuleOf(t reflect.Type, name string) fieldRule { return fieldRules[t][name] }

// eventName is the rule of a field that holds an event type's name.
var eventName = fieldRule{enum: eventTypeNames(), enumName: "PartnerkitEventName"}

// eventTypeNames lists the names of every domain event (partnerkit.EventTypes).
func eventTypeNames() []string {
	names := make([]string, len(partnerkit.EventTypes))
	for i, e := range partnerkit.EventTypes {
		names[i] = e.Name
	}
	return names
}

var (
	passwordRule = fieldRule{required: true, minLength: partnerrules.MinPasswordLength, maxLength: partnerrules.MaxPasswordLength,
		description: "At least 3 of: lower case, upper case, digits, symbols"}
	idRule      = fieldRule{maxLength: partnerkit.MaxIDLength}
	requiredID  = fieldRule{required: true, minLength: 1, maxLength: partnerkit.MaxIDLength}
	roleRule    = fieldRule{required: true}
	decimalRule = fieldRule{required: true}
)

// fieldRules are the hand-checked rules of request fields, by Go type and
// JSON name (each beside the check it mirrors in the service).
var fieldRules = map[reflect.Type]map[string]fieldRule{
	reflect.TypeOf(SignInInput{}):              {"email": {required: true, minLength: 1}, "password": {required: true, minLength: 1}},
	reflect.TypeOf(partners.CreateUserInput{}): {"password": passwordRule, "role": roleRule, "account_id": idRule},
	reflect.TypeOf(partners.TeamInviteInput{}): {"role": roleRule},
	reflect.TypeOf(partners.APIKeyInput{}):     {"role": roleRule},
	reflect.TypeOf(partners.AcceptTeamInvitationInput{}): {
		"full_name": {maxLength: partnerrules.MaxFullNameLength, description: "Required for a new login; one that exists already keeps its name"},
		"password": {required: true, minLength: 1, maxLength: partnerrules.MaxPasswordLength,
			description: "A new login's password (the password policy), or the existing login's own"}},
	reflect.TypeOf(partners.CreatePartnerInput{}): {
		"type": {required: true, enum: partnerkit.EnumStrings(partnerrules.PartnerTypes()), enumName: "PartnersPartnerType", inOnly: true,
			description: "The types a manager may create depend on its own (rules.ManagedTypes): a provider creates distributors, vendors and resellers, a distributor vendors and resellers, a reseller customers"},
		"name": text(true, partnerrules.MaxNameLength), "external_id": text(false, partnerrules.MaxExternalIDLength),
		"status": {enum: []string{string(partnerrules.StatusActive), string(partnerrules.StatusInvited)}, enumName: "PartnersNewPartnerStatus",
			inOnly: true, description: "active (the default) or invited"}},
	reflect.TypeOf(partners.UpdatePartnerInput{}): {
		"name": {minLength: 1, maxLength: partnerrules.MaxNameLength}, "external_id": text(false, partnerrules.MaxExternalIDLength),
		"legal_name": {description: "Ends with the legal entity type (Inc., Corp, LLC, Ltd, GmbH, ...)"}},
	reflect.TypeOf(partners.Contact{}): {"email": {description: "An email address, or empty"}},
	reflect.TypeOf(PartnersBatch{}):    {"partners": {required: true, minItems: 1, maxItems: partners.MaxPartnerBatch}},
	reflect.TypeOf(contracts.OnboardingInput{}): {
		"partner": {required: true}, "action": {required: true},
		"agreement_id":  {maxLength: partnerkit.MaxIDLength, description: "An existing agreement; or give new_agreement"},
		"new_agreement": {description: "A new agreement to create; or give agreement_id"}},
	reflect.TypeOf(contracts.ActivationInput{}): {
		"email": {required: true, minLength: 1, maxLength: 254, format: "email"}, "accept_agreement": {required: true, description: "Must be true"},
		"full_name": text(true, partnerrules.MaxFullNameLength), "password": passwordRule,
		"legal_name": {required: true, minLength: 1, maxLength: partnerrules.MaxLegalNameLength,
			description: "The legal company name, ending with its entity type (Inc., Corp, LLC, Ltd, GmbH, ...)"}},
	reflect.TypeOf(agreements.CreateInput{}): {
		"type": {required: true}, "name": text(true, agreementrules.MaxNameLength),
		"description": text(false, agreementrules.MaxDescriptionLength)},
	reflect.TypeOf(agreements.UpdateInput{}): {
		"name": {minLength: 1, maxLength: agreementrules.MaxNameLength}, "description": text(false, agreementrules.MaxDescriptionLength)},
	reflect.TypeOf(agreements.DocumentInput{}): {
		"url":       {maxLength: agreementrules.MaxURLLength, description: "The document's address (kind url)"},
		"file_name": {maxLength: agreementrules.MaxFileNameLength, description: "The file's name (kind file)"},
		"content": {description: "The file, base64-encoded (kind file): PDF, plain text or Markdown, at most " +
			itoa(agreementrules.MaxDocumentSize>>20) + " MiB"},
		"kind": {description: "none (the default), url or file"}},
	reflect.TypeOf(contracts.MarketplaceInput{}): {"currency": {description: "A three-letter ISO 4217 code such as USD"}},
	reflect.TypeOf(contracts.CreateInput{}):      {"marketplace_id": idRule},
	reflect.TypeOf(TransferInput{}):              {"contract_id": requiredID},
	reflect.TypeOf(UsageInput{}):                 {"samples": {required: true, minItems: 1, maxItems: capacity.MaxBatch}},
	reflect.TypeOf(capacity.Sample{}): {"storage_account_id": requiredID, "timestamp": {required: true},
		"bytes": {required: true, minimum: 0, maximum: int64(capacity.MaxSampleBytes)}},
	reflect.TypeOf(capacity.AllocationInput{}): {
		"contract_id":  {maxLength: partnerkit.MaxIDLength, description: "The capacity contract; required for a partner's first allocation"},
		"allocated_tb": {description: "TB allocated to the partner, 0 or more"}},
	reflect.TypeOf(capacity.TermsInput{}): {
		"billing_model": {required: true}, "currency": {required: true, minLength: 1, description: "A three-letter ISO 4217 code such as USD"},
		"reserved_tb":      {description: "TB reserved; more than 0 with the reserved billing model"},
		"alert_thresholds": {maxItems: capacityrules.MaxAlertThresholds, items: &fieldRule{minimum: capacityrules.MinAlertThreshold, maximum: capacityrules.MaxAlertThreshold}},
	},
	reflect.TypeOf(capacity.StorageAccountInput{}): {"quota_tb": {required: true, description: "The quota in TB, more than 0"}, "partner_id": idRule},
	reflect.TypeOf(capacity.DealInput{}): {
		"customer_name": text(true, capacityrules.MaxCustomerNameLength), "note": text(false, capacityrules.MaxDealNoteLength),
		"close_date":  {required: true, format: "date"},
		"expected_tb": {description: "The expected capacity in TB; give it or expected_value"}, "expected_value": {description: "The expected value; give it (with currency) or expected_tb"},
		"currency": {description: "A three-letter ISO 4217 code, with expected_value"}},
	reflect.TypeOf(ReasonInput{}): {"reason": text(false, capacityrules.MaxDealReasonLength)},
	reflect.TypeOf(listings.ProductInput{}): {"items": {required: true, minItems: 1, maxItems: listingrules.MaxItems},
		"vendor_id": idRule, "currency": {description: "The items' prices' three-letter ISO 4217 code such as EUR; left out, USD"}},
	reflect.TypeOf(listings.UpdateProductInput{}): {"items": {minItems: 1, maxItems: listingrules.MaxItems},
		"currency": {description: "A new three-letter ISO 4217 code for the items' prices; left out, the product keeps its"}},
	reflect.TypeOf(listings.ItemInput{}): {"name": text(true, listingrules.MaxItemNameLength), "mpn": text(false, listingrules.MaxMPNLength),
		"type": {required: true}, "unit": text(true, listingrules.MaxUnitLength)},
	reflect.TypeOf(resellers.ServiceInput{}): {"name": text(true, resellerrules.MaxServiceNameLength),
		"description": text(false, resellerrules.MaxDescriptionLength), "plans": {required: true, minItems: 1, maxItems: resellerrules.MaxPlans},
		"currency": {description: "The prices' three-letter ISO 4217 code such as EUR; left out, the service's (USD for a new service)"}},
	reflect.TypeOf(resellers.PlanInput{}): {"name": text(true, resellerrules.MaxPlanNameLength), "billing_period": {required: true},
		"trial_days": {minimum: 0, maximum: resellerrules.MaxTrialDays},
		"resources":  {required: true, minItems: 1, maxItems: resellerrules.MaxResources}},
	reflect.TypeOf(resellers.PlanResource{}): {"name": text(true, resellerrules.MaxResourceNameLength), "unit": text(true, resellerrules.MaxUnitLength)},
	reflect.TypeOf(resellers.ClientInput{}):  {"name": text(true, resellerrules.MaxClientNameLength)},
	reflect.TypeOf(resellers.ClientUpdate{}): {"name": {minLength: 1, maxLength: resellerrules.MaxClientNameLength}},
	reflect.TypeOf(resellers.OrderInput{}): {"service_id": requiredID, "plan_id": requiredID,
		"client_id":  {maxLength: partnerkit.MaxIDLength, description: "An existing client; or give new_client"},
		"new_client": {description: "A new client to add; or give client_id"}},
	reflect.TypeOf(resellers.AmountInput{}): {"name": {required: true, minLength: 1}, "amount": decimalRule},
	reflect.TypeOf(ResourcesInput{}):        {"resources": {required: true}},
	reflect.TypeOf(webhooks.EndpointInput{}): {"url": {required: true, minLength: 1, maxLength: webhooks.MaxURLLength},
		"event_types": {maxItems: webhooks.MaxEventTypes, items: &eventName,
			description: "The event types to deliver (GET /event-types lists them); empty delivers every type"}},
	reflect.TypeOf(webhooks.EndpointPatch{}): {"url": {minLength: 1, maxLength: webhooks.MaxURLLength},
		"event_types": {maxItems: webhooks.MaxEventTypes, items: &eventName}},
	reflect.TypeOf(webhooks.RotateInput{}): {"overlap_seconds": {minimum: 0, maximum: int64(webhooks.MaxOverlap / time.Second)}},
	// Account security (account_security.go).
	reflect.TypeOf(PasswordResetRequest{}): {"email": {required: true, minLength: 1, maxLength: 254}},
	reflect.TypeOf(PasswordResetInput{}):   {"password": passwordRule},
	reflect.TypeOf(TwoFactorCode{}):        {"code": {required: true, minLength: 1}},
	reflect.TypeOf(partners.ChangePasswordInput{}): {"new_password": passwordRule,
		"current_password": {required: true, description: "Your password now; a wrong one is refused"}},
	reflect.TypeOf(partners.SecondFactorInput{}): {"challenge": {required: true, minLength: 1, description: "The challenge POST /session answered"},
		"code":          {description: "The 6-digit code of the authenticator app; or give recovery_code"},
		"recovery_code": {description: "A recovery code; or give code"}},
	reflect.TypeOf(partners.DisableTwoFactorInput{}): {"password": {required: true, description: "Your password"},
		"code":          {description: "The 6-digit code of the authenticator app; or give recovery_code"},
		"recovery_code": {description: "A recovery code; or give code"}},
	reflect.TypeOf(partners.RecoveryCodesInput{}): {"password": {required: true, minLength: 1, description: "Your password"},
		"code": {required: true, minLength: 1, description: "The current 6-digit code of the authenticator app (a recovery code does not do)"}},
	// Responses: plain strings that are closed sets.
	reflect.TypeOf(partnerkit.Event{}):     {"type": eventName},
	reflect.TypeOf(partnerkit.EventType{}): {"name": eventName},
	reflect.TypeOf(webhooks.Endpoint{}):    {"event_types": {items: &eventName}},
	reflect.TypeOf(webhooks.Delivery{}): {"event_type": {enum: append(eventTypeNames(), partnerkit.TestEventType),
		enumName: "WebhooksDeliveryEventType"}},
}

func init() {
	// The anonymous bodies of PUT /me/account and PATCH /team/{user_id}.
	fieldRules[reflect.TypeOf(docs["PUT /me/account"].in)] = map[string]fieldRule{"account_id": requiredID}
	fieldRules[reflect.TypeOf(docs["PATCH /team/{user_id}"].in)] = map[string]fieldRule{"role": roleRule}
}

// queryTypes types the query parameters whose values are a closed set or
// not text, by route; any other is a string. A zero value of a Go type
// stands for its schema (an enum type gives its values).
var queryTypes = map[string]map[string]any{
	"GET /partners":         {"type": map[string]any{"$ref": "#/components/schemas/PartnersPartnerType"}, "status": partners.Status("")},
	"GET /agreements":       {"type": agreements.Type("")},
	"GET /contracts":        {"status": contracts.Status("")},
	"GET /invitations":      {"status": contracts.InvitationStatus("")},
	"GET /storage-accounts": {"status": capacity.StorageStatus("")},
	"GET /usage/reports":    {"granularity": capacity.Granularity(""), "from": dateParam, "to": dateParam},
	"GET /deals":            {"status": capacity.DealStatus("")},
	"GET /clients":          {"status": resellers.ClientStatus("")},
	"GET /subscriptions":    {"status": resellers.Status("")},
	"GET /charges":          {"from": dateParam, "to": dateParam},
	"GET /charges.csv":      {"from": dateParam, "to": dateParam},
	"GET /analytics":        {"by": resellers.GroupBy(""), "granularity": resellers.Granularity(""), "from": dateParam, "to": dateParam},
	"GET /analytics.csv":    {"by": resellers.GroupBy(""), "granularity": resellers.Granularity(""), "from": dateParam, "to": dateParam},
	"GET /events": {"since": time.Time{}, "until": time.Time{},
		"type": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/PartnerkitEventName"}}},
	"GET /webhooks/{id}/deliveries": {"status": webhooks.DeliveryStatus("")},
}

// dateParam is the schema of a day (2026-01-31).
var dateParam = map[string]any{"type": "string", "format": "date"}

// queryDescriptions describe the query parameters by name.
var queryDescriptions = map[string]string{
	"q":           "Search text: matches names (case-insensitive)",
	"format":      "csv answers text/csv (as Accept: text/csv does)",
	"total":       "false skips counting: the answer is {\"items\", \"has_more\"} and Content-Range ends in /*",
	"from":        "The first day included (UTC)",
	"to":          "The last day included (UTC)",
	"since":       "Events at or after this time",
	"until":       "Events before this time",
	"type":        "Only this type",
	"status":      "Only this status",
	"granularity": "The length of a period",
	"by":          "How rows are grouped",
	"entity_id":   "The entity whose trail to list",
	"entity_type": "Only events about this kind of object (partner, contract, ...)",
	"tenant_id":   "The Microsoft Entra tenant the plans are for",
	"currency":    "The costs of the charges in this three-letter ISO 4217 code (such as EUR); left out, the currency most of the range's charges are in",
}

// tags group the operations by domain, in the order the document lists
// them; an operation's tag is that of the longest prefix of its path.
var tags = []struct {
	name, description string
	prefixes          []string
}{
	{"Session", "Signing in and out (two-factor too), password resets, who the caller is, its sessions and security, switching accounts",
		[]string{"/session", "/me", "/password-reset"}},
	{"Team", "The account's members, team invitations, API keys, security settings and the audit trail",
		[]string{"/team", "/team-invitations", "/api-keys", "/audit", "/account"}},
	{"Partners", "The partner directory: partner accounts, their contacts and users", []string{"/partners"}},
	{"Onboarding", "The Create Partner wizard and activation invitations", []string{"/onboarding", "/invitations"}},
	{"Agreements", "Agreements, their versions and documents", []string{"/agreements"}},
	{"Contracts", "Contracts and their lifecycle, marketplaces", []string{"/contracts", "/marketplaces"}},
	{"Capacity", "Capacity terms, allocations, transfers, storage accounts, usage and reports, deals",
		[]string{"/capacity", "/storage-accounts", "/usage", "/deals", "/partners/{id}/allocation", "/partners/{id}/allocations", "/partners/{id}/transfer"}},
	{"Listings", "Vendors' products and their listings on marketplaces", []string{"/products", "/listings"}},
	{"Reseller Store", "The catalog, clients, subscriptions, charges and analytics", []string{"/catalog", "/clients", "/subscriptions", "/charges", "/analytics"}},
	{"Events", "Domain events: the catalogue and the activity feed", []string{"/events", "/event-types"}},
	{"Webhooks", "Webhook endpoints and their delivery logs", []string{"/webhooks", "/webhook-deliveries"}},
	{"Meta", "This document", []string{"/openapi.json"}},
}

// tagOf returns the tag of a route path: the tag of its longest prefix, or
// its first segment's name for a path no tag claims.
func tagOf(path string) string {
	best, n := "", -1
	for _, t := range tags {
		for _, p := range t.prefixes {
			if (path == p || strings.HasPrefix(path, p+"/") || strings.HasPrefix(path, p+".")) && len(p) > n {
				best, n = t.name, len(p)
			}
		}
	}
	if best == "" {
		seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		best = strings.ToUpper(seg[:1]) + strings.ReplaceAll(seg[1:], "-", " ")
	}
	return best
}

// locations say where a created resource lives (Location on 201), by
// route: {name} is the body's field of that JSON path, else the request's
// path value. A 201 route without one answers its own path, plus
// "/{id}" when its body has an id and that route exists.
var locations = map[string]string{
	"POST /session":                         "/me",
	"POST /team":                            "/team",
	"POST /team/invitations":                "/team-invitations/{token}",
	"POST /team-invitations/{token}/accept": "/me",
	"POST /partners/batch":                  "/partners",
	"POST /onboarding":                      "/partners/{partner.id}",
	"POST /invitations/{token}/activate":    "/partners/{partner.id}",
	"POST /agreements/{id}/versions":        "/agreements/{agreement_id}/versions/{number}/document",
	"POST /marketplaces":                    "/marketplaces",
	"POST /listings":                        "/listings?product_id={product_id}",
}

// documentTypes are the media types an agreement document is served as.
var documentTypes = []string{mediaType(agreementrules.MediaPDF), mediaType(agreementrules.MediaText), mediaType(agreementrules.MediaMarkdown)}

// mediaType drops a media type's parameters ("text/plain; charset=utf-8").
func mediaType(s string) string {
	mt, _, _ := strings.Cut(s, ";")
	return strings.TrimSpace(mt)
}
