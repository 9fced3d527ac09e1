//go:build !js

package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/uptrace/bun"
)

// staticFiles returns the PWA's static files (the embedded web/; tests
// replace it).
var staticFiles = webFS

// buildPWA is the command that builds the PWA into web/ before the
// server is built (make build runs both).
const buildPWA = "make build (or: GOOS=js GOARCH=wasm go build -o app/cmd/partnerkit/web/app.wasm ./app/cmd/partnerkit, then go build ./app/cmd/partnerkit)"

// siteHandler is the server's handler: the API, the health check and the
// PWA — or, when the binary was built without app.wasm (`go install` from
// a clean clone), a page at every PWA path saying how to build it, and a
// warning in the log at start.
func siteHandler(services api.Config, db *bun.DB, web fs.FS, logger *slog.Logger) http.Handler {
	if _, err := fs.Stat(web, "app.wasm"); err == nil {
		return server.Handler(services, db, web)
	}
	logger.Warn("the PWA was not built: this binary has no app.wasm, so / shows how to build it; the API works",
		"build", buildPWA)
	backend := server.Handler(services, db, nil)
	page := server.SecurityHeaders(http.HandlerFunc(notBuiltPage), func(r *http.Request) bool { return r.TLS != nil })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/healthz" {
			backend.ServeHTTP(w, r)
			return
		}
		page.ServeHTTP(w, r)
	})
}

// notBuiltPage says that the PWA was not built and how to build it
// (503: this server cannot serve the app until it is rebuilt).
func notBuiltPage(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" && r.URL.Path != "/index.html" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Partnerkit: the PWA was not built</title></head>
<body>
<h1>The Partnerkit PWA was not built</h1>
<p>This server was built without the web app's WebAssembly (app.wasm), for example with
<code>go install</code> from a clean clone, so it cannot serve the app. The JSON API under
<code>/api/</code> and <code>/healthz</code> work.</p>
<p>Build the PWA and then the server, in a clone of the repository:</p>
<pre>make build</pre>
<p>or without make:</p>
<pre>GOOS=js GOARCH=wasm go build -o app/cmd/partnerkit/web/app.wasm ./app/cmd/partnerkit
go build -o bin/partnerkit ./app/cmd/partnerkit</pre>
<p>Version: %s</p>
</body>
</html>
`, html.EscapeString(version))
}

// tlsConfig loads the certificate and key of -tls-cert and -tls-key; nil
// when neither is set (plain HTTP, for a TLS-terminating proxy in front).
func tlsConfig(certFile, keyFile string) (*tls.Config, error) {
	switch {
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "" || keyFile == "":
		return nil, errors.New("tls: give both -tls-cert and -tls-key (PARTNERKIT_TLS_CERT, PARTNERKIT_TLS_KEY), or neither")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: load %s and %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
