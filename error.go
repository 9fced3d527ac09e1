// Package partnerkit is the shared kernel of Partnerkit: the error model,
// the acting principal, opaque IDs, the text rule every accepted text obeys
// (CheckText, CheckID, IsBlank), list paging and sorting (Page, Sort,
// Order) and the clock. Every domain
// package (partners, agreements, contracts, capacity) builds on it.
//
// The kernel is deliberately small and free of heavy dependencies (no
// validator, no net/http) so that the WebAssembly UI can use it too.
package partnerkit

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Code classifies an error. Codes are part of the public API: they are
// append-only and map to HTTP status codes in exactly one place (app/api).
type Code string

// Error codes. Never rename or remove one; add new ones at the end.
const (
	// CodeInternal is anything that is not the caller's fault. Its message
	// never reaches a user.
	CodeInternal Code = "internal"
	// CodeInvalid is bad input; Fields names the offending fields.
	CodeInvalid Code = "invalid"
	// CodeNotFound is an unknown resource, or one outside the actor's tenancy.
	CodeNotFound Code = "not_found"
	// CodeConflict is a duplicate, an illegal state change or an exceeded limit.
	CodeConflict Code = "conflict"
	// CodeUnauthorized means the caller is not signed in.
	CodeUnauthorized Code = "unauthorized"
	// CodeForbidden means the actor's role is too weak inside its own account.
	CodeForbidden Code = "forbidden"
	// CodeGone is a used or expired one-time resource such as an invitation.
	CodeGone Code = "gone"
	// CodeTooLarge is a request or upload over its size limit.
	CodeTooLarge Code = "too_large"
	// CodeRateLimited means too many attempts; try again later.
	CodeRateLimited Code = "rate_limited"
	// CodeUnavailable means the server is busy (for instance every password
	// check slot is taken); try again in a moment.
	CodeUnavailable Code = "unavailable"
	// CodeUnsupportedMediaType is a request body of a type the route does
	// not take (a JSON route given text/plain).
	CodeUnsupportedMediaType Code = "unsupported_media_type"
	// CodePreconditionFailed means a condition of the request (If-Match)
	// does not hold: the resource changed since the caller read it.
	CodePreconditionFailed Code = "precondition_failed"
	// CodeIdempotencyKeyReused means an Idempotency-Key was sent again with
	// a different request (another body or route).
	CodeIdempotencyKeyReused Code = "idempotency_key_reused"
	// CodeMethodNotAllowed is a known path asked with a method it does not
	// serve; the answer lists the ones it does.
	CodeMethodNotAllowed Code = "method_not_allowed"
)

// Codes lists every error code in declaration order.
func Codes() []Code {
	return []Code{CodeInternal, CodeInvalid, CodeNotFound, CodeConflict,
		CodeUnauthorized, CodeForbidden, CodeGone, CodeTooLarge, CodeRateLimited, CodeUnavailable, CodeUnsupportedMediaType,
		CodePreconditionFailed, CodeIdempotencyKeyReused, CodeMethodNotAllowed}
}

