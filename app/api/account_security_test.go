package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/memstore"
	"github.com/partnerkit/partnerkit/partners/rules"
	"github.com/partnerkit/partnerkit/storetest"
	pkwiring "github.com/partnerkit/partnerkit/wiring"
	"github.com/pquerna/otp/totp"
)

// secServer is an API over a partners service whose mail goes to a
// MailBox and whose clock the test moves.
type secServer struct {
	*server
	mail   *storetest.MailBox
	offset atomic.Int64
	admin  partnerkit.Actor
}

// resetFloor is the answer floor of POST /password-reset in these tests.
const resetFloor = 60 * time.Millisecond

func newSecServer(t *testing.T) *secServer {
	t.Helper()
	s := &secServer{mail: &storetest.MailBox{}}
	clock := func() time.Time { return time.Now().Add(time.Duration(s.offset.Load())) }
	svc := partners.NewService(memstore.New(nil), partners.WithPasswordHasher(storetest.CheapHasher), partners.WithClock(clock),
		partners.WithMailQueue(s.mail), partners.WithResetAnswerFloor(resetFloor))
	root, admin, err := svc.Bootstrap(context.Background(), partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "admin@provider.example", AdminFullName: "Ada Admin", AdminPassword: "Sup3r-secret"})
	if err != nil {
		t.Fatal(err)
	}
	s.admin = partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
	cfg := api.Config{Services: pkwiring.Services{Partners: svc}, Logger: slog.New(slog.DiscardHandler)}
	h := api.New(cfg)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s.server = &server{t: t, srv: srv, cfg: cfg, api: h}
	return s
}

// advance moves the service's clock (and the codes the test makes).
func (s *secServer) advance(d time.Duration) { s.offset.Add(int64(d)) }

func (s *secServer) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, time.Now().Add(time.Duration(s.offset.Load())))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// uaTransport sends a User-Agent.
type uaTransport struct{ ua string }

func (u uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.ua)
	return http.DefaultTransport.RoundTrip(r)
}

// browser is an anonymous client with its own cookies and User-Agent.
func (s *secServer) browser(ua string) *user {
	jar, _ := cookiejar.New(nil)
	return &user{s: s.server, client: &http.Client{Jar: jar, Transport: uaTransport{ua}}}
}

func (s *secServer) signInAs(ua, email, password string) *user {
	s.t.Helper()
	u := s.browser(ua)
	u.must(http.MethodPost, "/session", map[string]string{"email": email, "password": password}, http.StatusCreated, nil)
	return u
}

func wantFieldError(t *testing.T, body []byte, field string) {
	t.Helper()
	if !bytes.Contains(body, []byte(`"`+field+`"`)) {
		t.Fatalf("the error does not name %s: %s", field, body)
	}
}

func TestPasswordResetAPI(t *testing.T) {
	s := newSecServer(t)
	old := s.signInAs("Firefox/1 Linux", "admin@provider.example", "Sup3r-secret")
	anon := s.browser("")
	// The same status and body for an email with a login and one without,
	// and neither answers before the floor.
	answer := func(email string) (int, string, time.Duration) {
		start := time.Now()
		res, body := anon.do(http.MethodPost, "/password-reset", map[string]string{"email": email})
		return res.StatusCode, string(body), time.Since(start)
	}
	knownStatus, knownBody, knownTook := answer("ADMIN@provider.example")
	unknownStatus, unknownBody, unknownTook := answer("nobody@provider.example")
	if knownStatus != http.StatusAccepted || knownStatus != unknownStatus || knownBody != unknownBody {
		t.Fatalf("known %d %s, unknown %d %s", knownStatus, knownBody, unknownStatus, unknownBody)
	}
	if knownTook < resetFloor || unknownTook < resetFloor {
		t.Fatalf("answers took %s and %s, under the floor %s", knownTook, unknownTook, resetFloor)
	}
	ms := s.mail.Sent(partnerkit.MailPasswordReset)
	if len(ms) != 1 || ms[0].To != "admin@provider.example" {
		t.Fatalf("reset mail %+v", ms)
	}
	token := strings.TrimPrefix(ms[0].Data["reset_path"], partners.ResetPasswordPath)
	// A common password is refused naming the field, and keeps the link.
	body := anon.must(http.MethodPost, "/password-reset/"+token, map[string]string{"password": "Password1"}, http.StatusBadRequest, nil)
	wantFieldError(t, body, "password")
	if !bytes.Contains(body, []byte(rules.CommonPasswordProblem)) {
		t.Fatalf("body %s", body)
	}
	anon.must(http.MethodPost, "/password-reset/"+token, map[string]string{"password": "N3w-Passphrase"}, http.StatusNoContent, nil)
	anon.must(http.MethodPost, "/password-reset/"+token, map[string]string{"password": "N3w-Passphrase"}, http.StatusGone, nil)
	anon.must(http.MethodPost, "/password-reset/not-a-token", map[string]string{"password": "N3w-Passphrase"}, http.StatusNotFound, nil)
	// Every session ended; the new password signs in.
	old.must(http.MethodGet, "/me", nil, http.StatusUnauthorized, nil)
	s.signInAs("", "admin@provider.example", "N3w-Passphrase")
	// An expired link is refused.
	anon.must(http.MethodPost, "/password-reset", map[string]string{"email": "admin@provider.example"}, http.StatusAccepted, nil)
	late := strings.TrimPrefix(s.mail.Last(t, partnerkit.MailPasswordReset).Data["reset_path"], partners.ResetPasswordPath)
	s.advance(partners.PasswordResetTTL + time.Second)
	anon.must(http.MethodPost, "/password-reset/"+late, map[string]string{"password": "Other-Passphrase9"}, http.StatusGone, nil)
	if got := api.RedactPath("/api/v1/password-reset/" + late); strings.Contains(got, late) {
		t.Fatalf("RedactPath kept the token: %s", got)
	}
}

