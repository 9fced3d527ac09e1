package ui

import (
	"context"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	resellerrules "github.com/partnerkit/partnerkit/resellers/rules"
)

// The Reseller Store pages: the catalog, ordering a subscription, my
// subscriptions, clients and analytics.

// catalogPage lists the services the account may buy, with their plans,
// and the services the account itself offers, which it creates and edits
// in the catalog editor (catalog_edit.go).
type catalogPage struct {
	app.Compo
	mounted
	reader
	list     *client.List[client.CatalogService]
	provided *client.List[client.CatalogService]
	err      error

	draft   *serviceDraft // the open editor form, nil when closed
	formErr error
	busy    bool
	saved   string
}

func (c *catalogPage) OnMount(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.load(ctx)
}

// load loads the catalog the account may buy from and the services it offers.
func (c *catalogPage) load(ctx app.Context) {
	c.read(c.own(ctx), "catalog-page", func(ctx context.Context) (any, error) {
		list, err := api.Catalog(ctx, client.Page{Limit: 500})
		if err != nil {
			return nil, err
		}
		provided, err := api.ProvidedServices(ctx, client.Page{Limit: 500})
		if err != nil {
			return nil, err
		}
		return [2]*client.List[client.CatalogService]{list, provided}, nil
	}, func(s loadState) {
		v, err, ok := outcome[[2]*client.List[client.CatalogService]](s)
		if !ok {
			return
		}
		c.err = err
		if err == nil {
			c.list, c.provided = v[0], v[1]
		}
	})
}

func (c *catalogPage) Render() app.UI {
	return newShell("Catalog",
		errorBanner(c.err),
		h2("Services you can buy"),
		hint("Services you can buy for your clients. Your account is billed, never the client."),
		app.If(c.list != nil && len(c.list.Items) == 0, func() app.UI {
			return app.Elem("p").ID("catalog-empty").Text("No services yet: a provider you hold an active contract with must offer some.")
		}),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			return divID("catalog", app.Range(items).Slice(func(i int) app.UI { return serviceCard(items[i]) }))
		}),
		c.providedSection(),
	)
}

// serviceCard is a service of the catalog with its plans, each with an
// Order link.
func serviceCard(s client.CatalogService) app.UI {
	var b strings.Builder
	b.WriteString(rawf(`<section class="card catalog-service"><h2>$</h2>`, s.Name))
	if s.Description != "" {
		b.WriteString(rawf(`<p>$</p>`, s.Description))
	}
	for _, p := range s.Plans {
		trial := ""
		if p.TrialDays > 0 {
			trial = ", " + count(p.TrialDays, "day") + " of trial"
		}
		b.WriteString(rawf(`<div class="plan"><h3>$</h3><ul>`, p.Name+" ("+resellerrules.BillingPeriod(p.BillingPeriod).Label()+trial+")"))
		for _, r := range p.Resources {
			b.WriteString(rawf(`<li>$</li>`, resourcePrice(r, p.BillingPeriod, s.Currency)))
		}
		b.WriteString(rawf(`</ul><a class="button" href="$">Order</a></div>`, "/subscriptions/new?service="+s.ID+"&plan="+p.ID))
	}
	b.WriteString(`</section>`)
	return app.Raw(b.String())
}

// resourcePrice is a plan resource's price in its service's currency and
// its limits: "mailboxes: USD 4.50 per user per month (1 to 100 users)".
func resourcePrice(r client.CatalogPlanResource, period, currency string) string {
	limits := "from " + amount(r.Min, r.Unit)
	if r.Max != "" && r.Max != "0" {
		limits = r.Min + " to " + amount(r.Max, r.Unit)
	}
	return r.Name + ": " + price(r.UnitPrice, currency) + " per " + r.Unit + " per " + periodNoun(period) + " (" + limits + ")"
}

// periodNoun is a billing period as a noun: monthly is "month".
func periodNoun(period string) string {
	if period == string(resellerrules.Annual) {
		return "year"
	}
	return "month"
}

