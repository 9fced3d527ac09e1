// Package ui is Partnerkit's progressive web app: go-app v10 components
// compiled to WebAssembly that reach the JSON API only through app/client
// over the browser's fetch. The same routes are registered in the server
// build, which prerenders pages and serves the app.
package ui

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// Register declares every route of the app; call it before
// app.RunWhenOnBrowser in both builds.
func Register() {
	app.Handle(actionRead, handleRead)
	app.Route("/", func() app.Composer { return &directory{} })
	app.Route("/signin", func() app.Composer { return &signIn{} })
	app.Route("/partners/new", func() app.Composer { return &wizard{} })
	app.RouteWithRegexp(`^/partners/[^/]+$`, func() app.Composer { return &partnerDetails{} })
	app.RouteWithRegexp(`^/activate/[^/]+$`, func() app.Composer { return &activation{} })
	app.RouteWithRegexp(`^/join/[^/]+$`, func() app.Composer { return &joinPage{} })
	app.Route("/agreements", func() app.Composer { return &agreementsPage{} })
	app.RouteWithRegexp(`^/agreements/[^/]+$`, func() app.Composer { return &agreementPage{} })
	app.Route("/contracts", func() app.Composer { return &contractsPage{} })
	app.Route("/capacity", func() app.Composer { return &capacityPage{} })
	app.Route("/storage", func() app.Composer { return &storagePage{} })
	app.Route("/deals", func() app.Composer { return &dealsPage{} })
	app.Route("/products", func() app.Composer { return &productsPage{} })
	app.Route("/catalog", func() app.Composer { return &catalogPage{} })
	app.Route("/subscriptions", func() app.Composer { return &subscriptionsPage{} })
	app.Route("/subscriptions/new", func() app.Composer { return &orderPage{} })
	app.Route("/clients", func() app.Composer { return &clientsPage{} })
	app.Route("/analytics", func() app.Composer { return &analyticsPage{} })
	app.Route("/team", func() app.Composer { return &teamPage{} })
	app.Route("/forgot-password", func() app.Composer { return &accountPage{} })
	app.RouteWithRegexp(`^/reset-password/[^/]+$`, func() app.Composer { return &accountPage{} })
	app.Route("/account/security", func() app.Composer { return &accountPage{} })
	app.Route("/invitations", func() app.Composer { return &accountPage{} })
	app.Route("/activity", func() app.Composer { return &activityPage{} })
	app.Route("/webhooks", func() app.Composer { return &webhooksPage{} })
	app.RouteWithRegexp(`^/webhooks/[^/]+$`, func() app.Composer { return &webhookPage{} })
	app.RouteWithRegexp(`^/webhook-deliveries/[^/]+$`, func() app.Composer { return &webhookDeliveryPage{} })
	// Keep last: every other path is the app's own 404 page, in its shell.
	app.RouteWithRegexp(`^/`, func() app.Composer { return &notFoundPage{} })
}

// lastSegment returns the last part of the page's path (an ID or token).
func lastSegment(ctx app.Context) string {
	p := strings.TrimSuffix(ctx.Page().URL().Path, "/")
	return p[strings.LastIndex(p, "/")+1:]
}

// errorText is the message of an API error, shown to the user.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return partnerkit.ErrorMessage(err)
}

// fieldError renders the problem the API named for one field, next to it.
func fieldError(err error, field string) app.UI {
	msg := partnerkit.ErrorFields(err)[field]
	return app.If(msg != "", func() app.UI {
		return app.Elem("span").Class("field-error").Attr("data-field", field).Text(msg)
	})
}

// errorBanner renders an error above a form: its message when it names no
// field, or a pointer to the fields, whose problems show next to them.
func errorBanner(err error) app.UI {
	return app.If(err != nil, func() app.UI {
		msg := errorText(err)
		switch {
		case len(partnerkit.ErrorFields(err)) > 0:
			msg = "Please correct the highlighted fields."
		case client.Unreachable(err):
			msg = offlineText
		}
		return app.Elem("div").Class("error").Attr("role", "alert").Text(msg)
	})
}

