package contracts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts/rules"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/partners"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// Action is the wizard's step 4: what to do with the new partner.
type Action = rules.Action

// Wizard actions (see rules.Action).
const (
	// ActionCreateAccount creates the partner's account now and makes chosen
	// team members its users.
	ActionCreateAccount = rules.ActionCreateAccount
	// ActionInvite generates an invitation link for the partner to activate.
	ActionInvite = rules.ActionInvite
)

// OnboardingInput is the whole Create Partner wizard in one value.
type OnboardingInput struct {
	// Partner is step 1: type (vendor or reseller; a provider may also
	// create distributors), name, optional external ID and contacts.
	Partner partners.CreatePartnerInput `json:"partner"`
	// AgreementID picks an existing agreement of the actor's account (step 2).
	AgreementID string `json:"agreement_id"`
	// NewAgreement creates an agreement instead (step 2, "create new agreement").
	NewAgreement *agreements.CreateInput `json:"new_agreement"`
	// MarketplaceIDs are step 3, vendors only: one distribution contract each.
	MarketplaceIDs []string `json:"marketplace_ids"`
	// Action is step 4: create_account or invite.
	Action Action `json:"action"`
	// UserIDs are step 5 for create_account: team members to add.
	UserIDs []string `json:"user_ids"`
	// AllUsers adds every team member (step 5's "select all").
	AllUsers bool `json:"all_users"`
	// InviteEmail is where to e-mail the invitation (invite); empty sends
	// it to the partner's business contact, if it has an address, and
	// otherwise the link is only shown.
	InviteEmail string `json:"invite_email" validate:"omitempty,email,max=254"`
}

// OnboardingResult is the wizard's summary (step 6).
type OnboardingResult struct {
	// Partner is the new partner.
	Partner *partners.Account `json:"partner"`
	// Agreement is the agreement the partner is bound to.
	Agreement *agreements.Agreement `json:"agreement"`
	// Contracts are the contracts created: the agreement's, then one
	// distribution contract per marketplace.
	Contracts []*Contract `json:"contracts"`
	// Members are the memberships granted (create_account).
	Members []partners.Membership `json:"members,omitempty"`
	// Invitation is the invitation generated (invite).
	Invitation *Invitation `json:"invitation,omitempty"`
	// ActivationToken is the invitation's secret token, shown only here.
	ActivationToken string `json:"activation_token,omitempty"`
	// ActivationLink is the link to pass to the partner.
	ActivationLink string `json:"activation_link,omitempty"`
}

// DistributionAgreementName names the distribution agreement the wizard
// creates for an account that has none when a vendor gets marketplaces.
const DistributionAgreementName = "Distribution agreement"

// inviteEmail carries OnboardingInput.InviteEmail's rule.
type inviteEmail struct {
	InviteEmail string `json:"invite_email" validate:"omitempty,email,max=254"`
}

// check validates every step's input before anything is written, naming
// fields by their JSON path ("partner.name", "new_agreement.document.url").
func (in *OnboardingInput) check() error {
	errs := []error{validate.Text("", in)}
	p := in.Partner
	p.Name = strings.TrimSpace(p.Name)
	errs = append(errs, prefixFields("partner", validate.Struct(p)), partnerrules.CheckNewPartner("partner.", p.Name, p.ExternalID))
	if !rules.IsOnboardingType(p.Type) {
		errs = append(errs, partnerkit.FieldError("partner.type", rules.OnboardingTypeProblem))
	}
	errs = append(errs, validate.Struct(inviteEmail{in.InviteEmail}), rules.CheckAgreementChoice(in.NewAgreement != nil, in.AgreementID))
	if in.InviteEmail != "" && in.Action == ActionCreateAccount {
		errs = append(errs, partnerkit.FieldError("invite_email", "is only for the invite action"))
	}
	if in.NewAgreement != nil && in.AgreementID == "" {
		errs = append(errs, prefixFields("new_agreement", in.NewAgreement.Check()))
	}
	if len(in.MarketplaceIDs) > 0 && !rules.OnMarketplaces(p.Type) {
		errs = append(errs, partnerkit.FieldError("marketplace_ids", "only vendors are placed on marketplaces"))
	}
	if dup := firstDuplicate(in.MarketplaceIDs); dup != "" {
		errs = append(errs, partnerkit.FieldError("marketplace_ids", "lists "+dup+" twice"))
	}
	switch {
	case !in.Action.Valid():
		errs = append(errs, partnerkit.FieldError("action", "must be create_account or invite"))
	case !in.Action.AddsUsers() && (len(in.UserIDs) > 0 || in.AllUsers):
		errs = append(errs, partnerkit.FieldError("user_ids", "users are added only when the account is created now"))
	}
	return validate.All(errs...)
}

