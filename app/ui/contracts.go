package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
)

// contractsPage lists the contracts the account offers or is bound by, by
// status, with the moves each allows, and re-signature of a newer version
// on the partner's side.
type contractsPage struct {
	app.Compo
	mounted
	status  string
	list    *client.List[client.Contract]
	account string
	err     error
}

func (c *contractsPage) OnMount(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.load(ctx)
}

func (c *contractsPage) load(ctx app.Context) {
	ctx = c.own(ctx)
	status := c.status
	ctx = c.own(ctx)
	ctx.Async(func() {
		me, err := api.Me(ctx)
		var list *client.List[client.Contract]
		if err == nil {
			list, err = api.Contracts(ctx, client.ContractQuery{Status: status, Page: client.Page{Limit: 200}})
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

func (c *contractsPage) Render() app.UI {
	return newShell("Contracts",
		app.Div().Class("filters").Body(
			app.Label().For("contract-status").Text("Status "),
			app.Select().ID("contract-status").OnChange(func(ctx app.Context, _ app.Event) {
				c.status = ctx.JSSrc().Get("value").String()
				c.load(ctx)
			}).Body(app.Range(contractStatuses).Slice(func(i int) app.UI {
				return app.Option().Value(contractStatuses[i]).Selected(c.status == contractStatuses[i]).Text(map[bool]string{true: "All", false: contractStatuses[i]}[contractStatuses[i] == ""])
			})),
		),
		errorBanner(c.err),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			return app.Div().Class("table-wrap").Body(app.Table().ID("contracts").Body(
				app.THead().Body(app.Tr().Body(app.Th().Text("Contract"), app.Th().Text("Partner"), app.Th().Text("Type"),
					app.Th().Text("Status"), app.Th().Text("Version"), app.Th().Text(""))),
				app.TBody().Body(app.Range(items).Slice(func(i int) app.UI {
					k := items[i]
					return app.Tr().Class("contract-row").Attr("data-id", k.ID).Body(
						app.Td().Text(k.ID),
						app.Td().Body(app.A().Href("/partners/"+k.PartnerID).Text(k.PartnerID)),
						app.Td().Text(k.Type),
						app.Td().Body(app.Span().Class("status status-"+k.Status).Text(k.Status)),
						app.Td().Body(
							app.Text(itoa(k.AgreementVersion)),
							app.If(k.UpdatePending, func() app.UI {
								return app.Span().Class("badge").Text("version " + itoa(k.LatestAgreementVersion) + " awaits signature")
							}),
						),
						app.Td().Body(c.actions(k)),
					)
				})),
			))
		}),
	)
}

var contractStatuses = []string{"", "pending", "signed", "active", "rejected", "terminated"}

func (c *contractsPage) actions(k client.Contract) app.UI {
	var moves []string
	switch k.Status {
	case "pending":
		moves = []string{"sign", "reject"}
	case "signed":
		moves = []string{"activate", "terminate"}
	case "active":
		moves = []string{"terminate"}
	}
	if k.UpdatePending && k.PartnerID == c.account {
		moves = append(moves, "resign")
	}
	return app.Range(moves).Slice(func(i int) app.UI {
		move := moves[i]
		return app.Button().Class("small contract-" + move).Text(map[string]string{"resign": "sign new version"}[move] + map[bool]string{true: move, false: ""}[move != "resign"]).
			OnClick(func(ctx app.Context, _ app.Event) {
				ctx = c.own(ctx)
				ctx.Async(func() {
					_, err := api.ContractAction(ctx, k.ID, move)
					ctx.Dispatch(func(ctx app.Context) {
						c.err = err
						c.load(ctx)
					})
				})
			})
	})
}
