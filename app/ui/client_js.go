//go:build js && wasm

package ui

import (
	"context"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/app/client/fetch"
)

// api is the API client of the browser: same origin, the browser's fetch.
var api = client.New("", signedInOnly{next: fetch.New()})

// signedInOnly answers a call that needs a session with 401 at once, in
// the browser, when the server's signed-in hint cookie is absent: an
// anonymous visitor's pages go to the sign-in page without a failed
// request in the console.
type signedInOnly struct{ next client.Transport }

// Do implements client.Transport.
func (t signedInOnly) Do(ctx context.Context, req *client.Request) (*client.Response, error) {
	if !publicCall(req) && !signedIn() {
		return &client.Response{Status: 401, Header: map[string]string{"content-type": "application/json"},
			Body: []byte(`{"error":{"code":"unauthorized","message":"sign in first"}}`)}, nil
	}
	return t.next.Do(ctx, req)
}

// publicCall reports whether a request needs no session.
func publicCall(req *client.Request) bool {
	path := req.URL
	if i := strings.Index(path, "/api/v1/"); i >= 0 {
		path = path[i+len("/api/v1"):]
	}
	path, _, _ = strings.Cut(path, "?")
	return path == "/session" || path == "/session/two-factor" || path == "/openapi.json" || strings.HasPrefix(path, "/password-reset") ||
		strings.HasPrefix(path, "/invitations/") || strings.HasPrefix(path, "/team-invitations/")
}

// signedIn reports whether the server's signed-in hint cookie is set.
func signedIn() bool {
	return strings.Contains(app.Window().Get("document").Get("cookie").String(), client.SignedInCookie+"=1")
}
