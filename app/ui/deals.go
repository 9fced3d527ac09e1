package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
)

// dealsPage lists deals; a partner registers one, its manager approves or
// rejects with a reason, and either marks an approved deal won or lost.
type dealsPage struct {
	app.Compo
	mounted
	list                               *client.List[client.Deal]
	account                            string
	customer, tb, value, currency, due string
	note, reason                       string
	err, formErr                       error
}

func (c *dealsPage) OnMount(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.load(ctx)
}

func (c *dealsPage) load(ctx app.Context) {
	ctx = c.own(ctx)
	ctx.Async(func() {
		me, err := api.Me(ctx)
		var list *client.List[client.Deal]
		if err == nil {
			list, err = api.Deals(ctx, "", client.Page{Limit: 200})
		}
		ctx.Dispatch(func(ctx app.Context) {
			if unauthorized(err) {
				ctx.Navigate("/signin")
				return
			}
			c.list, c.err = list, err
			if me != nil {
				c.account = me.AccountID
			}
		})
	})
}

func (c *dealsPage) Render() app.UI {
	return newShell("Deals",
		errorBanner(c.err),
		app.H2().Text("Register a deal"),
		app.Form().ID("deal-form").OnSubmit(c.register).Body(
			field(c, "deal-customer", "Customer", "text", &c.customer, c.formErr, "customer_name"),
			field(c, "deal-tb", "Expected capacity (TB)", "text", &c.tb, c.formErr, "expected_tb"),
			field(c, "deal-value", "Expected value", "text", &c.value, c.formErr, "expected_value"),
			field(c, "deal-currency", "Currency (for the value)", "text", &c.currency, c.formErr, "currency"),
			field(c, "deal-close", "Expected close date", "date", &c.due, c.formErr, "close_date"),
			field(c, "deal-note", "Note", "text", &c.note, c.formErr, "note"),
			errorBanner(c.formErr),
			app.Button().Type("submit").ID("register-deal").Text("Register"),
		),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			return app.Div().Class("table-wrap").Body(
				field(c, "deal-reason", "Reason (for a decision)", "text", &c.reason, nil, ""),
				app.Table().ID("deals").Body(
					app.THead().Body(app.Tr().Body(app.Th().Text("Customer"), app.Th().Text("Size"), app.Th().Text("Close date"),
						app.Th().Text("Status"), app.Th().Text(""))),
					app.TBody().Body(app.Range(items).Slice(func(i int) app.UI { return c.row(items[i]) })),
				))
		}),
	)
}

func (c *dealsPage) row(d client.Deal) app.UI {
	size := ""
	if d.ExpectedTB != nil {
		size = *d.ExpectedTB + " TB"
	}
	if d.ExpectedValue != nil {
		size += " " + *d.ExpectedValue + " " + d.Currency
	}
	var decisions []string
	switch {
	case d.Status == "submitted" && d.OwnerID == c.account:
		decisions = []string{"approve", "reject"}
	case d.Status == "approved":
		decisions = []string{"won", "lost"}
	}
	return app.Tr().Body(
		app.Td().Text(d.CustomerName), app.Td().Text(size), app.Td().Text(d.CloseDate),
		app.Td().Body(app.Span().Class("status status-"+d.Status).Text(d.Status), app.If(d.Reason != "", func() app.UI {
			return app.Span().Class("hint").Text(" — " + d.Reason)
		})),
		app.Td().Body(app.Range(decisions).Slice(func(i int) app.UI {
			decision := decisions[i]
			return app.Button().Class("small").Text(decision).OnClick(func(ctx app.Context, _ app.Event) {
				reason := c.reason
				ctx = c.own(ctx)
				ctx.Async(func() {
					_, err := api.DecideDeal(ctx, d.ID, decision, reason)
					ctx.Dispatch(func(ctx app.Context) {
						c.err = err
						c.load(ctx)
					})
				})
			})
		})),
	)
}

func (c *dealsPage) register(ctx app.Context, e app.Event) {
	e.PreventDefault()
	in := client.NewDeal{CustomerName: c.customer, Currency: c.currency, CloseDate: c.due, Note: c.note}
	if c.tb != "" {
		tb := c.tb
		in.ExpectedTB = &tb
	}
	if c.value != "" {
		v := c.value
		in.ExpectedValue = &v
	}
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.RegisterDeal(ctx, in)
		ctx.Dispatch(func(ctx app.Context) {
			c.formErr = err
			if err == nil {
				c.customer, c.tb, c.value, c.note = "", "", "", ""
				c.load(ctx)
			}
		})
	})
}
