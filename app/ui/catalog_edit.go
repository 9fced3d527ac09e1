package ui

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	resellerrules "github.com/partnerkit/partnerkit/resellers/rules"
)

// The catalog editor on /catalog: a provider (vendor or distributor
// account) lists the services it offers, creates one with its plans and
// their priced resources, or edits one in the same form, prefilled.
//
// Every handler of the form reads the plan and resource it acts on from the
// element's data-plan and data-res attributes when it fires, and writes
// into c.draft as it is then: go-app keeps the handlers of the elements it
// reuses when rows are added or removed, or when another service is opened.

// serviceDraft is the editor's form: a new service (id "") or an edit.
type serviceDraft struct {
	id                string
	version           int
	name, description string
	currency          string
	plans             []planDraft
}

// planDraft is one plan of the form; trial days stay text until submit.
type planDraft struct {
	id, name, billingPeriod, trialDays string
	decreaseAtRenewal, autoRenew       bool
	resources                          []client.CatalogPlanResource
}

// billingPeriods are the billing periods a plan may have, in the order
// resellers/rules gives them.
var billingPeriods = resellerrules.BillingPeriods()

func newPlanDraft() planDraft {
	return planDraft{billingPeriod: string(resellerrules.Monthly), resources: []client.CatalogPlanResource{{Min: "0", Max: "0"}}}
}

// draftOf prefills the form with a service to edit.
func draftOf(s client.CatalogService) *serviceDraft {
	d := &serviceDraft{id: s.ID, version: s.Version, name: s.Name, description: s.Description, currency: s.Currency}
	for _, p := range s.Plans {
		pd := planDraft{id: p.ID, name: p.Name, billingPeriod: p.BillingPeriod,
			decreaseAtRenewal: p.DecreaseAtRenewal, autoRenew: p.AutoRenew, resources: append([]client.CatalogPlanResource(nil), p.Resources...)}
		if p.TrialDays > 0 {
			pd.trialDays = itoa(p.TrialDays)
		}
		d.plans = append(d.plans, pd)
	}
	if len(d.plans) == 0 {
		d.plans = []planDraft{newPlanDraft()}
	}
	return d
}

// input builds the service the form describes, or an invalid error naming
// the fields that break the server's rules (resellers/rules: text limits
// in characters, decimals as the API parses them, trial days, limits), as
// the API names them. What needs the store (a plan ID of the service) stays
// the server's.
func (d *serviceDraft) input() (client.NewCatalogService, error) {
	in := client.NewCatalogService{Name: d.name, Description: d.description, Version: d.version,
		Currency: contractrules.NormalizeCurrency(d.currency)}
	fields := map[string]string{}
	set := func(field, p string) {
		if p != "" {
			fields[field] = p
		}
	}
	set("name", resellerrules.TextProblem(d.name, true, resellerrules.MaxServiceNameLength))
	set("description", resellerrules.DescriptionProblem(d.description))
	if in.Currency != "" && !contractrules.ValidCurrency(in.Currency) {
		set("currency", contractrules.CurrencyProblem)
	}
	for i, p := range d.plans {
		f := "plans[" + itoa(i) + "]."
		cp := client.CatalogPlan{ID: p.id, Name: p.name, BillingPeriod: p.billingPeriod, DecreaseAtRenewal: p.decreaseAtRenewal, AutoRenew: p.autoRenew}
		set(f+"name", resellerrules.TextProblem(p.name, true, resellerrules.MaxPlanNameLength))
		if t := strings.TrimSpace(p.trialDays); t != "" {
			n, err := strconv.Atoi(t)
			if err != nil {
				fields[f+"trial_days"] = "must be a whole number of days"
			} else {
				set(f+"trial_days", resellerrules.TrialDaysProblem(n))
			}
			cp.TrialDays = n
		}
		for j, r := range p.resources {
			rf := f + "resources[" + itoa(j) + "]."
			r.UnitPrice, r.Min, r.Max = strings.TrimSpace(r.UnitPrice), strings.TrimSpace(r.Min), strings.TrimSpace(r.Max)
			if r.Min == "" {
				r.Min = "0"
			}
			if r.Max == "" {
				r.Max = "0"
			}
			set(rf+"name", resellerrules.TextProblem(r.Name, true, resellerrules.MaxResourceNameLength))
			set(rf+"unit", resellerrules.TextProblem(r.Unit, true, resellerrules.MaxUnitLength))
			_, pp := resellerrules.ParseDecimal(r.UnitPrice, resellerrules.MaxPrice)
			lo, lp := resellerrules.ParseDecimal(r.Min, resellerrules.MaxAmount)
			hi, hp := resellerrules.ParseDecimal(r.Max, resellerrules.MaxAmount)
			if r.UnitPrice == "" {
				pp = partnerkit.ProblemRequired
			}
			if hp == "" && lp == "" {
				hp = resellerrules.RangeProblem(lo, hi)
			}
			set(rf+"unit_price", pp)
			set(rf+"min", lp)
			set(rf+"max", hp)
			cp.Resources = append(cp.Resources, r)
		}
		in.Plans = append(in.Plans, cp)
	}
	return in, partnerkit.FieldErrors(fields)
}

