package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
)

// accountPage is the screens of account security and invitations, one
// component for all (each component type costs app.wasm its own copy of
// go-app's plumbing), told apart by the path:
//
//   - /forgot-password and /reset-password/{token} (reset.go), public;
//   - /account/security, the user's security page (security.go);
//   - /invitations, the partner and team invitations (invitations.go);
//   - inside the team page (any other path), its team invitations.
//
// See forms.go for how its raw HTML, events and forms work.
type accountPage struct {
	app.Compo
	mounted
	// Version, when the page holding the component changes it (the team
	// page, after an invitation), reloads the invitations.
	Version int

	page  string // "forgot", "reset", "security", "invitations" or "team"
	token string // of the reset link
	err   error  // of the last load
	reset bool   // the new password is set

	me       *client.Me
	sec      *client.Security
	account  *client.AccountSecurity
	sessions []client.Session
	enrol    *client.TwoFactorEnrolment
	codes    []string // recovery codes, shown once
	codesNew bool     // codes are new ones that replaced the old
	renewing bool     // the form that makes new recovery codes shows

	partners, team []invitationRow
	pending        *invitationRow // the row whose resend waits for its address and a yes
	// link is a resend's new link, shown once in the list listed.
	link, linkText, listed string
}

func (c *accountPage) OnNav(ctx app.Context) {
	c.keep(ctx)
	path := ctx.Page().URL().Path
	c.page, c.token, c.reset, c.err = "team", "", false, nil
	c.renewing = false
	switch {
	case path == "/forgot-password":
		c.page = "forgot"
	case strings.HasPrefix(path, resetPasswordPath):
		c.page, c.token = "reset", lastSegment(ctx)
	case path == "/account/security":
		c.page = "security"
	case path == "/invitations":
		c.page = "invitations"
	}
	c.load(ctx)
}

func (c *accountPage) OnUpdate(ctx app.Context) { c.load(c.own(ctx)) }

// load loads what the page shows.
func (c *accountPage) load(ctx app.Context) {
	switch {
	case api == nil: // prerendering on the server: the browser loads the data
	case c.page == "security":
		c.loadSecurity(ctx)
	case c.page == "invitations" || c.page == "team":
		c.loadInvitations(ctx)
	}
}

func (c *accountPage) Render() app.UI {
	var parts []app.UI
	switch c.page {
	case "forgot", "reset":
		return div("activation", app.Elem("header").Class("topbar").Body(anchor("brand", "/signin", "Partnerkit")),
			app.Elem("main").OnSubmit(c.onSubmit).Body(app.Raw(c.passwordHTML())))
	case "security":
		parts = c.securityParts()
	default:
		parts = c.invitationParts()
	}
	content := app.Elem("div").OnClick(c.onClick).OnSubmit(c.onSubmit).OnChange(c.onChange).Body(append([]app.UI{errorBanner(c.err)}, parts...)...)
	switch c.page {
	case "security":
		return newShell("Security", content)
	case "invitations":
		return newShell("Invitations", hint("The links your account sent: see whether they arrived, send a new one, or revoke one before it is used."), content)
	}
	return content
}

// section is a part of a page; its raw HTML parts (rawOf) re-render
// alone when they change.
func section(id string, parts ...app.UI) app.UI { return app.Elem("section").ID(id).Body(parts...) }

// rawOf is raw HTML of one root element, nil for "".
func rawOf(html string) app.UI {
	if html == "" {
		return nil
	}
	return app.Raw(html)
}

// onClick runs the buttons.
func (c *accountPage) onClick(ctx app.Context, e app.Event) {
	switch act, item, b := actOf(e); act {
	case "copy":
		copyValue(item, b)
	case "enrol", "codes-saved", "revoke-session", "revoke-others", "renew-codes", "renew-cancel":
		c.securityAct(ctx, act, item)
	case "resend", "revoke", "cancel", "link-done":
		c.invitationAct(ctx, act, item)
	}
}

// onSubmit sends the forms.
func (c *accountPage) onSubmit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	ctx = c.own(ctx)
	switch f := e.Get("target").Get("id").String(); f {
	case "forgot-form", "reset-form":
		c.submitPassword(ctx, f)
	case "answer-form":
		c.answer(ctx)
	default:
		c.submitSecurity(ctx, f)
	}
}
