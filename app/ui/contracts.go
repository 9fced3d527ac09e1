package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
)

// contractsPage lists the contracts the account offers or is bound by, by
// status, with the moves each allows, and re-signature of a newer version
// on the partner's side.
type contractsPage struct {
	app.Compo
	mounted
	status  contractrules.Status
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
			list, err = api.Contracts(ctx, client.ContractQuery{Status: string(status), Page: client.Page{Limit: 200}})
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

func (c *contractsPage) Render() app.UI {
	return newShell("Contracts",
		div("filters",
			labelFor("contract-status", "Status "),
			selectOf("contract-status", func(ctx app.Context, _ app.Event) {
				c.status = contractrules.Status(valueOf(ctx))
				c.load(ctx)
			}, app.Range(contractStatuses).Slice(func(i int) app.UI {
				return option(string(contractStatuses[i]), pick(contractStatuses[i] == "", "All", string(contractStatuses[i])), c.status == contractStatuses[i])
			})),
		),
		errorBanner(c.err),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			return div("table-wrap", table("contracts",
				thead("Contract", "Partner", "Type", "Status", "Version", ""),
				tbody(app.Range(items).Slice(func(i int) app.UI {
					k := items[i]
					return app.Tr().Class("contract-row").Attr("data-id", k.ID).Body(
						td(k.ID),
						tdBody(anchor("", "/partners/"+k.PartnerID, k.PartnerID)),
						td(string(k.Type)),
						statusCell(k.Status),
						tdBody(
							app.Text(itoa(k.AgreementVersion)),
							app.If(k.UpdatePending, func() app.UI {
								return span("badge", "version "+itoa(k.LatestAgreementVersion)+" awaits signature")
							}),
						),
						tdBody(c.actions(k)),
					)
				})),
			))
		}),
	)
}

// contractStatuses are the status filter's options: all, then every
// status in the order of a contract's life.
var contractStatuses = append([]contractrules.Status{""}, contractrules.Statuses()...)

// actions are the contract's buttons: the moves the server's state machine
// accepts from its status, and re-signature on the partner's side.
func (c *contractsPage) actions(k client.Contract) app.UI {
	moves := contractrules.Actions(k.Status, k.UpdatePending, k.PartnerID == c.account)
	return app.Range(moves).Slice(func(i int) app.UI {
		move := moves[i]
		return app.Button().Class("small contract-" + string(move)).Text(move.Label()).
			OnClick(func(ctx app.Context, _ app.Event) {
				ctx = c.own(ctx)
				ctx.Async(func() {
					_, err := api.ContractAction(ctx, k.ID, string(move))
					ctx.Dispatch(func(ctx app.Context) {
						c.err = err
						c.load(ctx)
					})
				})
			})
	})
}
