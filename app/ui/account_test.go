package ui

import (
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
)

// One field takes a code of the authenticator app or a recovery code.
func TestCodeOrRecovery(t *testing.T) {
	for _, c := range []struct{ in, code, recovery string }{
		{"123456", "123456", ""},
		{" 123 456 ", "123456", ""},
		{"abcde-12345", "", "abcde-12345"},
		{"ABCDE 12345", "", "ABCDE 12345"},
		{"", "", ""},
	} {
		if code, recovery := codeOrRecovery(c.in); code != c.code || recovery != c.recovery {
			t.Errorf("codeOrRecovery(%q) = %q, %q; want %q, %q", c.in, code, recovery, c.code, c.recovery)
		}
	}
}

// A raw input escapes what it shows and is tied to its problem's line.
func TestInputHTML(t *testing.T) {
	html := inputHTML("answer-form", "email", `Send <it> to`, "email", attr("value", `a"b@example.com`))
	for _, want := range []string{
		`<label for="answer-form-email">Send &lt;it&gt; to</label>`,
		`<input id="answer-form-email" name="email" type="email" autocomplete="email" value="a&#34;b@example.com">`,
		`<span id="answer-form-email-error" class="field-error" data-field="email" hidden></span>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s in\n%s", want, html)
		}
	}
	if code := inputHTML("code-form", "code", "Code", "code", ""); !strings.Contains(code, `type="text" autocomplete="one-time-code" inputmode="numeric"`) {
		t.Errorf("a code field: %s", code)
	}
}

// The reset page says when its link is used up, and offers a new one.
func TestPasswordPages(t *testing.T) {
	c := &accountPage{page: "forgot"}
	if html := c.passwordHTML(); !strings.Contains(html, `<form id="forgot-form" novalidate>`) || !strings.Contains(html, `href="/signin"`) {
		t.Errorf("forgot page: %s", html)
	}
	c = &accountPage{page: "reset", token: "tok"}
	if html := c.passwordHTML(); !strings.Contains(html, `id="reset-form-password"`) || !strings.Contains(html, `id="reset-form-repeat"`) {
		t.Errorf("reset page: %s", html)
	}
	c.err = partnerkit.Errorf(partnerkit.CodeGone, "this link was used <already>")
	if html := c.passwordHTML(); !strings.Contains(html, `id="link-error"`) || !strings.Contains(html, "used &lt;already&gt;") || !strings.Contains(html, `href="/forgot-password"`) {
		t.Errorf("used link: %s", html)
	}
	c.err, c.reset = nil, true
	if html := c.passwordHTML(); !strings.Contains(html, `id="reset-done"`) {
		t.Errorf("done: %s", html)
	}
}

// An invitation row offers what its status allows: a partner's expired
// invitation is resent but not revoked, a team's is both.
func TestInvitationRowActions(t *testing.T) {
	for _, c := range []struct {
		row            invitationRow
		resend, revoke bool
	}{
		{invitationRow{id: "INV-1", status: "pending"}, true, true},
		{invitationRow{id: "INV-2", status: "expired"}, true, false},
		{invitationRow{id: "TI-3", status: "expired", team: true}, true, true},
		{invitationRow{id: "INV-4", status: "activated"}, false, false},
		{invitationRow{id: "TI-5", status: "revoked", team: true}, false, false},
	} {
		head := partnerInvitationHead
		if c.row.team {
			head = teamInvitationHead
		}
		html := c.row.html(head)
		if got := strings.Contains(html, `data-act="resend"`); got != c.resend {
			t.Errorf("%s %s: resend %v, want %v", c.row.id, c.row.status, got, c.resend)
		}
		if got := strings.Contains(html, `data-act="revoke"`); got != c.revoke {
			t.Errorf("%s %s: revoke %v, want %v", c.row.id, c.row.status, got, c.revoke)
		}
	}
}
