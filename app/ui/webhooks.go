package ui

import (
	"context"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// The webhook screens of an account's admins: /webhooks lists the
// endpoints and registers new ones (the signing secret is shown once);
// /webhooks/{id} edits one, rotates its secret, deletes it, sends it a test
// event and lists its deliveries; /webhook-deliveries/{id} shows every
// attempt of one delivery and sends it again.
//
// What these screens and the activity feed only show (tables, details,
// the event type picker's check boxes) is built as escaped HTML (app.Raw,
// see the raw helpers below), and their controls as components: Go's
// WebAssembly code for each element built through go-app's chained calls
// is large, and the budget of app.wasm (make wasm-size) is small. Links in
// raw HTML navigate inside the app like any other (go-app handles every
// click on an <a>), and the picker's check boxes report to one handler on
// their container (change events bubble).

// catalogue is the event type catalogue (GET /event-types), loaded once.
var catalogue []client.EventType

// loadCatalogue loads the catalogue unless it is loaded already.
func loadCatalogue(ctx context.Context) error {
	if catalogue != nil {
		return nil
	}
	l, err := api.EventTypes(ctx, client.Page{Limit: 500, Sort: "entity"}) // grouped by entity, A–Z
	if err == nil {
		catalogue = l.Items
	}
	return err
}

// background runs fn off the UI goroutine, then done with its error on
// the component's own context; a gone session goes to sign-in instead.
func background(m *mounted, ctx app.Context, fn func(ctx context.Context) error, done func(ctx app.Context, err error)) {
	ctx = m.own(ctx)
	ctx.Async(func() {
		err := fn(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if !signedOut(ctx, err) {
				done(ctx, err)
			}
		})
	})
}

// Raw HTML helpers: every text and attribute value goes through esc.

// esc escapes text for raw HTML.
func esc(s string) string { return html.EscapeString(s) }

// elem is an element of a class ("" for none) around inner, raw HTML.
func elem(name, class, inner string) string {
	if class != "" {
		return "<" + name + ` class="` + class + `">` + inner + "</" + name + ">"
	}
	return "<" + name + ">" + inner + "</" + name + ">"
}

// attr is an attribute, its value escaped.
func attr(name, value string) string { return " " + name + `="` + esc(value) + `"` }

// link is a link of a class to href around text.
func link(class, href, text string) string {
	return "<a" + attr("class", class) + attr("href", href) + ">" + esc(text) + "</a>"
}

// badge is a status badge: class status-<status>, the status's text.
func badge(status, text string) string { return elem("span", "status status-"+esc(status), esc(text)) }

// code is an API name in monospace.
func code(name string) string { return elem("span", "code", esc(name)) }

// named is an event type's label and its API name.
func named(typ string) string { return esc(humanize(typ)) + " " + code(typ) }

