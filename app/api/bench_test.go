package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/api"
	wiring "github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
)

// BenchmarkAPIListPartners measures GET /api/v1/partners (a page of 50,
// type filter, name sort, session cookie) as in-process HTTP round trips on
// SQLite with 100,000 partners, next to the same page from the service
// (store=sqlite, as BenchmarkDirectory): the HTTP layer's overhead.
func BenchmarkAPIListPartners(b *testing.B) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	cfg := wiring.SQL(db, wiring.Options{Hasher: storetest.CheapHasher})
	cfg.Logger = slog.New(slog.DiscardHandler)
	root := storetest.SeedDirectory(b, cfg.Stores.Partners, 100_000)
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	u, err := cfg.Partners.CreateUser(ctx, root, partners.CreateUserInput{Email: "admin@root.example", FullName: "Admin",
		Password: "Sup3r-secret", Role: partnerkit.RoleAdmin})
	if err != nil {
		b.Fatal(err)
	}
	actor := partnerkit.Actor{AccountID: root.AccountID, UserID: u.ID, Role: partnerkit.RoleAdmin}
	filter := partners.DirectoryFilter{Type: partners.TypeVendor, Sort: partners.SortName, Page: partnerkit.Page{Limit: 50}}

	b.Run("store=sqlite", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			page, err := cfg.Partners.Directory(ctx, actor, filter)
			if err != nil || len(page.Items) != 50 {
				b.Fatal(err)
			}
		}
	})

	cfg.RateLimit = api.RateLimit{PerSecond: -1} // a benchmark is a runaway loop
	srv := httptest.NewServer(api.New(cfg))
	b.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.Post(srv.URL+"/api/v1/session", "application/json",
		strings.NewReader(`{"email":"admin@root.example","password":"Sup3r-secret"}`))
	if err != nil || res.StatusCode != http.StatusCreated {
		b.Fatal(err, res)
	}
	res.Body.Close()
	b.Run("api=sqlite", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := client.Get(srv.URL + "/api/v1/partners?type=vendor&sort=name&limit=50")
			if err != nil || res.StatusCode != http.StatusOK {
				b.Fatal(err, res)
			}
			if _, err := io.Copy(io.Discard, res.Body); err != nil {
				b.Fatal(err)
			}
			res.Body.Close()
		}
	})
	// The same page with app/observe's metrics and tracing, off and on
	// (bench_observe_test.go).
	benchObserved(b, cfg, db, client)
}
