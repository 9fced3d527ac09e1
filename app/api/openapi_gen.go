//go:build !js

package api

import (
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/partnerkit/partnerkit"
)

// optionalBodies are the routes whose JSON body may be left out.
var optionalBodies = map[string]bool{
	"POST /deals/{id}/approve":          true,
	"POST /deals/{id}/reject":           true,
	"POST /invitations/{id}/resend":     true,
	"POST /webhooks/{id}/rotate-secret": true,
}

// errorResponses describe each error status the API answers, with the codes
// it carries (partnerkit.HTTPStatus maps codes to statuses in one table).
var errorResponses = map[int]string{
	400: "The request is malformed or invalid: fields names each bad field by its JSON path",
	401: "Not signed in, or an unknown, revoked or expired API key",
	403: "The role is too weak, the account is suspended, or a cross-site browser request",
	404: "Unknown, or another tenant's",
	409: "A duplicate, an illegal state change, a limit, a change that raced another, or a request with the same Idempotency-Key still running",
	410: "A used or expired link",
	412: "If-Match does not hold: the resource changed since its ETag was read",
	413: "The body is over its size limit",
	415: "The body is not Content-Type: application/json",
	422: "The Idempotency-Key was used with another request (another body or route)",
	429: "Too many requests: wait Retry-After seconds",
	500: "A fault of the server, logged, never detailed",
	503: "The server is at capacity or a password check waited too long: wait Retry-After seconds",
}

// OpenAPI returns the OpenAPI 3 document of the routes the API serves,
// generated from the route table, docs and the Go types the routes take
// and answer. It fails when two Go types would share one component schema
// name.
func (a *API) OpenAPI() (map[string]any, error) {
	g := &schemaGen{components: map[string]any{}}
	for _, r := range a.routes {
		if d := docs[r.Method+" "+r.Path]; d.out != nil {
			g.markOutputs(reflect.TypeOf(d.out))
		}
		for _, out := range moreSuccesses[r.Method+" "+r.Path] {
			g.markOutputs(reflect.TypeOf(out))
		}
	}
	errorRef := g.ref(reflect.TypeOf(ErrorBody{}))
	paths := map[string]any{}
	usedTags := map[string]bool{}
	for _, r := range a.routes {
		key := r.Method + " " + r.Path
		d := docs[key]
		item, _ := paths["/api/v1"+r.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths["/api/v1"+r.Path] = item
		}
		_, ifMatch := a.resourceOf[key]
		params := a.parameters(g, r, d, ifMatch)
		status := d.status
		if status == 0 {
			status = http.StatusOK
		}
		success := g.success(r, d, status)
		responses := map[string]any{itoa(status): success}
		for code, out := range moreSuccesses[key] { // a second way to succeed (account_security.go)
			responses[itoa(code)] = g.success(r, op{out: out}, code)
		}
		for _, code := range errorStatuses(r, d, ifMatch) {
			responses[itoa(code)] = map[string]any{"$ref": "#/components/responses/" + responseName(code)}
		}
		tag := tagOf(r.Path)
		usedTags[tag] = true
		operation := map[string]any{
			"summary":     d.summary,
			"description": operationDescription(r, d, ifMatch),
			"operationId": operationID(r),
			"tags":        []any{tag},
			"responses":   responses,
		}
		if len(params) > 0 {
			operation["parameters"] = params
		}
		if d.in != nil {
			operation["requestBody"] = map[string]any{"required": !optionalBodies[key], "content": map[string]any{
				"application/json": map[string]any{"schema": g.refIn(reflect.TypeOf(d.in))}}}
		}
		if r.Public {
			operation["security"] = []any{}
		}
		item[strings.ToLower(r.Method)] = operation
	}
	var tagList []any
	for _, t := range tags {
		if usedTags[t.name] {
			tagList = append(tagList, map[string]any{"name": t.name, "description": t.description})
			delete(usedTags, t.name)
		}
	}
	for _, name := range sortedKeys(usedTags) {
		tagList = append(tagList, map[string]any{"name": name, "description": "Operations under /" + strings.ToLower(strings.ReplaceAll(name, " ", "-"))})
	}
	errorResponsesDoc := map[string]any{}
	for code, desc := range errorResponses {
		resp := map[string]any{"description": desc + errorCodes(code),
			"content": map[string]any{"application/json": map[string]any{"schema": errorRef}}}
		switch code {
		case 429:
			resp["headers"] = map[string]any{"Retry-After": headerRef("Retry-After"),
				"RateLimit-Limit": headerRef("RateLimit-Limit"), "RateLimit-Remaining": headerRef("RateLimit-Remaining"),
				"RateLimit-Reset": headerRef("RateLimit-Reset")}
		case 503:
			resp["headers"] = map[string]any{"Retry-After": headerRef("Retry-After")}
		case 401:
			resp["headers"] = map[string]any{"WWW-Authenticate": map[string]any{"description": `Bearer realm="partnerkit"`,
				"schema": map[string]any{"type": "string"}}}
		}
		errorResponsesDoc[responseName(code)] = resp
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Partnerkit API", "version": "1",
			"description": apiDescription,
			"license":     map[string]any{"name": "Proprietary", "url": "https://partnerkit.example/license"}},
		"servers": []any{map[string]any{"url": "/", "description": "The server that serves this document (paths start with /api/v1)"}},
		"tags":    tagList,
		"paths":   paths,
		"components": map[string]any{
			"schemas":    g.components,
			"responses":  errorResponsesDoc,
			"headers":    headerComponents(),
			"parameters": parameterComponents(),
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie,
					"description": "The session cookie POST /api/v1/session sets (HttpOnly, SameSite=Lax); writes must come from the same origin"},
				"apiKey": map[string]any{"type": "http", "scheme": "bearer",
					"description": "An API key (POST /api/v1/api-keys) as Authorization: Bearer <key>"},
			},
		},
		"security": []any{map[string]any{"session": []any{}}, map[string]any{"apiKey": []any{}}},
	}, g.err()
}

