//go:build !js

package server

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
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
		LoadingLabel:    "Loading Partnerkit…",
		Icon: app.Icon{
			Default:  "/web/" + version + "/icon-192.png",
			Large:    "/web/" + version + "/icon-512.png",
			Maskable: "/web/" + version + "/icon-maskable-512.png",
			SVG:      "/web/" + version + "/icon.svg",
		},
		Styles:            []string{"/web/" + version + "/app.css"},
		Resources:         res,
		Version:           version,
		WasmContentLength: strconv.Itoa(len(wasm)),
	}
	return h
}

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
