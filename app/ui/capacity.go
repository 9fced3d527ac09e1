package ui

import (
	"context"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
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
	reader
	contracts []client.CapacityContract
	selected  string
	overview  *client.Overview
	report    *client.Report

	editing     string // partner whose allocation is being changed
	editingName string
	newTB       string
	transferTo  string
	err         error
	editErr     error

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
	c.read(ctx, "capacity-page", func(ctx context.Context) (any, error) {
		list, err := api.CapacityContracts(ctx)
		if err != nil {
			return nil, err
		}
		me, _ := api.Me(ctx)
		v := accountList[client.CapacityContract]{list: list}
		if me != nil {
			v.account = me.AccountID
		}
		return v, nil
	}, func(s loadState) {
		v, err, ok := outcome[accountList[client.CapacityContract]](s)
		if !ok {
			return
		}
		c.err = err
		if err != nil {
			return
		}
		c.account, c.contracts = v.account, v.list.Items
		if len(c.contracts) > 0 {
			c.selected = c.contracts[0].ID
			for _, k := range c.contracts { // a reserved contract first: pay-per-use ones have no allocations to share
				if k.Terms.BillingModel == string(capacityrules.BillingReserved) {
					c.selected = k.ID
					break
				}
			}
			c.loadOverview(ctx)
		}
	})
}

// capacityView is one read of a contract's overview and its last 30 days
// of usage.
type capacityView struct {
	overview *client.Overview
	report   *client.Report
}

func (c *capacityPage) loadOverview(ctx app.Context) {
	id := c.selected
	c.read(c.own(ctx), "capacity-overview:"+id, func(ctx context.Context) (any, error) {
		o, err := api.Overview(ctx, id)
		if err != nil {
			return nil, err
		}
		to := time.Now().UTC().Truncate(24 * time.Hour) // the report is by day: one URL a day, its offline copy
		rep, _ := api.UsageReport(ctx, "", id, to.AddDate(0, 0, -29), to, "day")
		return capacityView{overview: o, report: rep}, nil
	}, func(s loadState) {
		if v, err, ok := outcome[capacityView](s); ok {
			c.overview, c.report, c.err = v.overview, v.report, err
		}
	})
}

// contractLabel names a capacity contract in the picker: its agreement,
// the partner when the account offers it, the reservation and the
// billing model ("Capacity 2026 — 100.00 TB, reserved").
func (c *capacityPage) contractLabel(k client.CapacityContract) string {
	name := pick(k.AgreementName != "", k.AgreementName, k.ID)
	if k.PartnerID != c.account && k.PartnerName != "" {
		name = k.PartnerName + " · " + name
	}
	return name + " — " + tb(k.Terms.ReservedTB) + ", " + billingLabel(k.Terms.BillingModel)
}

// billingLabel names a billing model for people.
func billingLabel(m string) string {
	if m == string(capacityrules.BillingPayPerUse) {
		return "pay-per-use"
	}
	return m
}

func (c *capacityPage) Render() app.UI {
	return newShell("Capacity",
		errorBanner(c.err),
		app.If(c.contracts == nil && c.err == nil && c.loading(), func() app.UI { return loadingNote("capacity-loading", "Loading capacity…") }),
		app.If(c.contracts != nil && len(c.contracts) == 0, func() app.UI {
			return empty("no-capacity", "No capacity contract yet: a provider offers capacity through a contract with a capacity agreement.")
		}),
		app.If(len(c.contracts) > 0, func() app.UI {
			return div("field",
				labelFor("select-contract", "Select contract"),
				selectOf("select-contract", func(ctx app.Context, _ app.Event) {
					c.selected, c.editingTerms, c.editing = valueOf(ctx), false, ""
					c.loadOverview(ctx)
				}, app.Range(c.contracts).Slice(func(i int) app.UI {
					k := c.contracts[i]
					return option(k.ID, c.contractLabel(k), k.ID == c.selected)
				})),
			)
		}),
		app.If(len(c.contracts) > 0, c.termsPanel),
		app.If(c.overview != nil, func() app.UI { return c.widgets() }),
	)
}

var allocationsHead = []string{"Partner", "Allocated|num", "Used|num", ""}

