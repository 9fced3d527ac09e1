package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/partnerkit/partnerkit"
)

// TestOpenAPI validates the served document and checks that it describes
// every mounted route, and nothing else.
func TestOpenAPI(t *testing.T) {
	s := newServer(t, false)
	body := s.anonymous().must(http.MethodGet, "/openapi.json", nil, http.StatusOK, nil)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(body)
	if err != nil {
		t.Fatal(err)
	}
	// Formats too: an unknown one ("decimal") is an error.
	if err := doc.Validate(context.Background(), openapi3.EnableSchemaFormatValidation(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+strings.TrimPrefix(path, "/api/v1")] = true
		}
	}
	for _, r := range s.api.Routes() {
		key := r.Method + " " + r.Path
		if !documented[key] {
			t.Errorf("route %s is missing from the OpenAPI document", key)
		}
		delete(documented, key)
		op := doc.Paths.Find("/api/v1" + r.Path).GetOperation(r.Method)
		if op.Summary == "" || op.Description == "" || len(op.Tags) != 1 {
			t.Errorf("route %s has no summary, description or tag: %q %q %v", key, op.Summary, op.Description, op.Tags)
		}
		if r.Method == http.MethodPost && op.Parameters.GetByInAndName("header", "Idempotency-Key") == nil {
			t.Errorf("POST %s takes no Idempotency-Key", r.Path)
		}
		for status, resp := range op.Responses.Map() {
			if status == "201" && resp.Value.Headers["Location"] == nil {
				t.Errorf("%s: a 201 without Location", key)
			}
			if (status == "429" || status == "503") && resp.Value.Headers["Retry-After"] == nil {
				t.Errorf("%s: a %s without Retry-After", key, status)
			}
		}
	}
	for key := range documented {
		t.Errorf("the document describes %s, which is not mounted", key)
	}
	// Decimals are strings, and the error body is described.
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	schemas := raw["components"].(map[string]any)["schemas"].(map[string]any)
	terms := schemas["CapacityTerms"].(map[string]any)["properties"].(map[string]any)
	if terms["reserved_tb"].(map[string]any)["type"] != "string" {
		t.Errorf("reserved_tb schema %v", terms["reserved_tb"])
	}
	if _, ok := schemas["APIErrorBody"]; !ok {
		t.Error("no APIErrorBody schema")
	}

	// Each request body is its own Go type's schema: POST /contracts takes
	// the contracts' CreateInput, not the agreements'.
	for _, c := range []struct{ path, schema, property string }{
		{"/api/v1/contracts", "ContractsCreateInput", "partner_id"},
		{"/api/v1/agreements", "AgreementsCreateInput", "document"},
	} {
		body := doc.Paths.Find(c.path).Post.RequestBody.Value.Content.Get("application/json").Schema
		if body.Ref != "#/components/schemas/"+c.schema || body.Value.Properties[c.property] == nil {
			t.Errorf("POST %s takes %s, want %s with %s", c.path, body.Ref, c.schema, c.property)
		}
	}

	// The two excess figures are named apart and defined where they appear.
	for _, c := range []struct{ schema, property, says string }{
		{"CapacityOverview", "allocation_excess_fee", "partners owe beyond their share"},
		{"CapacityOverview", "reservation_excess_fee", "the distributor owes the provider"},
		{"CapacityReportRow", "allocation_excess_tb_months", "above its allocation"},
		{"CapacityReportRow", "reservation_excess_fee", "above the contract's reservation"},
		{"CapacityReport", "total_reservation_excess_fee", "reservation"},
	} {
		p := doc.Components.Schemas[c.schema].Value.Properties[c.property]
		if p == nil || !strings.Contains(p.Value.Description, c.says) {
			t.Errorf("%s.%s: %v", c.schema, c.property, p)
		}
	}
	for _, name := range []string{"CapacityOverview", "CapacityReportRow", "CapacityReport"} {
		for prop := range doc.Components.Schemas[name].Value.Properties {
			if strings.Contains(prop, "excess") && !strings.Contains(prop, "allocation_excess") && !strings.Contains(prop, "reservation_excess") {
				t.Errorf("%s.%s: an excess figure that does not say above what", name, prop)
			}
		}
	}
}

