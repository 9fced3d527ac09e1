//go:build !js

// Package server builds every Partnerkit service on one database — the SQL
// stores on a *bun.DB, or the memory stores on one memory DB — so that
// multi-domain operations are atomic, and serves them: the JSON API under
// /api/, /healthz and /readyz. The partnerkit binary, the tests and the
// examples use it; it is built for servers only, never into the
// WebAssembly UI.
package server

import (
	"context"
	"io"
	"io/fs"
	"net/http"

	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/observe"
	idempotencybun "github.com/partnerkit/partnerkit/idempotency/bunstore"
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
	services := *wiring.MustNew(stores.MustSQL(db), o)
	idem, err := idempotencybun.New(db) // Idempotency-Keys shared by every instance on db
	if err != nil {
		panic(err)
	}
	return api.Config{Services: services, Idempotency: idem}
}

// Memory returns the API configuration of every service on a new
// in-memory database.
func Memory(o Options) api.Config { return api.Config{Services: *NewMemory(o)} }

// Handler serves the API under /api/, a liveness check at /healthz (the
// process answers: it touches no database, so that an orchestrator does
// not restart instances while the database is down), a readiness check at
// /readyz (200 while db answers a ping, else 503 with a JSON body; nil
// skips the ping; the partnerkit server's /readyz, app/observe's, checks
// migrations and the job engine too) and, when web is not nil, the PWA
// from its static files at every other path.
func Handler(services api.Config, db interface{ PingContext(context.Context) error }, web fs.FS) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	var checks []observe.Check
	if db != nil {
		checks = append(checks, observe.DatabaseCheck(db))
	}
	mux.Handle("GET /readyz", observe.NewReadiness(services.Logger, checks...))
	handler := api.New(services)
	mux.Handle("/api/", handler)
	if web != nil {
		mux.Handle("/", PWA(web))
	}
	return SecurityHeaders(mux, handler.IsHTTPS)
}
