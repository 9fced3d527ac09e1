package ui

import (
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	agreementrules "github.com/partnerkit/partnerkit/agreements/rules"
	"github.com/partnerkit/partnerkit/app/client"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// wizard is the Create Partner wizard (seed 000): details, agreement,
// marketplace, action, account details, summary — one API call at the end,
// so nothing is left behind when it fails. Every rule it applies before
// that call is the server's own, from the domains' rules packages: the
// partner types offered (contracts/rules.OnboardingTypes), the fields'
// limits counted in characters, the document check.
type wizard struct {
	app.Compo
	step int

	typ              partnerrules.AccountType
	name, externalID string
	createAgreement  bool

	agreementID      string
	agrName, agrDesc string
	doc              documentForm

	marketplaceIDs []string
	action         contractrules.Action
	inviteEmail    string
	userIDs        []string
	allUsers       bool

	agreements   []client.Agreement
	marketplaces []client.Marketplace
	team         []client.Member

	accountType partnerrules.AccountType

	err    error
	busy   bool
	result *client.OnboardingResult
	copied bool
}

var wizardSteps = []string{"Partner details", "Agreement", "Marketplace", "Action", "Account details", "Summary"}

func (c *wizard) OnMount(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.step, c.doc.source, c.action = 1, agreementrules.DocumentNone, contractrules.ActionInvite
	// The types on offer depend on the account's type: the top bar's last
	// copy of /me gives it at once, the fresh one below confirms it.
	var cached client.Me
	if ctx.LocalStorage().Get("me", &cached) == nil && cached.AccountID != "" {
		c.setAccountType(meType(&cached))
	}
	ctx.Async(func() {
		agrs, err := api.Agreements(ctx, "", client.Page{Limit: 500})
		mps, err2 := api.Marketplaces(ctx)
		team, err3 := api.Team(ctx)
		me, err4 := api.Me(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if err4 == nil {
				c.setAccountType(meType(me))
			}
			if signedOut(ctx, err) {
				return
			}
			if err == nil {
				c.agreements = agrs.Items
			}
			if err2 == nil {
				c.marketplaces = mps.Items
			}
			if err3 == nil {
				c.team = team.Items
			}
		})
	})
}

// setAccountType records the type of the account the user acts in and
// picks the partner type the wizard starts with among those it may create:
// reseller when offered, else the first.
func (c *wizard) setAccountType(t partnerrules.AccountType) {
	c.accountType = t
	types := c.types()
	if !slices.Contains(types, c.typ) {
		c.typ = ""
		if slices.Contains(types, partnerrules.TypeReseller) {
			c.typ = partnerrules.TypeReseller
		} else if len(types) > 0 {
			c.typ = types[0]
		}
	}
}

// types lists the partner types the wizard offers: the ones the server
// creates for the account's type (contracts/rules.OnboardingTypes).
func (c *wizard) types() []partnerrules.AccountType {
	return contractrules.OnboardingTypes(c.accountType)
}

// check validates the current step with the server's own rules (those that
// need no store; the server has the last word) and returns field problems.
func (c *wizard) check() error {
	switch c.step {
	case 1:
		var typeErr error
		if c.accountType != "" && !slices.Contains(c.types(), c.typ) { // unknown until /me answers: the server decides
			typeErr = partnerkit.FieldError("partner.type", partnerrules.ManagedTypesProblem(c.accountType))
		}
		return invalid(typeErr, partnerrules.CheckNewPartner("partner.", c.name, c.externalID))
	case 2:
		if !c.createAgreement {
			return contractrules.CheckAgreementChoice(false, c.agreementID)
		}
		return invalid(agreementrules.CheckAgreement("new_agreement.", agreementrules.TypeProgram, c.agrName, c.agrDesc),
			c.doc.check("new_agreement.document"))
	}
	return nil
}

// stepOf returns the wizard step that owns an API field.
func stepOf(field string) int {
	switch {
	case strings.HasPrefix(field, "partner."):
		return 1
	case field == "agreement_id" || strings.HasPrefix(field, "new_agreement."):
		return 2
	case field == "marketplace_ids":
		return 3
	case field == "action" || field == "invite_email":
		return 4
	case field == "user_ids":
		return 5
	}
	return 0
}