// apiDescription is the document's introduction: the conventions every
// operation follows.
const apiDescription = "Partner management: partners, agreements, contracts, onboarding, capacity, listings, the Reseller Store, events and webhooks.\n\n" +
	"Conventions:\n\n" +
	"- Errors are `{\"error\": {\"code\", \"message\", \"fields\"}}` (ErrorBody), one HTTP status per code.\n" +
	"- Lists take `limit` (1 to 500, default 50), `offset` and `sort` and answer `{\"items\", \"total\"}` with `Content-Range: items 0-49/N`.\n" +
	"- Every POST takes an `Idempotency-Key` (1 to 255 printable ASCII characters): a retry with the same key, by the same caller, " +
	"within 24 hours answers the first response again (with `Idempotent-Replayed: true`) instead of acting twice; the same key with " +
	"another body or route is 422; while the first request runs, another with its key is 409.\n" +
	"- A resource with a `version` answers `ETag: \"<version>\"`; writes to it, and actions on it, honour `If-Match`, checked atomically " +
	"with the change: when it does not hold the answer is 412, and of two requests with one `If-Match` one wins and the other is 412.\n" +
	"- 201 answers carry `Location`.\n" +
	"- A known path asked with another method is 405 with `Allow`; a body that is not `application/json` is 415.\n" +
	"- Requests are rate limited per API key, else per client address: every answer carries `RateLimit-Limit`, `RateLimit-Remaining` " +
	"and `RateLimit-Reset`; past the limit the answer is 429 with `Retry-After`."

// errorCodes names the error codes a status carries.
func errorCodes(status int) string {
	var codes []string
	for _, c := range partnerkit.Codes() {
		if partnerkit.HTTPStatus(c) == status {
			codes = append(codes, string(c))
		}
	}
	if len(codes) == 0 {
		return ""
	}
	return " (code " + strings.Join(codes, ", ") + ")"
}

// responseName names the shared response of an error status.
func responseName(code int) string {
	return strings.ReplaceAll(http.StatusText(code), " ", "")
}

func headerRef(name string) map[string]any {
	return map[string]any{"$ref": "#/components/headers/" + name}
}

func headerComponents() map[string]any {
	str := func(desc string, extra ...string) map[string]any {
		s := map[string]any{"type": "string"}
		if len(extra) > 0 {
			s["pattern"] = extra[0]
		}
		return map[string]any{"description": desc, "schema": s}
	}
	integer := func(desc string) map[string]any {
		return map[string]any{"description": desc, "schema": map[string]any{"type": "integer", "minimum": 0}}
	}
	return map[string]any{
		"Content-Range": str("The window of the list this page is: items <first>-<last>/<total> (items */<total> for an empty page; "+
			"the total is * with total=false)", `^items (\*|[0-9]+-[0-9]+)/(\*|[0-9]+)$`),
		"Content-Disposition": str("attachment (or inline for PDF and plain text) with the file's name"),
		"ETag":                str(`The resource's version in double quotes ("3"); send it as If-Match to change the resource only if it did not change`, `^"[0-9]+"$`),
		"Location":            str("Where the created resource lives (a path under /api/v1)"),
		"Retry-After":         integer("Seconds to wait before trying again"),
		"RateLimit-Limit":     integer("Requests the caller's bucket holds when full"),
		"RateLimit-Remaining": integer("Requests the caller may still send now"),
		"RateLimit-Reset":     integer("Seconds until the bucket is full again"),
		"Idempotent-Replayed": str("true on the replay of a response stored under the request's Idempotency-Key", `^true$`),
		"X-Request-ID":        str("The request's ID (the caller's X-Request-ID when it is 1 to 64 letters, digits, '-', '_' or '.'), in the server's logs"),
	}
}