// field renders a labelled input bound to *v, with its API error next to
// it (aria-invalid, aria-describedby: see forms.go).
func field(c interface{ ValueTo(any) app.EventHandler }, id, label, typ string, v *string, err error, apiField string) app.UI {
	return div("field",
		labelFor(id, label),
		withProblem(app.ElemSelfClosing("input").ID(id).Attr("name", id).Attr("type", typ).Attr("value", *v).OnInput(c.ValueTo(v)), id, err, apiField),
		fieldProblem(id, err, apiField),
	)
}

// signedOut reports whether err means the session is gone, and then
// sends the user to sign in, and back to this page after (returnTo).
func signedOut(ctx app.Context, err error) bool {
	if !unauthorized(err) {
		return false
	}
	u := ctx.Page().URL()
	next := u.Path
	if u.RawQuery != "" {
		next += "?" + u.RawQuery
	}
	if next == "/" || strings.HasPrefix(next, "/signin") {
		next = ""
	}
	ctx.Navigate("/signin" + pick(next != "", "?next="+url.QueryEscape(next), ""))
	return true
}

// unauthorized reports whether err means the session is gone.
func unauthorized(err error) bool { return partnerkit.ErrorCode(err) == partnerkit.CodeUnauthorized }

func itoa(n int) string { return strconv.Itoa(n) }

// options lists the value, label pairs of an enumeration for selectBox,
// in the order its rules package gives the values, after the leading pairs.
func options[T ~string](values []T, label func(T) string, leading ...string) []string {
	out := append(make([]string, 0, len(leading)+2*len(values)), leading...)
	for _, v := range values {
		out = append(out, string(v), label(v))
	}
	return out
}

// capitalized is a value as a label: "viewer" is "Viewer".
func capitalized[T ~string](v T) string {
	if v == "" {
		return ""
	}
	return strings.ToUpper(string(v[:1])) + string(v[1:])
}

// problem is an invalid error naming field when p, a shared rule's
// problem, is not "".
func problem(field, p string) error {
	if p == "" {
		return nil
	}
	return partnerkit.FieldError(field, p)
}

// invalid turns the problems shared rules found into the error a form shows
// next to its fields, or nil; errs are invalid errors of rules functions.
func invalid(errs ...error) error {
	fields := map[string]string{}
	for _, err := range errs {
		for k, v := range partnerkit.ErrorFields(err) {
			if _, dup := fields[k]; !dup {
				fields[k] = v
			}
		}
	}
	return partnerkit.FieldErrors(fields)
}

// mounted keeps the context a component got when it mounted or navigated.
// Loaders dispatch through it: a context from an event belongs to the
// element that fired it, and once an update replaces that element, updates
// dispatched through it no longer reach the component.
type mounted struct {
	self app.Context
}

// keep remembers the component's own context.
func (m *mounted) keep(ctx app.Context) { m.self = ctx }

// own returns the component's own context, or ctx before it mounted.
func (m *mounted) own(ctx app.Context) app.Context {
	if m.self.Context != nil {
		return m.self
	}
	return ctx
}

// thead is a table's header row of column labels.
func thead(labels ...string) app.UI {
	ths := make([]app.UI, len(labels))
	for i, l := range labels {
		ths[i] = app.Elem("th").Text(l)
		if l == "" { // a column of buttons: named for screen readers
			ths[i] = app.Elem("th").Body(app.Elem("span").Class("sr-only").Text("Actions"))
		}
	}
	return app.Elem("thead").Body(app.Elem("tr").Body(ths...))
}

// td is a table cell holding text. It and the helpers below build the
// elements the pages repeat most: each is one call instead of a chain, and
// Go's WebAssembly code for a call is large (see WASM_FLAGS in Makefile).
func td(text any) app.UI { return app.Elem("td").Text(text) }

// dt is a term of a description list.
func dt(text any) app.UI { return app.Elem("dt").Text(text) }

// dd is a description of a description list (see dt).
func dd(text any) app.UI { return app.Elem("dd").Text(text) }

// h2 is a section's heading.
func h2(text any) app.UI { return app.Elem("h2").Text(text) }

// hint is a paragraph of help text.
func hint(text any) app.UI { return app.Elem("p").Class("hint").Text(text) }

