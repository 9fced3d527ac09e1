//go:build !js

package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/ui"
)

// PWA returns the handler of the progressive web app: go-app's pages,
// manifest and service worker, with the static files of web (app.css,
// icons, app.wasm and its .gz and .br) served from the file system web.
// app.wasm is addressed by its content hash, so it and every static file
// are cached for a year; a new build is a new address.
func PWA(web fs.FS) http.Handler {
	wasm, _ := fs.ReadFile(web, "app.wasm")
	sum := sha256.Sum256(wasm)
	version := hex.EncodeToString(sum[:6])
	res := &staticResources{fs: web, version: version}
	h := &app.Handler{
		Name:            "Partnerkit",
		ShortName:       "Partnerkit",
		Title:           "Partnerkit",
		Description:     "Partner management: partners, agreements, contracts and capacity.",
		Lang:            "en",
		BackgroundColor: "#f5f7fa",
		ThemeColor:      "#1f4e8c",
		LoadingLabel:    "Loading Partnerkit… {progress}%",
		Icon: app.Icon{
			Default:  "/web/" + version + "/icon-192.png",
			Large:    "/web/" + version + "/icon-512.png",
			Maskable: "/web/" + version + "/icon-maskable-512.png",
			SVG:      "/web/" + version + "/icon.svg",
		},
		Styles:                []string{"/web/" + version + "/app.css"},
		Resources:             res,
		Version:               version,
		WasmContentLength:     strconv.Itoa(len(wasm)),
		ServiceWorkerTemplate: appWorkerJS,
		// app.wasm starts downloading before app.js has run (measured on
		// slow 4G: the first row about 0.8 s sooner), at low priority so
		// that the styles the shell's first paint waits for come first; it
		// is the same request as go-app's fetch (same origin, CORS mode), so
		// the fetch takes the preloaded response.
		RawHeaders: []string{`<link rel="preload" href="/web/` + version + `/app.wasm" as="fetch" type="application/wasm" crossorigin="anonymous" fetchpriority="low">`},
	}
	return compressText(notFoundStatus(h))
}

// appWorkerJS is go-app's service worker, which answers from its cache
// only what it precached, with one change: a page it cannot fetch (no
// network: the installed app opened on a deep link, /partners/PA-… or
// /capacity) gets the app's page shell, cached as "/", and the app then
// renders the page of the address.
var appWorkerJS = func() string {
	const from = `async function fetchWithCache(request) {
  const cachedResponse = await caches.match(request);
  if (cachedResponse) {
    return cachedResponse;
  }
  return await fetch(request);
}`
	const to = `async function fetchWithCache(request) {
  const cachedResponse = await caches.match(request);
  if (cachedResponse) {
    return cachedResponse;
  }
  if (request.mode !== "navigate") {
    return await fetch(request);
  }
  try {
    return await fetch(request);
  } catch (err) {
    const shell = await caches.match("/");
    if (shell) {
      return shell;
    }
    throw err;
  }
}`
	if !strings.Contains(app.DefaultAppWorkerJS, from) {
		panic("server: go-app's service worker changed: update appWorkerJS")
	}
	return strings.Replace(app.DefaultAppWorkerJS, from, to, 1)
}()

// notFoundStatus answers with status 404 a page the app renders as its
// own 404 page (for an address none of its routes has): go-app serves
// every page it renders with 200.
func notFoundStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || strings.HasPrefix(r.URL.Path, "/web/") || path.Ext(r.URL.Path) != "" { // a file, not a page
			next.ServeHTTP(w, r)
			return
		}
		rec := &pageRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		page := falseBoolean.ReplaceAll(rec.body.Bytes(), nil)
		if len(page) != rec.body.Len() {
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		}
		status := rec.status
		if status == http.StatusOK && bytes.Contains(page, []byte(`id="`+ui.NotFoundMarker+`"`)) {
			status = http.StatusNotFound
			w.Header().Del("ETag")
		}
		w.WriteHeader(status)
		_, _ = w.Write(page)
	})
}

// falseBoolean is a boolean attribute that go-app's server-side rendering
// writes as `selected="false"`: in the browser go-app sets the property
// false, but in the page the server renders an HTML boolean attribute is
// true whatever its value, so each option of a select was selected (the
// select showed its last option) and a button Disabled(false) disabled,
// until app.wasm ran. notFoundStatus drops them from the page.
var falseBoolean = regexp.MustCompile(` (?:async|autofocus|autoplay|checked|default|defer|disabled|hidden|ismap|loop|multiple|muted|open|readonly|required|reversed|selected)="false"`)

// pageRecorder keeps a page's status and body for notFoundStatus.
type pageRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (p *pageRecorder) WriteHeader(status int)      { p.status = status }
func (p *pageRecorder) Write(b []byte) (int, error) { return p.body.Write(b) }

// staticResources resolves go-app's /web/ paths to content-addressed URLs
// and serves them from fs, app.wasm precompressed when the browser allows.
type staticResources struct {
	fs      fs.FS
	version string
}

// Resolve implements app.ResourceResolver.
func (s *staticResources) Resolve(location string) string {
	if rest, ok := strings.CutPrefix(location, "/web/"); ok && !strings.HasPrefix(rest, s.version+"/") {
		return "/web/" + s.version + "/" + rest
	}
	return location
}

// ServeHTTP serves /web/<version>/<file>.
func (s *staticResources) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/web/")
	versioned := strings.HasPrefix(name, s.version+"/")
	name = strings.TrimPrefix(name, s.version+"/")
	if name == "" || strings.Contains(name, "..") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Vary", "Accept-Encoding")
	if versioned {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if name == "app.wasm" {
		ctype = "application/wasm"
	}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	accept := r.Header.Get("Accept-Encoding")
	for _, enc := range []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
		if name != "app.wasm" || !strings.Contains(accept, enc.token) {
			continue
		}
		if data, err := fs.ReadFile(s.fs, name+enc.ext); err == nil {
			h.Set("Content-Encoding", enc.token)
			h.Set("Content-Length", strconv.Itoa(len(data)))
			_, _ = w.Write(data)
			return
		}
	}
	data, err := fs.ReadFile(s.fs, name)
	if err != nil {
		h.Del("Cache-Control")
		http.NotFound(w, r)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
