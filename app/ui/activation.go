package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	agreementrules "github.com/partnerkit/partnerkit/agreements/rules"
	"github.com/partnerkit/partnerkit/app/client"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
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
	return div("activation",
		app.Elem("header").Class("topbar").Body(span("brand", "Partnerkit")),
		app.Elem("main").Body(c.body()),
	)
}

func (c *activation) body() app.UI {
	switch {
	case c.linkErr != nil:
		title := "This invitation link does not work"
		if partnerkit.ErrorCode(c.linkErr) == partnerkit.CodeGone {
			title = "This invitation link can no longer be used"
		}
		return divID("link-error", h1(title), app.Elem("p").Class("error").Text(errorText(c.linkErr)),
			anchor("", "/signin", "Sign in"))
	case c.done != nil:
		return divID("activated",
			h1("Welcome, "+c.done.Partner.LegalName),
			para("Your account is active and your contract is signed and active."),
			app.Elem("a").ID("go-signin").Class("button").Attr("href", "/signin").Text("Sign in"),
		)
	case c.review == nil:
		return para("Loading the invitation…")
	}
	r := c.review
	return box(
		h1(r.InviterName+" invites "+r.PartnerName),
		app.Elem("ol").Class("steps").Body(app.Range(activationSteps).Slice(func(i int) app.UI {
			return app.Elem("li").Class(pick(c.step == i+1, "current", "")).Text(activationSteps[i])
		})),
		form("activation-form", c.next,
			c.stepBody(),
			errorBanner(c.err),
			div("actions",
				app.If(c.step > 1, func() app.UI {
					return app.Elem("button").Attr("type", "button").Class("secondary").Text("Back").OnClick(func(ctx app.Context, _ app.Event) { c.step-- })
				}),
				app.Elem("button").Attr("type", "submit").ID("activation-next").Attr("disabled", c.busy).Text(pick(c.step == 4, "Activate", "Next")),
			),
		),
	)
}

func (c *activation) stepBody() app.UI {
	r := c.review
	switch c.step {
	case 1:
		var doc app.UI = app.Elem("span")
		switch r.Document.Kind {
		case agreementrules.DocumentURL:
			doc = app.Elem("a").Attr("href", r.Document.URL).Attr("target", "_blank").Attr("rel", "noopener").Text("Read the agreement")
		case agreementrules.DocumentFile:
			doc = app.Elem("a").Attr("href", "/api/v1/invitations/"+c.token+"/document").Attr("target", "_blank").Text("Read " + r.Document.FileName)
		}
		return box(
			h2(r.AgreementName+" (version "+itoa(r.AgreementVersion)+")"),
			para(r.AgreementDescription),
			doc,
			field(c, "email", "Your email", "email", &c.email, c.err, "email"),
			labelOf("check",
				app.ElemSelfClosing("input").ID("accept").Attr("type", "checkbox").Attr("checked", c.accepted).OnChange(func(ctx app.Context, _ app.Event) { c.accepted = checkedOf(ctx) }),
				app.Text(" I have read and accepted the agreement"),
			),
			fieldError(c.err, "accept_agreement"),
		)
	case 2:
		return box(
			field(c, "full-name", "Full name", "text", &c.fullName, c.err, "full_name"),
			field(c, "new-password", "Password (8+ characters, 3 of: lower, upper, digit, symbol)", "password", &c.password, c.err, "password"),
		)
	case 3:
		return field(c, "legal-name", "Legal company name, with its entity type (Inc., LLC, GmbH…)", "text", &c.legalName, c.err, "legal_name")
	}
	return para("Activate to sign the contract and open your portal.")
}

// next checks the step's simple rules, then moves on; the last step
// activates, and an error sends the user back to the field it names.
func (c *activation) next(ctx app.Context, e app.Event) {
	e.PreventDefault()
	var errs []error
	switch c.step {
	case 1:
		if partnerkit.IsBlank(c.email) {
			errs = append(errs, partnerkit.FieldError("email", partnerkit.ProblemRequired))
		}
		if !c.accepted {
			errs = append(errs, partnerkit.FieldError("accept_agreement", "must be accepted to activate"))
		}
	case 2: // the server's rules: partners/rules
		errs = append(errs, problem("full_name", partnerrules.FullNameProblem(c.fullName)), partnerrules.CheckPasswordPolicy(c.password))
	case 3:
		errs = append(errs, partnerrules.CheckLegalName(c.legalName))
	}
	if c.err = invalid(errs...); c.err != nil {
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
