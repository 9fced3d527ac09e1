//go:build !js

package server

import (
	"net/http"
	"strings"
)

// ContentSecurityPolicy is the policy of the PWA's pages: everything from
// the server's own origin, WebAssembly compilation allowed (go-app needs
// 'wasm-unsafe-eval'), nothing else unsafe — no inline scripts or styles,
// no plugins — and no framing by any site.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// apiSecurityPolicy is the policy of API responses: they are data, never
// pages, so nothing may load from them and nothing may frame them.
const apiSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox"

// SecurityHeaders sets the browser security headers on every response of
// next: a Content-Security-Policy (the PWA's, or a deny-all one for the
// API), X-Frame-Options DENY, X-Content-Type-Options nosniff, a
// Referrer-Policy that never sends a URL elsewhere (links carry invitation
// tokens), and, when https reports the request came over TLS,
// Strict-Transport-Security for a year.
func SecurityHeaders(next http.Handler, https func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Content-Security-Policy", apiSecurityPolicy)
		} else {
			h.Set("Content-Security-Policy", ContentSecurityPolicy)
		}
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if https != nil && https(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}
