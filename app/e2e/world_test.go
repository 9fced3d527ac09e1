package e2e_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/uptrace/bun"
)

// world is every service on a fresh SQLite file with a bootstrapped root
// provider (ops@provider.example signs in); a test seeds it, then serves it.
type world struct {
	t        *testing.T
	svc      api.Config
	db       *bun.DB
	provider partnerkit.Actor
}

// newWorld opens the services and bootstraps the root account rootName.
func newWorld(t *testing.T, rootName string) *world {
	t.Helper()
	if _, err := os.Stat(filepath.Join(webDir, "app.wasm")); err != nil {
		t.Fatal("app.wasm is not built: run `make test-e2e` (or `make wasm` first)")
	}
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := server.SQL(db, server.Options{Hasher: storetest.CheapHasher})
	svc.Logger = slog.New(slog.DiscardHandler)
	w := &world{t: t, svc: svc, db: db}
	root, rootUser, err := svc.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: rootName,
		AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	w.check(err)
	w.provider = partnerkit.Actor{AccountID: root.ID, UserID: rootUser.ID, Role: partnerkit.RoleAdmin}
	return w
}

// webDir holds the PWA's static files, app.wasm included.
var webDir = filepath.Join("..", "cmd", "partnerkit", "web")

// check fails the test on err.
func (w *world) check(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// partnerWithAdmin creates a partner under by's account with an admin user
// fullName (password Sup3r-secret) and returns it with that user's actor.
func (w *world) partnerWithAdmin(by partnerkit.Actor, typ partners.AccountType, name, email, fullName string) (*partners.Account, partnerkit.Actor) {
	w.t.Helper()
	ctx := context.Background()
	a, err := w.svc.Partners.CreatePartner(ctx, by, partners.CreatePartnerInput{Type: typ, Name: name})
	w.check(err)
	u, err := w.svc.Partners.CreateUser(ctx, by, partners.CreateUserInput{AccountID: a.ID, Email: email,
		FullName: fullName, Password: "Sup3r-secret", Role: partnerkit.RoleAdmin})
	w.check(err)
	return a, partnerkit.Actor{AccountID: a.ID, UserID: u.ID, Role: partnerkit.RoleAdmin}
}

// serve starts the real server (API and PWA) on the world.
func (w *world) serve() *httptest.Server {
	srv := httptest.NewServer(server.Handler(w.svc, w.db, os.DirFS(webDir)))
	w.t.Cleanup(srv.Close)
	return srv
}
