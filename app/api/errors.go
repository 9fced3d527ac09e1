//go:build !js

package api

import (
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/partnerkit/partnerkit"
)

// StatusCode returns the HTTP status for an error code, from the kernel's
// one table (partnerkit.HTTPStatus).
func StatusCode(code partnerkit.Code) int { return partnerkit.HTTPStatus(code) }

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes an error to an API client.
type ErrorDetail struct {
	// Code is the partnerkit error code.
	Code partnerkit.Code `json:"code"`
	// Message is a sentence safe to show a user.
	Message string `json:"message"`
	// Fields maps a field's JSON name to its problem.
	Fields map[string]string `json:"fields,omitempty"`
}

// writeError renders err with its status; internal errors are logged and
// never shown.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := partnerkit.ErrorCode(err)
	if code == partnerkit.CodeInternal {
		slog.ErrorContext(r.Context(), "internal error", "request_id", RequestID(r.Context()),
			"method", r.Method, "path", RedactPath(r.URL.Path), "err", err)
	}
	if code == partnerkit.CodeUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="partnerkit"`)
		clearSignedIn(w)
	}
	if code == partnerkit.CodeRateLimited || code == partnerkit.CodeUnavailable {
		wait := partnerkit.ErrorRetryAfter(err)
		if wait <= 0 {
			wait = time.Minute
		}
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	}
	writeJSON(w, StatusCode(code), ErrorBody{Error: ErrorDetail{
		Code: code, Message: partnerkit.ErrorMessage(err), Fields: partnerkit.ErrorFields(err),
	}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	if status < 300 {
		if tag := etagOf(v); tag != "" {
			w.Header().Set("ETag", tag) // a versioned resource: its version
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
