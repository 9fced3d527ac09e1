package ui

import (
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/shopspring/decimal"
)

// How every screen shows what it shows: figures (TB, money, amounts with
// their units, dates), tables that become cards on a phone, the states of
// a page (not found, offline, nothing yet), and confirmations. One
// definition each, so that no two screens disagree.

// --- figures ---

// fixed is a decimal figure of the API rounded to places, with thousands
// separators: "21.868999999994" is "21.87", "1250" is "1,250.00". A figure
// that is not a decimal shows as it came.
func fixed(s string, places int32) string {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return grouped(d.StringFixed(places))
}

// grouped puts thousands separators into a number's integer part.
func grouped(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	if frac != "" {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

// tb is a capacity figure in TB with two decimals ("21.87 TB"); a figure
// too small to show so is "< 0.01 TB", never "0.00 TB".
func tb(s string) string {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err == nil && d.IsPositive() && d.LessThan(decimal.New(5, -3)) {
		return "< 0.01 TB"
	}
	return fixed(s, 2) + " TB"
}

// tbHTML is tb as raw HTML, the exact figure on hover where rounding hides
// digits.
func tbHTML(s string) string {
	shown := tb(s)
	if exact := strings.TrimSpace(s) + " TB"; exact != shown && s != "" {
		return rawf(`<span title="$">$</span>`, exact, shown)
	}
	return esc(shown)
}

// money is an amount in a currency with two decimals ("USD 4.50"); with no
// currency, the amount alone.
func money(amount, currency string) string {
	if amount == "" {
		return ""
	}
	return strings.TrimSpace(currency + " " + fixed(amount, 2))
}

// price is a unit price: at least two decimals, never rounded away (a
// price of 0.125 per GB stays 0.125).
func price(amount, currency string) string {
	d, err := decimal.NewFromString(strings.TrimSpace(amount))
	if err != nil || d.Exponent() >= -2 {
		return money(amount, currency)
	}
	return strings.TrimSpace(currency + " " + grouped(d.String()))
}

// amount is a quantity of a unit, the unit in the plural where the
// quantity calls for it: "1 user", "12 users", "2.5 TB".
func amount(n, unit string) string {
	if unit == "" {
		return n
	}
	if n == "1" || n == "1.0" {
		return n + " " + unit
	}
	return n + " " + plural(unit)
}

// plural is an English noun in the plural: "user" is "users", "mailbox"
// "mailboxes", "entity" "entities"; a symbol ("TB", "GB") stays as it is.
func plural(noun string) string {
	switch {
	case noun == "" || strings.ToUpper(noun) == noun || strings.HasSuffix(noun, "s"):
		return noun
	case strings.HasSuffix(noun, "x") || strings.HasSuffix(noun, "ch") || strings.HasSuffix(noun, "sh"):
		return noun + "es"
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	}
	return noun + "s"
}

// resource is a resource's amount: "12 users of mailboxes" reads badly,
// so it is "mailboxes: 12 users", or "7 devices" where the name is the
// unit's plural.
func resource(name, n, unit string) string {
	if strings.EqualFold(name, plural(unit)) || strings.EqualFold(name, unit) || name == "" {
		return amount(n, unit)
	}
	return name + ": " + amount(n, unit)
}

// count is a number of things: "1 partner", "3 partners".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return itoa(n) + " " + plural(noun)
}

// day is a date as people write it: "2 Jan 2026".
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006")
}

