package ui

import (
	"context"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// The invitations an account sent (accountPage): on /invitations the
// partner (activation) invitations and, for admins, the team invitations;
// on the team page the team's alone. Each shows whether its mail arrived
// (a refusal with the mail server's words); a resend, optionally to
// another address for a partner, shows the new link once with a copy
// button; a revoke asks first.

// invitationRow is a partner or team invitation as its list shows it.
type invitationRow struct {
	id, who, to, role, status, mail string
	team                            bool
	sends                           int
	sent, expires                   time.Time
}

// loadInvitations loads the lists (the partners' names too): the team's
// only for admins.
func (c *accountPage) loadInvitations(ctx app.Context) {
	var show func(*accountPage)
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		show, err = invitationsNow(ctx, c.page == "team")
		return err
	}, func(_ app.Context, err error) {
		if c.err = err; show != nil {
			show(c)
		}
	})
}

// invitationsNow reads the lists; show, on the UI goroutine, puts them on
// the page.
func invitationsNow(ctx context.Context, teamOnly bool) (show func(*accountPage), err error) {
	var partners []invitationRow
	if !teamOnly {
		invs, err := api.Invitations(ctx, client.InvitationQuery{Page: client.Page{Limit: 500}})
		if err != nil {
			return nil, err
		}
		names := map[string]string{}
		if dir, err := api.Partners(ctx, client.DirectoryQuery{Page: client.Page{Limit: 500}}); err == nil {
			for _, p := range dir.Items {
				names[p.ID] = p.Name
			}
		}
		partners = []invitationRow{}
		for _, v := range invs.Items {
			r := invitationRow{id: v.ID, who: names[v.PartnerID], to: v.SentTo, status: string(v.Status), sends: v.Sends, sent: v.SentAt, expires: v.ExpiresAt}
			if r.who == "" {
				r.who = v.PartnerID
			}
			if v.Mail != nil {
				r.mail = mailCell(v.Mail.Status, v.Mail.Error)
			} else if v.SentTo == "" {
				r.mail = `<span class="hint">link only</span>`
			}
			partners = append(partners, r)
		}
	}
	var team []invitationRow
	list, err := api.TeamInvitations(ctx)
	switch {
	case partnerkit.ErrorCode(err) == partnerkit.CodeForbidden: // admins only
		err = nil
	case err == nil:
		team = []invitationRow{}
		for _, v := range list.Items {
			r := invitationRow{id: v.ID, who: v.Email, role: string(v.Role), status: v.Status, team: true, sent: v.SentAt, expires: v.ExpiresAt}
			if v.Delivery != nil {
				r.mail = mailCell(v.Delivery.Status, v.Delivery.Error)
			}
			team = append(team, r)
		}
	}
	return func(c *accountPage) { c.partners, c.team = partners, team }, err
}

// mailCell is what became of an invitation's mail: a refusal or a failure
// with the mail server's words.
func mailCell(status, problem string) string {
	return badge(status, status) + pick(problem != "", rawf(`<span class="mail-error">$</span>`, problem), "")
}

// The lists' columns.
var (
	partnerInvitationHead = []string{"Partner", "Sent to", "Status", "Sent", "Sends|num", "E-mail", "Expires", ""}
	teamInvitationHead    = []string{"Email", "Role", "Status", "Sent", "E-mail", "Expires", ""}
)

// invitationParts is the lists (nil ones are left out).
func (c *accountPage) invitationParts() []app.UI {
	var partners, team app.UI
	if c.partners != nil {
		partners = c.list("partner-invitations", "Partner invitations", c.partners, partnerInvitationHead)
	}
	if c.team != nil {
		team = c.list("team-invitations", "Team invitations", c.team, teamInvitationHead)
	}
	return []app.UI{partners, team}
}

// list is one list, with the question or the new link of its pending
// resend.
func (c *accountPage) list(id, title string, rows []invitationRow, head []string) app.UI {
	html := make([]string, len(rows))
	for i := range rows {
		html[i] = rows[i].html(head)
	}
	table := empty(id+"-empty", "None yet.")
	if len(rows) > 0 {
		table = cards(id+"-list", head, html)
	}
	more := ""
	if c.pending != nil && c.pending.team == (id == "team-invitations") {
		more = c.questionHTML()
	}
	if c.link != "" && c.listed == id {
		more = rawf(`<div id="new-link" class="notice secret" role="alert"><p>$</p>!!</div>`, c.linkText,
			copyHTML("new-link-value", "New link", c.link), rowButton("secondary", "Done", "link-done", ""))
	}
	return section(id, app.Raw(rawf(`<h2>$</h2>`, title)), app.Raw(rawf(`<p id="$-status" role="status" hidden></p>`, id)), rawOf(more), table)
}