// rawTable is a table that scrolls sideways in its own container: its
// column labels, then its rows (raw <tr> elements).
func rawTable(id string, head []string, rows []string) app.UI {
	var b strings.Builder
	b.WriteString(`<div class="scroll-x"><table` + attr("id", id) + "><thead><tr>")
	for _, h := range head {
		b.WriteString(elem("th", "", esc(h)))
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range rows {
		b.WriteString(r)
	}
	b.WriteString("</tbody></table></div>")
	return app.Raw(b.String())
}

// facts is a description list of term, raw HTML description pairs.
func facts(id string, pairs ...string) app.UI {
	var b strings.Builder
	b.WriteString("<dl" + attr("id", id) + ">")
	for i := 0; i+1 < len(pairs); i += 2 {
		b.WriteString(elem("dt", "", esc(pairs[i])) + elem("dd", "", pairs[i+1]))
	}
	return app.Raw(b.String() + "</dl>")
}

// humanize labels a name of the API: "storage_account.deletion_scheduled"
// is "Storage account deletion scheduled", "api_key" is "API key".
func humanize(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '.' || r == '_' })
	for i, w := range words {
		if w == "api" {
			words[i] = "API"
		}
	}
	s := strings.Join(words, " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// entityGroups groups the catalogue by entity, in the catalogue's order.
func entityGroups(cat []client.EventType) (entities []string, groups [][]client.EventType) {
	for _, t := range cat {
		i := indexOf(entities, t.Entity)
		if i < 0 {
			i = len(entities)
			entities, groups = append(entities, t.Entity), append(groups, nil)
		}
		groups[i] = append(groups[i], t)
	}
	return entities, groups
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// when is a time as the screens show it (UTC).
func when(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04:05") }

// typesText sums up an endpoint's event types.
func typesText(types []string) string {
	switch {
	case len(types) == 0:
		return "All events"
	case len(types) <= 3:
		return strings.Join(types, ", ")
	}
	return itoa(len(types)) + " event types"
}

// enabledBadge is an endpoint's enabled state, with why it is disabled.
func enabledBadge(e *client.WebhookEndpoint) string {
	switch {
	case e.Enabled:
		return badge("enabled", "enabled")
	case e.DisabledReason == "failing":
		return badge("disabled", "disabled: failed for 3 days")
	}
	return badge("disabled", "disabled")
}

// statusCode is an HTTP status as the log shows it: "—" for none.
func statusCode(n int) string {
	if n == 0 {
		return "—"
	}
	return itoa(n)
}

// typeChoice is an event type picker: every type (all), or the chosen ones.
type typeChoice struct {
	mode   string // "all" or "some"
	chosen []string
	// boxes is the check boxes' HTML, built when they appear and kept while
	// they show, so that ticking one does not replace them (and fold the
	// groups the user opened).
	boxes string
}

func choiceOf(types []string) typeChoice {
	return typeChoice{mode: pick(len(types) == 0, "all", "some"), chosen: append([]string{}, types...)}
}

// types is what the API is sent: empty for every type.
func (t *typeChoice) types() []string {
	if t.mode == "all" {
		return []string{}
	}
	return t.chosen
}

// check is the picker's problem before the API is asked: "some" with none
// chosen would mean every type.
func (t *typeChoice) check() error {
	if t.mode != "all" && len(t.chosen) == 0 {
		return partnerkit.FieldError("event_types", "choose at least one event type, or All events")
	}
	return nil
}

// onType ticks or unticks the type of the check box that changed.
func (t *typeChoice) onType(_ app.Context, e app.Event) {
	box := e.Get("target")
	if box.Get("type").String() != "checkbox" {
		return
	}
	name := box.Get("value").String()
	if i := indexOf(t.chosen, name); i >= 0 {
		t.chosen = append(t.chosen[:i:i], t.chosen[i+1:]...)
	}
	if box.Get("checked").Bool() {
		t.chosen = append(t.chosen, name)
	}
}

// checkBoxes is the HTML of the catalogue's types as check boxes, grouped
// by entity in folding groups, the chosen ones ticked.
func (t *typeChoice) checkBoxes() string {
	entities, groups := entityGroups(catalogue)
	var b strings.Builder
	b.WriteString(`<div class="type-groups">`)
	for i, en := range entities {
		b.WriteString(`<details class="type-group"` + attr("data-entity", en) + ">" + elem("summary", "", esc(humanize(en))))
		for _, et := range groups[i] {
			b.WriteString(`<label class="check"><input type="checkbox"` + attr("value", et.Name) +
				pick(indexOf(t.chosen, et.Name) >= 0, " checked", "") + "> " + named(et.Name) + elem("span", "hint", esc(et.Description)) + "</label>")
		}
		b.WriteString("</details>")
	}
	return b.String() + "</div>"
}

// render is the picker; its ids start with id.
func (t *typeChoice) render(id string, err error) app.UI {
	var boxes app.UI
	if t.mode == "all" {
		t.boxes = ""
	} else {
		if t.boxes == "" && len(catalogue) > 0 {
			t.boxes = t.checkBoxes()
		}
		boxes = app.Div().OnChange(t.onType).Body(
			app.Raw(t.boxes),
			app.P().ID(id+"-chosen").Class("hint").Text(pick(len(t.chosen) == 0, "None chosen yet: open a group and tick the events to send.",
				itoa(len(t.chosen))+" chosen: "+strings.Join(t.chosen, ", "))),
		)
	}
	return app.FieldSet().ID(id).Class("types").Body(
		app.Legend().Text("Events to send"),
		radio(id+"-all", id+"-mode", "all", "All events, including types added later", &t.mode),
		radio(id+"-some", id+"-mode", "some", "Only the events I choose", &t.mode),
		boxes,
		typesError(err),
	)
}

// typesError shows the API's problem with the event types ("event_types"
// or one of them, "event_types[2]").
func typesError(err error) app.UI {
	for k, msg := range partnerkit.ErrorFields(err) {
		if strings.HasPrefix(k, "event_types") {
			return app.Span().Class("field-error").Attr("data-field", "event_types").Text(msg)
		}
	}
	return nil
}

// secretNotice shows a signing secret once, with a copy button and the
// warning that it is not shown again.
func secretNotice(id, secret, more string, done app.EventHandler) app.UI {
	return app.Div().ID(id).Class("notice secret").Attr("role", "alert").Body(
		strong("Copy this signing secret now: it is shown only once."),
		para("Store it with the receiver, which checks the Partnerkit-Signature header of each request with it. "+
			"If it is lost, rotate the secret."+more),
		div("copy-row",
			app.Input().ID(id+"-value").ReadOnly(true).Value(secret).Attr("aria-label", "Signing secret").Attr("spellcheck", "false"),
			app.Button().Type("button").ID(id+"-copy").Attr("data-target", id+"-value").Text("Copy").OnClick(copyTarget),
		),
		typeButtonID(id+"-done", "secondary", "I have stored it", done),
	)
}

// copyTarget copies the input a button's data-target names, selecting its
// text too, so that without the clipboard API it can be copied by hand.
func copyTarget(ctx app.Context, _ app.Event) {
	btn := ctx.JSSrc()
	in := app.Window().GetElementByID(btn.Get("dataset").Get("target").String())
	if !in.Truthy() {
		return
	}
	in.Call("select")
	if clip := app.Window().Get("navigator").Get("clipboard"); clip.Truthy() {
		clip.Call("writeText", in.Get("value").String())
	} else {
		app.Window().Get("document").Call("execCommand", "copy")
	}
	btn.Set("textContent", "Copied")
}

// webhooksPage lists the account's endpoints and registers new ones.
type webhooksPage struct {
	app.Compo
	mounted
	list             []client.WebhookEndpoint
	url, description string
	types            typeChoice
	created          *client.CreatedWebhookEndpoint
	err, formErr     error
}

func (c *webhooksPage) OnNav(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.types = choiceOf(nil)
	c.load(ctx)
}

func (c *webhooksPage) load(ctx app.Context) {
	var list *client.List[client.WebhookEndpoint]
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		if err = loadCatalogue(ctx); err == nil {
			list, err = api.WebhookEndpoints(ctx)
		}
		return err
	}, func(_ app.Context, err error) {
		c.err = err
		if err == nil {
			c.list = list.Items
		}
	})
}

// endpointRows are the rows of the endpoints table.
func endpointRows(list []client.WebhookEndpoint) []string {
	rows := make([]string, len(list))
	for i := range list {
		e := &list[i]
		rows[i] = `<tr class="webhook-row"` + attr("data-id", e.ID) + ">" + elem("td", "", link("url", "/webhooks/"+e.ID, e.URL)) +
			elem("td", "", esc(e.Description)) + elem("td", "", esc(typesText(e.EventTypes))) + elem("td", "", enabledBadge(e)) +
			elem("td", "", esc(e.CreatedAt.Format("2 Jan 2006"))) + "</tr>"
	}
	return rows
}

func (c *webhooksPage) Render() app.UI {
	var created, list app.UI
	if c.created != nil {
		created = box(
			secretNotice("webhook-secret", c.created.Secret, "", func(app.Context, app.Event) { c.created = nil }),
			app.Raw(elem("p", "", "Endpoint added: "+link("", "/webhooks/"+c.created.ID, c.created.URL))),
		)
	}
	switch {
	case len(c.list) > 0:
		list = rawTable("webhooks", []string{"URL", "Description", "Events", "Status", "Created"}, endpointRows(c.list))
	case c.list != nil:
		list = hint("No endpoints yet.")
	}
	return newShell("Webhooks",
		hint("Partnerkit POSTs each event of your account and of the accounts it manages to these URLs, signed with the endpoint's secret."),
		errorBanner(c.err),
		created,
		list,
		h2("Add an endpoint"),
		form("webhook-form", c.create,
			field(c, "webhook-url", "URL (https)", "url", &c.url, c.formErr, "url"),
			field(c, "webhook-description", "Description (optional)", "text", &c.description, c.formErr, "description"),
			c.types.render("webhook-types", c.formErr),
			errorBanner(c.formErr),
			submitButton("create-webhook", "Add endpoint"),
		),
	)
}

func (c *webhooksPage) create(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if c.formErr = c.types.check(); c.formErr != nil {
		return
	}
	in := client.NewWebhookEndpoint{URL: strings.TrimSpace(c.url), Description: c.description, EventTypes: c.types.types()}
	var created *client.CreatedWebhookEndpoint
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		created, err = api.CreateWebhookEndpoint(ctx, in)
		return err
	}, func(ctx app.Context, err error) {
		c.formErr = err
		if err == nil {
			c.created, c.url, c.description, c.types = created, "", "", choiceOf(nil)
			ctx.ScrollTo("webhook-secret")
			c.load(ctx)
		}
	})
}

