package ui

import (
	"strings"
	"testing"
	"time"
)

// Figures read as people write them, on every screen alike.
func TestFigures(t *testing.T) {
	for _, tt := range []struct{ name, got, want string }{
		{"TBRounded", tb("21.868999999994"), "21.87 TB"},
		{"TBWhole", tb("100"), "100.00 TB"},
		{"TBThousands", tb("1250.5"), "1,250.50 TB"},
		{"TBTiny", tb("0.0025"), "< 0.01 TB"},
		{"TBZero", tb("0"), "0.00 TB"},
		{"TBNotANumber", tb("n/a"), "n/a TB"},
		{"MoneyCurrency", money("4.5", "USD"), "USD 4.50"},
		{"MoneyNegative", money("-1234.567", "EUR"), "EUR -1,234.57"},
		{"MoneyNoCurrency", money("54", ""), "54.00"},
		{"PriceKeepsDigits", price("0.125", ""), "0.125"},
		{"PriceTwoDecimals", price("4.5", "USD"), "USD 4.50"},
		{"AmountOne", amount("1", "user"), "1 user"},
		{"AmountMany", amount("12", "user"), "12 users"},
		{"AmountSymbol", amount("2.5", "TB"), "2.5 TB"},
		{"PluralBox", plural("mailbox"), "mailboxes"},
		{"PluralEntity", plural("entity"), "entities"},
		{"PluralDay", plural("day"), "days"},
		{"ResourceNamedLikeItsUnit", resource("devices", "7", "device"), "7 devices"},
		{"ResourceOtherName", resource("mailboxes", "12", "user"), "mailboxes: 12 users"},
		{"Count", count(1, "partner") + ", " + count(3, "partner"), "1 partner, 3 partners"},
		{"Day", day(time.Date(2026, 1, 2, 23, 0, 0, 0, time.UTC)), "2 Jan 2026"},
		{"Moment", moment(time.Date(2026, 1, 2, 15, 4, 0, 0, time.UTC)), "2 Jan 2026, 15:04 UTC"},
		{"Label", label("pay_per_use"), "Pay per use"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if h := tbHTML("21.868999999994"); !strings.Contains(h, `title="21.868999999994 TB"`) || !strings.Contains(h, ">21.87 TB<") {
		t.Errorf("tbHTML hides the exact figure: %s", h)
	}
	if h := tbHTML("100.00"); strings.Contains(h, "title") {
		t.Errorf("tbHTML adds a hover for an exact figure: %s", h)
	}
}

// A table of cards labels each cell with its column (a phone shows it)
// and escapes what the API sent.
func TestCards(t *testing.T) {
	head := []string{"Name", "Count|num", ""}
	r := row(head, attr("class", "x"), esc("<Acme>"), "3", rowButton("small", "Go", "go", "ID-1"))
	for _, want := range []string{`<tr class="x">`, `data-label="Name"`, `&lt;Acme&gt;`, `data-label="Count" class="num"`,
		`data-label=""`, `data-act="go" data-id="ID-1"`} {
		if !strings.Contains(r, want) {
			t.Errorf("row %s lacks %s", r, want)
		}
	}
}

// A sign-in returns to a page of this app, never elsewhere.
func TestReturnToRefusesOtherSites(t *testing.T) {
	for next, ok := range map[string]bool{"/capacity": true, "/partners/PA-1?tab=capacity": true, "//evil.example": false,
		`/\evil.example`: false, "https://evil.example": false, "": false} {
		if got := safeNext(next) == next; got != ok {
			t.Errorf("safeNext(%q) = %q", next, safeNext(next))
		}
	}
}
