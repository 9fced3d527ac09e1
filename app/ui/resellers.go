package ui

import (
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
	if api == nil {
		return
	}
	ctx = c.own(ctx)
	ctx.Async(func() {
		list, err := api.Catalog(ctx, client.Page{Limit: 500})
		var provided *client.List[client.CatalogService]
		if err == nil {
			provided, err = api.ProvidedServices(ctx, client.Page{Limit: 500})
		}
		ctx.Dispatch(func(ctx app.Context) {
			if signedOut(ctx, err) {
				return
			}
			c.list, c.err = list, err
			if err == nil {
				c.provided = provided
			}
		})
	})
}

func (c *catalogPage) Render() app.UI {
	return newShell("Catalog",
		errorBanner(c.err),
		h2("Services you can buy"),
		hint("Services you can buy for your clients. Your account is billed, never the client."),
		app.If(c.list != nil && len(c.list.Items) == 0, func() app.UI {
			return app.P().ID("catalog-empty").Text("No services yet: a provider you hold an active contract with must offer some.")
		}),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			return divID("catalog", app.Range(items).Slice(func(i int) app.UI { return serviceCard(items[i]) }))
		}),
		c.providedSection(),
	)
}

func serviceCard(s client.CatalogService) app.UI {
	return app.Section().Class("card catalog-service").Body(
		h2(s.Name),
		app.If(s.Description != "", func() app.UI { return para(s.Description) }),
		app.Range(s.Plans).Slice(func(i int) app.UI {
			p := s.Plans[i]
			trial := ""
			if p.TrialDays > 0 {
				trial = ", " + itoa(p.TrialDays) + "-day trial"
			}
			return div("plan",
				app.H3().Text(p.Name+" ("+p.BillingPeriod+trial+")"),
				app.Ul().Body(app.Range(p.Resources).Slice(func(j int) app.UI {
					r := p.Resources[j]
					limits := "from " + r.Min
					if r.Max != "" && r.Max != "0" {
						limits += " to " + r.Max
					}
					return li(fmt.Sprintf("%s: %s per %s and %s period (%s)", r.Name, r.UnitPrice, r.Unit,
						strings.TrimSuffix(p.BillingPeriod, "ly"), limits))
				})),
				anchor("button", "/subscriptions/new?service="+s.ID+"&plan="+p.ID, "Order"),
			)
		}),
	)
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
						return option(p.ID, p.Name+" ("+p.BillingPeriod+")", plan != nil && p.ID == plan.ID)
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
							labelFor(id, fmt.Sprintf("%s (%s, %s each)", r.Name, r.Unit, r.UnitPrice)),
							app.Input().ID(id).Type("text").Attr("inputmode", "decimal").Value(v).OnInput(func(ctx app.Context, _ app.Event) {
								c.amounts[r.Name] = valueOf(ctx)
							}),
							fieldError(c.formErr, "resources["+itoa(i)+"].amount"),
						)
					}))
				}),
				errorBanner(c.formErr),
				app.Button().Type("submit").ID("order-submit").Disabled(c.busy).Text("Order"),
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
		return
	}
	c.busy = true
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.OrderSubscription(ctx, in)
		ctx.Dispatch(func(ctx app.Context) {
			c.busy, c.formErr = false, err
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
	ctx = c.own(ctx)
	ctx.Async(func() {
		list, err := api.Subscriptions(ctx, "", client.Page{Limit: 200})
		var cl *client.List[client.ResellerClient]
		if err == nil {
			cl, err = api.ResellerClients(ctx, "", "", client.Page{Limit: 500})
		}
		ctx.Dispatch(func(ctx app.Context) {
			if signedOut(ctx, err) {
				return
			}
			c.list, c.err = list, err
			if cl != nil {
				c.names = map[string]string{}
				for _, x := range cl.Items {
					c.names[x.ID] = x.Name
				}
			}
		})
	})
}

func (c *subscriptionsPage) Render() app.UI {
	return newShell("My subscriptions",
		errorBanner(c.err),
		div("toolbar",
			app.A().Class("button").ID("new-subscription").Href("/subscriptions/new").Text("Order subscription"),
			app.A().Class("button").ID("charges-csv").Href(client.ChargesCSVURL(client.ChargeQuery{})).
				Attr("download", "charges.csv").Text("Download charges (CSV)"),
		),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			return div("table-wrap", table("subscriptions",
				thead("Service", "Client", "Status", "Period ends", "Resources", ""),
				tbody(app.Range(items).Slice(func(i int) app.UI { return c.row(items[i]) })),
			))
		}),
	)
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

func amountsText(as []client.ResourceAmount) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.Amount + " " + a.Unit + " " + a.Name
	}
	return strings.Join(parts, ", ")
}

