package contracts

import (
	"context"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
)

// invitationBatch is how many due invitations one read returns.
const invitationBatch = 200

// ExpireInvitations is the scheduled expiry of activation invitations: each
// pending invitation whose expiry passed by now (the service clock) is
// marked expired, each in its own transaction with an "invitation.expired"
// event in the invited partner's account (actor partnerkit.SystemActor).
// It returns how many it expired. Using an expired link keeps failing with
// gone, as it did before it was marked.
//
// It is idempotent and safe to run from several instances at once: each
// invitation moves with a conditional update (see Store), so it expires
// once, and never once used; a run that loses the move skips it.
func (s *Service) ExpireInvitations(ctx context.Context) (int, error) {
	const op = "contracts.ExpireInvitations"
	n := 0
	for {
		now := s.clock.Now()
		due, err := s.store.DueInvitations(ctx, now, invitationBatch)
		if err != nil {
			return n, partnerkit.WithOp(op, err)
		}
		for _, inv := range due {
			err := s.store.InTx(ctx, func(ctx context.Context) error {
				if err := s.store.ExpireInvitation(ctx, inv.ID, now); err != nil {
					return err
				}
				after := inv
				after.Status = InvitationExpired
				return s.audit.Record(ctx, partnerkit.SystemActor, inv.PartnerID, "invitation.expired", "invitation", inv.ID, &inv, &after)
			})
			switch partnerkit.ErrorCode(err) {
			case "":
				n++
			case partnerkit.CodeGone, partnerkit.CodeNotFound:
				// used, or expired by another run, meanwhile
			default:
				return n, partnerkit.WithOp(op, err)
			}
		}
		// Every invitation of the batch left the pending status (here or
		// elsewhere): a full batch may have more behind it.
		if len(due) < invitationBatch {
			return n, nil
		}
	}
}

// InvitationFilter selects activation invitations.
type InvitationFilter struct {
	// PartnerID keeps one visible partner's invitations; empty lists the
	// invitations the actor's account generated.
	PartnerID string `json:"partner_id"`
	// Status keeps one status (pending, used or expired).
	Status InvitationStatus `json:"status"`
	// Sort is one of InvitationOrder's; empty means newest first.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// Invitations lists one page of activation invitations, newest first
// unless sorted otherwise: the ones the actor's account generated, or with
// PartnerID those of a partner the actor may see. Returns invalid naming
// "partner_id", "status", "sort", "limit" or "offset"; not_found for a
// partner the actor may not see.
func (s *Service) Invitations(ctx context.Context, actor partnerkit.Actor, f InvitationFilter) (partnerkit.List[Invitation], error) {
	const op = "contracts.Invitations"
	out := partnerkit.List[Invitation]{Items: []Invitation{}}
	if err := actor.RequireAccount(); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	page, pageErr := f.Page.Normalize()
	sort, sortErr := InvitationOrder.Check(f.Sort)
	var statusErr error
	if f.Status != "" && !f.Status.Valid() {
		statusErr = partnerkit.FieldError("status", "must be pending, used or expired")
	}
	if err := validate.All(validate.Text("", f), partnerkit.CheckID("partner_id", f.PartnerID), pageErr, sortErr, statusErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	q := InvitationQuery{OwnerID: actor.AccountID, Status: f.Status, Sort: sort, Limit: page.Limit, Offset: page.Offset}
	if f.PartnerID != "" {
		if err := s.partners.CheckVisible(ctx, actor, f.PartnerID); err != nil {
			return out, partnerkit.WithOp(op, err)
		}
		q.OwnerID, q.PartnerID = "", f.PartnerID
	}
	items, total, err := s.store.ListInvitations(ctx, q)
	if err == nil {
		err = s.withMail(ctx, items)
	}
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items != nil {
		out.Items = items
	}
	out.Total = total
	return out, nil
}
