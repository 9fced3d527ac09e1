package client

import (
	"context"
	"net/url"
	"time"

	"github.com/partnerkit/partnerkit"
)

// Passwords, sessions, two-factor sign-in and the account's security
// settings (issue 15), and the team invitation list.

// TwoFactorChallenge is what POST /session answers (202) for a login with
// two-factor sign-in: no session yet; SignInWithCode completes it with a
// code before ExpiresAt.
type TwoFactorChallenge struct {
	_                 noCompare
	TwoFactorRequired bool      `json:"two_factor_required"`
	Challenge         string    `json:"challenge"`
	ExpiresAt         time.Time `json:"expires_at"`
}

// TwoFactorRequired is the error of SignIn for a login with two-factor
// sign-in on: the password was right, a code is needed (SignInWithCode).
type TwoFactorRequired struct{ TwoFactorChallenge }

// Error implements error.
func (e *TwoFactorRequired) Error() string {
	return "a code of your authenticator app is needed to sign in"
}

// SecondFactor is the second step of a two-factor sign-in: the challenge
// and a code of the authenticator app or a recovery code.
type SecondFactor struct {
	_            noCompare
	Challenge    string `json:"challenge"`
	Code         string `json:"code,omitempty"`
	RecoveryCode string `json:"recovery_code,omitempty"`
}

// SignInWithCode completes a two-factor sign-in (the transport keeps the
// session cookie).
func (c *Client) SignInWithCode(ctx context.Context, in SecondFactor) (*Me, error) {
	var me Me
	err := c.call(ctx, "POST", "/session/two-factor", nil, in, &me)
	return &me, err
}

// PasswordResetRequest asks for a reset link by email.
type PasswordResetRequest struct {
	_     noCompare
	Email string `json:"email"`
}

// PasswordResetAccepted is the one answer to a reset request, whatever
// the email.
type PasswordResetAccepted struct {
	_       noCompare
	Message string `json:"message"`
}

// RequestPasswordReset asks for a reset link to be mailed (no sign-in);
// the answer's message is the same for every email.
func (c *Client) RequestPasswordReset(ctx context.Context, email string) (*PasswordResetAccepted, error) {
	var out PasswordResetAccepted
	err := c.call(ctx, "POST", "/password-reset", nil, PasswordResetRequest{Email: email}, &out)
	return &out, err
}

// PasswordReset sets a new password with a reset link.
type PasswordReset struct {
	_        noCompare
	Password string `json:"password"`
}

// ResetPassword sets a new password with the token of a reset link (no
// sign-in); every session of the user ends.
func (c *Client) ResetPassword(ctx context.Context, token, password string) error {
	return c.call(ctx, "POST", "/password-reset/"+url.PathEscape(token), nil, PasswordReset{Password: password}, nil)
}

