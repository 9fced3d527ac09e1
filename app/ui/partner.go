package ui

import (
	"context"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// partnerDetails shows one partner with the tabs of seed 000: General,
// Contracts, Contacts, Users and Capacity; rename and suspend live here.
type partnerDetails struct {
	app.Compo
	mounted
	id        string
	tab       string
	partner   *client.Partner
	contracts []client.Contract
	invites   []client.Invitation
	users     []client.Member
	alloc     *client.Allocation
	report    *client.Report
	newName   string
	renaming  bool
	err       error
}

func (c *partnerDetails) OnNav(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.id, c.tab = lastSegment(ctx), ctx.Page().URL().Query().Get("tab")
	if c.tab == "" {
		c.tab = "general"
	}
	c.load(ctx)
}

func (c *partnerDetails) load(ctx app.Context) {
	ctx = c.own(ctx)
	id := c.id
	ctx = c.own(ctx)
	ctx.Async(func() {
		p, err := api.Partner(ctx, id)
		var cons *client.List[client.Contract]
		var invites *client.List[client.Invitation]
		var users *client.List[client.Member]
		var alloc *client.Allocation
		var report *client.Report
		if err == nil {
			cons, _ = api.Contracts(ctx, client.ContractQuery{PartnerID: id, Page: client.Page{Limit: 100}})
			invites, _ = api.Invitations(ctx, client.InvitationQuery{PartnerID: id, Page: client.Page{Limit: 20}})
			users, _ = api.PartnerUsers(ctx, id)
			alloc, _ = api.Allocation(ctx, id)
			to := time.Now().UTC()
			report, _ = api.UsageReport(ctx, id, "", to.AddDate(0, 0, -29), to, "day")
		}
		ctx.Dispatch(func(ctx app.Context) {
			if signedOut(ctx, err) {
				return
			}
			if partnerkit.ErrorCode(err) == partnerkit.CodeInternal { // unreachable server: the last copy
				var cached client.Partner
				if ctx.LocalStorage().Get("partner:"+id, &cached) == nil && cached.ID != "" {
					p, err = &cached, nil
				}
			}
			c.partner, c.err = p, err
			if cons != nil {
				c.contracts = cons.Items
			}
			if invites != nil {
				c.invites = invites.Items
			}
			if users != nil {
				c.users = users.Items
			}
			c.alloc, c.report = alloc, report
			if p != nil {
				_ = ctx.LocalStorage().Set("partner:"+id, p)
			}
		})
	})
}

func (c *partnerDetails) Render() app.UI {
	title := "Partner"
	if c.partner != nil {
		title = c.partner.Name
	}
	tabs := []struct{ key, label string }{{"general", "General"}, {"contracts", "Contracts"}, {"contacts", "Contacts"}, {"users", "Users"}, {"capacity", "Capacity"}}
	return newShell(title,
		errorBanner(c.err),
		app.Nav().Class("tabs").Body(app.Range(tabs).Slice(func(i int) app.UI {
			return app.A().Class(pick(c.tab == tabs[i].key, "current", "")).
				Href("/partners/" + c.id + "?tab=" + tabs[i].key).Text(tabs[i].label)
		})),
		app.If(c.partner != nil, func() app.UI { return c.tabBody() }),
	)
}

// invitations lists the partner's activation invitations, newest first,
// each with its status (pending, used, expired).
func (c *partnerDetails) invitations() app.UI {
	return box(h2("Invitations"), table("partner-invitations",
		thead("Invitation", "Contract", "Created", "Expires", "Status"),
		tbody(app.Range(c.invites).Slice(func(i int) app.UI {
			v := c.invites[i]
			return app.Tr().Class("invitation-row").Attr("data-id", v.ID).Body(td(v.ID), td(v.ContractID),
				td(v.CreatedAt.Format("2006-01-02")), td(v.ExpiresAt.Format("2006-01-02 15:04")),
				tdBody(span("badge status status-"+string(v.Status), string(v.Status))))
		})),
	))
}

func (c *partnerDetails) tabBody() app.UI {
	p := c.partner
	switch c.tab {
	case "contracts":
		return box(table("partner-contracts",
			thead("Contract", "Type", "Status", "Version", "Marketplace", ""),
			tbody(app.Range(c.contracts).Slice(func(i int) app.UI {
				k := c.contracts[i]
				return tr(td(k.ID), td(string(k.Type)),
					statusCell(k.Status),
					td(itoa(k.AgreementVersion)+pick(k.UpdatePending, " (update awaits signature)", "")),
					td(k.MarketplaceID),
					tdBody(c.contractActions(k)))
			})),
		), app.If(len(c.invites) > 0, c.invitations))
	case "contacts":
		return dl(
			dt("Business contact"), dd(contactText(p.BusinessContact)+" "+p.BusinessContact.Phone),
			dt("Technical contact"), dd(contactText(p.TechnicalContact)+" "+p.TechnicalContact.Phone),
		)
	case "users":
		return app.Ul().Body(app.Range(c.users).Slice(func(i int) app.UI {
			u := c.users[i]
			return li(u.User.FullName + " <" + u.User.Email + "> — " + string(u.Role))
		}))
	case "capacity":
		return c.capacityTab()
	}
	return divID("partner-general",
		dl(
			dt("Type"), dd(string(p.Type)),
			dt("Status"), app.Dd().Body(app.Span().ID("partner-status").Class("status status-"+string(p.Status)).Text(string(p.Status))),
			dt("Legal name"), dd(p.LegalName),
			dt("External ID"), dd(p.ExternalID),
			dt("Created"), dd(p.CreatedAt.Format("2 Jan 2006")),
		),
		app.If(c.renaming, func() app.UI {
			return form("rename-form", c.rename,
				field(c, "rename", "New name", "text", &c.newName, c.err, "name"),
				app.Button().Type("submit").Text("Save"),
			)
		}).Else(func() app.UI {
			return div("actions",
				app.Button().ID("rename-start").Class("secondary").Text("Rename").OnClick(func(ctx app.Context, _ app.Event) {
					c.renaming, c.newName = true, p.Name
				}),
				c.statusMoves(p.Status),
			)
		}),
	)
}

// statusMoves are the buttons of the moves the partner's status allows
// (partners/rules.Moves: suspend an active partner, reactivate a suspended one).
func (c *partnerDetails) statusMoves(s partnerrules.Status) app.UI {
	moves := partnerrules.Moves(s)
	return app.Range(moves).Slice(func(i int) app.UI {
		m := moves[i]
		b := app.Button().ID(string(m)).Text(capitalized(m))
		if m == partnerrules.MoveSuspend {
			return b.Class("danger").OnClick(c.setStatus(api.SuspendPartner))
		}
		return b.OnClick(c.setStatus(api.ReactivatePartner))
	})
}

// contractActions are the moves the contract's status allows in the
// server's state machine (contracts/rules.Moves).
func (c *partnerDetails) contractActions(k client.Contract) app.UI {
	actions := contractrules.Moves(k.Status)
	return app.Range(actions).Slice(func(i int) app.UI {
		a := actions[i]
		return button("small", a.Label(), func(ctx app.Context, _ app.Event) {
			ctx = c.own(ctx)
			ctx.Async(func() {
				_, err := api.ContractAction(ctx, k.ID, string(a))
				ctx.Dispatch(func(ctx app.Context) {
					c.err = err
					c.load(ctx)
				})
			})
		})
	})
}

func (c *partnerDetails) rename(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if c.err = problem("name", partnerrules.NameProblem(c.newName)); c.err != nil {
		return
	}
	name := c.newName
	ctx = c.own(ctx)
	ctx.Async(func() {
		p, err := api.UpdatePartner(ctx, c.id, client.PartnerChanges{Name: &name})
		ctx.Dispatch(func(app.Context) {
			c.err = err
			if err == nil {
				c.partner, c.renaming = p, false
			}
		})
	})
}

func (c *partnerDetails) setStatus(fn func(ctx context.Context, id string) (*client.Partner, error)) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		ctx = c.own(ctx)
		ctx.Async(func() {
			p, err := fn(ctx, c.id)
			ctx.Dispatch(func(app.Context) {
				c.err = err
				if err == nil {
					c.partner = p
				}
			})
		})
	}
}

// capacityTab shows the partner's allocation and its last 30 days of usage.
func (c *partnerDetails) capacityTab() app.UI {
	if c.alloc == nil || c.alloc.ContractID == "" {
		return hint("No capacity allocation.")
	}
	a := c.alloc
	to := time.Now().UTC()
	return divID("partner-capacity",
		dl(
			dt("Contract"), dd(a.ContractID),
			dt("Allocated"), app.Dd().Body(app.Text(a.AllocatedTB+" TB"), app.If(a.PayPerUse, func() app.UI {
				return span("badge", "pay-per-use")
			})),
			dt("Overdraft"), dd(pick(a.AllowOverdraft, "allowed", "not allowed")),
		),
		app.If(c.report != nil, func() app.UI { return app.Raw(usageChart(c.report)) }),
		app.A().Class("button secondary").Attr("download", "usage.csv").Href("/api/v1/usage/reports?format=csv&partner_id="+c.id+
			"&from="+to.AddDate(0, 0, -29).Format(time.DateOnly)+"&to="+to.Format(time.DateOnly)).Text("Export CSV"),
		anchor("button secondary", "/storage?partner="+c.id, "Storage accounts"),
	)
}