// webhookPage is one endpoint: its settings (edit, rotate the secret,
// delete, send a test event) and its delivery log.
type webhookPage struct {
	app.Compo
	mounted
	id         string
	ep         *client.WebhookEndpoint
	deliveries []client.WebhookDelivery
	total      int
	status     string
	// panel is the open form: "edit", "rotate", "delete" or "".
	panel            string
	url, description string
	types            typeChoice
	enabled          bool
	overlap          string
	rotated          *client.RotatedWebhookSecret
	notice           string
	// testID is the test delivery awaited, polls how often it was asked.
	testID                   string
	polls                    int
	err, formErr, deliverErr error
}

// deliveryPage is the size of a page of the delivery log.
const deliveryPage = 20

func (c *webhookPage) OnNav(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.id, c.status, c.panel, c.rotated, c.notice, c.deliveries = lastSegment(ctx), "", "", nil, "", nil
	c.load(ctx)
	c.loadDeliveries(ctx, false)
}

func (c *webhookPage) load(ctx app.Context) {
	var ep *client.WebhookEndpoint
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		if err = loadCatalogue(ctx); err == nil {
			ep, err = api.WebhookEndpoint(ctx, c.id)
		}
		return err
	}, func(_ app.Context, err error) {
		c.err = err
		if err == nil {
			c.ep = ep
		}
	})
}

