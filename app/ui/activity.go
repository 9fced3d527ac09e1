package ui

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// activityPage is the activity feed (GET /events): the domain events of
// the account and of the accounts it manages, newest first, filtered by
// event type, object type and dates (UTC), a page at a time ("More"),
// each linked to the object's page where the app has one. The filters
// live in the URL.
type activityPage struct {
	app.Compo
	mounted
	typ, entity, from, to string
	items                 []client.Event
	total                 int
	// names are the account's team members' names by user ID.
	names map[string]string
	err   error
}

// activityLimit is the size of a page of the feed.
const activityLimit = 25

func (c *activityPage) OnNav(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	q := ctx.Page().URL().Query()
	c.typ, c.entity, c.from, c.to, c.items, c.total = q.Get("type"), q.Get("entity"), q.Get("from"), q.Get("to"), nil, 0
	c.load(ctx)
}

// query is the feed's query of the filters, or the invalid error of
// dates that do not parse or do not make a range.
func (c *activityPage) query() (client.EventQuery, error) {
	q := client.EventQuery{EntityType: c.entity, Page: client.Page{Limit: activityLimit, Offset: len(c.items)}}
	if c.typ != "" {
		q.Types = []string{c.typ}
	}
	var errs []error
	day := func(v, field string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			errs = append(errs, partnerkit.FieldError(field, "must be a date such as 2026-12-01"))
		}
		return t
	}
	q.Since = day(c.from, "since")
	if q.Until = day(c.to, "until"); !q.Until.IsZero() {
		q.Until = q.Until.AddDate(0, 0, 1) // the whole last day
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		errs = append(errs, partnerkit.FieldError("until", "must not be before the start"))
	}
	return q, invalid(errs...)
}

// load loads the next page of the feed (the first when there is none),
// with the catalogue and the team's names the first time.
func (c *activityPage) load(ctx app.Context) {
	q, err := c.query()
	if c.err = err; err != nil {
		return
	}
	var list *client.List[client.Event]
	names := c.names
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		if err = loadCatalogue(ctx); err != nil {
			return err
		}
		if names == nil {
			names = map[string]string{}
			if team, err := api.Team(ctx); err == nil { // names are a nicety: the feed shows IDs without them
				for _, m := range team.Items {
					names[m.UserID] = pick(m.User.FullName != "", m.User.FullName, m.User.Email)
				}
			}
		}
		list, err = api.Events(ctx, q)
		return err
	}, func(_ app.Context, err error) {
		c.err, c.names = err, names
		if err == nil {
			c.items, c.total = append(append([]client.Event{}, c.items...), list.Items...), list.Total
		}
	})
}

// apply navigates to the filters, so that they live in the URL.
func (c *activityPage) apply(ctx app.Context, e app.Event) {
	e.PreventDefault()
	v := url.Values{}
	for k, s := range map[string]string{"type": c.typ, "entity": c.entity, "from": c.from, "to": c.to} {
		if s != "" {
			v.Set(k, s)
		}
	}
	ctx.Navigate("/activity?" + v.Encode())
}

// selectHTML is a select of an id and a label holding raw options,
// value chosen selected.
func selectHTML(id, label, options, chosen string) string {
	if chosen != "" {
		options = strings.Replace(options, attr("value", chosen)+">", attr("value", chosen)+" selected>", 1)
	}
	return `<label class="select"><span class="sr-only">` + esc(label) + "</span><select" + attr("id", id) + ">" + options + "</select></label>"
}

// onFilter keeps the filter of the select that changed (their change
// events bubble to the filters' container).
func (c *activityPage) onFilter(_ app.Context, e app.Event) {
	src := e.Get("target")
	switch src.Get("id").String() {
	case "activity-type":
		c.typ = src.Get("value").String()
	case "activity-entity":
		c.entity = src.Get("value").String()
	}
}

