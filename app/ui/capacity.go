package ui

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
	capacityrules "github.com/partnerkit/partnerkit/capacity/rules"
)

// capacityPage is the distributor's capacity console (seed 004): select a
// contract, overview widgets with "as of", the partner table with
// allocations, pay-per-use labels and usage, allocation changes and
// transfers, and the usage chart with CSV export.
type capacityPage struct {
	app.Compo
	mounted
	contracts []client.CapacityContract
	selected  string
	overview  *client.Overview
	report    *client.Report

	editing    string // partner whose allocation is being changed
	newTB      string
	transferTo string
	err        error
	editErr    error

	account      string // the account acting: it edits the terms of contracts it offers
	editingTerms bool
	terms        termsDraft
	termsErr     error
}

func (c *capacityPage) OnMount(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	ctx = c.own(ctx)
	ctx.Async(func() {
		list, err := api.CapacityContracts(ctx)
		me, _ := api.Me(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if signedOut(ctx, err) {
				return
			}
			if me != nil {
				c.account = me.AccountID
			}
			c.err = err
			if err == nil {
				c.contracts = list.Items
				if len(list.Items) > 0 {
					c.selected = list.Items[0].ID
					c.loadOverview(ctx)
				}
			}
		})
	})
}

func (c *capacityPage) loadOverview(ctx app.Context) {
	ctx = c.own(ctx)
	id := c.selected
	ctx = c.own(ctx)
	ctx.Async(func() {
		o, err := api.Overview(ctx, id)
		to := time.Now().UTC()
		rep, _ := api.UsageReport(ctx, "", id, to.AddDate(0, 0, -29), to, "day")
		ctx.Dispatch(func(app.Context) { c.overview, c.report, c.err = o, rep, err })
	})
}

func (c *capacityPage) Render() app.UI {
	opts := []string{}
	for _, k := range c.contracts {
		opts = append(opts, k.ID, k.ID+" — "+k.Terms.ReservedTB+" TB "+k.Terms.BillingModel)
	}
	return newShell("Capacity",
		errorBanner(c.err),
		app.If(len(c.contracts) == 0, func() app.UI { return para("No capacity contract yet.") }),
		app.If(len(c.contracts) > 0, func() app.UI {
			return div("field",
				labelFor("select-contract", "Select contract"),
				selectOf("select-contract", func(ctx app.Context, _ app.Event) {
					c.selected, c.editingTerms = valueOf(ctx), false
					c.loadOverview(ctx)
				}, app.Range(c.contracts).Slice(func(i int) app.UI {
					k := c.contracts[i]
					return option(k.ID, opts[2*i+1], k.ID == c.selected)
				})),
			)
		}),
		app.If(len(c.contracts) > 0, c.termsPanel),
		app.If(c.overview != nil, func() app.UI { return c.widgets() }),
	)
}

func (c *capacityPage) widgets() app.UI {
	o := c.overview
	asOf := "no usage reported yet"
	if o.AsOf != nil {
		asOf = "usage as of " + o.AsOf.Format("2 Jan 2006 15:04 UTC")
	}
	widget := func(id, label, value string) app.HTMLDiv {
		return app.Div().Class("widget").ID(id).Body(span("label", label), strong(value))
	}
	return box(
		div("widgets",
			widget("w-reserved", "Reserved", o.ReservedTB+" TB"),
			widget("w-allocated", "Allocated", o.AllocatedTB+" TB"),
			widget("w-used", "Used", o.UsedTB+" TB"),
			widget("w-allocation-excess", "Excess above allocations, "+o.Month, o.AllocationExcessFee+" "+o.Terms.Currency).
				Title("Partners' usage above their allocations: what partners owe beyond their share ("+o.AllocationExcessTBMonths+" TB-months)"),
			widget("w-reservation-excess", "Excess above reservation, "+o.Month, o.ReservationExcessFee+" "+o.Terms.Currency).
				Title("All partners' usage above the contract's reservation: what the distributor owes the provider ("+o.ReservationExcessTBMonths+" TB-months)"),
			widget("w-partners", "Partners", itoa(o.Partners)),
		),
		app.P().Class("hint").ID("as-of").Text(asOf),
		errorBanner(c.editErr),
		div("table-wrap", table("allocations",
			thead("Partner", "Allocated", "Used", ""),
			tbody(app.Range(o.ByPartner).Slice(func(i int) app.UI { return c.partnerRow(o.ByPartner[i]) })),
		)),
		h2("Usage, last 30 days"),
		app.If(c.report != nil, func() app.UI { return app.Raw(usageChart(c.report)) }),
		app.A().ID("usage-csv").Class("button secondary").Attr("download", "usage.csv").
			Href("/api/v1/usage/reports?format=csv&contract_id="+o.ContractID+"&from="+time.Now().UTC().AddDate(0, 0, -29).Format(time.DateOnly)+
				"&to="+time.Now().UTC().Format(time.DateOnly)).Text("Export CSV"),
	)
}

