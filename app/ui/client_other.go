//go:build !(js && wasm)

package ui

import "github.com/partnerkit/partnerkit/app/client"

// api is nil outside the browser: the server prerenders pages (running
// their OnMount and OnNav) without data, and every loader returns early.
var api *client.Client
