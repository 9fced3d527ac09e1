//go:build !js

// Command partnerkit runs the Partnerkit server: the JSON API and health
// check on one database — a SQLite file by default, or PostgreSQL.
//
//	partnerkit -addr 127.0.0.1:8080 -db partnerkit.db
//
// Flags default to the environment: PARTNERKIT_ADDR, PARTNERKIT_DB,
// PARTNERKIT_ADMIN_EMAIL and PARTNERKIT_ADMIN_PASSWORD. On an empty database
// it creates a provider account and its first admin, from those variables or
// with generated credentials that it prints once.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "partnerkit:", err)
		os.Exit(1)
	}
}