// next goes on to the next step once this one checks out: the last input
// step leads to the summary of the choices, where only Create submits
// (pressing Enter twice never skips a step), the focus on the new step's
// heading.
func (c *wizard) next(ctx app.Context, _ app.Event) {
	if c.err = c.check(); c.err != nil {
		focusFirstInvalid(ctx)
		return
	}
	c.step++
	if c.step == 3 && !contractrules.OnMarketplaces(c.typ) {
		c.step++ // only vendors are placed on marketplaces
	}
	if c.step == 5 && !c.action.AddsUsers() {
		c.step++ // no users to add
	}
	focusStep(ctx)
}

// focusStep moves the focus to the step's heading once it shows.
func focusStep(ctx app.Context) {
	ctx.Defer(func(app.Context) { app.Window().GetElementByID("step-title").Call("focus") })
}

func (c *wizard) back(ctx app.Context, _ app.Event) {
	c.err = nil
	c.step--
	if c.step == 5 && !c.action.AddsUsers() {
		c.step--
	}
	if c.step == 3 && !contractrules.OnMarketplaces(c.typ) {
		c.step--
	}
	focusStep(ctx)
}

func (c *wizard) input() client.Onboarding {
	in := client.Onboarding{
		Partner: client.NewPartner{Type: c.typ, Name: strings.TrimSpace(c.name), ExternalID: strings.TrimSpace(c.externalID)},
		Action:  c.action, AllUsers: c.allUsers,
	}
	if c.action == contractrules.ActionInvite {
		in.InviteEmail = strings.TrimSpace(c.inviteEmail)
	}
	if contractrules.OnMarketplaces(c.typ) {
		in.MarketplaceIDs = c.marketplaceIDs
	}
	if c.action.AddsUsers() && !c.allUsers {
		in.UserIDs = c.userIDs
	}
	if c.createAgreement {
		in.NewAgreement = &client.NewAgreement{Type: agreementrules.TypeProgram, Name: c.agrName, Description: c.agrDesc, Document: c.doc.input()}
	} else {
		in.AgreementID = c.agreementID
	}
	return in
}

func (c *wizard) submit(ctx app.Context) {
	c.busy = true
	in := c.input()
	ctx.Async(func() {
		res, err := api.Onboard(ctx, in)
		ctx.Dispatch(func(ctx app.Context) {
			c.busy, c.err = false, err
			if err != nil {
				// Go back to the first step the API complained about.
				step := 6
				for f := range partnerkit.ErrorFields(err) {
					if s := stepOf(f); s > 0 && s < step {
						step = s
					}
				}
				if step == 6 {
					step = 4
				}
				c.step = step
				focusFirstInvalid(ctx)
				return
			}
			c.result, c.step = res, 6
			focusStep(ctx)
		})
	})
}

func (c *wizard) Render() app.UI {
	return newShell("Create partner",
		app.Elem("ol").Class("steps").Body(app.Range(wizardSteps).Slice(func(i int) app.UI {
			return app.Elem("li").Class(pick(c.step == i+1, "current", "")).Text(wizardSteps[i])
		})),
		app.Elem("form").ID("wizard").Class("wizard").OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			switch {
			case c.busy || c.result != nil:
			case c.step < 6:
				c.next(ctx, e)
			default:
				c.submit(ctx)
			}
		}).Body(
			app.Elem("h2").ID("step-title").TabIndex(-1).Text(wizardSteps[max(c.step, 1)-1]),
			c.body(),
			errorBanner(c.err),
			app.If(c.result == nil, func() app.UI {
				return div("actions",
					app.If(c.step > 1, func() app.UI {
						return typeButtonID("back", "secondary", "Back", c.back)
					}),
					app.Elem("button").Attr("type", "submit").ID(pick(c.step == 6, "create", "next")).Attr("disabled", c.busy).Text(pick(c.step == 6, "Create partner", "Next")),
				)
			}),
		),
	)
}

