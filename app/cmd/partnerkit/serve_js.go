//go:build js

package main

// serve is never reached in the browser: app.RunWhenOnBrowser runs the PWA
// and does not return. The server lives in server.go, built natively only.
func serve() {}
