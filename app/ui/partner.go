package ui

import (
	"context"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
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
		var users *client.List[client.Member]
		var alloc *client.Allocation
		var report *client.Report
		if err == nil {
			cons, _ = api.Contracts(ctx, client.ContractQuery{PartnerID: id, Page: client.Page{Limit: 100}})
			users, _ = api.PartnerUsers(ctx, id)
			alloc, _ = api.Allocation(ctx, id)
			to := time.Now().UTC()
			report, _ = api.UsageReport(ctx, id, "", to.AddDate(0, 0, -29), to, "day")
		}
		ctx.Dispatch(func(ctx app.Context) {
			if unauthorized(err) {
				ctx.Navigate("/signin")
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
			return app.A().Class(map[bool]string{true: "current", false: ""}[c.tab == tabs[i].key]).
				Href("/partners/" + c.id + "?tab=" + tabs[i].key).Text(tabs[i].label)
		})),
		app.If(c.partner != nil, func() app.UI { return c.tabBody() }),
	)
}

func (c *partnerDetails) tabBody() app.UI {
	p := c.partner
	switch c.tab {
	case "contracts":
		return app.Table().ID("partner-contracts").Body(
			app.THead().Body(app.Tr().Body(app.Th().Text("Contract"), app.Th().Text("Type"), app.Th().Text("Status"),
				app.Th().Text("Version"), app.Th().Text("Marketplace"), app.Th().Text(""))),
			app.TBody().Body(app.Range(c.contracts).Slice(func(i int) app.UI {
				k := c.contracts[i]
				return app.Tr().Body(app.Td().Text(k.ID), app.Td().Text(k.Type),
					app.Td().Body(app.Span().Class("status status-"+k.Status).Text(k.Status)),
					app.Td().Text(itoa(k.AgreementVersion)+map[bool]string{true: " (update awaits signature)", false: ""}[k.UpdatePending]),
					app.Td().Text(k.MarketplaceID),
					app.Td().Body(c.contractActions(k)))
			})),
		)
	case "contacts":
		return app.Dl().Body(
			app.Dt().Text("Business contact"), app.Dd().Text(contactText(p.BusinessContact)+" "+p.BusinessContact.Phone),
			app.Dt().Text("Technical contact"), app.Dd().Text(contactText(p.TechnicalContact)+" "+p.TechnicalContact.Phone),
		)
	case "users":
		return app.Ul().Body(app.Range(c.users).Slice(func(i int) app.UI {
			u := c.users[i]
			return app.Li().Text(u.User.FullName + " <" + u.User.Email + "> — " + u.Role)
		}))
	case "capacity":
		return c.capacityTab()
	}
	return app.Div().ID("partner-general").Body(
		app.Dl().Body(
			app.Dt().Text("Type"), app.Dd().Text(p.Type),
			app.Dt().Text("Status"), app.Dd().Body(app.Span().ID("partner-status").Class("status status-"+p.Status).Text(p.Status)),
			app.Dt().Text("Legal name"), app.Dd().Text(p.LegalName),
			app.Dt().Text("External ID"), app.Dd().Text(p.ExternalID),
			app.Dt().Text("Created"), app.Dd().Text(p.CreatedAt.Format("2 Jan 2006")),
		),
		app.If(c.renaming, func() app.UI {
			return app.Form().ID("rename-form").OnSubmit(c.rename).Body(
				field(c, "rename", "New name", "text", &c.newName, c.err, "name"),
				app.Button().Type("submit").Text("Save"),
			)
		}).Else(func() app.UI {
			return app.Div().Class("actions").Body(
				app.Button().ID("rename-start").Class("secondary").Text("Rename").OnClick(func(ctx app.Context, _ app.Event) {
					c.renaming, c.newName = true, p.Name
				}),
				app.If(p.Status == "active", func() app.UI {
					return app.Button().ID("suspend").Class("danger").Text("Suspend").OnClick(c.setStatus(api.SuspendPartner))
				}),
				app.If(p.Status == "suspended", func() app.UI {
					return app.Button().ID("reactivate").Text("Reactivate").OnClick(c.setStatus(api.ReactivatePartner))
				}),
			)
		}),
	)
}

func (c *partnerDetails) contractActions(k client.Contract) app.UI {
	var actions []string
	switch k.Status {
	case "pending":
		actions = []string{"sign", "reject"}
	case "signed":
		actions = []string{"activate", "terminate"}
	case "active":
		actions = []string{"terminate"}
	}
	return app.Range(actions).Slice(func(i int) app.UI {
		a := actions[i]
		return app.Button().Class("small").Text(a).OnClick(func(ctx app.Context, _ app.Event) {
			ctx = c.own(ctx)
			ctx.Async(func() {
				_, err := api.ContractAction(ctx, k.ID, a)
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
		return app.P().Class("hint").Text("No capacity allocation.")
	}
	a := c.alloc
	to := time.Now().UTC()
	return app.Div().ID("partner-capacity").Body(
		app.Dl().Body(
			app.Dt().Text("Contract"), app.Dd().Text(a.ContractID),
			app.Dt().Text("Allocated"), app.Dd().Body(app.Text(a.AllocatedTB+" TB"), app.If(a.PayPerUse, func() app.UI {
				return app.Span().Class("badge").Text("pay-per-use")
			})),
			app.Dt().Text("Overdraft"), app.Dd().Text(map[bool]string{true: "allowed", false: "not allowed"}[a.AllowOverdraft]),
		),
		app.If(c.report != nil, func() app.UI { return app.Raw(usageChart(c.report)) }),
		app.A().Class("button secondary").Attr("download", "usage.csv").Href("/api/v1/usage/reports?format=csv&partner_id="+c.id+
			"&from="+to.AddDate(0, 0, -29).Format(time.DateOnly)+"&to="+to.Format(time.DateOnly)).Text("Export CSV"),
		app.A().Class("button secondary").Href("/storage?partner="+c.id).Text("Storage accounts"),
	)
}