// html is the row's table row; its buttons resend or revoke it.
func (r *invitationRow) html(head []string) string {
	acts := ""
	if r.status == "pending" || r.status == "expired" {
		acts = rowButton("small", "Resend", "resend", r.id)
	}
	if r.status == "pending" || r.team && r.status == "expired" {
		acts += " " + rowButton("small danger", "Revoke", "revoke", r.id)
	}
	attrs := rawf(` class="invitation-row" data-id="$" data-status="$"`, r.id, r.status)
	expires := esc(moment(r.expires))
	if r.status == "activated" || r.status == "revoked" { // its link is dead: no expiry to mind
		expires = `<span class="hint" title="The link no longer works">—</span>`
	}
	if r.team {
		return row(head, attrs, esc(r.who), esc(r.role), badge(r.status, r.status), esc(moment(r.sent)), r.mail, expires, acts)
	}
	return row(head, attrs, esc(r.who), esc(r.to), badge(r.status, r.status), esc(moment(r.sent)), itoa(r.sends), r.mail, expires, acts)
}

// questionHTML asks to confirm the pending resend: a partner's may go to
// another address.
func (c *accountPage) questionHTML() string {
	r, who, email := c.pending, c.pending.who, ""
	if !r.team {
		if r.to != "" {
			who += " (" + r.to + ")"
		}
		email = inputHTML("answer-form", "email", "Send it to", "email", attr("value", r.to)) +
			`<p class="hint">Leave it empty to send no e-mail and pass the link on yourself.</p>`
	}
	return rawf(`<form id="answer-form" class="notice" novalidate><p>Send a new link for $? The current link stops working.</p>!`+
		`<p id="answer-form-status" role="status" hidden></p><div class="actions"><button type="submit" id="confirm-resend">Send new link</button>!</div></form>`,
		who, email, rowButton("secondary", "Cancel", "cancel", ""))
}

// invitationAct runs the lists' buttons: a revoke asks first (confirmed).
func (c *accountPage) invitationAct(ctx app.Context, act, item string) {
	var r *invitationRow
	for _, x := range append(c.partners, c.team...) {
		if x.id == item {
			r = &x
		}
	}
	switch {
	case act == "cancel":
		c.pending = nil
	case act == "link-done":
		c.link = ""
	case r == nil:
	case act == "resend":
		c.pending, c.link = r, ""
		c.own(ctx).Defer(func(app.Context) {
			if q := byID("answer-form"); q.Truthy() {
				q.Call("scrollIntoView")
				if in := byID("answer-form-email"); in.Truthy() {
					in.Call("focus")
				}
			}
		})
	case confirmed("Revoke the invitation of " + r.who + "? Its link stops working at once."):
		c.send(ctx, r, "revoke")
	}
}

// answer resends the pending invitation.
func (c *accountPage) answer(ctx app.Context) {
	if c.pending != nil {
		c.send(ctx, c.pending, "resend")
	}
}

// send resends or revokes r.
func (c *accountPage) send(ctx app.Context, r *invitationRow, act string) {
	email := strings.TrimSpace(formValue("answer-form", "email"))
	list := pick(r.team, "team-invitations", "partner-invitations")
	var show func(*accountPage)
	var link, to string
	submitted(&c.mounted, ctx, pick(act == "revoke", list, "answer-form"), func(ctx context.Context) (string, error) {
		var err error
		switch {
		case act == "revoke" && r.team:
			err = api.RevokeTeamInvitation(ctx, r.id)
		case act == "revoke":
			_, err = api.RevokeInvitation(ctx, r.id)
		case r.team:
			inv, e := api.ResendTeamInvitation(ctx, r.id)
			link, to, err = inv.Link, inv.Email, e
		default:
			res, e := api.ResendInvitation(ctx, r.id, email)
			link, to, err = res.ActivationLink, res.Invitation.SentTo, e
		}
		if err == nil {
			show, _ = invitationsNow(ctx, c.page == "team")
		}
		return "The invitation of " + r.who + " is revoked: its link no longer works.", err
	}, func(ctx app.Context, err error) {
		if err != nil {
			return
		}
		if show != nil {
			show(c)
		}
		if act == "resend" {
			c.pending, c.link, c.listed = nil, absolute(link), list
			c.linkText = "A new link is on its way to " + to + ". Copy it now if you pass it on yourself: it is not shown again. The previous link no longer works."
			if to == "" {
				c.linkText = "Nobody was e-mailed: copy the new link now and pass it on, it is not shown again. The previous link no longer works."
			}
		}
	})
}
