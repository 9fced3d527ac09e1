package wiring_test

import (
	"context"
	"fmt"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
)

// Every service on one in-memory database: a root account, the Create
// Partner wizard inviting a reseller, and the directory. The README's
// "Embed it" shows exactly the lines between the markers (a test checks).
func ExampleNew() {
	ctx := context.Background()
	// README begin
	svc, err := wiring.New(stores.Memory(), wiring.Options{}) // or stores.MustSQL(db), db from bunstore.Open(ctx, dsn)
	if err != nil {
		panic(err)
	}
	root, admin, _, err := svc.Partners.EnsureRoot(ctx, partners.BootstrapInput{AccountName: "Mighty Mick's LLC",
		AccountType: partners.TypeDistributor, AdminEmail: "mick@mighty.example", AdminPassword: "Sup3r-secret"})
	actor := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
	res, err := svc.Contracts.Onboard(ctx, actor, contracts.OnboardingInput{ // the six-step wizard, all or nothing
		Partner:      partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Champions Corp"},
		NewAgreement: &agreements.CreateInput{Type: agreements.TypeProgram, Name: "Reseller program"},
		Action:       contracts.ActionInvite,
	})
	page, err := svc.Partners.Directory(ctx, actor, partners.DirectoryFilter{Q: "champ"})
	// README end
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Partner.Status, res.ActivationLink != "", page.Total, page.Items[0].Name, page.Items[0].Counts[contracts.CountAgreements])
	// Output: invited true 1 Champions Corp 1
}
