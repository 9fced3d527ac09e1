//go:build !js

package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/shopspring/decimal"
)

// decode reads a JSON body into v strictly: one JSON value, no unknown
// fields, valid UTF-8, within the body limit, and every string reached
// passing the text rule (validate.Text: no NUL, no control characters).
// Errors are invalid (400) naming the exact JSON path of the bad value
// ("plans[0].price", "samples[3].timestamp") in words for people, never
// Go's own error text; or too_large (413).
func decode(r *http.Request, v any) error {
	if err := requireJSON(r); err != nil {
		return err
	}
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
	if !utf8.Valid(body) {
		// encoding/json would silently replace the bad bytes with U+FFFD.
		if path, problem, found := locate(body, reflect.TypeOf(v), "", 0); found {
			return bodyError(path, problem)
		}
		return partnerkit.Errorf(partnerkit.CodeInvalid, "the request body %s", partnerkit.ProblemUTF8)
	}
	if err := validate.Text("", v); err != nil {
		return err
	}
	return setBodyVersion(r, v)
}

// decodeError turns a decoding failure into an invalid error for people.
func decodeError(err error, body []byte, v any) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		line, col := position(body, syntax.Offset)
		return partnerkit.Errorf(partnerkit.CodeInvalid, "malformed JSON at line %d, column %d: %s", line, col, syntax.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return partnerkit.Errorf(partnerkit.CodeInvalid, "malformed JSON: the body ends too early")
	}
	if path, problem, found := locate(body, reflect.TypeOf(v), "", 0); found {
		return bodyError(path, problem)
	}
	return partnerkit.Errorf(partnerkit.CodeInvalid, "the request body does not fit this request: check the fields and their types")
}

// bodyError is the invalid error of a problem at path ("" for the whole body).
func bodyError(path, problem string) error {
	if path == "" {
		return partnerkit.Errorf(partnerkit.CodeInvalid, "the request body %s", problem)
	}
	return partnerkit.FieldError(path, problem)
}

// position returns the line and column (from 1) of a byte offset.
func position(body []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(body)))
	before := body[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	return line, max(col, 1)
}

// maxLocateDepth bounds locate's walk: input types nest a few levels only.
const maxLocateDepth = 32

var (
	jsonUnmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// locate walks one JSON value against the Go type it decodes into and
// returns the JSON path and the problem of the first value (in document
// order) that cannot decode, has an unknown field, or holds invalid UTF-8.
func locate(data []byte, t reflect.Type, path string, depth int) (string, string, bool) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || depth > maxLocateDepth {
		return "", "", false
	}
	if bytes.Equal(data, []byte("null")) {
		return "", "", false // null decodes into anything (a no-op or nil)
	}
	if t.Kind() == reflect.Interface {
		if !utf8.Valid(data) {
			return path, partnerkit.ProblemUTF8, true
		}
		return "", "", false
	}
	if t.Kind() != reflect.Pointer && (reflect.PointerTo(t).Implements(jsonUnmarshalerType) ||
		reflect.PointerTo(t).Implements(textUnmarshalerType)) {
		if json.Unmarshal(data, reflect.New(t).Interface()) != nil {
			return path, valueProblem(t), true
		}
		if !utf8.Valid(data) {
			return path, partnerkit.ProblemUTF8, true
		}
		return "", "", false
	}
	switch t.Kind() {
	case reflect.Pointer:
		return locate(data, t.Elem(), path, depth+1)
	case reflect.Struct:
		if data[0] != '{' {
			return path, "must be a JSON object", true
		}
		fields := jsonFields(t)
		return eachMember(data, path, func(key string, raw []byte) (string, string, bool) {
			f, ok := fields[key]
			if !ok {
				for name, ff := range fields {
					if strings.EqualFold(name, key) {
						f, ok = ff, true
						break
					}
				}
			}
			if !ok {
				return joinPath(path, key), "is not a known field", true
			}
			return locate(raw, f.typ, joinPath(path, f.name), depth+1)
		})
	case reflect.Map:
		if data[0] != '{' {
			return path, "must be a JSON object", true
		}
		return eachMember(data, path, func(key string, raw []byte) (string, string, bool) {
			if t.Key().Kind() != reflect.String && json.Unmarshal([]byte(strconv.Quote(key)), reflect.New(t.Key()).Interface()) != nil {
				return joinPath(path, key), "is not a valid key", true
			}
			return locate(raw, t.Elem(), joinPath(path, key), depth+1)
		})
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			if data[0] != '"' || json.Unmarshal(data, new([]byte)) != nil {
				return path, "must be base64-encoded data (a JSON string)", true
			}
			return "", "", false
		}
		if data[0] != '[' {
			return path, "must be a JSON array", true
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		if _, err := dec.Token(); err != nil {
			return path, "must be a JSON array", true
		}
		for i := 0; dec.More(); i++ {
			var raw json.RawMessage
			if dec.Decode(&raw) != nil {
				return "", "", false // a syntax error: decode reports it
			}
			if p, problem, found := locate(raw, t.Elem(), path+"["+strconv.Itoa(i)+"]", depth+1); found {
				return p, problem, true
			}
		}
		return "", "", false
	case reflect.String:
		if data[0] != '"' {
			return path, "must be a JSON string", true
		}
		if !utf8.Valid(data) {
			return path, partnerkit.ProblemUTF8, true
		}
		return "", "", false
	case reflect.Bool:
		if !bytes.Equal(data, []byte("true")) && !bytes.Equal(data, []byte("false")) {
			return path, "must be true or false", true
		}
		return "", "", false
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		if json.Unmarshal(data, reflect.New(t).Interface()) != nil {
			return path, numberProblem(t, data), true
		}
		return "", "", false
	}
	if json.Unmarshal(data, reflect.New(t).Interface()) != nil {
		return path, "is not a valid value", true
	}
	return "", "", false
}