// orderPage orders a subscription: a service and plan, an existing client
// or a new one typed in, and the resource amounts.
type orderPage struct {
	app.Compo
	mounted
	catalog                     []client.CatalogService
	clients                     []client.ResellerClient
	serviceID, planID, clientID string
	newName, newEmail           string
	amounts                     map[string]string
	err, formErr                error
	busy                        bool
}

func (c *orderPage) OnMount(ctx app.Context) {
	if api == nil {
		return
	}
	c.keep(ctx)
	q := ctx.Page().URL().Query()
	c.serviceID, c.planID = q.Get("service"), q.Get("plan")
	c.amounts = map[string]string{}
	ctx = c.own(ctx)
	ctx.Async(func() {
		cat, err := api.Catalog(ctx, client.Page{Limit: 500})
		var cl *client.List[client.ResellerClient]
		if err == nil {
			cl, err = api.ResellerClients(ctx, "", string(resellerrules.ClientActive), client.Page{Limit: 500})
		}
		ctx.Dispatch(func(ctx app.Context) {
			if signedOut(ctx, err) {
				return
			}
			c.err = err
			if cat != nil {
				c.catalog = cat.Items
			}
			if cl != nil {
				c.clients = cl.Items
			}
		})
	})
}

// selected returns the chosen service and plan, defaulting to the first.
func (c *orderPage) selected() (*client.CatalogService, *client.CatalogPlan) {
	if len(c.catalog) == 0 {
		return nil, nil
	}
	s := &c.catalog[0]
	for i := range c.catalog {
		if c.catalog[i].ID == c.serviceID {
			s = &c.catalog[i]
		}
	}
	if len(s.Plans) == 0 {
		return s, nil
	}
	p := &s.Plans[0]
	for i := range s.Plans {
		if s.Plans[i].ID == c.planID {
			p = &s.Plans[i]
		}
	}
	return s, p
}

func (c *orderPage) Render() app.UI {
	svc, plan := c.selected()
	return newShell("Order subscription",
		errorBanner(c.err),
		app.If(c.catalog != nil && svc == nil, func() app.UI {
			return para("Your catalog is empty.")
		}),
		app.If(svc != nil, func() app.UI {
			return form("order-form", c.submit,
				div("field",
					labelFor("order-service", "Service"),
					selectOf("order-service", func(ctx app.Context, _ app.Event) {
						c.serviceID, c.planID = valueOf(ctx), ""
					}, app.Range(c.catalog).Slice(func(i int) app.UI {
						return option(c.catalog[i].ID, c.catalog[i].Name, c.catalog[i].ID == svc.ID)
					})),
					fieldError(c.formErr, "service_id"),
				),
				div("field",
					labelFor("order-plan", "Plan"),
					selectOf("order-plan", func(ctx app.Context, _ app.Event) {
						c.planID = valueOf(ctx)
					}, app.Range(svc.Plans).Slice(func(i int) app.UI {
						p := svc.Plans[i]
						return option(p.ID, p.Name+" ("+resellerrules.BillingPeriod(p.BillingPeriod).Label()+")", plan != nil && p.ID == plan.ID)
					})),
					fieldError(c.formErr, "plan_id"),
				),
				div("field",
					labelFor("order-client", "Client"),
					selectOf("order-client", func(ctx app.Context, _ app.Event) {
						c.clientID = valueOf(ctx)
					},
						option("", "New client…", c.clientID == ""),
						app.Range(c.clients).Slice(func(i int) app.UI {
							return option(c.clients[i].ID, c.clients[i].Name, c.clients[i].ID == c.clientID)
						}),
					),
					fieldError(c.formErr, "client_id"),
				),
				app.If(c.clientID == "", func() app.UI {
					return box(
						field(c, "order-new-client", "New client's name", "text", &c.newName, c.formErr, "new_client.name"),
						field(c, "order-new-email", "New client's email (optional)", "email", &c.newEmail, c.formErr, "new_client.email"),
					)
				}),
				app.If(plan != nil, func() app.UI {
					return box(app.Range(plan.Resources).Slice(func(i int) app.UI {
						r := plan.Resources[i]
						id := "order-amount-" + itoa(i)
						v, ok := c.amounts[r.Name]
						if !ok {
							v = r.Min
						}
						return div("field",
							labelFor(id, r.Name+" (number of "+plural(r.Unit)+", "+price(r.UnitPrice, svc.Currency)+" each per "+periodNoun(plan.BillingPeriod)+")"),
							app.ElemSelfClosing("input").ID(id).Attr("type", "text").Attr("inputmode", "decimal").Attr("value", v).OnInput(func(ctx app.Context, _ app.Event) {
								c.amounts[r.Name] = valueOf(ctx)
							}),
							fieldError(c.formErr, "resources["+itoa(i)+"].amount"),
						)
					}))
				}),
				errorBanner(c.formErr),
				app.Elem("button").Attr("type", "submit").ID("order-submit").Attr("disabled", c.busy).Text("Order"),
			)
		}),
	)
}

