package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

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
