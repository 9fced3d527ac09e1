//go:build !js

package api

import (
	"net/http"
	"time"
)

// Observer is told of every request the API served, for metrics and
// tracing (app/observe implements it; this package imports no metrics
// library). Served must be quick and safe for concurrent use.
type Observer interface {
	// Served is called once per request after its response, with the
	// route pattern that matched ("GET /api/v1/partners/{id}", never the
	// raw path; "/api/" when no route did, "" when the request was shed
	// before routing), the status sent and the time it took.
	Served(r *http.Request, pattern string, status int, elapsed time.Duration)
}