func (c *orderPage) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	svc, plan := c.selected()
	if svc == nil || plan == nil {
		return
	}
	in := client.Order{ClientID: c.clientID, ServiceID: svc.ID, PlanID: plan.ID}
	fields := map[string]string{}
	if c.clientID == "" {
		in.NewClient = &client.NewResellerClient{Name: c.newName, Email: c.newEmail}
		if p := resellerrules.TextProblem(c.newName, true, resellerrules.MaxClientNameLength); p != "" {
			fields["new_client.name"] = p
		}
	}
	for i, r := range plan.Resources {
		v, ok := c.amounts[r.Name]
		if !ok {
			v = r.Min
		}
		if p := amountProblem(v, r); p != "" { // the server's rule for the plan's limits
			fields["resources["+itoa(i)+"].amount"] = p
		}
		in.Resources = append(in.Resources, client.AmountInput{Name: r.Name, Amount: strings.TrimSpace(v)})
	}
	if c.formErr = partnerkit.FieldErrors(fields); c.formErr != nil {
		focusFirstInvalid(c.own(ctx))
		return
	}
	c.busy = true
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.OrderSubscription(ctx, in)
		ctx.Dispatch(func(ctx app.Context) {
			c.busy, c.formErr = false, err
			focusFirstInvalid(ctx)
			if err == nil {
				ctx.Navigate("/subscriptions")
			}
		})
	})
}

// subscriptionsPage lists the account's subscriptions with their status,
// history and actions: stop, activate, renew and change amounts.
type subscriptionsPage struct {
	app.Compo
	mounted
	reader
	list     *client.List[client.Subscription]
	names    map[string]string // client ID → name
	history  map[string][]client.SubscriptionEvent
	changing string
	amounts  map[string]string
	renewErr map[string]error // subscription ID → error of its auto-renew switch
	err      error
}

func (c *subscriptionsPage) OnMount(ctx app.Context) {
	if api == nil {
		return
	}
	c.keep(ctx)
	c.history = map[string][]client.SubscriptionEvent{}
	c.load(ctx)
}

func (c *subscriptionsPage) load(ctx app.Context) {
	c.read(c.own(ctx), "subscriptions-page", func(ctx context.Context) (any, error) {
		list, err := api.Subscriptions(ctx, "", client.Page{Limit: 200})
		if err != nil {
			return nil, err
		}
		names := map[string]string{}
		if cl, err := api.ResellerClients(ctx, "", "", client.Page{Limit: 500}); err == nil {
			for _, x := range cl.Items {
				names[x.ID] = x.Name
			}
		}
		return subscriptionsView{list: list, names: names}, nil
	}, func(s loadState) {
		v, err, ok := outcome[subscriptionsView](s)
		if !ok {
			return
		}
		c.list, c.err = v.list, err
		if err == nil {
			c.names = v.names
		}
	})
}

// subscriptionsView is the subscriptions page's read: the subscriptions and
// their clients' names by ID.
type subscriptionsView struct {
	list  *client.List[client.Subscription]
	names map[string]string
}

