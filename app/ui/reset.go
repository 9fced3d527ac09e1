package ui

import (
	"context"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// The public pages of a lost password (accountPage): /forgot-password asks
// for a reset link by email — the answer is the same for every email —
// and /reset-password/{token}, the link of that mail, sets a new password
// meeting the shared password rule (partners/rules).

// resetPasswordPath starts the path of a reset link (partners.ResetPasswordPath).
const resetPasswordPath = "/reset-password/"

func (c *accountPage) passwordHTML() string {
	switch {
	case c.page == "forgot":
		return `<div><h1>Forgot your password?</h1><p>Enter the email you sign in with: we send it a link to set a new password. ` +
			`The link works once, for an hour.</p>` + formHTML("forgot-form", inputHTML("forgot-form", "email", "Email", "email", ""), "Send the link", "") +
			`<p><a href="/signin">Back to sign in</a></p></div>`
	case c.reset:
		return `<div id="reset-done"><h1>Your new password is set</h1><p>Every session of yours was signed out, on every device: ` +
			`sign in with the new password.</p><a class="button" id="go-signin" href="/signin">Sign in</a></div>`
	case partnerkit.ErrorCode(c.err) == partnerkit.CodeGone:
		return rawf(`<div id="link-error"><h1>This link can no longer be used</h1><p class="error">$</p>`+
			`<a class="button" href="/forgot-password">Ask for a new link</a></div>`, errorText(c.err))
	}
	return `<div><h1>Set a new password</h1><p class="hint">At least 8 characters, mixing 3 of: lower case, upper case, digits, symbols. ` +
		`Very common passwords are refused.</p>` + formHTML("reset-form", inputHTML("reset-form", "password", "New password", "password", "")+
		inputHTML("reset-form", "repeat", "Repeat the new password", "password", ""), "Set the password", "") + `</div>`
}

// submitPassword sends the request or the new password.
func (c *accountPage) submitPassword(ctx app.Context, form string) {
	if form == "forgot-form" {
		email := strings.TrimSpace(formValue(form, "email"))
		if email == "" {
			showOutcome(form, partnerkit.FieldError("email", partnerkit.ProblemRequired), "")
			return
		}
		submitted(&c.mounted, ctx, form, func(ctx context.Context) (string, error) {
			res, err := api.RequestPasswordReset(ctx, email)
			return res.Message, err
		}, nil)
		return
	}
	pw, token := formValue(form, "password"), c.token
	mismatch := problem("repeat", pick(formValue(form, "repeat") != pw, "does not match the new password", ""))
	if err := invalid(partnerrules.CheckPassword("password", pw, nil), mismatch); err != nil {
		showOutcome(form, err, "")
		return
	}
	submitted(&c.mounted, ctx, form, func(ctx context.Context) (string, error) {
		return "", api.ResetPassword(ctx, token, pw)
	}, func(_ app.Context, err error) { c.reset, c.err = err == nil, err })
}