// eachMember calls fn with each member of a JSON object, in order, and
// returns the first problem it finds.
func eachMember(data []byte, path string, fn func(key string, raw []byte) (string, string, bool)) (string, string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return path, "must be a JSON object", true
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", "", false // a syntax error: decode reports it
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return "", "", false
		}
		if p, problem, found := fn(key, raw); found {
			return p, problem, true
		}
	}
	return "", "", false
}

// jsonField is a struct field as encoding/json sees it.
type jsonField struct {
	name string
	typ  reflect.Type
}

// jsonFields returns the JSON fields of a struct type by name, with the
// fields of embedded structs promoted (outer fields win).
func jsonFields(t reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		var embedded []reflect.Type
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					embedded = append(embedded, ft)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if _, taken := out[name]; !taken {
				out[name] = jsonField{name: name, typ: f.Type}
			}
		}
		if depth < maxLocateDepth {
			for _, et := range embedded {
				walk(et, depth+1)
			}
		}
	}
	walk(t, 0)
	return out
}

// joinPath appends a member name to a JSON path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

var (
	timeValueType     = reflect.TypeOf(time.Time{})
	decimalValueType  = reflect.TypeOf(decimal.Decimal{})
	nullDecimalValues = reflect.TypeOf(decimal.NullDecimal{})
)

// valueProblem says what a value of a type with its own JSON decoding must be.
func valueProblem(t reflect.Type) string {
	switch t {
	case timeValueType:
		return "must be a date and time like 2026-01-31T09:30:00Z"
	case decimalValueType, nullDecimalValues:
		return "must be a decimal number like 12.50"
	}
	return "is not a valid value"
}

// numberProblem says what a JSON number field of type t must be, given
// what was sent.
func numberProblem(t reflect.Type, data []byte) string {
	var n json.Number
	isNumber := json.Unmarshal(data, &n) == nil
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		if isNumber {
			return "is out of range"
		}
		return "must be a number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if isNumber && !strings.ContainsAny(n.String(), ".eE-") {
			return fmt.Sprintf("must be a whole number from 0 to %d", uint64(math.MaxUint64)>>(64-t.Bits()))
		}
		return "must be a whole number, not negative"
	}
	if isNumber && !strings.ContainsAny(n.String(), ".eE") {
		hi := int64(math.MaxInt64) >> (64 - t.Bits())
		return fmt.Sprintf("must be a whole number from %d to %d", -hi-1, hi)
	}
	return "must be a whole number"
}

// requireJSON refuses a body that does not say it is JSON: a JSON route
// takes Content-Type application/json (any charset parameter, or a type
// with a +json suffix), so a cross-site form (text/plain, form encodings)
// can never reach it. It is unsupported_media_type (415).
func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	problem := "a body of another type"
	if ct == "" {
		problem = "no Content-Type"
	}
	return &partnerkit.Error{Code: partnerkit.CodeUnsupportedMediaType,
		Message: "send the body as JSON with Content-Type: application/json, not " + problem}
}

// decodeOptional is decode for a body that may be left out (a request
// without one keeps v's zero value).
func decodeOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decode(r, v)
}
