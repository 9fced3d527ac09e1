package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/memdb"
	"github.com/partnerkit/partnerkit/partners"
)

// securityTables hold what partners.SecurityStore stores. Every
// conditional update of the SQL stores is a check and a write under the
// engine's one lock here.
type securityTables struct {
	resets     *memdb.Table[string, partners.PasswordReset]   // token hash → reset
	challenges *memdb.Table[string, partners.SignInChallenge] // token hash → challenge
	twoFactor  *memdb.Table[string, partners.TwoFactor]       // user ID → row
	recovery   *memdb.Table[string, *time.Time]               // user ID + "\x00" + hash → used at
	accountSec *memdb.Table[string, partners.AccountSecurity] // account ID → settings
	devices    *memdb.Table[string, time.Time]                // user ID + "\x00" + device → first seen
}

func newSecurityTables() securityTables {
	return securityTables{
		resets:     memdb.NewTable[string, partners.PasswordReset](),
		challenges: memdb.NewTable[string, partners.SignInChallenge](),
		twoFactor:  memdb.NewTable[string, partners.TwoFactor](),
		recovery:   memdb.NewTable[string, *time.Time](),
		accountSec: memdb.NewTable[string, partners.AccountSecurity](),
		devices:    memdb.NewTable[string, time.Time](),
	}
}

func pairKey(a, b string) string { return a + "\x00" + b }

// UserSessions implements partners.SecurityStore.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]partners.Session, error) {
	var out []partners.Session
	err := s.db.View(ctx, func() error {
		for x := range s.sessions.Values() {
			if x.UserID == userID {
				out = append(out, x)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b partners.Session) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, err
}

// DeleteUserSession implements partners.SecurityStore.
func (s *Store) DeleteUserSession(ctx context.Context, userID, id string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		for hash, x := range s.sessions.All() {
			if x.ID == id && x.UserID == userID {
				s.sessions.Delete(t, hash)
				return nil
			}
		}
		return partnerkit.NotFound("session", id)
	})
}

// DeleteUserSessions implements partners.SecurityStore.
func (s *Store) DeleteUserSessions(ctx context.Context, userID, keep string) (int, error) {
	n := 0
	err := s.db.Update(ctx, func(t *memdb.Tx) error {
		for hash, x := range s.sessions.All() {
			if x.UserID == userID && hash != keep {
				s.sessions.Delete(t, hash)
				n++
			}
		}
		return nil
	})
	return n, err
}

// LiftSessionRestrictions implements partners.SecurityStore.
func (s *Store) LiftSessionRestrictions(ctx context.Context, userID string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		for hash, x := range s.sessions.All() {
			if x.UserID == userID && x.Restricted {
				x.Restricted = false
				s.sessions.Put(t, hash, x)
			}
		}
		return nil
	})
}

// UpdateUserPassword implements partners.SecurityStore.
func (s *Store) UpdateUserPassword(ctx context.Context, userID, hash string, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		u, ok := s.users.Get(userID)
		if !ok {
			return partnerkit.NotFound("user", userID)
		}
		u.PasswordHash, u.UpdatedAt = hash, at
		s.users.Put(t, userID, u)
		return nil
	})
}

// CreatePasswordReset implements partners.SecurityStore.
func (s *Store) CreatePasswordReset(ctx context.Context, r *partners.PasswordReset) error {
	return put(ctx, s, s.sec.resets, r.TokenHash, *r)
}

// UsePasswordReset implements partners.SecurityStore.
func (s *Store) UsePasswordReset(ctx context.Context, tokenHash string, at time.Time) (*partners.PasswordReset, error) {
	var out *partners.PasswordReset
	err := s.db.Update(ctx, func(t *memdb.Tx) error {
		r, ok := s.sec.resets.Get(tokenHash)
		switch {
		case !ok:
			return partnerkit.NotFound("password reset", "")
		case r.UsedAt != nil || !at.Before(r.ExpiresAt):
			return partnerkit.Errorf(partnerkit.CodeGone, "this reset link was used already or has expired")
		}
		r.UsedAt = &at
		s.sec.resets.Put(t, tokenHash, r)
		out = &r
		return nil
	})
	return out, err
}

