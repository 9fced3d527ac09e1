package ui

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// teamPage lists the account's members and API keys; a new key is shown
// once, with a copy button.
type teamPage struct {
	app.Compo
	mounted
	reader
	team        []client.Member
	keys        []client.APIKey
	description string
	keyRole     partnerkit.Role
	newKey      *client.CreatedAPIKey
	inviteEmail string
	inviteRole  partnerkit.Role
	invitation  *client.TeamInvitation
	invited     int // bumped by each invitation: the list below reloads
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
	c.read(c.own(ctx), "team-page", func(ctx context.Context) (any, error) {
		team, err := api.Team(ctx)
		if err != nil {
			return nil, err
		}
		v := teamView{members: team.Items}
		if keys, err := api.APIKeys(ctx); err == nil { // a staff member may not list keys
			v.keys = keys.Items
		}
		return v, nil
	}, func(s loadState) {
		v, err, ok := outcome[teamView](s)
		if !ok {
			return
		}
		c.err = err
		if err == nil {
			c.team, c.keys = v.members, v.keys
		}
	})
}

// teamView is the team page's read: the members and, when the user may
// see them, the API keys.
type teamView struct {
	members []client.Member
	keys    []client.APIKey
}

func (c *teamPage) Render() app.UI {
	return newShell("Team & API keys",
		errorBanner(c.err),
		h2("Team members"),
		c.members(),
		h2("Invite a member"),
		app.Elem("form").ID("invite-form").Class("filters").OnSubmit(c.invite).Body(
			app.ElemSelfClosing("input").ID("invite-email").Attr("type", "email").Attr("aria-label", "Email of the new member").Attr("placeholder", "Email").Attr("value", c.inviteEmail).OnInput(c.ValueTo(&c.inviteEmail)),
			selectBox("invite-role", "Role", &c.inviteRole, c, string(partnerkit.RoleStaff), options(partnerkit.Roles(), capitalized)...),
			submitButton("invite", "Create invitation link"),
			fieldError(c.inviteErr, "email"),
			fieldError(c.inviteErr, "role"),
		),
		errorBanner(c.inviteErr),
		app.If(c.invitation != nil, func() app.UI {
			link := app.Window().Get("location").Get("origin").String() + c.invitation.Link
			return app.Elem("div").Class("notice").ID("invitation").Body(
				para("Send this link to "+c.invitation.Email+"; it works once, for 7 days."),
				app.ElemSelfClosing("input").ID("invitation-link").Attr("readonly", true).Attr("value", link),
				app.Elem("button").Attr("type", "button").Text("Copy").OnClick(func(ctx app.Context, _ app.Event) {
					app.Window().Get("navigator").Get("clipboard").Call("writeText", link)
				}),
			)
		}),
		&accountPage{Version: c.invited},
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
			return app.Elem("div").Class("notice").ID("new-key").Body(
				para("Copy the key now: it is not shown again."),
				app.ElemSelfClosing("input").ID("new-key-value").Attr("readonly", true).Attr("value", key),
				typeButtonID("copy-key", "", "Copy", func(ctx app.Context, _ app.Event) {
					app.Window().Get("navigator").Get("clipboard").Call("writeText", key)
				}),
			)
		}),
		app.Elem("div").OnClick(c.revoke).Body(c.keysTable()),
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
				c.invited++
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

var keysHead = []string{"Key", "Description", "Role", "Created by", "Last used", ""}

// keysTable lists the account's API keys, each with a Revoke button for
// revoke until it is revoked.
func (c *teamPage) keysTable() app.UI {
	if len(c.keys) == 0 {
		return empty("no-keys", "No API keys yet.")
	}
	rows := make([]string, len(c.keys))
	for i, k := range c.keys {
		last := "never"
		if k.LastUsedAt != nil {
			last = moment(*k.LastUsedAt)
		}
		creator := "another key"
		if k.Creator != nil {
			creator = k.Creator.FullName + " <" + k.Creator.Email + ">"
		}
		action := "revoked"
		if k.RevokedAt == nil {
			action = rowButton("small danger", "Revoke", "revoke", k.ID)
		}
		rows[i] = row(keysHead, attr("class", "key-row"), esc(k.Prefix+"…"), esc(k.Description), esc(capitalized(k.Role)), esc(creator), esc(last), action)
	}
	return cards("api-keys", keysHead, rows)
}

// revoke revokes the API key whose button was clicked, once confirmed.
func (c *teamPage) revoke(ctx app.Context, e app.Event) {
	act, id := clickedAct(e)
	if act != "revoke" || !confirmed("Revoke this API key? Programs that use it stop working at once.") {
		return
	}
	background(&c.mounted, ctx, func(ctx context.Context) error {
		_, err := api.RevokeAPIKey(ctx, id)
		return err
	}, func(ctx app.Context, err error) {
		c.keyErr = err
		c.load(ctx)
	})
}

var membersHead = []string{"Name", "Email", "Role"}

// members lists the account's team members.
func (c *teamPage) members() app.UI {
	rows := make([]string, len(c.team))
	for i, m := range c.team {
		rows[i] = row(membersHead, attr("class", "member-row"), esc(m.User.FullName), esc(m.User.Email), esc(capitalized(m.Role)))
	}
	return cards("team", membersHead, rows)
}