func (c *wizard) body() app.UI {
	switch c.step {
	case 1:
		types := c.types()
		return box(
			app.If(c.accountType != "" && len(types) == 0, func() app.UI {
				return app.Elem("p").ID("no-partner-types").Class("hint").Text(partnerrules.ManagedTypesProblem(c.accountType) + ": the wizard creates vendors, resellers and distributors.")
			}),
			div("field",
				labelFor("partner-type", "Type"),
				enumSelect("partner-type", "Type", &c.typ, c, types, partnerrules.AccountType.Label),
				fieldError(c.err, "partner.type"),
			),
			field(c, "partner-name", "Partner name", "text", &c.name, c.err, "partner.name"),
			field(c, "partner-external-id", "Partner external ID (optional)", "text", &c.externalID, c.err, "partner.external_id"),
			labelOf("check",
				app.ElemSelfClosing("input").ID("create-agreement").Attr("type", "checkbox").Attr("checked", c.createAgreement).OnChange(func(ctx app.Context, _ app.Event) { c.createAgreement = checkedOf(ctx) }),
				app.Text(" Create new agreement"),
			),
		)
	case 2:
		if !c.createAgreement {
			opts := []string{"", "Choose an agreement"}
			for _, a := range c.agreements {
				opts = append(opts, a.ID, a.Name+" ("+string(a.Type)+")")
			}
			return div("field",
				labelFor("agreement", "Agreement"),
				selectBox("agreement", "Agreement", &c.agreementID, c, "", opts...),
				fieldError(c.err, "agreement_id"),
			)
		}
		return box(
			field(c, "agreement-name", "Name", "text", &c.agrName, c.err, "new_agreement.name"),
			div("field",
				labelFor("agreement-description", "Description"),
				app.Elem("textarea").ID("agreement-description").Text(c.agrDesc).OnInput(c.ValueTo(&c.agrDesc)),
				fieldError(c.err, "new_agreement.description"),
			),
			c.doc.render(c, c.err, "new_agreement.document."),
		)
	case 3:
		return box(
			hint("A distribution contract is created for each marketplace; leave all unticked to choose later."),
			app.Range(c.marketplaces).Slice(func(i int) app.UI {
				m := c.marketplaces[i]
				return labelOf("check",
					app.ElemSelfClosing("input").Attr("type", "checkbox").Class("marketplace").Attr("value", m.ID).Attr("checked", slices.Contains(c.marketplaceIDs, m.ID)).OnChange(func(ctx app.Context, _ app.Event) { c.marketplaceIDs = toggle(c.marketplaceIDs, m.ID) }),
					app.Text(" "+m.Name+" ("+m.Currency+")"),
				)
			}),
			fieldError(c.err, "marketplace_ids"),
		)
	case 4:
		return box(
			radio("action-create", "action", contractrules.ActionCreateAccount, "Create "+string(c.typ)+" account now", &c.action),
			radio("action-invite", "action", contractrules.ActionInvite, "Generate invitation link", &c.action),
			fieldError(c.err, "action"),
			c.inviteTo(),
		)
	case 5:
		return box(
			labelOf("check",
				app.ElemSelfClosing("input").ID("all-users").Attr("type", "checkbox").Attr("checked", c.allUsers).OnChange(func(ctx app.Context, _ app.Event) { c.allUsers = checkedOf(ctx) }),
				app.Text(" All users"),
			),
			app.If(!c.allUsers, func() app.UI {
				return box(app.Range(c.team).Slice(func(i int) app.UI {
					m := c.team[i]
					return labelOf("check",
						app.ElemSelfClosing("input").Attr("type", "checkbox").Attr("checked", slices.Contains(c.userIDs, m.UserID)).OnChange(func(ctx app.Context, _ app.Event) { c.userIDs = toggle(c.userIDs, m.UserID) }),
						app.Text(" "+m.User.FullName+" <"+m.User.Email+"> ("+string(m.Role)+")"),
					)
				}))
			}),
			fieldError(c.err, "user_ids"),
		)
	}
	return c.summary()
}