// loadDeliveries loads the first page of the log, or with more the next.
func (c *webhookPage) loadDeliveries(ctx app.Context, more bool) {
	q := client.WebhookDeliveryQuery{Status: c.status, Page: client.Page{Limit: deliveryPage}}
	if more {
		q.Offset = len(c.deliveries)
	}
	var list *client.List[client.WebhookDelivery]
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		list, err = api.WebhookDeliveries(ctx, c.id, q)
		return err
	}, func(ctx app.Context, err error) {
		c.deliverErr = err
		if err != nil {
			return
		}
		if more {
			c.deliveries = append(c.deliveries, list.Items...)
		} else {
			c.deliveries = list.Items
		}
		c.total = list.Total
		c.awaitTest(ctx)
	})
}

// awaitTest asks again, every second for up to 30 s, while the test
// event just sent has had no attempt.
func (c *webhookPage) awaitTest(ctx app.Context) {
	for _, d := range c.deliveries {
		if c.testID != "" && d.ID == c.testID && d.Attempts == 0 && c.polls < 30 {
			c.polls++
			ctx.After(time.Second, func(ctx app.Context) { c.loadDeliveries(ctx, false) })
			return
		}
	}
	c.testID = ""
}

func (c *webhookPage) Render() app.UI {
	title := "Webhook endpoint"
	var settings, actions, log app.UI
	if e := c.ep; e != nil {
		if e.Description != "" {
			title = e.Description
		}
		types := "All events"
		if len(e.EventTypes) > 0 {
			types = ""
			for _, t := range e.EventTypes {
				types += elem("li", "", named(t))
			}
			types = elem("ul", "plain", types)
		}
		settings = facts("webhook-details", "URL", elem("span", "url", esc(e.URL)), "Events", types,
			"Status", `<span id="webhook-status">`+enabledBadge(e)+"</span>", "Secret", esc("…"+strings.TrimLeft(e.SecretHint, "…")),
			"Created", esc(when(e.CreatedAt)), "Changed", esc(when(e.UpdatedAt)))
		actions = div("toolbar",
			typeButtonID("send-test", "", "Send test event", c.sendTest),
			typeButtonID("edit-webhook", "secondary", "Edit", c.open),
			typeButtonID("rotate-secret", "secondary", "Rotate secret", c.open),
			typeButtonID("delete-webhook", "danger", "Delete", c.open),
		)
		log = c.log()
	}
	var notice, rotated app.UI
	if c.notice != "" {
		notice = app.P().ID("webhook-notice").Class("notice").Attr("role", "status").Text(c.notice)
	}
	if c.rotated != nil {
		rotated = secretNotice("rotated-secret", c.rotated.Secret,
			" The previous secret keeps signing until "+when(c.rotated.PreviousExpiresAt)+" UTC, so the receiver can switch over.",
			func(app.Context, app.Event) { c.rotated = nil })
	}
	return newShell(title,
		app.Raw(elem("p", "", link("", "/webhooks", "← All webhook endpoints"))),
		errorBanner(c.err),
		settings,
		notice,
		rotated,
		actions,
		c.panelBody(),
		log,
	)
}

