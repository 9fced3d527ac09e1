package bunstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/uptrace/bun"
)

// UserSessions implements partners.SecurityStore.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]partners.Session, error) {
	var rows []sessionRow
	if err := s.conn(ctx).NewSelect().Model(&rows).Where("se.user_id = ?", userID).
		OrderExpr("se.created_at DESC, se.id DESC").Scan(ctx); err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal("bunstore.UserSessions", err)
	}
	out := make([]partners.Session, len(rows))
	for i := range rows {
		out[i] = *rows[i].toDomain()
	}
	return out, nil
}

// DeleteUserSession implements partners.SecurityStore.
func (s *Store) DeleteUserSession(ctx context.Context, userID, id string) error {
	res, err := s.conn(ctx).NewDelete().Model((*sessionRow)(nil)).Where("id = ? AND user_id = ?", id, userID).Exec(ctx)
	return affectedOne("bunstore.DeleteUserSession", res, err, "session", id)
}

// DeleteUserSessions implements partners.SecurityStore: one DELETE.
func (s *Store) DeleteUserSessions(ctx context.Context, userID, keep string) (int, error) {
	res, err := s.conn(ctx).NewDelete().Model((*sessionRow)(nil)).Where("user_id = ? AND token_hash <> ?", userID, keep).Exec(ctx)
	if err != nil {
		return 0, sqldb.Internal("bunstore.DeleteUserSessions", err)
	}
	n, err := res.RowsAffected()
	return int(n), sqldb.Internal("bunstore.DeleteUserSessions", err)
}

// LiftSessionRestrictions implements partners.SecurityStore.
func (s *Store) LiftSessionRestrictions(ctx context.Context, userID string) error {
	_, err := s.conn(ctx).NewUpdate().Model((*sessionRow)(nil)).Set("restricted = ?", false).
		Where("user_id = ? AND restricted = ?", userID, true).Exec(ctx)
	return sqldb.Internal("bunstore.LiftSessionRestrictions", err)
}

// UpdateUserPassword implements partners.SecurityStore.
func (s *Store) UpdateUserPassword(ctx context.Context, userID, hash string, at time.Time) error {
	res, err := s.conn(ctx).NewUpdate().Model((*userRow)(nil)).Set("password_hash = ?", hash).Set("updated_at = ?", at).
		Where("id = ?", userID).Exec(ctx)
	return affectedOne("bunstore.UpdateUserPassword", res, err, "user", userID)
}

type passwordResetRow struct {
	bun.BaseModel `bun:"table:password_resets,alias:pr"`

	TokenHash string `bun:"token_hash,pk"`
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (r *passwordResetRow) toDomain() *partners.PasswordReset {
	return &partners.PasswordReset{TokenHash: r.TokenHash, UserID: r.UserID, CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), UsedAt: utcPtr(r.UsedAt)}
}

// CreatePasswordReset implements partners.SecurityStore.
func (s *Store) CreatePasswordReset(ctx context.Context, r *partners.PasswordReset) error {
	_, err := s.conn(ctx).NewInsert().Model(&passwordResetRow{TokenHash: r.TokenHash, UserID: r.UserID, CreatedAt: r.CreatedAt,
		ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt}).Exec(ctx)
	return sqldb.Internal("bunstore.CreatePasswordReset", err)
}

// UsePasswordReset implements partners.SecurityStore with one conditional
// UPDATE … RETURNING; only when it claims nothing does a SELECT tell an
// unknown link from a spent one.
func (s *Store) UsePasswordReset(ctx context.Context, tokenHash string, at time.Time) (*partners.PasswordReset, error) {
	const op = "bunstore.UsePasswordReset"
	var r passwordResetRow
	err := s.conn(ctx).NewUpdate().Model(&r).Set("used_at = ?", at).
		Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", tokenHash, at).Returning("*").Scan(ctx)
	if err == nil {
		return r.toDomain(), nil
	}
	if !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal(op, err)
	}
	n, err := s.conn(ctx).NewSelect().Model((*passwordResetRow)(nil)).Where("token_hash = ?", tokenHash).Count(ctx)
	if err != nil {
		return nil, sqldb.Internal(op, err)
	}
	if n == 0 {
		return nil, partnerkit.NotFound("password reset", "")
	}
	return nil, partnerkit.Errorf(partnerkit.CodeGone, "this reset link was used already or has expired")
}

