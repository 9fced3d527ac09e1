package partners

import (
	"context"
	"strconv"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
)

// RequestPasswordReset sends a reset link to email when it is a login:
// a single-use 256-bit token, stored as its hash, valid PasswordResetTTL,
// queued as partnerkit.MailPasswordReset in the transaction that stores
// it. It answers the same — nil — whether or not the email has a login,
// and takes about the same time: both make and hash a token, both read
// the same rows, and every call lasts at least the answer floor
// (ResetAnswerFloor), which covers the writes only a login gets.
//
// Requests are throttled like sign-ins, under keys of their own (the
// email, the address and both; see PairAttempts): rate_limited, for an
// email with or without a login alike. Returns invalid naming "email"
// for a malformed address.
func (s *Service) RequestPasswordReset(ctx context.Context, email, address string) error {
	const op = "partners.RequestPasswordReset"
	start := time.Now() // real time: the floor is about what a caller measures
	defer func() {
		if d := s.sec.floor() - time.Since(start); d > 0 {
			timer := time.NewTimer(d)
			defer timer.Stop()
			select {
			case <-timer.C:
			case <-ctx.Done():
			}
		}
	}()
	if err := validate.All(partnerkit.CheckText("email", email, false), partnerkit.CheckText("address", address, false)); err != nil {
		return partnerkit.WithOp(op, err)
	}
	email = NormalizeEmail(email)
	if err := validate.Struct(struct {
		Email string `json:"email" validate:"required,email,max=254"`
	}{email}); err != nil {
		return partnerkit.WithOp(op, err)
	}
	if _, err := s.admit(ctx, scopedKeys("reset", email, address)); err != nil {
		return partnerkit.WithOp(op, err)
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	if err != nil && partnerkit.ErrorCode(err) != partnerkit.CodeNotFound {
		return partnerkit.WithOp(op, err)
	}
	token, hash := newToken("") // made and hashed for an unknown email too
	userID := "UR-none"
	if u != nil {
		userID = u.ID
	}
	ms, err := s.store.UserMemberships(ctx, userID)
	if err != nil || u == nil {
		return partnerkit.WithOp(op, err)
	}
	now := s.clock.Now()
	r := &PasswordReset{TokenHash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(PasswordResetTTL)}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreatePasswordReset(ctx, r); err != nil {
			return err
		}
		return s.queueMail(ctx, partnerkit.Mail{Kind: partnerkit.MailPasswordReset, To: u.Email, AccountID: oldestAccount(ms),
			Ref: u.ID, Data: map[string]string{"reset_path": ResetPasswordPath + token, "full_name": u.FullName,
				"expires_at": stamp(r.ExpiresAt)}})
	})
	return partnerkit.WithOp(op, err)
}

// scopedKeys are throttleKeys under a scope of their own, counted with the
// same limits as sign-ins but apart from them.
func scopedKeys(scope, email, address string) []throttleKey {
	keys := throttleKeys(email, address)
	for i := range keys {
		keys[i].key = scope + ":" + keys[i].key
	}
	return keys
}

func oldestAccount(ms []Membership) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[0].AccountID
}

// ResetPassword sets a new password with a reset link's token: the
// password must meet the policy and not be a common one (invalid naming
// "password", checked before the link is used, so a refused password does
// not spend it). The link is used once — of concurrent uses exactly one
// succeeds, the others are gone — and every session of the user ends, as
// do their other reset links; partnerkit.MailPasswordChanged is queued. An
// unknown link is not_found, a used or expired one gone. Uses are
// throttled by the caller's address like sign-ins.
func (s *Service) ResetPassword(ctx context.Context, token, password, address string) error {
	const op = "partners.ResetPassword"
	if err := validate.All(partnerkit.CheckID("token", token), partnerkit.CheckText("password", password, false),
		partnerkit.CheckText("address", address, false)); err != nil {
		return partnerkit.WithOp(op, err)
	}
	if err := checkNewPassword("password", password); err != nil {
		return partnerkit.WithOp(op, err)
	}
	var counted []throttleKey
	if address != "" {
		var err error
		if counted, err = s.admit(ctx, []throttleKey{{throttleAddress, "reset:addr:" + address}}); err != nil {
			return partnerkit.WithOp(op, err)
		}
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		s.refund(ctx, counted)
		return partnerkit.WithOp(op, err)
	}
	now := s.clock.Now()
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		// Claim the link first: of concurrent uses one gets past here.
		r, err := s.store.UsePasswordReset(ctx, HashToken(token), now)
		switch partnerkit.ErrorCode(err) {
		case partnerkit.CodeNotFound:
			return partnerkit.Errorf(partnerkit.CodeNotFound, "this reset link is unknown: check that it was copied whole, or ask for a new one")
		case partnerkit.CodeGone:
			return partnerkit.Errorf(partnerkit.CodeGone, "this reset link was used already or has expired: ask for a new one")
		}
		if err != nil {
			return err
		}
		u, err := s.store.GetUser(ctx, r.UserID)
		if err != nil {
			return err
		}
		return s.passwordChanged(ctx, u, hash, "", "reset", now)
	})
	if err != nil {
		return partnerkit.WithOp(op, err)
	}
	return partnerkit.WithOp(op, s.settle(ctx, counted))
}

