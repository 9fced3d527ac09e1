// Package client is a typed Go client of the Partnerkit JSON API, for Go
// programs and for the WebAssembly UI. It has its own wire types (decimals
// travel as strings; enumerations are the domains' rules types, such as
// partners/rules.AccountType) and takes its HTTP transport as a plug-in, so
// the WebAssembly build links neither net/http nor the domain packages, nor
// validator or decimal (.ci/check-deps): native programs use
// client/nethttp, the browser its fetch. TestWireTypes keeps every wire
// type's JSON fields equal to the server type it mirrors.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/partnerkit/partnerkit"
)

// Request is one HTTP request for a Transport.
type Request struct {
	_      noCompare
	Method string
	// URL is absolute: the client's base URL, "/api/v1" and the path.
	URL    string
	Header map[string]string
	Body   []byte
}

// Response is what a Transport got back. Header keys are lower case.
type Response struct {
	_      noCompare
	Status int
	Header map[string]string
	Body   []byte
}

// SignedInCookie is the name of the cookie the server sets beside the
// HttpOnly session cookie, readable by scripts, to tell the PWA that a
// session exists (it holds no secret, only "1").
const SignedInCookie = "partnerkit_signed_in"

// Transport sends requests. It keeps the session cookie between calls.
type Transport interface {
	Do(ctx context.Context, req *Request) (*Response, error)
}

// Client calls the API at a base URL.
//
// Every POST carries an Idempotency-Key, one per user action: the same
// call again (same path and body) before the first got an answer — a
// double submit, or a retry after the transport failed, when the server
// may have acted and its answer was lost — is the same action and sends
// the same key, so the server acts once (and answers the retry with its
// first response, or 409 while the first still runs); a call after an
// answer is a new action with a new key.
type Client struct {
	_         noCompare
	base      string
	transport Transport
	apiKey    string
	mu        sync.Mutex
	// unanswered maps each POST action (URL and body) still without an
	// answer to its Idempotency-Key.
	unanswered map[string]string
}

// maxUnanswered bounds the actions whose keys are kept for a retry.
const maxUnanswered = 32

// Option configures a Client.
type Option func(*Client)

// WithAPIKey authenticates every call with an API key instead of a session.
func WithAPIKey(key string) Option { return func(c *Client) { c.apiKey = key } }

// New returns a client of the API served at base ("https://partners.example.com";
// "" for the page's own origin in a browser).
func New(base string, t Transport, opts ...Option) *Client {
	c := &Client{base: strings.TrimSuffix(base, "/"), transport: t}
	for _, o := range opts {
		o(c)
	}
	return c
}

// ErrorBody is the API's error body.
type ErrorBody struct {
	_     noCompare
	Error struct {
		Code    partnerkit.Code   `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// call sends a JSON request and decodes a JSON answer into out (when not
// nil). An error status becomes a *partnerkit.Error with the body's code,
// message and fields.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, in, out any) error {
	req := &Request{Method: method, URL: c.base + "/api/v1" + path, Header: map[string]string{"Accept": "application/json"}}
	if len(query) > 0 {
		req.URL += "?" + query.Encode()
	}
	if in != nil {
		body, err := json.Marshal(in)
		if err != nil {
			return &partnerkit.Error{Code: partnerkit.CodeInvalid, Message: "cannot encode the request", Err: err}
		}
		req.Body = body
		req.Header["Content-Type"] = "application/json"
	}
	if c.apiKey != "" {
		req.Header["Authorization"] = "Bearer " + c.apiKey
	}
	var action string
	if method == "POST" {
		action = req.URL + "\x00" + string(req.Body)
		c.mu.Lock()
		key := c.unanswered[action]
		if key == "" {
			if len(c.unanswered) >= maxUnanswered || c.unanswered == nil {
				c.unanswered = map[string]string{} // forget old failures rather than grow
			}
			key = rand.Text()
			c.unanswered[action] = key
		}
		c.mu.Unlock()
		req.Header["Idempotency-Key"] = key
	}
	res, err := c.transport.Do(ctx, req)
	if err != nil {
		return &partnerkit.Error{Code: CodeUnreachable, Message: unreachableMessage, Op: method + " " + path, Err: err}
	}
	if action != "" { // answered: the action is over, the next call is a new one
		c.mu.Lock()
		delete(c.unanswered, action)
		c.mu.Unlock()
	}
	if res.Status >= 400 {
		return responseError(res)
	}
	if out == nil || len(bytes.TrimSpace(res.Body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(res.Body, out); err != nil {
		return &partnerkit.Error{Code: partnerkit.CodeInternal, Message: "unexpected response", Op: method + " " + path, Err: err}
	}
	return nil
}

// responseError rebuilds the error of a failed response.
func responseError(res *Response) error {
	var eb ErrorBody
	if json.Unmarshal(res.Body, &eb) == nil && eb.Error.Code != "" {
		return &partnerkit.Error{Code: eb.Error.Code, Message: eb.Error.Message, Fields: eb.Error.Fields}
	}
	return &partnerkit.Error{Code: partnerkit.CodeForStatus(res.Status), Message: "HTTP " + strconv.Itoa(res.Status)}
}

// raw sends a request and returns the raw answer (CSV exports, documents).
func (c *Client) raw(ctx context.Context, path string, query url.Values) (*Response, error) {
	req := &Request{Method: "GET", URL: c.base + "/api/v1" + path, Header: map[string]string{}}
	if len(query) > 0 {
		req.URL += "?" + query.Encode()
	}
	if c.apiKey != "" {
		req.Header["Authorization"] = "Bearer " + c.apiKey
	}
	res, err := c.transport.Do(ctx, req)
	if err != nil {
		return nil, &partnerkit.Error{Code: CodeUnreachable, Message: unreachableMessage, Err: err}
	}
	if res.Status >= 400 {
		return nil, responseError(res)
	}
	return res, nil
}

// CodeUnreachable is the code of an error the client makes itself when its
// transport fails — no network, the server down — so that a caller tells
// "offline" from an error the server answered (which carries the server's
// code: a real fault is internal). The server never sends it.
const CodeUnreachable partnerkit.Code = "unreachable"

const unreachableMessage = "the server could not be reached"

// Unreachable reports whether err means the request never got an answer.
func Unreachable(err error) bool { return partnerkit.ErrorCode(err) == CodeUnreachable }

// Page selects a window of a list.
type Page struct {
	_             noCompare
	Limit, Offset int
	// Sort is the order: a field of the list, "-" first for descending
	// ("name", "-created_at"); empty means the list's default.
	Sort string
}

// wholePage is the page a method of a small list asks for when its caller
// gives none: the first (and, for such lists, usually only) 500 items.
func wholePage(p []Page) Page {
	if len(p) > 0 {
		return p[0]
	}
	return Page{Limit: 500}
}

func (p Page) query(q url.Values) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Offset > 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	if p.Sort != "" {
		q.Set("sort", p.Sort)
	}
	return q
}

// List is one page of a list and the total.
type List[T any] struct {
	Items []T `json:"items"`
	// Total counts all matching items; -1 when the request asked not to
	// count (total=false), and then HasMore says whether more follow.
	Total int `json:"total"`
	// HasMore, when Total is not counted, says whether items follow.
	HasMore bool `json:"has_more,omitempty"`
}
