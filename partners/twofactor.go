package partners

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpOpts are the codes' parameters: RFC 6238's defaults, which every
// authenticator app reads from the otpauth URL.
var totpOpts = totp.ValidateOpts{Period: uint(TOTPPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// matchTOTP returns the time step of the code among the current step and
// the ones just before and after it (clock drift), or false.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != int(totpOpts.Digits) {
		return 0, false
	}
	period := int64(totpOpts.Period)
	step := now.Unix() / period
	for _, d := range []int64{0, -1, 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*period, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}

// recoveryEncoding spells recovery codes (Crockford's base32, lower case).
var recoveryEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// newRecoveryCodes returns RecoveryCodes random codes ("7x3k9-q2mfa", 50
// bits each) and their hashes.
func newRecoveryCodes() (codes, hashes []string) {
	for range RecoveryCodes {
		var b [8]byte
		_, _ = rand.Read(b[:])
		c := recoveryEncoding.EncodeToString(b[:])[:10]
		codes = append(codes, c[:5]+"-"+c[5:])
		hashes = append(hashes, hashRecoveryCode(c))
	}
	return codes, hashes
}

// hashRecoveryCode returns the hex SHA-256 of a recovery code as typed:
// case, spaces and dashes do not matter, nor o for 0 or i and l for 1. An
// unsalted hash suffices for 50 random bits, as for tokens.
func hashRecoveryCode(code string) string {
	code = strings.NewReplacer("-", "", " ", "", "o", "0", "i", "1", "l", "1").Replace(strings.ToLower(strings.TrimSpace(code)))
	return HashToken("recovery:" + code)
}

// TwoFactorEnrolment is a started enrolment: what the authenticator app
// needs. The secret is shown only here.
type TwoFactorEnrolment struct {
	// Secret is the base32 TOTP secret, for typing into the app.
	Secret string `json:"secret"`
	// URL is the otpauth:// URL the QR code holds.
	URL string `json:"otpauth_url"`
	// QRCodeSVG is the QR code of URL as an SVG document, made here (no
	// remote service); QRCode is the same as a data: URL for an <img>.
	QRCodeSVG string `json:"qr_code_svg"`
	QRCode    string `json:"qr_code"`
	// Period and Digits are the codes' (30 seconds, 6 digits).
	Period int `json:"period"`
	Digits int `json:"digits"`
}

// requireUser refuses an actor that is not a signed-in user.
func requireUser(actor partnerkit.Actor) error {
	if actor.UserID == "" {
		return partnerkit.Errorf(partnerkit.CodeForbidden,
			"only a signed-in user has a password, sessions and two-factor sign-in; an API key is its own factor")
	}
	return nil
}

// BeginTwoFactor starts (or restarts) the actor's enrolment in two-factor
// sign-in: a new TOTP secret, pending until ConfirmTwoFactor. Returns
// conflict when two-factor sign-in is on already, forbidden for an API key.
func (s *Service) BeginTwoFactor(ctx context.Context, actor partnerkit.Actor) (*TwoFactorEnrolment, error) {
	const op = "partners.BeginTwoFactor"
	if err := requireUser(actor); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	u, err := s.store.GetUser(ctx, actor.UserID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: u.Email, Period: totpOpts.Period,
		SecretSize: 20, Digits: totpOpts.Digits, Algorithm: totpOpts.Algorithm})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	err = s.store.PendTwoFactor(ctx, u.ID, s.sealSecret(key.Secret()), s.clock.Now())
	if partnerkit.ErrorCode(err) == partnerkit.CodeConflict {
		err = partnerkit.Errorf(partnerkit.CodeConflict, "two-factor sign-in is on already: turn it off first to enrol another app")
	}
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	svg, err := QRCodeSVG(key.URL())
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return &TwoFactorEnrolment{Secret: key.Secret(), URL: key.URL(), QRCodeSVG: svg,
		QRCode: "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(svg)),
		Period: int(totpOpts.Period), Digits: int(totpOpts.Digits)}, nil
}

