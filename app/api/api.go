// Package api is Partnerkit's thin JSON HTTP layer: it decodes requests,
// calls the domain services and encodes their results. Every rule lives in
// the services; this package only maps them to HTTP.
//
// Mount the handler in your own mux:
//
//	mux.Handle("/api/", api.New(api.Config{Partners: svc}))
package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
)

// Config holds the services the API exposes.
type Config struct {
	// Partners is the partners service.
	Partners *partners.Service
}

// API serves /api/v1.
type API struct {
	cfg Config
	mux *http.ServeMux
}

// New returns the API handler. It serves paths under /api/v1/.
func New(cfg Config) *API {
	a := &API{cfg: cfg, mux: http.NewServeMux()}
	a.mux.HandleFunc("GET /api/v1/partners", a.authed(a.listPartners))
	a.mux.HandleFunc("GET /api/v1/partners/{id}", a.authed(a.getPartner))
	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, partnerkit.Errorf(partnerkit.CodeNotFound, "no route %s %s", r.Method, r.URL.Path))
	})
	return a
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// AccountHeader selects which of the user's accounts a request acts in.
const AccountHeader = "X-Partnerkit-Account"

// authed resolves the actor of a request and passes it to h.
//
// Until sessions and API keys arrive, a request authenticates with HTTP
// Basic credentials (email and password) and acts in the account that
// AccountHeader names, or in the user's oldest membership.
func (a *API) authed(h func(http.ResponseWriter, *http.Request, partnerkit.Actor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, err := a.actor(r.Context(), r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		h(w, r, actor)
	}
}

func (a *API) actor(ctx context.Context, r *http.Request) (partnerkit.Actor, error) {
	email, password, ok := r.BasicAuth()
	if !ok {
		return partnerkit.Actor{}, partnerkit.Errorf(partnerkit.CodeUnauthorized, "sign in first")
	}
	user, memberships, err := a.cfg.Partners.Authenticate(ctx, email, password)
	if err != nil {
		return partnerkit.Actor{}, err
	}
	return partners.ActorFor(user.ID, memberships, r.Header.Get(AccountHeader))
}

func (a *API) listPartners(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) {
	q := r.URL.Query()
	page, err := pageOf(q.Get("limit"), q.Get("offset"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	list, err := a.cfg.Partners.Directory(r.Context(), actor, partners.DirectoryFilter{
		ManagerID: q.Get("manager_id"), Q: q.Get("q"), Type: partners.AccountType(q.Get("type")),
		Status: partners.Status(q.Get("status")), Sort: partners.Sort(q.Get("sort")), Page: page,
	})
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeList(w, page, list)
}

func (a *API) getPartner(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) {
	acct, err := a.cfg.Partners.GetPartner(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, acct)
}

// pageOf parses limit and offset query parameters.
func pageOf(limit, offset string) (partnerkit.Page, error) {
	var p partnerkit.Page
	var err error
	if limit != "" {
		if p.Limit, err = strconv.Atoi(limit); err != nil {
			return p, partnerkit.FieldError("limit", "must be a whole number")
		}
	}
	if offset != "" {
		if p.Offset, err = strconv.Atoi(offset); err != nil {
			return p, partnerkit.FieldError("offset", "must be a whole number")
		}
	}
	return p.Normalize()
}

// writeList writes a page with its Content-Range header.
func writeList[T any](w http.ResponseWriter, page partnerkit.Page, list partnerkit.List[T]) {
	if len(list.Items) > 0 {
		w.Header().Set("Content-Range", fmt.Sprintf("items %d-%d/%d", page.Offset, page.Offset+len(list.Items)-1, list.Total))
	} else {
		w.Header().Set("Content-Range", fmt.Sprintf("items */%d", list.Total))
	}
	writeJSON(w, http.StatusOK, list)
}
