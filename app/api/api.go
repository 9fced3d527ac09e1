//go:build !js

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
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/idempotency"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/wiring"
)

// Config holds the services the API exposes. Partners is required; a nil
// service leaves its routes answering 404.
type Config struct {
	// Services are the services the API exposes (wiring.New, or
	// app/server.New and NewMemory, build them): Partners is required; a
	// nil service leaves its routes answering 404.
	wiring.Services
	// Logger receives one line per request; nil means slog.Default().
	// Paths are logged with their tokens redacted.
	Logger *slog.Logger
	// TrustedProxies are the networks of the reverse proxies in front of
	// the server (PARTNERKIT_TRUSTED_PROXIES). Only a request whose peer is
	// in one of them has its X-Forwarded-For (the client's address, for
	// throttling) and X-Forwarded-Proto (https, for Secure cookies)
	// honoured; from anyone else they are ignored. Empty trusts no one.
	TrustedProxies []netip.Prefix
	// MaxInFlight bounds the requests served at once (0: DefaultMaxInFlight);
	// a request beyond it waits up to QueueWait (0: DefaultQueueWait) for a
	// slot, then is refused with 503 and Retry-After: past its capacity the
	// server sheds load instead of queueing without end.
	MaxInFlight int
	QueueWait   time.Duration
	// Observer, when set, is told of every request served, with its
	// route pattern (observe.go; app/observe counts them for /metrics).
	Observer Observer
	// Idempotency keeps the responses of POSTs sent with an
	// Idempotency-Key (IdempotencyTTL); nil keeps them in this process's
	// memory. Servers on one database share idempotency/bunstore's.
	Idempotency idempotency.Store
	// RateLimit bounds the requests per API key, else per client address
	// (zero: DefaultRateLimit; PerSecond < 0: no limit).
	RateLimit RateLimit
}

// Default load-shedding bounds (see Config.MaxInFlight).
const (
	DefaultMaxInFlight = 256
	DefaultQueueWait   = time.Second
)

// ParseTrustedProxies parses a comma- or space-separated list of CIDRs or
// single addresses ("10.0.0.0/8, 192.0.2.7") for Config.TrustedProxies.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		addr, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxies: %q is neither a CIDR nor an address", f)
		}
		out = append(out, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
	}
	return out, nil
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
	// csrf refuses cross-site browser requests (Sec-Fetch-Site, Origin).
	csrf *http.CrossOriginProtection
	// slots bounds the requests in flight (see Config.MaxInFlight).
	slots chan struct{}
	// idem keeps Idempotency-Key responses; resourceOf maps each write
	// route to the versioned resource If-Match is checked against.
	idem       idempotency.Store
	resourceOf map[string]string
	limiter    *limiter
	sweepMu    sync.Mutex
	lastSweep  time.Time
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
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.QueueWait <= 0 {
		cfg.QueueWait = DefaultQueueWait
	}
	if cfg.Idempotency == nil {
		cfg.Idempotency = idempotency.NewMemory()
	}
	a := &API{cfg: cfg, mux: http.NewServeMux(), csrf: http.NewCrossOriginProtection(), slots: make(chan struct{}, cfg.MaxInFlight),
		idem: cfg.Idempotency, limiter: newLimiter(cfg.RateLimit)}
	a.public(http.MethodGet, "/openapi.json", a.serveOpenAPI)
	a.authRoutes()
	a.securityRoutes()
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
	a.eventsRoutes()
	if cfg.Webhooks != nil {
		a.webhookRoutes()
	}
	a.resourceOf = a.resourcePaths()
	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if allow := a.allowed(r.URL.Path); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, r, partnerkit.Errorf(partnerkit.CodeMethodNotAllowed, "%s is not served at %s: use %s",
				r.Method, RedactPath(r.URL.Path), strings.Join(allow, ", ")))
			return
		}
		writeError(w, r, partnerkit.Errorf(partnerkit.CodeNotFound, "no route %s %s", r.Method, RedactPath(r.URL.Path)))
	})
	return a
}

// Routes lists every route the API serves.
func (a *API) Routes() []Route { return append([]Route(nil), a.routes...) }

// handle registers an authenticated route; an actor whose account is
// suspended is forbidden there.
func (a *API) handle(method, path string, h handler) { a.register(method, path, h, false) }

// handleMember registers an authenticated route that a member of a
// suspended account may still call (who am I, switch account).
func (a *API) handleMember(method, path string, h handler) { a.register(method, path, h, true) }

