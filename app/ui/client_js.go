//go:build js && wasm

package ui

import (
	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/app/client/fetch"
)

// api is the API client of the browser: same origin, the browser's fetch.
var api = client.New("", fetch.New())
