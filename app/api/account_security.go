//go:build !js

package api

import (
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
)

func init() {
	maps.Copy(docs, map[string]op{
		"POST /password-reset": {summary: "Ask for a password reset link by email (public): the answer is the same, in status, body and time, whether or not the email has a login; throttled like sign-in",
			in: PasswordResetRequest{}, out: PasswordResetAccepted{}, status: 202},
		"POST /password-reset/{token}": {summary: "Set a new password with a reset link (public): used once, valid an hour; every session of the user ends",
			in: PasswordResetInput{}, status: 204},
		"POST /session/two-factor": {summary: "The second step of a two-factor sign-in: the challenge of POST /session and a code of the authenticator app, or a recovery code; sets the session cookie",
			in: partners.SecondFactorInput{}, out: Me{}, status: 201},
		"PUT /me/password": {summary: "Change your password (the current one is required); your other sessions end",
			in: partners.ChangePasswordInput{}, out: PasswordChanged{}},
		"GET /me/sessions": {summary: "Your sessions: device, address, created, last seen, and which is this one",
			out: partners.SessionInfo{}, list: true, query: pageQuery},
		"DELETE /me/sessions":      {summary: "End every session of yours but this one", out: SessionsEnded{}},
		"DELETE /me/sessions/{id}": {summary: "End one of your sessions (this one too: that signs out)", status: 204},
		"GET /me/security": {summary: "Your two-factor sign-in, recovery codes left, the new-device mail setting, and whether this session must enrol first",
			out: partners.SecurityOverview{}},
		"PATCH /me/security": {summary: "Turn the mail of a sign-in from a new device on or off", in: partners.SecurityInput{}, out: partners.SecurityOverview{}},
		"POST /me/two-factor": {summary: "Start (or restart) two-factor enrolment: a new TOTP secret, its otpauth URL and its QR code as SVG, shown only here",
			out: partners.TwoFactorEnrolment{}},
		"POST /me/two-factor/confirm": {summary: "Turn two-factor sign-in on with a code of the new secret; answers ten single-use recovery codes, shown only here",
			in: TwoFactorCode{}, out: RecoveryCodes{}},
		"POST /me/two-factor/disable": {summary: "Turn two-factor sign-in off with your password and a code (or a recovery code)",
			in: partners.DisableTwoFactorInput{}, status: 204},
		"POST /me/two-factor/recovery-codes": {summary: "Make ten new single-use recovery codes with your password and a current code of the authenticator app " +
			"(not a recovery code; accepted once, and counted by the sign-in throttle as at sign-in): answers them, shown only here " +
			"(stored hashed); every older recovery code, used or not, stops working. 409 when two-factor sign-in is off",
			in: partners.RecoveryCodesInput{}, out: RecoveryCodes{}},
		"GET /account/security": {summary: "The security settings of your account: whether every member must use two-factor sign-in",
			out: partners.AccountSecurity{}},
		"PATCH /account/security": {summary: "Change your account's security settings (admins): require two-factor sign-in of every member (API keys are unaffected)",
			in: partners.AccountSecurityInput{}, out: partners.AccountSecurity{}},
		"GET /team/invitations": {summary: "The account's team invitations (admins): status pending, activated, expired or revoked, sent and expiry times, mail delivery",
			out: partners.TeamInvitationView{}, list: true, query: pageQuery},
		"POST /team/invitations/{id}/resend": {summary: "Send a team invitation again (admins): a new link, the old one dies; the token is shown only here",
			out: CreatedTeamInvitation{}},
		"POST /team/invitations/{id}/revoke": {summary: "Revoke a team invitation (admins): its link stops working", out: partners.TeamInvitation{}},
	})
	// The public routes refuse a cross-site browser (403); the links and
	// the challenge are one-time (410).
	maps.Copy(moreErrors, map[string][]int{
		"POST /password-reset":         {403},
		"POST /password-reset/{token}": {403, 410},
		"POST /session/two-factor":     {401, 403, 410},
	})
	moreSuccesses["POST /session"] = map[int]any{http.StatusAccepted: TwoFactorChallenge{}}
	signIn := docs["POST /session"]
	signIn.summary += "; a login with two-factor sign-in answers 202 Accepted with a challenge (two_factor_required, challenge, expires_at) " +
		"and no session: complete it with POST /session/two-factor"
	docs["POST /session"] = signIn
	listOrders["GET /me/sessions"] = sessionOrder.Order
	listOrders["GET /team/invitations"] = teamInvitationOrder.Order
}

