package ui

import (
	"context"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// partnerDetails shows one partner with the tabs of seed 000: General,
// Contracts, Contacts, Users and Capacity; rename and suspend live here.
// What the tabs only show is raw HTML (see webhooks.go); the contracts'
// buttons report to one click handler on the page (act).
type partnerDetails struct {
	app.Compo
	mounted
	reader
	id       string
	tab      string
	partner  *client.Partner
	missing  bool // no such partner (or not one the user may see)
	loaded   partnerData
	alloc    *client.Allocation
	allocOf  string // the allocation's contract, by name
	report   *client.Report
	newName  string
	renaming bool
	err      error
}

// partnerData is what the page shows of a partner: it and its lists.
type partnerData struct {
	Partner   *client.Partner     `json:"partner"`
	Contracts []client.Contract   `json:"contracts"`
	Invites   []client.Invitation `json:"invitations"`
	Users     []client.Member     `json:"users"`
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

// partnerView is one read of the page: the partner's data, its
// allocation (by its contract's name) and its last 30 days of usage.
type partnerView struct {
	data    partnerData
	alloc   *client.Allocation
	allocOf string
	report  *client.Report
}

func (c *partnerDetails) load(ctx app.Context) {
	id := c.id
	c.read(c.own(ctx), "partner-page:"+id, func(ctx context.Context) (any, error) {
		p, err := api.Partner(ctx, id)
		if err != nil {
			return nil, err
		}
		v := &partnerView{data: partnerData{Partner: p}}
		if l, _ := api.Contracts(ctx, client.ContractQuery{PartnerID: id, Page: client.Page{Limit: 100}}); l != nil {
			v.data.Contracts = l.Items
		}
		if l, _ := api.Invitations(ctx, client.InvitationQuery{PartnerID: id, Page: client.Page{Limit: 20}}); l != nil {
			v.data.Invites = l.Items
		}
		if l, _ := api.PartnerUsers(ctx, id); l != nil {
			v.data.Users = l.Items
		}
		v.alloc, _ = api.PartnerAllocation(ctx, id) // nil when it has none: no 404
		if v.alloc != nil {
			if l, _ := api.CapacityContracts(ctx); l != nil {
				for _, k := range l.Items {
					if k.ID == v.alloc.ContractID {
						v.allocOf = k.AgreementName
					}
				}
			}
		}
		to := time.Now().UTC().Truncate(24 * time.Hour) // by day: one URL a day, its offline copy
		v.report, _ = api.UsageReport(ctx, id, "", to.AddDate(0, 0, -29), to, "day")
		return v, nil
	}, func(s loadState) {
		switch s.Status {
		case loadLoaded:
			v := s.Value.(*partnerView)
			c.missing, c.err, c.loaded, c.partner = false, nil, v.data, v.data.Partner
			c.alloc, c.allocOf, c.report = v.alloc, v.allocOf, v.report
		case loadFailed:
			c.missing, c.err = s.missing(), s.Err
			c.loaded, c.partner, c.alloc, c.allocOf, c.report = partnerData{}, nil, nil, "", nil
		}
	})
}

// partnerTabs are the tabs, by key and label.
var partnerTabs = []string{"general", "General", "contracts", "Contracts", "contacts", "Contacts", "users", "Users", "capacity", "Capacity"}

func (c *partnerDetails) Render() app.UI {
	if c.missing {
		return notFound("Partner not found", "There is no partner at this address, or it is not one of yours.")
	}
	title := "Partner"
	if c.partner != nil {
		title = c.partner.Name
	}
	tabs := ""
	for i := 0; i+1 < len(partnerTabs); i += 2 {
		cur := pick(c.tab == partnerTabs[i], ` aria-current="page" class="current"`, "")
		tabs += rawf(`<a href="$"!>$</a>`, "/partners/"+c.id+"?tab="+partnerTabs[i], cur, partnerTabs[i+1])
	}
	return newShell(title,
		errorBanner(c.err),
		app.If(c.partner == nil && c.err == nil && c.loading(), func() app.UI {
			return loadingNote("partner-loading", "Loading the partner…")
		}),
		app.If(c.partner != nil, func() app.UI {
			return app.Elem("div").OnClick(c.act).Body(
				app.Raw(`<nav class="tabs" aria-label="Partner">`+tabs+`</nav>`),
				c.tabBody(),
			)
		}),
	)
}

// contractsHead is the columns of the partner's contracts.
var contractsHead = []string{"Agreement", "Type", "Status", "Version", "Marketplace", ""}

func (c *partnerDetails) tabBody() app.UI {
	p := c.partner
	switch c.tab {
	case "contracts":
		return box(c.contractsTable(), app.If(len(c.loaded.Invites) > 0, c.invitations))
	case "contacts":
		return app.Raw(rawf(`<dl id="partner-contacts"><dt>Business contact</dt><dd>!</dd><dt>Technical contact</dt><dd>!</dd></dl>`,
			contactFull(p.BusinessContact), contactFull(p.TechnicalContact)))
	case "users":
		if len(c.loaded.Users) == 0 {
			return empty("no-users", "No console users yet: they come with the partner's activation.")
		}
		rows := make([]string, len(c.loaded.Users))
		for i, u := range c.loaded.Users {
			rows[i] = row(usersHead, "", esc(u.User.FullName), esc(u.User.Email), esc(capitalized(u.Role)))
		}
		return cards("partner-users", usersHead, rows)
	case "capacity":
		return c.capacityTab()
	}
	return divID("partner-general",
		app.Raw(rawf(`<dl><dt>Type</dt><dd>$</dd><dt>Status</dt><dd><span id="partner-status" class="status status-$">$</span></dd>`+
			`<dt>Legal name</dt><dd>$</dd><dt>External ID</dt><dd>$</dd><dt>Created</dt><dd>$</dd></dl>`,
			p.Type.Label(), string(p.Status), string(p.Status), pick(p.LegalName != "", p.LegalName, "—"),
			pick(p.ExternalID != "", p.ExternalID, "—"), day(p.CreatedAt))),
		app.If(c.renaming, func() app.UI {
			return form("rename-form", c.rename,
				field(c, "rename", "New name", "text", &c.newName, c.err, "name"),
				div("actions", submitButton("rename-save", "Save"),
					typeButton("secondary", "Cancel", func(app.Context, app.Event) { c.renaming, c.err = false, nil })),
			)
		}).Else(func() app.UI {
			return div("actions",
				app.Elem("button").ID("rename-start").Class("secondary").Text("Rename").OnClick(func(ctx app.Context, _ app.Event) {
					c.renaming, c.newName = true, p.Name
					ctx.Defer(func(app.Context) { app.Window().GetElementByID("rename").Call("focus") })
				}),
				c.statusMoves(p.Status),
			)
		}),
	)
}

var usersHead = []string{"Name", "Email", "Role"}

// contractsTable lists the partner's contracts by agreement name, with the
// moves each allows (contracts/rules.Moves) as buttons for act.
func (c *partnerDetails) contractsTable() app.UI {
	ks := c.loaded.Contracts
	if len(ks) == 0 {
		return empty("no-contracts", "No contracts with this partner yet.")
	}
	rows := make([]string, len(ks))
	for i, k := range ks {
		version := "v" + itoa(k.AgreementVersion)
		if k.UpdatePending {
			version += ` <span class="badge">v` + itoa(k.LatestAgreementVersion) + ` awaits signature</span>`
		}
		rows[i] = row(contractsHead, attr("class", "contract-row")+attr("data-id", k.ID),
			titled(k.ID, k.AgreementName), esc(k.Type.Label()), badge(string(k.Status), string(k.Status)), version,
			esc(pick(k.MarketplaceName != "", k.MarketplaceName, "—")), contractButtons(k, contractrules.Moves(k.Status)))
	}
	return cards("partner-contracts", contractsHead, rows)
}

// contractButtons are the buttons of a contract's moves, for act.
func contractButtons(k client.Contract, moves []contractrules.Move) string {
	out := ""
	for _, m := range moves {
		out += rowButton(pick(m == contractrules.MoveTerminate || m == contractrules.MoveReject, "small danger", "small")+" contract-"+string(m),
			capitalized(m.Label()), string(m), k.ID)
	}
	return `<span class="row-actions">` + out + `</span>`
}

// act runs the move of a contract button that was clicked (data-act,
// data-id); ending a contract is confirmed first.
func (c *partnerDetails) act(ctx app.Context, e app.Event) {
	move, id := clickedAct(e)
	if move == "" || !confirmMove(contractrules.Move(move), c.contractName(id)) {
		return
	}
	background(&c.mounted, ctx, func(ctx context.Context) error {
		_, err := api.ContractAction(ctx, id, move)
		return err
	}, func(ctx app.Context, err error) {
		c.err = err
		c.load(ctx)
	})
}

// contractName names a contract of the page by its agreement.
func (c *partnerDetails) contractName(id string) string {
	for _, k := range c.loaded.Contracts {
		if k.ID == id {
			return k.AgreementName
		}
	}
	return id
}

// confirmMove asks before a contract move that cannot be undone
// (terminate, reject); the others go ahead.
func confirmMove(m contractrules.Move, name string) bool {
	switch m {
	case contractrules.MoveTerminate:
		return confirmed("Terminate the contract " + name + "? A terminated contract cannot be reactivated.")
	case contractrules.MoveReject:
		return confirmed("Reject the contract " + name + "? A rejected contract cannot be signed later.")
	}
	return true
}

// invitations lists the partner's activation invitations, newest first,
// each with its status (pending, activated, expired, revoked).
func (c *partnerDetails) invitations() app.UI {
	head := []string{"Created", "Contract", "Expires", "Status"}
	rows := make([]string, len(c.loaded.Invites))
	for i, v := range c.loaded.Invites {
		rows[i] = row(head, attr("class", "invitation-row")+attr("data-id", v.ID),
			titled(v.ID, day(v.CreatedAt)), esc(c.contractName(v.ContractID)), esc(moment(v.ExpiresAt)), badge(string(v.Status), string(v.Status)))
	}
	return box(h2("Invitations"), cards("partner-invitations", head, rows))
}

// contactFull is a contact's name, email and phone, as raw HTML.
func contactFull(ct client.Contact) string {
	if ct.Name == "" && ct.Email == "" && ct.Phone == "" {
		return `<span class="hint">none yet</span>`
	}
	return rawf(`$<br>$<br>$`, ct.Name, ct.Email, ct.Phone)
}

// statusMoves are the buttons of the moves the partner's status allows
// (partners/rules.Moves: suspend an active partner, reactivate a suspended one).
func (c *partnerDetails) statusMoves(s partnerrules.Status) app.UI {
	moves := partnerrules.Moves(s)
	return app.Range(moves).Slice(func(i int) app.UI {
		m := moves[i]
		b := app.Elem("button").ID(string(m)).Text(capitalized(m))
		if m == partnerrules.MoveSuspend {
			return b.Class("danger").OnClick(c.setStatus(api.SuspendPartner,
				"Suspend "+c.partner.Name+"? Its users cannot act until it is reactivated."))
		}
		return b.OnClick(c.setStatus(api.ReactivatePartner, ""))
	})
}

func (c *partnerDetails) rename(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if c.err = problem("name", partnerrules.NameProblem(c.newName)); c.err != nil {
		focusFirstInvalid(c.own(ctx))
		return
	}
	name := c.newName
	var p *client.Partner
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		p, err = api.UpdatePartner(ctx, c.id, client.PartnerChanges{Name: &name})
		return err
	}, func(ctx app.Context, err error) {
		c.err = err
		if err != nil {
			focusFirstInvalid(ctx)
			return
		}
		c.partner, c.loaded.Partner, c.renaming = p, p, false
	})
}