// ConfirmTwoFactor turns two-factor sign-in on with a code of the pending
// enrolment's secret and returns RecoveryCodes single-use recovery codes,
// shown only here (stored hashed). It lifts the restriction of the user's
// sessions to enrolment and queues partnerkit.MailTwoFactorChanged. The
// code is throttled as a password is (address is the caller's): invalid
// naming "code" when it is wrong, conflict when no enrolment is pending.
func (s *Service) ConfirmTwoFactor(ctx context.Context, actor partnerkit.Actor, code, address string) ([]string, error) {
	const op = "partners.ConfirmTwoFactor"
	if err := validate.All(requireUser(actor), partnerkit.CheckText("code", code, false), partnerkit.CheckText("address", address, false)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	u, tf, err := s.userTwoFactor(ctx, actor.UserID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	switch {
	case tf.Enabled():
		return nil, partnerkit.WithOp(op, partnerkit.Errorf(partnerkit.CodeConflict, "two-factor sign-in is on already"))
	case !tf.Pending():
		return nil, partnerkit.WithOp(op, partnerkit.Errorf(partnerkit.CodeConflict,
			"no enrolment to confirm: start one (POST /api/v1/me/two-factor) and scan its QR code first"))
	}
	secret, err := s.openSecret(tf.Secret)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	now := s.clock.Now()
	var step int64
	bad := partnerkit.FieldError("code", "is not the current code of your authenticator app: check that the phone's clock is right")
	if err := s.throttled(ctx, throttleKeys(u.Email, address), func() bool {
		var ok bool
		step, ok = matchTOTP(secret, code, now)
		return ok
	}, bad, true); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	codes, hashes := newRecoveryCodes()
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.EnableTwoFactor(ctx, u.ID, step, now); err != nil {
			return err
		}
		if err := s.resealPlain(ctx, tf); err != nil { // pending since before the key
			return err
		}
		if err := s.store.ReplaceRecoveryCodes(ctx, u.ID, hashes); err != nil {
			return err
		}
		if err := s.store.LiftSessionRestrictions(ctx, u.ID); err != nil {
			return err
		}
		return s.twoFactorChanged(ctx, actor, u, true, now)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return codes, nil
}

// DisableTwoFactorInput turns two-factor sign-in off: the password and a
// current code (or an unused recovery code, for a lost phone).
type DisableTwoFactorInput struct {
	Password     string `json:"password"`
	Code         string `json:"code"`
	RecoveryCode string `json:"recovery_code"`
}

// DisableTwoFactor turns the actor's two-factor sign-in off, with their
// password (throttled; invalid naming "password" when wrong) and a code
// (invalid naming "code" or "recovery_code"). It removes the secret and
// the recovery codes and queues partnerkit.MailTwoFactorChanged. Returns
// conflict when it is off, forbidden while an account of the user
// requires it.
func (s *Service) DisableTwoFactor(ctx context.Context, actor partnerkit.Actor, in DisableTwoFactorInput, address string) error {
	const op = "partners.DisableTwoFactor"
	if err := validate.All(requireUser(actor), validate.Text("", in), partnerkit.CheckText("address", address, false)); err != nil {
		return partnerkit.WithOp(op, err)
	}
	in.Code, in.RecoveryCode = strings.TrimSpace(in.Code), strings.TrimSpace(in.RecoveryCode)
	if (in.Code == "") == (in.RecoveryCode == "") {
		return partnerkit.WithOp(op, partnerkit.FieldError("code",
			"give either the current code of your authenticator app, or a recovery code in recovery_code"))
	}
	u, tf, err := s.userTwoFactor(ctx, actor.UserID)
	if err != nil {
		return partnerkit.WithOp(op, err)
	}
	if !tf.Enabled() {
		return partnerkit.WithOp(op, partnerkit.Errorf(partnerkit.CodeConflict, "two-factor sign-in is off already"))
	}
	if name, err := s.requiringAccount(ctx, u.ID); err != nil || name != "" {
		if err == nil {
			err = partnerkit.Errorf(partnerkit.CodeForbidden, "account %q requires two-factor sign-in of its members: it stays on", name)
		}
		return partnerkit.WithOp(op, err)
	}
	if err := s.checkPassword(ctx, u.Email, address, func() bool { return s.hasher.Verify(u.PasswordHash, in.Password) },
		partnerkit.FieldError("password", "is not your password")); err != nil {
		return partnerkit.WithOp(op, err)
	}
	now := s.clock.Now()
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.useSecondFactor(ctx, tf, in.Code, in.RecoveryCode, now); err != nil {
			return err
		}
		if err := s.store.DisableTwoFactor(ctx, u.ID, now); err != nil {
			return err
		}
		return s.twoFactorChanged(ctx, actor, u, false, now)
	})
	return partnerkit.WithOp(op, err)
}