func (c *subscriptionsPage) row(s client.Subscription) app.UI {
	status := resellerrules.Status(s.Status)
	actions := resellerrules.Moves(status) // the moves the server accepts from this status
	evs, showHistory := c.history[s.ID]
	return app.Tr().Class("subscription-row").Attr("data-id", s.ID).Body(
		td(s.ServiceName+" — "+s.PlanName),
		td(c.names[s.ClientID]),
		tdBody(span("status status-"+s.Status, s.Status)),
		tdBody(
			app.Text(s.PeriodEnd.Format("2006-01-02")),
			labelOf("check",
				app.Input().Type("checkbox").Class("auto-renew").Attr("data-id", s.ID).Checked(s.AutoRenew).
					OnChange(func(ctx app.Context, _ app.Event) { c.setAutoRenew(ctx, s, checkedOf(ctx)) }),
				app.Text(" renews automatically"),
			),
			fieldError(c.renewErr[s.ID], "auto_renew"),
			fieldError(c.renewErr[s.ID], "version"),
		),
		tdBody(
			app.Text(amountsText(s.Resources)),
			app.If(len(s.Scheduled) > 0, func() app.UI {
				return app.Div().Class("hint").Text("At renewal: " + amountsText(s.Scheduled))
			}),
			app.If(c.changing == s.ID, func() app.UI { return c.changeForm(s) }),
			app.If(showHistory, func() app.UI {
				return app.Ol().Class("history").Body(app.Range(evs).Slice(func(i int) app.UI {
					e := evs[i]
					from := e.From
					if from == "" {
						from = "—"
					}
					return li(fmt.Sprintf("%s %s: %s → %s by %s", e.At.Format("2006-01-02 15:04"), e.Type, from, e.To, e.Actor))
				}))
			}),
		),
		tdBody(
			app.Range(actions).Slice(func(i int) app.UI {
				action := actions[i]
				return app.Button().Class("small").Attr("data-action", string(action)).Text(string(action)).OnClick(func(ctx app.Context, _ app.Event) {
					ctx = c.own(ctx)
					ctx.Async(func() {
						_, err := api.MoveSubscription(ctx, s.ID, string(action))
						ctx.Dispatch(func(ctx app.Context) {
							c.err = err
							delete(c.history, s.ID)
							c.load(ctx)
						})
					})
				})
			}),
			app.If(status.CanChangeResources(), func() app.UI {
				return app.Button().Class("small").Attr("data-action", "change").Text("change amounts").OnClick(func(ctx app.Context, _ app.Event) {
					c.changing, c.amounts = s.ID, map[string]string{}
				})
			}),
			app.Button().Class("small link").Attr("data-action", "history").Text("history").OnClick(func(ctx app.Context, _ app.Event) {
				if showHistory {
					delete(c.history, s.ID)
					return
				}
				ctx = c.own(ctx)
				ctx.Async(func() {
					l, err := api.SubscriptionHistory(ctx, s.ID)
					ctx.Dispatch(func(ctx app.Context) {
						c.err = err
						if l != nil {
							c.history[s.ID] = l.Items
						}
					})
				})
			}),
		),
	)
}

// setAutoRenew turns a subscription's automatic renewal on or off.
func (c *subscriptionsPage) setAutoRenew(ctx app.Context, s client.Subscription, on bool) {
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.UpdateSubscription(ctx, s.ID, client.SubscriptionChanges{AutoRenew: &on, Version: s.Version})
		ctx.Dispatch(func(ctx app.Context) {
			if c.renewErr == nil {
				c.renewErr = map[string]error{}
			}
			c.renewErr[s.ID] = err
			if len(partnerkit.ErrorFields(err)) == 0 {
				c.err = err
			}
			c.load(ctx)
		})
	})
}

func (c *subscriptionsPage) changeForm(s client.Subscription) app.UI {
	return app.Form().Class("change-amounts").OnSubmit(func(ctx app.Context, e app.Event) {
		e.PreventDefault()
		var in []client.AmountInput
		for name, v := range c.amounts {
			in = append(in, client.AmountInput{Name: name, Amount: strings.TrimSpace(v)})
		}
		ctx = c.own(ctx)
		ctx.Async(func() {
			_, err := api.ChangeSubscriptionResources(ctx, s.ID, in)
			ctx.Dispatch(func(ctx app.Context) {
				c.err = err
				if err == nil {
					c.changing = ""
					delete(c.history, s.ID)
					c.load(ctx)
				}
			})
		})
	}).Body(
		app.Range(s.Resources).Slice(func(i int) app.UI {
			r := s.Resources[i]
			id := "change-" + s.ID + "-" + itoa(i)
			return div("field",
				labelFor(id, r.Name+" ("+r.Unit+")"),
				app.Input().ID(id).Type("text").Attr("inputmode", "decimal").Value(r.Amount).OnInput(func(ctx app.Context, _ app.Event) {
					c.amounts[r.Name] = valueOf(ctx)
				}),
			)
		}),
		hint("Increases are billed for the rest of the period; decreases are never refunded."),
		app.Button().Type("submit").Class("small").Text("Apply"),
		typeButton("small link", "Cancel", func(ctx app.Context, _ app.Event) { c.changing = "" }),
	)
}

