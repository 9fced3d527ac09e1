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
// These screens and the activity feed build what they show (tables,
// details, buttons, the event type picker) as escaped HTML (app.Raw and
// rawf below) and keep components for the text fields only: Go's
// WebAssembly code for each element built through go-app's chained calls,
// and for each event handler, is large, and the budget of app.wasm (make
// wasm-size) is small. Links in raw HTML navigate inside the app like any
// other (go-app handles every click on an <a>); each page has one click
// handler on its content for its buttons' data-act (actOf, forms.go), and
// the picker one change handler for its boxes (events bubble). A raw block
// is replaced only when its HTML changes, so blocks that hold controls are
// built from what they start with, not from every change.

// catalogue is the event type catalogue (GET /event-types), loaded once.
var catalogue []client.EventType

// loadCatalogue loads the catalogue unless it is loaded already.
func loadCatalogue(ctx context.Context) error {
	if catalogue != nil {
		return nil
	}
	l, err := api.EventTypes(ctx, client.Page{Limit: 500, Sort: "entity"}) // the pickers group them by entity
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

// attr is an attribute, its value escaped.
func attr(name, value string) string { return " " + name + `="` + esc(value) + `"` }

// rawf is raw HTML: template with each "$" replaced by the next argument,
// escaped, and each "!" by the next argument as it is (HTML built here).
// One call per element, where building each through go-app takes several.
func rawf(template string, args ...string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(template); i++ {
		switch ch := template[i]; {
		case (ch == '$' || ch == '!') && n < len(args):
			if ch == '$' {
				b.WriteString(esc(args[n]))
			} else {
				b.WriteString(args[n])
			}
			n++
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// named is an event type's label and its API name.
func named(typ string) string {
	return rawf(`$ <span class="code">!</span>`, humanize(typ), strings.ReplaceAll(esc(typ), ".", ".<wbr>")) // it breaks after its dot
}

// badge is a status badge of class status-<status>.
func badge(status, text string) string {
	return rawf(`<span class="status status-$">$</span>`, status, text)
}

// rawTable is a table that scrolls sideways in its own container: its
// column labels, then its rows (raw <tr> elements).
func rawTable(id string, head []string, rows []string) app.UI {
	th := ""
	for _, h := range head {
		th += rawf("<th>$</th>", h)
	}
	return app.Raw(rawf(`<div class="scroll-x"><table id="$"><thead><tr>!</tr></thead><tbody>!</tbody></table></div>`, id, th, strings.Join(rows, "")))
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
	if e.Enabled {
		return badge("enabled", "enabled")
	}
	return badge("disabled", pick(e.DisabledReason == "failing", "disabled: failed for 3 days", "disabled"))
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

// onChange keeps the mode of the radio button, or the type of the check
// box, that changed.
func (t *typeChoice) onChange(_ app.Context, e app.Event) {
	in := e.Get("target")
	name := in.Get("value").String()
	if in.Get("type").String() == "radio" {
		t.mode = name
		return
	}
	if i := indexOf(t.chosen, name); i >= 0 {
		t.chosen = append(t.chosen[:i:i], t.chosen[i+1:]...)
	}
	if in.Get("checked").Bool() {
		t.chosen = append(t.chosen, name)
	}
}

// checkBoxes is the HTML of the catalogue's types as check boxes, grouped
// by entity in folding groups, the chosen ones ticked (and their groups
// open).
func (t *typeChoice) checkBoxes() string {
	var b strings.Builder
	for i := range catalogue {
		et := &catalogue[i]
		if i == 0 || et.Entity != catalogue[i-1].Entity { // the catalogue comes sorted by entity
			open := "" // a group with chosen types starts open
			for j := i; j < len(catalogue) && catalogue[j].Entity == et.Entity; j++ {
				if indexOf(t.chosen, catalogue[j].Name) >= 0 {
					open = " open"
				}
			}
			b.WriteString(rawf(`!<details class="type-group" data-entity="$"!><summary>$</summary>`, pick(i > 0, "</details>", ""), et.Entity, open, humanize(et.Entity)))
		}
		b.WriteString(rawf(`<label class="check"><input type="checkbox" value="$"!> !<span class="hint">$</span></label>`,
			et.Name, pick(indexOf(t.chosen, et.Name) >= 0, " checked", ""), named(et.Name), et.Description))
	}
	return `<div class="type-groups">` + b.String() + pick(len(catalogue) > 0, "</details>", "") + "</div>"
}

// render is the picker; its ids start with id.
func (t *typeChoice) render(id string, err error) app.UI {
	var boxes, chosen app.UI
	some := t.mode == "some"
	if !some {
		t.boxes = ""
	} else {
		if t.boxes == "" && len(catalogue) > 0 {
			t.boxes = t.checkBoxes()
		}
		boxes = app.Raw(t.boxes)
		chosen = app.Elem("p").ID(id + "-chosen").Class("hint").Text(pick(len(t.chosen) == 0, "None chosen yet: open a group and tick the events to send.",
			itoa(len(t.chosen))+" chosen: "+strings.Join(t.chosen, ", ")))
	}
	return app.Elem("fieldset").ID(id).Class("types").OnChange(t.onChange).Body(
		app.Raw(`<legend>Events to send</legend>`),
		app.Raw(rawf(`<div><label class="check"><input type="radio" name="$-mode" id="$-all" value="all"!> All events, `+
			`including types added later</label><label class="check"><input type="radio" name="$-mode" id="$-some" value="some"!> Only the events I choose</label></div>`,
			id, id, pick(some, "", " checked"), id, id, pick(some, " checked", ""))),
		boxes,
		chosen,
		typesError(err),
	)
}

// typesError shows the API's problem with the event types ("event_types"
// or one of them, "event_types[2]").
func typesError(err error) app.UI {
	for k, msg := range partnerkit.ErrorFields(err) {
		if strings.HasPrefix(k, "event_types") {
			return app.Elem("span").Class("field-error").Attr("data-field", "event_types").Text(msg)
		}
	}
	return nil
}

// secretHTML shows a signing secret once, with a copy button (data-act
// copy, of the input data-id) and the warning that it is not shown again;
// its button "I have stored it" is data-act secret-done.
func secretHTML(id, secret, more string) app.UI {
	return app.Raw(rawf(`<div id="$" class="notice secret" role="alert"><strong>Copy this signing secret now: it is shown only once.</strong>`+
		`<p>Store it with the receiver, which checks the Partnerkit-Signature header of each request with it. If it is lost, rotate the secret.$</p>`+
		`<div class="copy-row"><input id="$-value" readonly value="$" aria-label="Signing secret" spellcheck="false">`+
		`<button type="button" id="$-copy" data-act="copy" data-id="$-value">Copy</button></div>`+
		`<button type="button" class="secondary" id="$-done" data-act="secret-done">I have stored it</button></div>`,
		id, more, id, secret, id, id, id))
}

// webhooksPage lists the account's endpoints and registers new ones.
type webhooksPage struct {
	app.Compo
	mounted
	reader
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
	c.read(c.own(ctx), "webhooks-page", func(ctx context.Context) (any, error) {
		if err := loadCatalogue(ctx); err != nil {
			return nil, err
		}
		return api.WebhookEndpoints(ctx)
	}, func(s loadState) {
		v, err, ok := outcome[*client.List[client.WebhookEndpoint]](s)
		if !ok {
			return
		}
		c.err = err
		if err == nil {
			c.list = v.Items
		}
	})
}

// act does what the button clicked says.
func (c *webhooksPage) act(_ app.Context, e app.Event) {
	switch act, item, b := actOf(e); act {
	case "copy":
		copyValue(item, b)
	case "secret-done":
		c.created = nil
	}
}

// endpointRows are the rows of the endpoints table.
func endpointRows(list []client.WebhookEndpoint) []string {
	rows := make([]string, len(list))
	for i := range list {
		e := &list[i]
		rows[i] = rawf(`<tr class="webhook-row" data-id="$"><td><a class="url" href="/webhooks/$">$</a></td><td>$</td><td>$</td><td>!</td><td>$</td></tr>`,
			e.ID, e.ID, e.URL, e.Description, typesText(e.EventTypes), enabledBadge(e), e.CreatedAt.Format("2 Jan 2006"))
	}
	return rows
}

func (c *webhooksPage) Render() app.UI {
	var created, list app.UI
	if e := c.created; e != nil {
		created = box(secretHTML("webhook-secret", e.Secret, ""), app.Raw(rawf(`<p>Endpoint added: <a href="/webhooks/$">$</a></p>`, e.ID, e.URL)))
	}
	switch {
	case len(c.list) > 0:
		list = rawTable("webhooks", []string{"URL", "Description", "Events", "Status", "Created"}, endpointRows(c.list))
	case c.list != nil:
		list = hint("No endpoints yet.")
	}
	return newShell("Webhooks", app.Elem("div").OnClick(c.act).Body(
		hint("Partnerkit POSTs each event of your account and of the accounts it manages to these URLs, signed with the endpoint's secret."),
		errorBanner(c.err),
		created,
		list,
		h2("Add an endpoint"),
		form("webhook-form", c.create,
			endpointFields(c, "webhook", &c.url, &c.description, &c.types, c.formErr),
			errorBanner(c.formErr),
			app.Raw(`<button type="submit" id="create-webhook">Add endpoint</button>`),
		),
	))
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

// endpointFields are the URL, description and event type fields of the
// forms that add and edit an endpoint; their ids start with prefix.
func endpointFields(c interface{ ValueTo(any) app.EventHandler }, prefix string, url, description *string, types *typeChoice, err error) app.UI {
	return box(
		field(c, prefix+"-url", "URL (https)", "url", url, err, "url"),
		field(c, prefix+"-description", "Description (optional)", "text", description, err, "description"),
		types.render(prefix+"-types", err),
	)
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
	// panel is the open form: "edit", "rotate", "delete" or "".
	panel            string
	url, description string
	types            typeChoice
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
	c.id, c.panel, c.rotated, c.notice, c.deliveries = lastSegment(ctx), "", nil, "", nil
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
	q := client.WebhookDeliveryQuery{Page: client.Page{Limit: deliveryPage}}
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
		if !more {
			c.deliveries = nil
		}
		c.deliveries, c.total = append(c.deliveries, list.Items...), list.Total
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

// act does what the button clicked says.
func (c *webhookPage) act(ctx app.Context, e app.Event) {
	act, item, b := actOf(e)
	switch act {
	case "edit", "rotate", "delete":
		ep := c.ep
		c.panel, c.formErr, c.notice = act, nil, ""
		c.url, c.description, c.types, c.overlap = ep.URL, ep.Description, choiceOf(ep.EventTypes), "24"
	case "cancel":
		c.panel, c.formErr = "", nil
	case "copy":
		copyValue(item, b)
	case "secret-done":
		c.rotated = nil
	case "refresh":
		c.loadDeliveries(ctx, false)
	case "more":
		c.loadDeliveries(ctx, true)
	case "test":
		c.sendTest(ctx)
	case "confirm-delete":
		c.remove(ctx)
	}
}

func (c *webhookPage) Render() app.UI {
	title := "Webhook endpoint"
	var settings, log app.UI
	if e := c.ep; e != nil {
		if e.Description != "" {
			title = e.Description
		}
		types := "All events"
		if len(e.EventTypes) > 0 {
			types = ""
			for _, t := range e.EventTypes {
				types += "<li>" + named(t) + "</li>"
			}
			types = `<ul class="plain">` + types + "</ul>"
		}
		settings = app.Raw(rawf(`<div><dl id="webhook-details"><dt>URL</dt><dd class="url">$</dd><dt>Events</dt><dd>!</dd>`+
			`<dt>Status</dt><dd id="webhook-status">!</dd><dt>Secret</dt><dd>…$</dd><dt>Created</dt><dd>$</dd><dt>Changed</dt><dd>$</dd></dl>`+
			`<div class="toolbar"><button type="button" id="send-test" data-act="test">Send test event</button>`+
			`<button type="button" class="secondary" id="edit-webhook" data-act="edit">Edit</button>`+
			`<button type="button" class="secondary" id="rotate-secret" data-act="rotate">Rotate secret</button>`+
			`<button type="button" class="danger" id="delete-webhook" data-act="delete">Delete</button></div></div>`,
			e.URL, types, enabledBadge(e), strings.TrimLeft(e.SecretHint, "…"), when(e.CreatedAt), when(e.UpdatedAt)))
		log = c.log()
	}
	var notice, rotated app.UI
	if c.notice != "" {
		notice = app.Elem("p").ID("webhook-notice").Class("notice").Attr("role", "status").Text(c.notice)
	}
	if r := c.rotated; r != nil {
		rotated = secretHTML("rotated-secret", r.Secret, " The previous secret keeps signing until "+when(r.PreviousExpiresAt)+" UTC, so the receiver can switch over.")
	}
	return newShell(title, app.Elem("div").OnClick(c.act).Body(
		app.Raw(`<p><a href="/webhooks">← All webhook endpoints</a></p>`),
		errorBanner(c.err),
		notice,
		rotated,
		settings,
		c.panelBody(),
		log,
	))
}

// formButtons are a form's submit button and Cancel.
func formButtons(id, label string) app.UI {
	return app.Raw(rawf(`<div class="actions"><button type="submit" id="$">$</button>`+
		`<button type="button" class="secondary" data-act="cancel">Cancel</button></div>`, id, label))
}

func (c *webhookPage) panelBody() app.UI {
	switch c.panel {
	case "edit":
		return form("webhook-edit-form", c.save,
			h2("Edit endpoint"),
			endpointFields(c, "edit", &c.url, &c.description, &c.types, c.formErr),
			app.Raw(rawf(`<label class="check"><input type="checkbox" id="edit-enabled"!> Enabled: send events to this endpoint</label>`,
				pick(c.ep.Enabled, " checked", ""))),
			errorBanner(c.formErr),
			formButtons("save-webhook", "Save"),
		)
	case "rotate":
		return form("rotate-form", c.rotate,
			h2("Rotate the signing secret"),
			hint("A new secret signs from now on. During the overlap each request carries a signature of the previous secret too, "+
				"so the receiver keeps working until it has the new one."),
			field(c, "overlap-hours", "Overlap (hours, 0 to 168)", "number", &c.overlap, c.formErr, "overlap_seconds"),
			errorBanner(c.formErr),
			formButtons("rotate", "Rotate secret"),
		)
	case "delete":
		return box(
			app.Raw(`<div id="delete-confirm" class="notice danger-zone" role="alert"><strong>Delete this endpoint?</strong>`+
				`<p>It stops receiving events at once, and its delivery log is deleted. This cannot be undone.</p><div class="actions">`+
				`<button type="button" class="danger" id="confirm-delete" data-act="confirm-delete">Delete endpoint</button>`+
				`<button type="button" class="secondary" data-act="cancel">Cancel</button></div></div>`),
			errorBanner(c.formErr),
		)
	}
	return nil
}

func (c *webhookPage) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if c.formErr = c.types.check(); c.formErr != nil {
		return
	}
	url, desc, types := strings.TrimSpace(c.url), c.description, c.types.types()
	enabled := app.Window().GetElementByID("edit-enabled").Get("checked").Bool()
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
	hours, err := strconv.Atoi(strings.TrimSpace(c.overlap))
	if err != nil || hours < 0 || hours > 168 {
		c.formErr = partnerkit.FieldError("overlap_seconds", "must be a whole number of hours from 0 to 168")
		return
	}
	secs := hours * 3600
	var rotated *client.RotatedWebhookSecret
	background(&c.mounted, ctx, func(ctx context.Context) (err error) {
		rotated, err = api.RotateWebhookSecret(ctx, c.id, client.WebhookSecretRotation{OverlapSeconds: &secs})
		return err
	}, func(ctx app.Context, err error) {
		c.formErr = err
		if err == nil {
			c.rotated, c.ep, c.panel, c.notice = rotated, &rotated.Endpoint, "", ""
			ctx.ScrollTo("rotated-secret")
		}
	})
}

func (c *webhookPage) remove(ctx app.Context) {
	background(&c.mounted, ctx, func(ctx context.Context) error {
		return api.DeleteWebhookEndpoint(ctx, c.id)
	}, func(ctx app.Context, err error) {
		c.formErr = err
		if err == nil {
			ctx.Navigate("/webhooks")
		}
	})
}

func (c *webhookPage) sendTest(ctx app.Context) {
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

// deliveryRows are the rows of the delivery log; each event's label opens
// the delivery (first, so that a phone shows it without scrolling).
func deliveryRows(list []client.WebhookDelivery) []string {
	rows := make([]string, len(list))
	for i := range list {
		d := &list[i]
		rows[i] = rawf(`<tr class="delivery-row" data-id="$" data-status="$"><td><a class="open-delivery" href="/webhook-deliveries/$">$</a> `+
			`<span class="code">$</span></td><td>!</td><td class="num">$</td><td class="num last-status">$</td><td>$</td><td>$</td></tr>`,
			d.ID, d.Status, d.ID, humanize(d.EventType), d.EventType, badge(d.Status, d.Status), itoa(d.Attempts), statusCode(d.LastStatusCode),
			nextAttempt(d), when(d.CreatedAt))
	}
	return rows
}

// nextAttempt is when a pending delivery's next attempt is due.
func nextAttempt(d *client.WebhookDelivery) string {
	if d.NextAttemptAt == nil || d.Status != "pending" {
		return "—"
	}
	return when(*d.NextAttemptAt)
}

// log is the endpoint's delivery log, newest first, with buttons to ask
// again and for the next page.
func (c *webhookPage) log() app.UI {
	list := hint("No deliveries yet: send a test event.")
	if len(c.deliveries) > 0 {
		list = rawTable("deliveries", []string{"Event", "Status", "Attempts", "Last status", "Next attempt", "Created"}, deliveryRows(c.deliveries))
	}
	return box(
		app.Raw(`<div class="toolbar"><h2>Deliveries</h2><button type="button" class="secondary" id="refresh-deliveries" data-act="refresh">Refresh</button></div>`),
		errorBanner(c.deliverErr),
		list,
		pager(len(c.deliveries), c.total, "more-deliveries"),
	)
}

// pager says how many of a list's items show, with a More button (id,
// data-act more) while some do not.
func pager(shown, total int, id string) app.UI {
	return app.Raw(rawf(`<div class="pager"><span class="hint" id="$-count">$ of $</span>!</div>`, id, itoa(shown), itoa(total),
		pick(shown < total, rawf(`<button type="button" class="secondary" id="$" data-act="more">More</button>`, id), "")))
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

// redeliver sends the delivery again (its page's one button).
func (c *webhookDeliveryPage) redeliver(ctx app.Context, e app.Event) {
	if act, _, _ := actOf(e); act != "redeliver" || c.d == nil {
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
	details = rawf(`<div id="delivery"><p><a href="/webhooks/$">← Endpoint and its deliveries</a></p><dl><dt>Event</dt><dd>!</dd>`+
		`<dt>Event ID</dt><dd>$</dd><dt>Status</dt><dd id="delivery-status">!</dd><dt>Attempts</dt><dd>$</dd><dt>Last status</dt><dd>$</dd>`+
		`<dt>Last error</dt><dd>$</dd><dt>Next attempt</dt><dd>$</dd><dt>Created</dt><dd>$</dd></dl>`+
		`<div class="toolbar"><button type="button" id="redeliver" data-act="redeliver">Redeliver</button></div></div>`,
		d.EndpointID, named(d.EventType), d.EventID, badge(d.Status, d.Status), itoa(d.Attempts), statusCode(d.LastStatusCode),
		pick(d.LastError != "", d.LastError, "—"), nextAttempt(&d.WebhookDelivery), when(d.CreatedAt))
	attempts = pick(len(d.AttemptLog) == 0, `<p class="hint">No attempt yet.</p>`, "")
	for i := len(d.AttemptLog) - 1; i >= 0; i-- {
		a := &d.AttemptLog[i]
		attempts += rawf(`<section class="attempt" data-status="$"><h3>Attempt $$</h3><dl><dt>Time</dt><dd>$</dd>`+
			`<dt>Status code</dt><dd class="attempt-status">$$</dd><dt>Latency</dt><dd>$ ms</dd>`+
			`<dt>Answer</dt><dd><div class="snippet">$</div></dd></dl></section>`,
			itoa(a.StatusCode), itoa(a.Number), pick(a.Manual, " (asked for by a user)", ""), when(a.At),
			statusCode(a.StatusCode), pick(a.Error != "", " — "+a.Error, ""), strconv.FormatInt(a.LatencyMS, 10), pick(a.Response != "", a.Response, "(empty)"))
	}
	return details, rawf(`<div id="attempts"><h2>Attempts</h2>!<h2>Payload</h2><div id="payload" class="snippet">$</div></div>`,
		attempts, string(d.Payload))
}

func (c *webhookDeliveryPage) Render() app.UI {
	var body app.UI
	if c.d != nil {
		details, attempts := deliveryHTML(c.d)
		var notice app.UI
		if c.notice != "" {
			notice = app.Elem("p").Class("notice").Attr("role", "status").Text(c.notice)
		}
		body = app.Elem("div").OnClick(c.redeliver).Body(app.Raw(details), notice, app.Raw(attempts))
	}
	return newShell("Webhook delivery", errorBanner(c.err), body)
}
