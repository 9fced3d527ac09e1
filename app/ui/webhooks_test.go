package ui

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

func TestHumanize(t *testing.T) {
	for in, want := range map[string]string{
		"partner.created":                    "Partner created",
		"storage_account.deletion_scheduled": "Storage account deletion scheduled",
		"api_key":                            "API key",
		"webhook.test":                       "Webhook test",
		"":                                   "",
	} {
		if got := humanize(in); got != want {
			t.Errorf("humanize(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every event's object links to the app's page of it, where there is one
// and the object is not gone.
func TestObjectHref(t *testing.T) {
	for _, tt := range []struct {
		typ, entity, id, partner, want string
	}{
		{"partner.created", "partner", "PA-1", "", "/partners/PA-1"},
		{"partner.deleted", "partner", "PA-1", "", ""},
		{"agreement.created", "agreement", "AGR-1", "", "/agreements/AGR-1"},
		{"contract.signed", "contract", "CTR-1", "PA-2", "/partners/PA-2?tab=contracts"},
		{"capacity.terms_changed", "contract", "CTR-1", "", "/contracts"},
		{"invitation.activated", "invitation", "INV-1", "PA-2", "/partners/PA-2?tab=contracts"},
		{"storage_account.created", "storage_account", "SA-1", "PA-2", "/storage?partner=PA-2"},
		{"storage_account.purged", "storage_account", "SA-1", "PA-2", ""},
		{"subscription.ordered", "subscription", "SUB-1", "", "/subscriptions"},
		{"webhook.created", "webhook", "WH-1", "", "/webhooks/WH-1"},
		{"webhook.deleted", "webhook", "WH-1", "", ""},
		{"membership.created", "user", "UR-1", "", ""},
	} {
		e := &client.Event{Type: tt.typ, Data: client.EventData{EntityType: tt.entity, EntityID: tt.id}}
		if got := objectHref(e, tt.partner); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.typ, got, tt.want)
		}
	}
}

// The picker groups the catalogue by entity, and "some" with nothing
// ticked is refused before the API would read it as every type.
func TestTypeChoice(t *testing.T) {
	catalogue = []client.EventType{ // sorted by entity, as loadCatalogue asks
		{Name: "contract.signed", Entity: "contract", Description: "A <contract> was signed."},
		{Name: "partner.created", Entity: "partner", Description: "A partner was created."},
		{Name: "partner.suspended", Entity: "partner", Description: "A partner was suspended."}}
	defer func() { catalogue = nil }()
	all := choiceOf(nil)
	if all.mode != "all" || all.check() != nil || all.types() == nil || len(all.types()) != 0 {
		t.Fatalf("all: %+v", all)
	}
	some := choiceOf([]string{"partner.suspended"})
	html := app.HTMLString(some.render("types", nil))
	if !ticked(html, "partner.suspended") || ticked(html, "partner.created") || !strings.Contains(html, "1 chosen: partner.suspended") ||
		strings.Count(html, "<details") != 2 || strings.Count(html, "</details>") != 2 ||
		!strings.Contains(html, `</details><details class="type-group" data-entity="partner" open><summary>Partner</summary>`) ||
		!strings.Contains(html, `<details class="type-group" data-entity="contract"><summary>`) || // no chosen type: folded
		!strings.Contains(html, "A &lt;contract&gt; was signed.") {
		t.Fatalf("picker:\n%s", html)
	}
	// Ticking keeps the check boxes' HTML, so that go-app does not replace
	// them (folding the open groups); switching to all drops it.
	boxes := some.boxes
	some.chosen = append(some.chosen, "contract.signed")
	some.render("types", nil)
	if some.boxes != boxes {
		t.Fatal("the check boxes were rebuilt on a tick")
	}
	some.mode = "all"
	if some.render("types", nil); some.boxes != "" {
		t.Fatal("the check boxes outlived the all choice")
	}
	some.mode, some.chosen = "some", nil
	if partnerkit.ErrorFields(some.check())["event_types"] == "" {
		t.Fatal("nothing chosen passed")
	}
	err := &partnerkit.Error{Code: partnerkit.CodeInvalid, Fields: map[string]string{"event_types[0]": "is not an event type"}}
	if html := app.HTMLString(some.render("types", err)); !strings.Contains(html, "is not an event type") {
		t.Fatalf("API error not shown:\n%s", html)
	}
}

// ticked reports whether the rendered check box of value is ticked.
func ticked(html, value string) bool {
	tag := regexp.MustCompile(`<input[^>]*value="` + regexp.QuoteMeta(value) + `"[^>]*>`).FindString(html)
	return strings.Contains(tag, " checked") && !strings.Contains(tag, `checked="false"`)
}

// Raw HTML escapes what the API sent.
func TestRawEscapes(t *testing.T) {
	c := &activityPage{names: map[string]string{"UR-1": "<b>Eve</b>"}}
	row := c.row(&client.Event{ID: "EV-1", Type: "partner.created", Data: client.EventData{EntityType: "partner", EntityID: `PA-1"><script>`,
		Actor: "UR-1", Object: []byte(`{"name":"<img src=x onerror=alert(1)>"}`)}})
	if strings.Contains(row, "<script>") || strings.Contains(row, "<img") || strings.Contains(row, "<b>") ||
		!strings.Contains(row, "&lt;img src=x onerror=alert(1)&gt;") || !strings.Contains(row, `href="/partners/PA-1%22%3E%3Cscript%3E"`) {
		t.Fatalf("row:\n%s", row)
	}
	details, attempts := deliveryHTML(&client.WebhookDeliveryDetail{WebhookDelivery: client.WebhookDelivery{EventType: "webhook.test",
		Status: "succeeded", LastError: "<oops>"}, AttemptLog: []client.WebhookAttempt{{Number: 1, StatusCode: 200, Response: "</div><script>"}}})
	if strings.Contains(details+attempts, "<oops>") || strings.Contains(attempts, "<script>") || !strings.Contains(attempts, "&lt;/div&gt;&lt;script&gt;") {
		t.Fatalf("delivery:\n%s\n%s", details, attempts)
	}
}

// The date range covers the whole last day; a range that ends before it
// starts is refused next to its field.
func TestActivityQuery(t *testing.T) {
	c := &activityPage{typ: "partner.created", from: "2026-12-01", to: "2026-12-01"}
	q, err := c.query()
	if err != nil || !q.Since.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) ||
		!q.Until.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) || !slices.Equal(q.Types, []string{"partner.created"}) {
		t.Fatalf("query %+v, %v", q, err)
	}
	c.to = "2026-11-30"
	if _, err := c.query(); partnerkit.ErrorFields(err)["until"] == "" {
		t.Fatalf("reversed range: %v", err)
	}
	c.to, c.from = "", "yesterday"
	if _, err := c.query(); partnerkit.ErrorFields(err)["since"] == "" {
		t.Fatalf("bad date: %v", err)
	}
}