// setStatus is the handler of a status move, confirmed first when
// question is not "".
func (c *partnerDetails) setStatus(fn func(ctx context.Context, id string) (*client.Partner, error), question string) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		if question != "" && !confirmed(question) {
			return
		}
		var p *client.Partner
		background(&c.mounted, ctx, func(ctx context.Context) (err error) {
			p, err = fn(ctx, c.id)
			return err
		}, func(ctx app.Context, err error) {
			c.err = err
			if err == nil {
				c.partner, c.loaded.Partner = p, p
			}
		})
	}
}

// capacityTab shows the partner's allocation and its last 30 days of usage.
func (c *partnerDetails) capacityTab() app.UI {
	if c.alloc == nil {
		return empty("no-allocation", "No capacity allocation: allocate capacity to this partner on the Capacity page.")
	}
	a := c.alloc
	to := time.Now().UTC()
	return divID("partner-capacity",
		app.Raw(rawf(`<dl><dt>Contract</dt><dd>!</dd><dt>Allocated</dt><dd>!!</dd><dt>Overdraft</dt><dd>$</dd></dl>`,
			titled(a.ContractID, pick(c.allocOf != "", c.allocOf, a.ContractID)), tbHTML(a.AllocatedTB),
			pick(a.PayPerUse, ` <span class="badge">pay-per-use</span>`, ""), pick(a.AllowOverdraft, "allowed", "not allowed"))),
		app.If(c.report != nil, func() app.UI { return app.Raw(usageChart(c.report)) }),
		div("actions",
			app.Elem("a").Class("button secondary").Attr("download", "usage.csv").Attr("href", "/api/v1/usage/reports?format=csv&partner_id="+c.id+
				"&from="+to.AddDate(0, 0, -29).Format(time.DateOnly)+"&to="+to.Format(time.DateOnly)).Text("Export CSV"),
			anchor("button secondary", "/storage?partner="+c.id, "Storage accounts"),
		),
	)
}