func TestSessionsAPI(t *testing.T) {
	s := newSecServer(t)
	laptop := s.signInAs("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", "admin@provider.example", "Sup3r-secret")
	phone := s.signInAs("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile Safari/604.1", "admin@provider.example", "Sup3r-secret")
	spare := s.signInAs("curl/8.0", "admin@provider.example", "Sup3r-secret")
	var list struct {
		Items []partners.SessionInfo `json:"items"`
		Total int                    `json:"total"`
	}
	laptop.must(http.MethodGet, "/me/sessions", nil, http.StatusOK, &list)
	if list.Total != 3 {
		t.Fatalf("sessions %+v", list)
	}
	cookie := sessionToken(t, laptop)
	var phoneID string
	for _, x := range list.Items {
		if x.ID == cookie || strings.Contains(cookie, x.ID) || x.ID == partners.HashToken(cookie) {
			t.Fatalf("a session ID is its token: %+v", x)
		}
		if x.Current != (x.Device == "Firefox on Linux") || x.Address == "" {
			t.Fatalf("session %+v", x)
		}
		if x.Device == "Safari on iOS" {
			phoneID = x.ID
		}
	}
	laptop.must(http.MethodDelete, "/me/sessions/"+phoneID, nil, http.StatusNoContent, nil)
	phone.must(http.MethodGet, "/me", nil, http.StatusUnauthorized, nil)
	laptop.must(http.MethodDelete, "/me/sessions/"+phoneID, nil, http.StatusNotFound, nil)
	var ended api.SessionsEnded
	laptop.must(http.MethodDelete, "/me/sessions", nil, http.StatusOK, &ended)
	if ended.Ended != 1 {
		t.Fatalf("ended %+v", ended)
	}
	spare.must(http.MethodGet, "/me", nil, http.StatusUnauthorized, nil)
	laptop.must(http.MethodGet, "/me", nil, http.StatusOK, nil)

	// Changing the password ends the other sessions, and names bad fields.
	other := s.signInAs("", "admin@provider.example", "Sup3r-secret")
	body := laptop.must(http.MethodPut, "/me/password", map[string]string{"current_password": "wrong", "new_password": "N3w-Passphrase"},
		http.StatusBadRequest, nil)
	wantFieldError(t, body, "current_password")
	body = laptop.must(http.MethodPut, "/me/password", map[string]string{"current_password": "Sup3r-secret", "new_password": "Qwerty123"},
		http.StatusBadRequest, nil)
	wantFieldError(t, body, "new_password")
	var changed api.PasswordChanged
	laptop.must(http.MethodPut, "/me/password", map[string]string{"current_password": "Sup3r-secret", "new_password": "N3w-Passphrase"},
		http.StatusOK, &changed)
	if changed.SessionsEnded != 1 {
		t.Fatalf("changed %+v", changed)
	}
	other.must(http.MethodGet, "/me", nil, http.StatusUnauthorized, nil)
	laptop.must(http.MethodGet, "/me", nil, http.StatusOK, nil)
	if m := s.mail.Last(t, partnerkit.MailPasswordChanged); m.To != "admin@provider.example" {
		t.Fatalf("mail %+v", m)
	}
}

