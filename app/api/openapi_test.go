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
	terms := schemas["Terms"].(map[string]any)["properties"].(map[string]any)
	if terms["reserved_tb"].(map[string]any)["type"] != "string" {
		t.Errorf("reserved_tb schema %v", terms["reserved_tb"])
	}
	if _, ok := schemas["ErrorBody"]; !ok {
		t.Error("no ErrorBody schema")
	}
}