// EndPasswordResets implements partners.SecurityStore.
func (s *Store) EndPasswordResets(ctx context.Context, userID string, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		for hash, r := range s.sec.resets.All() {
			if r.UserID == userID && r.UsedAt == nil {
				r.UsedAt = &at
				s.sec.resets.Put(t, hash, r)
			}
		}
		return nil
	})
}

// CreateSignInChallenge implements partners.SecurityStore.
func (s *Store) CreateSignInChallenge(ctx context.Context, c *partners.SignInChallenge) error {
	return put(ctx, s, s.sec.challenges, c.TokenHash, *c)
}

// GetSignInChallenge implements partners.SecurityStore.
func (s *Store) GetSignInChallenge(ctx context.Context, tokenHash string) (*partners.SignInChallenge, error) {
	return memdb.Get(ctx, s.db, s.sec.challenges, "sign-in challenge", tokenHash)
}

// FailSignInChallenge implements partners.SecurityStore.
func (s *Store) FailSignInChallenge(ctx context.Context, tokenHash string) (int, error) {
	n := 0
	err := s.db.Update(ctx, func(t *memdb.Tx) error {
		c, ok := s.sec.challenges.Get(tokenHash)
		switch {
		case !ok:
			return partnerkit.NotFound("sign-in challenge", "")
		case c.UsedAt != nil:
			return partnerkit.Errorf(partnerkit.CodeGone, "this sign-in has ended")
		}
		c.Failures++
		n = c.Failures
		s.sec.challenges.Put(t, tokenHash, c)
		return nil
	})
	return n, err
}

// UseSignInChallenge implements partners.SecurityStore.
func (s *Store) UseSignInChallenge(ctx context.Context, tokenHash string, max int, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		c, ok := s.sec.challenges.Get(tokenHash)
		if !ok || c.UsedAt != nil || c.Failures >= max {
			return partnerkit.Errorf(partnerkit.CodeGone, "this sign-in has ended: sign in again with your password")
		}
		c.UsedAt = &at
		s.sec.challenges.Put(t, tokenHash, c)
		return nil
	})
}

// GetTwoFactor implements partners.SecurityStore.
func (s *Store) GetTwoFactor(ctx context.Context, userID string) (*partners.TwoFactor, error) {
	return memdb.Get(ctx, s.db, s.sec.twoFactor, "two-factor setting", userID)
}

// PendTwoFactor implements partners.SecurityStore.
func (s *Store) PendTwoFactor(ctx context.Context, userID, secret string, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		tf, ok := s.sec.twoFactor.Get(userID)
		if ok && tf.EnabledAt != nil {
			return partnerkit.Errorf(partnerkit.CodeConflict, "two-factor sign-in is on already")
		}
		tf.UserID, tf.Secret, tf.EnabledAt, tf.LastStep, tf.UpdatedAt = userID, secret, nil, 0, at
		s.sec.twoFactor.Put(t, userID, tf)
		s.clearRecovery(t, userID)
		return nil
	})
}

// SetMuteNewSignIn implements partners.SecurityStore.
func (s *Store) SetMuteNewSignIn(ctx context.Context, userID string, mute bool, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		tf, _ := s.sec.twoFactor.Get(userID)
		tf.UserID, tf.MuteNewSignIn, tf.UpdatedAt = userID, mute, at
		s.sec.twoFactor.Put(t, userID, tf)
		return nil
	})
}