func TestTwoFactorAPI(t *testing.T) {
	s := newSecServer(t)
	admin := s.signInAs("", "admin@provider.example", "Sup3r-secret")
	var en partners.TwoFactorEnrolment
	admin.must(http.MethodPost, "/me/two-factor", nil, http.StatusOK, &en)
	if !strings.HasPrefix(en.QRCodeSVG, "<svg") || en.Secret == "" || !strings.HasPrefix(en.URL, "otpauth://totp/Partnerkit:") {
		t.Fatalf("enrolment %+v", en)
	}
	body := admin.must(http.MethodPost, "/me/two-factor/confirm", map[string]string{"code": "123"}, http.StatusBadRequest, nil)
	wantFieldError(t, body, "code")
	var rc api.RecoveryCodes
	admin.must(http.MethodPost, "/me/two-factor/confirm", map[string]string{"code": s.code(t, en.Secret)}, http.StatusOK, &rc)
	if len(rc.RecoveryCodes) != partners.RecoveryCodes {
		t.Fatalf("recovery codes %+v", rc)
	}
	s.advance(partners.TOTPPeriod)

	// Sign-in has two steps: 202 with a challenge and no session cookie.
	first := func(u *user) api.TwoFactorChallenge {
		t.Helper()
		var ch api.TwoFactorChallenge
		res, body := u.do(http.MethodPost, "/session", map[string]string{"email": "admin@provider.example", "password": "Sup3r-secret"})
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("first step: %d %s", res.StatusCode, body)
		}
		for _, c := range res.Cookies() {
			if c.Name == api.SessionCookie && c.Value != "" {
				t.Fatal("the first step set a session cookie")
			}
		}
		if err := json.Unmarshal(body, &ch); err != nil || !ch.TwoFactorRequired || ch.Challenge == "" || ch.ExpiresAt.IsZero() {
			t.Fatalf("first step %s (%v)", body, err)
		}
		return ch
	}
	u := s.browser("")
	code := s.code(t, en.Secret)
	var me api.Me
	u.must(http.MethodPost, "/session/two-factor", map[string]string{"challenge": first(u).Challenge, "code": code}, http.StatusCreated, &me)
	if me.User == nil || me.User.Email != "admin@provider.example" {
		t.Fatalf("me %+v", me)
	}
	u.must(http.MethodGet, "/me", nil, http.StatusOK, nil)
	// The same code again is a replay; a recovery code works once.
	v := s.browser("")
	body = v.must(http.MethodPost, "/session/two-factor", map[string]string{"challenge": first(v).Challenge, "code": code}, http.StatusBadRequest, nil)
	wantFieldError(t, body, "code")
	v.must(http.MethodPost, "/session/two-factor", map[string]string{"challenge": first(v).Challenge, "recovery_code": rc.RecoveryCodes[0]},
		http.StatusCreated, nil)
	body = v.must(http.MethodPost, "/session/two-factor", map[string]string{"challenge": first(v).Challenge, "recovery_code": rc.RecoveryCodes[0]},
		http.StatusBadRequest, nil)
	wantFieldError(t, body, "recovery_code")
	// Repeated wrong codes: the challenge dies or the throttle refuses.
	w := s.browser("")
	ch := first(w).Challenge
	var last int
	for range partners.MaxChallengeFailures {
		res, _ := w.do(http.MethodPost, "/session/two-factor", map[string]string{"challenge": ch, "code": "000000"})
		last = res.StatusCode
	}
	if last != http.StatusGone && last != http.StatusTooManyRequests {
		t.Fatalf("after %d wrong codes: %d", partners.MaxChallengeFailures, last)
	}
	res, _ := w.do(http.MethodPost, "/session/two-factor", map[string]string{"challenge": ch, "code": s.code(t, en.Secret)})
	if res.StatusCode != http.StatusGone && res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a right code on a dead challenge: %d", res.StatusCode)
	}
	var over partners.SecurityOverview
	u.must(http.MethodGet, "/me/security", nil, http.StatusOK, &over)
	if !over.TwoFactorEnabled || over.RecoveryCodesLeft != partners.RecoveryCodes-1 {
		t.Fatalf("overview %+v", over)
	}
	// Off with the password and a code, once the counts' window is over.
	s.advance(partners.PairWindow)
	u.must(http.MethodPost, "/me/two-factor/disable", map[string]string{"password": "Sup3r-secret", "code": s.code(t, en.Secret)},
		http.StatusNoContent, nil)
	s.signInAs("", "admin@provider.example", "Sup3r-secret")
}

