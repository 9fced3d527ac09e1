// Package validate checks structs with validator v10 and turns its findings
// into one partnerkit invalid error whose fields use the JSON names.
package validate

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
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

// Struct validates s by its `validate` tags. It returns nil or a
// *partnerkit.Error of code invalid whose Fields hold one problem per field,
// keyed by JSON path ("business_contact.email").
func Struct(s any) error {
	err := v.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return &partnerkit.Error{Code: partnerkit.CodeInternal, Op: "validate.Struct", Err: err}
	}
	fields := make(map[string]string, len(verrs))
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

// Fields returns an invalid error for the given field problems, or nil when
// there are none. Its message lists them in a stable order.
func Fields(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	e := &partnerkit.Error{Code: partnerkit.CodeInvalid, Fields: fields}
	keys := slices.Sorted(maps.Keys(fields))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fields[k]
	}
	e.Message = strings.Join(parts, "; ")
	return e
}

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