// EndPasswordResets implements partners.SecurityStore.
func (s *Store) EndPasswordResets(ctx context.Context, userID string, at time.Time) error {
	_, err := s.conn(ctx).NewUpdate().Model((*passwordResetRow)(nil)).Set("used_at = ?", at).
		Where("user_id = ? AND used_at IS NULL", userID).Exec(ctx)
	return sqldb.Internal("bunstore.EndPasswordResets", err)
}

type challengeRow struct {
	bun.BaseModel `bun:"table:sign_in_challenges,alias:ch"`

	TokenHash string `bun:"token_hash,pk"`
	UserID    string
	AccountID string
	Address   string
	UserAgent string
	CreatedAt time.Time
	ExpiresAt time.Time
	Failures  int
	UsedAt    *time.Time
}

// CreateSignInChallenge implements partners.SecurityStore.
func (s *Store) CreateSignInChallenge(ctx context.Context, c *partners.SignInChallenge) error {
	_, err := s.conn(ctx).NewInsert().Model(&challengeRow{TokenHash: c.TokenHash, UserID: c.UserID, AccountID: c.AccountID,
		Address: c.Address, UserAgent: c.UserAgent, CreatedAt: c.CreatedAt, ExpiresAt: c.ExpiresAt, Failures: c.Failures,
		UsedAt: c.UsedAt}).Exec(ctx)
	return sqldb.Internal("bunstore.CreateSignInChallenge", err)
}

// GetSignInChallenge implements partners.SecurityStore.
func (s *Store) GetSignInChallenge(ctx context.Context, tokenHash string) (*partners.SignInChallenge, error) {
	var r challengeRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("ch.token_hash = ?", tokenHash).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("sign-in challenge", "")
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetSignInChallenge", err)
	}
	return &partners.SignInChallenge{TokenHash: r.TokenHash, UserID: r.UserID, AccountID: r.AccountID, Address: r.Address,
		UserAgent: r.UserAgent, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), Failures: r.Failures,
		UsedAt: utcPtr(r.UsedAt)}, nil
}

// FailSignInChallenge implements partners.SecurityStore: UPDATE … SET
// failures = failures + 1 … RETURNING failures.
func (s *Store) FailSignInChallenge(ctx context.Context, tokenHash string) (int, error) {
	const op = "bunstore.FailSignInChallenge"
	var n int
	err := s.conn(ctx).QueryRowContext(ctx, `UPDATE sign_in_challenges SET failures = failures + 1
		WHERE token_hash = ? AND used_at IS NULL RETURNING failures`, tokenHash).Scan(&n)
	if err == nil {
		return n, nil
	}
	if !sqldb.IsNoRows(err) {
		return 0, sqldb.Internal(op, err)
	}
	if _, err := s.GetSignInChallenge(ctx, tokenHash); err != nil {
		return 0, err
	}
	return 0, partnerkit.Errorf(partnerkit.CodeGone, "this sign-in has ended")
}

// UseSignInChallenge implements partners.SecurityStore with a conditional
// UPDATE.
func (s *Store) UseSignInChallenge(ctx context.Context, tokenHash string, max int, at time.Time) error {
	res, err := s.conn(ctx).NewUpdate().Model((*challengeRow)(nil)).Set("used_at = ?", at).
		Where("token_hash = ? AND used_at IS NULL AND failures < ?", tokenHash, max).Exec(ctx)
	return claimed("bunstore.UseSignInChallenge", res, err,
		partnerkit.Errorf(partnerkit.CodeGone, "this sign-in has ended: sign in again with your password"))
}

