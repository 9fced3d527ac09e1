// Package validate checks structs with validator v10 and turns its findings
// into one partnerkit invalid error whose fields use the JSON names.
//
// Struct also applies the kernel's text rule (partnerkit.CheckText) to every
// string it reaches, at any depth — fields, pointers, slices, maps, nested
// and embedded structs — keyed by the exact JSON path ("plans[0].name"):
// no NUL, no control characters, valid UTF-8. A field tagged
// `text:"multiline"` may also hold tabs and line breaks. A string field whose
// validate tag says required and that is blank after trimming spaces and
// invisible characters (partnerkit.IsBlank) "is required". Text applies the
// same rule alone, for input a service checks by hand.
package validate

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/partnerkit/partnerkit"
)

var v = newValidator()

func newValidator() *validator.Validate {
	val := validator.New(validator.WithRequiredStructEnabled())
	val.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	return val
}

// Struct validates s by its `validate` tags and the text rule (see the
// package comment). It returns nil or a *partnerkit.Error of code invalid
// whose Fields hold one problem per field, keyed by JSON path
// ("business_contact.email"); a text problem wins over a tag's.
func Struct(s any) error {
	fields := map[string]string{}
	walker{fields: fields, required: true}.walk(reflect.ValueOf(s), "", false, false, 0)
	err := v.Struct(s)
	if err == nil {
		return Fields(fields)
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return &partnerkit.Error{Code: partnerkit.CodeInternal, Op: "validate.Struct", Err: err}
	}
	for _, fe := range verrs {
		name := fe.Namespace()
		if _, rest, ok := strings.Cut(name, "."); ok {
			name = rest // drop the top-level struct's name
		}
		if _, dup := fields[name]; !dup {
			fields[name] = problem(fe)
		}
	}
	return Fields(fields)
}

// Text applies the text rule alone (not the tags, not the blank rule) to
// every string reachable from v, naming each bad one by its JSON path under
// prefix ("samples" gives "samples[3].storage_account_id"). It returns nil
// or an invalid error.
func Text(prefix string, v any) error {
	fields := map[string]string{}
	walker{fields: fields}.walk(reflect.ValueOf(v), prefix, false, false, 0)
	return Fields(fields)
}

// walker collects the problems of one walk; required says whether a
// required field that is blank is one.
type walker struct {
	fields   map[string]string
	required bool
}

// maxDepth bounds the walk (input types are not recursive; this is a guard).
const maxDepth = 32

// walk applies the text rule to v at path; multiline and required come from
// the tags of the field that holds v.
func (w walker) walk(v reflect.Value, path string, multiline, required bool, depth int) {
	fields := w.fields
	if !v.IsValid() || depth > maxDepth {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem(), path, multiline, required, depth+1)
		}
	case reflect.String:
		if _, dup := fields[path]; dup {
			return
		}
		if p := partnerkit.TextProblem(v.String(), multiline); p != "" {
			fields[path] = p
		} else if w.required && required && partnerkit.IsBlank(v.String()) {
			fields[path] = "is required"
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes: files, not text
		}
		inner := walker{fields: w.fields} // validator does not dive into slices: no tags inside
		for i := range v.Len() {
			inner.walk(v.Index(i), path+"["+strconv.Itoa(i)+"]", multiline, false, depth+1)
		}
	case reflect.Map:
		inner := walker{fields: w.fields}
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			key := k.String()
			if k.Kind() != reflect.String {
				if !k.CanInterface() {
					continue
				}
				key = fmt.Sprint(k.Interface())
			}
			if p := partnerkit.TextProblem(key, false); p != "" {
				fields[join(path, "")] = "has a key that " + p
				continue
			}
			inner.walk(iter.Value(), join(path, key), multiline, false, depth+1)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			fpath := path
			switch {
			case f.Anonymous && name == "":
				// embedded: its fields are promoted
			case name == "" || name == "-":
				fpath = join(path, f.Name)
			default:
				fpath = join(path, name)
			}
			ml := f.Tag.Get("text") == "multiline"
			fw := w
			if f.Tag.Get("validate") == "-" {
				fw.required = false // validator skips it: only the text rule applies inside
			}
			fw.walk(v.Field(i), fpath, ml, hasRule(f.Tag.Get("validate"), "required"), depth+1)
		}
	}
}

// join appends a field name to a JSON path.
func join(path, name string) string {
	if path == "" {
		return name
	}
	if name == "" {
		return path
	}
	return path + "." + name
}

// hasRule reports whether a validate tag holds rule at its top level
// ("omitnil,required,max=100" holds "required").
func hasRule(tag, rule string) bool {
	for r := range strings.SplitSeq(tag, ",") {
		if r == rule {
			return true
		}
	}
	return false
}

// Fields returns an invalid error for the given field problems, or nil when
// there are none (partnerkit.FieldErrors: the message is the first field's
// problem in sorted order and how many more there are).
func Fields(fields map[string]string) error { return partnerkit.FieldErrors(fields) }

// All merges the field errors of several checks into one invalid error. A
// check that failed in another way (a too_large field, a conflict) is
// returned as it is, first come first served.
func All(errs ...error) error {
	fields := map[string]string{}
	for _, err := range errs {
		if err == nil {
			continue
		}
		var e *partnerkit.Error
		if !errors.As(err, &e) || e.Code != partnerkit.CodeInvalid || len(e.Fields) == 0 {
			return err
		}
		for k, v := range e.Fields {
			if _, dup := fields[k]; !dup {
				fields[k] = v
			}
		}
	}
	return Fields(fields)
}

func problem(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be a valid email address"
	case "max":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at most %s characters", fe.Param())
		}
		return "must be at most " + fe.Param()
	case "min":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at least %s characters", fe.Param())
		}
		return "must be at least " + fe.Param()
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "url", "http_url":
		return "must be a valid URL"
	case "printascii":
		return "must contain printable ASCII characters only"
	}
	return "is not valid (" + fe.Tag() + ")"
}

// Prefix moves the field errors of err under prefix ("partner" turns
// "name" into "partner.name"; "partners[3]" into "partners[3].name"), in
// its fields and its message. Any other error passes through unchanged.
func Prefix(prefix string, err error) error {
	fields := partnerkit.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	moved := make(map[string]string, len(fields))
	for k, v := range fields {
		moved[prefix+"."+k] = v
	}
	msg := partnerkit.ErrorMessage(err)
	for k := range fields {
		msg = strings.ReplaceAll(msg, k+":", prefix+"."+k+":")
	}
	return &partnerkit.Error{Code: partnerkit.ErrorCode(err), Message: msg, Fields: moved, Err: err}
}
