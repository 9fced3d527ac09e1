package ui

import (
	"errors"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// The sign-in page's second step (signIn is in shell.go): a login with
// two-factor sign-in gives a challenge, completed with a code of the
// authenticator app or a recovery code; an account that requires
// two-factor sign-in sends a user without it to enrol first (the security
// page). The step is raw HTML, as the account pages (forms.go).

func (c *signIn) OnMount(ctx app.Context) { c.keep(ctx) }

// codeStep asks for the code.
func (c *signIn) codeStep() app.UI {
	return app.Elem("main").Class("signin").OnSubmit(c.submitCode).OnClick(c.restart).Body(app.Raw(`<div><h1>Two-factor sign-in</h1>` +
		`<p>Enter the 6-digit code your authenticator app shows for Partnerkit. Lost your phone? Enter one of your recovery codes instead.</p>` +
		formHTML("code-form", inputHTML("code-form", "code", "Code or recovery code", "code", ""), "Sign in", "") +
		`<p><button type="button" class="link" id="restart-signin" data-act="restart">Sign in as someone else</button></p></div>`))
}

// restart goes back to the password.
func (c *signIn) restart(_ app.Context, e app.Event) {
	if act, _, _ := actOf(e); act == "restart" {
		c.challenge, c.err = "", nil
	}
}

func (c *signIn) submitCode(ctx app.Context, e app.Event) {
	e.PreventDefault()
	in := client.SecondFactor{Challenge: c.challenge}
	in.Code, in.RecoveryCode = codeOrRecovery(formValue("code-form", "code"))
	if in.Code == "" && in.RecoveryCode == "" {
		showOutcome("code-form", partnerkit.FieldError("code", partnerkit.ProblemRequired), "")
		return
	}
	ctx = c.own(ctx)
	if b := byID("code-form-submit"); b.Truthy() {
		b.Set("disabled", true)
	}
	ctx.Async(func() {
		me, err := api.SignInWithCode(ctx, in)
		ctx.Dispatch(func(ctx app.Context) {
			if b := byID("code-form-submit"); b.Truthy() {
				b.Set("disabled", false)
			}
			if partnerkit.ErrorCode(err) == partnerkit.CodeGone { // expired, or too many wrong codes: the password again
				c.challenge = ""
			}
			c.signedIn(ctx, me, err)
		})
	})
}

// signedIn goes on after a sign-in step answered: to the code step, to
// enrolment, or to the directory; else it shows the error.
func (c *signIn) signedIn(ctx app.Context, me *client.Me, err error) {
	c.busy, c.err = false, err
	tf, needsCode := errors.AsType[*client.TwoFactorRequired](err)
	switch {
	case needsCode:
		c.challenge, c.err = tf.Challenge, nil
		ctx.Defer(func(app.Context) { byID("code-form-code").Call("focus") })
	case err == nil && me.TwoFactorEnrolmentRequired:
		forgetCopies()
		ctx.Navigate("/account/security")
	case err == nil:
		forgetCopies()              // another user's copies, if any
		ctx.Navigate(returnTo(ctx)) // the page asked for before sign-in (view.go)
	case c.challenge != "":
		showOutcome("code-form", asCode(err), "")
	default: // the password form's fields show their problems
		focusFirstInvalid(ctx)
	}
}
