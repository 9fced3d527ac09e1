package api

import (
	"reflect"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
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

// Every closed set the API carries is declared once, as a named string
// type with an Enum method (partnerkit.Enum): a named string type in a
// request or response that has none fails here, so a new status or type
// cannot reach the document without its values. Each value is one its
// type's Valid method accepts.
func TestOpenAPIEnums(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type, where string)
	walk = func(typ reflect.Type, where string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if seen[typ] {
			return
		}
		seen[typ] = true
		switch {
		case typ.Kind() == reflect.String && typ.PkgPath() != "":
			values, ok := enumValues(typ)
			if !ok {
				t.Errorf("%s (in %s) is a named string type without an Enum method", typ, where)
				return
			}
			if len(values) == 0 {
				t.Errorf("%s lists no values", typ)
			}
			if valid, ok := reflect.PointerTo(typ).MethodByName("Valid"); ok {
				for _, v := range values {
					val := reflect.New(typ)
					val.Elem().SetString(v)
					if !valid.Func.Call([]reflect.Value{val})[0].Bool() {
						t.Errorf("%s.Enum lists %q, which Valid refuses", typ, v)
					}
				}
			}
		case typ.Kind() == reflect.Struct && typ != timeType && typ != decimalType && typ != nullDecimalType:
			for i := range typ.NumField() {
				walk(typ.Field(i).Type, typ.String())
			}
		}
	}
	for key, d := range docs {
		for _, v := range []any{d.in, d.out} {
			if v != nil {
				walk(reflect.TypeOf(v), key)
			}
		}
	}
	walk(reflect.TypeOf(ErrorBody{}), "errors")
	if !seen[reflect.TypeOf(partnerkit.Code(""))] {
		t.Error("the error body's code is not an enum")
	}
}
