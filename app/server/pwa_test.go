package server_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/app/ui"
)

var registerRoutes = sync.OnceFunc(ui.Register)

// falseAttr is an attribute written "false", other than aria-* (whose
// "false" is a value) and draggable, spellcheck and contenteditable (which
// are enumerated, not boolean).
var falseAttr = regexp.MustCompile(` ([a-z]+)="false"`)

// pwaGet asks the PWA handler for a path, accepting gzip and brotli.
func pwaGet(t *testing.T, h http.Handler, path string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	if n := res.Header.Get("Content-Length"); n != "" && n != strconv.Itoa(len(body)) {
		t.Errorf("%s: Content-Length %s for %d bytes", path, n, len(body))
	}
	return res, body
}

// TestPWAShell: the page the server renders (the shell shown while
// app.wasm loads) is gzipped, preloads app.wasm, shows the download's
// progress, and has no boolean attribute written "false" (which HTML reads
// as true: every option selected, buttons disabled); app.wasm passes
// through, precompressed.
func TestPWAShell(t *testing.T) {
	registerRoutes()
	wasm := bytes.Repeat([]byte("wasm"), 1000)
	h := server.PWA(fstest.MapFS{
		"app.wasm":    {Data: wasm},
		"app.wasm.br": {Data: []byte("brotli")},
		"app.css":     {Data: bytes.Repeat([]byte("body { margin: 0 }\n"), 100)},
	})
	for _, path := range []string{"/", "/signin"} {
		res, body := pwaGet(t, h, path)
		if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("%s: Content-Encoding %q, Vary %q", path, res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		page, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`rel="preload"`, `/app.wasm"`, `as="fetch"`, "Loading Partnerkit… 0%"} {
			if !bytes.Contains(page, []byte(want)) {
				t.Errorf("%s: the page has no %s", path, want)
			}
		}
		for _, m := range falseAttr.FindAllSubmatch(page, -1) {
			switch string(m[1]) {
			case "spellcheck", "draggable", "contenteditable", "translate", "autocorrect":
			default:
				t.Errorf("%s: a boolean attribute written false: %s", path, m[0])
			}
		}
	}
	if _, body := pwaGet(t, h, "/no/such/page"); len(body) == 0 {
		t.Error("the 404 page is empty")
	}
	for _, path := range []string{"/app.js", "/wasm_exec.js"} {
		if res, _ := pwaGet(t, h, path); res.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s is not gzipped", path)
		}
	}
	res, body := pwaGet(t, h, "/web/app.wasm")
	if res.Header.Get("Content-Encoding") != "br" || string(body) != "brotli" {
		t.Errorf("app.wasm: Content-Encoding %q, %d bytes", res.Header.Get("Content-Encoding"), len(body))
	}
}

// TestPWAPageHead: a page's stylesheets are inline (go-app's and the
// app's, one <style> and no stylesheet link), and its
// Content-Security-Policy allows that style by its hash and nothing else
// inline; a signed-in session's page preloads the API reads the app makes
// first (ui.FirstReads, the directory's first page on "/"), as the app's
// fetch asks for them, and an anonymous visitor's preloads none.
func TestPWAPageHead(t *testing.T) {
	registerRoutes()
	h := server.PWA(fstest.MapFS{
		"app.wasm": {Data: []byte("wasm")},
		"app.css":  {Data: []byte(".own-style { margin: 0 }\n")},
	})
	for _, tc := range []struct {
		path, cookie string
		preloads     []string
	}{
		{"/", "", nil},
		{"/", client.SignedInCookie + "=1", []string{client.MePath, "/api/v1/partners?limit=25"}},
		{"/?q=acme", client.SignedInCookie + "=1", []string{client.MePath}},
		{"/capacity", client.SignedInCookie + "=1", []string{client.MePath}},
	} {
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		if tc.cookie != "" {
			req.Header.Set("Cookie", tc.cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		page := rec.Body.String()
		style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(page)
		if style == nil || !strings.Contains(style[1], ".own-style") || !strings.Contains(style[1], "goapp-app-info") {
			t.Fatalf("%s: no inline style with go-app's and the app's rules:\n%s", tc.path, page)
		}
		if strings.Contains(page, `rel="stylesheet"`) {
			t.Errorf("%s: a stylesheet link remains", tc.path)
		}
		sum := sha256.Sum256([]byte(style[1]))
		csp := rec.Header().Get("Content-Security-Policy")
		if want := "style-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "';"; !strings.Contains(csp, want) {
			t.Errorf("%s: policy %q lacks %q", tc.path, csp, want)
		}
		var got []string
		for _, m := range regexp.MustCompile(`<link rel="preload" href="(/api/[^"]+)" as="fetch" crossorigin="anonymous">`).FindAllStringSubmatch(page, -1) {
			got = append(got, html.UnescapeString(m[1]))
		}
		if !slices.Equal(got, tc.preloads) {
			t.Errorf("%s with cookie %q: preloads %v, want %v", tc.path, tc.cookie, got, tc.preloads)
		}
	}
	// A revalidation answered 304 carries the same policy: its headers
	// replace the cached page's.
	req := httptest.NewRequest(http.MethodGet, "/signin", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	req = httptest.NewRequest(http.MethodGet, "/signin", nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec304 := httptest.NewRecorder()
	h.ServeHTTP(rec304, req)
	if rec.Header().Get("ETag") == "" || rec304.Code != http.StatusNotModified {
		t.Errorf("revalidation of /signin: ETag %q, status %d, want 304", rec.Header().Get("ETag"), rec304.Code)
	}
	if got, want := rec304.Header().Get("Content-Security-Policy"), rec.Header().Get("Content-Security-Policy"); got != want || !strings.Contains(got, "'sha256-") {
		t.Errorf("the 304's policy %q, the page's %q", got, want)
	}
	if want := client.PartnersPath(client.DirectoryQuery{Page: client.Page{Limit: 25}}); want != "/api/v1/partners?limit=25" {
		t.Errorf("PartnersPath = %q", want)
	}
}
