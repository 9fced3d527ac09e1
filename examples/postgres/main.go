// Command postgres runs Partnerkit's services on PostgreSQL — the path for
// deployments where several stateless servers share one database:
//
//	PARTNERKIT_DB=postgres://user@host:5432/partners go run ./examples/postgres
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/bunstore"
)

func main() {
	if err := run(context.Background(), os.Getenv("PARTNERKIT_DB"), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run opens and migrates the PostgreSQL database dsn names (safe when
// several instances start at once), bootstraps it when empty, adds a
// partner and prints the directory.
func run(ctx context.Context, dsn string, out io.Writer) error {
	if dsn == "" {
		return errors.New("set PARTNERKIT_DB to a postgres:// URL")
	}
	db, err := bunstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	services := server.SQL(db, server.Options{})
	root, admin, err := services.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Distributor",
		AccountType: partners.TypeDistributor, AdminEmail: "admin@distributor.example", AdminPassword: "Sup3r-secret"})
	if err != nil {
		return err
	}
	actor := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
	if _, err := services.Partners.CreatePartner(ctx, actor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Champions Corp"}); err != nil {
		return err
	}
	page, err := services.Partners.Directory(ctx, actor, partners.DirectoryFilter{})
	if err != nil {
		return err
	}
	for _, p := range page.Items {
		fmt.Fprintf(out, "%s %s %s\n", p.Type, p.Name, p.Status)
	}
	return nil
}