// open opens the form of the button clicked (its id names it).
func (c *webhookPage) open(ctx app.Context, _ app.Event) {
	panel, _, _ := strings.Cut(ctx.JSSrc().Get("id").String(), "-")
	e := c.ep
	c.panel, c.formErr, c.notice = panel, nil, ""
	switch panel {
	case "edit":
		c.url, c.description, c.types, c.enabled = e.URL, e.Description, choiceOf(e.EventTypes), e.Enabled
	case "rotate":
		c.overlap = "24"
	}
}

func (c *webhookPage) closePanel(app.Context, app.Event) { c.panel, c.formErr = "", nil }

func (c *webhookPage) panelBody() app.UI {
	actions := func(id, label string, onClick app.EventHandler) app.UI {
		b := submitButton(id, label)
		if onClick != nil {
			b = typeButtonID(id, "danger", label, onClick)
		}
		return div("actions", b, typeButton("secondary", "Cancel", c.closePanel))
	}
	switch c.panel {
	case "edit":
		return form("webhook-edit-form", c.save,
			h2("Edit endpoint"),
			field(c, "edit-url", "URL (https)", "url", &c.url, c.formErr, "url"),
			field(c, "edit-description", "Description", "text", &c.description, c.formErr, "description"),
			c.types.render("edit-types", c.formErr),
			labelOf("check",
				app.Input().ID("edit-enabled").Type("checkbox").Checked(c.enabled).
					OnChange(func(ctx app.Context, _ app.Event) { c.enabled = checkedOf(ctx) }),
				app.Text(" Enabled: send events to this endpoint"),
			),
			errorBanner(c.formErr),
			actions("save-webhook", "Save", nil),
		)
	case "rotate":
		return form("rotate-form", c.rotate,
			h2("Rotate the signing secret"),
			hint("A new secret signs from now on. During the overlap each request carries a signature of the previous secret too, "+
				"so the receiver keeps working until it has the new one."),
			field(c, "overlap-hours", "Overlap (hours, 0 to 168)", "number", &c.overlap, c.formErr, "overlap_seconds"),
			errorBanner(c.formErr),
			actions("rotate", "Rotate secret", nil),
		)
	case "delete":
		return app.Div().ID("delete-confirm").Class("notice danger-zone").Attr("role", "alert").Body(
			strong("Delete this endpoint?"),
			para("It stops receiving events at once, and its delivery log is deleted. This cannot be undone."),
			errorBanner(c.formErr),
			actions("confirm-delete", "Delete endpoint", c.remove),
		)
	}
	return nil
}

func (c *webhookPage) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if c.formErr = c.types.check(); c.formErr != nil {
		return
	}
	url, desc, types, enabled := strings.TrimSpace(c.url), c.description, c.types.types(), c.enabled
	in := client.WebhookEndpointChanges{URL: &url, Description: &desc, EventTypes: &types, Enabled: &enabled, Version: c.ep.Version}
	var ep *client.WebhookEndpoint
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		ep, err = api.UpdateWebhookEndpoint(ctx, c.id, in)
		return err
	}, func(_ app.Context, err error) {
		c.formErr = err
		if err == nil {
			c.ep, c.panel, c.notice = ep, "", "Saved."
		}
	})
}

