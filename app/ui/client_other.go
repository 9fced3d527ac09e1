//go:build !(js && wasm)

package ui

import "github.com/partnerkit/partnerkit/app/client"

// api is nil outside the browser: the server prerenders pages (running
// their OnMount and OnNav) without data, and every loader returns early.
var api *client.Client

// servedCopies is the browser's flag of offline copies (client_js.go).
const servedCopies = false

// forgetCopies drops the browser's offline copies; there are none here.
func forgetCopies() {}
