package partners

import (
	"context"
	"time"

	"github.com/partnerkit/partnerkit"
)

// The mail this service queues, and the Data fields each kind's templates
// get (every value is a string; a field ending in "_path" is a PWA path
// that the mail package makes an absolute link). Mail.To is the person's
// address, Mail.AccountID the account the message belongs to (the inviting
// account; for a user's own security mail, the account their session acts
// in, else their oldest membership, or "" when they have none) and
// Mail.Ref the object it is about. No Data value is a secret but the
// tokens inside invite_path and reset_path.
//
//   - partnerkit.MailTeamInvitation (Ref: the invitation's ID, "TI-…";
//     queued by InviteMember, AddTeamMember for a registered email, and
//     ResendTeamInvitation):
//     invite_path ("/join/<token>"), account_name, role ("admin", "staff",
//     "viewer"), inviter (the inviting user's full name, else their email;
//     for an API key, the account's name), expires_at (RFC 3339, UTC).
//   - partnerkit.MailPasswordReset (Ref: the user's ID; queued by
//     RequestPasswordReset for a registered email only):
//     reset_path ("/reset-password/<token>"), full_name, expires_at
//     (RFC 3339, UTC; an hour after the request).
//   - partnerkit.MailPasswordChanged (Ref: the user's ID; queued by
//     ResetPassword and ChangePassword):
//     full_name, changed_at (RFC 3339, UTC), method ("reset": with a reset
//     link, every session ended; "change": with the current password, the
//     other sessions ended), sessions_ended (a count, "0", "2"),
//     security_path (SecurityPagePath).
//   - partnerkit.MailNewSignIn (Ref: the new session's ID; queued at a
//     sign-in from a device the user never signed in from before, unless
//     they turned it off with SetNewSignInMail; never at their first
//     sign-in):
//     full_name, device ("Firefox on Linux", see DeviceName), address (the
//     network address), at (RFC 3339, UTC), security_path.
//   - partnerkit.MailTwoFactorChanged (Ref: the user's ID; queued by
//     ConfirmTwoFactor and DisableTwoFactor):
//     full_name, enabled ("true" or "false"), at (RFC 3339, UTC),
//     security_path.
//
// Every kind is queued inside the transaction of its change, so a message
// goes exactly when the change commits.
const (
	// JoinPath starts the PWA's team-invitation page: JoinPath + token.
	JoinPath = "/join/"
	// ResetPasswordPath starts the PWA's reset page: ResetPasswordPath + token.
	ResetPasswordPath = "/reset-password/"
	// SecurityPagePath is the PWA's page of the user's password, sessions
	// and two-factor sign-in.
	SecurityPagePath = "/account/security"
)

// MailDelivery is what the mail package knows of the last message queued
// about an object.
type MailDelivery struct {
	// Status is the mail package's word for it ("queued", "sent",
	// "retrying", "failed", "bounced").
	Status string `json:"status"`
	// Error is the last refusal or bounce, when there was one.
	Error string `json:"error,omitempty"`
	// At is when the status was reached.
	At *time.Time `json:"at,omitempty"`
}

// MailStatus reports mail deliveries; the mail package implements it.
type MailStatus interface {
	// Status returns the delivery of the last message queued with ref
	// (partnerkit.Mail.Ref), or not_found when none was.
	Status(ctx context.Context, ref string) (*MailDelivery, error)
}

// WithMailQueue sets where the service queues its mail (team invitations,
// password resets and changes, new sign-ins, two-factor changes); a nil
// queue, the default, sends nothing.
func WithMailQueue(q partnerkit.MailQueue) Option { return func(s *Service) { s.sec.mail = q } }

// WithMailStatus lets team invitation lists show each invitation's mail
// delivery; nil, the default, shows none.
func WithMailStatus(st MailStatus) Option { return func(s *Service) { s.sec.mailStatus = st } }

// queueMail queues m in the caller's transaction; nothing without a queue.
func (s *Service) queueMail(ctx context.Context, m partnerkit.Mail) error {
	if s.sec.mail == nil || m.To == "" {
		return nil
	}
	return s.sec.mail.QueueMail(ctx, m)
}

// stamp formats a time for mail data.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
