package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Every request the API tests send to a test server (newServer) is checked
// against the served OpenAPI document (validating, the test server's
// transport): each answer must be one the document declares
// for its operation (status, headers, media type, body), and each request
// that succeeded must be one the document allows — so the document is
// neither looser nor stricter than the server.

// contract is a document and its router, built once per document.
type contract struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// contractHost is the server URL the contracts route requests on, whatever
// test server sent them.
const contractHost = "partnerkit.test"

var (
	contractCache sync.Map // sha256 of the document → *contract
	serverDocs    sync.Map // *server → *contract
)

// contractOf returns the loaded document of s.
func (s *server) contractOf() (*contract, error) {
	if c, ok := serverDocs.Load(s); ok {
		return c.(*contract), c.(*contract).err
	}
	raw, err := s.api.OpenAPI()
	if err != nil {
		return nil, err
	}
	data, _ := json.Marshal(raw)
	v, _ := contractCache.LoadOrStore(sha256.Sum256(data), &contract{})
	c := v.(*contract)
	c.once.Do(func() {
		c.doc, c.err = openapi3.NewLoader().LoadFromData(data)
		if c.err != nil {
			return
		}
		c.doc.Servers = openapi3.Servers{{URL: "http://" + contractHost}}
		c.router, c.err = legacy.NewRouter(c.doc)
	})
	serverDocs.Store(s, c)
	return c, c.err
}

// validating wraps the test server's handler: every request it serves and
// every answer it gives are checked against the document (checkContract),
// whichever client of the test sent them.
func (s *server) validating(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqBody, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		tee := &teeWriter{ResponseWriter: w}
		h.ServeHTTP(tee, r)
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			return
		}
		req := r.Clone(context.Background())
		req.URL.Scheme, req.URL.Host = "http", r.Host
		status := tee.status
		if status == 0 {
			status = http.StatusOK
		}
		res := &http.Response{StatusCode: status, Header: w.Header()}
		s.checkContract(s.t, req, reqBody, res, tee.body.Bytes())
	})
}

// teeWriter keeps a copy of what a handler writes.
type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (t *teeWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	t.body.Write(b)
	return t.ResponseWriter.Write(b)
}

func (t *teeWriter) Flush() {
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// checkContract validates a request and its answer against the document.
func (s *server) checkContract(t testing.TB, req *http.Request, reqBody []byte, res *http.Response, body []byte) {
	t.Helper()
	c, err := s.contractOf()
	if err != nil {
		t.Fatalf("the OpenAPI document does not load: %v", err)
	}
	if err := validateExchange(c, req, reqBody, res, body); err != nil {
		t.Errorf("%s %s → %d breaks the OpenAPI document:\n%v\nbody: %.600s", req.Method, req.URL.RequestURI(), res.StatusCode, err, body)
	}
}

// validateExchange checks one request and answer against c's document.
func validateExchange(c *contract, req *http.Request, reqBody []byte, res *http.Response, body []byte) error {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = "http", contractHost, contractHost
	route, pathParams, err := c.router.FindRoute(req)
	switch {
	case res.StatusCode == http.StatusMethodNotAllowed && res.Header.Get("Allow") != "":
		if slices.Contains(strings.Split(res.Header.Get("Allow"), ", "), req.Method) {
			return headerError("405 for a method Allow lists")
		}
		return nil // a method the path does not serve: see TestMethodNotAllowed
	case err != nil && res.StatusCode == http.StatusNotFound:
		return nil // no such operation: answered as one
	case err != nil:
		return err
	}
	ctx := context.Background()
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route, Options: opts}
	if res.StatusCode < 300 {
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			return requestError{err}
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode,
		Header: res.Header, Body: io.NopCloser(bytes.NewReader(body)), Options: opts}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return err
	}
	return checkHeaders(route, res)
}

type requestError struct{ err error }

func (e requestError) Error() string { return "the request, which succeeded: " + e.err.Error() }

// checkHeaders checks what openapi3filter does not: that every header the
// document declares for the answer is there when the answer is a success,
// and that each present one matches its schema.
func checkHeaders(route *routers.Route, res *http.Response) error {
	ref := route.Operation.Responses.Status(res.StatusCode)
	if ref == nil || ref.Value == nil {
		return nil
	}
	var problems []string
	for name, h := range ref.Value.Headers {
		v := res.Header.Get(name)
		if v == "" {
			if res.StatusCode < 300 && mustHave(name, res) {
				problems = append(problems, "no "+name+" header")
			}
			continue
		}
		schema := h.Value.Schema.Value
		var value any = v
		if schema.Type.Is("integer") {
			var n json.Number
			if json.Unmarshal([]byte(v), &n) != nil {
				problems = append(problems, name+": "+v+" is not an integer")
				continue
			}
			value, _ = n.Float64()
		}
		if err := schema.VisitJSON(value); err != nil {
			problems = append(problems, name+": "+err.Error())
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return headerError(strings.Join(problems, "; "))
}

// mustHave says which declared headers every success carries.
func mustHave(name string, res *http.Response) bool {
	switch name {
	case "Idempotent-Replayed", "Content-Disposition":
		return false // only on replays, only on files
	case "Content-Range":
		return !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv")
	}
	return true
}

type headerError string

func (e headerError) Error() string { return string(e) }
