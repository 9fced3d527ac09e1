//go:build !js

package api

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/idempotency"
)

// The HTTP conventions every route follows, in one place around the
// handlers (see run):
//
//   - Idempotency-Key on POST: the first response (2xx, and the refusals
//     that state caused: 409, 410, 412) is stored for IdempotencyTTL under
//     the caller and the key, sealed with a key derived from the
//     Idempotency-Key itself (which the store keeps only as a hash), and a
//     retry gets it again with Idempotent-Replayed: true. Another request
//     with the key is 422 (idempotency_key_reused); one while the first
//     still runs is 409 at once (it does not wait). A request that failed
//     otherwise (bad input, a server fault) leaves the key free.
//   - ETag on every answer whose body is one versioned resource (a top-level
//     "version"): the version in double quotes (writeJSON).
//   - If-Match on the writes to a versioned resource (the route's own path
//     or, for an action like /contracts/{id}/sign, its parent): the
//     versions its entity tags name become the context's version
//     precondition on the resource (partnerkit.IfVersion), which the
//     service checks on the resource it loads in its transaction and the
//     store's conditional update holds to the commit, so that of two
//     writes with one If-Match exactly one wins: the other, like any
//     stale If-Match, is precondition_failed (412, the kernel's one table).
//     Where the body carries a version it is set from If-Match too. "*"
//     asks only that the resource exist, which the service checks anyway.
//   - Location on 201: locations, or the new resource's path.

// IdempotencyTTL is how long a stored response is replayed.
const IdempotencyTTL = 24 * time.Hour

// idempotencyLease is how long a claimed key waits for its first request
// before another may take it over (its holder died).
const idempotencyLease = 2 * time.Minute

// maxIdempotencyKey is the longest Idempotency-Key.
const maxIdempotencyKey = 255

// maxStoredResponse bounds a stored response body; a larger one is not
// stored (a retry runs again).
const maxStoredResponse = 4 << 20

// route is what the conventions need of a route.
type route struct {
	Route
	key string // "POST /partners"
}

// run serves one request of route r with its handler: for a POST, the
// Idempotency-Key and Location around it (a replay answers before anything
// else is checked), then If-Match, then the handler.
func (a *API) run(w http.ResponseWriter, r *http.Request, rt route, scope string, handler func(w http.ResponseWriter, r *http.Request) error) error {
	fn := func(w http.ResponseWriter, r *http.Request) error {
		conditioned := false
		if r.Header.Get("If-Match") != "" {
			r, conditioned = a.ifMatch(r, rt)
		}
		err := handler(w, r)
		if conditioned && err == nil && !partnerkit.IfVersionChecked(r.Context()) {
			// A service that ignores the precondition is a bug: say so loudly.
			a.cfg.Logger.ErrorContext(r.Context(), "If-Match was not checked by the service", "route", rt.key,
				"request_id", RequestID(r.Context()))
		}
		return err
	}
	if r.Method != http.MethodPost {
		return fn(w, r)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &partnerkit.Error{Code: partnerkit.CodeTooLarge, Message: fmt.Sprintf("the request body is over %d bytes", tooBig.Limit)}
		}
		return partnerkit.Errorf(partnerkit.CodeInvalid, "could not read the request body")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		c := newCapture()
		if err := fn(c, r); err != nil {
			writeError(c, r, err)
		}
		c.flush(w, r, rt, a)
		return nil
	}
	if err := checkIdempotencyKey(key); err != nil {
		return err
	}
	ik := newIdemKey(scope, key, r, body)
	now := time.Now().UTC()
	a.sweepIdempotency(now)
	rec := idempotency.Record{Key: ik.id, Fingerprint: ik.fingerprint, Token: randomToken(), CreatedAt: now,
		ExpiresAt: now.Add(IdempotencyTTL), LockedUntil: now.Add(idempotencyLease)}
	existing, claimed, err := a.idem.Claim(r.Context(), rec, now)
	if err != nil {
		return err
	}
	if !claimed {
		switch {
		case !hmac.Equal([]byte(existing.Fingerprint), []byte(ik.fingerprint)):
			return partnerkit.Errorf(partnerkit.CodeIdempotencyKeyReused,
				"this Idempotency-Key was used with another request (another body or route): use a new key for a new request")
		case !existing.Done:
			return partnerkit.Errorf(partnerkit.CodeConflict,
				"a request with this Idempotency-Key is still running: retry when it has answered")
		}
		stored, err := ik.open(existing.Response)
		if err != nil {
			return err
		}
		stored.replay(w)
		return nil
	}
	c := newCapture()
	runErr := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				_ = a.idem.Release(context.WithoutCancel(r.Context()), rec.Key, rec.Token)
				panic(p)
			}
		}()
		return fn(c, r)
	}()
	if runErr != nil {
		writeError(c, r, runErr)
	}
	c.finish(r, rt, a)
	ctx := context.WithoutCancel(r.Context())
	if storable(c.status) && c.body.Len() <= maxStoredResponse {
		sealed, err := ik.seal(c.stored())
		if err == nil {
			err = a.idem.Complete(ctx, rec.Key, rec.Token, c.status, sealed)
		}
		if err != nil {
			a.cfg.Logger.ErrorContext(ctx, "idempotency: storing a response", "request_id", RequestID(ctx), "err", err)
		}
	} else if err := a.idem.Release(ctx, rec.Key, rec.Token); err != nil {
		a.cfg.Logger.ErrorContext(ctx, "idempotency: releasing a key", "request_id", RequestID(ctx), "err", err)
	}
	c.writeTo(w)
	return nil
}