var (
	// moreErrors are error statuses a route answers beyond the ones
	// errorStatuses gives every route of its kind.
	moreErrors = map[string][]int{}
	// moreSuccesses are a route's other successful answers, by status.
	moreSuccesses = map[string]map[int]any{}

	sessionOrder = wholeOrder[partners.SessionInfo]{
		Order: partnerkit.Order{Fields: []string{"created_at", "last_seen_at"}, Default: "-created_at"},
		keys: map[string]func(a, b partners.SessionInfo) int{
			"created_at":   func(a, b partners.SessionInfo) int { return a.CreatedAt.Compare(b.CreatedAt) },
			"last_seen_at": func(a, b partners.SessionInfo) int { return a.LastSeenAt.Compare(b.LastSeenAt) },
		},
		id: func(s partners.SessionInfo) string { return s.ID },
	}
	teamInvitationOrder = wholeOrder[partners.TeamInvitationView]{
		Order: partnerkit.Order{Fields: []string{"created_at", "email", "sent_at"}, Default: "-created_at"},
		keys: map[string]func(a, b partners.TeamInvitationView) int{
			"created_at": func(a, b partners.TeamInvitationView) int { return a.CreatedAt.Compare(b.CreatedAt) },
			"email":      func(a, b partners.TeamInvitationView) int { return strings.Compare(a.Email, b.Email) },
			"sent_at":    func(a, b partners.TeamInvitationView) int { return a.SentAt.Compare(b.SentAt) },
		},
		id: func(v partners.TeamInvitationView) string { return v.ID },
	}
)

// PasswordResetRequest is the body of POST /password-reset.
type PasswordResetRequest struct {
	Email string `json:"email"`
}

// PasswordResetAccepted is the one answer of POST /password-reset.
type PasswordResetAccepted struct {
	Message string `json:"message"`
}

// passwordResetAnswer is that answer, the same for every email.
var passwordResetAnswer = PasswordResetAccepted{Message: "If this email has a login, a link to set a new password is on its way. " +
	"It works once, for an hour."}

// PasswordResetInput is the body of POST /password-reset/{token}.
type PasswordResetInput struct {
	Password string `json:"password"`
}

// PasswordChanged answers PUT /me/password.
type PasswordChanged struct {
	// SessionsEnded counts the other sessions that ended.
	SessionsEnded int `json:"sessions_ended"`
}

// SessionsEnded answers DELETE /me/sessions.
type SessionsEnded struct {
	Ended int `json:"ended"`
}

// TwoFactorCode is the body of POST /me/two-factor/confirm.
type TwoFactorCode struct {
	Code string `json:"code"`
}

// RecoveryCodes are the single-use codes a confirmed enrolment (or POST
// /me/two-factor/recovery-codes) gives, shown only here.
type RecoveryCodes struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// TwoFactorChallenge is the answer of POST /session (202 Accepted) for a
// login with two-factor sign-in: no session yet; send the challenge with
// a code to POST /session/two-factor before it expires.
type TwoFactorChallenge struct {
	// TwoFactorRequired is always true here.
	TwoFactorRequired bool   `json:"two_factor_required"`
	Challenge         string `json:"challenge"`
	// ExpiresAt is when the challenge dies (five minutes).
	ExpiresAt time.Time `json:"expires_at"`
}

