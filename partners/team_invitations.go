package partners

import (
	"context"

	"github.com/partnerkit/partnerkit"
)

// Team invitation statuses, as lists show them.
const (
	InvitationPending   = "pending"
	InvitationActivated = "activated"
	InvitationExpired   = "expired"
	InvitationRevoked   = "revoked"
)

// TeamInvitationView is a team invitation in its account's list: its
// status and, when the service has a MailStatus, the delivery of its
// last mail.
type TeamInvitationView struct {
	TeamInvitation
	// Status is pending, activated (used), expired or revoked.
	Status string `json:"status"`
	// Delivery is the last invitation mail's delivery; absent when the
	// service knows none.
	Delivery *MailDelivery `json:"delivery,omitempty"`
}

// status says where an invitation is at now.
func (s *Service) status(inv *TeamInvitation) string {
	switch {
	case inv.UsedAt != nil:
		return InvitationActivated
	case inv.RevokedAt != nil:
		return InvitationRevoked
	case !s.clock.Now().Before(inv.ExpiresAt):
		return InvitationExpired
	}
	return InvitationPending
}

// TeamInvitations lists the team invitations of the actor's account
// (admins only), newest first.
func (s *Service) TeamInvitations(ctx context.Context, actor partnerkit.Actor) ([]TeamInvitationView, error) {
	const op = "partners.TeamInvitations"
	if err := actor.RequireAccount(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireAdmin(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	invs, err := s.store.ListTeamInvitations(ctx, actor.AccountID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	out := make([]TeamInvitationView, len(invs))
	for i := range invs {
		out[i] = TeamInvitationView{TeamInvitation: invs[i], Status: s.status(&invs[i])}
		if s.sec.mailStatus == nil {
			continue
		}
		d, err := s.sec.mailStatus.Status(ctx, invs[i].ID)
		switch {
		case err == nil:
			out[i].Delivery = d
		case partnerkit.ErrorCode(err) != partnerkit.CodeNotFound:
			return nil, partnerkit.WithOp(op, err)
		}
	}
	return out, nil
}

// ResendTeamInvitation sends a pending or expired invitation of the
// actor's account again (admins only): a new token, a new expiry and
// partnerkit.MailTeamInvitation; the old link dies. It returns the
// invitation and its new token (shown only here). Returns not_found for
// another account's invitation, conflict for a used or revoked one.
func (s *Service) ResendTeamInvitation(ctx context.Context, actor partnerkit.Actor, id string) (*TeamInvitation, string, error) {
	const op = "partners.ResendTeamInvitation"
	var inv *TeamInvitation
	token, hash := newToken("")
	err := s.invitationChange(ctx, actor, id, func(ctx context.Context, cur *TeamInvitation) error {
		before := *cur
		now := s.clock.Now()
		cur.TokenHash, cur.SentAt, cur.ExpiresAt = hash, now, now.Add(TeamInvitationTTL)
		if err := s.store.RenewTeamInvitation(ctx, cur); err != nil {
			return err
		}
		inv = cur
		if err := s.audit.Record(ctx, actor, actor.AccountID, "team_invitation.resent", "partner", actor.AccountID, &before, cur); err != nil {
			return err
		}
		return s.mailTeamInvitation(ctx, actor, cur, token)
	})
	if err != nil {
		return nil, "", partnerkit.WithOp(op, err)
	}
	return inv, token, nil
}

// RevokeTeamInvitation withdraws a pending or expired invitation of the
// actor's account (admins only): its link stops working. Returns
// not_found for another account's invitation, conflict for a used or
// revoked one.
func (s *Service) RevokeTeamInvitation(ctx context.Context, actor partnerkit.Actor, id string) (*TeamInvitation, error) {
	const op = "partners.RevokeTeamInvitation"
	var inv *TeamInvitation
	err := s.invitationChange(ctx, actor, id, func(ctx context.Context, cur *TeamInvitation) error {
		before := *cur
		now := s.clock.Now()
		if err := s.store.RevokeTeamInvitation(ctx, cur.ID, now); err != nil {
			return err
		}
		cur.RevokedAt = &now
		inv = cur
		return s.audit.Record(ctx, actor, actor.AccountID, "team_invitation.revoked", "partner", actor.AccountID, &before, cur)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return inv, nil
}

// invitationChange loads an invitation of the actor's account that is
// still open (not used, not revoked) and runs change in a transaction.
func (s *Service) invitationChange(ctx context.Context, actor partnerkit.Actor, id string, change func(ctx context.Context, inv *TeamInvitation) error) error {
	if err := partnerkit.CheckID("id", id); err != nil {
		return err
	}
	if err := actor.RequireAccount(); err != nil {
		return err
	}
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.store.GetTeamInvitation(ctx, id)
		if err != nil || inv.AccountID != actor.AccountID {
			return partnerkit.NotFound("team invitation", id)
		}
		switch s.status(inv) {
		case InvitationActivated:
			return partnerkit.Errorf(partnerkit.CodeConflict, "team invitation %s was used already: %s is a member", id, inv.Email)
		case InvitationRevoked:
			return partnerkit.Errorf(partnerkit.CodeConflict, "team invitation %s was revoked already", id)
		}
		return change(ctx, inv)
	})
}

// mailTeamInvitation queues the invitation mail in the caller's transaction.
func (s *Service) mailTeamInvitation(ctx context.Context, actor partnerkit.Actor, inv *TeamInvitation, token string) error {
	if s.sec.mail == nil {
		return nil
	}
	acc, err := s.store.GetAccount(ctx, inv.AccountID)
	if err != nil {
		return err
	}
	inviter := acc.Name
	if actor.UserID != "" {
		if u, err := s.store.GetUser(ctx, actor.UserID); err == nil {
			inviter = u.Email
			if u.FullName != "" {
				inviter = u.FullName
			}
		}
	}
	return s.queueMail(ctx, partnerkit.Mail{Kind: partnerkit.MailTeamInvitation, To: inv.Email, AccountID: inv.AccountID, Ref: inv.ID,
		Data: map[string]string{"invite_path": JoinPath + token, "account_name": acc.Name, "role": string(inv.Role),
			"inviter": inviter, "expires_at": stamp(inv.ExpiresAt)}})
}