// claimed turns a conditional statement that changed no row into lost.
func claimed(op string, res sql.Result, err error, lost error) error {
	if err != nil {
		return sqldb.Internal(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return sqldb.Internal(op, err)
	}
	if n == 0 {
		return lost
	}
	return nil
}

type twoFactorRow struct {
	bun.BaseModel `bun:"table:two_factor,alias:tf"`

	UserID        string `bun:"user_id,pk"`
	Secret        string
	EnabledAt     *time.Time
	LastStep      int64
	MuteNewSignIn bool `bun:"mute_new_sign_in"`
	UpdatedAt     time.Time
}

// GetTwoFactor implements partners.SecurityStore.
func (s *Store) GetTwoFactor(ctx context.Context, userID string) (*partners.TwoFactor, error) {
	var r twoFactorRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("tf.user_id = ?", userID).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("two-factor setting", userID)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetTwoFactor", err)
	}
	return &partners.TwoFactor{UserID: r.UserID, Secret: r.Secret, EnabledAt: utcPtr(r.EnabledAt), LastStep: r.LastStep,
		MuteNewSignIn: r.MuteNewSignIn, UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// PendTwoFactor implements partners.SecurityStore: one upsert whose update
// applies only while two-factor sign-in is not enabled.
func (s *Store) PendTwoFactor(ctx context.Context, userID, secret string, at time.Time) error {
	const op = "bunstore.PendTwoFactor"
	return s.InTx(ctx, func(ctx context.Context) error {
		res, err := s.conn(ctx).ExecContext(ctx, `INSERT INTO two_factor (user_id, secret, enabled_at, last_step, mute_new_sign_in, updated_at)
			VALUES (?, ?, NULL, 0, FALSE, ?)
			ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0, updated_at = excluded.updated_at
			WHERE two_factor.enabled_at IS NULL`, userID, secret, at)
		if err := claimed(op, res, err, partnerkit.Errorf(partnerkit.CodeConflict, "two-factor sign-in is on already")); err != nil {
			return err
		}
		_, err = s.conn(ctx).NewDelete().Model((*recoveryCodeRow)(nil)).Where("user_id = ?", userID).Exec(ctx)
		return sqldb.Internal(op, err)
	})
}

// SetMuteNewSignIn implements partners.SecurityStore with one upsert.
func (s *Store) SetMuteNewSignIn(ctx context.Context, userID string, mute bool, at time.Time) error {
	_, err := s.conn(ctx).ExecContext(ctx, `INSERT INTO two_factor (user_id, secret, enabled_at, last_step, mute_new_sign_in, updated_at)
		VALUES (?, '', NULL, 0, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET mute_new_sign_in = excluded.mute_new_sign_in, updated_at = excluded.updated_at`,
		userID, mute, at)
	return sqldb.Internal("bunstore.SetMuteNewSignIn", err)
}

// EnableTwoFactor implements partners.SecurityStore with a conditional
// UPDATE.
func (s *Store) EnableTwoFactor(ctx context.Context, userID string, step int64, at time.Time) error {
	res, err := s.conn(ctx).NewUpdate().Model((*twoFactorRow)(nil)).Set("enabled_at = ?", at).Set("last_step = ?", step).
		Set("updated_at = ?", at).Where("user_id = ? AND enabled_at IS NULL AND secret <> ''", userID).Exec(ctx)
	return claimed("bunstore.EnableTwoFactor", res, err, partnerkit.Errorf(partnerkit.CodeConflict, "no two-factor enrolment is pending"))
}

// DisableTwoFactor implements partners.SecurityStore.
func (s *Store) DisableTwoFactor(ctx context.Context, userID string, at time.Time) error {
	const op = "bunstore.DisableTwoFactor"
	return s.InTx(ctx, func(ctx context.Context) error {
		res, err := s.conn(ctx).NewUpdate().Model((*twoFactorRow)(nil)).Set("secret = ''").Set("enabled_at = NULL").
			Set("last_step = 0").Set("updated_at = ?", at).Where("user_id = ? AND enabled_at IS NOT NULL", userID).Exec(ctx)
		if err := claimed(op, res, err, partnerkit.NotFound("two-factor setting", userID)); err != nil {
			return err
		}
		_, err = s.conn(ctx).NewDelete().Model((*recoveryCodeRow)(nil)).Where("user_id = ?", userID).Exec(ctx)
		return sqldb.Internal(op, err)
	})
}

// ResealTwoFactorSecret implements partners.SecurityStore with one
// conditional UPDATE.
func (s *Store) ResealTwoFactorSecret(ctx context.Context, userID, old, sealed string) error {
	_, err := s.conn(ctx).NewUpdate().Model((*twoFactorRow)(nil)).Set("secret = ?", sealed).
		Where("user_id = ? AND secret = ?", userID, old).Exec(ctx)
	return sqldb.Internal("bunstore.ResealTwoFactorSecret", err)
}

// TwoFactorSecretLike implements partners.SecurityStore.
func (s *Store) TwoFactorSecretLike(ctx context.Context, prefix string) (string, error) {
	var secrets []string
	err := s.conn(ctx).NewSelect().Model((*twoFactorRow)(nil)).Column("secret").
		Where("secret <> '' AND substr(secret, 1, ?) = ?", len(prefix), prefix).OrderExpr("user_id").Limit(1).Scan(ctx, &secrets)
	if err != nil || len(secrets) == 0 {
		return "", sqldb.Internal("bunstore.TwoFactorSecretLike", err)
	}
	return secrets[0], nil
}

// UseTOTPStep implements partners.SecurityStore: UPDATE … SET last_step =
// ? WHERE last_step < ?, then, when it changed nothing, a read to tell a
// replay (conflict) from no two-factor (not_found).
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	const op = "bunstore.UseTOTPStep"
	res, err := s.conn(ctx).NewUpdate().Model((*twoFactorRow)(nil)).Set("last_step = ?", step).
		Where("user_id = ? AND enabled_at IS NOT NULL AND last_step < ?", userID, step).Exec(ctx)
	err = claimed(op, res, err, partnerkit.Errorf(partnerkit.CodeConflict, "this code was used already"))
	if partnerkit.ErrorCode(err) != partnerkit.CodeConflict {
		return err
	}
	tf, gerr := s.GetTwoFactor(ctx, userID)
	if gerr != nil {
		return gerr
	}
	if tf.EnabledAt == nil {
		return partnerkit.NotFound("two-factor setting", userID)
	}
	return err
}

type recoveryCodeRow struct {
	bun.BaseModel `bun:"table:recovery_codes,alias:rc"`

	UserID   string `bun:"user_id,pk"`
	CodeHash string `bun:"code_hash,pk"`
	UsedAt   *time.Time
}

// ReplaceRecoveryCodes implements partners.SecurityStore.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	const op = "bunstore.ReplaceRecoveryCodes"
	return s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.conn(ctx).NewDelete().Model((*recoveryCodeRow)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return sqldb.Internal(op, err)
		}
		if len(hashes) == 0 {
			return nil
		}
		rows := make([]recoveryCodeRow, len(hashes))
		for i, h := range hashes {
			rows[i] = recoveryCodeRow{UserID: userID, CodeHash: h}
		}
		_, err := s.conn(ctx).NewInsert().Model(&rows).Exec(ctx)
		return sqldb.Internal(op, err)
	})
}