// The document's required request fields are the service's: for every
// operation that takes a body and no path value, an empty object is sent,
// and each top-level field the invalid answer names must be required in
// the document (or, where one of two fields will do, say "give" the other
// in its description). (That no required field is optional, the requests
// the tests send show: each that succeeds must fit the document.)
func TestOpenAPIRequired(t *testing.T) {
	s := newServer(t, false)
	admin := s.bootstrap("Distributor", "admin@dist.example")
	anon := s.anonymous()
	c, err := s.contractOf()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			if strings.Contains(path, "{") || op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
			u := admin
			if op.Security != nil && len(*op.Security) == 0 {
				u = anon
			}
			res, body := u.do(method, strings.TrimPrefix(path, "/api/v1"), "{}")
			var eb errorBody
			_ = json.Unmarshal(body, &eb)
			if res.StatusCode != http.StatusBadRequest || len(eb.Error.Fields) == 0 {
				if len(schema.Required) > 0 && res.StatusCode < 300 {
					t.Errorf("%s %s: {} succeeded although %v are required", method, path, schema.Required)
				}
				continue
			}
			for f := range eb.Error.Fields {
				top, _, _ := strings.Cut(f, ".")
				top, _, _ = strings.Cut(top, "[")
				prop := schema.Properties[top]
				if !slices.Contains(schema.Required, top) && (prop == nil || !strings.Contains(prop.Value.Description, "give")) {
					t.Errorf("%s %s: the service requires %s (%q), the document does not", method, path, top, eb.Error.Fields[f])
				}
			}
		}
	}
}

// What the document declares, as integrators and generators need it: the
// error codes, required fields, enums, integer paging, decimal strings and
// the headers of the conventions.
func TestOpenAPIDeclares(t *testing.T) {
	s := newServer(t, false)
	c, err := s.contractOf()
	if err != nil {
		t.Fatal(err)
	}
	doc := c.doc
	code := doc.Components.Schemas["APIErrorDetail"].Value.Properties["code"].Value
	var codes []string
	for _, v := range code.Enum {
		codes = append(codes, v.(string))
	}
	if !slices.Equal(codes, partnerkit.EnumStrings(partnerkit.Codes())) {
		t.Errorf("the error code enum %v, want %v", codes, partnerkit.Codes())
	}
	if len(doc.Servers) == 0 || len(doc.Tags) == 0 {
		t.Error("no servers or tags")
	}
	withRequired, enums, ops := 0, 0, 0
	for name, ref := range doc.Components.Schemas {
		sc := ref.Value
		if len(sc.Required) > 0 {
			withRequired++
		}
		if len(sc.Enum) > 0 {
			enums++
		}
		for prop, p := range sc.Properties {
			if p.Value.Format == "decimal" {
				t.Errorf("%s.%s: format decimal", name, prop)
			}
			if p.Value.Type.Is("object") && len(p.Value.Properties) == 0 && p.Value.AdditionalProperties.Schema == nil &&
				p.Value.AdditionalProperties.Has == nil && len(p.Value.AllOf) == 0 {
				t.Errorf("%s.%s: an object of nothing", name, prop)
			}
			if p.Value.Type == nil && len(p.Value.AllOf) == 0 && p.Ref == "" {
				t.Errorf("%s.%s has no type", name, prop)
			}
		}
	}
	terms := doc.Components.Schemas["CapacityTerms"].Value.Properties["reserved_tb"].Value
	if terms.Pattern == "" || !terms.Type.Is("string") {
		t.Errorf("a decimal is %v %q", terms.Type, terms.Pattern)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops++
			for _, p := range op.Parameters {
				if (p.Value.Name == "limit" || p.Value.Name == "offset") && !p.Value.Schema.Value.Type.Is("integer") {
					t.Errorf("%s %s: %s is not an integer", method, path, p.Value.Name)
				}
			}
			for status, resp := range op.Responses.Map() {
				if strings.HasPrefix(status, "2") && resp.Value.Headers["RateLimit-Remaining"] == nil {
					t.Errorf("%s %s %s: no RateLimit headers", method, path, status)
				}
			}
		}
	}
	partner := doc.Components.Schemas["PartnersAccount"].Value
	if !slices.Contains(partner.Required, "version") || doc.Paths.Find("/api/v1/partners/{id}").Get.Responses.Status(200).Value.Headers["ETag"] == nil {
		t.Error("a partner's version is not required, or GET /partners/{id} has no ETag")
	}
	if doc.Paths.Find("/api/v1/partners/{id}").Patch.Parameters.GetByInAndName("header", "If-Match") == nil {
		t.Error("PATCH /partners/{id} takes no If-Match")
	}
	if doc.Paths.Find("/api/v1/partners").Get.Responses.Status(200).Value.Content.Get("text/csv") == nil {
		t.Error("GET /partners does not declare text/csv")
	}
	if doc.Paths.Find("/api/v1/agreements/{id}/versions/{n}/document").Get.Responses.Status(200).Value.Content.Get("application/pdf") == nil {
		t.Error("a document download does not declare application/pdf")
	}
	t.Logf("%d operations, %d schemas, %d with required fields, %d enums", ops, len(doc.Components.Schemas), withRequired, enums)
}
