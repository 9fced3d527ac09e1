//go:build !js

// Package server builds every Partnerkit service on one database — the SQL
// stores on a *bun.DB, or the memory stores on one memory DB — so that
// multi-domain operations are atomic, and serves them: the JSON API under
// /api/ and /healthz. The partnerkit binary, the tests and the examples use
// it; it is built for servers only, never into the WebAssembly UI.
package server

import (
	"cmp"
	"context"
	"io"
	"io/fs"
	"net/http"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	agreementsbun "github.com/partnerkit/partnerkit/agreements/bunstore"
	agreementsmem "github.com/partnerkit/partnerkit/agreements/memstore"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/capacity"
	capacitybun "github.com/partnerkit/partnerkit/capacity/bunstore"
	capacitymem "github.com/partnerkit/partnerkit/capacity/memstore"
	"github.com/partnerkit/partnerkit/contracts"
	contractsbun "github.com/partnerkit/partnerkit/contracts/bunstore"
	contractsmem "github.com/partnerkit/partnerkit/contracts/memstore"
	"github.com/partnerkit/partnerkit/listings"
	listingsbun "github.com/partnerkit/partnerkit/listings/bunstore"
	listingsmem "github.com/partnerkit/partnerkit/listings/memstore"
	"github.com/partnerkit/partnerkit/partners"
	partnersbun "github.com/partnerkit/partnerkit/partners/bunstore"
	partnersmem "github.com/partnerkit/partnerkit/partners/memstore"
	"github.com/partnerkit/partnerkit/resellers"
	resellersbun "github.com/partnerkit/partnerkit/resellers/bunstore"
	resellersmem "github.com/partnerkit/partnerkit/resellers/memstore"
	"github.com/uptrace/bun"
)

// Options tune the services.
type Options struct {
	// Clock stamps every change; nil is the system clock.
	Clock partnerkit.Clock
	// Hasher hashes passwords; the zero value is partners.DefaultPasswordHasher.
	Hasher partners.PasswordHasher
	// PasswordSlots bounds the password hashes that run at once, and
	// PasswordWait how long a check waits for a free one before it answers
	// 503; zero means partners.DefaultPasswordSlots and DefaultPasswordWait.
	PasswordSlots int
	PasswordWait  time.Duration
}

// stores is one set of stores of every domain.
type stores struct {
	partners   partners.Store
	agreements agreements.Store
	contracts  contracts.Store
	capacity   capacity.Store
	listings   listings.Store
	resellers  resellers.Store
}

// SQL returns the services on a migrated SQL database.
func SQL(db *bun.DB, o Options) api.Config {
	return services(stores{partnersbun.New(db), agreementsbun.New(db), contractsbun.New(db), capacitybun.New(db), listingsbun.New(db), resellersbun.New(db)}, o)
}

// Memory returns the services on a new in-memory database.
func Memory(o Options) api.Config {
	db := partnersmem.NewDB()
	return services(stores{partnersmem.New(db), agreementsmem.New(db), contractsmem.New(db), capacitymem.New(db), listingsmem.New(db), resellersmem.New(db)}, o)
}

func services(st stores, o Options) api.Config {
	hasher := o.Hasher
	if hasher == (partners.PasswordHasher{}) {
		hasher = partners.DefaultPasswordHasher
	}
	popts := []partners.Option{partners.WithClock(o.Clock), partners.WithPasswordHasher(hasher)}
	if o.PasswordSlots > 0 || o.PasswordWait > 0 {
		slots := cmp.Or(o.PasswordSlots, partners.DefaultPasswordSlots(hasher))
		popts = append(popts, partners.WithPasswordSlots(slots, cmp.Or(o.PasswordWait, partners.DefaultPasswordWait)))
	}
	p := partners.NewService(st.partners, popts...)
	a := agreements.NewService(st.agreements, p, st.partners, agreements.WithClock(o.Clock))
	c := contracts.NewService(st.contracts, p, a, contracts.WithClock(o.Clock))
	k := capacity.NewService(st.capacity, p, c, capacity.WithClock(o.Clock))
	l := listings.NewService(st.listings, p, c, listings.WithClock(o.Clock))
	r := resellers.NewService(st.resellers, p, c, resellers.WithClock(o.Clock))
	return api.Config{Partners: p, Agreements: a, Contracts: c, Capacity: k, Listings: l, Resellers: r}
}

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
