// Command memory embeds Partnerkit's partner directory with the in-memory
// store — what an adopter's test suite does: the real business rules, no
// database.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/memstore"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	svc := partners.NewService(memstore.New(nil))
	root, admin, err := svc.Bootstrap(ctx, partners.BootstrapInput{
		AccountName: "Mighty Mick's LLC", AccountType: partners.TypeDistributor,
		AdminEmail: "mick@mighty.example", AdminPassword: "Sup3r-secret",
	})
	if err != nil {
		return err
	}
	actor := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
	for _, in := range []partners.CreatePartnerInput{
		{Type: partners.TypeReseller, Name: "Champions Corp", ExternalID: "CH-1"},
		{Type: partners.TypeVendor, Name: "Acme Storage", ExternalID: "AC-7"},
	} {
		if _, err := svc.CreatePartner(ctx, actor, in); err != nil {
			return err
		}
	}
	// Bad input is an error that names the field.
	_, err = svc.CreatePartner(ctx, actor, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: ""})
	fmt.Fprintf(out, "rejected: %s %v\n", partnerkit.ErrorCode(err), partnerkit.ErrorFields(err))

	page, err := svc.Directory(ctx, actor, partners.DirectoryFilter{Sort: partners.SortName})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d partners\n", page.Total)
	for _, p := range page.Items {
		fmt.Fprintf(out, "%-8s %-14s %-5s %s\n", p.Type, p.Name, p.ExternalID, p.Status)
	}
	return nil
}
