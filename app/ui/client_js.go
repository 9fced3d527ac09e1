//go:build js && wasm

package ui

import (
	"context"
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/app/client/fetch"
)

// api is the API client of the browser: same origin, the browser's fetch,
// with an offline copy of every read.
var api = client.New("", signedInOnly{next: offlineCopies{next: fetch.New()}})

// offlineCopies keeps the answer of each read of the signed-in session
// (a GET answered 200) in local storage, by URL, and answers a read that
// cannot reach the server with its last copy: every screen the user has
// visited shows its last data offline, filtered directory pages by their
// query. A read never made offline stays unreachable, and so does every
// write: the page says it is offline. The copies go at sign-in and
// sign-out (forgetCopies); the most recent maxCopies are kept.
type offlineCopies struct{ next client.Transport }

// maxCopies bounds the offline copies, maxCopyBytes each one.
const (
	maxCopies    = 80
	maxCopyBytes = 512 << 10
)

// copyPrefix starts the local storage key of a copy; copyIndex lists the
// copies' URLs, the oldest first.
const (
	copyPrefix = "pk-copy "
	copyIndex  = "pk-copies"
)

// Do implements client.Transport.
func (t offlineCopies) Do(ctx context.Context, req *client.Request) (*client.Response, error) {
	res, err := t.next.Do(ctx, req)
	if req.Method != "GET" || publicCall(req) {
		return res, err
	}
	switch {
	case err == nil:
		servedCopies = false // the server answers again
		if res.Status == 200 && len(res.Body) <= maxCopyBytes {
			keepCopy(req.URL, string(res.Body))
		}
	case err != nil:
		if body, ok := storageItem(copyPrefix + req.URL); ok {
			servedCopies = true
			return &client.Response{Status: 200, Header: map[string]string{"content-type": "application/json"}, Body: []byte(body)}, nil
		}
	}
	return res, err
}

// servedCopies is set once a read was answered from its copy: the offline
// banner says the data is as last loaded.
var servedCopies bool

// keepCopy stores body as the copy of url and drops the oldest copies
// beyond maxCopies.
func keepCopy(url, body string) {
	index, _ := storageItem(copyIndex)
	urls := strings.Split(index, "\n")
	urls = slices.DeleteFunc(urls, func(u string) bool { return u == url || u == "" })
	urls = append(urls, url)
	for len(urls) > maxCopies {
		storage("removeItem", copyPrefix+urls[0])
		urls = urls[1:]
	}
	if !storage("setItem", copyPrefix+url, body) {
		return // full: the copy is not kept
	}
	storage("setItem", copyIndex, strings.Join(urls, "\n"))
}

// forgetCopies drops every offline copy (another user may sign in next).
func forgetCopies() {
	index, _ := storageItem(copyIndex)
	for _, u := range strings.Split(index, "\n") {
		if u != "" {
			storage("removeItem", copyPrefix+u)
		}
	}
	storage("removeItem", copyIndex)
	servedCopies = false
}

// storageItem reads a local storage item.
func storageItem(key string) (s string, ok bool) {
	defer func() {
		if recover() != nil { // storage disabled
			s, ok = "", false
		}
	}()
	v := app.Window().Get("localStorage").Call("getItem", key)
	if v.IsNull() || v.IsUndefined() {
		return "", false
	}
	return v.String(), true
}

// storage calls a method of local storage and reports whether it did not
// throw (a full or disabled storage throws).
func storage(method string, args ...any) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	app.Window().Get("localStorage").Call(method, args...)
	return true
}

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