// RecoveryCodesInput asks for new recovery codes: the password and a
// current code of the authenticator app (a recovery code does not do).
type RecoveryCodesInput struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

// RegenerateRecoveryCodes replaces the actor's recovery codes by
// RecoveryCodes new ones, shown only here (stored hashed): the old ones,
// used or not, stop working. It needs the password (invalid naming
// "password" when wrong) and a current code of the authenticator app,
// accepted once as at sign-in (invalid naming "code" when wrong or
// replayed); both count in the sign-in throttle as CompleteSignIn's do
// (rate_limited), and only a right code clears the counts. It records
// user.recovery_codes_regenerated. Returns conflict when two-factor
// sign-in is off, forbidden for an API key. Concurrent calls leave the
// codes of one of them (see SecurityStore.RenewRecoveryCodes).
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, actor partnerkit.Actor, in RecoveryCodesInput, address string) ([]string, error) {
	const op = "partners.RegenerateRecoveryCodes"
	if err := validate.All(requireUser(actor), validate.Text("", in), partnerkit.CheckText("address", address, false)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	in.Code = strings.TrimSpace(in.Code)
	if in.Code == "" {
		return nil, partnerkit.WithOp(op, partnerkit.FieldError("code", "give the current code of your authenticator app"))
	}
	u, tf, err := s.userTwoFactor(ctx, actor.UserID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if !tf.Enabled() {
		return nil, partnerkit.WithOp(op, partnerkit.Errorf(partnerkit.CodeConflict,
			"two-factor sign-in is off: recovery codes come with it (POST /api/v1/me/two-factor)"))
	}
	// As at sign-in, the right password does not clear the throttle's
	// counts and the code counts too: only the code's success clears them,
	// so that knowing the password buys no more guesses at the code.
	keys := throttleKeys(u.Email, address)
	if err := s.throttled(ctx, keys, func() bool { return s.hasher.Verify(u.PasswordHash, in.Password) },
		partnerkit.FieldError("password", "is not your password"), false); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	counted, err := s.admit(ctx, keys)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	now := s.clock.Now()
	codes, hashes := newRecoveryCodes()
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.useSecondFactor(ctx, tf, in.Code, "", now); err != nil {
			return err
		}
		if err := s.store.RenewRecoveryCodes(ctx, u.ID, hashes, now); err != nil {
			return err
		}
		if actor.AccountID == "" {
			return nil
		}
		return s.audit.Record(ctx, actor, actor.AccountID, "user.recovery_codes_regenerated", "user", u.ID, nil,
			map[string]any{"user_id": u.ID, "recovery_codes": RecoveryCodes, "at": now})
	})
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound { // turned off meanwhile
		err = partnerkit.Errorf(partnerkit.CodeConflict, "two-factor sign-in is off: recovery codes come with it")
	}
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := s.settle(ctx, counted); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return codes, nil
}

// requiringAccount returns the name of an account of the user that
// requires two-factor sign-in, or "".
func (s *Service) requiringAccount(ctx context.Context, userID string) (string, error) {
	ms, err := s.store.UserMemberships(ctx, userID)
	if err != nil {
		return "", err
	}
	for _, m := range ms {
		sec, err := s.store.GetAccountSecurity(ctx, m.AccountID)
		if err != nil {
			return "", err
		}
		if sec.RequireTwoFactor {
			a, err := s.store.GetAccount(ctx, m.AccountID)
			if err != nil {
				return "", err
			}
			return a.Name, nil
		}
	}
	return "", nil
}

