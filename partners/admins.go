package partners

import (
	"context"

	"github.com/partnerkit/partnerkit"
)

// AccountAdmins returns the e-mail addresses of an account's admins, in
// the order they joined, with no tenancy check: for the mail sent about an
// account's business (package mail's Notifier). An account without admins
// yet (invited) or that does not exist has none.
func (s *Service) AccountAdmins(ctx context.Context, accountID string) ([]string, error) {
	const op = "partners.AccountAdmins"
	if err := partnerkit.CheckID("account_id", accountID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	ms, err := s.store.AccountMembers(ctx, accountID)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out []string
	for _, m := range ms {
		if m.Role == partnerkit.RoleAdmin && m.User.Email != "" {
			out = append(out, m.User.Email)
		}
	}
	return out, nil
}