func (c *subscriptionsPage) Render() app.UI {
	return newShell("My subscriptions",
		errorBanner(c.err),
		div("toolbar",
			app.Elem("a").Class("button").ID("new-subscription").Attr("href", "/subscriptions/new").Text("Order subscription"),
			app.Elem("a").Class("button").ID("charges-csv").Attr("href", client.ChargesCSVURL(client.ChargeQuery{})).Attr("download", "charges.csv").Text("Download charges (CSV)"),
		),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			if len(items) == 0 {
				return empty("no-subscriptions", "No subscriptions yet: order one from the catalog.")
			}
			rows := make([]string, len(items))
			for i, x := range items {
				rows[i] = c.row(x)
			}
			return app.Elem("div").OnClick(c.act).OnChange(c.renew).Body(cards("subscriptions", subscriptionsHead, rows))
		}),
		app.If(c.changing != "", c.changeForm),
	)
}

var subscriptionsHead = []string{"Service", "Client", "Status", "Period ends", "Resources", ""}

// amountsText is resources' amounts: "mailboxes: 12 users, 7 devices".
func amountsText(as []client.ResourceAmount) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = resource(a.Name, a.Amount, a.Unit)
	}
	return strings.Join(parts, ", ")
}

// amountProblem applies the server's amount rule (resellers/rules) to an
// amount typed for a plan resource, or says it is not a number.
func amountProblem(v string, r client.CatalogPlanResource) string {
	amount, p := resellerrules.ParseDecimal(v, resellerrules.MaxAmount)
	if p != "" {
		return p
	}
	lo, _ := resellerrules.ParseDecimal(r.Min, resellerrules.MaxAmount)
	hi, _ := resellerrules.ParseDecimal(r.Max, resellerrules.MaxAmount)
	return resellerrules.AmountProblem(amount, lo, hi, r.Unit)
}

// row is a subscription's row: its auto-renew switch reports to renew,
// its buttons (the moves the server accepts from its status, change
// amounts, history) to act.
func (c *subscriptionsPage) row(s client.Subscription) string {
	status := resellerrules.Status(s.Status)
	ends := esc(day(s.PeriodEnd)) + rawf(`<label class="check"><input type="checkbox" class="auto-renew" data-id="$"!> renews automatically</label>`,
		s.ID, pick(s.AutoRenew, " checked", ""))
	for _, f := range []string{"auto_renew", "version"} {
		if msg := partnerkit.ErrorFields(c.renewErr[s.ID])[f]; msg != "" {
			ends += rawf(`<span class="field-error" data-field="$">$</span>`, f, msg)
		}
	}
	res := esc(amountsText(s.Resources))
	if len(s.Scheduled) > 0 {
		res += rawf(`<div class="hint">At renewal: $</div>`, amountsText(s.Scheduled))
	}
	if evs, ok := c.history[s.ID]; ok {
		res += `<ol class="history">`
		for _, e := range evs {
			res += rawf(`<li>$</li>`, moment(e.At)+" — "+label(e.Type)+": "+pick(e.From != "", e.From, "—")+" → "+e.To+" by "+e.Actor)
		}
		res += `</ol>`
	}
	buttons := ""
	for _, m := range resellerrules.Moves(status) {
		buttons += rowButton(pick(m == resellerrules.Move("stop"), "small danger", "small"), capitalized(m), string(m), s.ID)
	}
	if status.CanChangeResources() {
		buttons += rowButton("small", "Change amounts", "change", s.ID)
	}
	buttons += rowButton("small link", pick(c.history[s.ID] != nil, "Hide history", "History"), "history", s.ID)
	return row(subscriptionsHead, attr("class", "subscription-row")+attr("data-id", s.ID),
		esc(s.ServiceName+" — "+s.PlanName), esc(c.names[s.ClientID]), badge(s.Status, s.Status), ends, res,
		`<span class="row-actions">`+buttons+`</span>`)
}

