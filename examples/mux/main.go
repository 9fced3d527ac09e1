// Command mux mounts the Partnerkit API in an application's own
// http.ServeMux under a prefix, on a SQLite file:
//
//	go run ./examples/mux    # then open http://127.0.0.1:8081/
package main

import (
	"context"
	"io"
	"log"
	"net/http"
	"path/filepath"

	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/bunstore"
)

func main() {
	h, closeDB, err := newApp(context.Background(), ".", "admin@example.com", "Sup3r-secret")
	if err != nil {
		log.Fatal(err)
	}
	defer closeDB()
	log.Println("listening on http://127.0.0.1:8081 (API under /partnerkit/api/v1)")
	log.Fatal(http.ListenAndServe("127.0.0.1:8081", h))
}

// newApp opens (and migrates) dir/partners.db, creates a first admin on an
// empty database, and returns the application's mux with Partnerkit under
// /partnerkit/.
func newApp(ctx context.Context, dir, adminEmail, adminPassword string) (http.Handler, func(), error) {
	db, err := bunstore.Open(ctx, filepath.Join(dir, "partners.db"))
	if err != nil {
		return nil, nil, err
	}
	services := server.SQL(db, server.Options{})
	if _, _, _, err := services.Partners.EnsureRoot(ctx, partners.BootstrapInput{AccountName: "My company",
		AccountType: partners.TypeDistributor, AdminEmail: adminEmail, AdminPassword: adminPassword}); err != nil {
		db.Close()
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "my application; partner management lives under /partnerkit/\n")
	})
	mux.Handle("/partnerkit/", http.StripPrefix("/partnerkit", server.Handler(services, db, nil)))
	return mux, func() { db.Close() }, nil
}
