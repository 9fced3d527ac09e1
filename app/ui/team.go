package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// teamPage lists the account's members and API keys; a new key is shown
// once, with a copy button.
type teamPage struct {
	app.Compo
	mounted
	team        []client.Member
	keys        []client.APIKey
	description string
	keyRole     partnerkit.Role
	newKey      *client.CreatedAPIKey
	inviteEmail string
	inviteRole  partnerkit.Role
	invitation  *client.TeamInvitation
	err, keyErr error
	inviteErr   error
}

func (c *teamPage) OnMount(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.keyRole, c.inviteRole = partnerkit.RoleViewer, partnerkit.RoleStaff
	c.load(ctx)
}

func (c *teamPage) load(ctx app.Context) {
	ctx = c.own(ctx)
	ctx.Async(func() {
		team, err := api.Team(ctx)
		keys, kerr := api.APIKeys(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if signedOut(ctx, err) {
				return
			}
			c.err = err
			if err == nil {
				c.team = team.Items
			}
			if kerr == nil {
				c.keys = keys.Items
			}
		})
	})
}

func (c *teamPage) Render() app.UI {
	return newShell("Team & API keys",
		errorBanner(c.err),
		h2("Team members"),
		app.Ul().ID("team").Body(app.Range(c.team).Slice(func(i int) app.UI {
			m := c.team[i]
			return li(m.User.FullName + " <" + m.User.Email + "> — " + string(m.Role))
		})),
		h2("Invite a member"),
		app.Form().ID("invite-form").Class("filters").OnSubmit(c.invite).Body(
			app.Input().ID("invite-email").Type("email").Placeholder("Email").Value(c.inviteEmail).OnInput(c.ValueTo(&c.inviteEmail)),
			selectBox("invite-role", "Role", &c.inviteRole, c, string(partnerkit.RoleStaff), options(partnerkit.Roles(), capitalized)...),
			submitButton("invite", "Create invitation link"),
			fieldError(c.inviteErr, "email"),
			fieldError(c.inviteErr, "role"),
		),
		errorBanner(c.inviteErr),
		app.If(c.invitation != nil, func() app.UI {
			link := app.Window().Get("location").Get("origin").String() + c.invitation.Link
			return app.Div().Class("notice").ID("invitation").Body(
				para("Send this link to "+c.invitation.Email+"; it works once, for 7 days."),
				app.Input().ID("invitation-link").ReadOnly(true).Value(link),
				app.Button().Type("button").Text("Copy").OnClick(func(ctx app.Context, _ app.Event) {
					app.Window().Get("navigator").Get("clipboard").Call("writeText", link)
				}),
			)
		}),
		h2("API keys"),
		form("api-key-form", c.createKey,
			field(c, "key-description", "Description", "text", &c.description, c.keyErr, "description"),
			selectBox("key-role", "Role", &c.keyRole, c, string(partnerkit.RoleViewer), options(partnerkit.Roles(), capitalized)...),
			fieldError(c.keyErr, "role"),
			errorBanner(c.keyErr),
			submitButton("create-key", "Create API key"),
		),
		app.If(c.newKey != nil, func() app.UI {
			key := c.newKey.Key
			return app.Div().Class("notice").ID("new-key").Body(
				para("Copy the key now: it is not shown again."),
				app.Input().ID("new-key-value").ReadOnly(true).Value(key),
				typeButtonID("copy-key", "", "Copy", func(ctx app.Context, _ app.Event) {
					app.Window().Get("navigator").Get("clipboard").Call("writeText", key)
				}),
			)
		}),
		table("api-keys",
			thead("Key", "Description", "Role", "Created by", "Last used", ""),
			tbody(app.Range(c.keys).Slice(func(i int) app.UI {
				k := c.keys[i]
				last := "never"
				if k.LastUsedAt != nil {
					last = k.LastUsedAt.Format("2 Jan 2006 15:04")
				}
				creator := "another key"
				if k.Creator != nil {
					creator = k.Creator.FullName + " <" + k.Creator.Email + ">"
				}
				return tr(td(k.Prefix+"…"), td(k.Description), td(string(k.Role)),
					td(creator), td(last),
					tdBody(app.If(k.RevokedAt == nil, func() app.UI {
						return button("small danger", "Revoke", func(ctx app.Context, _ app.Event) {
							ctx = c.own(ctx)
							ctx.Async(func() {
								_, err := api.RevokeAPIKey(ctx, k.ID)
								ctx.Dispatch(func(ctx app.Context) { c.keyErr = err; c.load(ctx) })
							})
						})
					}).Else(func() app.UI { return app.Text("revoked") })))
			})),
		),
	)
}

func (c *teamPage) invite(ctx app.Context, e app.Event) {
	e.PreventDefault()
	email, role := c.inviteEmail, c.inviteRole
	ctx = c.own(ctx)
	ctx.Async(func() {
		inv, err := api.InviteMember(ctx, email, string(role))
		ctx.Dispatch(func(app.Context) {
			c.inviteErr = err
			if err == nil {
				c.invitation, c.inviteEmail = inv, ""
			}
		})
	})
}

func (c *teamPage) createKey(ctx app.Context, e app.Event) {
	e.PreventDefault()
	desc, role := c.description, c.keyRole
	ctx = c.own(ctx)
	ctx.Async(func() {
		k, err := api.CreateAPIKey(ctx, desc, string(role), nil)
		ctx.Dispatch(func(ctx app.Context) {
			c.keyErr = err
			if err == nil {
				c.newKey, c.description = k, ""
				app.Window().GetElementByID("key-description").Set("value", "")
				c.load(ctx)
			}
		})
	})
}
