package ui

import (
	"slices"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	capacityrules "github.com/partnerkit/partnerkit/capacity/rules"
)

// thresholdsProbe renders the alert thresholds' errors, to test them mounted.
type thresholdsProbe struct {
	app.Compo
	err error
}

func (p *thresholdsProbe) Render() app.UI {
	return app.Elem("div").Body(fieldErrorsUnder(p.err, "alert_thresholds"))
}

// The terms form reads thresholds as the server checks them and shows each
// threshold's problem next to the field, naming the threshold.
func TestAlertThresholdsField(t *testing.T) {
	ts, err := capacityrules.ParseAlertThresholds(" 80, 90 %;100 ")
	if err != nil || !slices.Equal(ts, []int{80, 90, 100}) {
		t.Fatalf("parsed %v, %v", ts, err)
	}
	if ts, err := capacityrules.ParseAlertThresholds(""); err != nil || ts == nil || len(ts) != 0 {
		t.Fatalf("blank = %v, %v; want no thresholds", ts, err)
	}
	_, err = capacityrules.ParseAlertThresholds("80, 70, eighty")
	if _, ok := partnerkit.ErrorFields(err)["alert_thresholds[2]"]; !ok {
		t.Fatalf("error %v, want alert_thresholds[2]", err)
	}
	_, err = capacityrules.ParseAlertThresholds("80, 70")
	p := &thresholdsProbe{err: err}
	e := app.NewTestEngine()
	e.Load(p)
	e.ConsumeAll()
	span := app.Elem("span").Class("field-error").Attr("data-field", "alert_thresholds[1]")
	if err := app.TestMatch(p, app.TestUIDescriptor{Path: app.TestPath(0, 0), Expected: span}); err != nil {
		t.Fatal(err)
	}
	if got := thresholdsText([]int{80, 90, 100}); got != "Usage alerts at 80 %, 90 %, 100 % of each partner's allocation, once a month each." {
		t.Fatalf("thresholds text %q", got)
	}
	if got := thresholdsText(nil); got != "No usage alerts on this contract." {
		t.Fatalf("no thresholds text %q", got)
	}
	if d := termsDraftOf(client.Terms{AlertThresholds: []int{50, 75}}); d.thresholds != "50, 75" {
		t.Fatalf("draft thresholds %q", d.thresholds)
	}
}
