package partners

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
)

// SignInInput is the first step of a sign-in.
type SignInInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Address is the caller's network address and UserAgent its
	// User-Agent header ("" for a Go program): the session keeps both.
	Address   string `json:"-"`
	UserAgent string `json:"-"`
}

// SignInResult is where a sign-in step leaves the caller: signed in, or
// asked for a code.
type SignInResult struct {
	// Token is the session token, shown once, and Session the session,
	// when the sign-in is complete.
	Token   string
	Session *Session
	// Challenge, when set, means the login has two-factor sign-in: there
	// is no session yet; send Challenge with a code to CompleteSignIn
	// before ChallengeExpiresAt.
	Challenge          string
	ChallengeExpiresAt time.Time
	// EnrolmentRequired means the session's account requires two-factor
	// sign-in and the user has none: the session may only enrol
	// (BeginTwoFactor, ConfirmTwoFactor) until they confirm it.
	EnrolmentRequired bool
}

// BeginSignIn checks an email and password (throttled like every password
// check: see PairAttempts) and, for a login without two-factor sign-in,
// starts a session in the user's oldest membership whose account is not
// suspended. For a login with two-factor sign-in it starts no session: it
// returns a challenge for CompleteSignIn, and the password's success does
// not clear the throttle's counts — the code's does — so that knowing the
// password buys no more guesses at the code.
//
// A session whose account requires two-factor sign-in (see
// SetAccountSecurity) of a user who has none is restricted to enrolment.
// A sign-in from a device the user never used before queues
// partnerkit.MailNewSignIn (see SetNewSignInMail).
func (s *Service) BeginSignIn(ctx context.Context, in SignInInput) (*SignInResult, error) {
	const op = "partners.SignIn"
	user, memberships, tf, err := s.authenticate(ctx, in.Email, in.Password, in.Address)
	if err != nil {
		return nil, err
	}
	if len(memberships) == 0 {
		return nil, partnerkit.WithOp(op, partnerkit.Errorf(partnerkit.CodeForbidden, "this user is not a member of any account"))
	}
	account, err := s.firstActiveAccount(ctx, memberships)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	addr, ua := cleanHeader(in.Address, 100), cleanHeader(in.UserAgent, maxUserAgent)
	now := s.clock.Now()
	if tf.Enabled() {
		token, hash := newToken("")
		c := &SignInChallenge{TokenHash: hash, UserID: user.ID, AccountID: account, Address: addr, UserAgent: ua,
			CreatedAt: now, ExpiresAt: now.Add(ChallengeTTL)}
		if err := s.store.CreateSignInChallenge(ctx, c); err != nil {
			return nil, partnerkit.WithOp(op, err)
		}
		return &SignInResult{Challenge: token, ChallengeExpiresAt: c.ExpiresAt}, nil
	}
	sec, err := s.store.GetAccountSecurity(ctx, account)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var res *SignInResult
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		res, err = s.startSession(ctx, user, tf, account, addr, ua, sec.RequireTwoFactor)
		return err
	})
	return res, partnerkit.WithOp(op, err)
}

// SecondFactorInput is the second step of a two-factor sign-in: the
// challenge of the first and either a code of the authenticator app or a
// recovery code.
type SecondFactorInput struct {
	Challenge    string `json:"challenge"`
	Code         string `json:"code"`
	RecoveryCode string `json:"recovery_code"`
	// Address and UserAgent are the caller's, as in SignInInput.
	Address   string `json:"-"`
	UserAgent string `json:"-"`
}

