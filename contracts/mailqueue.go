package contracts

import (
	"context"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/partners"
)

// WithMailQueue makes the service e-mail activation invitations (created
// by the wizard or sent again) through q, in the transaction that issues
// the link; nil (the default) sends nothing and the link is only handed
// out. The message is partnerkit.MailPartnerInvitation with the Data
// fields "activation_path" (the PWA path of the link), "partner_name",
// "inviter_name" (the inviting account), "agreement_name" and
// "expires_at" (RFC 3339), and Ref the invitation's ID.
func WithMailQueue(q partnerkit.MailQueue) Option { return func(s *Service) { s.mail = q } }

// WithMailStatuses lets invitation lists show what became of each
// invitation's last e-mail (Invitation.Mail); nil shows nothing.
func WithMailStatuses(m partnerkit.MailStatuses) Option { return func(s *Service) { s.mailStatus = m } }

// inviteAddress is where the wizard mails an invitation: the address given
// in the wizard, else the new partner's business contact, else none.
func inviteAddress(in *OnboardingInput) string {
	if in.InviteEmail != "" {
		return partners.NormalizeEmail(in.InviteEmail)
	}
	return partners.NormalizeEmail(in.Partner.BusinessContact.Email)
}

// mailInvitation queues the invitation e-mail of inv with token to its
// SentTo address, when there is one and a queue.
func (s *Service) mailInvitation(ctx context.Context, actor partnerkit.Actor, inv *Invitation, token string) error {
	if s.mail == nil || inv.SentTo == "" {
		return nil
	}
	data := map[string]string{"activation_path": ActivationPath(token), "expires_at": inv.ExpiresAt.UTC().Format(time.RFC3339)}
	if p, err := s.partners.LookupAccount(ctx, inv.PartnerID); err == nil {
		data["partner_name"] = p.Name
	}
	if o, err := s.partners.LookupAccount(ctx, inv.OwnerID); err == nil {
		data["inviter_name"] = o.Name
	}
	if c, err := s.store.GetContract(ctx, inv.ContractID); err == nil {
		if a, err := s.agreements.Lookup(ctx, c.AgreementID); err == nil {
			data["agreement_name"] = a.Name
		}
	}
	return s.mail.QueueMail(ctx, partnerkit.Mail{Kind: partnerkit.MailPartnerInvitation, To: inv.SentTo,
		AccountID: actor.AccountID, Ref: inv.ID, Data: data})
}

// withMail fills each invitation's Mail from the mail log, when there is one.
func (s *Service) withMail(ctx context.Context, invs []Invitation) error {
	if s.mailStatus == nil || len(invs) == 0 {
		return nil
	}
	refs := make([]string, len(invs))
	for i := range invs {
		refs[i] = invs[i].ID
	}
	last, err := s.mailStatus.LastMail(ctx, refs)
	if err != nil {
		return err
	}
	for i := range invs {
		if d, ok := last[invs[i].ID]; ok {
			invs[i].Mail = &d
		}
	}
	return nil
}

// ResendInput says where to send an invitation again.
type ResendInput struct {
	// Email is the address to send the new link to; empty keeps the
	// invitation's (or, for one never mailed, hands out the link only).
	Email string `json:"email" validate:"omitempty,email,max=254"`
}

// ResendResult is an invitation sent again: its new link, shown only here.
type ResendResult struct {
	// Invitation is the invitation, pending again with a new expiry.
	Invitation *Invitation `json:"invitation"`
	// ActivationToken is the new secret token; the previous one no longer
	// works.
	ActivationToken string `json:"activation_token"`
	// ActivationLink is the new link.
	ActivationLink string `json:"activation_link"`
}

// ownInvitation returns an invitation the actor's account issued, or
// not_found (another account's invitation included).
func (s *Service) ownInvitation(ctx context.Context, actor partnerkit.Actor, id string) (*Invitation, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, err
	}
	inv, err := s.store.InvitationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if inv.OwnerID != actor.AccountID {
		return nil, partnerkit.NotFound("invitation", id)
	}
	return inv, nil
}

// ResendInvitation sends a pending or expired invitation of the actor's
// account again (admins and staff): a new token and link, a fresh expiry,
// the previous link dead at once, and the e-mail queued again (to
// in.Email when given). Returns gone for an invitation activated or
// revoked, conflict when another resend won meanwhile, not_found for one
// the account did not issue, invalid naming "email".
func (s *Service) ResendInvitation(ctx context.Context, actor partnerkit.Actor, id string, in ResendInput) (*ResendResult, error) {
	const op = "contracts.ResendInvitation"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := validate.Struct(&in); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var res *ResendResult
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.ownInvitation(ctx, actor, id)
		if err != nil {
			return err
		}
		before := *inv
		token := newToken()
		now := s.clock.Now()
		sentTo := inv.SentTo
		if in.Email != "" {
			sentTo = partners.NormalizeEmail(in.Email)
		}
		expires := now.Add(s.invitationTTL)
		if err := s.store.ReissueInvitation(ctx, inv.ID, inv.TokenHash, hashToken(token), expires, sentTo, now); err != nil {
			return err
		}
		after := *inv
		after.TokenHash, after.ExpiresAt, after.Status, after.SentTo, after.SentAt, after.Sends =
			hashToken(token), expires, InvitationPending, sentTo, now, inv.Sends+1
		if err := s.audit.Record(ctx, actor, actor.AccountID, "invitation.resent", "partner", inv.PartnerID, &before, &after); err != nil {
			return err
		}
		if err := s.mailInvitation(ctx, actor, &after, token); err != nil {
			return err
		}
		res = &ResendResult{Invitation: &after, ActivationToken: token, ActivationLink: s.linkBase + ActivationPath(token)}
		return nil
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return res, nil
}

// RevokeInvitation revokes a pending invitation of the actor's account
// (admins and staff): its link stops working at once ("revoked"). Returns
// gone for one activated, expired or revoked already, not_found for one
// the account did not issue.
func (s *Service) RevokeInvitation(ctx context.Context, actor partnerkit.Actor, id string) (*Invitation, error) {
	const op = "contracts.RevokeInvitation"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Invitation
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.ownInvitation(ctx, actor, id)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if err := s.store.RevokeInvitation(ctx, inv.ID, now, actor.Principal()); err != nil {
			return err
		}
		after := *inv
		after.Status, after.RevokedAt, after.RevokedBy = InvitationRevoked, &now, actor.Principal()
		out = &after
		return s.audit.Record(ctx, actor, actor.AccountID, "invitation.revoked", "partner", inv.PartnerID, inv, &after)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}
