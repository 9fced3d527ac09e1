// Package ui is Partnerkit's progressive web app: go-app v10 components
// compiled to WebAssembly that reach the JSON API only through app/client
// over the browser's fetch. The same routes are registered in the server
// build, which prerenders pages and serves the app.
package ui

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
)

// Register declares every route of the app; call it before
// app.RunWhenOnBrowser in both builds.
func Register() {
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
		return app.Span().Class("field-error").Attr("data-field", field).Text(msg)
	})
}

// errorBanner renders an error above a form: its message when it names no
// field, or a pointer to the fields, whose problems show next to them.
func errorBanner(err error) app.UI {
	return app.If(err != nil, func() app.UI {
		msg := errorText(err)
		if len(partnerkit.ErrorFields(err)) > 0 {
			msg = "Please correct the highlighted fields."
		}
		return app.Div().Class("error").Attr("role", "alert").Text(msg)
	})
}

// field renders a labelled input bound to *v, with its API error.
func field(c interface{ ValueTo(any) app.EventHandler }, id, label, typ string, v *string, err error, apiField string) app.UI {
	return app.Div().Class("field").Body(
		app.Label().For(id).Text(label),
		app.Input().ID(id).Name(id).Type(typ).Value(*v).OnInput(c.ValueTo(v)),
		fieldError(err, apiField),
	)
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

// check turns the problems a shared rule found into the error a form shows
// next to its fields, or nil; errs are invalid errors of rules functions.
func check(errs ...error) error {
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