// RenewRecoveryCodes implements partners.SecurityStore: the conditional
// UPDATE of the user's two_factor row first (it holds the row until the
// transaction ends, so renewals and DisableTwoFactor of one user run one
// after another), then the codes are replaced.
func (s *Store) RenewRecoveryCodes(ctx context.Context, userID string, hashes []string, at time.Time) error {
	const op = "bunstore.RenewRecoveryCodes"
	return s.InTx(ctx, func(ctx context.Context) error {
		res, err := s.conn(ctx).NewUpdate().Model((*twoFactorRow)(nil)).Set("updated_at = ?", at).
			Where("user_id = ? AND enabled_at IS NOT NULL", userID).Exec(ctx)
		if err := claimed(op, res, err, partnerkit.NotFound("two-factor setting", userID)); err != nil {
			return err
		}
		return s.ReplaceRecoveryCodes(ctx, userID, hashes)
	})
}

// UseRecoveryCode implements partners.SecurityStore with a conditional
// UPDATE.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, hash string, at time.Time) error {
	res, err := s.conn(ctx).NewUpdate().Model((*recoveryCodeRow)(nil)).Set("used_at = ?", at).
		Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, hash).Exec(ctx)
	return claimed("bunstore.UseRecoveryCode", res, err, partnerkit.NotFound("recovery code", ""))
}

// RecoveryCodesLeft implements partners.SecurityStore.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	n, err := s.conn(ctx).NewSelect().Model((*recoveryCodeRow)(nil)).Where("user_id = ? AND used_at IS NULL", userID).Count(ctx)
	return int(n), sqldb.Internal("bunstore.RecoveryCodesLeft", err)
}

type accountSecurityRow struct {
	bun.BaseModel `bun:"table:account_security,alias:asec"`

	AccountID        string `bun:"account_id,pk"`
	RequireTwoFactor bool
	UpdatedAt        time.Time
}