// PasswordChange changes the signed-in user's password.
type PasswordChange struct {
	_               noCompare
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// PasswordChanged says how many other sessions ended.
type PasswordChanged struct {
	_             noCompare
	SessionsEnded int `json:"sessions_ended"`
}

// ChangePassword changes the caller's password; their other sessions end.
func (c *Client) ChangePassword(ctx context.Context, in PasswordChange) (*PasswordChanged, error) {
	var out PasswordChanged
	err := c.call(ctx, "PUT", "/me/password", nil, in, &out)
	return &out, err
}

// Session is one of the caller's sessions.
type Session struct {
	_          noCompare
	ID         string    `json:"id"`
	Device     string    `json:"device"`
	Address    string    `json:"address"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	// Current marks the session of the call.
	Current bool `json:"current"`
	// Restricted marks a session that may only enrol in two-factor sign-in.
	Restricted bool `json:"restricted,omitempty"`
}

// Sessions lists the caller's sessions, newest first.
func (c *Client) Sessions(ctx context.Context) (*List[Session], error) {
	var l List[Session]
	err := c.call(ctx, "GET", "/me/sessions", wholePage(nil).query(nil), nil, &l)
	return &l, err
}

// RevokeSession ends one of the caller's sessions.
func (c *Client) RevokeSession(ctx context.Context, id string) error {
	return c.call(ctx, "DELETE", "/me/sessions/"+url.PathEscape(id), nil, nil, nil)
}

// SessionsEnded counts the sessions that ended.
type SessionsEnded struct {
	_     noCompare
	Ended int `json:"ended"`
}

// RevokeOtherSessions ends every session of the caller but this one.
func (c *Client) RevokeOtherSessions(ctx context.Context) (*SessionsEnded, error) {
	var out SessionsEnded
	err := c.call(ctx, "DELETE", "/me/sessions", nil, nil, &out)
	return &out, err
}

// Security is the caller's security overview.
type Security struct {
	_                   noCompare
	TwoFactorEnabled    bool       `json:"two_factor_enabled"`
	TwoFactorEnabledAt  *time.Time `json:"two_factor_enabled_at,omitempty"`
	TwoFactorPending    bool       `json:"two_factor_pending"`
	RecoveryCodesLeft   int        `json:"recovery_codes_left"`
	TwoFactorRequiredBy string     `json:"two_factor_required_by,omitempty"`
	// SessionRestricted says this session may only enrol in two-factor
	// sign-in until it is confirmed.
	SessionRestricted bool `json:"session_restricted"`
	NewSignInMail     bool `json:"new_sign_in_mail"`
}

// SecurityChanges changes the caller's preferences; nil fields stay.
type SecurityChanges struct {
	_             noCompare
	NewSignInMail *bool `json:"new_sign_in_mail,omitempty"`
}

// Security returns the caller's security overview.
func (c *Client) Security(ctx context.Context) (*Security, error) {
	var out Security
	err := c.call(ctx, "GET", "/me/security", nil, nil, &out)
	return &out, err
}

// SetSecurity changes the caller's preferences.
func (c *Client) SetSecurity(ctx context.Context, in SecurityChanges) (*Security, error) {
	var out Security
	err := c.call(ctx, "PATCH", "/me/security", nil, in, &out)
	return &out, err
}

// TwoFactorEnrolment is what the authenticator app needs, shown only once.
type TwoFactorEnrolment struct {
	_         noCompare
	Secret    string `json:"secret"`
	URL       string `json:"otpauth_url"`
	QRCodeSVG string `json:"qr_code_svg"`
	// QRCode is the QR code as a data: URL, for an <img>.
	QRCode string `json:"qr_code"`
	Period int    `json:"period"`
	Digits int    `json:"digits"`
}

// BeginTwoFactor starts (or restarts) two-factor enrolment.
func (c *Client) BeginTwoFactor(ctx context.Context) (*TwoFactorEnrolment, error) {
	var out TwoFactorEnrolment
	err := c.call(ctx, "POST", "/me/two-factor", nil, nil, &out)
	return &out, err
}

// TwoFactorCode is a code of the authenticator app.
type TwoFactorCode struct {
	_    noCompare
	Code string `json:"code"`
}

// RecoveryCodes are the ten single-use codes of a confirmed enrolment,
// shown only once.
type RecoveryCodes struct {
	_             noCompare
	RecoveryCodes []string `json:"recovery_codes"`
}

// ConfirmTwoFactor turns two-factor sign-in on with a code of the new
// secret.
func (c *Client) ConfirmTwoFactor(ctx context.Context, code string) (*RecoveryCodes, error) {
	var out RecoveryCodes
	err := c.call(ctx, "POST", "/me/two-factor/confirm", nil, TwoFactorCode{Code: code}, &out)
	return &out, err
}

// TwoFactorOff turns two-factor sign-in off: the password and a code or
// a recovery code.
type TwoFactorOff struct {
	_            noCompare
	Password     string `json:"password"`
	Code         string `json:"code,omitempty"`
	RecoveryCode string `json:"recovery_code,omitempty"`
}

// DisableTwoFactor turns the caller's two-factor sign-in off.
func (c *Client) DisableTwoFactor(ctx context.Context, in TwoFactorOff) error {
	return c.call(ctx, "POST", "/me/two-factor/disable", nil, in, nil)
}

// RecoveryCodesRenewal asks for new recovery codes: the password and a
// current code of the authenticator app.
type RecoveryCodesRenewal struct {
	_        noCompare
	Password string `json:"password"`
	Code     string `json:"code"`
}

// RegenerateRecoveryCodes makes ten new recovery codes, shown only once;
// every older one stops working.
func (c *Client) RegenerateRecoveryCodes(ctx context.Context, in RecoveryCodesRenewal) (*RecoveryCodes, error) {
	var out RecoveryCodes
	err := c.call(ctx, "POST", "/me/two-factor/recovery-codes", nil, in, &out)
	return &out, err
}

// AccountSecurity is an account's security settings.
type AccountSecurity struct {
	_                noCompare
	AccountID        string    `json:"account_id"`
	RequireTwoFactor bool      `json:"require_two_factor"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// AccountSecurityChanges changes them; nil fields stay.
type AccountSecurityChanges struct {
	_                noCompare
	RequireTwoFactor *bool `json:"require_two_factor,omitempty"`
}

// AccountSecurity returns the settings of the caller's account.
func (c *Client) AccountSecurity(ctx context.Context) (*AccountSecurity, error) {
	var out AccountSecurity
	err := c.call(ctx, "GET", "/account/security", nil, nil, &out)
	return &out, err
}

// SetAccountSecurity changes them (admins).
func (c *Client) SetAccountSecurity(ctx context.Context, in AccountSecurityChanges) (*AccountSecurity, error) {
	var out AccountSecurity
	err := c.call(ctx, "PATCH", "/account/security", nil, in, &out)
	return &out, err
}

// TeamInvitationStatus is a team invitation in its account's list.
type TeamInvitationStatus struct {
	_         noCompare
	ID        string          `json:"id"`
	Email     string          `json:"email"`
	Role      partnerkit.Role `json:"role"`
	CreatedAt time.Time       `json:"created_at"`
	ExpiresAt time.Time       `json:"expires_at"`
	UsedAt    *time.Time      `json:"used_at,omitempty"`
	SentAt    time.Time       `json:"sent_at"`
	RevokedAt *time.Time      `json:"revoked_at,omitempty"`
	// Status is pending, activated, expired or revoked.
	Status   string                  `json:"status"`
	Delivery *TeamInvitationDelivery `json:"delivery,omitempty"`
}

// TeamInvitationDelivery is what became of a team invitation's last mail:
// Status is the mail package's word (queued, sent, failed, refused…),
// Error the last refusal.
type TeamInvitationDelivery struct {
	_      noCompare
	Status string     `json:"status"`
	Error  string     `json:"error,omitempty"`
	At     *time.Time `json:"at,omitempty"`
}

// TeamInvitations lists the account's team invitations (admins), newest
// first.
func (c *Client) TeamInvitations(ctx context.Context) (*List[TeamInvitationStatus], error) {
	var l List[TeamInvitationStatus]
	err := c.call(ctx, "GET", "/team/invitations", wholePage(nil).query(nil), nil, &l)
	return &l, err
}

// ResendTeamInvitation sends a team invitation again with a new link (the
// old one dies), shown only here.
func (c *Client) ResendTeamInvitation(ctx context.Context, id string) (*TeamInvitation, error) {
	var out TeamInvitation
	err := c.call(ctx, "POST", "/team/invitations/"+url.PathEscape(id)+"/resend", nil, nil, &out)
	return &out, err
}

// RevokeTeamInvitation revokes a team invitation: its link stops working.
func (c *Client) RevokeTeamInvitation(ctx context.Context, id string) error {
	return c.call(ctx, "POST", "/team/invitations/"+url.PathEscape(id)+"/revoke", nil, nil, nil)
}
