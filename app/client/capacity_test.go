//go:build !js

package client_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/capacity"
)

// jsonNames lists the JSON names of a struct's fields, embedded structs
// flattened.
func jsonNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			names = append(names, jsonNames(f.Type)...)
		case name == "":
			names = append(names, f.Name)
		default:
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// The client's capacity wire types carry the API's field names, the two
// excess figures included: a renamed figure fails here, not in a browser.
func TestCapacityWireTypes(t *testing.T) {
	for _, c := range []struct {
		name         string
		client, wire any
	}{
		{"Overview", client.Overview{}, capacity.Overview{}},
		{"PartnerOverview", client.PartnerOverview{}, capacity.PartnerOverview{}},
		{"Report", client.Report{}, capacity.Report{}},
		{"ReportRow", client.ReportRow{}, capacity.ReportRow{}},
		{"Terms", client.Terms{}, capacity.Terms{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, want := jsonNames(reflect.TypeOf(c.client)), jsonNames(reflect.TypeOf(c.wire))
			if !slices.Equal(got, want) {
				t.Fatalf("client fields %v, API fields %v", got, want)
			}
		})
	}
}
