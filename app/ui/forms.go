package ui

import (
	"context"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
)

// Forms show each problem the API (or a shared rule) names next to its
// field: the control gets aria-invalid and aria-describedby pointing at
// the problem's text (its id and "-error"), and a form that fails moves
// the focus to its first invalid field.
//
// The account security screens (account.go) are raw HTML built from
// templates (rawf): Go's WebAssembly code for each element built through
// go-app's chained calls is large, and app.wasm's budget (make wasm-size)
// is small, while a template's text costs little. Their buttons, forms and
// check boxes report to the page's one click, submit and change handler
// (events bubble): a button names what it does in data-act (actOf), a
// form is known by its id. The inputs keep what the user typed (the page never
// re-renders a form to show its outcome): showOutcome marks the fields and
// fills the form's status line in place.

// withProblem marks in invalid when err names apiField (field, ui.go).
func withProblem(in app.HTMLElemSelfClosing, id string, err error, apiField string) app.HTMLElemSelfClosing {
	if partnerkit.ErrorFields(err)[apiField] != "" {
		in = in.Attr("aria-invalid", "true").Attr("aria-describedby", id+"-error")
	}
	return in
}

// fieldProblem is the problem err names for apiField, shown under the
// control id (nil when there is none).
func fieldProblem(id string, err error, apiField string) app.UI {
	msg := partnerkit.ErrorFields(err)[apiField]
	if msg == "" {
		return nil
	}
	return app.Elem("span").ID(id+"-error").Class("field-error").Attr("data-field", apiField).Text(msg)
}

// inputHTML is a labelled input of form: name is the API's field, the id
// the form's id, "-" and the name. more are attributes (HTML).
func inputHTML(form, name, label, typ, more string) string {
	auto := "off"
	switch {
	case name == "email":
		auto = "email"
	case name == "new_password" || name == "repeat":
		auto = "new-password"
	case name == "code":
		auto, typ, more = "one-time-code", "text", more+` inputmode="numeric" spellcheck="false"`
	case strings.HasSuffix(name, "password"):
		auto = "current-password"
	}
	return rawf(`<div class="field"><label for="$-$">$</label><input id="$-$" name="$" type="$" autocomplete="$"!>`+
		`<span id="$-$-error" class="field-error" data-field="$" hidden></span></div>`,
		form, name, label, form, name, name, typ, auto, more, form, name, name)
}

// formHTML is a form of inputs (HTML), its status line and a submit
// button of a class.
func formHTML(id, inputs, submit, class string) string {
	return rawf(`<form id="$" novalidate>!<p id="$-status" role="status" hidden></p><button type="submit" id="$-submit" class="$">$</button></form>`,
		id, inputs, id, id, class, submit)
}

// copyHTML is a read-only input of value with a button that copies it.
func copyHTML(id, label, value string) string {
	return rawf(`<div class="copy-row"><input id="$" readonly aria-label="$" spellcheck="false" value="$">`+
		`<button type="button" id="$-copy" data-act="copy" data-id="$">Copy</button></div>`, id, label, value, id, id)
}

// byID is the page's element of an id (null when none).
func byID(id string) app.Value { return app.Window().GetElementByID(id) }

// formValue is the value of the input name of a form of inputHTML.
func formValue(form, name string) string {
	if el := byID(form + "-" + name); el.Truthy() {
		return el.Get("value").String()
	}
	return ""
}

// showOutcome shows what a form's submission came to, in place: each
// field err names is marked and its problem shown under it, the others
// cleared; the status line says err's message (or to see the fields) or
// notice; the focus moves to the first field with a problem.
func showOutcome(form string, err error, notice string) {
	f := byID(form)
	if !f.Truthy() {
		return
	}
	problems := partnerkit.ErrorFields(err)
	var first app.Value
	inputs := f.Call("querySelectorAll", "input[name]")
	for i := range inputs.Length() {
		in := inputs.Index(i)
		id := in.Get("id").String()
		msg := problems[in.Get("name").String()]
		if msg == "" {
			in.Call("removeAttribute", "aria-invalid")
			in.Call("removeAttribute", "aria-describedby")
		} else {
			in.Call("setAttribute", "aria-invalid", "true")
			in.Call("setAttribute", "aria-describedby", id+"-error")
			if first == nil {
				first = in
			}
		}
		if span := byID(id + "-error"); span.Truthy() {
			span.Set("textContent", msg)
			span.Set("hidden", msg == "")
		}
	}
	if st := byID(form + "-status"); st.Truthy() {
		text := notice
		if err != nil {
			text = errorText(err)
			if len(problems) > 0 {
				text = "Please correct the highlighted fields."
			}
		}
		st.Set("textContent", text)
		st.Set("className", pick(err != nil, "error", "notice"))
		st.Set("hidden", text == "")
	}
	if first != nil {
		first.Call("focus")
	}
}

// actOf is what the button a click landed on does (its data-act), for
// which item (data-id), and the button; act is "" off buttons.
func actOf(e app.Event) (act, item string, b app.Value) {
	b = e.Get("target").Call("closest", "[data-act]")
	if !b.Truthy() {
		return "", "", b
	}
	if id := b.Call("getAttribute", "data-id"); id.Truthy() {
		item = id.String()
	}
	return b.Call("getAttribute", "data-act").String(), item, b
}

// copyValue copies the value of the input id, selecting it too (without
// the clipboard API it can then be copied by hand); b says so.
func copyValue(id string, b app.Value) {
	in := byID(id)
	if !in.Truthy() {
		return
	}
	in.Call("select")
	if clip := app.Window().Get("navigator").Get("clipboard"); clip.Truthy() {
		clip.Call("writeText", in.Get("value").String())
	}
	b.Set("textContent", "Copied")
}

// absolute is a link of the API ("/join/…") with the page's origin.
func absolute(link string) string {
	if strings.HasPrefix(link, "/") {
		return app.Window().Get("location").Get("origin").String() + link
	}
	return link
}

// codeOrRecovery tells a code of the authenticator app (digits) from a
// recovery code ("abcde-12345"): forms take either in one field.
func codeOrRecovery(s string) (code, recovery string) {
	s = strings.TrimSpace(s)
	if digits := strings.ReplaceAll(s, " ", ""); strings.Trim(digits, "0123456789") == "" {
		return digits, ""
	}
	return "", s
}

// asCode shows a problem the API named for "recovery_code" as one of
// "code", the field that takes both.
func asCode(err error) error {
	if f := partnerkit.ErrorFields(err); f["recovery_code"] != "" {
		f["code"] = f["recovery_code"]
	}
	return err
}

// submitted runs do off the UI goroutine, then shows its outcome at form:
// its error or notice (showOutcome, once the page has rendered). On
// success the form is cleared. then, when not nil, runs first (on the UI
// goroutine) with the error.
func submitted(m *mounted, ctx app.Context, form string, do func(context.Context) (string, error), then func(app.Context, error)) {
	var notice string
	background(m, ctx, func(ctx context.Context) (err error) {
		notice, err = do(ctx)
		return err
	}, func(ctx app.Context, err error) {
		if f := byID(form); err == nil && f.Truthy() && f.Get("tagName").String() == "FORM" {
			f.Call("reset")
		}
		if then != nil {
			then(ctx, err)
		}
		err = asCode(err)
		ctx.Defer(func(app.Context) { showOutcome(form, err, notice) })
	})
}
