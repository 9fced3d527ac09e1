package rules_test

import (
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/listings/rules"
)

func TestItemProblems(t *testing.T) {
	tests := []struct {
		name            string
		item, mpn, unit string
		typ             rules.ItemType
		want            map[string]string
	}{
		{"OK", "Mailbox", "MB-1", "user", rules.ItemReservation, map[string]string{}},
		{"OKRunes", strings.Repeat("é", 100), strings.Repeat("é", 100), strings.Repeat("é", 50), rules.ItemPayAsYouGo, map[string]string{}},
		{"ErrRequired", " ", "", "", rules.ItemReservation, map[string]string{"name": partnerkit.ProblemRequired, "unit": partnerkit.ProblemRequired}},
		{"ErrTooLong", strings.Repeat("é", 101), strings.Repeat("x", 101), strings.Repeat("é", 51), rules.ItemReservation,
			map[string]string{"name": "must be at most 100 characters", "mpn": "must be at most 100 characters", "unit": "must be at most 50 characters"}},
		{"ErrType", "Mailbox", "", "user", "rental", map[string]string{"type": "must be reservation or pay_as_you_go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.ItemProblems(tt.item, tt.mpn, tt.typ, tt.unit)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestItemTypeLabels(t *testing.T) {
	for _, typ := range rules.ItemTypes() {
		if typ.Label() == string(typ) || !typ.Valid() {
			t.Errorf("%s: label %q", typ, typ.Label())
		}
	}
}
