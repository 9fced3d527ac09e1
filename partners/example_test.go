package partners_test

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/memstore"
)

// A distributor creates partners and lists its directory.
func ExampleService_Directory() {
	ctx := context.Background()
	svc := partners.NewService(memstore.New(nil))
	root, admin, _ := svc.Bootstrap(ctx, partners.BootstrapInput{
		AccountName: "Mighty Mick's LLC", AccountType: partners.TypeDistributor,
		AdminEmail: "mick@mighty.example", AdminPassword: "Sup3r-secret",
	})
	actor := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}

	_, _ = svc.CreatePartner(ctx, actor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Champions Corp"})
	_, _ = svc.CreatePartner(ctx, actor, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Acme Storage"})

	page, _ := svc.Directory(ctx, actor, partners.DirectoryFilter{Type: partners.TypeReseller})
	// Counts hold the figures of the other domains built on the same
	// database (signed contracts, agreements, listings); alone, there are none.
	fmt.Println(page.Total, page.Items[0].Name, len(page.Items[0].Counts))
	// Output: 1 Champions Corp 0
}

// Bad input is an invalid error naming each field; nothing is written.
func ExampleService_CreatePartner() {
	ctx := context.Background()
	svc := partners.NewService(memstore.New(nil))
	root, _, _ := svc.Bootstrap(ctx, partners.BootstrapInput{
		AccountName: "Provider", AdminEmail: "admin@example.com", AdminPassword: "Sup3r-secret",
	})
	actor := partnerkit.Actor{AccountID: root.ID, Role: partnerkit.RoleStaff}

	_, err := svc.CreatePartner(ctx, actor, partners.CreatePartnerInput{
		Type: "wizard", Name: "", BusinessContact: partners.Contact{Email: "nope"},
	})
	fmt.Println(partnerkit.ErrorCode(err))
	fmt.Println(partnerkit.ErrorMessage(err))
	fields := partnerkit.ErrorFields(err)
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		fmt.Printf("%s: %s\n", f, fields[f])
	}
	// Output:
	// invalid
	// business_contact.email: must be a valid email address (and 2 more fields)
	// business_contact.email: must be a valid email address
	// name: is required
	// type: must be one of: provider, distributor, vendor, reseller, customer
}
