package ui

import (
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	capacityrules "github.com/partnerkit/partnerkit/capacity/rules"
)

// The capacity terms of the selected contract: its usage alert thresholds
// for everyone who sees the contract, and for the account that offers it a
// form that sets the terms (reservation, billing model, prices, currency,
// thresholds), with each field's error next to it.

// termsDraft is the terms form; figures stay text until submit.
type termsDraft struct {
	reservedTB, billingModel, pricePerTB, excessPricePerTB, currency, thresholds string
}

func termsDraftOf(t client.Terms) termsDraft {
	return termsDraft{reservedTB: t.ReservedTB, billingModel: t.BillingModel, pricePerTB: t.PricePerTB,
		excessPricePerTB: t.ExcessPricePerTB, currency: t.Currency, thresholds: capacityrules.FormatAlertThresholds(t.AlertThresholds)}
}

// thresholdsText says at which shares of an allocation usage raises alerts.
func thresholdsText(ts []int) string {
	if len(ts) == 0 {
		return "No usage alerts on this contract."
	}
	return "Usage alerts at " + strings.ReplaceAll(capacityrules.FormatAlertThresholds(ts), ",", " %,") + " % of each partner's allocation, once a month each."
}

// selectedContract returns the capacity contract the page shows.
func (c *capacityPage) selectedContract() *client.CapacityContract {
	i := slices.IndexFunc(c.contracts, func(k client.CapacityContract) bool { return k.ID == c.selected })
	if i < 0 {
		return nil
	}
	return &c.contracts[i]
}

// termsPanel shows the selected contract's alert thresholds and, to the
// account that offers the contract, the terms form.
func (c *capacityPage) termsPanel() app.UI {
	k := c.selectedContract()
	if k == nil {
		return app.Text("")
	}
	owner := k.OwnerID == c.account && c.account != ""
	return app.Elem("div").ID("capacity-terms").Body(
		app.Elem("p").Class("hint").ID("alert-thresholds").Text(pricesText(k.Terms)+" "+thresholdsText(k.Terms.AlertThresholds)),
		app.If(owner && !c.editingTerms, func() app.UI {
			return button("small secondary edit-terms", "Edit terms", func(ctx app.Context, _ app.Event) {
				c.editingTerms, c.terms, c.termsErr = true, termsDraftOf(k.Terms), nil
			})
		}),
		app.If(owner && c.editingTerms, c.termsForm),
	)
}

func (c *capacityPage) termsForm() app.UI {
	d := &c.terms
	return form("terms-form", c.saveTerms,
		h2("Capacity terms"),
		field(c, "terms-reserved", "Reserved TB", "text", &d.reservedTB, c.termsErr, "reserved_tb"),
		div("field",
			labelFor("terms-model", "Billing model"),
			selectOf("terms-model", c.ValueTo(&d.billingModel),
				option(string(capacityrules.BillingReserved), "reserved", d.billingModel == string(capacityrules.BillingReserved)),
				option(string(capacityrules.BillingPayPerUse), "pay-per-use", d.billingModel == string(capacityrules.BillingPayPerUse))),
			fieldError(c.termsErr, "billing_model"),
		),
		field(c, "terms-price", "Price per TB-month", "text", &d.pricePerTB, c.termsErr, "price_per_tb"),
		field(c, "terms-excess", "Excess price per TB-month", "text", &d.excessPricePerTB, c.termsErr, "excess_price_per_tb"),
		field(c, "terms-currency", "Currency", "text", &d.currency, c.termsErr, "currency"),
		div("field",
			labelFor("terms-thresholds", "Usage alert thresholds, % of an allocation"),
			app.ElemSelfClosing("input").ID("terms-thresholds").Attr("name", "terms-thresholds").Attr("type", "text").Attr("placeholder", "80, 90, 100").Attr("value", d.thresholds).OnInput(c.ValueTo(&d.thresholds)),
			hint("Increasing whole percentages from 1 to 1000; blank for no alerts."),
			fieldErrorsUnder(c.termsErr, "alert_thresholds"),
		),
		errorBanner(c.termsErr),
		submitButton("save-terms", "Save terms"),
		typeButton("secondary", "Cancel", func(ctx app.Context, _ app.Event) { c.editingTerms = false }),
	)
}

func (c *capacityPage) saveTerms(ctx app.Context, e app.Event) {
	e.PreventDefault()
	d, id := c.terms, c.selected
	ts, err := capacityrules.ParseAlertThresholds(d.thresholds) // the server's rule
	if c.termsErr = err; err != nil {
		return
	}
	in := client.TermsChange{ReservedTB: strings.TrimSpace(d.reservedTB), BillingModel: d.billingModel,
		PricePerTB: strings.TrimSpace(d.pricePerTB), ExcessPricePerTB: strings.TrimSpace(d.excessPricePerTB),
		Currency: strings.TrimSpace(d.currency), AlertThresholds: ts}
	ctx = c.own(ctx)
	ctx.Async(func() {
		t, err := api.SetTerms(ctx, id, in)
		ctx.Dispatch(func(ctx app.Context) {
			c.termsErr = err
			if err != nil {
				return
			}
			c.editingTerms = false
			if k := c.selectedContract(); k != nil && k.ID == id {
				k.Terms = *t
			}
			c.loadOverview(ctx)
		})
	})
}

// fieldErrorsUnder renders the problems of a list field and of its items
// ("alert_thresholds", "alert_thresholds[1]"), in field order.
func fieldErrorsUnder(err error, field string) app.UI {
	fields := partnerkit.ErrorFields(err)
	var names []string
	for name := range fields {
		if name == field || strings.HasPrefix(name, field+"[") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return app.Range(names).Slice(func(i int) app.UI {
		msg := fields[names[i]]
		if names[i] != field {
			msg = "threshold " + strings.TrimSuffix(strings.TrimPrefix(names[i], field+"["), "]") + ": " + msg
		}
		return app.Elem("span").Class("field-error").Attr("data-field", names[i]).Text(msg)
	})
}

// pricesText says what a contract's capacity costs.
func pricesText(t client.Terms) string {
	return "Price " + price(t.PricePerTB, t.Currency) + " per TB-month, excess " + price(t.ExcessPricePerTB, t.Currency) + " per TB-month."
}