// CompleteSignIn completes a two-factor sign-in: with a current code of
// the user's authenticator app (one of a time step later than the last
// accepted: a code is accepted once) or an unused recovery code (which it
// uses up), it uses the challenge and starts the session.
//
// Every code counts as an attempt of the sign-in throttle (the email, the
// address and both, as passwords do): rate_limited when a count refuses
// it. A wrong code is invalid naming "code" (or "recovery_code");
// after MaxChallengeFailures of them the challenge dies. An unknown, used,
// expired or dead challenge is gone: sign in again.
func (s *Service) CompleteSignIn(ctx context.Context, in SecondFactorInput) (*SignInResult, error) {
	const op = "partners.CompleteSignIn"
	if err := validate.All(partnerkit.CheckID("challenge", in.Challenge), partnerkit.CheckText("code", in.Code, false),
		partnerkit.CheckText("recovery_code", in.RecoveryCode, false), partnerkit.CheckText("address", in.Address, false)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	in.Code, in.RecoveryCode = strings.TrimSpace(in.Code), strings.TrimSpace(in.RecoveryCode)
	if (in.Code == "") == (in.RecoveryCode == "") {
		return nil, partnerkit.WithOp(op, partnerkit.FieldError("code",
			"give either the 6-digit code of your authenticator app, or a recovery code in recovery_code"))
	}
	dead := partnerkit.Errorf(partnerkit.CodeGone, "this sign-in has ended or expired: sign in again with your password")
	hash := HashToken(in.Challenge)
	c, err := s.store.GetSignInChallenge(ctx, hash)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return nil, partnerkit.WithOp(op, dead)
	}
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	now := s.clock.Now()
	if c.UsedAt != nil || !now.Before(c.ExpiresAt) || c.Failures >= MaxChallengeFailures {
		return nil, partnerkit.WithOp(op, dead)
	}
	user, err := s.store.GetUser(ctx, c.UserID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	tf, err := s.twoFactorOf(ctx, user.ID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if !tf.Enabled() { // turned off meanwhile
		return nil, partnerkit.WithOp(op, dead)
	}
	counted, err := s.admit(ctx, throttleKeys(user.Email, in.Address))
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var res *SignInResult
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.useSecondFactor(ctx, tf, in.Code, in.RecoveryCode, now); err != nil {
			return err
		}
		// Claim the challenge last: a rolled-back code use claims nothing,
		// and of concurrent completions one gets past here.
		if err := s.store.UseSignInChallenge(ctx, hash, MaxChallengeFailures, now); err != nil {
			return err
		}
		var err error // a user with two-factor sign-in meets any account's requirement
		res, err = s.startSession(ctx, user, tf, c.AccountID, c.Address, cleanHeader(in.UserAgent, maxUserAgent), false)
		return err
	})
	if isWrongCode(err) {
		n, ferr := s.store.FailSignInChallenge(ctx, hash)
		if ferr == nil && n >= MaxChallengeFailures {
			return nil, partnerkit.WithOp(op, partnerkit.Errorf(partnerkit.CodeGone,
				"%d wrong codes: this sign-in has ended; sign in again with your password", n))
		}
		return nil, partnerkit.WithOp(op, err)
	}
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := s.settle(ctx, counted); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return res, nil
}

// authenticate checks a password like Authenticate and also returns the
// user's two-factor row (nil when none). For a user with two-factor
// sign-in a right password does not clear the throttle's counts.
func (s *Service) authenticate(ctx context.Context, email, password, address string) (*User, []Membership, *TwoFactor, error) {
	const op = "partners.Authenticate"
	if err := validate.All(partnerkit.CheckText("email", email, false), partnerkit.CheckText("password", password, false),
		partnerkit.CheckText("address", address, false)); err != nil {
		return nil, nil, nil, partnerkit.WithOp(op, err) // the text rule first: no store sees a NUL
	}
	bad := &partnerkit.Error{Code: partnerkit.CodeUnauthorized, Message: "wrong email or password", Op: op}
	email = NormalizeEmail(email)
	u, err := s.store.GetUserByEmail(ctx, email)
	if err != nil && partnerkit.ErrorCode(err) != partnerkit.CodeNotFound {
		return nil, nil, nil, partnerkit.WithOp(op, err)
	}
	hash, userID := dummyHash, "" // an unknown email spends the same time as a real check
	if u != nil {
		hash, userID = u.PasswordHash, u.ID
	}
	tf, err := s.twoFactorOf(ctx, userID)
	if err != nil {
		return nil, nil, nil, partnerkit.WithOp(op, err)
	}
	if err := s.throttled(ctx, throttleKeys(email, address), func() bool {
		return s.hasher.Verify(hash, password) && u != nil
	}, bad, !tf.Enabled()); err != nil {
		return nil, nil, nil, partnerkit.WithOp(op, err)
	}
	ms, err := s.store.UserMemberships(ctx, u.ID)
	if err != nil {
		return nil, nil, nil, partnerkit.WithOp(op, err)
	}
	return u, ms, tf, nil
}

