package partners

import (
	"context"
	"slices"
	"strings"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/partners/rules"
)

// CheckLegalName returns an invalid error naming "legal_name" unless name is
// at most 200 characters and ends with a legal entity type ("Champions
// Corp", "Mighty Mick's LLC", "Beispiel GmbH"); see rules.CheckLegalName,
// which the PWA calls too.
func CheckLegalName(name string) error { return rules.CheckLegalName(name) }

// ActivateAccountInput is what an invited company enters to activate.
type ActivateAccountInput struct {
	// Email is the first user's login.
	Email string `json:"email" validate:"required,email,max=254"`
	// FullName is the first user's name (rules.FullNameProblem).
	FullName string `json:"full_name"`
	// Password must meet the password policy.
	Password string `json:"password"`
	// LegalName is the company's legal name with its entity type.
	LegalName string `json:"legal_name"`
}

// Check validates in without writing anything.
func (in ActivateAccountInput) Check() error {
	in.Email = NormalizeEmail(in.Email)
	in.FullName = strings.TrimSpace(in.FullName)
	var nameErr error
	if p := rules.FullNameProblem(in.FullName); p != "" {
		nameErr = partnerkit.FieldError("full_name", p)
	}
	return validate.All(validate.Struct(in), nameErr, CheckPasswordPolicy(in.Password), CheckLegalName(in.LegalName))
}

// ActivateInvited turns an invited account into an active one: it sets the
// legal name, creates the first user as the account's admin and records it.
// It checks no actor: the caller has verified an invitation (see
// contracts.Service.ActivateInvitation). Returns invalid naming each field, conflict
// on "email" when the email is registered, and conflict when the account is
// not invited.
func (s *Service) ActivateInvited(ctx context.Context, accountID string, in ActivateAccountInput) (*Account, *User, error) {
	const op = "partners.ActivateInvited"
	if err := partnerkit.CheckID("account_id", accountID); err != nil {
		return nil, nil, partnerkit.WithOp(op, err)
	}
	if err := in.Check(); err != nil {
		return nil, nil, partnerkit.WithOp(op, err)
	}
	var acct *Account
	var user *User
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		a, err := s.store.GetAccount(ctx, accountID)
		if err != nil {
			return err
		}
		if a.Status != StatusInvited {
			return partnerkit.Errorf(partnerkit.CodeConflict, "cannot activate partner %s: it is %s, not invited", a.ID, a.Status)
		}
		user, err = s.createUserAndMembership(ctx, a.ID, NormalizeEmail(in.Email), in.FullName, in.Password, partnerkit.RoleAdmin)
		if err != nil {
			return err
		}
		before := *a
		a.LegalName = strings.TrimSpace(in.LegalName)
		a.Status = StatusActive
		a.UpdatedAt = s.clock.Now()
		if err := s.store.UpdateAccount(ctx, a); err != nil {
			return err
		}
		acct = a
		actor := partnerkit.Actor{AccountID: a.ID, UserID: user.ID, Role: partnerkit.RoleAdmin}
		if err := s.audit.Record(ctx, actor, a.ID, "user.created", "user", user.ID, nil,
			map[string]any{"user": user, "account_id": a.ID, "role": partnerkit.RoleAdmin}); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, a.ID, "partner.activated", "partner", a.ID, &before, a)
	})
	if err != nil {
		return nil, nil, partnerkit.WithOp(op, err)
	}
	return acct, user, nil
}

// GrantTeamAccess makes members of the actor's own account members of a
// partner account it manages, each with the role they hold in the actor's
// account (so nobody gains a role they did not have). all picks every
// member; otherwise userIDs lists them, and one that is not a team member
// is an invalid "user_ids" error.
func (s *Service) GrantTeamAccess(ctx context.Context, actor partnerkit.Actor, accountID string, userIDs []string, all bool) ([]Membership, error) {
	const op = "partners.GrantTeamAccess"
	if err := validate.All(partnerkit.CheckID("account_id", accountID), partnerkit.CheckIDs("user_ids", userIDs)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var granted []Membership
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		target, err := s.visible(ctx, actor, accountID)
		if err != nil {
			return err
		}
		if target.ID == actor.AccountID {
			return partnerkit.FieldError("account_id", "is the actor's own account")
		}
		team, err := s.store.AccountMembers(ctx, actor.AccountID)
		if err != nil {
			return err
		}
		for _, id := range userIDs {
			if !slices.ContainsFunc(team, func(m Member) bool { return m.UserID == id }) {
				return partnerkit.FieldError("user_ids", "user "+id+" is not a member of your team")
			}
		}
		now := s.clock.Now()
		for _, m := range team {
			if !all && !slices.Contains(userIDs, m.UserID) {
				continue
			}
			gm := Membership{UserID: m.UserID, AccountID: accountID, Role: m.Role, CreatedAt: now}
			if err := s.store.CreateMembership(ctx, &gm); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, actor, accountID, "membership.created", "user", m.UserID, nil, gm); err != nil {
				return err
			}
			granted = append(granted, gm)
		}
		return nil
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return granted, nil
}