// act does what the subscription button that was clicked does: a move
// (stopping is confirmed first), the change form, or the history.
func (c *subscriptionsPage) act(ctx app.Context, e app.Event) {
	act, id := clickedAct(e)
	switch act {
	case "":
		return
	case "change":
		c.changing, c.amounts = id, map[string]string{}
		c.own(ctx).Defer(func(app.Context) {
			if el := app.Window().Get("document").Call("querySelector", "form.change-amounts input"); el.Truthy() {
				el.Call("focus")
			}
		})
		return
	case "history":
		if _, shown := c.history[id]; shown {
			delete(c.history, id)
			return
		}
		var l *client.List[client.SubscriptionEvent]
		background(&c.mounted, ctx, func(ctx context.Context) (err error) {
			l, err = api.SubscriptionHistory(ctx, id)
			return err
		}, func(ctx app.Context, err error) {
			c.err = err
			if l != nil {
				c.history[id] = l.Items
			}
		})
		return
	}
	if act == "stop" && !confirmed("Stop this subscription? It ends now and is not billed again.") {
		return
	}
	background(&c.mounted, ctx, func(ctx context.Context) error {
		_, err := api.MoveSubscription(ctx, id, act)
		return err
	}, func(ctx app.Context, err error) {
		c.err = err
		delete(c.history, id)
		c.load(ctx)
	})
}

// renew turns a subscription's automatic renewal on or off, from its
// switch (change events bubble here).
func (c *subscriptionsPage) renew(ctx app.Context, e app.Event) {
	t := e.Get("target")
	if !t.Get("classList").Call("contains", "auto-renew").Bool() {
		return
	}
	id, on := t.Get("dataset").Get("id").String(), t.Get("checked").Bool()
	for _, s := range c.list.Items {
		if s.ID == id {
			c.setAutoRenew(ctx, s, on)
		}
	}
}

// setAutoRenew turns a subscription's automatic renewal on or off.
func (c *subscriptionsPage) setAutoRenew(ctx app.Context, s client.Subscription, on bool) {
	background(&c.mounted, ctx, func(ctx context.Context) error {
		_, err := api.UpdateSubscription(ctx, s.ID, client.SubscriptionChanges{AutoRenew: &on, Version: s.Version})
		return err
	}, func(ctx app.Context, err error) {
		if c.renewErr == nil {
			c.renewErr = map[string]error{}
		}
		c.renewErr[s.ID] = err
		if len(partnerkit.ErrorFields(err)) == 0 {
			c.err = err
		}
		c.load(ctx)
	})
}

// changeForm changes the amounts of the subscription being changed.
func (c *subscriptionsPage) changeForm() app.UI {
	var s *client.Subscription
	for i := range c.list.Items {
		if c.list.Items[i].ID == c.changing {
			s = &c.list.Items[i]
		}
	}
	if s == nil {
		return nil
	}
	id := s.ID
	return app.Elem("form").Class("change-amounts card").OnSubmit(func(ctx app.Context, e app.Event) {
		e.PreventDefault()
		var in []client.AmountInput
		for name, v := range c.amounts {
			in = append(in, client.AmountInput{Name: name, Amount: strings.TrimSpace(v)})
		}
		background(&c.mounted, ctx, func(ctx context.Context) error {
			_, err := api.ChangeSubscriptionResources(ctx, id, in)
			return err
		}, func(ctx app.Context, err error) {
			c.err = err
			if err == nil {
				c.changing = ""
				delete(c.history, id)
				c.load(ctx)
			}
		})
	}).Body(
		h2("Change amounts of "+s.ServiceName+" for "+c.names[s.ClientID]),
		app.Range(s.Resources).Slice(func(i int) app.UI {
			r := s.Resources[i]
			fid := "change-" + id + "-" + itoa(i)
			return div("field",
				labelFor(fid, r.Name+" (number of "+plural(r.Unit)+")"),
				app.ElemSelfClosing("input").ID(fid).Attr("type", "text").Attr("inputmode", "decimal").Attr("value", r.Amount).OnInput(func(ctx app.Context, _ app.Event) {
					c.amounts[r.Name] = valueOf(ctx)
				}),
			)
		}),
		hint("Increases are billed for the rest of the period; decreases are never refunded."),
		div("actions",
			app.Elem("button").Attr("type", "submit").Class("small").Text("Apply"),
			typeButton("small secondary", "Cancel", func(ctx app.Context, _ app.Event) { c.changing = "" }),
		),
	)
}