// datasetInt reads a data- attribute of the element that fired an event;
// -1 when it is missing.
func datasetInt(ctx app.Context, key string) int {
	v := ctx.JSSrc().Get("dataset").Get(key)
	if !v.Truthy() {
		return -1
	}
	n, err := strconv.Atoi(v.String())
	if err != nil {
		return -1
	}
	return n
}

// planAt is the plan the element that fired an event belongs to.
func (c *catalogPage) planAt(ctx app.Context) *planDraft {
	i := datasetInt(ctx, "plan")
	if c.draft == nil || i < 0 || i >= len(c.draft.plans) {
		return nil
	}
	return &c.draft.plans[i]
}

// resourceAt is the resource row the element that fired an event belongs to.
func (c *catalogPage) resourceAt(ctx app.Context) *client.CatalogPlanResource {
	p := c.planAt(ctx)
	j := datasetInt(ctx, "res")
	if p == nil || j < 0 || j >= len(p.resources) {
		return nil
	}
	return &p.resources[j]
}

func (c *catalogPage) onServiceInput(ctx app.Context, _ app.Event) {
	if c.draft == nil {
		return
	}
	v := valueOf(ctx)
	switch ctx.JSSrc().Get("dataset").Get("key").String() {
	case "name":
		c.draft.name = v
	case "description":
		c.draft.description = v
	case "currency":
		c.draft.currency = v
	}
}

func (c *catalogPage) onPlanInput(ctx app.Context, _ app.Event) {
	p := c.planAt(ctx)
	if p == nil {
		return
	}
	src := ctx.JSSrc()
	switch src.Get("dataset").Get("key").String() {
	case "name":
		p.name = src.Get("value").String()
	case "billing_period":
		p.billingPeriod = src.Get("value").String()
	case "trial_days":
		p.trialDays = src.Get("value").String()
	case "decrease_at_renewal":
		p.decreaseAtRenewal = src.Get("checked").Bool()
	case "auto_renew":
		p.autoRenew = src.Get("checked").Bool()
	}
}

func (c *catalogPage) onResourceInput(ctx app.Context, _ app.Event) {
	r := c.resourceAt(ctx)
	if r == nil {
		return
	}
	v := valueOf(ctx)
	switch ctx.JSSrc().Get("dataset").Get("key").String() {
	case "name":
		r.Name = v
	case "unit":
		r.Unit = v
	case "unit_price":
		r.UnitPrice = v
	case "min":
		r.Min = v
	case "max":
		r.Max = v
	}
}

func (c *catalogPage) addPlan(ctx app.Context, _ app.Event) {
	if c.draft != nil {
		c.draft.plans = append(c.draft.plans, newPlanDraft())
	}
}

func (c *catalogPage) removePlan(ctx app.Context, _ app.Event) {
	i := datasetInt(ctx, "plan")
	if c.draft != nil && i >= 0 && i < len(c.draft.plans) && len(c.draft.plans) > 1 {
		c.draft.plans = append(c.draft.plans[:i:i], c.draft.plans[i+1:]...)
	}
}

func (c *catalogPage) addResource(ctx app.Context, _ app.Event) {
	if p := c.planAt(ctx); p != nil {
		p.resources = append(p.resources, client.CatalogPlanResource{Min: "0", Max: "0"})
	}
}

func (c *catalogPage) removeResource(ctx app.Context, _ app.Event) {
	p := c.planAt(ctx)
	j := datasetInt(ctx, "res")
	if p != nil && j >= 0 && j < len(p.resources) && len(p.resources) > 1 {
		p.resources = append(p.resources[:j:j], p.resources[j+1:]...)
	}
}

// openNew opens the form on an empty service.
func (c *catalogPage) openNew(ctx app.Context, _ app.Event) {
	c.draft, c.formErr, c.saved = &serviceDraft{plans: []planDraft{newPlanDraft()}}, nil, ""
}

// openEdit opens the form on the service whose data-id the button holds.
func (c *catalogPage) openEdit(ctx app.Context, _ app.Event) {
	id := dataID(ctx)
	if c.provided == nil {
		return
	}
	for _, s := range c.provided.Items {
		if s.ID == id {
			c.draft, c.formErr, c.saved = draftOf(s), nil, ""
		}
	}
}

