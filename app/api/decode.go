package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
)

// decode reads a JSON body into v strictly: one JSON value, no unknown
// fields, within the body limit. Errors are invalid (400) naming the field
// where there is one, or too_large (413).
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &partnerkit.Error{Code: partnerkit.CodeTooLarge,
			Message: fmt.Sprintf("the request body is over %d bytes", tooBig.Limit)}
	}
	if err != nil {
		return partnerkit.Errorf(partnerkit.CodeInvalid, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return partnerkit.Errorf(partnerkit.CodeInvalid, "the request body is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, body, v)
	}
	if dec.More() {
		return partnerkit.Errorf(partnerkit.CodeInvalid, "malformed JSON: unexpected data after the JSON value")
	}
	return nil
}

func decodeError(err error, body []byte, v any) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return partnerkit.Errorf(partnerkit.CodeInvalid, "malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return partnerkit.Errorf(partnerkit.CodeInvalid, "the body must be a JSON %s", kindName(typ.Type))
		}
		return partnerkit.FieldError(field, fmt.Sprintf("must be %s, not %s", kindName(typ.Type), typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return partnerkit.Errorf(partnerkit.CodeInvalid, "malformed JSON: the body ends too early")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field, _ := strconv.Unquote(name)
		return partnerkit.FieldError(field, "is not a known field")
	}
	// A value's own decoder (decimals, times) failed: find which field.
	if field := badField(body, v); field != "" {
		return partnerkit.FieldError(field, "is not a valid value: "+err.Error())
	}
	return partnerkit.Errorf(partnerkit.CodeInvalid, "invalid JSON value: %v", err)
}

// badField finds the top-level field of v whose value fails to decode.
func badField(body []byte, v any) string {
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return ""
	}
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		msg, ok := raw[name]
		if !ok {
			continue
		}
		if json.Unmarshal(msg, reflect.New(f.Type).Interface()) != nil {
			return name
		}
	}
	return ""
}

func kindName(t reflect.Type) string {
	if t == reflect.TypeOf(time.Time{}) {
		return "an RFC 3339 time"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}
