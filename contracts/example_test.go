package contracts_test

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

// The reseller tutorial's story: the distributor Mighty Mick's LLC invites
// the reseller Champions Corp with the Create Partner wizard, and Champions
// Corp activates through the invitation link.
func ExampleService_Onboard() {
	ctx := context.Background()
	// Every domain's store on one database, so the wizard is atomic.
	svc, _ := wiring.New(stores.Memory(), wiring.Options{})
	partnerSvc, contractSvc := svc.Partners, svc.Contracts

	mick, admin, _ := partnerSvc.Bootstrap(ctx, partners.BootstrapInput{
		AccountName: "Mighty Mick's LLC", AccountType: partners.TypeDistributor,
		AdminEmail: "mick@mighty.example", AdminPassword: "Sup3r-secret",
	})
	actor := partnerkit.Actor{AccountID: mick.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}

	res, err := contractSvc.Onboard(ctx, actor, contracts.OnboardingInput{
		Partner: partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Champions"},
		NewAgreement: &agreements.CreateInput{Type: agreements.TypeProgram, Name: "Reseller program",
			Description: "Sell and support our services."},
		Action: contracts.ActionInvite,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Partner.Name, res.Partner.Status, res.Contracts[0].Status)

	// The invited company opens the link, reviews and activates.
	review, _ := contractSvc.ReviewInvitation(ctx, res.ActivationToken)
	fmt.Println(review.InviterName, "offers", review.AgreementName)
	act, err := contractSvc.ActivateInvitation(ctx, res.ActivationToken, contracts.ActivationInput{
		Email: "coach@champions.example", AcceptAgreement: true, FullName: "Coach Carter",
		Password: "Sup3r-secret", LegalName: "Champions Corp",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(act.Partner.LegalName, act.Partner.Status, act.Contract.Status)

	// A link works once.
	_, err = contractSvc.ActivateInvitation(ctx, res.ActivationToken, contracts.ActivationInput{
		Email: "again@champions.example", AcceptAgreement: true, FullName: "Again",
		Password: "Sup3r-secret", LegalName: "Champions Corp",
	})
	fmt.Println(partnerkit.ErrorCode(err))
	// Output:
	// Champions invited pending
	// Mighty Mick's LLC offers Reseller program
	// Champions Corp active active
	// gone
}
