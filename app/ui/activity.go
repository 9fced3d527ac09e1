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
	for _, k := range []string{"type", "entity", "from", "to"} {
		if s := formValue("activity", k); s != "" {
			v.Set(k, s)
		}
	}
	ctx.Navigate("/activity?" + v.Encode())
}

// more loads the next page (the page's one button).
func (c *activityPage) more(ctx app.Context, e app.Event) {
	if act, _, _ := actOf(e); act == "more" {
		c.load(ctx)
	}
}

// selectHTML is a select of an id and a label holding raw options,
// value chosen selected.
func selectHTML(id, label, options, chosen string) string {
	if chosen != "" {
		options = strings.Replace(options, attr("value", chosen)+">", attr("value", chosen)+" selected>", 1)
	}
	return rawf(`<label class="select"><span class="sr-only">$</span><select id="$">!</select></label>`, label, id, options)
}

func (c *activityPage) Render() app.UI {
	types, objects := `<option value="">All event types</option>`, `<option value="">All objects</option>`
	for i := range catalogue {
		t := &catalogue[i]
		if i == 0 || t.Entity != catalogue[i-1].Entity { // the catalogue comes sorted by entity
			types += rawf(`!<optgroup label="$">`, pick(i > 0, "</optgroup>", ""), humanize(t.Entity))
			objects += rawf(`<option value="$">$</option>`, t.Entity, humanize(t.Entity))
		}
		types += rawf(`<option value="$">$</option>`, t.Name, humanize(t.Name))
	}
	types += pick(len(catalogue) > 0, "</optgroup>", "")
	var list app.UI
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
	return newShell("Activity",
		form("activity-filters", c.apply,
			app.Raw(rawf(`<div class="filters">!!<label class="date">From <input type="date" id="activity-from" value="$"></label>`+
				`<label class="date">To <input type="date" id="activity-to" value="$"></label><button type="submit" id="apply-filters">Apply</button></div>`,
				selectHTML("activity-type", "Event type", types, c.typ), selectHTML("activity-entity", "Object", objects, c.entity), c.from, c.to)),
			fieldError(c.err, "since"), fieldError(c.err, "until"), fieldError(c.err, "types[0]"), fieldError(c.err, "entity_type"),
		),
		errorBanner(c.err),
		hint("Newest first. Times are UTC."),
		app.Elem("div").OnClick(c.more).Body(list, pager(len(c.items), c.total, "more-events")),
	)
}

// row is one event's row: its time, type, object (linked where the app
// has a page for it) and who acted.
func (c *activityPage) row(e *client.Event) string {
	var obj struct {
		Name        string `json:"name"`
		Description string `json:"description"` // a webhook endpoint's
		PartnerID   string `json:"partner_id"`
	}
	data := e.Data.Object
	if len(data) == 0 {
		data = e.Data.Previous
	}
	_ = json.Unmarshal(data, &obj)
	if obj.Name == "" {
		obj.Name = pick(obj.Description != "", obj.Description, e.Data.EntityID)
	}
	object := rawf("$ $", humanize(e.Data.EntityType), obj.Name)
	if href := objectHref(e, obj.PartnerID); href != "" {
		object = rawf(`<a class="event-object" href="$">!</a>`, href, object)
	}
	return rawf(`<tr class="event-row" data-id="$" data-type="$"><td>$</td><td><span title="$">$</span> <span class="code">$</span></td><td>!</td><td>$</td></tr>`,
		e.ID, e.Type, when(e.CreatedAt), description(e.Type), humanize(e.Type), e.Type, object, c.actorName(e.Data.Actor))
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
