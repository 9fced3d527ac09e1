package ui

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
)

// contractsPage lists the contracts the account offers or is bound by, by
// status, with the moves each allows, and re-signature of a newer version
// on the partner's side. Rows are raw HTML (see webhooks.go); their
// buttons report to one click handler (act).
type contractsPage struct {
	app.Compo
	mounted
	reader
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
	status := c.status
	c.read(c.own(ctx), "contracts-page:"+string(status), func(ctx context.Context) (any, error) {
		me, err := api.Me(ctx)
		if err != nil {
			return nil, err
		}
		list, err := api.Contracts(ctx, client.ContractQuery{Status: string(status), Page: client.Page{Limit: 200}})
		if err != nil {
			return nil, err
		}
		return accountList[client.Contract]{account: me.AccountID, list: list}, nil
	}, func(s loadState) {
		if v, err, ok := outcome[accountList[client.Contract]](s); ok {
			c.list, c.err, c.account = v.list, err, v.account
		}
	})
}

// contractListHead is the columns of the contracts list.
var contractListHead = []string{"Agreement", "Partner", "Type", "Status", "Version", ""}

func (c *contractsPage) Render() app.UI {
	return newShell("Contracts",
		div("filters",
			labelFor("contract-status", "Status "),
			selectOf("contract-status", func(ctx app.Context, _ app.Event) {
				c.status = contractrules.Status(valueOf(ctx))
				c.load(ctx)
			}, app.Range(contractStatuses).Slice(func(i int) app.UI {
				return option(string(contractStatuses[i]), pick(contractStatuses[i] == "", "All", capitalized(contractStatuses[i])), c.status == contractStatuses[i])
			})),
		),
		errorBanner(c.err),
		app.If(c.list == nil && c.err == nil && c.loading(), func() app.UI { return loadingNote("contracts-loading", "Loading contracts…") }),
		app.If(c.list != nil, func() app.UI { return app.Elem("div").OnClick(c.act).Body(c.table()) }),
	)
}

func (c *contractsPage) table() app.UI {
	items := c.list.Items
	if len(items) == 0 {
		return empty("no-contracts", pick(c.status == "", "No contracts yet.", "No "+string(c.status)+" contracts."))
	}
	rows := make([]string, len(items))
	for i, k := range items {
		version := "v" + itoa(k.AgreementVersion)
		if k.UpdatePending {
			version += ` <span class="badge">v` + itoa(k.LatestAgreementVersion) + ` awaits signature</span>`
		}
		partner := link("/partners/"+k.PartnerID, k.PartnerName)
		if k.PartnerID == c.account { // bound by it: the partner is the account itself
			partner = esc(k.PartnerName)
		}
		name := k.AgreementName
		if k.MarketplaceName != "" {
			name += " — " + k.MarketplaceName
		}
		rows[i] = row(contractListHead, attr("class", "contract-row")+attr("data-id", k.ID),
			titled(k.ID, name), partner, esc(k.Type.Label()), badge(string(k.Status), string(k.Status)), version,
			contractButtons(k, contractrules.Actions(k.Status, k.UpdatePending, k.PartnerID == c.account)))
	}
	return cards("contracts", contractListHead, rows)
}

// contractStatuses are the status filter's options: all, then every
// status in the order of a contract's life.
var contractStatuses = append([]contractrules.Status{""}, contractrules.Statuses()...)

// act runs the move of the contract button that was clicked (data-act,
// data-id): the moves the server's state machine accepts from its status,
// and re-signature on the partner's side; ending one is confirmed first.
func (c *contractsPage) act(ctx app.Context, e app.Event) {
	move, id := clickedAct(e)
	if move == "" {
		return
	}
	name := id
	for _, k := range c.list.Items {
		if k.ID == id {
			name = k.AgreementName + " with " + k.PartnerName
		}
	}
	if !confirmMove(contractrules.Move(move), name) {
		return
	}
	background(&c.mounted, ctx, func(ctx context.Context) error {
		_, err := api.ContractAction(ctx, id, move)
		return err
	}, func(ctx app.Context, err error) {
		c.err = err
		c.load(ctx)
	})
}