func firstDuplicate(ids []string) string {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return id
		}
		seen[id] = true
	}
	return ""
}

// Onboard runs the Create Partner wizard as one atomic operation: it
// creates the partner, picks or creates the agreement, creates the
// agreement's contract and a distribution contract per marketplace, then
// either adds team members to the new account or generates an invitation
// link. If any step fails nothing is left behind.
//
// Returns forbidden for a viewer; invalid naming each bad field (all steps
// are checked before anything is written); conflict on "marketplace_ids"
// naming a marketplace where the vendor already has a distribution contract,
// or on "partner.external_id".
func (s *Service) Onboard(ctx context.Context, actor partnerkit.Actor, in OnboardingInput) (*OnboardingResult, error) {
	const op = "contracts.Onboard"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := in.check(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var res *OnboardingResult
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		res, err = s.onboard(ctx, actor, in)
		return err
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return res, nil
}

func (s *Service) onboard(ctx context.Context, actor partnerkit.Actor, in OnboardingInput) (*OnboardingResult, error) {
	res := &OnboardingResult{}
	// Step 1: the partner.
	pin := in.Partner
	pin.Status = partners.StatusActive
	if in.Action == ActionInvite {
		pin.Status = partners.StatusInvited
	}
	partner, err := s.partners.CreatePartner(ctx, actor, pin)
	if err != nil {
		return nil, prefixFields("partner", err)
	}
	res.Partner = partner

	// Step 2: the agreement.
	if in.NewAgreement != nil {
		res.Agreement, err = s.agreements.Create(ctx, actor, *in.NewAgreement)
		if err != nil {
			return nil, prefixFields("new_agreement", err)
		}
	} else if res.Agreement, err = s.ownAgreement(ctx, actor, in.AgreementID, "agreement_id"); err != nil {
		return nil, err
	}

	// Step 3: contracts. A distribution agreement is bound once per
	// marketplace; any other gets its own contract, and marketplaces then
	// use the account's distribution agreement.
	distribution := res.Agreement
	if res.Agreement.Type == agreements.TypeDistribution {
		if len(in.MarketplaceIDs) == 0 {
			return nil, partnerkit.FieldError("marketplace_ids", "a distribution agreement needs at least one marketplace")
		}
	} else {
		c, err := s.createContract(ctx, actor, partner, res.Agreement, "", "marketplace_ids")
		if err != nil {
			return nil, err
		}
		res.Contracts = append(res.Contracts, c)
		if len(in.MarketplaceIDs) > 0 {
			if distribution, err = s.distributionAgreement(ctx, actor); err != nil {
				return nil, err
			}
		}
	}
	for _, mp := range in.MarketplaceIDs {
		c, err := s.createContract(ctx, actor, partner, distribution, mp, "marketplace_ids")
		if err != nil {
			return nil, err
		}
		res.Contracts = append(res.Contracts, c)
	}

	// Steps 4 and 5: the account now, or an invitation.
	if in.Action == ActionCreateAccount {
		if len(in.UserIDs) > 0 || in.AllUsers {
			res.Members, err = s.partners.GrantTeamAccess(ctx, actor, partner.ID, in.UserIDs, in.AllUsers)
			if err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	res.Invitation, res.ActivationToken, err = s.invite(ctx, actor, partner, res.Contracts[0], inviteAddress(&in))
	if err != nil {
		return nil, err
	}
	res.ActivationLink = s.linkBase + ActivationPath(res.ActivationToken)
	return res, nil
}

// distributionAgreement returns the actor's account's oldest distribution
// agreement, creating one when it has none.
func (s *Service) distributionAgreement(ctx context.Context, actor partnerkit.Actor) (*agreements.Agreement, error) {
	oldest, err := s.agreements.List(ctx, actor, agreements.ListFilter{Type: agreements.TypeDistribution,
		Sort: "created_at", Page: partnerkit.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(oldest.Items) > 0 {
		return &oldest.Items[0], nil
	}
	return s.agreements.Create(ctx, actor, agreements.CreateInput{Type: agreements.TypeDistribution,
		Name: DistributionAgreementName, Description: "Distribution of the vendor's products on the marketplace."})
}

// ActivationPath is the site-relative path of an activation link.
func ActivationPath(token string) string { return "/activate/" + token }

// invite stores an invitation for a contract and returns it with its token.
// The invitation is e-mailed to sentTo when it is not empty (and the
// service has a mail queue).
func (s *Service) invite(ctx context.Context, actor partnerkit.Actor, partner *partners.Account, c *Contract, sentTo string) (*Invitation, string, error) {
	token := newToken()
	now := s.clock.Now()
	inv := &Invitation{ID: partnerkit.NewID(partnerkit.PrefixInvitation), TokenHash: hashToken(token),
		OwnerID: actor.AccountID, PartnerID: partner.ID, ContractID: c.ID, CreatedBy: actor.Principal(),
		CreatedAt: now, ExpiresAt: now.Add(s.invitationTTL), Status: InvitationPending, SentTo: sentTo, SentAt: now, Sends: 1}
	if err := s.store.CreateInvitation(ctx, inv); err != nil {
		return nil, "", err
	}
	if err := s.audit.Record(ctx, actor, actor.AccountID, "invitation.created", "partner", partner.ID, nil, inv); err != nil {
		return nil, "", err
	}
	return inv, token, s.mailInvitation(ctx, actor, inv, token)
}

// newToken returns a new 256-bit link token.
func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// prefixFields moves an error's field names under a prefix.
func prefixFields(prefix string, err error) error { return validate.Prefix(prefix, err) }

// --- invitations ---

// InvitationReview is what an invited company sees before it activates.
type InvitationReview struct {
	// PartnerName and PartnerType describe the invited company.
	PartnerName string               `json:"partner_name"`
	PartnerType partners.AccountType `json:"partner_type"`
	// InviterName is the inviting account's name.
	InviterName string `json:"inviter_name"`
	// AgreementID, AgreementName, AgreementType and AgreementDescription
	// describe the agreement to accept.
	AgreementID          string          `json:"agreement_id"`
	AgreementName        string          `json:"agreement_name"`
	AgreementType        agreements.Type `json:"agreement_type"`
	AgreementDescription string          `json:"agreement_description"`
	// AgreementVersion is the version to sign, and Document its document.
	AgreementVersion int                 `json:"agreement_version"`
	Document         agreements.Document `json:"document"`
	// ExpiresAt is when the link stops working.
	ExpiresAt time.Time `json:"expires_at"`
}

// openInvitation finds a usable invitation by its token: unknown is
// not_found, used or expired is gone, each saying so.
func (s *Service) openInvitation(ctx context.Context, token string) (*Invitation, error) {
	if err := partnerkit.CheckID("token", token); err != nil {
		return nil, err
	}
	inv, err := s.store.InvitationByTokenHash(ctx, hashToken(token))
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound || len(token) > 256 {
		return nil, partnerkit.Errorf(partnerkit.CodeNotFound, "this invitation link is unknown: check that it was copied whole")
	}
	if err != nil {
		return nil, err
	}
	if inv.UsedAt != nil || inv.Status == InvitationActivated {
		return nil, partnerkit.Errorf(partnerkit.CodeGone, "this invitation link has already been used: sign in instead")
	}
	if inv.Status == InvitationRevoked {
		return nil, partnerkit.Errorf(partnerkit.CodeGone, "this invitation link was revoked: ask for a new one")
	}
	if inv.Status == InvitationExpired || !s.clock.Now().Before(inv.ExpiresAt) {
		return nil, partnerkit.Errorf(partnerkit.CodeGone, "this invitation link expired on %s: ask for a new one",
			inv.ExpiresAt.Format("2 January 2006 15:04 UTC"))
	}
	return inv, nil
}

// ReviewInvitation returns what the holder of an invitation link reviews.
// It needs no actor: the token is the credential.
func (s *Service) ReviewInvitation(ctx context.Context, token string) (*InvitationReview, error) {
	const op = "contracts.ReviewInvitation"
	if err := partnerkit.CheckID("token", token); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	inv, err := s.openInvitation(ctx, token)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	partner, err := s.partners.LookupAccount(ctx, inv.PartnerID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	inviter, err := s.partners.LookupAccount(ctx, inv.OwnerID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	c, err := s.store.GetContract(ctx, inv.ContractID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	agr, err := s.agreements.Lookup(ctx, c.AgreementID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	v, err := s.agreements.LookupVersion(ctx, c.AgreementID, c.AgreementVersion)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return &InvitationReview{PartnerName: partner.Name, PartnerType: partner.Type, InviterName: inviter.Name,
		AgreementID: agr.ID, AgreementName: agr.Name, AgreementType: agr.Type, AgreementDescription: agr.Description,
		AgreementVersion: v.Number, Document: v.Document, ExpiresAt: inv.ExpiresAt}, nil
}

// InvitationDocument returns the file of the agreement an invitation links
// to (nil bytes when the document is a URL or none).
func (s *Service) InvitationDocument(ctx context.Context, token string) (*agreements.Version, []byte, error) {
	if err := partnerkit.CheckID("token", token); err != nil {
		return nil, nil, partnerkit.WithOp("contracts.InvitationDocument", err)
	}
	inv, err := s.openInvitation(ctx, token)
	if err != nil {
		return nil, nil, partnerkit.WithOp("contracts.InvitationDocument", err)
	}
	c, err := s.store.GetContract(ctx, inv.ContractID)
	if err != nil {
		return nil, nil, partnerkit.WithOp("contracts.InvitationDocument", err)
	}
	return s.agreements.VersionDocument(ctx, c.AgreementID, c.AgreementVersion)
}

// ActivationInput is what the invited company enters (seed 001): email and
// acceptance, full name and password, legal company name.
type ActivationInput struct {
	// Email is the first user's login.
	Email string `json:"email"`
	// AcceptAgreement must be true: "I have read and accepted the agreement".
	AcceptAgreement bool `json:"accept_agreement"`
	// FullName is the first user's name.
	FullName string `json:"full_name"`
	// Password must meet the password policy.
	Password string `json:"password"`
	// LegalName is the company's legal name with its entity type.
	LegalName string `json:"legal_name"`
}

// ActivationResult is what activation made.
type ActivationResult struct {
	// Partner is the now active account.
	Partner *partners.Account `json:"partner"`
	// User is the account's first user, its admin.
	User *partners.User `json:"user"`
	// Contract is the signed and active contract.
	Contract *Contract `json:"contract"`
}

// ActivateInvitation uses an invitation link: in one transaction it marks the link
// used, creates the user as the partner's admin, names the account, makes it
// active, and signs and activates the contract, recording
// "invitation.activated" (the invitation, in the partner's account) with
// "partner.activated". Of concurrent activations of one link exactly one
// wins; the others get gone.
//
// Returns not_found for an unknown link, gone for a used or expired one,
// invalid naming each bad field, conflict on "email" when it is registered.
func (s *Service) ActivateInvitation(ctx context.Context, token string, in ActivationInput) (*ActivationResult, error) {
	const op = "contracts.ActivateInvitation"
	if err := partnerkit.CheckID("token", token); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var acceptErr error
	if !in.AcceptAgreement {
		acceptErr = partnerkit.FieldError("accept_agreement", "must be accepted to activate")
	}
	acct := partners.ActivateAccountInput{Email: in.Email, FullName: in.FullName, Password: in.Password, LegalName: in.LegalName}
	if err := validate.All(acct.Check(), acceptErr); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var res *ActivationResult
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.openInvitation(ctx, token)
		if err != nil {
			return err
		}
		// Claim the link first: a concurrent activation waits here and loses.
		used := *inv
		now, usedBy := s.clock.Now(), partners.NormalizeEmail(in.Email)
		if err := s.store.UseInvitation(ctx, inv.ID, inv.TokenHash, now, usedBy); err != nil {
			return err
		}
		used.UsedAt, used.UsedBy, used.Status = &now, usedBy, InvitationActivated
		partner, user, err := s.partners.ActivateInvited(ctx, inv.PartnerID, acct)
		if err != nil {
			return err
		}
		actor := partnerkit.Actor{AccountID: partner.ID, UserID: user.ID, Role: partnerkit.RoleAdmin}
		if err := s.audit.Record(ctx, actor, partner.ID, "invitation.activated", "invitation", inv.ID, inv, &used); err != nil {
			return err
		}
		c, err := s.store.GetContract(ctx, inv.ContractID)
		if err != nil {
			return err
		}
		if c.Status == StatusPending {
			if c, err = s.transition(ctx, actor, c, "sign"); err != nil {
				return err
			}
		}
		if c, err = s.transition(ctx, actor, c, "activate"); err != nil {
			return err
		}
		res = &ActivationResult{Partner: partner, User: user, Contract: c}
		return s.derive(ctx, []*Contract{c})
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return res, nil
}