func parameterComponents() map[string]any {
	return map[string]any{
		"Idempotency-Key": map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
			"description": "Makes a retry safe: the same key, by the same caller, within 24 hours, answers the first response again " +
				"instead of acting twice; another request with the key is 422; one while the first runs is 409. " +
				"The Partnerkit client (app/client, and so the PWA) sends one on every POST: one key per user action, sent again when it retries it",
			"schema": map[string]any{"type": "string", "minLength": 1, "maxLength": maxIdempotencyKey, "pattern": `^[\x21-\x7E]+$`}},
		"If-Match": map[string]any{"name": "If-Match", "in": "header", "required": false,
			"description": `Act only if the resource's ETag is one of these ("3", or * for any): otherwise 412. ` +
				`Checked atomically with the change: of two requests with one If-Match, one wins and the other is 412`,
			"schema": map[string]any{"type": "string"}},
	}
}

// successHeaders are the headers of every successful answer.
func successHeaders() map[string]any {
	return map[string]any{"RateLimit-Limit": headerRef("RateLimit-Limit"), "RateLimit-Remaining": headerRef("RateLimit-Remaining"),
		"RateLimit-Reset": headerRef("RateLimit-Reset"), "X-Request-ID": headerRef("X-Request-ID")}
}

// success describes an operation's successful answer.
func (g *schemaGen) success(r Route, d op, status int) map[string]any {
	success := map[string]any{"description": http.StatusText(status)}
	headers := successHeaders()
	if d.list {
		headers["Content-Range"] = headerRef("Content-Range")
	}
	if status == http.StatusCreated {
		headers["Location"] = headerRef("Location")
	}
	if r.Method == http.MethodPost {
		headers["Idempotent-Replayed"] = headerRef("Idempotent-Replayed")
	}
	if d.out != nil && !d.list && hasVersion(reflect.TypeOf(d.out)) {
		headers["ETag"] = headerRef("ETag")
	}
	content := map[string]any{}
	switch {
	case d.out != nil:
		schema := g.ref(reflect.TypeOf(d.out))
		if d.list {
			props := map[string]any{"items": map[string]any{"type": "array", "items": schema},
				"total": map[string]any{"type": "integer", "format": "int64", "minimum": 0, "description": "how many items match, not only this page"}}
			required := []any{"items", "total"}
			if slices.Contains(d.query, "total") { // ?total=false answers has_more instead
				props["has_more"] = map[string]any{"type": "boolean", "description": "with total=false: whether items follow this page"}
				required = []any{"items"}
			}
			schema = map[string]any{"type": "object", "required": required, "properties": props}
		}
		content["application/json"] = map[string]any{"schema": schema}
	case r.Path == "/openapi.json":
		content["application/json"] = map[string]any{"schema": map[string]any{"type": "object", "additionalProperties": true,
			"description": "An OpenAPI 3.0 document"}}
	}
	if d.csv {
		content["text/csv"] = map[string]any{"schema": map[string]any{"type": "string",
			"description": "The whole list as CSV (every page), a header row first; cells that a spreadsheet would run as a formula are quoted with '"}}
		headers["Content-Disposition"] = headerRef("Content-Disposition")
	}
	if strings.HasSuffix(r.Path, "/document") {
		for _, mt := range documentTypes {
			content[mt] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary",
				"description": "The uploaded file, for a document of kind file (the JSON version describes a url or none)"}}
		}
		headers["Content-Disposition"] = headerRef("Content-Disposition")
	}
	if len(content) > 0 {
		success["content"] = content
	}
	success["headers"] = headers
	return success
}