// Error is the one error type of Partnerkit. Services return it (possibly
// wrapped); transports render Code, Message and Fields to users.
type Error struct {
	// Code classifies the error.
	Code Code
	// Message is a human-readable sentence safe to show to the caller.
	Message string
	// Fields maps a field name (as spelled in JSON) to its problem.
	Fields map[string]string
	// Op names the operation that failed, for logs ("partners.Create").
	Op string
	// Err is the wrapped cause, for logs; never shown to users.
	Err error
	// RetryAfter, for rate_limited and unavailable, is how long to wait
	// before trying again (0: unknown).
	RetryAfter time.Duration
}

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		if item := k + ": " + e.Fields[k]; !strings.Contains(e.Message, item) {
			b.WriteString("; ")
			b.WriteString(item) // a field the message does not tell already
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same code with no message,
// so errors.Is(err, partnerkit.ErrNotFound) matches any not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Sentinels for errors.Is: they match any *Error of their code.
var (
	ErrInvalid      = &Error{Code: CodeInvalid}
	ErrNotFound     = &Error{Code: CodeNotFound}
	ErrConflict     = &Error{Code: CodeConflict}
	ErrUnauthorized = &Error{Code: CodeUnauthorized}
	ErrForbidden    = &Error{Code: CodeForbidden}
	ErrGone         = &Error{Code: CodeGone}
	ErrTooLarge     = &Error{Code: CodeTooLarge}
)

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an invalid-input error about one field.
func FieldError(field, problem string) *Error {
	return &Error{
		Code:    CodeInvalid,
		Message: field + ": " + problem,
		Fields:  map[string]string{field: problem},
	}
}

// FieldErrors returns an invalid-input error about several fields (field →
// problem), or nil when there are none. The message is the first field's
// problem in sorted order and how many more there are; Fields has them all.
// Services build their field errors with it, and so do the rules packages
// the PWA shares with them, so both show the same error.
func FieldErrors(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	keys := slices.Sorted(maps.Keys(fields))
	msg := keys[0] + ": " + fields[keys[0]]
	switch n := len(keys) - 1; n {
	case 0:
	case 1:
		msg += " (and 1 more field)"
	default:
		msg += fmt.Sprintf(" (and %d more fields)", n)
	}
	return &Error{Code: CodeInvalid, Message: msg, Fields: fields}
}

// ConflictField returns a conflict error about one field, such as a duplicate
// value that must be unique.
func ConflictField(field, problem string) *Error {
	return &Error{
		Code:    CodeConflict,
		Message: field + ": " + problem,
		Fields:  map[string]string{field: problem},
	}
}

// NotFound returns a not-found error for the named kind of resource and ID.
func NotFound(kind, id string) *Error {
	return Errorf(CodeNotFound, "%s %q not found", kind, id)
}

// ErrorCode returns the code of the first *Error in err's chain, CodeInternal
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the user-safe message of err: the message of its
// *Error, or a generic sentence for internal errors.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok && e.Code != CodeInternal && e.Message != "" {
		return e.Message
	}
	if err == nil {
		return ""
	}
	return "internal error"
}

// ErrorRetryAfter returns how long err says to wait before trying again,
// or 0.
func ErrorRetryAfter(err error) time.Duration {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.RetryAfter
	}
	return 0
}

// ErrorFields returns the field errors of err, or nil.
func ErrorFields(err error) map[string]string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Fields
	}
	return nil
}

// WithOp sets Op on err if it is an *Error without one, and wraps any other
// error as an internal *Error carrying op. It returns nil for nil.
func WithOp(op string, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*Error](err); ok {
		if e.Op == "" {
			c := *e
			c.Op = op
			return &c
		}
		return err
	}
	return &Error{Code: CodeInternal, Op: op, Err: err}
}

// httpStatus is the one table from error codes to HTTP status codes; the
// API answers with it and clients invert it. (Numbers, so the kernel needs
// no net/http.)
var httpStatus = map[Code]int{
	CodeInvalid:      400,
	CodeUnauthorized: 401,
	CodeForbidden:    403,
	CodeNotFound:     404,
	CodeConflict:     409,
	CodeGone:         410,
	CodeTooLarge:     413,
	CodeRateLimited:  429,
	CodeInternal:     500,
	CodeUnavailable:  503,
	// 415 sits with the other client errors in meaning; listed last only
	// because codes are append-only.
	CodeUnsupportedMediaType: 415,
	CodePreconditionFailed:   412,
	CodeIdempotencyKeyReused: 422,
	CodeMethodNotAllowed:     405,
}

// HTTPStatus returns the HTTP status code of an error code (500 for unknown).
func HTTPStatus(c Code) int {
	if s, ok := httpStatus[c]; ok {
		return s
	}
	return 500
}

// CodeForStatus returns the error code of an HTTP status code: the inverse
// of HTTPStatus (internal for unknown ones).
func CodeForStatus(status int) Code {
	for c, s := range httpStatus {
		if s == status {
			return c
		}
	}
	return CodeInternal
}
