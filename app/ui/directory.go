package ui

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit/app/client"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

const directoryPage = 25

// directory is the partner directory: search, filters, sort, pages and
// CSV export. Each page of it is a read of its own state (reads.go); a page
// loaded before stays readable offline (the client's offline copies,
// client_js.go).
type directory struct {
	app.Compo
	reader
	q, sort string
	typ     partnerrules.AccountType
	status  partnerrules.Status
	offset  int
	list    *client.List[client.DirectoryEntry]
	err     error
	offline bool // offline, and this page was never loaded
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

// FirstReads are the API reads the page at path makes as soon as the app
// runs, for the server to preload with the page when a session is signed
// in: the top bar's /me on every page, and the directory's first page on
// "/" without a query.
func FirstReads(path, rawQuery string) []string {
	if path != "/" || rawQuery != "" {
		return []string{client.MePath}
	}
	return []string{client.MePath, client.PartnersPath((&directory{}).query())}
}

func (c *directory) query() client.DirectoryQuery {
	return client.DirectoryQuery{Q: c.q, Type: string(c.typ), Status: string(c.status), Sort: c.sort,
		Page: client.Page{Limit: directoryPage, Offset: c.offset}}
}

func (c *directory) load(ctx app.Context) {
	q := c.query()
	filtered := c.filterQuery() != ""
	c.read(ctx, client.PartnersPath(q), func(ctx context.Context) (any, error) { return api.Partners(ctx, q) }, func(s loadState) {
		switch s.Status {
		case loadLoaded:
			c.list, c.err, c.offline = s.Value.(*client.List[client.DirectoryEntry]), nil, false
		case loadFailed:
			c.list, c.err, c.offline = nil, s.Err, false
			if s.offline() && filtered { // offline, and this search was never loaded
				c.offline, c.err = true, nil
			}
		}
	})
}

// filterQuery is the page's query string: its filters and offset.
func (c *directory) filterQuery() string {
	v := url.Values{}
	for k, s := range c.filters() {
		if s != "" {
			v.Set(k, s)
		}
	}
	if c.offset > 0 {
		v.Set("offset", strconv.Itoa(c.offset))
	}
	return v.Encode()
}

// apply navigates to the current filters, so they live in the URL.
func (c *directory) apply(ctx app.Context) { ctx.Navigate("/?" + c.filterQuery()) }

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
		app.Elem("form").Class("filters").Attr("role", "search").OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			c.offset = 0
			c.apply(ctx)
		}).Body(
			app.ElemSelfClosing("input").ID("search").Attr("type", "search").Attr("aria-label", "Search partners by name").Attr("placeholder", "Search by name").Attr("value", c.q).OnInput(c.ValueTo(&c.q)),
			enumSelect("filter-type", "Type", &c.typ, c, partnerrules.PartnerTypes(), partnerrules.AccountType.Label, "", "All types"),
			enumSelect("filter-status", "Status", &c.status, c, partnerrules.Statuses(), partnerrules.Status.Label, "", "All statuses"),
			enumSelect("sort", "Sort", &c.sort, c, []string{string(partnerrules.SortName), string(partnerrules.SortNameDesc),
				string(partnerrules.SortCreatedAtDesc), string(partnerrules.SortCreatedAt)}, sortLabel),
			app.Elem("button").Attr("type", "submit").Text("Apply"),
			app.Elem("a").ID("export-csv").Class("button secondary").Attr("href", c.csvHref()).Attr("download", "partners.csv").Text("Export CSV"),
			app.Elem("a").ID("create-partner").Class("button").Attr("href", "/partners/new").Text("Create partner"),
		),
		errorBanner(c.err),
		app.If(c.offline, func() app.UI {
			return empty("directory-offline", "You are offline: this search needs the connection. Clear the search to see the last loaded directory.")
		}),
		app.If(c.list == nil && c.err == nil && !c.offline && c.loading(), func() app.UI {
			return loadingNote("directory-loading", "Loading partners…")
		}),
		app.If(c.list != nil, func() app.UI { return c.table() }),
	)
}

// directoryHead is the directory's columns: the partner first (a card's
// title on a phone), then seed 000's.
var directoryHead = []string{"Name", "Type", "External ID", "Status", "Business contact", "Technical contact",
	"Signed contracts|num", "Agreements|num", "Listings|num"}

func (c *directory) table() app.UI {
	items := c.list.Items
	if len(items) == 0 {
		if c.filterQuery() != "" {
			return empty("no-match", "No partners match this search. Clear the search or change the filters.")
		}
		return empty("no-partners", "No partners yet: create your first partner.")
	}
	rows := make([]string, len(items))
	for i, p := range items {
		rows[i] = row(directoryHead, attr("class", "partner-row")+attr("data-id", p.ID),
			link("/partners/"+p.ID, p.Name), esc(p.Type.Label()), esc(p.ExternalID), badge(string(p.Status), string(p.Status)),
			contactHTML(p.BusinessContact), contactHTML(p.TechnicalContact),
			itoa(p.SignedContracts), itoa(p.Agreements), itoa(p.Listings))
	}
	return box(
		cards("directory", directoryHead, rows),
		div("pager",
			app.Elem("span").ID("page-info").Attr("aria-live", "polite").Text(fmt.Sprintf("%d–%d of %d", min(c.offset+1, c.list.Total), c.offset+len(items), c.list.Total)),
			app.Elem("button").ID("prev").Attr("disabled", c.offset == 0).Text("Previous").OnClick(func(ctx app.Context, _ app.Event) {
				c.offset = max(0, c.offset-directoryPage)
				c.apply(ctx)
			}),
			app.Elem("button").ID("next").Attr("disabled", c.offset+len(items) >= c.list.Total).Text("Next").OnClick(func(ctx app.Context, _ app.Event) {
				c.offset += directoryPage
				c.apply(ctx)
			}),
		),
	)
}

// contactHTML is a contact's name over its email, as raw HTML.
func contactHTML(c client.Contact) string {
	if c.Email == "" {
		return esc(c.Name)
	}
	user, domain, _ := strings.Cut(c.Email, "@") // a long address breaks after its @
	return rawf(`<span class="contact">$<span class="hint">$@<wbr>$</span></span>`, c.Name, user, domain)
}

// sortLabel names a directory sort order.
func sortLabel(s string) string {
	return map[string]string{string(partnerrules.SortName): "Name A–Z", string(partnerrules.SortNameDesc): "Name Z–A",
		string(partnerrules.SortCreatedAtDesc): "Newest", string(partnerrules.SortCreatedAt): "Oldest"}[s]
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
