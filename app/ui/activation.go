package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// activation is the public page an invitation link opens (seed 001):
// review the agreement, email and acceptance, name and password, legal
// company name, activate. Used, expired and unknown links say so.
type activation struct {
	app.Compo
	token  string
	review *client.InvitationReview
	step   int

	email, fullName, password, legalName string
	accepted                             bool

	err, linkErr error
	busy         bool
	done         *client.ActivationResult
}

var activationSteps = []string{"Review the contract", "Your user", "Your company", "Activate"}

func (c *activation) OnNav(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.token, c.step = lastSegment(ctx), 1
	ctx.Async(func() {
		review, err := api.ReviewInvitation(ctx, c.token)
		ctx.Dispatch(func(app.Context) { c.review, c.linkErr = review, err })
	})
}

func (c *activation) Render() app.UI {
	return app.Div().Class("activation").Body(
		app.Header().Class("topbar").Body(app.Span().Class("brand").Text("Partnerkit")),
		app.Main().Body(c.body()),
	)
}

func (c *activation) body() app.UI {
	switch {
	case c.linkErr != nil:
		title := "This invitation link does not work"
		if partnerkit.ErrorCode(c.linkErr) == partnerkit.CodeGone {
			title = "This invitation link can no longer be used"
		}
		return app.Div().ID("link-error").Body(app.H1().Text(title), app.P().Class("error").Text(errorText(c.linkErr)),
			app.A().Href("/signin").Text("Sign in"))
	case c.done != nil:
		return app.Div().ID("activated").Body(
			app.H1().Text("Welcome, "+c.done.Partner.LegalName),
			app.P().Text("Your account is active and your contract is signed and active."),
			app.A().ID("go-signin").Class("button").Href("/signin").Text("Sign in"),
		)
	case c.review == nil:
		return app.P().Text("Loading the invitation…")
	}
	r := c.review
	return app.Div().Body(
		app.H1().Text(r.InviterName+" invites "+r.PartnerName),
		app.Ol().Class("steps").Body(app.Range(activationSteps).Slice(func(i int) app.UI {
			return app.Li().Class(map[bool]string{true: "current", false: ""}[c.step == i+1]).Text(activationSteps[i])
		})),
		app.Form().ID("activation-form").OnSubmit(c.next).Body(
			c.stepBody(),
			errorBanner(c.err),
			app.Div().Class("actions").Body(
				app.If(c.step > 1, func() app.UI {
					return app.Button().Type("button").Class("secondary").Text("Back").
						OnClick(func(ctx app.Context, _ app.Event) { c.step-- })
				}),
				app.Button().Type("submit").ID("activation-next").Disabled(c.busy).
					Text(map[bool]string{true: "Activate", false: "Next"}[c.step == 4]),
			),
		),
	)
}

func (c *activation) stepBody() app.UI {
	r := c.review
	switch c.step {
	case 1:
		var doc app.UI = app.Span()
		switch r.Document.Kind {
		case "url":
			doc = app.A().Href(r.Document.URL).Attr("target", "_blank").Attr("rel", "noopener").Text("Read the agreement")
		case "file":
			doc = app.A().Href("/api/v1/invitations/"+c.token+"/document").Attr("target", "_blank").Text("Read " + r.Document.FileName)
		}
		return app.Div().Body(
			app.H2().Text(r.AgreementName+" (version "+itoa(r.AgreementVersion)+")"),
			app.P().Text(r.AgreementDescription),
			doc,
			field(c, "email", "Your email", "email", &c.email, c.err, "email"),
			app.Label().Class("check").Body(
				app.Input().ID("accept").Type("checkbox").Checked(c.accepted).
					OnChange(func(ctx app.Context, _ app.Event) { c.accepted = ctx.JSSrc().Get("checked").Bool() }),
				app.Text(" I have read and accepted the agreement"),
			),
			fieldError(c.err, "accept_agreement"),
		)
	case 2:
		return app.Div().Body(
			field(c, "full-name", "Full name", "text", &c.fullName, c.err, "full_name"),
			field(c, "new-password", "Password (8+ characters, 3 of: lower, upper, digit, symbol)", "password", &c.password, c.err, "password"),
		)
	case 3:
		return field(c, "legal-name", "Legal company name, with its entity type (Inc., LLC, GmbH…)", "text", &c.legalName, c.err, "legal_name")
	}
	return app.P().Text("Activate to sign the contract and open your portal.")
}

// next checks the step's simple rules, then moves on; the last step
// activates, and an error sends the user back to the field it names.
func (c *activation) next(ctx app.Context, e app.Event) {
	e.PreventDefault()
	fields := map[string]string{}
	switch c.step {
	case 1:
		if c.email == "" {
			fields["email"] = "is required"
		}
		if !c.accepted {
			fields["accept_agreement"] = "must be accepted to activate"
		}
	case 2:
		if c.fullName == "" {
			fields["full_name"] = "is required"
		}
		if len([]rune(c.password)) < 8 {
			fields["password"] = "must be at least 8 characters"
		}
	case 3:
		if c.legalName == "" {
			fields["legal_name"] = "is required"
		}
	}
	if len(fields) > 0 {
		c.err = &partnerkit.Error{Code: partnerkit.CodeInvalid, Message: "check the highlighted fields", Fields: fields}
		return
	}
	c.err = nil
	if c.step < 4 {
		c.step++
		return
	}
	c.busy = true
	in := client.Activation{Email: c.email, AcceptAgreement: c.accepted, FullName: c.fullName, Password: c.password, LegalName: c.legalName}
	ctx.Async(func() {
		res, err := api.ActivateInvitation(ctx, c.token, in)
		ctx.Dispatch(func(app.Context) {
			c.busy, c.err, c.done = false, err, res
			if err != nil {
				c.done = nil
				for f := range partnerkit.ErrorFields(err) {
					switch f {
					case "email", "accept_agreement":
						c.step = 1
					case "full_name", "password":
						c.step = min(c.step, 2)
					case "legal_name":
						c.step = min(c.step, 3)
					}
				}
				if partnerkit.ErrorCode(err) == partnerkit.CodeGone {
					c.linkErr = err
				}
			}
		})
	})
}
