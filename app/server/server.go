//go:build !js

// Package server builds every Partnerkit service on one database — the SQL
// stores on a *bun.DB, or the memory stores on one memory DB — so that
// multi-domain operations are atomic, and serves them: the JSON API under
// /api/ and /healthz. The partnerkit binary, the tests and the examples use
// it; it is built for servers only, never into the WebAssembly UI.
package server

import (
	"context"
	"io"
	"io/fs"
	"net/http"

	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/uptrace/bun"
)

// Options tune the services (see wiring.Options).
type Options = wiring.Options

// New returns every service on a migrated SQL database: the one place the
// server, the tests, the benchmarks and the examples build them. It refuses
// a database the stores cannot work on (see stores.SQL). Services built
// twice on one database share it: EnsureRoot makes its root once.
func New(db *bun.DB, o Options) (*wiring.Services, error) {
	st, err := stores.SQL(db)
	if err != nil {
		return nil, err
	}
	return wiring.New(st, o)
}

// NewMemory returns every service on a new in-memory database.
func NewMemory(o Options) *wiring.Services { return wiring.MustNew(stores.Memory(), o) }

// SQL returns the API configuration of every service on a migrated SQL
// database (New, ready for api.New). It panics where New returns an error.
func SQL(db *bun.DB, o Options) api.Config {
	return api.Config{Services: *wiring.MustNew(stores.MustSQL(db), o)}
}

// Memory returns the API configuration of every service on a new
// in-memory database.
func Memory(o Options) api.Config { return api.Config{Services: *NewMemory(o)} }

// Handler serves the API under /api/, a health check at /healthz that
// pings db (nil skips the ping) and, when web is not nil, the PWA from its
// static files at every other path.
func Handler(services api.Config, db interface{ PingContext(context.Context) error }, web fs.FS) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if db != nil {
			if err := db.PingContext(r.Context()); err != nil {
				http.Error(w, "database unavailable", http.StatusServiceUnavailable)
				return
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	handler := api.New(services)
	mux.Handle("/api/", handler)
	if web != nil {
		mux.Handle("/", PWA(web))
	}
	return SecurityHeaders(mux, handler.IsHTTPS)
}
