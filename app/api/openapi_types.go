//go:build !js

package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/shopspring/decimal"
)

// The document's schemas come from the Go types the handlers decode and
// encode, walked by reflection (schemaGen), so they cannot drift from what
// is served:
//
//   - a response field is required unless its JSON tag says omitempty (it
//     is always present), and nullable when it is a pointer;
//   - a request field is required when its validate tag says so, or its
//     service checks it by hand (inputRules, beside the rules constants it
//     uses); request objects refuse unknown fields (decode does);
//   - a named string type with an Enum method (partnerkit.Enum) is an enum
//     of its values, the very list its Valid method checks; TestOpenAPIEnums
//     fails on a named string type without one;
//   - decimals are strings with decimalPattern, times date-times, []byte
//     base64, integers integers with the bounds their rules set;
//   - validate tags (max, min, email, url, oneof) and inputRules give
//     maxLength, minLength, minItems, maxItems, minimum, maximum, formats.
//
// A struct that is both sent and received (partners.Contact) has two
// components: its response schema under its own name, its request schema
// with "Input" added.

// schemaMode says whether a schema describes a request or a response.
type schemaMode uint8

const (
	modeOut schemaMode = iota // a response body: required = always present
	modeIn                    // a request body: required = the service refuses it missing
)

// compKey is one component: a Go type in one mode.
type compKey struct {
	t    reflect.Type
	mode schemaMode
}

// schemaGen turns Go types into OpenAPI schemas, named structs into
// components.
type schemaGen struct {
	components map[string]any
	// named records which Go type (and mode) each component name stands
	// for, so two that would share a name are reported (see name).
	named      map[string]compKey
	collisions []string
	// outputs holds the struct types some response carries: their request
	// schemas get a name of their own.
	outputs map[reflect.Type]bool
}

var (
	timeType        = reflect.TypeOf(time.Time{})
	decimalType     = reflect.TypeOf(decimal.Decimal{})
	nullDecimalType = reflect.TypeOf(decimal.NullDecimal{})
	rawJSONType     = reflect.TypeOf(json.RawMessage{})
	enumType        = reflect.TypeOf((*partnerkit.Enum)(nil)).Elem()
)

// decimalPattern is how a decimal travels: a JSON string of digits with an
// optional sign and fraction ("12.5", "-0.25"), never a float.
const decimalPattern = `^-?[0-9]+(\.[0-9]+)?$`

// ref returns the response schema of t, a $ref for named structs.
func (g *schemaGen) ref(t reflect.Type) map[string]any { return g.schema(t, modeOut) }

// refIn returns the request schema of t.
func (g *schemaGen) refIn(t reflect.Type) map[string]any { return g.schema(t, modeIn) }

// markOutputs records every struct type reachable from a response type.
func (g *schemaGen) markOutputs(t reflect.Type) {
	if g.outputs == nil {
		g.outputs = map[reflect.Type]bool{}
	}
	if t == nil {
		return
	}
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || g.outputs[t] || t == timeType || t == decimalType || t == nullDecimalType {
		return
	}
	if t.Name() != "" {
		g.outputs[t] = true
	}
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() || f.Anonymous {
			g.markOutputs(f.Type)
		}
	}
}

// enumValues returns the values of an enum type (one with an Enum method).
func enumValues(t reflect.Type) ([]string, bool) {
	if t.Kind() != reflect.String || !t.Implements(enumType) {
		return nil, false
	}
	return reflect.Zero(t).Interface().(partnerkit.Enum).Enum(), true
}

func (g *schemaGen) schema(t reflect.Type, mode schemaMode) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	var s map[string]any
	values, isEnum := enumValues(t)
	switch {
	case t == timeType:
		s = map[string]any{"type": "string", "format": "date-time"}
	case t == decimalType:
		s = map[string]any{"type": "string", "pattern": decimalPattern, "example": "12.5",
			"description": "A decimal number as a string"}
	case t == nullDecimalType:
		s = map[string]any{"type": "string", "pattern": decimalPattern, "nullable": true, "example": "12.5",
			"description": "A decimal number as a string, or null"}
	case t == rawJSONType:
		s = map[string]any{"type": "object", "additionalProperties": true, "nullable": true}
	case isEnum:
		// One component per Go enum type, so generators make one type of it.
		s = g.enumRef(g.name(t, modeOut), values)
		if nullable {
			return map[string]any{"type": "string", "allOf": []any{s}, "nullable": true}
		}
	case t.Kind() == reflect.Struct && t.Name() != "":
		name := g.name(t, mode)
		if g.components == nil {
			g.components = map[string]any{}
		}
		if _, done := g.components[name]; !done {
			g.components[name] = map[string]any{} // break cycles
			g.components[name] = g.object(t, mode)
		}
		s = map[string]any{"$ref": "#/components/schemas/" + name}
	case t.Kind() == reflect.Struct:
		s = g.object(t, mode)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		s = map[string]any{"type": "string", "format": "byte"}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		s = map[string]any{"type": "array", "items": g.schema(t.Elem(), mode)}
	case t.Kind() == reflect.Map:
		s = map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), mode)}
	case t.Kind() == reflect.String:
		s = map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		s = map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		s = map[string]any{"type": "integer", "format": intFormat(t)}
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64:
		s = map[string]any{"type": "integer", "format": intFormat(t), "minimum": 0}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		s = map[string]any{"type": "number", "format": "double"}
	default:
		s = map[string]any{}
	}
	if nullable {
		if _, isRef := s["$ref"]; isRef {
			// A $ref takes no siblings in 3.0, and nullable needs a type:
			// every $ref names an object.
			return map[string]any{"type": "object", "allOf": []any{s}, "nullable": true}
		}
		s["nullable"] = true
	}
	return s
}