func (c *wizard) summary() app.UI {
	if c.result == nil {
		return c.review()
	}
	r := c.result
	link := r.ActivationLink
	if link != "" && strings.HasPrefix(link, "/") {
		link = app.Window().Get("location").Get("origin").String() + link
	}
	sent := ""
	if r.Invitation != nil {
		sent = r.Invitation.SentTo
	}
	return divID("summary",
		dl(
			dt("Partner"), app.Elem("dd").Body(app.Elem("a").ID("summary-partner").Attr("href", "/partners/"+r.Partner.ID).Text(r.Partner.Name+" ("+string(r.Partner.Status)+")")),
			dt("Agreement"), dd(r.Agreement.Name),
			dt("Contracts"), dd(len(r.Contracts)),
			// The list's grid takes each term and description as they are.
			app.If(sent != "", func() app.UI { return dt("Invitation e-mailed to") }),
			app.If(sent != "", func() app.UI { return app.Elem("dd").ID("summary-sent-to").Text(sent) }),
		),
		app.If(link != "", func() app.UI {
			return div("field",
				labelFor("activation-link", pick(sent != "", "Activation link — in the e-mail too",
					"Activation link — pass it to your partner")),
				app.ElemSelfClosing("input").ID("activation-link").Attr("readonly", true).Attr("value", link),
				app.Elem("button").Attr("type", "button").ID("copy-link").Text(pick(c.copied, "Copied", "Copy")).OnClick(func(ctx app.Context, _ app.Event) {
					app.Window().Get("navigator").Get("clipboard").Call("writeText", link)
					c.copied = true
				}),
			)
		}),
		anchor("button", "/", "Close"),
	)
}

// meType is the type of the account the user acts in, from the shell's state.
func meType(me *client.Me) partnerrules.AccountType {
	for _, m := range me.Memberships {
		if m.AccountID == me.AccountID {
			return m.AccountType
		}
	}
	return ""
}

func radio[T ~string](id, name string, value T, label string, v *T) app.UI {
	return labelOf("check",
		app.ElemSelfClosing("input").ID(id).Attr("type", "radio").Attr("name", name).Attr("value", string(value)).Attr("checked", *v == value).OnChange(func(ctx app.Context, _ app.Event) { *v = value }),
		app.Text(" "+label),
	)
}

func toggle(ids []string, id string) []string {
	if i := slices.Index(ids, id); i >= 0 {
		return slices.Delete(slices.Clone(ids), i, i+1)
	}
	return append(slices.Clone(ids), id)
}

// inviteTo is the invitation's optional address: the invitation is
// e-mailed there (else to the partner's business contact, when it has
// one); the link is shown at the end either way.
func (c *wizard) inviteTo() app.UI {
	if c.action != contractrules.ActionInvite {
		return nil
	}
	return box(
		field(c, "invite-email", "Send the invitation to (optional)", "email", &c.inviteEmail, c.err, "invite_email"),
		hint("The person who activates the partner's account. Left empty, nobody is e-mailed: pass on the link shown at the end."),
	)
}

// review is the summary of the choices, before Create.
func (c *wizard) review() app.UI {
	agreement := "New: " + c.agrName
	if !c.createAgreement {
		agreement = c.agreementID
		for _, a := range c.agreements {
			if a.ID == c.agreementID {
				agreement = a.Name
			}
		}
	}
	var markets []string
	for _, m := range c.marketplaces {
		if slices.Contains(c.marketplaceIDs, m.ID) {
			markets = append(markets, m.Name)
		}
	}
	action := "Generate an invitation link"
	if to := strings.TrimSpace(c.inviteEmail); to != "" {
		action += ", e-mailed to " + to
	}
	if c.action.AddsUsers() {
		action = "Create the account now, with " + pick(c.allUsers, "all users", count(len(c.userIDs), "user"))
	}
	return app.Raw(rawf(`<div id="wizard-review"><p>Check your choices, then create the partner: nothing is created before.</p><dl>`+
		`<dt>Type</dt><dd>$</dd><dt>Name</dt><dd>$</dd><dt>External ID</dt><dd>$</dd><dt>Agreement</dt><dd>$</dd>!<dt>Action</dt><dd>$</dd></dl></div>`,
		c.typ.Label(), c.name, pick(c.externalID != "", c.externalID, "—"), agreement,
		pick(contractrules.OnMarketplaces(c.typ), rawf(`<dt>Marketplaces</dt><dd>$</dd>`, pick(len(markets) > 0, strings.Join(markets, ", "), "none yet")), ""),
		action))
}
