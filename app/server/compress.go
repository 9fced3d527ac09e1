//go:build !js

package server

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// compressText gzips what next answers with 200 to a GET of a page or of a
// text file (go-app's app.js, wasm_exec.js, app.css, service worker and
// manifest, our app.css and icon.svg) for a browser that accepts gzip: on
// a slow network the shell paints once its render-blocking styles are in,
// and the scripts share the same bandwidth. app.wasm has precompressed
// copies (staticResources) and PNG icons are compressed already; both pass
// through untouched, unbuffered.
func compressText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") || !textPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		rec := &bufferedResponse{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		h := w.Header()
		body := rec.body.Bytes()
		if rec.status == http.StatusOK && len(body) >= 512 && h.Get("Content-Encoding") == "" {
			var gz bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
			_, _ = zw.Write(body)
			_ = zw.Close()
			body = gz.Bytes()
			h.Set("Content-Encoding", "gzip")
			if !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
				h.Add("Vary", "Accept-Encoding")
			}
			h.Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
	})
}

// textPath reports whether a path is a page (no extension) or a text file.
func textPath(p string) bool {
	switch path.Ext(p) {
	case "", ".js", ".css", ".webmanifest", ".svg", ".json", ".html", ".txt":
		return true
	}
	return false
}

// bufferedResponse keeps a response's status and body for compressText;
// its headers go to the real response.
type bufferedResponse struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
