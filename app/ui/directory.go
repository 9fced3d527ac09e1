package ui

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

const directoryPage = 25

// directory is the partner directory: search, filters, sort, pages and
// CSV export. The last loaded page stays readable offline.
type directory struct {
	app.Compo
	q, sort string
	typ     partnerrules.AccountType
	status  partnerrules.Status
	offset  int
	list    *client.List[client.DirectoryEntry]
	err     error
	stale   bool
}

func (c *directory) OnNav(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	q := ctx.Page().URL().Query()
	c.q, c.typ, c.status, c.sort = q.Get("q"), partnerrules.AccountType(q.Get("type")), partnerrules.Status(q.Get("status")), q.Get("sort")
	c.offset, _ = strconv.Atoi(q.Get("offset"))
	c.load(ctx)
}

func (c *directory) query() client.DirectoryQuery {
	return client.DirectoryQuery{Q: c.q, Type: string(c.typ), Status: string(c.status), Sort: c.sort,
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
	for k, s := range c.filters() {
		if s != "" {
			v.Set(k, s)
		}
	}
	if c.offset > 0 {
		v.Set("offset", strconv.Itoa(c.offset))
	}
	ctx.Navigate("/?" + v.Encode())
}

// filters are the directory's query parameters.
func (c *directory) filters() map[string]string {
	return map[string]string{"q": c.q, "type": string(c.typ), "status": string(c.status), "sort": c.sort}
}

func (c *directory) csvHref() string {
	v := url.Values{"format": {"csv"}}
	for k, s := range c.filters() {
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
			enumSelect("filter-type", "Type", &c.typ, c, partnerrules.PartnerTypes(), partnerrules.AccountType.Label, "", "All types"),
			enumSelect("filter-status", "Status", &c.status, c, partnerrules.Statuses(), partnerrules.Status.Label, "", "All statuses"),
			enumSelect("sort", "Sort", &c.sort, c, []string{string(partnerrules.SortName), string(partnerrules.SortNameDesc),
				string(partnerrules.SortCreatedAtDesc), string(partnerrules.SortCreatedAt)}, sortLabel),
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
	return div("table-wrap",
		table("directory",
			thead("Type", "Name", "External ID", "Status", "Business contact", "Technical contact", "Signed contracts", "Agreements", "Listings"),
			tbody(app.Range(items).Slice(func(i int) app.UI {
				p := items[i]
				return app.Tr().Class("partner-row").Attr("data-id", p.ID).Body(
					td(string(p.Type)),
					tdBody(anchor("", "/partners/"+p.ID, p.Name)),
					td(p.ExternalID),
					statusCell(p.Status),
					td(contactText(p.BusinessContact)),
					td(contactText(p.TechnicalContact)),
					tdc("num", p.SignedContracts),
					tdc("num", p.Agreements),
					tdc("num", p.Listings),
				)
			})),
		),
		div("pager",
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

// sortLabel names a directory sort order.
func sortLabel(s string) string {
	return map[string]string{string(partnerrules.SortName): "Name A–Z", string(partnerrules.SortNameDesc): "Name Z–A",
		string(partnerrules.SortCreatedAtDesc): "Newest", string(partnerrules.SortCreatedAt): "Oldest"}[s]
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
func selectBox[T ~string](id, label string, v *T, c interface{ ValueTo(any) app.EventHandler }, def string, options ...string) app.UI {
	cur := string(*v)
	if cur == "" {
		cur = def
	}
	opts := make([]app.UI, 0, len(options)/2)
	for i := 0; i+1 < len(options); i += 2 {
		opts = append(opts, option(options[i], options[i+1], options[i] == cur))
	}
	return labelOf("select",
		span("sr-only", label),
		selectOf(id, c.ValueTo(v), opts...),
	)
}

// enumSelect renders a labelled select of an enumeration's values (from its
// rules package, in its order) bound to *v, after leading value, label
// pairs; the first option is the default.
func enumSelect[T ~string](id, label string, v *T, c interface{ ValueTo(any) app.EventHandler }, values []T, name func(T) string, leading ...string) app.UI {
	opts := options(values, name, leading...)
	def := ""
	if len(opts) > 0 {
		def = opts[0]
	}
	return selectBox(id, label, v, c, def, opts...)
}
