//go:build !(js && wasm)

package ui

import "github.com/partnerkit/partnerkit/app/client"

// api is nil outside the browser: pages prerendered on the server call no
// API (go-app runs OnMount and OnNav in the browser only).
var api *client.Client
