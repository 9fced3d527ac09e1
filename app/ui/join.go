package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
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
	return app.Div().Class("activation").Body(
		app.Header().Class("topbar").Body(app.Span().Class("brand").Text("Partnerkit")),
		app.Main().Body(c.body()),
	)
}

func (c *joinPage) body() app.UI {
	switch {
	case c.linkErr != nil:
		title := "This invitation link does not work"
		if partnerkit.ErrorCode(c.linkErr) == partnerkit.CodeGone {
			title = "This invitation link can no longer be used"
		}
		return app.Div().ID("link-error").Body(app.H1().Text(title), app.P().Class("error").Text(errorText(c.linkErr)))
	case c.joined:
		return app.Div().ID("joined").Body(app.H1().Text("Welcome to "+c.review.AccountName),
			app.A().Class("button").Href("/signin").Text("Sign in"))
	case c.review == nil:
		return app.P().Text("Loading the invitation…")
	}
	r := c.review
	return app.Div().Body(
		app.H1().Text("Join "+r.AccountName),
		app.P().Text(r.Email+" is invited as "+r.Role+"."),
		app.Form().ID("join-form").OnSubmit(c.accept).Body(
			app.If(!r.Registered, func() app.UI {
				return field(c, "full-name", "Full name", "text", &c.fullName, c.err, "full_name")
			}),
			field(c, "join-password", map[bool]string{true: "Your password", false: "Choose a password"}[r.Registered],
				"password", &c.password, c.err, "password"),
			errorBanner(c.err),
			app.Button().Type("submit").ID("join").Text("Join"),
		),
	)
}

func (c *joinPage) accept(ctx app.Context, e app.Event) {
	e.PreventDefault()
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