// enumRef returns a $ref to the enum component name, made of values.
func (g *schemaGen) enumRef(name string, values []string) map[string]any {
	if g.components == nil {
		g.components = map[string]any{}
	}
	if _, done := g.components[name]; !done {
		g.components[name] = map[string]any{"type": "string", "enum": anys(values)}
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func intFormat(t reflect.Type) string {
	if t.Bits() <= 32 {
		return "int32"
	}
	return "int64"
}

// name returns the component name of t in mode and records a collision
// when another type (or mode) already has it: the document would describe
// one with the other's schema.
func (g *schemaGen) name(t reflect.Type, mode schemaMode) string {
	name := schemaName(t)
	if t.Kind() != reflect.Struct {
		mode = modeOut // an enum is the same both ways
	}
	if mode == modeIn && g.outputs[t] && !strings.HasSuffix(name, "Input") {
		name += "Input" // sent and received: the request schema apart
	} else if mode == modeOut && g.outputs[t] && strings.HasSuffix(name, "Input") && name != "Input" {
		name = strings.TrimSuffix(name, "Input") // ContactsInput, answered as it was sent
	}
	if g.named == nil {
		g.named = map[string]compKey{}
	}
	key := compKey{t, mode}
	if other, ok := g.named[name]; !ok {
		g.named[name] = key
	} else if other.t != t {
		g.collisions = append(g.collisions, fmt.Sprintf("%s.%s and %s.%s", other.t.PkgPath(), other.t.Name(), t.PkgPath(), t.Name()))
	}
	return name
}

// object describes a struct's JSON fields, flattening embedded structs.
func (g *schemaGen) object(t reflect.Type, mode schemaMode) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, mode, props, &required)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		slices.Sort(required)
		s["required"] = anys(required)
	}
	if mode == modeIn {
		s["additionalProperties"] = false // decode refuses unknown fields
	}
	return s
}

func (g *schemaGen) fields(t reflect.Type, mode schemaMode, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.fields(ft, mode, props, required)
				continue
			}
			if !f.IsExported() {
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := props[name]; dup {
			continue // an outer field wins, as in encoding/json
		}
		s := g.schema(f.Type, mode)
		rule := fieldRuleOf(t, name)
		req := false
		if mode == modeOut {
			req = !slices.Contains(strings.Split(opts, ","), "omitempty") && !rule.optionalOut
		} else {
			req = rule.required || requiredByTag(f.Tag.Get("validate"))
			applyValidateTag(s, f.Type, f.Tag.Get("validate"))
		}
		s = g.applyRule(s, rule, mode)
		if req {
			*required = append(*required, name)
		}
		desc := fieldDescriptions[t][name]
		if desc == "" {
			desc = rule.description
		}
		if desc == "" && name == "version" && mode == modeOut {
			desc = "The resource's version, counting its changes; its ETag is this number in double quotes"
		}
		if desc == "" && name == "version" && mode == modeIn {
			desc = "The version the change was based on: a stale one is a conflict (409); 0 or absent skips the check (If-Match does it too)"
		}
		props[name] = describe(s, desc)
	}
}

// requiredByTag reports whether a validate tag makes a field required: its
// first rule is "required" (after "omitnil" or "omitempty" it only refuses
// a present, empty value).
func requiredByTag(tag string) bool {
	first, _, _ := strings.Cut(tag, ",")
	return first == "required"
}

// applyValidateTag adds the bounds a validate tag checks to a request
// schema: max and min (lengths of strings, sizes of slices, bounds of
// numbers), email, url and oneof.
func applyValidateTag(s map[string]any, t reflect.Type, tag string) {
	if tag == "" || tag == "-" || s["$ref"] != nil || s["allOf"] != nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for _, rule := range strings.Split(tag, ",") {
		key, param, _ := strings.Cut(rule, "=")
		n, err := strconv.Atoi(param)
		switch {
		case key == "required" && t.Kind() == reflect.String:
			s["minLength"] = 1
		case key == "max" && err == nil:
			s[boundKey(t, "max")] = n
		case key == "min" && err == nil:
			s[boundKey(t, "min")] = n
		case key == "email":
			s["format"] = "email"
		case key == "url" || key == "http_url":
			s["format"] = "uri"
		case key == "oneof":
			s["enum"] = anys(strings.Fields(param))
		}
	}
}

// boundKey names the JSON Schema keyword of a max or min bound on t.
func boundKey(t reflect.Type, bound string) string {
	switch t.Kind() {
	case reflect.String:
		return bound + "Length"
	case reflect.Slice, reflect.Array:
		return bound + "Items"
	case reflect.Map:
		return bound + "Properties"
	}
	if bound == "max" {
		return "maximum"
	}
	return "minimum"
}

func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