// moment is a time to the minute, in UTC: "2 Jan 2026, 15:04 UTC".
func moment(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

// label is a value of the API as a label: "pay_per_use" is "Pay per use".
func label(v string) string { return humanize(v) }

// --- tables ---

// cards is a table whose rows become cards on a phone (app.css), each
// cell then shown under its column's label. head is the column labels,
// "|num" after a label for a figure's column; rows are row's results.
// The table stays on the page's width: where it is wider, it scrolls in
// its own container, whose shadows show there is more to see.
func cards(id string, head []string, rows []string) app.UI {
	var b strings.Builder
	b.WriteString(`<div class="table-wrap"><table class="cards"` + attr("id", id) + "><thead><tr>")
	for _, h := range head {
		l, num, _ := strings.Cut(h, "|")
		if l == "" { // a column of buttons: named for screen readers
			b.WriteString(`<th scope="col"><span class="sr-only">Actions</span></th>`)
			continue
		}
		b.WriteString(rawf(`<th scope="col"!>$</th>`, pick(num != "", ` class="num"`, ""), l))
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range rows {
		b.WriteString(r)
	}
	b.WriteString("</tbody></table></div>")
	return app.Raw(b.String())
}

// row is a table row of cards: attrs are its raw attributes (attr(...)),
// cells raw HTML in head's order, each labelled with its column.
func row(head []string, attrs string, cells ...string) string {
	var b strings.Builder
	b.WriteString("<tr" + attrs + ">")
	for i, c := range cells {
		l, num := "", ""
		if i < len(head) {
			l, num, _ = strings.Cut(head[i], "|")
		}
		b.WriteString(rawf(`<td data-label="$"!><span class="v">!</span></td>`, l, pick(num != "", ` class="num"`, ""), c))
	}
	b.WriteString("</tr>")
	return b.String()
}

// link is a link in raw HTML.
func link(href, text string) string { return rawf(`<a href="$">$</a>`, href, text) }

// titled is text with more on hover (an ID behind a name).
func titled(title, text string) string { return rawf(`<span title="$">$</span>`, title, text) }

// --- states ---

// NotFoundMarker is the ID of the element the app's 404 page renders: the
// server answers a page that holds it with status 404.
const NotFoundMarker = "page-not-found"

// notFoundPage is the app's 404 page, inside its shell.
type notFoundPage struct{ app.Compo }

func (p *notFoundPage) Render() app.UI {
	return notFound("Page not found", "There is no page at this address.")
}

// notFound is a not-found state: the page's title, what is missing, and
// the way back.
func notFound(title, text string) app.UI {
	return newShell(title, app.Raw(rawf(`<div id="$" class="empty"><p>$</p><p><a href="/">Go to the directory</a></p></div>`, NotFoundMarker, text)))
}

// empty is a list's empty state: what is missing and what to do.
func empty(id, text string) app.UI { return app.Raw(rawf(`<p id="$" class="empty">$</p>`, id, text)) }

// offlineText says a request found no connection.
const offlineText = "You are offline: the server cannot be reached. Nothing was sent; try again when the connection is back."

// confirmed asks the user to confirm a move that is hard to undo.
func confirmed(question string) bool {
	return app.Window().Call("confirm", question).Bool()
}

// returnTo is where a sign-in goes on to: the page of this app the user
// asked for before (?next=), or the directory.
func returnTo(ctx app.Context) string { return safeNext(ctx.Page().URL().Query().Get("next")) }

// safeNext is next when it is a path of this app, else the directory.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return "/"
	}
	return next
}

// --- controls in raw HTML ---

// rowButton is a button of a raw row that does act (data-act) for item
// (data-id), through its table's one click handler (clickedAct).
func rowButton(class, text, act, item string) string {
	return rawf(`<button type="button" class="$" data-act="$" data-id="$">$</button>`, class, act, item, text)
}

// clickedAct is what the rowButton a click landed on does, for which
// item; act is "" off such buttons.
func clickedAct(e app.Event) (act, item string) {
	b := e.Get("target").Call("closest", "[data-act]")
	if !b.Truthy() {
		return "", ""
	}
	d := b.Get("dataset")
	return d.Get("act").String(), d.Get("id").String()
}

// focusFirstInvalid moves the focus, once the page shows a form's
// problems, to the first field that has one. ctx must be the component's
// own context (see mounted): an event's may be gone by then.
func focusFirstInvalid(ctx app.Context) {
	ctx.Defer(func(app.Context) {
		if el := app.Window().Get("document").Call("querySelector", `[aria-invalid="true"]`); el.Truthy() {
			el.Call("focus")
		}
	})
}