// storable says which answers a key keeps: those of a request that ran —
// success, and the refusals its state caused (conflict, gone,
// precondition failed). Bad input, authorization and server faults leave
// the key free for a corrected retry.
func storable(status int) bool {
	return status >= 200 && status < 300 || status == http.StatusConflict || status == http.StatusGone ||
		status == http.StatusPreconditionFailed
}

// checkIdempotencyKey refuses a key that is empty, too long or not
// printable ASCII.
func checkIdempotencyKey(key string) error {
	if len(key) > maxIdempotencyKey {
		return partnerkit.FieldError("Idempotency-Key", fmt.Sprintf("must be at most %d characters", maxIdempotencyKey))
	}
	for i := range len(key) {
		if key[i] < 0x21 || key[i] > 0x7e {
			return partnerkit.FieldError("Idempotency-Key", "must be printable ASCII without spaces (a UUID, for instance)")
		}
	}
	return nil
}

// sweepIdempotency deletes expired records now and then (once a minute
// per process), in the background.
func (a *API) sweepIdempotency(now time.Time) {
	a.sweepMu.Lock()
	due := now.Sub(a.lastSweep) > time.Minute
	if due {
		a.lastSweep = now
	}
	a.sweepMu.Unlock()
	if due {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := a.idem.Sweep(ctx, now); err != nil {
				a.cfg.Logger.Error("idempotency: sweeping expired keys", "err", err)
			}
		}()
	}
}

// idemKey is a caller's Idempotency-Key and what derives from it: the
// record's ID, the request's fingerprint and the key that seals the
// response. The store sees hashes only: without the key it can neither
// open a response nor test a guess at a password a sign-in carried.
type idemKey struct {
	id, fingerprint string
	seal_           [32]byte
}

func newIdemKey(scope, key string, r *http.Request, body []byte) idemKey {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(label + "\x00" + scope))
		return m.Sum(nil)
	}
	var k idemKey
	k.id = hex.EncodeToString(derive("id"))
	fp := hmac.New(sha256.New, derive("fingerprint"))
	fp.Write([]byte(r.Method + " " + r.URL.EscapedPath() + "?" + r.URL.RawQuery + "\x00"))
	fp.Write(body)
	k.fingerprint = hex.EncodeToString(fp.Sum(nil))
	copy(k.seal_[:], derive("seal"))
	return k
}

func (k idemKey) aead() cipher.AEAD {
	block, _ := aes.NewCipher(k.seal_[:])
	gcm, _ := cipher.NewGCM(block)
	return gcm
}

func (k idemKey) seal(s storedResponse) ([]byte, error) {
	plain, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	gcm := k.aead()
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	return gcm.Seal(nonce, nonce, plain, []byte(k.id)), nil
}

func (k idemKey) open(sealed []byte) (storedResponse, error) {
	var s storedResponse
	gcm := k.aead()
	if len(sealed) < gcm.NonceSize() {
		return s, &partnerkit.Error{Code: partnerkit.CodeInternal, Op: "idempotency.open", Err: errors.New("short record")}
	}
	plain, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], []byte(k.id))
	if err == nil {
		err = json.Unmarshal(plain, &s)
	}
	if err != nil {
		return s, &partnerkit.Error{Code: partnerkit.CodeInternal, Op: "idempotency.open", Err: err}
	}
	return s, nil
}

func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// storedResponse is a response as a key keeps it.
type storedResponse struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// replayedHeaders are the headers a replay repeats.
var replayedHeaders = []string{"Content-Type", "Location", "ETag", "Content-Range", "Cache-Control", "Set-Cookie",
	"X-Content-Type-Options", "WWW-Authenticate", "Retry-After"}