// twoFactorChanged records and mails a change of two-factor sign-in.
func (s *Service) twoFactorChanged(ctx context.Context, actor partnerkit.Actor, u *User, on bool, now time.Time) error {
	action, flag := "user.two_factor_disabled", "false"
	if on {
		action, flag = "user.two_factor_enabled", "true"
	}
	if actor.AccountID != "" {
		if err := s.audit.Record(ctx, actor, actor.AccountID, action, "user", u.ID, nil,
			map[string]any{"user_id": u.ID, "two_factor": on, "at": now}); err != nil {
			return err
		}
	}
	return s.queueMail(ctx, partnerkit.Mail{Kind: partnerkit.MailTwoFactorChanged, To: u.Email, AccountID: actor.AccountID,
		Ref: u.ID, Data: map[string]string{"full_name": u.FullName, "enabled": flag, "at": stamp(now), "security_path": SecurityPagePath}})
}

func (s *Service) userTwoFactor(ctx context.Context, userID string) (*User, *TwoFactor, error) {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	tf, err := s.twoFactorOf(ctx, userID)
	return u, tf, err
}

// SecurityOverview is what a user's security page shows.
type SecurityOverview struct {
	// TwoFactorEnabled says two-factor sign-in is on (since
	// TwoFactorEnabledAt); TwoFactorPending that an enrolment waits for its
	// confirmation code.
	TwoFactorEnabled   bool       `json:"two_factor_enabled"`
	TwoFactorEnabledAt *time.Time `json:"two_factor_enabled_at,omitempty"`
	TwoFactorPending   bool       `json:"two_factor_pending"`
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft int `json:"recovery_codes_left"`
	// TwoFactorRequiredBy names an account of the user that requires
	// two-factor sign-in ("" when none does).
	TwoFactorRequiredBy string `json:"two_factor_required_by,omitempty"`
	// SessionRestricted says this session may only enrol until two-factor
	// sign-in is confirmed.
	SessionRestricted bool `json:"session_restricted"`
	// NewSignInMail says a sign-in from a new device is mailed (the default).
	NewSignInMail bool `json:"new_sign_in_mail"`
}

// Security returns the actor's security overview; sessionToken is the
// caller's session ("" for none).
func (s *Service) Security(ctx context.Context, actor partnerkit.Actor, sessionToken string) (*SecurityOverview, error) {
	const op = "partners.Security"
	if err := requireUser(actor); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	_, tf, err := s.userTwoFactor(ctx, actor.UserID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	out := &SecurityOverview{TwoFactorEnabled: tf.Enabled(), TwoFactorPending: tf.Pending(), NewSignInMail: tf == nil || !tf.MuteNewSignIn}
	if tf.Enabled() {
		out.TwoFactorEnabledAt = tf.EnabledAt
		if out.RecoveryCodesLeft, err = s.store.RecoveryCodesLeft(ctx, actor.UserID); err != nil {
			return nil, partnerkit.WithOp(op, err)
		}
	}
	if out.TwoFactorRequiredBy, err = s.requiringAccount(ctx, actor.UserID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if sessionToken != "" {
		if sess, err := s.store.GetSession(ctx, HashToken(sessionToken)); err == nil {
			out.SessionRestricted = sess.Restricted && sess.UserID == actor.UserID
		}
	}
	return out, nil
}

// SecurityInput changes a user's security preferences; nil fields stay.
type SecurityInput struct {
	// NewSignInMail turns the mail of a sign-in from a new device on or off.
	NewSignInMail *bool `json:"new_sign_in_mail"`
}

// SetSecurity changes the actor's security preferences and returns the
// overview.
func (s *Service) SetSecurity(ctx context.Context, actor partnerkit.Actor, in SecurityInput, sessionToken string) (*SecurityOverview, error) {
	if err := requireUser(actor); err != nil {
		return nil, partnerkit.WithOp("partners.SetSecurity", err)
	}
	if in.NewSignInMail != nil {
		if err := s.store.SetMuteNewSignIn(ctx, actor.UserID, !*in.NewSignInMail, s.clock.Now()); err != nil {
			return nil, partnerkit.WithOp("partners.SetSecurity", err)
		}
	}
	return s.Security(ctx, actor, sessionToken)
}