// ChangePasswordInput changes the signed-in user's password.
type ChangePasswordInput struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// ChangePassword changes the actor's password: the current one must be
// right (throttled like a sign-in; invalid naming "current_password" when
// it is not), the new one must meet the policy, not be a common one and
// differ from it (invalid naming "new_password"). Every other session of
// the user ends — keep is the caller's session token ("" ends all) — as
// do their reset links; partnerkit.MailPasswordChanged is queued. It
// returns how many sessions ended.
func (s *Service) ChangePassword(ctx context.Context, actor partnerkit.Actor, in ChangePasswordInput, keep, address string) (int, error) {
	const op = "partners.ChangePassword"
	if err := validate.All(requireUser(actor), validate.Text("", in), partnerkit.CheckText("address", address, false)); err != nil {
		return 0, partnerkit.WithOp(op, err)
	}
	var sameErr error
	if in.NewPassword == in.CurrentPassword && in.NewPassword != "" {
		sameErr = partnerkit.FieldError("new_password", "must differ from the current password")
	}
	if err := validate.All(checkNewPassword("new_password", in.NewPassword), sameErr); err != nil {
		return 0, partnerkit.WithOp(op, err)
	}
	u, err := s.store.GetUser(ctx, actor.UserID)
	if err != nil {
		return 0, partnerkit.WithOp(op, err)
	}
	if err := s.checkPassword(ctx, u.Email, address, func() bool { return s.hasher.Verify(u.PasswordHash, in.CurrentPassword) },
		partnerkit.FieldError("current_password", "is not your current password")); err != nil {
		return 0, partnerkit.WithOp(op, err)
	}
	hash, err := s.hashPassword(ctx, in.NewPassword)
	if err != nil {
		return 0, partnerkit.WithOp(op, err)
	}
	keepHash := ""
	if keep != "" {
		keepHash = HashToken(keep)
	}
	var ended int
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		ended, err = s.passwordChangedBy(ctx, actor, u, hash, keepHash, "change", s.clock.Now())
		return err
	})
	return ended, partnerkit.WithOp(op, err)
}

// passwordChanged stores a new password hash of u, ends their sessions
// but keepHash's and their reset links, records it and queues the mail,
// in the caller's transaction; the audit actor is u in their oldest
// account.
func (s *Service) passwordChanged(ctx context.Context, u *User, hash, keepHash, method string, now time.Time) error {
	ms, err := s.store.UserMemberships(ctx, u.ID)
	if err != nil {
		return err
	}
	actor := partnerkit.Actor{UserID: u.ID}
	if len(ms) > 0 {
		actor.AccountID, actor.Role = ms[0].AccountID, ms[0].Role
	}
	_, err = s.passwordChangedBy(ctx, actor, u, hash, keepHash, method, now)
	return err
}

func (s *Service) passwordChangedBy(ctx context.Context, actor partnerkit.Actor, u *User, hash, keepHash, method string, now time.Time) (int, error) {
	if err := s.store.UpdateUserPassword(ctx, u.ID, hash, now); err != nil {
		return 0, err
	}
	ended, err := s.store.DeleteUserSessions(ctx, u.ID, keepHash)
	if err != nil {
		return 0, err
	}
	if err := s.store.EndPasswordResets(ctx, u.ID, now); err != nil {
		return 0, err
	}
	if actor.AccountID != "" {
		if err := s.audit.Record(ctx, actor, actor.AccountID, "user.password_changed", "user", u.ID, nil,
			map[string]any{"user_id": u.ID, "method": method, "sessions_ended": ended}); err != nil {
			return 0, err
		}
	}
	return ended, s.queueMail(ctx, partnerkit.Mail{Kind: partnerkit.MailPasswordChanged, To: u.Email, AccountID: actor.AccountID,
		Ref: u.ID, Data: map[string]string{"full_name": u.FullName, "changed_at": stamp(now), "method": method,
			"sessions_ended": strconv.Itoa(ended), "security_path": SecurityPagePath}})
}