func TestRequiredTwoFactorAPI(t *testing.T) {
	s := newSecServer(t)
	admin := s.signInAs("", "admin@provider.example", "Sup3r-secret")
	admin.must(http.MethodPost, "/team", map[string]any{"email": "staff@provider.example", "full_name": "Sam Staff",
		"password": "Sup3r-secret", "role": "staff"}, http.StatusCreated, nil)
	var sec partners.AccountSecurity
	admin.must(http.MethodPatch, "/account/security", map[string]any{"require_two_factor": true}, http.StatusOK, &sec)
	if !sec.RequireTwoFactor {
		t.Fatalf("settings %+v", sec)
	}
	staff := s.browser("")
	var me api.Me
	staff.must(http.MethodPost, "/session", map[string]string{"email": "staff@provider.example", "password": "Sup3r-secret"}, http.StatusCreated, &me)
	if !me.TwoFactorEnrolmentRequired {
		t.Fatalf("sign-in answer %+v", me)
	}
	staff.must(http.MethodGet, "/partners", nil, http.StatusForbidden, nil)
	staff.must(http.MethodPut, "/me/password", map[string]string{"current_password": "Sup3r-secret", "new_password": "N3w-Passphrase"},
		http.StatusForbidden, nil)
	staff.must(http.MethodGet, "/me", nil, http.StatusOK, nil)
	var over partners.SecurityOverview
	staff.must(http.MethodGet, "/me/security", nil, http.StatusOK, &over)
	if !over.SessionRestricted || over.TwoFactorRequiredBy != "Provider" {
		t.Fatalf("overview %+v", over)
	}
	staff.must(http.MethodPatch, "/account/security", map[string]any{"require_two_factor": false}, http.StatusForbidden, nil)
	var en partners.TwoFactorEnrolment
	staff.must(http.MethodPost, "/me/two-factor", nil, http.StatusOK, &en)
	staff.must(http.MethodPost, "/me/two-factor/confirm", map[string]string{"code": s.code(t, en.Secret)}, http.StatusOK, nil)
	staff.must(http.MethodGet, "/partners", nil, http.StatusOK, nil)
	// API keys are unaffected.
	var key api.CreatedAPIKey
	admin.must(http.MethodPost, "/api-keys", map[string]any{"description": "bot", "role": "viewer"}, http.StatusCreated, &key)
	bot := &user{s: s.server, client: http.DefaultClient, bearer: key.Key}
	bot.must(http.MethodGet, "/partners", nil, http.StatusOK, nil)
	bot.must(http.MethodPost, "/me/two-factor", nil, http.StatusForbidden, nil)
}

func TestTeamInvitationsAPI(t *testing.T) {
	s := newSecServer(t)
	admin := s.signInAs("", "admin@provider.example", "Sup3r-secret")
	body := admin.must(http.MethodPost, "/team", map[string]any{"email": "n@provider.example", "full_name": "N", "password": "Password1", "role": "staff"},
		http.StatusBadRequest, nil)
	wantFieldError(t, body, "password")
	var inv api.CreatedTeamInvitation
	admin.must(http.MethodPost, "/team/invitations", map[string]any{"email": "joiner@provider.example", "role": "viewer"}, http.StatusCreated, &inv)
	m := s.mail.Last(t, partnerkit.MailTeamInvitation)
	if m.Data["invite_path"] != inv.Link || m.Data["inviter"] != "Ada Admin" || m.Data["account_name"] != "Provider" || m.Ref != inv.ID {
		t.Fatalf("mail %+v", m)
	}
	var list struct {
		Items []partners.TeamInvitationView `json:"items"`
	}
	admin.must(http.MethodGet, "/team/invitations", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].Status != partners.InvitationPending || list.Items[0].Email != "joiner@provider.example" {
		t.Fatalf("list %+v", list)
	}
	var again api.CreatedTeamInvitation
	admin.must(http.MethodPost, "/team/invitations/"+inv.ID+"/resend", nil, http.StatusOK, &again)
	if again.Token == inv.Token || again.ID != inv.ID || again.Link != "/join/"+again.Token {
		t.Fatalf("resent %+v", again)
	}
	anon := s.browser("")
	anon.must(http.MethodGet, "/team-invitations/"+inv.Token, nil, http.StatusNotFound, nil)
	anon.must(http.MethodGet, "/team-invitations/"+again.Token, nil, http.StatusOK, nil)
	admin.must(http.MethodPost, "/team/invitations/"+inv.ID+"/revoke", nil, http.StatusOK, nil)
	anon.must(http.MethodGet, "/team-invitations/"+again.Token, nil, http.StatusGone, nil)
	admin.must(http.MethodGet, "/team/invitations", nil, http.StatusOK, &list)
	if list.Items[0].Status != partners.InvitationRevoked {
		t.Fatalf("list %+v", list)
	}
	admin.must(http.MethodPost, "/team/invitations/"+inv.ID+"/revoke", nil, http.StatusConflict, nil)
	if n := len(s.mail.Sent(partnerkit.MailTeamInvitation)); n != 2 {
		t.Fatalf("%d invitation mails, want 2", n)
	}
}
