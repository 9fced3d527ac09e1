package partners

import (
	"context"

	"github.com/partnerkit/partnerkit"
)

// AccountSecurityInput changes an account's security settings; nil
// fields stay.
type AccountSecurityInput struct {
	// RequireTwoFactor, when true, makes every member without two-factor
	// sign-in enrol at their next sign-in (their session may do nothing
	// else until then). API keys are unaffected: they are their own factor.
	RequireTwoFactor *bool `json:"require_two_factor"`
}

// AccountSecurity returns the security settings of the actor's account.
func (s *Service) AccountSecurity(ctx context.Context, actor partnerkit.Actor) (*AccountSecurity, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, partnerkit.WithOp("partners.AccountSecurity", err)
	}
	sec, err := s.store.GetAccountSecurity(ctx, actor.AccountID)
	return sec, partnerkit.WithOp("partners.AccountSecurity", err)
}

// SetAccountSecurity changes the security settings of the actor's account
// (admins only) and records partner.security_changed.
func (s *Service) SetAccountSecurity(ctx context.Context, actor partnerkit.Actor, in AccountSecurityInput) (*AccountSecurity, error) {
	const op = "partners.SetAccountSecurity"
	if err := actor.RequireAccount(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireAdmin(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *AccountSecurity
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.LockAccount(ctx, actor.AccountID); err != nil {
			return err
		}
		cur, err := s.store.GetAccountSecurity(ctx, actor.AccountID)
		if err != nil {
			return err
		}
		before := *cur
		if in.RequireTwoFactor != nil {
			cur.RequireTwoFactor = *in.RequireTwoFactor
		}
		if *cur == before && !before.UpdatedAt.IsZero() {
			out = cur
			return nil // nothing changes
		}
		cur.UpdatedAt = s.clock.Now()
		if err := s.store.PutAccountSecurity(ctx, cur); err != nil {
			return err
		}
		out = cur
		return s.audit.Record(ctx, actor, actor.AccountID, "partner.security_changed", "partner", actor.AccountID, &before, cur)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}
