// Package api is Partnerkit's thin JSON HTTP layer: it decodes requests,
// calls the domain services and encodes their results. Every rule —
// validation, roles, tenancy — lives in the services; this package maps
// them to HTTP, with one table from error codes to status codes.
//
// The handler serves paths under /api/v1/. Mount it in your own mux:
//
//	mux.Handle("/api/", api.New(api.Config{...}))
//
// or under a prefix of your own with http.StripPrefix("/partnerkit", h).
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
)

// Config holds the services the API exposes. Partners is required; a nil
// service leaves its routes answering 404.
type Config struct {
	Partners   *partners.Service
	Agreements *agreements.Service
	Contracts  *contracts.Service
	Capacity   *capacity.Service
	Listings   *listings.Service
	// Resellers is the Reseller Store (catalog, clients, subscriptions).
	Resellers *resellers.Service
	// Logger receives one line per request; nil means slog.Default().
	Logger *slog.Logger
}

// Body limits.
const (
	// MaxJSONBody is the largest JSON request body.
	MaxJSONBody = 1 << 20
	// MaxUploadBody is the largest upload (agreement documents, base64 in JSON).
	MaxUploadBody = 14 << 20
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "partnerkit_session"

// API serves /api/v1.
type API struct {
	cfg    Config
	mux    *http.ServeMux
	routes []Route
}

// Route is one method and path the API serves.
type Route struct {
	Method, Path string
	// Public routes need no authentication.
	Public bool
}

// handler is an authenticated handler: it gets the request's actor and
// returns an error to render.
type handler func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error

// publicHandler serves a route that needs no authentication.
type publicHandler func(w http.ResponseWriter, r *http.Request) error

// New returns the API handler.
func New(cfg Config) *API {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &API{cfg: cfg, mux: http.NewServeMux()}
	a.public(http.MethodGet, "/openapi.json", a.serveOpenAPI)
	a.authRoutes()
	a.partnerRoutes()
	if cfg.Agreements != nil && cfg.Contracts != nil {
		a.contractRoutes()
	}
	if cfg.Capacity != nil {
		a.capacityRoutes()
	}
	if cfg.Listings != nil {
		a.listingRoutes()
	}
	if cfg.Resellers != nil {
		a.resellerRoutes()
	}
	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, partnerkit.Errorf(partnerkit.CodeNotFound, "no route %s %s", r.Method, r.URL.Path))
	})
	return a
}

// Routes lists every route the API serves.
func (a *API) Routes() []Route { return append([]Route(nil), a.routes...) }

// handle registers an authenticated route.
func (a *API) handle(method, path string, h handler) {
	a.routes = append(a.routes, Route{Method: method, Path: path})
	params := pathParams(path)
	order, isList := listOrders[method+" "+path]
	a.mux.HandleFunc(method+" /api/v1"+path, func(w http.ResponseWriter, r *http.Request) {
		err := checkRequest(r, params)
		if err == nil && isList {
			_, _, err = listParams(r, order) // every list refuses a bad limit, offset or sort first
		}
		var actor partnerkit.Actor
		if err == nil {
			actor, err = a.authenticate(r)
		}
		if err == nil {
			err = h(w, r, actor)
		}
		if err != nil {
			writeError(w, r, err)
		}
	})
}

// public registers a route that needs no authentication.
func (a *API) public(method, path string, h publicHandler) {
	a.routes = append(a.routes, Route{Method: method, Path: path, Public: true})
	params := pathParams(path)
	a.mux.HandleFunc(method+" /api/v1"+path, func(w http.ResponseWriter, r *http.Request) {
		err := checkRequest(r, params)
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			writeError(w, r, err)
		}
	})
}

// pathParams lists the path values a route pattern names ("id", "n").
func pathParams(path string) []string {
	var names []string
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		names = append(names, m[1])
	}
	return names
}

// checkRequest applies the text rule, once and before any handler, to
// every path value the route names (as IDs: partnerkit.CheckID) and to
// every query parameter: a bad one is invalid (400) naming it. A query
// string that does not parse is invalid too, rather than silently dropped.
// JSON bodies get the same rule in decode.
func checkRequest(r *http.Request, params []string) error {
	var errs []error
	for _, name := range params {
		errs = append(errs, partnerkit.CheckID(name, r.PathValue(name)))
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return partnerkit.Errorf(partnerkit.CodeInvalid,
			"the query string is malformed: write it as name=value pairs joined by &, with %%-escapes of two hex digits")
	}
	for name, values := range query {
		if p := partnerkit.TextProblem(name, false); p != "" {
			return partnerkit.Errorf(partnerkit.CodeInvalid, "the name of a query parameter %s", p)
		}
		for _, v := range values {
			errs = append(errs, partnerkit.CheckText(name, v, false))
		}
	}
	return validate.All(errs...)
}

// ServeHTTP implements http.Handler: request ID, request log, panic
// recovery and body limit around the routes.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-ID")
	if id == "" || len(id) > 64 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	w.Header().Set("X-Request-ID", id)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	ctx := context.WithValue(r.Context(), requestIDKey{}, id)
	r = r.WithContext(ctx)
	limit := int64(MaxJSONBody)
	if strings.HasSuffix(r.URL.Path, "/versions") || r.URL.Path == "/api/v1/onboarding" || r.URL.Path == "/api/v1/agreements" {
		limit = MaxUploadBody
	}
	r.Body = http.MaxBytesReader(rec, r.Body, limit)
	defer func() {
		if p := recover(); p != nil {
			a.cfg.Logger.ErrorContext(ctx, "panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.wrote {
				writeError(rec, r, fmt.Errorf("panic: %v", p))
			}
		}
		a.cfg.Logger.InfoContext(ctx, "request", "request_id", id, "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "bytes", rec.bytes, "duration_ms", time.Since(start).Milliseconds())
	}()
	a.mux.ServeHTTP(rec, r)
}

type requestIDKey struct{}

// RequestID returns the ID of the request ctx belongs to.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// authenticate resolves the actor: an API key in "Authorization: Bearer",
// else the session cookie. Cookie-authenticated writes must come from the
// same origin (CSRF defence).
func (a *API) authenticate(r *http.Request) (partnerkit.Actor, error) {
	ctx := r.Context()
	if auth := r.Header.Get("Authorization"); auth != "" {
		key, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || key == "" {
			return partnerkit.Actor{}, partnerkit.Errorf(partnerkit.CodeUnauthorized, `use "Authorization: Bearer <API key>"`)
		}
		return a.cfg.Partners.APIKeyActor(ctx, key)
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return partnerkit.Actor{}, partnerkit.Errorf(partnerkit.CodeUnauthorized, "sign in first")
	}
	if err := checkSameOrigin(r); err != nil {
		return partnerkit.Actor{}, err
	}
	actor, _, err := a.cfg.Partners.SessionActor(ctx, c.Value)
	return actor, err
}

// checkSameOrigin refuses a state-changing request whose Origin (or, for
// browsers that send none, Sec-Fetch-Site) says it came from another site.
func checkSameOrigin(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	refused := partnerkit.Errorf(partnerkit.CodeForbidden, "cross-site request refused")
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return refused
		}
		return nil
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return nil
	}
	return refused
}

// setSessionCookie sends the session cookie: HttpOnly, SameSite=Lax,
// Secure when the request came over TLS.
func setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isTLS(r)})
}

func isTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// clientAddress is the caller's address for sign-in throttling.
func clientAddress(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndex(host, ":"); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}
