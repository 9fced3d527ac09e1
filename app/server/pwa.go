//go:build !js

package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"html"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
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
	return compressText(pages(h, inlineStyles(h, web, version)))
}

// styles is the page's stylesheets inlined: go-app's /app.css and the
// app's own, as one <style> in the head instead of two requests the first
// paint waits for (on slow 4G each costs a round trip of more than half a
// second), with the Content-Security-Policy that allows exactly it (its
// hash).
type styles struct {
	hrefs  [2]string // the stylesheets' addresses
	inline []byte
	policy string
}

// stylesheetLink is a stylesheet link of a page's head, its attributes
// in any order (go-app writes them in map order).
var stylesheetLink = regexp.MustCompile(`<link [^>]*rel="stylesheet"[^>]*>\s*`)

// replaceLinks puts the inline style in place of the first of st's
// stylesheet links and drops the other.
func (st *styles) replaceLinks(page []byte) []byte {
	first := true
	return stylesheetLink.ReplaceAllFunc(page, func(link []byte) []byte {
		if !bytes.Contains(link, []byte(`href="`+st.hrefs[0]+`"`)) && !bytes.Contains(link, []byte(`href="`+st.hrefs[1]+`"`)) {
			return link
		}
		if first {
			first = false
			return st.inline
		}
		return nil
	})
}

// inlineStyles reads go-app's stylesheet from h and the app's from web.
func inlineStyles(h http.Handler, web fs.FS, version string) *styles {
	rec := &pageRecorder{ResponseWriter: discardHeaders{}, status: http.StatusOK}
	req, _ := http.NewRequest(http.MethodGet, "/app.css", nil)
	h.ServeHTTP(rec, req)
	own, _ := fs.ReadFile(web, "app.css")
	css := rec.body.String() + "\n" + string(own)
	sum := sha256.Sum256([]byte(css))
	return &styles{
		hrefs:  [2]string{"/app.css", "/web/" + version + "/app.css"},
		inline: []byte("<style>" + css + "</style>\n    "),
		policy: strings.Replace(ContentSecurityPolicy, "style-src 'self'",
			"style-src 'self' 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'", 1),
	}
}

// discardHeaders is a ResponseWriter's header map for inlineStyles.
type discardHeaders struct{ http.ResponseWriter }

func (discardHeaders) Header() http.Header { return http.Header{} }

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

// pages finishes the pages go-app renders: their stylesheets inline (st),
// for a signed-in session the API reads the page makes first preloaded
// with it (ui.FirstReads: they travel while app.wasm loads), and status
// 404 for a page the app renders as its own 404 page (for an address none
// of its routes has): go-app serves every page it renders with 200.
func pages(next http.Handler, st *styles) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || strings.HasPrefix(r.URL.Path, "/web/") || path.Ext(r.URL.Path) != "" { // a file, not a page
			next.ServeHTTP(w, r)
			return
		}
		// Every page answer carries the policy of the inline style, a 304
		// too: its headers replace those of the page the browser cached.
		w.Header().Set("Content-Security-Policy", st.policy)
		rec := &pageRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		page := falseBoolean.ReplaceAll(rec.body.Bytes(), nil)
		if rec.status == http.StatusOK && bytes.Contains(page, []byte("</head>")) {
			page = st.replaceLinks(page)
			if c, err := r.Cookie(client.SignedInCookie); err == nil && c.Value == "1" {
				var links strings.Builder
				for _, u := range ui.FirstReads(r.URL.Path, r.URL.RawQuery) {
					links.WriteString(`<link rel="preload" href="` + html.EscapeString(u) + `" as="fetch" crossorigin="anonymous">` + "\n    ")
				}
				page = bytes.Replace(page, []byte("</head>"), []byte(links.String()+"</head>"), 1)
				w.Header().Del("ETag") // the page depends on the session
				w.Header().Set("Cache-Control", "no-cache")
			}
		}
		if rec.status != http.StatusNotModified {
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
// until app.wasm ran. pages drops them from the page.
var falseBoolean = regexp.MustCompile(` (?:async|autofocus|autoplay|checked|default|defer|disabled|hidden|ismap|loop|multiple|muted|open|readonly|required|reversed|selected)="false"`)

// pageRecorder keeps a page's status and body for pages.
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