func (c *catalogPage) closeForm(ctx app.Context, _ app.Event) {
	c.draft, c.formErr = nil, nil
}

// save creates or updates the service, then reloads the lists.
func (c *catalogPage) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if api == nil || c.draft == nil || c.busy {
		return
	}
	id := c.draft.id
	in, err := c.draft.input()
	if err != nil {
		c.formErr = err
		return
	}
	c.busy = true
	ctx = c.own(ctx)
	ctx.Async(func() {
		var svc *client.CatalogService
		var err error
		if id == "" {
			svc, err = api.CreateCatalogService(ctx, in)
		} else {
			svc, err = api.UpdateCatalogService(ctx, id, in)
		}
		ctx.Dispatch(func(ctx app.Context) {
			c.busy, c.formErr = false, err
			if signedOut(ctx, err) {
				return
			}
			if err == nil {
				verb := "Created"
				if id != "" {
					verb = "Saved"
				}
				c.draft, c.saved = nil, verb+" "+svc.Name+"."
				c.load(ctx)
			}
		})
	})
}

// providedSection lists the account's own services with an edit button, a
// button to offer a new one, and the form when it is open.
func (c *catalogPage) providedSection() app.UI {
	return app.If(c.provided != nil, func() app.UI {
		items := c.provided.Items
		return app.Elem("section").ID("provided-services").Class("card").Body(
			h2("Services you offer"),
			app.If(c.saved != "", func() app.UI { return app.Elem("p").ID("service-saved").Class("hint").Text(c.saved) }),
			app.If(len(items) == 0, func() app.UI {
				return hint("You offer no services yet. Resellers holding an active contract with you can buy the ones you add.")
			}),
			app.If(len(items) > 0, func() app.UI {
				return div("table-wrap", table("provided",
					thead("Service", "Plans", ""),
					tbody(app.Range(items).Slice(func(i int) app.UI {
						s := items[i]
						names := make([]string, len(s.Plans))
						for k, p := range s.Plans {
							names[k] = p.Name + " (" + p.BillingPeriod + ")"
						}
						return app.Elem("tr").Class("provided-service").Attr("data-id", s.ID).Body(
							tdBody(strong(s.Name), app.If(s.Description != "", func() app.UI {
								return span("hint", " — "+s.Description)
							})),
							td(strings.Join(names, ", ")),
							tdBody(app.Elem("button").Attr("type", "button").Class("small edit-service").Attr("data-id", s.ID).Text("Edit").OnClick(c.openEdit)),
						)
					})),
				))
			}),
			app.If(c.draft == nil, func() app.UI {
				return typeButtonID("new-service", "", "Offer a new service", c.openNew)
			}),
			app.If(c.draft != nil, func() app.UI { return c.serviceForm() }),
		)
	})
}

func (c *catalogPage) serviceForm() app.UI {
	d := c.draft
	title := "New service"
	if d.id != "" {
		title = "Edit " + d.name
	}
	submit := "Create service"
	if d.id != "" {
		submit = "Save service"
	}
	return app.Elem("form").ID("service-form").Attr("data-id", d.id).OnSubmit(c.save).Body(
		app.Elem("h3").Text(title),
		div("field",
			labelFor("service-name", "Name"),
			app.ElemSelfClosing("input").ID("service-name").Attr("type", "text").Attr("data-key", "name").Attr("value", d.name).OnInput(c.onServiceInput),
			fieldError(c.formErr, "name"),
		),
		div("field",
			labelFor("service-description", "Description"),
			app.ElemSelfClosing("input").ID("service-description").Attr("type", "text").Attr("data-key", "description").Attr("value", d.description).OnInput(c.onServiceInput),
			fieldError(c.formErr, "description"),
		),
		div("field",
			labelFor("service-currency", "Currency of the prices (ISO 4217, such as USD or EUR)"),
			app.ElemSelfClosing("input").ID("service-currency").Attr("type", "text").Attr("data-key", "currency").Attr("maxlength", 3).
				Attr("autocapitalize", "characters").Attr("placeholder", resellerrules.DefaultCurrency).Attr("value", d.currency).OnInput(c.onServiceInput),
			fieldError(c.formErr, "currency"),
		),
		fieldError(c.formErr, "plans"),
		fieldError(c.formErr, "version"),
		app.Range(d.plans).Slice(func(i int) app.UI { return c.planFieldset(i) }),
		typeButtonID("add-plan", "small", "Add plan", c.addPlan),
		errorBanner(c.formErr),
		div("actions",
			app.Elem("button").Attr("type", "submit").ID("save-service").Attr("disabled", c.busy).Text(submit),
			typeButtonID("cancel-service", "link", "Cancel", c.closeForm),
		),
	)
}