// startSession creates a session (in the caller's transaction) and queues
// the new-device mail when the device is new to a user who has signed in
// before and did not turn it off.
func (s *Service) startSession(ctx context.Context, user *User, tf *TwoFactor, accountID, addr, ua string, restricted bool) (*SignInResult, error) {
	now := s.clock.Now()
	token, hash := newToken("")
	sess := &Session{ID: partnerkit.NewID(PrefixSession), TokenHash: hash, UserID: user.ID, AccountID: accountID,
		CreatedAt: now, ExpiresAt: now.Add(SessionTTL), LastSeenAt: now, UserAgent: ua, Address: addr, Restricted: restricted}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	res := &SignInResult{Token: token, Session: sess, EnrolmentRequired: restricted}
	device := DeviceName(ua)
	added, before, err := s.store.RememberDevice(ctx, user.ID, device, now)
	if err != nil || !added || before == 0 || tf != nil && tf.MuteNewSignIn {
		return res, err
	}
	return res, s.queueMail(ctx, partnerkit.Mail{Kind: partnerkit.MailNewSignIn, To: user.Email, AccountID: accountID,
		Ref: sess.ID, Data: map[string]string{"full_name": user.FullName, "device": device, "address": addr,
			"at": stamp(now), "security_path": SecurityPagePath}})
}

// twoFactorOf returns a user's two-factor row, or nil when there is none.
func (s *Service) twoFactorOf(ctx context.Context, userID string) (*TwoFactor, error) {
	if userID == "" {
		userID = "UR-none" // the same read for an unknown email
	}
	tf, err := s.store.GetTwoFactor(ctx, userID)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return nil, nil
	}
	return tf, err
}

// Enabled reports whether two-factor sign-in is on.
func (tf *TwoFactor) Enabled() bool { return tf != nil && tf.EnabledAt != nil && tf.Secret != "" }

// Pending reports whether an enrolment waits for its confirmation code.
func (tf *TwoFactor) Pending() bool { return tf != nil && tf.EnabledAt == nil && tf.Secret != "" }

// errWrongCode marks a code or recovery code that does not verify, or a
// replay: the cause of the error codeError returns.
var errWrongCode = errors.New("wrong code")

func isWrongCode(err error) bool { return errors.Is(err, errWrongCode) }

func codeError(field, problem string) error {
	return &partnerkit.Error{Code: partnerkit.CodeInvalid, Message: "the " + strings.ReplaceAll(field, "_", " ") + " " + problem,
		Fields: map[string]string{field: problem}, Err: errWrongCode}
}

// useSecondFactor verifies a TOTP code (and records its step, refusing a
// replay) or uses up a recovery code, in the caller's transaction; then a
// secret stored plain is sealed when the service has a key.
func (s *Service) useSecondFactor(ctx context.Context, tf *TwoFactor, code, recovery string, now time.Time) error {
	if recovery != "" {
		err := s.store.UseRecoveryCode(ctx, tf.UserID, hashRecoveryCode(recovery), now)
		if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
			return codeError("recovery_code", "is not one of your unused recovery codes")
		}
		if err != nil {
			return err
		}
		return s.resealPlain(ctx, tf)
	}
	secret, err := s.openSecret(tf.Secret)
	if err != nil {
		return err
	}
	step, ok := matchTOTP(secret, code, now)
	if !ok {
		return codeError("code", "is not the current code of your authenticator app")
	}
	err = s.store.UseTOTPStep(ctx, tf.UserID, step)
	if partnerkit.ErrorCode(err) == partnerkit.CodeConflict {
		return codeError("code", "was used already: wait for the next one ("+strconv.Itoa(int(TOTPPeriod.Seconds()))+" seconds at most)")
	}
	if err != nil {
		return err
	}
	return s.resealPlain(ctx, tf)
}
