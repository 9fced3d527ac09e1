package ui

import (
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

func TestStepOf(t *testing.T) {
	for field, want := range map[string]int{
		"partner.name": 1, "partner.external_id": 1, "agreement_id": 2, "new_agreement.document.url": 2,
		"marketplace_ids": 3, "action": 4, "user_ids": 5, "something_else": 0,
	} {
		if got := stepOf(field); got != want {
			t.Errorf("stepOf(%q) = %d, want %d", field, got, want)
		}
	}
}

func TestUsageChart(t *testing.T) {
	svg := usageChart(&client.Report{Rows: []client.ReportRow{
		{Period: "2026-01-01", UsedTB: "40", AllocatedTB: "50"},
		{Period: "2026-01-02", UsedTB: "75", AllocatedTB: "60"},
	}})
	if !strings.HasPrefix(svg, `<svg id="usage-chart"`) || strings.Count(svg, `class="bar"`) != 2 ||
		strings.Count(svg, `class="allocation"`) != 2 || !strings.Contains(svg, "75.00 TB used") {
		t.Fatalf("chart:\n%s", svg)
	}
	// A contract report draws its reservation too.
	contract := usageChart(&client.Report{Rows: []client.ReportRow{{Period: "2026-01-01", UsedTB: "120", AllocatedTB: "90", ReservedTB: "100"}}})
	if strings.Count(contract, `class="reservation"`) != 1 || !strings.Contains(contract, "100.00 TB reserved") {
		t.Fatalf("contract chart:\n%s", contract)
	}
	if strings.Contains(svg, `class="reservation"`) {
		t.Fatalf("a partner chart draws a reservation:\n%s", svg)
	}
	if empty := usageChart(&client.Report{}); !strings.Contains(empty, "No usage") {
		t.Fatalf("empty chart: %s", empty)
	}
}

// probe renders one field's error, to test fieldError mounted.
type probe struct {
	app.Compo
	err error
}

func (p *probe) Render() app.UI { return app.Elem("div").Body(fieldError(p.err, "partner.name")) }

// A field error renders next to its field, with the API's words.
func TestFieldError(t *testing.T) {
	p := &probe{err: &partnerkit.Error{Code: partnerkit.CodeInvalid, Fields: map[string]string{"partner.name": "is required"}}}
	e := app.NewTestEngine()
	e.Load(p)
	e.ConsumeAll()
	span := app.Elem("span").Class("field-error").Attr("data-field", "partner.name")
	if err := app.TestMatch(p, app.TestUIDescriptor{Path: app.TestPath(0, 0), Expected: span}); err != nil {
		t.Fatal(err)
	}
	if err := app.TestMatch(p, app.TestUIDescriptor{Path: app.TestPath(0, 0, 0), Expected: app.Text("is required")}); err != nil {
		t.Fatal(err)
	}
	if err := app.TestMatch(p, app.TestUIDescriptor{Path: app.TestPath(0, 0, 0), Expected: app.Text("something else")}); err == nil {
		t.Fatal("TestMatch accepted the wrong text: the test proves nothing")
	}
	// Without an error, nothing renders there.
	q := &probe{}
	e.Load(q)
	e.ConsumeAll()
	if err := app.TestMatch(q, app.TestUIDescriptor{Path: app.TestPath(0, 0), Expected: span}); err == nil {
		t.Fatal("a field error rendered without an error")
	}
}