func (c *activityPage) Render() app.UI {
	entities, groups := entityGroups(catalogue)
	types, objects := `<option value="">All event types</option>`, `<option value="">All objects</option>`
	for i, en := range entities {
		types += "<optgroup" + attr("label", humanize(en)) + ">"
		for _, t := range groups[i] {
			types += "<option" + attr("value", t.Name) + ">" + esc(humanize(t.Name)) + "</option>"
		}
		types += "</optgroup>"
		objects += "<option" + attr("value", en) + ">" + esc(humanize(en)) + "</option>"
	}
	var list, more app.UI
	switch {
	case len(c.items) > 0:
		rows := make([]string, len(c.items))
		for i := range c.items {
			rows[i] = c.row(&c.items[i])
		}
		list = rawTable("activity", []string{"Time", "Event", "Object", "By"}, rows)
	case c.items != nil:
		list = hint("No events match.")
	}
	if len(c.items) < c.total {
		more = typeButtonID("more-events", "secondary", "More", func(ctx app.Context, _ app.Event) { c.load(ctx) })
	}
	return newShell("Activity",
		form("activity-filters", c.apply,
			app.Div().Class("filters").OnChange(c.onFilter).Body(
				app.Raw(selectHTML("activity-type", "Event type", types, c.typ)),
				app.Raw(selectHTML("activity-entity", "Object", objects, c.entity)),
				labelOf("date", app.Text("From "), app.Input().ID("activity-from").Type("date").Value(c.from).OnInput(c.ValueTo(&c.from))),
				labelOf("date", app.Text("To "), app.Input().ID("activity-to").Type("date").Value(c.to).OnInput(c.ValueTo(&c.to))),
				submitButton("apply-filters", "Apply"),
			),
			fieldError(c.err, "since"), fieldError(c.err, "until"), fieldError(c.err, "types[0]"), fieldError(c.err, "entity_type"),
		),
		errorBanner(c.err),
		hint("Newest first. Times are UTC."),
		list,
		div("pager", app.Span().ID("activity-count").Class("hint").Text(itoa(len(c.items))+" of "+itoa(c.total)), more),
	)
}

// row is one event's row: its time, type, object (linked where the app
// has a page for it) and who acted.
func (c *activityPage) row(e *client.Event) string {
	var obj struct {
		Name      string `json:"name"`
		PartnerID string `json:"partner_id"`
	}
	data := e.Data.Object
	if len(data) == 0 {
		data = e.Data.Previous
	}
	_ = json.Unmarshal(data, &obj)
	text := humanize(e.Data.EntityType) + " " + pick(obj.Name != "", obj.Name, e.Data.EntityID)
	object := esc(text)
	if href := objectHref(e, obj.PartnerID); href != "" {
		object = link("event-object", href, text)
	}
	return `<tr class="event-row"` + attr("data-id", e.ID) + attr("data-type", e.Type) + ">" + elem("td", "", esc(when(e.CreatedAt))) +
		"<td><span" + attr("title", description(e.Type)) + ">" + esc(humanize(e.Type)) + "</span> " + code(e.Type) + "</td>" +
		elem("td", "", object) + elem("td", "", esc(c.actorName(e.Data.Actor))) + "</tr>"
}

// description is what the catalogue says of an event type.
func description(typ string) string {
	for _, t := range catalogue {
		if t.Name == typ {
			return t.Description
		}
	}
	return ""
}

// actorName names who acted: a team member by name, else what the ID is.
func (c *activityPage) actorName(actor string) string {
	switch {
	case actor == partnerkit.PrincipalSystem:
		return "System (scheduled rule)"
	case actor == "public":
		return "Invitation link"
	case c.names[actor] != "":
		return c.names[actor]
	case strings.HasPrefix(actor, partnerkit.PrefixUser+"-"):
		return "User " + actor
	case strings.HasPrefix(actor, "AK-"):
		return "API key " + actor
	}
	return actor
}

// objectHref is the app's page of an event's object ("" where it has
// none, or the object is gone); partnerID is the object's partner, where
// it names one.
func objectHref(e *client.Event, partnerID string) string {
	id := url.PathEscape(e.Data.EntityID)
	if strings.HasSuffix(e.Type, ".deleted") || strings.HasSuffix(e.Type, ".purged") || strings.HasSuffix(e.Type, ".removed") {
		return ""
	}
	switch e.Data.EntityType {
	case "partner":
		return "/partners/" + id
	case "agreement":
		return "/agreements/" + id
	case "contract", "invitation":
		if partnerID != "" {
			return "/partners/" + url.PathEscape(partnerID) + "?tab=contracts"
		}
		return "/contracts"
	case "storage_account":
		return "/storage" + pick(partnerID != "", "?partner="+url.QueryEscape(partnerID), "")
	case "subscription":
		return "/subscriptions"
	case "client":
		return "/clients"
	case "catalog_service":
		return "/catalog"
	case "product", "listing":
		return "/products"
	case "deal":
		return "/deals"
	case "webhook":
		return "/webhooks/" + id
	}
	return ""
}
