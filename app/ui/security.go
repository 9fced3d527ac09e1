package ui

import (
	"context"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// The security page, /account/security (accountPage; the mails about
// passwords, sign-ins and two-factor changes link here): change the
// password; two-factor sign-in — enrol with a QR code or the key typed in,
// confirm with a code, keep the recovery codes shown once; turn it off
// with the password and a code; the sessions, each one revocable, and
// signing out every other; the new-device sign-in mail; and, for the
// account's admins, whether every member must use two-factor sign-in. A
// session that must enrol first sees only the two-factor part.

// loadSecurity loads the page.
func (c *accountPage) loadSecurity(ctx app.Context) {
	var show func(*accountPage)
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		show, err = securityNow(ctx)
		return err
	}, func(_ app.Context, err error) {
		if c.err = err; show != nil {
			show(c)
		}
	})
}

// securityNow reads the overview and (unless the session must enrol
// first) who the user is, the sessions and the account's settings; show,
// on the UI goroutine, puts them on the page.
func securityNow(ctx context.Context) (show func(*accountPage), err error) {
	sec, err := api.Security(ctx)
	if err != nil {
		return nil, err
	}
	var me *client.Me
	var acc *client.AccountSecurity
	sessions := &client.List[client.Session]{}
	if !sec.SessionRestricted {
		if me, err = api.Me(ctx); err == nil {
			if sessions, err = api.Sessions(ctx); err == nil {
				acc, err = api.AccountSecurity(ctx)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return func(c *accountPage) { c.sec, c.me, c.account, c.sessions = sec, me, acc, sessions.Items }, nil
}

// change runs a change of the security page (do), reads the page again
// and shows it, with do's outcome at form, or its notice at done when the
// form goes with the change ("" for form).
func (c *accountPage) change(ctx app.Context, form, done string, do func(context.Context) (string, error)) {
	var show func(*accountPage)
	var notice string
	submitted(&c.mounted, ctx, form, func(ctx context.Context) (n string, err error) {
		if notice, err = do(ctx); err == nil {
			show, _ = securityNow(ctx)
		}
		return pick(done == "", notice, ""), err
	}, func(ctx app.Context, _ error) {
		if show != nil {
			show(c)
		}
		if show != nil && done != "" {
			ctx.Defer(func(app.Context) { showOutcome(done, nil, notice) })
		}
	})
}

// securityParts is the page's parts.
func (c *accountPage) securityParts() []app.UI {
	s := c.sec
	if s == nil {
		return []app.UI{hint("Loading…")}
	}
	if s.SessionRestricted {
		return []app.UI{app.Raw(rawf(`<div id="enrol-required" class="notice secret" role="alert"><strong>$ requires two-factor sign-in.</strong>`+
			`<p>Set it up below to go on: until then this session can do nothing else.</p></div>`, s.TwoFactorRequiredBy)), c.twoFactor()}
	}
	return []app.UI{
		section("password", app.Raw(`<h2>Password</h2>`), app.Raw(formHTML("password-form",
			inputHTML("password-form", "current_password", "Current password", "password", "")+
				inputHTML("password-form", "new_password", "New password (8+ characters, 3 of: lower, upper, digit, symbol)", "password", ""),
			"Change password", ""))),
		c.twoFactor(), c.sessionList(), c.settings(),
	}
}

// twoFactor is the two-factor part: the recovery codes just made, an
// enrolment under way, the state with the forms that make new recovery
// codes and turn it off, or the button that starts.
func (c *accountPage) twoFactor() app.UI {
	return section("two-factor", app.Raw(`<h2>Two-factor sign-in</h2>`), app.Raw(`<p id="two-factor-status" role="status" hidden></p>`),
		app.Raw(c.twoFactorHTML()))
}

// lowRecoveryCodes is when the page suggests new recovery codes.
const lowRecoveryCodes = 3

// twoFactorHTML is the two-factor part's changing HTML (one root element).
func (c *accountPage) twoFactorHTML() string {
	s, inner := c.sec, ""
	switch {
	case c.codes != nil:
		text := strings.Join(c.codes, "\n")
		head := "Two-factor sign-in is on. Save these recovery codes now: they are shown only this once."
		if c.codesNew {
			head = "Your new recovery codes: save them now, they are shown only this once. The old ones no longer work."
		}
		inner = rawf(`<div id="recovery-codes" class="notice secret" role="alert"><strong>$</strong><p>Each one signs you in once if you lose your phone. `+
			`Keep them somewhere safe, apart from the phone: a password manager, or on paper.</p>`+
			`<textarea id="recovery-codes-value" class="codes" readonly rows="10" aria-label="Recovery codes">$</textarea>`+
			`<div class="actions"><button type="button" id="recovery-codes-value-copy" data-act="copy" data-id="recovery-codes-value">Copy</button>`+
			`<a id="download-codes" class="button secondary" download="partnerkit-recovery-codes.txt" href="data:text/plain;charset=utf-8,$">Download</a>`+
			`<button type="button" id="codes-saved" class="secondary" data-act="codes-saved">I have saved them</button></div></div>`,
			head, text, url.PathEscape(text+"\n"))
	case c.enrol != nil:
		e := c.enrol
		inner = rawf(`<ol id="enrolment" class="enrol-steps"><li><p>Scan this QR code with your authenticator app `+
			`(Google Authenticator, Microsoft Authenticator, 1Password, Authy…):</p><img id="qr-code" class="qr" src="$" alt="QR code of your two-factor key" width="200" height="200"></li>`+
			`<li><p>Or type this key into the app (time-based, $ digits, every $ seconds):</p>!</li><li>!</li></ol>`,
			e.QRCode, itoa(e.Digits), itoa(e.Period), copyHTML("totp-secret", "Two-factor key", strings.Join(chunks(e.Secret, 4), " ")),
			formHTML("confirm-form", inputHTML("confirm-form", "code", "Then enter the 6-digit code the app shows", "code", ""), "Turn on", ""))
	case s.TwoFactorEnabled:
		on := "on"
		if s.TwoFactorEnabledAt != nil {
			on = "on since " + moment(*s.TwoFactorEnabledAt)
		}
		off := rawf(`<p class="hint">$ requires two-factor sign-in of its members: it cannot be turned off.</p>`, s.TwoFactorRequiredBy)
		if s.TwoFactorRequiredBy == "" {
			off = `<h3>Turn two-factor sign-in off</h3>` + formHTML("disable-form", inputHTML("disable-form", "password", "Password", "password", "")+
				inputHTML("disable-form", "code", "Code or recovery code", "code", ""), "Turn off", "danger")
		}
		inner = rawf(`<div><p id="two-factor-state"><span class="status status-enabled">$</span> — $ of 10 recovery codes left.</p>!!</div>`,
			on, itoa(s.RecoveryCodesLeft), c.renewHTML(), off)
	default:
		inner = rawf(`<div><p>Two-factor sign-in asks for a code of an authenticator app on your phone after your password: a stolen password is not enough.</p>!</div>`,
			rowButton("", pick(s.TwoFactorPending, "Start again", "Set up two-factor sign-in"), "enrol", ""))
	}
	return inner
}

// renewHTML is the part that makes new recovery codes: a button, or,
// once pressed, the form that asks for the password and a current code.
func (c *accountPage) renewHTML() string {
	low := ""
	if left := c.sec.RecoveryCodesLeft; left <= lowRecoveryCodes {
		low = pick(left == 0, `<p id="recovery-codes-low" class="hint">No recovery code is left: make new ones, or a lost phone locks you out.</p>`,
			`<p id="recovery-codes-low" class="hint">Few recovery codes are left: make new ones before you run out.</p>`)
	}
	if !c.renewing {
		return rawf(`<div id="renew-codes">!<div class="actions">!</div></div>`, low,
			rowButton("secondary", "Make new recovery codes", "renew-codes", ""))
	}
	return rawf(`<div id="renew-codes"><h3>New recovery codes</h3><p class="hint">Ten new codes replace all of your recovery codes, used or not: `+
		`the old ones stop working.</p><form id="renew-form" novalidate>!!<p id="renew-form-status" role="status" hidden></p>`+
		`<div class="actions"><button type="submit" id="renew-form-submit">Make new codes</button>!</div></form></div>`,
		inputHTML("renew-form", "password", "Password", "password", ""),
		inputHTML("renew-form", "code", "Current code of your authenticator app", "code", ""),
		rowButton("secondary", "Cancel", "renew-cancel", ""))
}

// chunks cuts s into pieces of n characters.
func chunks(s string, n int) []string {
	var out []string
	for len(s) > n {
		out, s = append(out, s[:n]), s[n:]
	}
	return append(out, s)
}

// sessionHead is the sessions table's columns.
var sessionHead = []string{"Device", "Address", "Signed in", "Last seen", ""}

// sessionList is the table of sessions.
func (c *accountPage) sessionList() app.UI {
	rows := make([]string, len(c.sessions))
	for i := range c.sessions {
		s := &c.sessions[i]
		last := rowButton("small danger", "Sign out", "revoke-session", s.ID)
		if s.Current {
			last = badge("enabled", "this device")
		}
		rows[i] = row(sessionHead, rawf(` class="session-row" data-id="$" data-current="$"`, s.ID, pick(s.Current, "true", "false")),
			esc(s.Device), esc(s.Address), esc(moment(s.CreatedAt)), esc(moment(s.LastSeenAt)), last)
	}
	others := ""
	if len(c.sessions) > 1 {
		others = rowButton("secondary", "Sign out every other session", "revoke-others", "")
	}
	return section("sessions", app.Raw(`<h2>Where you are signed in</h2>`), cards("session-list", sessionHead, rows),
		app.Raw(`<p id="sessions-status" role="status" hidden></p>`), rawOf(others))
}

// settings is the new-device mail setting, and the account's two-factor
// rule: a check box for its admins, a sentence for the others.
func (c *accountPage) settings() app.UI {
	account := ""
	if a := c.account; a != nil && c.me.Role == partnerkit.RoleAdmin {
		account = checkHTML("require-two-factor", "Require two-factor sign-in of every member of this account", a.RequireTwoFactor,
			"Members without it are asked to set it up at their next sign-in, and can do nothing else until they have. API keys are unaffected.")
	} else if a != nil && a.RequireTwoFactor {
		account = `<p class="hint">This account requires two-factor sign-in of every member.</p>`
	}
	return section("settings", app.Raw(`<h2>Settings</h2>`),
		app.Raw(checkHTML("new-sign-in-mail", "E-mail me when my login signs in from a new device or browser", c.sec.NewSignInMail, "")),
		rawOf(account), app.Raw(`<p id="settings-status" role="status" hidden></p>`))
}

// checkHTML is a labelled check box, with a hint under it.
func checkHTML(id, label string, on bool, hint string) string {
	return rawf(`<div><label class="check"><input type="checkbox" id="$"!> $</label><p class="hint">$</p></div>`, id, pick(on, " checked", ""), label, hint)
}

// securityAct runs the page's buttons.
func (c *accountPage) securityAct(ctx app.Context, act, item string) {
	switch act {
	case "enrol":
		var en *client.TwoFactorEnrolment
		submitted(&c.mounted, ctx, "two-factor", func(ctx context.Context) (_ string, err error) {
			en, err = api.BeginTwoFactor(ctx)
			return
		}, func(_ app.Context, err error) {
			if err == nil {
				c.enrol = en
			}
		})
	case "codes-saved":
		c.codes, c.codesNew = nil, false
		c.load(c.own(ctx))
	case "renew-codes", "renew-cancel":
		c.renewing = act == "renew-codes"
		if c.renewing {
			ctx.Defer(func(app.Context) {
				if el := byID("renew-form-password"); el.Truthy() {
					el.Call("focus")
				}
			})
		}
	case "revoke-session":
		c.change(ctx, "sessions", "", func(ctx context.Context) (string, error) {
			return "That session is signed out.", api.RevokeSession(ctx, item)
		})
	case "revoke-others":
		c.change(ctx, "sessions", "", func(ctx context.Context) (string, error) {
			n, err := api.RevokeOtherSessions(ctx)
			return itoa(n.Ended) + " other sessions signed out.", err
		})
	}
}

// submitSecurity sends the page's forms.
func (c *accountPage) submitSecurity(ctx app.Context, f string) {
	switch f {
	case "password-form":
		in := client.PasswordChange{CurrentPassword: formValue(f, "current_password"), NewPassword: formValue(f, "new_password")}
		if err := invalid(problem("current_password", pick(in.CurrentPassword == "", partnerkit.ProblemRequired, "")),
			partnerrules.CheckPassword("new_password", in.NewPassword, nil)); err != nil {
			showOutcome(f, err, "")
			return
		}
		c.change(ctx, f, "", func(ctx context.Context) (string, error) {
			res, err := api.ChangePassword(ctx, in)
			return "Password changed. " + itoa(res.SessionsEnded) + " other sessions were signed out.", err
		})
	case "confirm-form":
		code, _ := codeOrRecovery(formValue(f, "code"))
		var res *client.RecoveryCodes
		submitted(&c.mounted, ctx, f, func(ctx context.Context) (_ string, err error) {
			res, err = api.ConfirmTwoFactor(ctx, code)
			return
		}, func(_ app.Context, err error) {
			if err == nil {
				c.codes, c.enrol = res.RecoveryCodes, nil
			}
		})
	case "renew-form":
		in := client.RecoveryCodesRenewal{Password: formValue(f, "password"), Code: strings.ReplaceAll(strings.TrimSpace(formValue(f, "code")), " ", "")}
		if err := invalid(problem("password", pick(in.Password == "", partnerkit.ProblemRequired, "")),
			problem("code", pick(in.Code == "", partnerkit.ProblemRequired, ""))); err != nil {
			showOutcome(f, err, "")
			return
		}
		var res *client.RecoveryCodes
		submitted(&c.mounted, ctx, f, func(ctx context.Context) (_ string, err error) {
			res, err = api.RegenerateRecoveryCodes(ctx, in)
			return
		}, func(_ app.Context, err error) {
			if err == nil {
				c.codes, c.codesNew, c.renewing = res.RecoveryCodes, true, false
			}
		})
	case "disable-form": // done, the form goes: the notice shows at the top of the part
		in := client.TwoFactorOff{Password: formValue(f, "password")}
		in.Code, in.RecoveryCode = codeOrRecovery(formValue(f, "code"))
		c.change(ctx, f, "two-factor", func(ctx context.Context) (string, error) {
			return "Two-factor sign-in is off.", api.DisableTwoFactor(ctx, in)
		})
	}
}

// onChange saves the settings' check boxes (a failed change ticks or
// unticks the box back).
func (c *accountPage) onChange(ctx app.Context, e app.Event) {
	box := e.Get("target")
	on, id := box.Get("checked").Bool(), box.Get("id").String()
	if id != "new-sign-in-mail" && id != "require-two-factor" {
		return
	}
	c.change(ctx, "settings", "", func(ctx context.Context) (string, error) {
		var err error
		if id == "new-sign-in-mail" {
			_, err = api.SetSecurity(ctx, client.SecurityChanges{NewSignInMail: &on})
		} else {
			_, err = api.SetAccountSecurity(ctx, client.AccountSecurityChanges{RequireTwoFactor: &on})
		}
		if err != nil {
			box.Set("checked", !on)
		}
		if id == "new-sign-in-mail" {
			return pick(on, "Sign-ins from a new device are e-mailed to you.", "Sign-ins from a new device are no longer e-mailed to you."), err
		}
		return pick(on, "Every member must now use two-factor sign-in.", "Two-factor sign-in is now each member's choice."), err
	})
}