// sessionToken is the caller's session token, "" for an API key.
func sessionToken(r *http.Request) string {
	if r.Header.Get("Authorization") != "" {
		return ""
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// signedIn answers a sign-in step: 202 with the challenge when a code is
// still needed, else the session cookie and 201 with who the caller is
// now (and whether the session must enrol in two-factor sign-in first).
func (a *API) signedIn(w http.ResponseWriter, r *http.Request, res *partners.SignInResult) error {
	if res.Challenge != "" {
		writeJSON(w, http.StatusAccepted, TwoFactorChallenge{TwoFactorRequired: true, Challenge: res.Challenge, ExpiresAt: res.ChallengeExpiresAt})
		return nil
	}
	a.setSessionCookie(w, r, res.Token, res.Session.ExpiresAt)
	actor, _, err := a.cfg.Partners.SessionMember(r.Context(), res.Token)
	if err != nil {
		return err
	}
	me, err := a.meOf(r, actor)
	if err != nil {
		return err
	}
	me.TwoFactorEnrolmentRequired = res.EnrolmentRequired
	return created(w, me)
}

// securityRoutes serves passwords, sessions, two-factor sign-in, account
// security settings and the team invitation list.
func (a *API) securityRoutes() {
	svc := func() *partners.Service { return a.cfg.Partners }
	a.public(http.MethodPost, "/password-reset", func(w http.ResponseWriter, r *http.Request) error {
		if err := a.checkSameOrigin(r); err != nil {
			return err
		}
		var in PasswordResetRequest
		if err := decode(r, &in); err != nil {
			return err
		}
		if err := svc().RequestPasswordReset(r.Context(), in.Email, a.clientAddress(r)); err != nil {
			return err
		}
		writeJSON(w, http.StatusAccepted, passwordResetAnswer)
		return nil
	})
	a.public(http.MethodPost, "/password-reset/{token}", func(w http.ResponseWriter, r *http.Request) error {
		if err := a.checkSameOrigin(r); err != nil {
			return err
		}
		var in PasswordResetInput
		if err := decode(r, &in); err != nil {
			return err
		}
		if err := svc().ResetPassword(r.Context(), r.PathValue("token"), in.Password, a.clientAddress(r)); err != nil {
			return err
		}
		return noContent(w)
	})
	a.public(http.MethodPost, "/session/two-factor", func(w http.ResponseWriter, r *http.Request) error {
		if err := a.checkSameOrigin(r); err != nil { // login CSRF, as POST /session
			return err
		}
		var in partners.SecondFactorInput
		if err := decode(r, &in); err != nil {
			return err
		}
		in.Address, in.UserAgent = a.clientAddress(r), r.UserAgent()
		res, err := svc().CompleteSignIn(r.Context(), in)
		if err != nil {
			return err
		}
		return a.signedIn(w, r, res)
	})
	a.handle(http.MethodPut, "/me/password", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in partners.ChangePasswordInput
		if err := decode(r, &in); err != nil {
			return err
		}
		n, err := svc().ChangePassword(r.Context(), actor, in, sessionToken(r), a.clientAddress(r))
		return reply(w, PasswordChanged{SessionsEnded: n}, err)
	})
	a.handle(http.MethodGet, "/me/sessions", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		ss, err := svc().Sessions(r.Context(), actor, sessionToken(r))
		if err != nil {
			return err
		}
		return writeWhole(w, r, ss, sessionOrder)
	})
	a.handle(http.MethodDelete, "/me/sessions", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		n, err := svc().RevokeOtherSessions(r.Context(), actor, sessionToken(r))
		return reply(w, SessionsEnded{Ended: n}, err)
	})
	a.handle(http.MethodDelete, "/me/sessions/{id}", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		if err := svc().RevokeSession(r.Context(), actor, r.PathValue("id")); err != nil {
			return err
		}
		return noContent(w)
	})
	// A session restricted to enrolment reads its security page and
	// enrols; everything else answers 403 until it has confirmed.
	a.handleMember(http.MethodGet, "/me/security", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		out, err := svc().Security(r.Context(), actor, sessionToken(r))
		return reply(w, out, err)
	})
	a.handle(http.MethodPatch, "/me/security", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in partners.SecurityInput
		if err := decode(r, &in); err != nil {
			return err
		}
		out, err := svc().SetSecurity(r.Context(), actor, in, sessionToken(r))
		return reply(w, out, err)
	})
	a.handleMember(http.MethodPost, "/me/two-factor", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		out, err := svc().BeginTwoFactor(r.Context(), actor)
		return reply(w, out, err)
	})
	a.handleMember(http.MethodPost, "/me/two-factor/confirm", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in TwoFactorCode
		if err := decode(r, &in); err != nil {
			return err
		}
		codes, err := svc().ConfirmTwoFactor(r.Context(), actor, in.Code, a.clientAddress(r))
		return reply(w, RecoveryCodes{RecoveryCodes: codes}, err)
	})
	a.handle(http.MethodPost, "/me/two-factor/disable", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in partners.DisableTwoFactorInput
		if err := decode(r, &in); err != nil {
			return err
		}
		if err := svc().DisableTwoFactor(r.Context(), actor, in, a.clientAddress(r)); err != nil {
			return err
		}
		return noContent(w)
	})
	a.handle(http.MethodPost, "/me/two-factor/recovery-codes", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in partners.RecoveryCodesInput
		if err := decode(r, &in); err != nil {
			return err
		}
		codes, err := svc().RegenerateRecoveryCodes(r.Context(), actor, in, a.clientAddress(r))
		return reply(w, RecoveryCodes{RecoveryCodes: codes}, err)
	})
	a.handle(http.MethodGet, "/account/security", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		out, err := svc().AccountSecurity(r.Context(), actor)
		return reply(w, out, err)
	})
	a.handle(http.MethodPatch, "/account/security", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		var in partners.AccountSecurityInput
		if err := decode(r, &in); err != nil {
			return err
		}
		out, err := svc().SetAccountSecurity(r.Context(), actor, in)
		return reply(w, out, err)
	})
	a.handle(http.MethodGet, "/team/invitations", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		invs, err := svc().TeamInvitations(r.Context(), actor)
		if err != nil {
			return err
		}
		return writeWhole(w, r, invs, teamInvitationOrder)
	})
	a.handle(http.MethodPost, "/team/invitations/{id}/resend", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		inv, token, err := svc().ResendTeamInvitation(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		return ok(w, CreatedTeamInvitation{TeamInvitation: *inv, Token: token, Link: partners.JoinPath + token})
	})
	a.handle(http.MethodPost, "/team/invitations/{id}/revoke", func(w http.ResponseWriter, r *http.Request, actor partnerkit.Actor) error {
		inv, err := svc().RevokeTeamInvitation(r.Context(), actor, r.PathValue("id"))
		return reply(w, inv, err)
	})
}