// EnableTwoFactor implements partners.SecurityStore.
func (s *Store) EnableTwoFactor(ctx context.Context, userID string, step int64, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		tf, ok := s.sec.twoFactor.Get(userID)
		if !ok || tf.EnabledAt != nil || tf.Secret == "" {
			return partnerkit.Errorf(partnerkit.CodeConflict, "no two-factor enrolment is pending")
		}
		tf.EnabledAt, tf.LastStep, tf.UpdatedAt = &at, step, at
		s.sec.twoFactor.Put(t, userID, tf)
		return nil
	})
}

// DisableTwoFactor implements partners.SecurityStore.
func (s *Store) DisableTwoFactor(ctx context.Context, userID string, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		tf, ok := s.sec.twoFactor.Get(userID)
		if !ok || tf.EnabledAt == nil {
			return partnerkit.NotFound("two-factor setting", userID)
		}
		tf.Secret, tf.EnabledAt, tf.LastStep, tf.UpdatedAt = "", nil, 0, at
		s.sec.twoFactor.Put(t, userID, tf)
		s.clearRecovery(t, userID)
		return nil
	})
}

// ResealTwoFactorSecret implements partners.SecurityStore.
func (s *Store) ResealTwoFactorSecret(ctx context.Context, userID, old, sealed string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if tf, ok := s.sec.twoFactor.Get(userID); ok && tf.Secret == old {
			tf.Secret = sealed
			s.sec.twoFactor.Put(t, userID, tf)
		}
		return nil
	})
}

// TwoFactorSecretLike implements partners.SecurityStore.
func (s *Store) TwoFactorSecretLike(ctx context.Context, prefix string) (string, error) {
	var out string
	err := s.db.View(ctx, func() error {
		for _, tf := range s.sec.twoFactor.All() {
			if strings.HasPrefix(tf.Secret, prefix) && tf.Secret != "" {
				out = tf.Secret
				break
			}
		}
		return nil
	})
	return out, err
}

// UseTOTPStep implements partners.SecurityStore.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		tf, ok := s.sec.twoFactor.Get(userID)
		switch {
		case !ok || tf.EnabledAt == nil:
			return partnerkit.NotFound("two-factor setting", userID)
		case tf.LastStep >= step:
			return partnerkit.Errorf(partnerkit.CodeConflict, "this code was used already")
		}
		tf.LastStep = step
		s.sec.twoFactor.Put(t, userID, tf)
		return nil
	})
}

func (s *Store) clearRecovery(t *memdb.Tx, userID string) {
	for k := range s.sec.recovery.All() {
		if strings.HasPrefix(k, userID+"\x00") {
			s.sec.recovery.Delete(t, k)
		}
	}
}

// ReplaceRecoveryCodes implements partners.SecurityStore.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		s.clearRecovery(t, userID)
		for _, h := range hashes {
			s.sec.recovery.Put(t, pairKey(userID, h), nil)
		}
		return nil
	})
}

// RenewRecoveryCodes implements partners.SecurityStore (the engine
// serialises write transactions).
func (s *Store) RenewRecoveryCodes(ctx context.Context, userID string, hashes []string, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		tf, ok := s.sec.twoFactor.Get(userID)
		if !ok || tf.EnabledAt == nil {
			return partnerkit.NotFound("two-factor setting", userID)
		}
		tf.UpdatedAt = at
		s.sec.twoFactor.Put(t, userID, tf)
		s.clearRecovery(t, userID)
		for _, h := range hashes {
			s.sec.recovery.Put(t, pairKey(userID, h), nil)
		}
		return nil
	})
}

// UseRecoveryCode implements partners.SecurityStore.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, hash string, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		used, ok := s.sec.recovery.Get(pairKey(userID, hash))
		if !ok || used != nil {
			return partnerkit.NotFound("recovery code", "")
		}
		s.sec.recovery.Put(t, pairKey(userID, hash), &at)
		return nil
	})
}