// clientsPage lists the account's clients: add one, put one on hold,
// reactivate or delete it.
type clientsPage struct {
	app.Compo
	mounted
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
	ctx = c.own(ctx)
	ctx.Async(func() {
		list, err := api.ResellerClients(ctx, "", "", client.Page{Limit: 500})
		ctx.Dispatch(func(ctx app.Context) {
			if signedOut(ctx, err) {
				return
			}
			c.list, c.err = list, err
		})
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
			return div("table-wrap", table("clients",
				thead("Name", "Email", "Status", ""),
				tbody(app.Range(items).Slice(func(i int) app.UI { return c.row(items[i]) })),
			))
		}),
	)
}

func (c *clientsPage) row(cl client.ResellerClient) app.UI {
	moves := resellerrules.ClientMoves(resellerrules.ClientStatus(cl.Status)) // the server's client moves
	return trOf("client-row",
		td(cl.Name), td(cl.Email),
		tdBody(span("status status-"+cl.Status, cl.Status)),
		tdBody(app.Range(moves).Slice(func(i int) app.UI {
			to := moves[i]
			return button("small", to.MoveLabel(), func(ctx app.Context, _ app.Event) {
				ctx = c.own(ctx)
				ctx.Async(func() {
					_, err := api.SetResellerClientStatus(ctx, cl.ID, string(to))
					ctx.Dispatch(func(ctx app.Context) {
						c.err = err
						c.load(ctx)
					})
				})
			})
		})),
	)
}

func (c *clientsPage) create(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if c.formErr = problem("name", resellerrules.TextProblem(c.name, true, resellerrules.MaxClientNameLength)); c.formErr != nil {
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
	by, granularity string
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
	return client.AnalyticsQuery{By: c.by, Granularity: c.granularity}
}

func (c *analyticsPage) load(ctx app.Context) {
	q := c.query()
	ctx = c.own(ctx)
	ctx.Async(func() {
		a, err := api.Analytics(ctx, q)
		ctx.Dispatch(func(ctx app.Context) {
			if signedOut(ctx, err) {
				return
			}
			c.data, c.err = a, err
		})
	})
}

func (c *analyticsPage) picker(id, label string, v *string, options ...string) app.UI {
	return labelOf("select",
		app.Span().Text(label+" "),
		selectOf(id, func(ctx app.Context, _ app.Event) {
			*v = valueOf(ctx)
			c.load(ctx)
		}, app.Range(options).Slice(func(i int) app.UI {
			return option(options[i], options[i], options[i] == *v)
		})),
	)
}

func (c *analyticsPage) Render() app.UI {
	return newShell("Analytics",
		errorBanner(c.err),
		div("toolbar",
			c.picker("analytics-by", "By", &c.by, "client", "service"),
			c.picker("analytics-granularity", "Per", &c.granularity, "month", "day"),
			app.A().ID("analytics-csv").Class("button").Href(client.AnalyticsCSVURL(c.query())).Attr("download", "analytics.csv").Text("Download CSV"),
		),
		app.If(c.data != nil, func() app.UI {
			return box(
				h2("Cost per "+c.data.Granularity+" (total "+c.data.Total+")"),
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
			html.EscapeString(p.Period), max(parse(p.Cost)/top*100, 0.5), html.EscapeString(p.Cost))
	}
	b.WriteString(`</div>`)
	return b.String()
}

func changeText(p client.AnalyticsPoint) string {
	if p.ChangePercent == nil {
		return ""
	}
	sign := ""
	if !strings.HasPrefix(*p.ChangePercent, "-") {
		sign = "+"
	}
	return " (" + sign + *p.ChangePercent + "%)"
}

func (c *analyticsPage) table(a *client.Analytics) app.UI {
	return div("table-wrap", table("analytics-table",
		app.THead().Body(tr(
			app.Th().Text(map[string]string{"client": "Client", "service": "Service"}[a.By]),
			app.Range(a.Periods).Slice(func(i int) app.UI { return app.Th().Text(a.Periods[i]) }),
			app.Th().Text("Total"),
		)),
		tbody(app.Range(a.Rows).Slice(func(i int) app.UI {
			r := a.Rows[i]
			return trOf("analytics-row",
				td(r.Name),
				app.Range(r.Points).Slice(func(j int) app.UI {
					p := r.Points[j]
					cons := make([]string, len(p.Consumption))
					for k, u := range p.Consumption {
						cons[k] = u.Amount + " " + u.Unit
					}
					return app.Td().Attr("title", strings.Join(cons, ", ")).Text(p.Cost + changeText(p))
				}),
				tdc("total", r.Total),
			)
		})),
	))
}