// clientsPage lists the account's clients: add one, put one on hold,
// reactivate or delete it.
type clientsPage struct {
	app.Compo
	mounted
	reader
	list        *client.List[client.ResellerClient]
	name, email string
	err         error
	formErr     error
}

func (c *clientsPage) OnMount(ctx app.Context) {
	if api == nil {
		return
	}
	c.keep(ctx)
	c.load(ctx)
}

func (c *clientsPage) load(ctx app.Context) {
	c.read(c.own(ctx), "clients-page", func(ctx context.Context) (any, error) {
		return api.ResellerClients(ctx, "", "", client.Page{Limit: 500})
	}, func(s loadState) {
		if v, err, ok := outcome[*client.List[client.ResellerClient]](s); ok {
			c.list, c.err = v, err
		}
	})
}

func (c *clientsPage) Render() app.UI {
	return newShell("Clients",
		errorBanner(c.err),
		form("client-form", c.create,
			field(c, "client-name", "Name", "text", &c.name, c.formErr, "name"),
			field(c, "client-email", "Email (optional)", "email", &c.email, c.formErr, "email"),
			errorBanner(c.formErr),
			submitButton("add-client", "Add client"),
		),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			if len(items) == 0 {
				return empty("no-clients", "No clients yet: add one here or while ordering a subscription.")
			}
			head := []string{"Name", "Email", "Status", ""}
			rows := make([]string, len(items))
			for i, cl := range items {
				buttons := ""
				for _, to := range resellerrules.ClientMoves(resellerrules.ClientStatus(cl.Status)) { // the server's client moves
					buttons += rowButton("small", capitalized(to.MoveLabel()), string(to), cl.ID)
				}
				rows[i] = row(head, attr("class", "client-row")+attr("data-id", cl.ID), esc(cl.Name), esc(cl.Email), badge(cl.Status, label(cl.Status)),
					`<span class="row-actions">`+buttons+`</span>`)
			}
			return app.Elem("div").OnClick(c.act).Body(cards("clients", head, rows))
		}),
	)
}

// act moves the client whose button was clicked to the status the button
// names; deleting one is confirmed first.
func (c *clientsPage) act(ctx app.Context, e app.Event) {
	to, id := clickedAct(e)
	if to == "" || to == string(resellerrules.ClientDeleted) && !confirmed("Delete this client? Its subscriptions' history stays.") {
		return
	}
	background(&c.mounted, ctx, func(ctx context.Context) error {
		_, err := api.SetResellerClientStatus(ctx, id, to)
		return err
	}, func(ctx app.Context, err error) {
		c.err = err
		c.load(ctx)
	})
}

func (c *clientsPage) create(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if c.formErr = problem("name", resellerrules.TextProblem(c.name, true, resellerrules.MaxClientNameLength)); c.formErr != nil {
		focusFirstInvalid(c.own(ctx))
		return
	}
	in := client.NewResellerClient{Name: c.name, Email: c.email}
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.CreateResellerClient(ctx, in)
		ctx.Dispatch(func(ctx app.Context) {
			c.formErr = err
			if err == nil {
				c.name, c.email = "", ""
				c.load(ctx)
			}
		})
	})
}

// analyticsPage shows cost per period as bars, a table per client or
// service with the change against the previous period, and a CSV link.
type analyticsPage struct {
	app.Compo
	mounted
	reader
	by, granularity string
	currency        string // empty: the currency of most charges
	data            *client.Analytics
	err             error
}

func (c *analyticsPage) OnMount(ctx app.Context) {
	if api == nil {
		return
	}
	c.keep(ctx)
	c.by, c.granularity = "client", "month"
	c.load(ctx)
}

func (c *analyticsPage) query() client.AnalyticsQuery {
	return client.AnalyticsQuery{By: c.by, Granularity: c.granularity, Currency: c.currency}
}

func (c *analyticsPage) load(ctx app.Context) {
	q := c.query()
	c.read(c.own(ctx), client.AnalyticsCSVURL(q), func(ctx context.Context) (any, error) { return api.Analytics(ctx, q) }, func(s loadState) {
		if a, err, ok := outcome[*client.Analytics](s); ok {
			c.data, c.err = a, err
			if a != nil {
				c.currency = a.Currency
			}
		}
	})
}

