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
	reader
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
	partner := c.partnerID
	c.read(c.own(ctx), "storage-page:"+partner, func(ctx context.Context) (any, error) {
		return api.StorageAccounts(ctx, partner, client.Page{Limit: 500})
	}, func(s loadState) {
		if v, err, ok := outcome[*client.List[client.StorageAccount]](s); ok {
			c.list, c.err = v, err
		}
	})
}

var storageHead = []string{"Name", "Quota|num", "Status", ""}

func (c *storagePage) Render() app.UI {
	csv := "/api/v1/storage-accounts?format=csv"
	if c.partnerID != "" {
		csv += "&partner_id=" + c.partnerID
	}
	return newShell("Storage accounts",
		errorBanner(c.err),
		form("storage-form", c.create,
			field(c, "storage-name", "Customer account name", "text", &c.name, c.formErr, "name"),
			div("field",
				labelFor("storage-quota", "Quota (TB)"),
				withProblem(app.ElemSelfClosing("input").ID("storage-quota").Attr("inputmode", "decimal").Attr("value", c.quotaTB).OnInput(c.ValueTo(&c.quotaTB)),
					"storage-quota", c.formErr, "quota_tb"),
				fieldProblem("storage-quota", c.formErr, "quota_tb"),
			),
			fieldError(c.formErr, "partner_id"),
			errorBanner(c.formErr),
			div("actions",
				submitButton("create-storage", "Create"),
				app.Elem("a").Class("button secondary").Attr("href", csv).Attr("download", "storage-accounts.csv").Text("Export CSV"),
			),
		),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			if len(items) == 0 {
				return empty("no-storage", "No storage accounts yet.")
			}
			rows := make([]string, len(items))
			for i, a := range items {
				status := label(a.Status)
				if a.DeleteAt != nil {
					status += " for " + day(*a.DeleteAt)
				}
				action := rowButton("small danger", "Delete", "delete", a.ID)
				if !capacityrules.StorageStatus(a.Status).CanDelete() {
					action = rowButton("small", "Cancel deletion", "cancel", a.ID)
				}
				rows[i] = row(storageHead, attr("class", "storage-row")+attr("data-id", a.ID), esc(a.Name), tbHTML(a.QuotaTB), badge(a.Status, status), action)
			}
			return app.Elem("div").OnClick(c.act).Body(cards("storage-accounts", storageHead, rows))
		}).ElseIf(c.err == nil && c.loading(), func() app.UI { return loadingNote("storage-loading", "Loading storage accounts…") }),
	)
}

func (c *storagePage) create(ctx app.Context, e app.Event) {
	e.PreventDefault()
	quota, err := capacityrules.ParseTB("quota_tb", c.quotaTB) // the server's TB rule
	if err == nil {
		err = capacityrules.CheckTB("quota_tb", quota, false)
	}
	if c.formErr = err; err != nil {
		focusFirstInvalid(c.own(ctx))
		return
	}
	in := client.NewStorageAccount{PartnerID: c.partnerID, Name: c.name, QuotaTB: quota.String()}
	ctx = c.own(ctx)
	ctx.Async(func() {
		_, err := api.CreateStorageAccount(ctx, in)
		ctx.Dispatch(func(ctx app.Context) {
			c.formErr = err
			focusFirstInvalid(ctx)
			if err == nil {
				c.name, c.quotaTB = "", ""
				c.load(ctx)
			}
		})
	})
}

// act schedules the deletion of the storage account whose button was
// clicked (data-act, data-id), or cancels it.
func (c *storagePage) act(ctx app.Context, e app.Event) {
	act, id := clickedAct(e)
	fn := api.DeleteStorageAccount
	switch act {
	case "":
		return
	case "cancel":
		fn = api.CancelDeletion
	}
	background(&c.mounted, ctx, func(ctx context.Context) error {
		_, err := fn(ctx, id)
		return err
	}, func(ctx app.Context, err error) {
		c.err = err
		c.load(ctx)
	})
}