func (a *API) register(method, path string, h handler, suspendedOK bool) {
	rt := route{Route: Route{Method: method, Path: path}, key: method + " " + path}
	a.routes = append(a.routes, rt.Route)
	params := pathParams(path)
	order, isList := listOrders[method+" "+path]
	a.mux.HandleFunc(method+" /api/v1"+path, func(w http.ResponseWriter, r *http.Request) {
		err := checkRequest(r, params)
		if err == nil && isList {
			_, _, err = listParams(r, order) // every list refuses a bad limit, offset or sort first
		}
		var actor partnerkit.Actor
		if err == nil {
			actor, err = a.authenticate(r, suspendedOK)
		}
		if err == nil {
			err = a.run(w, r, rt, scopeOf(actor), func(w http.ResponseWriter, r *http.Request) error { return h(w, r, actor) })
		}
		if err != nil {
			writeError(w, r, err)
		}
	})
}

// public registers a route that needs no authentication.
func (a *API) public(method, path string, h publicHandler) {
	rt := route{Route: Route{Method: method, Path: path, Public: true}, key: method + " " + path}
	a.routes = append(a.routes, rt.Route)
	params := pathParams(path)
	a.mux.HandleFunc(method+" /api/v1"+path, func(w http.ResponseWriter, r *http.Request) {
		err := checkRequest(r, params)
		if err == nil {
			err = a.run(w, r, rt, scopeOf(partnerkit.Actor{}), h)
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
	if !validRequestID(id) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	w.Header().Set("X-Request-ID", id)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	ctx := context.WithValue(r.Context(), requestIDKey{}, id)
	r = r.WithContext(ctx)
	if a.cfg.Observer != nil { // last, once the response is written (r.Pattern: the route that matched)
		defer func() { a.cfg.Observer.Served(r, r.Pattern, rec.status, time.Since(start)) }()
	}
	limit := int64(MaxJSONBody)
	if strings.HasSuffix(r.URL.Path, "/versions") || r.URL.Path == "/api/v1/onboarding" || r.URL.Path == "/api/v1/agreements" {
		limit = MaxUploadBody
	}
	r.Body = http.MaxBytesReader(rec, r.Body, limit)
	if err := a.limit(rec, r); err != nil {
		writeError(rec, r, err)
		a.cfg.Logger.InfoContext(ctx, "request", "request_id", id, "method", r.Method, "path", RedactPath(r.URL.Path),
			"status", rec.status, "bytes", rec.bytes, "duration_ms", time.Since(start).Milliseconds(), "limited", true)
		return
	}
	if !a.enter(r.Context()) {
		writeError(rec, r, &partnerkit.Error{Code: partnerkit.CodeUnavailable, RetryAfter: time.Second,
			Message: "the server is at capacity: try again in a moment"})
		a.cfg.Logger.InfoContext(ctx, "request", "request_id", id, "method", r.Method, "path", RedactPath(r.URL.Path),
			"status", rec.status, "bytes", rec.bytes, "duration_ms", time.Since(start).Milliseconds(), "shed", true)
		return
	}
	defer func() { <-a.slots }()
	defer func() {
		if p := recover(); p != nil {
			a.cfg.Logger.ErrorContext(ctx, "panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.wrote {
				writeError(rec, r, fmt.Errorf("panic: %v", p))
			}
		}
		a.cfg.Logger.InfoContext(ctx, "request", "request_id", id, "method", r.Method, "path", RedactPath(r.URL.Path),
			"status", rec.status, "bytes", rec.bytes, "duration_ms", time.Since(start).Milliseconds())
	}()
	a.mux.ServeHTTP(rec, r)
}

// enter takes a request slot, waiting up to QueueWait; false: none came.
func (a *API) enter(ctx context.Context) bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
	}
	timer := time.NewTimer(a.cfg.QueueWait)
	defer timer.Stop()
	select {
	case a.slots <- struct{}{}:
		return true
	case <-timer.C:
		return false
	case <-ctx.Done():
		return false
	}
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

// validRequestID reports whether a caller's X-Request-ID may be echoed and
// logged: 1 to 64 letters, digits, '-', '_' or '.'.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// RedactPath returns path with the secrets it may carry — the tokens of
// invitation, team-invitation and password-reset links, in the API and in
// the PWA's activation, join and reset pages — replaced by "[redacted]",
// for logs and error messages.
func RedactPath(path string) string {
	segs := strings.Split(path, "/")
	for i := 0; i+1 < len(segs); i++ {
		switch segs[i] {
		case "invitations", "team-invitations", "activate", "join", "reset-password", "password-reset":
			if i > 0 && segs[i-1] == "team" && segs[i] == "invitations" {
				continue // /team/invitations is a collection, not a link
			}
			if segs[i+1] != "" {
				segs[i+1] = "[redacted]"
			}
		}
	}
	return strings.Join(segs, "/")
}

// authenticate resolves the actor: an API key in "Authorization: Bearer",
// else the session cookie. Cookie-authenticated writes must come from the
// same origin (CSRF defence). suspendedOK lets a member of a suspended
// account through (who am I, switch account).
func (a *API) authenticate(r *http.Request, suspendedOK bool) (partnerkit.Actor, error) {
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
	if err := a.checkSameOrigin(r); err != nil {
		return partnerkit.Actor{}, err
	}
	session := a.cfg.Partners.SessionActor
	if suspendedOK {
		session = a.cfg.Partners.SessionMember
	}
	actor, _, err := session(ctx, c.Value)
	return actor, err
}

// checkSameOrigin refuses a state-changing browser request from another
// origin: the standard library's CrossOriginProtection (Sec-Fetch-Site,
// then Origin against Host), and, where it falls open, the whole origin —
// scheme and host — of Origin, or of Referer when a browser sends no
// Origin, against this server's.
func (a *API) checkSameOrigin(r *http.Request) error {
	refused := partnerkit.Errorf(partnerkit.CodeForbidden, "cross-site request refused")
	if err := a.csrf.Check(r); err != nil {
		return refused
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return nil // the browser compared the whole origins already
	}
	scheme := "http"
	if a.IsHTTPS(r) {
		scheme = "https"
	}
	from := r.Header.Get("Origin")
	if from == "" {
		from = r.Header.Get("Referer")
	}
	if from == "" {
		return nil // not a browser, or a same-origin request of an old one
	}
	u, err := url.Parse(from)
	if err != nil || u.Host != r.Host || u.Scheme != scheme {
		return refused
	}
	return nil
}

// setSessionCookie sends the session cookie: HttpOnly, SameSite=Lax,
// Secure when the request came over TLS.
// A script-readable hint, SignedInCookie, goes with it (see clearSignedIn).
func (a *API) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: a.IsHTTPS(r)})
	hint := "1"
	if token == "" {
		hint = ""
	}
	http.SetCookie(w, &http.Cookie{Name: SignedInCookie, Value: hint, Path: "/", Expires: expires,
		SameSite: http.SameSiteLaxMode, Secure: a.IsHTTPS(r)})
}

