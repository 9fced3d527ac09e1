// Command partnerkit is Partnerkit's one binary. Compiled to WebAssembly it
// is the PWA running in the browser; compiled natively it is the server:
// the PWA, the JSON API and the health check on one database — a SQLite
// file by default, or PostgreSQL.
//
//	partnerkit -addr 127.0.0.1:8080 -db partnerkit.db
//
// Natively it also has the operator's commands (see `partnerkit help`):
// serve (the default), migrate up|status, backup FILE, create-admin and
// version; -tls-cert and -tls-key serve HTTPS.
//
// Flags default to the environment: PARTNERKIT_ADDR, PARTNERKIT_DB,
// PARTNERKIT_ADMIN_EMAIL and PARTNERKIT_ADMIN_PASSWORD. On an empty database
// it creates a provider account and its first admin, from those variables or
// with generated credentials that it prints once.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/ui"
)

func main() {
	ui.Register()
	app.RunWhenOnBrowser() // in the browser this runs the PWA and never returns
	serve()
}
