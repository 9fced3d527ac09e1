package ui

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

const directoryPage = 25

// directory is the partner directory: search, filters, sort, pages and
// CSV export. The last loaded page stays readable offline.
type directory struct {
	app.Compo
	q, typ, status, sort string
	offset               int
	list                 *client.List[client.DirectoryEntry]
	err                  error
	stale                bool
}

func (c *directory) OnNav(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	q := ctx.Page().URL().Query()
	c.q, c.typ, c.status, c.sort = q.Get("q"), q.Get("type"), q.Get("status"), q.Get("sort")
	c.offset, _ = strconv.Atoi(q.Get("offset"))
	c.load(ctx)
}

func (c *directory) query() client.DirectoryQuery {
	return client.DirectoryQuery{Q: c.q, Type: c.typ, Status: c.status, Sort: c.sort,
		Page: client.Page{Limit: directoryPage, Offset: c.offset}}
}

func (c *directory) load(ctx app.Context) {
	q := c.query()
	ctx.Async(func() {
		list, err := api.Partners(ctx, q)
		ctx.Dispatch(func(ctx app.Context) {
			switch {
			case err == nil:
				c.list, c.err, c.stale = list, nil, false
				_ = ctx.LocalStorage().Set("directory", list)
			case partnerkit.ErrorCode(err) == partnerkit.CodeInternal: // unreachable server: show the last page
				var cached client.List[client.DirectoryEntry]
				if ctx.LocalStorage().Get("directory", &cached) == nil && cached.Items != nil {
					c.list, c.stale, c.err = &cached, true, nil
				} else {
					c.err = err
				}
			case unauthorized(err):
				ctx.Navigate("/signin")
			default:
				c.err = err
			}
		})
	})
}

// apply navigates to the current filters, so they live in the URL.
func (c *directory) apply(ctx app.Context) {
	v := url.Values{}
	for k, s := range map[string]string{"q": c.q, "type": c.typ, "status": c.status, "sort": c.sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if c.offset > 0 {
		v.Set("offset", strconv.Itoa(c.offset))
	}
	ctx.Navigate("/?" + v.Encode())
}

func (c *directory) csvHref() string {
	v := url.Values{"format": {"csv"}}
	for k, s := range map[string]string{"q": c.q, "type": c.typ, "status": c.status, "sort": c.sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return "/api/v1/partners?" + v.Encode()
}

func (c *directory) Render() app.UI {
	return newShell("Directory",
		app.Form().Class("filters").OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			c.offset = 0
			c.apply(ctx)
		}).Body(
			app.Input().ID("search").Type("search").Placeholder("Search by name").Value(c.q).OnInput(c.ValueTo(&c.q)),
			selectBox("filter-type", "Type", &c.typ, c, "", "", "All types", "vendor", "Vendor", "reseller", "Reseller", "distributor", "Distributor"),
			selectBox("filter-status", "Status", &c.status, c, "", "", "All statuses", "invited", "Invited", "active", "Active", "suspended", "Suspended"),
			selectBox("sort", "Sort", &c.sort, c, "name", "name", "Name A–Z", "-name", "Name Z–A", "-created_at", "Newest", "created_at", "Oldest"),
			app.Button().Type("submit").Text("Apply"),
			app.A().ID("export-csv").Class("button secondary").Href(c.csvHref()).Attr("download", "partners.csv").Text("Export CSV"),
			app.A().ID("create-partner").Class("button").Href("/partners/new").Text("Create partner"),
		),
		errorBanner(c.err),
		app.If(c.stale, func() app.UI {
			return app.P().Class("offline").Text("Offline copy of the last loaded page.")
		}),
		app.If(c.list != nil, func() app.UI { return c.table() }),
	)
}

func (c *directory) table() app.UI {
	items := c.list.Items
	return app.Div().Class("table-wrap").Body(
		app.Table().ID("directory").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text("Type"), app.Th().Text("Name"), app.Th().Text("External ID"), app.Th().Text("Status"),
				app.Th().Text("Business contact"), app.Th().Text("Technical contact"),
				app.Th().Text("Signed contracts"), app.Th().Text("Agreements"), app.Th().Text("Listings"),
			)),
			app.TBody().Body(app.Range(items).Slice(func(i int) app.UI {
				p := items[i]
				return app.Tr().Class("partner-row").Attr("data-id", p.ID).Body(
					app.Td().Text(p.Type),
					app.Td().Body(app.A().Href("/partners/"+p.ID).Text(p.Name)),
					app.Td().Text(p.ExternalID),
					app.Td().Body(app.Span().Class("status status-"+p.Status).Text(p.Status)),
					app.Td().Text(contactText(p.BusinessContact)),
					app.Td().Text(contactText(p.TechnicalContact)),
					app.Td().Class("num").Text(p.SignedContracts),
					app.Td().Class("num").Text(p.Agreements),
					app.Td().Class("num").Text(p.Listings),
				)
			})),
		),
		app.Div().Class("pager").Body(
			app.Span().ID("page-info").Text(fmt.Sprintf("%d–%d of %d", min(c.offset+1, c.list.Total), c.offset+len(items), c.list.Total)),
			app.Button().ID("prev").Disabled(c.offset == 0).Text("Previous").OnClick(func(ctx app.Context, _ app.Event) {
				c.offset = max(0, c.offset-directoryPage)
				c.apply(ctx)
			}),
			app.Button().ID("next").Disabled(c.offset+len(items) >= c.list.Total).Text("Next").OnClick(func(ctx app.Context, _ app.Event) {
				c.offset += directoryPage
				c.apply(ctx)
			}),
		),
	)
}

func contactText(c client.Contact) string {
	switch {
	case c.Name != "" && c.Email != "":
		return c.Name + " <" + c.Email + ">"
	case c.Name != "":
		return c.Name
	}
	return c.Email
}

// selectBox renders a labelled select bound to *v; options are value,
// label pairs after the default value.
func selectBox(id, label string, v *string, c interface{ ValueTo(any) app.EventHandler }, def string, options ...string) app.UI {
	cur := *v
	if cur == "" {
		cur = def
	}
	opts := make([]app.UI, 0, len(options)/2)
	for i := 0; i+1 < len(options); i += 2 {
		opts = append(opts, app.Option().Value(options[i]).Selected(options[i] == cur).Text(options[i+1]))
	}
	return app.Label().Class("select").Body(
		app.Span().Class("sr-only").Text(label),
		app.Select().ID(id).OnChange(c.ValueTo(v)).Body(opts...),
	)
}
