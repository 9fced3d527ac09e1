package ui

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
	capacityrules "github.com/partnerkit/partnerkit/capacity/rules"
)

// storagePage is a channel partner's storage accounts: list with quotas,
// create within the allocation, schedule deletion (30 days) or cancel it,
// export CSV. A manager picks the partner with ?partner=<id>.
type storagePage struct {
	app.Compo
	mounted
	partnerID     string
	list          *client.List[client.StorageAccount]
	name, quotaTB string
	err, formErr  error
}

func (c *storagePage) OnNav(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.partnerID = ctx.Page().URL().Query().Get("partner")
	c.load(ctx)
}

func (c *storagePage) load(ctx app.Context) {
	ctx = c.own(ctx)
	partner := c.partnerID
	ctx = c.own(ctx)
	ctx.Async(func() {
		list, err := api.StorageAccounts(ctx, partner, client.Page{Limit: 500})
		ctx.Dispatch(func(ctx app.Context) {
			if signedOut(ctx, err) {
				return
			}
			c.list, c.err = list, err
		})
	})
}

func (c *storagePage) Render() app.UI {
	csv := "/api/v1/storage-accounts?format=csv"
	if c.partnerID != "" {
		csv += "&partner_id=" + c.partnerID
	}
	return newShell("Storage accounts",
		errorBanner(c.err),
		app.Form().ID("storage-form").Class("filters").OnSubmit(c.create).Body(
			app.Input().ID("storage-name").Placeholder("Customer account name").Value(c.name).OnInput(c.ValueTo(&c.name)),
			fieldError(c.formErr, "name"),
			app.Input().ID("storage-quota").Placeholder("Quota (TB)").Attr("inputmode", "decimal").Value(c.quotaTB).OnInput(c.ValueTo(&c.quotaTB)),
			fieldError(c.formErr, "quota_tb"),
			fieldError(c.formErr, "partner_id"),
			submitButton("create-storage", "Create"),
			app.A().Class("button secondary").Href(csv).Attr("download", "storage-accounts.csv").Text("Export CSV"),
		),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			return div("table-wrap", table("storage-accounts",
				thead("Name", "Quota", "Status", ""),
				tbody(app.Range(items).Slice(func(i int) app.UI {
					a := items[i]
					status := a.Status
					if a.DeleteAt != nil {
						status += " on " + a.DeleteAt.Format("2 Jan 2006")
					}
					return tr(
						td(a.Name), tdc("num", a.QuotaTB+" TB"),
						tdBody(span("status status-"+a.Status, status)),
						tdBody(app.If(capacityrules.StorageStatus(a.Status).CanDelete(), func() app.UI {
							return button("small danger", "Delete", c.act(a.ID, api.DeleteStorageAccount))
						}).Else(func() app.UI {
							return button("small", "Cancel deletion", c.act(a.ID, api.CancelDeletion))
						})),
					)
				})),
			))
		}),
	)
}

func (c *storagePage) create(ctx app.Context, e app.Event) {
	e.PreventDefault()
	quota, err := capacityrules.ParseTB("quota_tb", c.quotaTB) // the server's TB rule
	if err == nil {
		err = capacityrules.CheckTB("quota_tb", quota, false)
	}
	if c.formErr = err; err != nil {
		return
	}
	in := client.NewStorageAccount{PartnerID: c.partnerID, Name: c.name, QuotaTB: quota.String()}
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.CreateStorageAccount(ctx, in)
		ctx.Dispatch(func(ctx app.Context) {
			c.formErr = err
			if err == nil {
				c.name, c.quotaTB = "", ""
				c.load(ctx)
			}
		})
	})
}

func (c *storagePage) act(id string, fn func(ctx context.Context, id string) (*client.StorageAccount, error)) app.EventHandler {
	return func(ctx app.Context, _ app.Event) {
		ctx = c.own(ctx)
		ctx.Async(func() {
			_, err := fn(ctx, id)
			ctx.Dispatch(func(ctx app.Context) {
				c.err = err
				c.load(ctx)
			})
		})
	}
}