func (c *webhookPage) rotate(ctx app.Context, e app.Event) {
	e.PreventDefault()
	hours, err := strconv.ParseFloat(strings.TrimSpace(c.overlap), 64)
	if err != nil || hours < 0 || hours > 168 {
		c.formErr = partnerkit.FieldError("overlap_seconds", "must be a number of hours from 0 to 168")
		return
	}
	secs := int(hours * 3600)
	var rotated *client.RotatedWebhookSecret
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		rotated, err = api.RotateWebhookSecret(ctx, c.id, client.WebhookSecretRotation{OverlapSeconds: &secs})
		return err
	}, func(ctx app.Context, err error) {
		c.formErr = err
		if err == nil {
			c.rotated, c.ep, c.panel = rotated, &rotated.Endpoint, ""
			ctx.ScrollTo("rotated-secret")
		}
	})
}

func (c *webhookPage) remove(ctx app.Context, _ app.Event) {
	background(&c.mounted, ctx, func(ctx context.Context) error {
		return api.DeleteWebhookEndpoint(ctx, c.id)
	}, func(ctx app.Context, err error) {
		c.formErr = err
		if err == nil {
			ctx.Navigate("/webhooks")
		}
	})
}

func (c *webhookPage) sendTest(ctx app.Context, _ app.Event) {
	var d *client.WebhookDelivery
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		d, err = api.SendTestWebhook(ctx, c.id)
		return err
	}, func(ctx app.Context, err error) {
		c.err = err
		if err == nil {
			c.notice, c.testID, c.polls = "Test event sent: its delivery shows in the log below.", d.ID, 0
			c.loadDeliveries(ctx, false)
		}
	})
}

// onStatus filters the log by the status chosen.
func (c *webhookPage) onStatus(ctx app.Context, _ app.Event) {
	c.status = valueOf(ctx)
	c.loadDeliveries(ctx, false)
}

// deliveryRows are the rows of the delivery log.
func deliveryRows(list []client.WebhookDelivery) []string {
	rows := make([]string, len(list))
	for i, d := range list {
		next := "—"
		if d.NextAttemptAt != nil && d.Status == "pending" {
			next = when(*d.NextAttemptAt)
		}
		rows[i] = `<tr class="delivery-row"` + attr("data-id", d.ID) + attr("data-status", d.Status) + ">" +
			elem("td", "", named(d.EventType)) + elem("td", "", badge(d.Status, d.Status)) + elem("td", "num", itoa(d.Attempts)) +
			elem("td", "num last-status", statusCode(d.LastStatusCode)) + elem("td", "", esc(next)) + elem("td", "", esc(when(d.CreatedAt))) +
			elem("td", "", link("open-delivery", "/webhook-deliveries/"+d.ID, "Attempts")) + "</tr>"
	}
	return rows
}

// log is the endpoint's delivery log, newest first, with a status filter
// and a button for the next page.
func (c *webhookPage) log() app.UI {
	var list, more app.UI
	if len(c.deliveries) == 0 {
		list = hint("No deliveries" + pick(c.status != "", " of this status.", " yet: send a test event."))
	} else {
		list = rawTable("deliveries", []string{"Event", "Status", "Attempts", "Last status", "Next attempt", "Created", ""}, deliveryRows(c.deliveries))
	}
	if len(c.deliveries) < c.total {
		more = typeButtonID("more-deliveries", "secondary", "More", func(ctx app.Context, _ app.Event) { c.loadDeliveries(ctx, true) })
	}
	return box(
		h2("Deliveries"),
		div("toolbar",
			labelOf("select", span("sr-only", "Status"), selectOf("delivery-status", c.onStatus,
				option("", "All statuses", c.status == ""), option("pending", "Pending", c.status == "pending"),
				option("succeeded", "Succeeded", c.status == "succeeded"), option("failed", "Failed", c.status == "failed"))),
			typeButtonID("refresh-deliveries", "secondary", "Refresh", func(ctx app.Context, _ app.Event) { c.loadDeliveries(ctx, false) }),
		),
		errorBanner(c.deliverErr),
		list,
		div("pager", span("hint", itoa(len(c.deliveries))+" of "+itoa(c.total)), more),
	)
}

// webhookDeliveryPage is one delivery with every attempt, and Redeliver.
type webhookDeliveryPage struct {
	app.Compo
	mounted
	id     string
	d      *client.WebhookDeliveryDetail
	notice string
	// await is the attempt count a redelivery waits for.
	await, polls int
	err          error
}