// SignedInCookie tells the PWA, which cannot read the HttpOnly session
// cookie, that a session exists, so that an anonymous visitor's pages make
// no request bound to fail; it holds no secret. Any 401 clears it.
const SignedInCookie = client.SignedInCookie

// clearSignedIn expires the signed-in hint (on any 401).
func clearSignedIn(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SignedInCookie, Value: "", Path: "/", MaxAge: -1, SameSite: http.SameSiteLaxMode})
}

// peer returns the address of the request's direct peer.
func peer(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err == nil {
		return ap.Addr().Unmap(), true
	}
	addr, err := netip.ParseAddr(strings.Trim(r.RemoteAddr, "[]"))
	return addr.Unmap(), err == nil
}

// trusted reports whether addr is one of the trusted proxies.
func (a *API) trusted(addr netip.Addr) bool {
	for _, p := range a.cfg.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// IsHTTPS reports whether the client reached the server over TLS: the
// connection is TLS, or a trusted proxy says so in X-Forwarded-Proto.
func (a *API) IsHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	p, ok := peer(r)
	return ok && a.trusted(p) && strings.EqualFold(strings.TrimSpace(lastField(r.Header.Values("X-Forwarded-Proto"))), "https")
}

// clientAddress is the caller's address, for throttling: the peer, or,
// when the peer is a trusted proxy, the nearest address in
// X-Forwarded-For that is not a trusted proxy (the right-most one a proxy
// of ours appended; what the client wrote further left is not believed).
func (a *API) clientAddress(r *http.Request) string {
	p, ok := peer(r)
	if !ok {
		return r.RemoteAddr
	}
	if !a.trusted(p) {
		return p.String()
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if addr = addr.Unmap(); !a.trusted(addr) {
			return addr.String()
		}
		p = addr
	}
	return p.String()
}

// lastField returns the last comma-separated value of a header's values.
func lastField(values []string) string {
	if len(values) == 0 {
		return ""
	}
	fields := strings.Split(values[len(values)-1], ",")
	return fields[len(fields)-1]
}