func (s storedResponse) replay(w http.ResponseWriter) {
	for k, vs := range s.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(s.Status)
	_, _ = w.Write(s.Body)
}

// capture buffers a POST's answer, so that its Location can be set from
// the body and the key can store it.
type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newCapture() *capture { return &capture{header: http.Header{}, status: http.StatusOK} }

func (c *capture) Header() http.Header { return c.header }

func (c *capture) WriteHeader(code int) {
	if c.status == http.StatusOK && c.body.Len() == 0 {
		c.status = code
	}
}

func (c *capture) Write(b []byte) (int, error) { return c.body.Write(b) }

// finish sets Location on a 201 from the body.
func (c *capture) finish(r *http.Request, rt route, a *API) {
	if c.status == http.StatusCreated && c.header.Get("Location") == "" {
		if loc := a.location(r, rt, c.body.Bytes()); loc != "" {
			c.header.Set("Location", loc)
		}
	}
}

// flush finishes the answer and writes it to w.
func (c *capture) flush(w http.ResponseWriter, r *http.Request, rt route, a *API) {
	c.finish(r, rt, a)
	c.writeTo(w)
}

func (c *capture) writeTo(w http.ResponseWriter) {
	for k, vs := range c.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body.Bytes())
}

func (c *capture) stored() storedResponse {
	h := http.Header{}
	for _, k := range replayedHeaders {
		if vs := c.header.Values(k); len(vs) > 0 {
			h[k] = vs
		}
	}
	return storedResponse{Status: c.status, Header: h, Body: c.body.Bytes()}
}

// location is where the resource a 201 created lives: the route's template
// (locations) filled from the body's fields and the request's path values,
// or the request's path plus "/{id}" when that route exists.
func (a *API) location(r *http.Request, rt route, body []byte) string {
	var v map[string]any
	_ = json.Unmarshal(body, &v)
	tmpl, ok := locations[rt.key]
	if !ok {
		tmpl = rt.Path
		if _, has := v["id"]; has && a.hasPath(rt.Path+"/{id}") {
			tmpl = rt.Path + "/{id}"
		}
	}
	var failed bool
	filled := locationParam.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[1 : len(m)-1]
		if s, ok := lookup(v, name); ok {
			return url.PathEscape(s)
		}
		if s := r.PathValue(name); s != "" {
			return url.PathEscape(s)
		}
		failed = true
		return m
	})
	if failed {
		return "/api/v1" + r.URL.EscapedPath()[len("/api/v1"):]
	}
	return "/api/v1" + filled
}

// locationParam matches the {name} and {a.b} placeholders of a location.
var locationParam = regexp.MustCompile(`\{([a-z_.]+)\}`)

