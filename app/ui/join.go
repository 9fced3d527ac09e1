package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// joinPage is the public page of a team invitation link: a new person
// sets a name and password; a registered one confirms with their password.
type joinPage struct {
	app.Compo
	mounted
	token              string
	review             *client.TeamInvitationReview
	fullName, password string
	err, linkErr       error
	joined             bool
}

func (c *joinPage) OnNav(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.token = lastSegment(ctx)
	ctx.Async(func() {
		r, err := api.ReviewTeamInvitation(ctx, c.token)
		ctx.Dispatch(func(app.Context) { c.review, c.linkErr = r, err })
	})
}

func (c *joinPage) Render() app.UI {
	return div("activation",
		app.Elem("header").Class("topbar").Body(span("brand", "Partnerkit")),
		app.Elem("main").Body(c.body()),
	)
}

func (c *joinPage) body() app.UI {
	switch {
	case c.linkErr != nil:
		title := "This invitation link does not work"
		if partnerkit.ErrorCode(c.linkErr) == partnerkit.CodeGone {
			title = "This invitation link can no longer be used"
		}
		return divID("link-error", h1(title), app.Elem("p").Class("error").Text(errorText(c.linkErr)))
	case c.joined:
		return divID("joined", h1("Welcome to "+c.review.AccountName),
			anchor("button", "/signin", "Sign in"))
	case c.review == nil:
		return para("Loading the invitation…")
	}
	r := c.review
	return box(
		h1("Join "+r.AccountName),
		para(r.Email+" is invited as "+string(r.Role)+"."),
		form("join-form", c.accept,
			app.If(!r.Registered, func() app.UI {
				return field(c, "full-name", "Full name", "text", &c.fullName, c.err, "full_name")
			}),
			field(c, "join-password", pick(r.Registered, "Your password", "Choose a password"),
				"password", &c.password, c.err, "password"),
			errorBanner(c.err),
			submitButton("join", "Join"),
		),
	)
}

func (c *joinPage) accept(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if !c.review.Registered { // a new user's password meets the server's policy
		if c.err = invalid(problem("full_name", partnerrules.FullNameProblem(c.fullName)), partnerrules.CheckPasswordPolicy(c.password)); c.err != nil {
			return
		}
	}
	name, pw := c.fullName, c.password
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.AcceptTeamInvitation(ctx, c.token, name, pw)
		ctx.Dispatch(func(app.Context) {
			c.err = err
			c.joined = err == nil
			if partnerkit.ErrorCode(err) == partnerkit.CodeGone {
				c.linkErr = err
			}
		})
	})
}
