package ui

import (
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// wizard is the Create Partner wizard (seed 000): details, agreement,
// marketplace, action, account details, summary — one API call at the end,
// so nothing is left behind when it fails.
type wizard struct {
	app.Compo
	step int

	typ, name, externalID string
	createAgreement       bool

	agreementID      string
	agrName, agrDesc string
	doc              documentForm

	marketplaceIDs []string
	action         string
	userIDs        []string
	allUsers       bool

	agreements   []client.Agreement
	marketplaces []client.Marketplace
	team         []client.Member

	accountType string

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
	c.step, c.typ, c.doc.source, c.action = 1, "reseller", "none", "invite"
	ctx.Async(func() {
		agrs, err := api.Agreements(ctx, "", client.Page{Limit: 500})
		mps, err2 := api.Marketplaces(ctx)
		team, err3 := api.Team(ctx)
		me, err4 := api.Me(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if err4 == nil {
				c.accountType = meType(me)
			}
			if unauthorized(err) {
				ctx.Navigate("/signin")
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

// check validates the current step as the server would (simple rules
// only; the server has the last word) and returns field problems.
func (c *wizard) check() error {
	fields := map[string]string{}
	switch c.step {
	case 1:
		if p := partnerkit.TextProblem(c.name, false); p != "" { // the server's text rule, shared
			fields["partner.name"] = p
		} else if partnerkit.IsBlank(c.name) {
			fields["partner.name"] = "is required"
		}
		if len(c.name) > 100 {
			fields["partner.name"] = "must be at most 100 characters"
		}
		if len(c.externalID) > 64 {
			fields["partner.external_id"] = "must be at most 64 characters"
		}
	case 2:
		if !c.createAgreement && c.agreementID == "" {
			fields["agreement_id"] = "pick an agreement or create a new one"
		}
		if c.createAgreement {
			if p := partnerkit.TextProblem(c.agrName, false); p != "" {
				fields["new_agreement.name"] = p
			} else if partnerkit.IsBlank(c.agrName) {
				fields["new_agreement.name"] = "is required"
			}
			if c.doc.source == "url" && !strings.HasPrefix(c.doc.url, "http://") && !strings.HasPrefix(c.doc.url, "https://") {
				fields["new_agreement.document.url"] = "must be an absolute http or https URL"
			}
			if c.doc.source == "file" && len(c.doc.content) == 0 {
				fields["new_agreement.document.content"] = "choose a PDF, text or Markdown file"
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &partnerkit.Error{Code: partnerkit.CodeInvalid, Message: "check the highlighted fields", Fields: fields}
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
	case field == "action":
		return 4
	case field == "user_ids":
		return 5
	}
	return 0
}

func (c *wizard) next(ctx app.Context, _ app.Event) {
	if c.err = c.check(); c.err != nil {
		return
	}
	c.step++
	if c.step == 3 && c.typ != "vendor" {
		c.step++ // only vendors are placed on marketplaces
	}
	if c.step == 5 && c.action != "create_account" {
		c.submit(ctx)
		return
	}
	if c.step == 6 {
		c.submit(ctx)
	}
}

func (c *wizard) back(ctx app.Context, _ app.Event) {
	c.err = nil
	c.step--
	if c.step == 3 && c.typ != "vendor" {
		c.step--
	}
}

func (c *wizard) input() client.Onboarding {
	in := client.Onboarding{
		Partner: client.NewPartner{Type: c.typ, Name: strings.TrimSpace(c.name), ExternalID: strings.TrimSpace(c.externalID)},
		Action:  c.action, AllUsers: c.allUsers,
	}
	if c.typ == "vendor" {
		in.MarketplaceIDs = c.marketplaceIDs
	}
	if c.action == "create_account" && !c.allUsers {
		in.UserIDs = c.userIDs
	}
	if c.createAgreement {
		in.NewAgreement = &client.NewAgreement{Type: "program", Name: c.agrName, Description: c.agrDesc, Document: c.doc.input()}
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
				return
			}
			c.result, c.step = res, 6
		})
	})
}

func (c *wizard) Render() app.UI {
	return newShell("Create partner",
		app.Ol().Class("steps").Body(app.Range(wizardSteps).Slice(func(i int) app.UI {
			return app.Li().Class(map[bool]string{true: "current", false: ""}[c.step == i+1]).Text(wizardSteps[i])
		})),
		app.Form().ID("wizard").Class("wizard").OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			if c.step < 6 {
				c.next(ctx, e)
			}
		}).Body(
			app.H2().Text(wizardSteps[max(c.step, 1)-1]),
			c.body(),
			errorBanner(c.err),
			app.If(c.step < 6, func() app.UI {
				return app.Div().Class("actions").Body(
					app.If(c.step > 1, func() app.UI {
						return app.Button().Type("button").ID("back").Class("secondary").Text("Back").OnClick(c.back)
					}),
					app.Button().Type("submit").ID("next").Disabled(c.busy).Text(map[bool]string{true: "Create", false: "Next"}[c.finalStep()]),
				)
			}),
		),
	)
}

// finalStep reports whether Next submits the wizard.
func (c *wizard) finalStep() bool {
	return c.step == 5 || (c.step == 4 && c.action != "create_account")
}

func (c *wizard) body() app.UI {
	switch c.step {
	case 1:
		types := []string{"vendor", "Vendor", "reseller", "Reseller"}
		if c.isProvider() {
			types = append(types, "distributor", "Distributor")
		}
		return app.Div().Body(
			app.Div().Class("field").Body(
				app.Label().For("partner-type").Text("Type"),
				selectBox("partner-type", "Type", &c.typ, c, "reseller", types...),
				fieldError(c.err, "partner.type"),
			),
			field(c, "partner-name", "Partner name", "text", &c.name, c.err, "partner.name"),
			field(c, "partner-external-id", "Partner external ID (optional)", "text", &c.externalID, c.err, "partner.external_id"),
			app.Label().Class("check").Body(
				app.Input().ID("create-agreement").Type("checkbox").Checked(c.createAgreement).
					OnChange(func(ctx app.Context, _ app.Event) { c.createAgreement = ctx.JSSrc().Get("checked").Bool() }),
				app.Text(" Create new agreement"),
			),
		)
	case 2:
		if !c.createAgreement {
			opts := []string{"", "Choose an agreement"}
			for _, a := range c.agreements {
				opts = append(opts, a.ID, a.Name+" ("+a.Type+")")
			}
			return app.Div().Class("field").Body(
				app.Label().For("agreement").Text("Agreement"),
				selectBox("agreement", "Agreement", &c.agreementID, c, "", opts...),
				fieldError(c.err, "agreement_id"),
			)
		}
		return app.Div().Body(
			field(c, "agreement-name", "Name", "text", &c.agrName, c.err, "new_agreement.name"),
			app.Div().Class("field").Body(
				app.Label().For("agreement-description").Text("Description"),
				app.Textarea().ID("agreement-description").Text(c.agrDesc).OnInput(c.ValueTo(&c.agrDesc)),
				fieldError(c.err, "new_agreement.description"),
			),
			c.doc.render(c, c.err, "new_agreement.document."),
		)
	case 3:
		return app.Div().Body(
			app.P().Class("hint").Text("A distribution contract is created for each marketplace; leave all unticked to choose later."),
			app.Range(c.marketplaces).Slice(func(i int) app.UI {
				m := c.marketplaces[i]
				return app.Label().Class("check").Body(
					app.Input().Type("checkbox").Class("marketplace").Value(m.ID).Checked(slices.Contains(c.marketplaceIDs, m.ID)).
						OnChange(func(ctx app.Context, _ app.Event) { c.marketplaceIDs = toggle(c.marketplaceIDs, m.ID) }),
					app.Text(" "+m.Name+" ("+m.Currency+")"),
				)
			}),
			fieldError(c.err, "marketplace_ids"),
		)
	case 4:
		return app.Div().Body(
			radio("action-create", "action", "create_account", "Create "+c.typ+" account now", &c.action),
			radio("action-invite", "action", "invite", "Generate invitation link", &c.action),
			fieldError(c.err, "action"),
		)
	case 5:
		return app.Div().Body(
			app.Label().Class("check").Body(
				app.Input().ID("all-users").Type("checkbox").Checked(c.allUsers).
					OnChange(func(ctx app.Context, _ app.Event) { c.allUsers = ctx.JSSrc().Get("checked").Bool() }),
				app.Text(" All users"),
			),
			app.If(!c.allUsers, func() app.UI {
				return app.Div().Body(app.Range(c.team).Slice(func(i int) app.UI {
					m := c.team[i]
					return app.Label().Class("check").Body(
						app.Input().Type("checkbox").Checked(slices.Contains(c.userIDs, m.UserID)).
							OnChange(func(ctx app.Context, _ app.Event) { c.userIDs = toggle(c.userIDs, m.UserID) }),
						app.Text(" "+m.User.FullName+" <"+m.User.Email+"> ("+m.Role+")"),
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
		return app.P().Text("Creating…")
	}
	r := c.result
	link := r.ActivationLink
	if link != "" && strings.HasPrefix(link, "/") {
		link = app.Window().Get("location").Get("origin").String() + link
	}
	return app.Div().ID("summary").Body(
		app.Dl().Body(
			app.Dt().Text("Partner"), app.Dd().Body(app.A().ID("summary-partner").Href("/partners/"+r.Partner.ID).Text(r.Partner.Name+" ("+r.Partner.Status+")")),
			app.Dt().Text("Agreement"), app.Dd().Text(r.Agreement.Name),
			app.Dt().Text("Contracts"), app.Dd().Text(len(r.Contracts)),
		),
		app.If(link != "", func() app.UI {
			return app.Div().Class("field").Body(
				app.Label().For("activation-link").Text("Activation link — pass it to your partner"),
				app.Input().ID("activation-link").ReadOnly(true).Value(link),
				app.Button().Type("button").ID("copy-link").Text(map[bool]string{true: "Copied", false: "Copy"}[c.copied]).
					OnClick(func(ctx app.Context, _ app.Event) {
						app.Window().Get("navigator").Get("clipboard").Call("writeText", link)
						c.copied = true
					}),
			)
		}),
		app.A().Class("button").Href("/").Text("Close"),
	)
}

func (c *wizard) isProvider() bool { return c.accountType == "provider" }

// meType is the type of the account the user acts in, from the shell's state.
func meType(me *client.Me) string {
	for _, m := range me.Memberships {
		if m.AccountID == me.AccountID {
			return m.AccountType
		}
	}
	return ""
}

func radio(id, name, value, label string, v *string) app.UI {
	return app.Label().Class("check").Body(
		app.Input().ID(id).Type("radio").Name(name).Value(value).Checked(*v == value).
			OnChange(func(ctx app.Context, _ app.Event) { *v = value }),
		app.Text(" "+label),
	)
}

func toggle(ids []string, id string) []string {
	if i := slices.Index(ids, id); i >= 0 {
		return slices.Delete(slices.Clone(ids), i, i+1)
	}
	return append(slices.Clone(ids), id)
}