// RecoveryCodesLeft implements partners.SecurityStore.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	n := 0
	err := s.db.View(ctx, func() error {
		for k, used := range s.sec.recovery.All() {
			if used == nil && strings.HasPrefix(k, userID+"\x00") {
				n++
			}
		}
		return nil
	})
	return n, err
}

// GetAccountSecurity implements partners.SecurityStore.
func (s *Store) GetAccountSecurity(ctx context.Context, accountID string) (*partners.AccountSecurity, error) {
	out := &partners.AccountSecurity{AccountID: accountID}
	err := s.db.View(ctx, func() error {
		if v, ok := s.sec.accountSec.Get(accountID); ok {
			*out = v
		}
		return nil
	})
	return out, err
}

// PutAccountSecurity implements partners.SecurityStore.
func (s *Store) PutAccountSecurity(ctx context.Context, sec *partners.AccountSecurity) error {
	return put(ctx, s, s.sec.accountSec, sec.AccountID, *sec)
}

// RememberDevice implements partners.SecurityStore.
func (s *Store) RememberDevice(ctx context.Context, userID, device string, at time.Time) (bool, int, error) {
	added, before := false, 0
	err := s.db.Update(ctx, func(t *memdb.Tx) error {
		for k := range s.sec.devices.All() {
			if strings.HasPrefix(k, userID+"\x00") {
				before++
			}
		}
		if _, ok := s.sec.devices.Get(pairKey(userID, device)); !ok {
			s.sec.devices.Put(t, pairKey(userID, device), at)
			added = true
		}
		return nil
	})
	return added, before, err
}

// ListTeamInvitations implements partners.SecurityStore.
func (s *Store) ListTeamInvitations(ctx context.Context, accountID string) ([]partners.TeamInvitation, error) {
	var out []partners.TeamInvitation
	err := s.db.View(ctx, func() error {
		for inv := range s.teamInvites.Values() {
			if inv.AccountID == accountID {
				out = append(out, inv)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b partners.TeamInvitation) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, err
}

// GetTeamInvitation implements partners.SecurityStore.
func (s *Store) GetTeamInvitation(ctx context.Context, id string) (*partners.TeamInvitation, error) {
	var out *partners.TeamInvitation
	err := s.db.View(ctx, func() error {
		for inv := range s.teamInvites.Values() {
			if inv.ID == id {
				out = &inv
				return nil
			}
		}
		return partnerkit.NotFound("team invitation", id)
	})
	return out, err
}

// RenewTeamInvitation implements partners.SecurityStore.
func (s *Store) RenewTeamInvitation(ctx context.Context, next *partners.TeamInvitation) error {
	return s.changeInvitation(ctx, next.ID, func(t *memdb.Tx, hash string, inv partners.TeamInvitation) {
		s.teamInvites.Delete(t, hash)
		inv.TokenHash, inv.SentAt, inv.ExpiresAt = next.TokenHash, next.SentAt, next.ExpiresAt
		s.teamInvites.Put(t, inv.TokenHash, inv)
	})
}

// RevokeTeamInvitation implements partners.SecurityStore.
func (s *Store) RevokeTeamInvitation(ctx context.Context, id string, at time.Time) error {
	return s.changeInvitation(ctx, id, func(t *memdb.Tx, hash string, inv partners.TeamInvitation) {
		inv.RevokedAt = &at
		s.teamInvites.Put(t, hash, inv)
	})
}

// changeInvitation applies change to a pending invitation, or returns
// not_found or conflict.
func (s *Store) changeInvitation(ctx context.Context, id string, change func(t *memdb.Tx, hash string, inv partners.TeamInvitation)) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		for hash, inv := range s.teamInvites.All() {
			if inv.ID != id {
				continue
			}
			if inv.UsedAt != nil || inv.RevokedAt != nil {
				return partnerkit.Errorf(partnerkit.CodeConflict, "team invitation %s is used or revoked", id)
			}
			change(t, hash, inv)
			return nil
		}
		return partnerkit.NotFound("team invitation", id)
	})
}