func (c *capacityPage) partnerRow(p client.PartnerOverview) app.UI {
	label := ""
	if p.PayPerUse {
		label = "pay-per-use"
	}
	if c.editing != p.PartnerID {
		return app.Tr().Class("allocation-row").Attr("data-partner", p.PartnerID).Body(
			tdBody(anchor("", "/partners/"+p.PartnerID, p.PartnerName),
				app.If(label != "", func() app.UI { return span("badge", label) })),
			tdc("num", p.AllocatedTB+" TB"),
			tdc("num", p.UsedTB+" TB"),
			tdBody(button("small change-allocation", "Change", func(ctx app.Context, _ app.Event) {
				c.editing, c.newTB, c.editErr, c.transferTo = p.PartnerID, p.AllocatedTB, nil, ""
			})),
		)
	}
	var others []string
	for _, k := range c.contracts {
		if k.ID != c.selected {
			others = append(others, k.ID, k.ID)
		}
	}
	return trOf("allocation-row editing",
		td(p.PartnerName),
		app.Td().ColSpan(2).Body(form("allocation-form", c.saveAllocation,
			app.Input().ID("allocation-tb").Type("text").Attr("inputmode", "decimal").Value(c.newTB).OnInput(c.ValueTo(&c.newTB)),
			app.Text(" TB "),
			fieldError(c.editErr, "allocated_tb"),
			submitButton("save-allocation", "Save"),
			app.If(len(others) > 0, func() app.UI {
				return app.Span().Body(
					selectBox("transfer-to", "Transfer to", &c.transferTo, c, "", append([]string{"", "Transfer to…"}, others...)...),
					typeButtonID("transfer", "secondary", "Transfer", c.transfer),
					fieldError(c.editErr, "contract_id"),
				)
			}),
		)),
		tdBody(button("small secondary", "Cancel", func(ctx app.Context, _ app.Event) { c.editing = "" })),
	)
}

func (c *capacityPage) saveAllocation(ctx app.Context, e app.Event) {
	e.PreventDefault()
	partner := c.editing
	allocated, err := capacityrules.ParseTB("allocated_tb", c.newTB) // the server's TB rule
	if c.editErr = err; err != nil {
		return
	}
	tb := allocated.String()
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.SetAllocation(ctx, partner, client.AllocationChange{AllocatedTB: tb})
		ctx.Dispatch(func(ctx app.Context) {
			c.editErr = err
			if err == nil {
				c.editing = ""
				c.loadOverview(ctx)
			}
		})
	})
}

func (c *capacityPage) transfer(ctx app.Context, _ app.Event) {
	partner, to := c.editing, c.transferTo
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.Transfer(ctx, partner, to)
		ctx.Dispatch(func(ctx app.Context) {
			c.editErr = err
			if err == nil {
				c.editing = ""
				c.loadOverview(ctx)
			}
		})
	})
}

// usageChart draws a report's daily used and allocated TB as an SVG bar
// chart, in Go, and a contract report's reservation as a dashed line.
func usageChart(r *client.Report) string {
	const w, h, pad = 720, 220, 36
	if len(r.Rows) == 0 {
		return `<p class="hint" id="usage-chart">No usage in this period.</p>`
	}
	parse := func(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }
	top := 0.0
	for _, row := range r.Rows {
		top = max(top, parse(row.UsedTB), parse(row.AllocatedTB), parse(row.ReservedTB))
	}
	if top == 0 {
		top = 1
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="usage-chart" class="chart" viewBox="0 0 %d %d" role="img" aria-label="Daily usage in TB">`, w, h)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>`, pad, h-pad, w-8, h-pad)
	fmt.Fprintf(&b, `<text x="4" y="14" class="tick">%.1f TB</text>`, top)
	bw := float64(w-pad-8) / float64(len(r.Rows))
	for i, row := range r.Rows {
		used, alloc := parse(row.UsedTB), parse(row.AllocatedTB)
		x := float64(pad) + float64(i)*bw
		uh := used / top * float64(h-2*pad)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar"><title>%s: %s TB used</title></rect>`,
			x+1, float64(h-pad)-uh, max(bw-2, 1), uh, html.EscapeString(row.Period), html.EscapeString(row.UsedTB))
		ay := float64(h-pad) - alloc/top*float64(h-2*pad)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="allocation"/>`, x, ay, x+bw, ay)
		if row.ReservedTB != "" {
			ry := float64(h-pad) - parse(row.ReservedTB)/top*float64(h-2*pad)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="reservation"><title>%s TB reserved</title></line>`,
				x, ry, x+bw, ry, html.EscapeString(row.ReservedTB))
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="tick">%s</text>`, pad, h-10, html.EscapeString(r.Rows[0].Period))
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="tick" text-anchor="end">%s</text>`, w-8, h-10, html.EscapeString(r.Rows[len(r.Rows)-1].Period))
	b.WriteString(`</svg>`)
	return b.String()
}
