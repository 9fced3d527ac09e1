package api_test

import (
	"net/http"
	"testing"

	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/partners"
)

// POST /me/two-factor/recovery-codes: the password and a current code
// give ten new codes, and the old ones stop working.
func TestRecoveryCodesAPI(t *testing.T) {
	s := newSecServer(t)
	admin := s.signInAs("", "admin@provider.example", "Sup3r-secret")
	const path = "/me/two-factor/recovery-codes"
	admin.must(http.MethodPost, path, map[string]string{"password": "Sup3r-secret", "code": "123456"}, http.StatusConflict, nil)
	var en partners.TwoFactorEnrolment
	admin.must(http.MethodPost, "/me/two-factor", nil, http.StatusOK, &en)
	var old api.RecoveryCodes
	admin.must(http.MethodPost, "/me/two-factor/confirm", map[string]string{"code": s.code(t, en.Secret)}, http.StatusOK, &old)
	s.advance(partners.TOTPPeriod)

	body := admin.must(http.MethodPost, path, map[string]string{"password": "wrong", "code": s.code(t, en.Secret)}, http.StatusBadRequest, nil)
	wantFieldError(t, body, "password")
	body = admin.must(http.MethodPost, path, map[string]string{"password": "Sup3r-secret"}, http.StatusBadRequest, nil)
	wantFieldError(t, body, "code")
	var fresh api.RecoveryCodes
	code := s.code(t, en.Secret)
	admin.must(http.MethodPost, path, map[string]string{"password": "Sup3r-secret", "code": code}, http.StatusOK, &fresh)
	if len(fresh.RecoveryCodes) != partners.RecoveryCodes || fresh.RecoveryCodes[0] == old.RecoveryCodes[0] {
		t.Fatalf("new codes %v (old %v)", fresh.RecoveryCodes, old.RecoveryCodes)
	}
	body = admin.must(http.MethodPost, path, map[string]string{"password": "Sup3r-secret", "code": code}, http.StatusBadRequest, nil)
	wantFieldError(t, body, "code") // accepted once
	s.advance(partners.PairWindow)  // the counts of the refusals above end

	signIn := func(recovery string, status int) []byte {
		t.Helper()
		u := s.browser("")
		var ch api.TwoFactorChallenge
		u.must(http.MethodPost, "/session", map[string]string{"email": "admin@provider.example", "password": "Sup3r-secret"}, http.StatusAccepted, &ch)
		return u.must(http.MethodPost, "/session/two-factor", map[string]string{"challenge": ch.Challenge, "recovery_code": recovery}, status, nil)
	}
	wantFieldError(t, signIn(old.RecoveryCodes[0], http.StatusBadRequest), "recovery_code")
	signIn(fresh.RecoveryCodes[0], http.StatusCreated)
	var over partners.SecurityOverview
	admin.must(http.MethodGet, "/me/security", nil, http.StatusOK, &over)
	if over.RecoveryCodesLeft != partners.RecoveryCodes-1 {
		t.Fatalf("overview %+v", over)
	}
}