// span is a span of a class holding text.
func span(class string, text any) app.UI { return app.Elem("span").Class(class).Text(text) }

// option is an option of a select.
func option(value, text string, selected bool) app.UI {
	return app.Elem("option").Attr("value", value).Attr("selected", selected).Text(text)
}

// div is a div of a class holding body.
func div(class string, body ...app.UI) app.UI { return app.Elem("div").Class(class).Body(body...) }

// box is a div holding body.
func box(body ...app.UI) app.UI { return app.Elem("div").Body(body...) }

// labelFor is the label of the control id.
func labelFor(id string, text any) app.UI { return app.Elem("label").Attr("for", id).Text(text) }

// table is a table with an ID holding body (thead, tbody).
func table(id string, body ...app.UI) app.UI { return app.Elem("table").ID(id).Body(body...) }

// tbody is a table's body of rows.
func tbody(rows ...app.UI) app.UI { return app.Elem("tbody").Body(rows...) }

// form is a form with an ID, submitted to onSubmit, holding body.
func form(id string, onSubmit app.EventHandler, body ...app.UI) app.UI {
	return app.Elem("form").ID(id).OnSubmit(onSubmit).Body(body...)
}

// tdBody is a table cell holding body.
func tdBody(body ...app.UI) app.UI { return app.Elem("td").Body(body...) }

// tdc is a table cell of a class holding text.
func tdc(class string, text any) app.UI { return app.Elem("td").Class(class).Text(text) }

// para is a paragraph of text.
func para(text any) app.UI { return app.Elem("p").Text(text) }

// dl is a description list of dt, dd pairs.
func dl(items ...app.UI) app.UI { return app.Elem("dl").Body(items...) }

// anchor is a link of a class ("" for none) to href.
func anchor(class, href string, text any) app.UI {
	if class == "" {
		return app.Elem("a").Attr("href", href).Text(text)
	}
	return app.Elem("a").Class(class).Attr("href", href).Text(text)
}

// button is a button of a class that calls onClick.
func button(class string, text any, onClick app.EventHandler) app.UI {
	return app.Elem("button").Class(class).Text(text).OnClick(onClick)
}

// submitButton is a form's submit button with an ID.
func submitButton(id string, text any) app.UI {
	return app.Elem("button").Attr("type", "submit").ID(id).Text(text)
}

// divID is a div with an ID holding body.
func divID(id string, body ...app.UI) app.UI { return app.Elem("div").ID(id).Body(body...) }

// labelOf is a label of a class holding body (a check box and its text).
func labelOf(class string, body ...app.UI) app.UI {
	return app.Elem("label").Class(class).Body(body...)
}

// selectOf is a select with an ID calling onChange, holding its options.
func selectOf(id string, onChange app.EventHandler, options ...app.UI) app.UI {
	return app.Elem("select").ID(id).OnChange(onChange).Body(options...)
}

// trOf is a table row of a class holding cells.
func trOf(class string, cells ...app.UI) app.UI { return app.Elem("tr").Class(class).Body(cells...) }

// pick is a if cond holds, else b.
func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// valueOf is the value of the element that fired an event.
func valueOf(ctx app.Context) string { return ctx.JSSrc().Get("value").String() }

// checkedOf reports whether the check box that fired an event is ticked.
func checkedOf(ctx app.Context) bool { return ctx.JSSrc().Get("checked").Bool() }

// h1 is a page's heading.
func h1(text any) app.UI { return app.Elem("h1").Text(text) }

// strong is strong text.
func strong(text any) app.UI { return app.Elem("strong").Text(text) }

// typeButton is a button of a class that calls onClick and never submits
// its form.
func typeButton(class string, text any, onClick app.EventHandler) app.UI {
	return app.Elem("button").Attr("type", "button").Class(class).Text(text).OnClick(onClick)
}

// typeButtonID is a typeButton with an ID (class "" for none).
func typeButtonID(id, class string, text any, onClick app.EventHandler) app.UI {
	b := app.Elem("button").Attr("type", "button").ID(id)
	if class != "" {
		b = b.Class(class)
	}
	return b.Text(text).OnClick(onClick)
}