func (c *webhookDeliveryPage) OnNav(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.id, c.await, c.notice = lastSegment(ctx), 0, ""
	c.load(ctx)
}

func (c *webhookDeliveryPage) load(ctx app.Context) {
	var d *client.WebhookDeliveryDetail
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		d, err = api.WebhookDelivery(ctx, c.id)
		return err
	}, func(ctx app.Context, err error) {
		c.err = err
		if err != nil {
			return
		}
		c.d = d
		if c.await > 0 && len(d.AttemptLog) < c.await && c.polls < 30 {
			c.polls++
			ctx.After(time.Second, c.load)
			return
		}
		c.await = 0
	})
}

func (c *webhookDeliveryPage) redeliver(ctx app.Context, _ app.Event) {
	if c.d == nil {
		return
	}
	want := len(c.d.AttemptLog) + 1
	background(&c.mounted, ctx, func(ctx context.Context) error {
		_, err := api.RedeliverWebhook(ctx, c.id)
		return err
	}, func(ctx app.Context, err error) {
		c.err = err
		if err == nil {
			c.notice, c.await, c.polls = "Sent again: the new attempt shows first below.", want, 0
			c.load(ctx)
		}
	})
}

// deliveryHTML is a delivery's details, then its attempts newest first
// (time, status code or error, latency, the first bytes of the answer)
// and its payload.
func deliveryHTML(d *client.WebhookDeliveryDetail) (details, attempts string) {
	next := "—"
	if d.NextAttemptAt != nil && d.Status == "pending" {
		next = when(*d.NextAttemptAt)
	}
	details = `<div id="delivery">` + elem("p", "", link("", "/webhooks/"+d.EndpointID, "← Endpoint and its deliveries")) + "<dl>"
	for _, p := range [][2]string{{"Event", named(d.EventType)}, {"Event ID", esc(d.EventID)},
		{"Status", `<span id="delivery-status">` + badge(d.Status, d.Status) + "</span>"}, {"Attempts", itoa(d.Attempts)},
		{"Last status", statusCode(d.LastStatusCode)}, {"Last error", esc(pick(d.LastError != "", d.LastError, "—"))},
		{"Next attempt", esc(next)}, {"Created", esc(when(d.CreatedAt))}} {
		details += elem("dt", "", p[0]) + elem("dd", "", p[1])
	}
	var b strings.Builder
	b.WriteString(`<div id="attempts">` + elem("h2", "", "Attempts"))
	if len(d.AttemptLog) == 0 {
		b.WriteString(elem("p", "hint", "No attempt yet."))
	}
	for i := len(d.AttemptLog) - 1; i >= 0; i-- {
		a := d.AttemptLog[i]
		result := statusCode(a.StatusCode)
		if a.Error != "" {
			result += " — " + a.Error
		}
		b.WriteString(`<section class="attempt"` + attr("data-status", itoa(a.StatusCode)) + ">" +
			elem("h3", "", "Attempt "+itoa(a.Number)+pick(a.Manual, " (asked for by a user)", "")) +
			"<dl><dt>Time</dt>" + elem("dd", "", esc(when(a.At))) + `<dt>Status code</dt><dd class="attempt-status">` + esc(result) + "</dd>" +
			"<dt>Latency</dt>" + elem("dd", "", strconv.FormatInt(a.LatencyMS, 10)+" ms") + "<dt>Answer</dt>" +
			elem("dd", "", elem("div", "snippet", esc(pick(a.Response != "", a.Response, "(empty)")))) + "</dl></section>")
	}
	payload := string(d.Payload)
	return details + "</dl></div>", b.String() + elem("h2", "", "Payload") + `<div id="payload" class="snippet">` + esc(payload) + "</div></div>"
}

func (c *webhookDeliveryPage) Render() app.UI {
	var body app.UI
	if c.d != nil {
		var notice app.UI
		if c.notice != "" {
			notice = app.P().Class("notice").Attr("role", "status").Text(c.notice)
		}
		details, attempts := deliveryHTML(c.d)
		body = box(app.Raw(details), notice, div("toolbar", typeButtonID("redeliver", "", "Redeliver", c.redeliver)), app.Raw(attempts))
	}
	return newShell("Webhook delivery", errorBanner(c.err), body)
}