// errorStatuses lists the error statuses an operation answers.
func errorStatuses(r Route, d op, ifMatch bool) []int {
	errs := []int{400, 404, 409, 429, 500, 503}
	if !r.Public {
		errs = append(errs, 401, 403)
	}
	if d.in != nil {
		errs = append(errs, 413, 415)
	}
	if r.Method == http.MethodPost {
		errs = append(errs, 413, 415, 422) // Idempotency-Key; any body is read to fingerprint it
	}
	if r.Path == "/session" && r.Method == http.MethodPost || r.Path == "/session" && r.Method == http.MethodDelete {
		errs = append(errs, 401, 403) // a wrong password; a cross-site sign-in
	}
	if r.Path == "/team-invitations/{token}/accept" {
		errs = append(errs, 401, 403)
	}
	if strings.HasPrefix(r.Path, "/invitations/") || strings.HasPrefix(r.Path, "/team-invitations/") {
		errs = append(errs, 410)
	}
	if ifMatch {
		errs = append(errs, 412)
	}
	errs = append(errs, moreErrors[r.Method+" "+r.Path]...)
	slices.Sort(errs)
	return slices.Compact(errs)
}

// parameters lists an operation's path, query and header parameters.
func (a *API) parameters(g *schemaGen, r Route, d op, ifMatch bool) []any {
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(r.Path, -1) {
		s := map[string]any{"type": "string", "minLength": 1, "maxLength": partnerkit.MaxIDLength}
		if m[1] == "n" {
			s = map[string]any{"type": "integer", "minimum": 1}
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": s})
	}
	key := r.Method + " " + r.Path
	for _, q := range d.query {
		if d.list && (q == "limit" || q == "offset" || q == "sort") {
			continue // typed below
		}
		p := map[string]any{"name": q, "in": "query", "schema": g.queryParamSchema(key, q), "allowEmptyValue": true}
		if desc := queryDescriptions[q]; desc != "" {
			p["description"] = desc
		}
		if q == "type" && r.Path == "/events" {
			p["style"], p["explode"] = "form", false
			p["description"] = "Only these event types (comma-separated)"
		}
		if q == "entity_id" {
			p["required"] = true
			delete(p, "allowEmptyValue")
		}
		params = append(params, p)
	}
	if d.list {
		params = append(params, listQueryParams(listOrders[key])...)
	}
	if r.Method == http.MethodPost {
		params = append(params, map[string]any{"$ref": "#/components/parameters/Idempotency-Key"})
	}
	if ifMatch {
		params = append(params, map[string]any{"$ref": "#/components/parameters/If-Match"})
	}
	return params
}

// queryParamSchema is the schema of a route's query parameter.
func (g *schemaGen) queryParamSchema(route, name string) map[string]any {
	if v, ok := queryTypes[route][name]; ok {
		if s, ok := v.(map[string]any); ok {
			return s
		}
		return g.ref(reflect.TypeOf(v))
	}
	switch {
	case name == "total":
		return map[string]any{"type": "boolean", "default": true}
	case name == "format":
		return map[string]any{"type": "string", "enum": []any{"json", "csv"}, "default": "json"}
	case strings.HasSuffix(name, "_id"):
		return map[string]any{"type": "string", "maxLength": partnerkit.MaxIDLength}
	}
	return map[string]any{"type": "string"}
}

// operationDescription says what an operation does and which of the
// conventions apply to it.
func operationDescription(r Route, d op, ifMatch bool) string {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(d.summary, "."))
	b.WriteString(".")
	if r.Public {
		b.WriteString(" Needs no authentication.")
	}
	if d.list {
		b.WriteString(" A list: limit, offset and sort page it; the answer is {items, total} with Content-Range.")
	}
	if d.csv {
		b.WriteString(" Answers text/csv too (Accept: text/csv or ?format=csv): every page, streamed.")
	}
	if strings.HasSuffix(r.Path, "/document") {
		b.WriteString(" A file document is served as itself (PDF, plain text or Markdown); a url or none document as its JSON description.")
	}
	if r.Method == http.MethodPost {
		b.WriteString(" Send an Idempotency-Key to make a retry safe.")
	}
	if ifMatch {
		b.WriteString(" Honours If-Match with the resource's ETag, atomically with the change (412 when it does not hold).")
	}
	if d.status == http.StatusCreated {
		b.WriteString(" Location says where the new resource lives.")
	}
	return b.String()
}

func operationID(r Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Method))
	for _, part := range strings.FieldsFunc(r.Path, func(c rune) bool { return c == '/' || c == '-' || c == '_' || c == '.' }) {
		part = strings.Trim(part, "{}")
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// serveOpenAPI answers GET /api/v1/openapi.json.
func (a *API) serveOpenAPI(w http.ResponseWriter, _ *http.Request) error {
	doc, err := a.OpenAPI()
	if err != nil {
		return err
	}
	return ok(w, doc)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