// GetAccountSecurity implements partners.SecurityStore.
func (s *Store) GetAccountSecurity(ctx context.Context, accountID string) (*partners.AccountSecurity, error) {
	var r accountSecurityRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("asec.account_id = ?", accountID).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return &partners.AccountSecurity{AccountID: accountID}, nil
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetAccountSecurity", err)
	}
	return &partners.AccountSecurity{AccountID: r.AccountID, RequireTwoFactor: r.RequireTwoFactor, UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// PutAccountSecurity implements partners.SecurityStore with one upsert.
func (s *Store) PutAccountSecurity(ctx context.Context, sec *partners.AccountSecurity) error {
	_, err := s.conn(ctx).NewInsert().Model(&accountSecurityRow{AccountID: sec.AccountID, RequireTwoFactor: sec.RequireTwoFactor,
		UpdatedAt: sec.UpdatedAt}).On("CONFLICT (account_id) DO UPDATE").
		Set("require_two_factor = EXCLUDED.require_two_factor, updated_at = EXCLUDED.updated_at").Exec(ctx)
	return sqldb.Internal("bunstore.PutAccountSecurity", err)
}

// RememberDevice implements partners.SecurityStore: a count, then INSERT …
// ON CONFLICT DO NOTHING.
func (s *Store) RememberDevice(ctx context.Context, userID, device string, at time.Time) (bool, int, error) {
	const op = "bunstore.RememberDevice"
	before, err := s.conn(ctx).NewSelect().Table("known_devices").Where("user_id = ?", userID).Count(ctx)
	if err != nil {
		return false, 0, sqldb.Internal(op, err)
	}
	res, err := s.conn(ctx).ExecContext(ctx, `INSERT INTO known_devices (user_id, device, first_seen_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id, device) DO NOTHING`, userID, device, at)
	if err != nil {
		return false, 0, sqldb.Internal(op, err)
	}
	n, err := res.RowsAffected()
	return n == 1, int(before), sqldb.Internal(op, err)
}

// ListTeamInvitations implements partners.SecurityStore.
func (s *Store) ListTeamInvitations(ctx context.Context, accountID string) ([]partners.TeamInvitation, error) {
	var rows []teamInvitationRow
	if err := s.conn(ctx).NewSelect().Model(&rows).Where("ti.account_id = ?", accountID).
		OrderExpr("ti.created_at DESC, ti.id DESC").Scan(ctx); err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal("bunstore.ListTeamInvitations", err)
	}
	out := make([]partners.TeamInvitation, len(rows))
	for i := range rows {
		out[i] = *rows[i].toDomain()
	}
	return out, nil
}

// GetTeamInvitation implements partners.SecurityStore.
func (s *Store) GetTeamInvitation(ctx context.Context, id string) (*partners.TeamInvitation, error) {
	var r teamInvitationRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("ti.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("team invitation", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetTeamInvitation", err)
	}
	return r.toDomain(), nil
}

// RenewTeamInvitation implements partners.SecurityStore with a conditional
// UPDATE.
func (s *Store) RenewTeamInvitation(ctx context.Context, inv *partners.TeamInvitation) error {
	res, err := s.conn(ctx).NewUpdate().Model((*teamInvitationRow)(nil)).Set("token_hash = ?", inv.TokenHash).
		Set("sent_at = ?", inv.SentAt).Set("expires_at = ?", inv.ExpiresAt).
		Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", inv.ID).Exec(ctx)
	return s.invitationClaimed("bunstore.RenewTeamInvitation", ctx, inv.ID, res, err)
}

// RevokeTeamInvitation implements partners.SecurityStore with a
// conditional UPDATE.
func (s *Store) RevokeTeamInvitation(ctx context.Context, id string, at time.Time) error {
	res, err := s.conn(ctx).NewUpdate().Model((*teamInvitationRow)(nil)).Set("revoked_at = ?", at).
		Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", id).Exec(ctx)
	return s.invitationClaimed("bunstore.RevokeTeamInvitation", ctx, id, res, err)
}

func (s *Store) invitationClaimed(op string, ctx context.Context, id string, res sql.Result, err error) error {
	err = claimed(op, res, err, partnerkit.Errorf(partnerkit.CodeConflict, "team invitation %s is used or revoked", id))
	if partnerkit.ErrorCode(err) != partnerkit.CodeConflict {
		return err
	}
	if _, gerr := s.GetTeamInvitation(ctx, id); gerr != nil {
		return gerr
	}
	return err
}