// lookup returns the string or number at a dotted path of a JSON object.
func lookup(v map[string]any, dotted string) (string, bool) {
	var cur any = v
	for _, part := range strings.Split(dotted, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		cur = m[part]
	}
	switch x := cur.(type) {
	case string:
		return x, x != ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// hasPath reports whether a route is registered at path (any method).
func (a *API) hasPath(p string) bool {
	return slices.ContainsFunc(a.routes, func(r Route) bool { return r.Path == p })
}

// versionedPaths lists the paths whose GET answers one versioned resource.
func (a *API) versionedPaths() map[string]bool {
	out := map[string]bool{}
	for _, r := range a.routes {
		d := docs[r.Method+" "+r.Path]
		if r.Method == http.MethodGet && d.out != nil && !d.list && hasVersion(reflect.TypeOf(d.out)) {
			out[r.Path] = true
		}
	}
	return out
}

// resourcePaths maps each write route to the path of the versioned
// resource it acts on, for If-Match: its own path when a GET there answers
// one, else, when nothing is read at its path (an action such as
// /contracts/{id}/sign), its parent's. A route not listed ignores If-Match.
func (a *API) resourcePaths() map[string]string {
	versioned := a.versionedPaths()
	gets := map[string]bool{}
	for _, r := range a.routes {
		if r.Method == http.MethodGet {
			gets[r.Path] = true
		}
	}
	out := map[string]string{}
	for _, r := range a.routes {
		switch {
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
		case versioned[r.Path]:
			out[r.Method+" "+r.Path] = r.Path
		case !gets[r.Path] && versioned[path.Dir(r.Path)]:
			out[r.Method+" "+r.Path] = path.Dir(r.Path)
		}
	}
	return out
}

// ifMatchKey carries the version If-Match named (see ifMatchVersion).
type ifMatchKey struct{}

// ifMatch applies If-Match to a write of route rt: when the route acts on a
// versioned resource (resourceOf) and If-Match is not *, it returns r with
// the version precondition on the resource (partnerkit.IfVersion: the
// versions of its strong entity tags, none when it names none, which no
// version matches) and reports true. The service checks it in its
// transaction (see run).
func (a *API) ifMatch(r *http.Request, rt route) (*http.Request, bool) {
	res, ok := a.resourceOf[rt.key]
	if !ok {
		return r, false // not a versioned resource: If-Match does not apply
	}
	var versions []int
	for _, v := range r.Header.Values("If-Match") {
		for _, tag := range strings.Split(v, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" {
				return r, false
			}
			if len(tag) > 2 && tag[0] == '"' && tag[len(tag)-1] == '"' { // a strong tag: W/"3" never matches
				if n, err := strconv.Atoi(tag[1 : len(tag)-1]); err == nil && n > 0 {
					versions = append(versions, n)
				}
			}
		}
	}
	id := r.PathValue(res[strings.LastIndex(res, "{")+1 : len(res)-1]) // a resource path ends in its {id}
	ctx := partnerkit.IfVersion(r.Context(), id, versions...)
	if len(versions) == 1 {
		ctx = context.WithValue(ctx, ifMatchKey{}, versions[0])
	}
	return r.WithContext(ctx), true
}

// ifMatchVersion returns the one version If-Match named (see ifMatch):
// decode puts it into a body's version, so that a body and If-Match that
// disagree are refused before the service runs.
func ifMatchVersion(r *http.Request) (int, bool) {
	n, ok := r.Context().Value(ifMatchKey{}).(int)
	return n, ok && n > 0
}

// setBodyVersion sets the top-level Version of a decoded body from
// If-Match: a body version that says otherwise is a failed precondition.
func setBodyVersion(r *http.Request, v any) error {
	n, ok := ifMatchVersion(r)
	if !ok {
		return nil
	}
	f, ok := versionField(reflect.ValueOf(v))
	if !ok || !f.CanSet() {
		return nil
	}
	switch {
	case f.Int() == 0:
		f.SetInt(int64(n))
	case f.Int() != int64(n):
		return partnerkit.Errorf(partnerkit.CodePreconditionFailed, "the body's version %d is not If-Match's %d", f.Int(), n)
	}
	return nil
}

// versionIndex caches, per struct type, the index of its top-level
// "version" integer field (promoted from embedded structs too).
var versionIndex sync.Map // reflect.Type → []int (nil: none)

func versionFieldIndex(t reflect.Type) []int {
	if v, ok := versionIndex.Load(t); ok {
		return v.([]int)
	}
	var idx []int
	if t.Kind() == reflect.Struct {
		for _, f := range reflect.VisibleFields(t) {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "version" && f.Type.Kind() >= reflect.Int && f.Type.Kind() <= reflect.Int64 && f.IsExported() {
				idx = f.Index
				break
			}
		}
	}
	versionIndex.Store(t, idx)
	return idx
}

// hasVersion reports whether a type (or what it points to) is a
// versioned resource: a struct with a top-level "version".
func hasVersion(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return versionFieldIndex(t) != nil
}

// versionField returns the "version" field of the struct v is or points to.
func versionField(v reflect.Value) (reflect.Value, bool) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	idx := versionFieldIndex(v.Type())
	if idx == nil {
		return reflect.Value{}, false
	}
	f, err := v.FieldByIndexErr(idx)
	return f, err == nil
}

// etagOf returns the ETag of a response body: its version in quotes, or "".
func etagOf(v any) string {
	f, ok := versionField(reflect.ValueOf(v))
	if !ok {
		return ""
	}
	return `"` + strconv.FormatInt(f.Int(), 10) + `"`
}

// allowed lists the methods the routes serve at a request path (GET
// brings HEAD), for a 405's Allow.
func (a *API) allowed(p string) []string {
	rest, ok := strings.CutPrefix(p, "/api/v1")
	if !ok {
		return nil
	}
	segs := strings.Split(rest, "/")
	var out []string
	for _, r := range a.routes {
		pat := strings.Split(r.Path, "/")
		if len(pat) != len(segs) {
			continue
		}
		match := true
		for i := range pat {
			if strings.HasPrefix(pat[i], "{") {
				match = match && segs[i] != ""
			} else {
				match = match && pat[i] == segs[i]
			}
		}
		if match {
			out = append(out, r.Method)
			if r.Method == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// scopeOf is whose Idempotency-Keys a request's are: the actor's (its
// account and its user or API key), or the public's.
func scopeOf(actor partnerkit.Actor) string {
	if actor.AccountID == "" && actor.Principal() == "" {
		return "public"
	}
	return actor.AccountID + "/" + actor.UserID + "/" + actor.APIKeyID
}