func (c *capacityPage) widgets() app.UI {
	o := c.overview
	cur := o.Terms.Currency
	asOf := "No usage reported yet."
	if o.AsOf != nil {
		asOf = "Usage as of " + moment(*o.AsOf) + "."
	}
	rows := make([]string, len(o.ByPartner))
	for i, p := range o.ByPartner {
		rows[i] = row(allocationsHead, attr("class", "allocation-row")+attr("data-partner", p.PartnerID),
			link("/partners/"+p.PartnerID, p.PartnerName)+pick(p.PayPerUse, ` <span class="badge">pay-per-use</span>`, ""),
			tbHTML(p.AllocatedTB), tbHTML(p.UsedTB),
			rowButton("small change-allocation", "Change", "change", p.PartnerID))
	}
	return box(
		app.Raw(rawf(`<div class="widgets">`+
			`<div class="widget" id="w-reserved"><span class="label">Reserved</span><strong>!</strong></div>`+
			`<div class="widget" id="w-allocated"><span class="label">Allocated</span><strong>!</strong></div>`+
			`<div class="widget" id="w-used"><span class="label">Used</span><strong>!</strong></div>`+
			`<div class="widget" id="w-allocation-excess" title="Partners' usage above their allocations: what partners owe beyond their share ($ TB-months)">`+
			`<span class="label">Excess above allocations, $</span><strong>$</strong></div>`+
			`<div class="widget" id="w-reservation-excess" title="All partners' usage above the contract's reservation: what the distributor owes the provider ($ TB-months)">`+
			`<span class="label">Excess above reservation, $</span><strong>$</strong></div>`+
			`<div class="widget" id="w-partners"><span class="label">Partners</span><strong>$</strong></div></div>`+
			`<p class="hint" id="as-of">$</p>`,
			tbHTML(o.ReservedTB), tbHTML(o.AllocatedTB), tbHTML(o.UsedTB),
			fixed(o.AllocationExcessTBMonths, 2), o.Month, money(o.AllocationExcessFee, cur),
			fixed(o.ReservationExcessTBMonths, 2), o.Month, money(o.ReservationExcessFee, cur),
			itoa(o.Partners), asOf)),
		app.If(len(rows) == 0, func() app.UI { return empty("no-allocations", "No partner holds an allocation on this contract yet.") }),
		app.If(len(rows) > 0, func() app.UI {
			return app.Elem("div").OnClick(func(ctx app.Context, e app.Event) {
				if act, partner := clickedAct(e); act == "change" {
					c.startEditing(ctx, partner)
				}
			}).Body(cards("allocations", allocationsHead, rows))
		}),
		app.If(c.editing != "", c.allocationForm),
		h2("Usage, last 30 days"),
		app.If(c.report != nil, func() app.UI { return app.Raw(usageChart(c.report)) }),
		div("actions", app.Elem("a").ID("usage-csv").Class("button secondary").Attr("download", "usage.csv").Attr("href", "/api/v1/usage/reports?format=csv&contract_id="+o.ContractID+"&from="+time.Now().UTC().AddDate(0, 0, -29).Format(time.DateOnly)+
			"&to="+time.Now().UTC().Format(time.DateOnly)).Text("Export CSV")),
	)
}

// startEditing opens the allocation form of a partner, its field focused.
func (c *capacityPage) startEditing(ctx app.Context, partner string) {
	for _, p := range c.overview.ByPartner {
		if p.PartnerID == partner {
			c.editing, c.editingName, c.newTB, c.editErr, c.transferTo = p.PartnerID, p.PartnerName, p.AllocatedTB, nil, ""
		}
	}
	c.own(ctx).Defer(func(app.Context) { app.Window().GetElementByID("allocation-tb").Call("focus") })
}

// allocationForm changes the allocation of the partner being edited, or
// transfers it to another contract of the account.
func (c *capacityPage) allocationForm() app.UI {
	others := []string{"", "Transfer to…"}
	for _, k := range c.contracts {
		if k.ID != c.selected {
			others = append(others, k.ID, c.contractLabel(k))
		}
	}
	return form("allocation-form", c.saveAllocation,
		h2("Allocation of "+c.editingName),
		div("field",
			labelFor("allocation-tb", "Allocated TB"),
			withProblem(app.ElemSelfClosing("input").ID("allocation-tb").Attr("type", "text").Attr("inputmode", "decimal").Attr("value", c.newTB).OnInput(c.ValueTo(&c.newTB)),
				"allocation-tb", c.editErr, "allocated_tb"),
			fieldProblem("allocation-tb", c.editErr, "allocated_tb"),
		),
		errorBanner(pick2(len(partnerkit.ErrorFields(c.editErr)) == 0, c.editErr)),
		div("actions",
			submitButton("save-allocation", "Save"),
			typeButton("secondary", "Cancel", func(ctx app.Context, _ app.Event) { c.editing = "" }),
		),
		app.If(len(others) > 2, func() app.UI {
			return div("actions",
				selectBox("transfer-to", "Transfer to", &c.transferTo, c, "", others...),
				typeButtonID("transfer", "secondary", "Transfer", c.transfer),
				fieldError(c.editErr, "contract_id"),
			)
		}),
	)
}

// pick2 is err when cond holds, else nil.
func pick2(cond bool, err error) error {
	if cond {
		return err
	}
	return nil
}

func (c *capacityPage) saveAllocation(ctx app.Context, e app.Event) {
	e.PreventDefault()
	partner := c.editing
	allocated, err := capacityrules.ParseTB("allocated_tb", c.newTB) // the server's TB rule
	if c.editErr = err; err != nil {
		focusFirstInvalid(c.own(ctx))
		return
	}
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.SetAllocation(ctx, partner, client.AllocationChange{AllocatedTB: allocated.String()})
		ctx.Dispatch(func(ctx app.Context) {
			c.editErr = err
			focusFirstInvalid(ctx)
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
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar"><title>%s: %s used</title></rect>`,
			x+1, float64(h-pad)-uh, max(bw-2, 1), uh, html.EscapeString(row.Period), html.EscapeString(tb(row.UsedTB)))
		ay := float64(h-pad) - alloc/top*float64(h-2*pad)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="allocation"/>`, x, ay, x+bw, ay)
		if row.ReservedTB != "" {
			ry := float64(h-pad) - parse(row.ReservedTB)/top*float64(h-2*pad)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="reservation"><title>%s reserved</title></line>`,
				x, ry, x+bw, ry, html.EscapeString(tb(row.ReservedTB)))
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="tick">%s</text>`, pad, h-10, html.EscapeString(r.Rows[0].Period))
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="tick" text-anchor="end">%s</text>`, w-8, h-10, html.EscapeString(r.Rows[len(r.Rows)-1].Period))
	b.WriteString(`</svg>`)
	return b.String()
}
