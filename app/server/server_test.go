package server_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/bunstore"
	"github.com/partnerkit/partnerkit/storetest"
)

// TestEmbedTwiceOnOneDatabase: two embedders (two processes, each with its
// own *bun.DB) build a fresh server on one database and call EnsureRoot:
// there is one root, and only the first — or, when they start at once,
// exactly one — reports it created.
func TestEmbedTwiceOnOneDatabase(t *testing.T) {
	ctx := context.Background()
	in := partners.BootstrapInput{AccountName: "Embedder", AdminEmail: "admin@embed.example", AdminPassword: "Sup3r-secret"}
	for _, c := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"SQLite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "embedded.db") }},
		{"Postgres", func(t *testing.T) string { return testdb.CreatePostgresDatabase(t, testdb.PostgresDSN(t)) }},
	} {
		for _, at := range []string{"OneAfterTheOther", "AtOnce"} {
			t.Run(c.name+"/"+at, func(t *testing.T) {
				dsn := c.dsn(t)
				var instances []*partners.Service
				for range 2 {
					db, err := bunstore.Open(ctx, dsn)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { db.Close() })
					svc, err := server.New(db, server.Options{Hasher: storetest.CheapHasher})
					if err != nil {
						t.Fatal(err)
					}
					instances = append(instances, svc.Partners)
				}
				roots := make([]*partners.Account, 2)
				created := make([]bool, 2)
				ensure := func(i int) error {
					var err error
					roots[i], _, created[i], err = instances[i].EnsureRoot(ctx, in)
					return err
				}
				var errs []error
				if at == "AtOnce" {
					errs = storetest.Race(2, ensure)
				} else {
					errs = []error{ensure(0), ensure(1)}
				}
				for i, err := range errs {
					if err != nil {
						t.Fatalf("instance %d: EnsureRoot: %v", i, err)
					}
				}
				if roots[0].ID != roots[1].ID || created[0] == created[1] || at == "OneAfterTheOther" && !created[0] {
					t.Fatalf("roots %s and %s, created %v: want one root, created once (by the first)", roots[0].ID, roots[1].ID, created)
				}
			})
		}
	}
}
