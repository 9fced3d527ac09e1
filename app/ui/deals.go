package ui

import (
	"context"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
	capacityrules "github.com/partnerkit/partnerkit/capacity/rules"
)

// dealsPage lists deals; a partner registers one, its manager approves or
// rejects with a reason, and either marks an approved deal won or lost.
type dealsPage struct {
	app.Compo
	mounted
	reader
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
	c.read(c.own(ctx), "deals-page", func(ctx context.Context) (any, error) {
		me, err := api.Me(ctx)
		if err != nil {
			return nil, err
		}
		list, err := api.Deals(ctx, "", client.Page{Limit: 200})
		if err != nil {
			return nil, err
		}
		return accountList[client.Deal]{account: me.AccountID, list: list}, nil
	}, func(s loadState) {
		if v, err, ok := outcome[accountList[client.Deal]](s); ok {
			c.list, c.err, c.account = v.list, err, v.account
		}
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
			if len(items) == 0 {
				return empty("no-deals", "No deals registered yet.")
			}
			rows := make([]string, len(items))
			for i, d := range items {
				rows[i] = c.row(d)
			}
			return app.Elem("div").OnClick(c.decide).Body(
				h2("Deals"),
				field(c, "deal-reason", "Reason (for a decision)", "text", &c.reason, c.err, "reason"),
				cards("deals", dealsHead, rows),
			)
		}).ElseIf(c.err == nil && c.loading(), func() app.UI { return loadingNote("deals-loading", "Loading deals…") }),
	)
}

var dealsHead = []string{"Customer", "Size", "Close date", "Status", ""}

func (c *dealsPage) row(d client.Deal) string {
	var size []string
	if d.ExpectedTB != nil {
		size = append(size, tb(*d.ExpectedTB))
	}
	if d.ExpectedValue != nil {
		size = append(size, money(*d.ExpectedValue, d.Currency))
	}
	due := d.CloseDate
	if t, err := time.Parse(time.DateOnly, d.CloseDate); err == nil {
		due = day(t)
	}
	status := badge(d.Status, label(d.Status))
	if d.Reason != "" {
		status += rawf(` <span class="hint">— $</span>`, d.Reason)
	}
	// The moves the server accepts: approve or reject for the deciding
	// account (the partner's manager), won or lost for either side.
	buttons := ""
	for _, m := range capacityrules.DealMoves(capacityrules.DealStatus(d.Status), d.OwnerID == c.account) {
		buttons += rowButton(pick(m.Target() == capacityrules.DealRejected || m.Target() == capacityrules.DealLost, "small danger", "small"),
			capitalized(string(m)), string(m), d.ID)
	}
	return row(dealsHead, attr("class", "deal-row")+attr("data-id", d.ID), esc(d.CustomerName), esc(strings.Join(size, " · ")), esc(due), status,
		`<span class="row-actions">`+buttons+`</span>`)
}

// decide makes the decision of the deal button that was clicked (data-act,
// data-id) with the reason typed above; a rejection is confirmed first.
func (c *dealsPage) decide(ctx app.Context, e app.Event) {
	move, id := clickedAct(e)
	if move == "" {
		return
	}
	decision := capacityrules.DealMove(move)
	reason := c.reason
	if c.err = problem("reason", capacityrules.ReasonProblem(decision.Target(), reason)); c.err != nil {
		focusFirstInvalid(c.own(ctx))
		return
	}
	if decision.Target() == capacityrules.DealRejected && !confirmed("Reject this deal? The partner sees the reason.") {
		return
	}
	background(&c.mounted, ctx, func(ctx context.Context) error {
		_, err := api.DecideDeal(ctx, id, move, reason)
		return err
	}, func(ctx app.Context, err error) {
		c.err = err
		c.load(ctx)
	})
}

func (c *dealsPage) register(ctx app.Context, e app.Event) {
	e.PreventDefault()
	// The server's checks (capacity/rules.CheckDeal), on the figures parsed
	// as the API parses them; whether the date is past is the server's.
	tb, tbErr := capacityrules.ParseOptional("expected_tb", c.tb)
	value, valueErr := capacityrules.ParseOptional("expected_value", c.value)
	if c.formErr = invalid(tbErr, valueErr, capacityrules.CheckDeal(c.customer, tb, value, c.currency, c.due, c.note)); c.formErr != nil {
		focusFirstInvalid(c.own(ctx))
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
			focusFirstInvalid(ctx)
			if err == nil {
				c.customer, c.tb, c.value, c.note = "", "", "", ""
				c.load(ctx)
			}
		})
	})
}
