package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
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
	if err := doc.Validate(context.Background()); err != nil {
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
		if op.Summary == "" {
			t.Errorf("route %s has no summary", key)
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
