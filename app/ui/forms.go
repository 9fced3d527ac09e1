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
// the focus to its first invalid field (focusInvalid).
//
// The account security screens read their inputs from the page when the
// form is submitted (formValue) instead of keeping a copy of every
// keystroke: a form is then one inputs call, and one submit handler per
// page serves every form on it (app.wasm's budget, see webhooks.go).

// withProblem marks in invalid when err names apiField.
func withProblem(in app.HTMLInput, id string, err error, apiField string) app.HTMLInput {
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
	return app.Span().ID(id+"-error").Class("field-error").Attr("data-field", apiField).Text(msg)
}

// inputs are a form's labelled inputs, one per name, label, type triple:
// the name is the API's field, the input's id the form's id, "-" and the
// name. Type "code" is a one-time code (digits on a phone's keyboard).
func inputs(form string, err error, specs ...string) app.UI {
	fields := make([]app.UI, 0, len(specs)/3)
	for i := 0; i+2 < len(specs); i += 3 {
		name, typ := specs[i], specs[i+2]
		id := form + "-" + name
		in := app.Input().ID(id).Name(name).Type(typ).Attr("autocomplete", autocomplete(name))
		if typ == "code" {
			in = in.Type("text").Attr("inputmode", "numeric").Attr("spellcheck", "false")
		}
		fields = append(fields, div("field", labelFor(id, specs[i+1]), withProblem(in, id, err, name), fieldProblem(id, err, name)))
	}
	return box(fields...)
}

// autocomplete is what a browser may fill a field of the name with.
func autocomplete(name string) string {
	switch name {
	case "email":
		return "email"
	case "new_password", "repeat":
		return "new-password"
	case "code":
		return "one-time-code"
	}
	if strings.HasSuffix(name, "password") {
		return "current-password"
	}
	return "off"
}

// formValue is the value of the input name of a form built by inputs.
func formValue(form, name string) string {
	return app.Window().GetElementByID(form + "-" + name).Get("value").String()
}

// focusInvalid moves the focus, once the page shows the problems, to the
// first field that has one. ctx must be the component's own context (see
// mounted): an event's may be gone by then.
func focusInvalid(ctx app.Context) {
	ctx.Defer(func(app.Context) {
		if el := app.Window().Get("document").Call("querySelector", `[aria-invalid="true"]`); el.Truthy() {
			el.Call("focus")
		}
	})
}

// codeOrRecovery tells a code of the authenticator app (digits) from a
// recovery code (letters and digits, "abcde-12345"): forms take either in
// one field.
func codeOrRecovery(s string) (code, recovery string) {
	s = strings.TrimSpace(s)
	if strings.Trim(strings.ReplaceAll(s, " ", ""), "0123456789") == "" {
		return strings.ReplaceAll(s, " ", ""), ""
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

// outcome is what the last form submitted on a page came to: the form's
// id, and its error or a notice of what it did.
type outcome struct {
	form, notice string
	err          error
}

// errOf is the error of form, nil for any other form.
func (o *outcome) errOf(form string) error {
	if o.form == form {
		return o.err
	}
	return nil
}

// status shows form's outcome: its error, or its notice.
func (o *outcome) status(form string) app.UI {
	switch {
	case o.form != form:
		return nil
	case o.err != nil:
		return errorBanner(o.err)
	case o.notice != "":
		return app.P().ID(form+"-done").Class("notice").Attr("role", "status").Text(o.notice)
	}
	return nil
}

// run calls the API for form off the UI goroutine; call returns the
// notice to show. An error shows at the form with the focus on its first
// invalid field; success resets the form's inputs and runs then (a
// reload), when not nil.
func (o *outcome) run(m *mounted, ctx app.Context, form string, call func(context.Context) (string, error), then func(app.Context)) {
	o.form, o.err, o.notice = form, nil, ""
	var notice string
	background(m, ctx, func(ctx context.Context) (err error) {
		notice, err = call(ctx)
		return err
	}, func(ctx app.Context, err error) {
		o.form, o.err, o.notice = form, asCode(err), notice
		if err != nil {
			focusInvalid(ctx)
			return
		}
		if f := app.Window().GetElementByID(form); f.Truthy() && f.Get("tagName").String() == "FORM" {
			f.Call("reset")
		}
		if then != nil {
			then(ctx)
		}
	})
}

// invalidNow shows problems found before the API is asked (shared rules)
// at form; it reports whether there were any.
func (o *outcome) invalidNow(ctx app.Context, form string, err error) bool {
	if err == nil {
		return false
	}
	o.form, o.err, o.notice = form, err, ""
	focusInvalid(ctx)
	return true
}

// actButton is a button that does act (its data-act) through its page's
// one click handler, for the item id (data-id, "" for none).
func actButton(id, class, text, act, item string) app.UI {
	b := app.Button().Type("button").Attr("data-act", act)
	if id != "" {
		b = b.ID(id)
	}
	if class != "" {
		b = b.Class(class)
	}
	if item != "" {
		b = b.Attr("data-id", item)
	}
	return b.Text(text)
}

// actButtonHTML is actButton as raw HTML, for rows of raw tables.
func actButtonHTML(class, text, act, item string) string {
	return `<button type="button"` + attr("class", class) + attr("data-act", act) + attr("data-id", item) + ">" + esc(text) + "</button>"
}

// actOf is the act and item of the button a click landed on, "" when it
// landed on none.
func actOf(e app.Event) (act, item string) {
	b := e.Get("target").Call("closest", "[data-act]")
	if !b.Truthy() {
		return "", ""
	}
	d := b.Get("dataset")
	id := d.Get("id")
	if id.Truthy() {
		item = id.String()
	}
	return d.Get("act").String(), item
}

// absolute is a link of the API ("/join/…") with the page's origin.
func absolute(link string) string {
	if strings.HasPrefix(link, "/") {
		return app.Window().Get("location").Get("origin").String() + link
	}
	return link
}

// linkNotice shows a new invitation or reset link once, with a copy
// button, and a button that does act (closes it).
func linkNotice(id, text, link, act string) app.UI {
	return app.Div().ID(id).Class("notice secret").Attr("role", "alert").Body(
		para(text),
		div("copy-row",
			app.Input().ID(id+"-value").ReadOnly(true).Value(link).Attr("aria-label", "Link").Attr("spellcheck", "false"),
			app.Button().Type("button").ID(id+"-copy").Attr("data-target", id+"-value").Text("Copy").OnClick(copyTarget),
		),
		actButton(id+"-done", "secondary", "Done", act, ""),
	)
}
