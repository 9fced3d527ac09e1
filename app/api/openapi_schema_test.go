package api

import (
	"reflect"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
)

// Two distinct Go types never share a component schema name: the generator
// reports it, and the served document (TestOpenAPI) has none.
func TestSchemaNames(t *testing.T) {
	type Local struct{ A int }
	other := func() reflect.Type {
		type Local struct{ B string } // same package, same name, another type
		return reflect.TypeOf(Local{})
	}()
	for _, c := range []struct {
		name      string
		types     []reflect.Type
		want      []string
		collision bool
	}{
		{"SameNameOtherPackage", []reflect.Type{reflect.TypeOf(agreements.CreateInput{}), reflect.TypeOf(contracts.CreateInput{})},
			[]string{"AgreementsCreateInput", "ContractsCreateInput"}, false},
		{"PackageNotRepeated", []reflect.Type{reflect.TypeOf(capacity.CapacityContract{}), reflect.TypeOf(capacity.Report{})},
			[]string{"CapacityContract", "CapacityReport"}, false},
		{"SameTypeTwice", []reflect.Type{reflect.TypeOf(ErrorBody{}), reflect.TypeOf(ErrorBody{})},
			[]string{"APIErrorBody", "APIErrorBody"}, false},
		{"ErrCollision", []reflect.Type{reflect.TypeOf(Local{}), other}, []string{"APILocal", "APILocal"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := &schemaGen{components: map[string]any{}}
			for i, typ := range c.types {
				ref := g.ref(typ)["$ref"]
				if want := "#/components/schemas/" + c.want[i]; ref != want {
					t.Errorf("%v: $ref %v, want %s", typ, ref, want)
				}
			}
			err := g.err()
			if (err != nil) != c.collision {
				t.Fatalf("collision reported: %v, want %v", err, c.collision)
			}
			if c.collision && !strings.Contains(err.Error(), "api.Local") {
				t.Fatalf("the error does not name the types: %v", err)
			}
		})
	}
}