func (c *analyticsPage) picker(id, label string, v *string, options ...string) app.UI {
	return labelOf("select",
		app.Elem("span").Text(label+" "),
		selectOf(id, func(ctx app.Context, _ app.Event) {
			*v = valueOf(ctx)
			c.load(ctx)
		}, app.Range(options).Slice(func(i int) app.UI {
			return option(options[i], capitalized(options[i]), options[i] == *v)
		})),
	)
}

func (c *analyticsPage) Render() app.UI {
	return newShell("Analytics",
		errorBanner(c.err),
		div("toolbar",
			c.picker("analytics-by", "By", &c.by, "client", "service"),
			c.picker("analytics-granularity", "Per", &c.granularity, "month", "day"),
			app.If(c.data != nil && len(c.data.Currencies) > 1, func() app.UI {
				return c.picker("analytics-currency", "Currency", &c.currency, c.data.Currencies...)
			}),
			app.Elem("a").ID("analytics-csv").Class("button").Attr("href", client.AnalyticsCSVURL(c.query())).Attr("download", "analytics.csv").Text("Download CSV"),
		),
		app.If(c.data != nil, func() app.UI {
			return box(
				h2("Cost per "+c.data.Granularity+" in "+c.data.Currency+" (total "+money(c.data.Total, c.data.Currency)+")"),
				app.Raw(costChart(c.data)),
				c.table(c.data),
			)
		}),
	)
}

// costChart draws the cost of every period as horizontal bars.
func costChart(a *client.Analytics) string {
	parse := func(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f } // bar lengths only; figures stay decimal strings
	top := 0.0
	for _, p := range a.Totals {
		top = max(top, parse(p.Cost))
	}
	if top == 0 {
		top = 1
	}
	var b strings.Builder
	b.WriteString(`<div id="analytics-chart" class="bars" role="img" aria-label="Cost per period">`)
	for _, p := range a.Totals {
		// No style attributes: the Content-Security-Policy allows none, so
		// the bar's length is an SVG attribute and the rest is app.css.
		fmt.Fprintf(&b, `<div class="bar-row"><span class="bar-label">%s</span>`+
			`<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect width="%.1f" height="10"></rect></svg>`+
			`<span class="bar-value">%s</span></div>`,
			html.EscapeString(p.Period), max(parse(p.Cost)/top*100, 0.5), html.EscapeString(fixed(p.Cost, 2)))
	}
	b.WriteString(`</div>`)
	return b.String()
}

// changeText is a cost's change against the previous period: " (+12.5 %)".
func changeText(p client.AnalyticsPoint) string {
	if p.ChangePercent == nil {
		return ""
	}
	sign := ""
	if !strings.HasPrefix(*p.ChangePercent, "-") {
		sign = "+"
	}
	return " (" + sign + fixed(*p.ChangePercent, 1) + " %)"
}

// table is the cost of each client or service per period, with the
// change, the consumption on hover, and the total.
func (c *analyticsPage) table(a *client.Analytics) app.UI {
	head := append(append([]string{map[string]string{"client": "Client", "service": "Service"}[a.By]}, a.Periods...), "Total")
	for i := 1; i < len(head); i++ {
		head[i] += "|num"
	}
	rows := make([]string, len(a.Rows))
	for i, r := range a.Rows {
		cells := []string{esc(r.Name)}
		for _, p := range r.Points {
			cons := make([]string, len(p.Consumption))
			for k, u := range p.Consumption {
				cons[k] = amount(fixed(u.Amount, 2), u.Unit)
			}
			cells = append(cells, titled(strings.Join(cons, ", "), fixed(p.Cost, 2)+changeText(p)))
		}
		cells = append(cells, `<strong class="total">`+esc(fixed(r.Total, 2))+`</strong>`)
		rows[i] = row(head, attr("class", "analytics-row"), cells...)
	}
	return cards("analytics-table", head, rows)
}
