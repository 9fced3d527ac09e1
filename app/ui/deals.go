package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
	capacityrules "github.com/partnerkit/partnerkit/capacity/rules"
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
			if signedOut(ctx, err) {
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
		h2("Register a deal"),
		form("deal-form", c.register,
			field(c, "deal-customer", "Customer", "text", &c.customer, c.formErr, "customer_name"),
			field(c, "deal-tb", "Expected capacity (TB)", "text", &c.tb, c.formErr, "expected_tb"),
			field(c, "deal-value", "Expected value", "text", &c.value, c.formErr, "expected_value"),
			field(c, "deal-currency", "Currency (for the value)", "text", &c.currency, c.formErr, "currency"),
			field(c, "deal-close", "Expected close date", "date", &c.due, c.formErr, "close_date"),
			field(c, "deal-note", "Note", "text", &c.note, c.formErr, "note"),
			errorBanner(c.formErr),
			submitButton("register-deal", "Register"),
		),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			return div("table-wrap",
				field(c, "deal-reason", "Reason (for a decision)", "text", &c.reason, nil, ""),
				table("deals",
					thead("Customer", "Size", "Close date", "Status", ""),
					tbody(app.Range(items).Slice(func(i int) app.UI { return c.row(items[i]) })),
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
	// The moves the server accepts: approve or reject for the deciding
	// account (the partner's manager), won or lost for either side.
	decisions := capacityrules.DealMoves(capacityrules.DealStatus(d.Status), d.OwnerID == c.account)
	return tr(
		td(d.CustomerName), td(size), td(d.CloseDate),
		tdBody(span("status status-"+d.Status, d.Status), app.If(d.Reason != "", func() app.UI {
			return span("hint", " — "+d.Reason)
		})),
		tdBody(app.Range(decisions).Slice(func(i int) app.UI {
			decision := decisions[i]
			return button("small", string(decision), func(ctx app.Context, _ app.Event) {
				reason := c.reason
				if c.err = problem("reason", capacityrules.ReasonProblem(decision.Target(), reason)); c.err != nil {
					return
				}
				ctx = c.own(ctx)
				ctx.Async(func() {
					_, err := api.DecideDeal(ctx, d.ID, string(decision), reason)
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
	// The server's checks (capacity/rules.CheckDeal), on the figures parsed
	// as the API parses them; whether the date is past is the server's.
	tb, tbErr := capacityrules.ParseOptional("expected_tb", c.tb)
	value, valueErr := capacityrules.ParseOptional("expected_value", c.value)
	if c.formErr = invalid(tbErr, valueErr, capacityrules.CheckDeal(c.customer, tb, value, c.currency, c.due, c.note)); c.formErr != nil {
		return
	}
	in := client.NewDeal{CustomerName: c.customer, Currency: c.currency, CloseDate: c.due, Note: c.note}
	if tb != nil {
		s := tb.String()
		in.ExpectedTB = &s
	}
	if value != nil {
		s := value.String()
		in.ExpectedValue = &s
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