// planFieldset renders plan i of the form with its resource rows.
func (c *catalogPage) planFieldset(i int) app.UI {
	p := c.draft.plans[i]
	pi := itoa(i)
	f := "plans[" + pi + "]."
	return app.Elem("fieldset").Class("plan-editor").Attr("data-plan", pi).Body(
		app.Elem("legend").Text("Plan "+itoa(i+1)),
		div("field",
			labelFor("plan-name-"+pi, "Plan name"),
			app.ElemSelfClosing("input").ID("plan-name-"+pi).Attr("type", "text").Attr("data-plan", pi).Attr("data-key", "name").Attr("value", p.name).OnInput(c.onPlanInput),
			fieldError(c.formErr, f+"name"),
			fieldError(c.formErr, f+"id"),
		),
		div("field",
			labelFor("plan-period-"+pi, "Billing period"),
			app.Elem("select").ID("plan-period-"+pi).Attr("data-plan", pi).Attr("data-key", "billing_period").OnChange(c.onPlanInput).Body(app.Range(billingPeriods).Slice(func(k int) app.UI {
				b := billingPeriods[k]
				return option(string(b), b.Label(), p.billingPeriod == string(b))
			})),
			fieldError(c.formErr, f+"billing_period"),
		),
		div("field",
			labelFor("plan-trial-"+pi, "Trial days (optional)"),
			app.ElemSelfClosing("input").ID("plan-trial-"+pi).Attr("type", "text").Attr("inputmode", "numeric").Attr("data-plan", pi).Attr("data-key", "trial_days").Attr("value", p.trialDays).OnInput(c.onPlanInput),
			fieldError(c.formErr, f+"trial_days"),
		),
		labelOf("check",
			app.ElemSelfClosing("input").ID("plan-decrease-"+pi).Attr("type", "checkbox").Attr("data-plan", pi).Attr("data-key", "decrease_at_renewal").Attr("checked", p.decreaseAtRenewal).OnChange(c.onPlanInput),
			app.Text(" Decreases take effect at the next renewal (never refunded either way)"),
		),
		labelOf("check",
			app.ElemSelfClosing("input").ID("plan-auto-renew-"+pi).Attr("type", "checkbox").Attr("data-plan", pi).Attr("data-key", "auto_renew").Attr("checked", p.autoRenew).OnChange(c.onPlanInput),
			app.Text(" Subscriptions renew automatically at the period end (resellers may turn it off per subscription)"),
		),
		fieldError(c.formErr, f+"auto_renew"),
		fieldError(c.formErr, f+"resources"),
		div("table-wrap", app.Elem("table").Class("resource-editor").ID("plan-resources-"+pi).Body(
			thead("Resource", "Unit", "Unit price", "Min", "Max (0 = no limit)", ""),
			tbody(app.Range(p.resources).Slice(func(j int) app.UI { return c.resourceRow(i, j) })),
		)),
		div("actions",
			app.Elem("button").Attr("type", "button").Class("small add-resource").Attr("data-plan", pi).Text("Add resource").OnClick(c.addResource),
			app.If(len(c.draft.plans) > 1, func() app.UI {
				return app.Elem("button").Attr("type", "button").Class("small link remove-plan").Attr("data-plan", pi).Text("Remove plan").OnClick(c.removePlan)
			}),
		),
	)
}

// resourceRow renders resource j of plan i.
func (c *catalogPage) resourceRow(i, j int) app.UI {
	p := c.draft.plans[i]
	r := p.resources[j]
	pi, rj := itoa(i), itoa(j)
	f := "plans[" + pi + "].resources[" + rj + "]."
	cell := func(key, label, value, mode string) app.UI {
		in := app.ElemSelfClosing("input").ID("res-"+strings.ReplaceAll(key, "_", "-")+"-"+pi+"-"+rj).Attr("type", "text").Attr("aria-label", label+" of resource "+itoa(j+1)+" of plan "+itoa(i+1)).Attr("data-plan", pi).Attr("data-res", rj).Attr("data-key", key).Attr("value", value).OnInput(c.onResourceInput)
		if mode != "" {
			in = in.Attr("inputmode", mode)
		}
		return tdBody(in, fieldError(c.formErr, f+key))
	}
	return trOf("resource-row",
		cell("name", "Name", r.Name, ""),
		cell("unit", "Unit", r.Unit, ""),
		cell("unit_price", "Unit price", r.UnitPrice, "decimal"),
		cell("min", "Min", r.Min, "decimal"),
		cell("max", "Max", r.Max, "decimal"),
		tdBody(app.If(len(p.resources) > 1, func() app.UI {
			return app.Elem("button").Attr("type", "button").Class("small link remove-resource").Attr("data-plan", pi).Attr("data-res", rj).Text("Remove").OnClick(c.removeResource)
		})),
	)
}
