package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// newShell frames a signed-in page: the top bar, then the page's title and
// content. It is a function, not a component, so the page renders (and
// go-app diffs) its content itself; the top bar's own state lives in the
// topBar component, which has no inputs to update.
func newShell(title string, content ...app.UI) app.UI {
	return div("shell",
		&topBar{},
		app.Main().Body(
			h1(title),
			box(content...),
		),
	)
}

// topBar is the navigation that folds on a phone, the account switcher,
// sign-out, and the offline banner.
type topBar struct {
	app.Compo
	me      *client.Me
	offline bool
	menu    bool
	err     error
}

func (s *topBar) OnMount(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	s.offline = !app.Window().Get("navigator").Get("onLine").Bool()
	for _, ev := range []string{"online", "offline"} {
		offline := ev == "offline"
		app.Window().Call("addEventListener", ev, app.FuncOf(func(app.Value, []app.Value) any {
			ctx.Dispatch(func(app.Context) { s.offline = offline })
			return nil
		}))
	}
	ctx.Async(func() {
		me, err := api.Me(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			switch {
			case unauthorized(err):
				ctx.Navigate("/signin")
			case err == nil:
				s.me, s.err = me, nil
				_ = ctx.LocalStorage().Set("me", me)
			case partnerkit.ErrorCode(err) == partnerkit.CodeInternal: // unreachable: the banner says so
				var cached client.Me
				if ctx.LocalStorage().Get("me", &cached) == nil && cached.AccountID != "" {
					s.me = &cached
				}
				s.offline = true
			default:
				s.err = err
			}
		})
	})
}

func (s *topBar) Render() app.UI {
	links := []struct{ href, label string }{
		{"/", "Directory"}, {"/partners/new", "Create partner"}, {"/agreements", "Agreements"}, {"/contracts", "Contracts"},
		{"/capacity", "Capacity"}, {"/storage", "Storage"}, {"/deals", "Deals"}, {"/products", "Products"}, {"/catalog", "Catalog"}, {"/subscriptions", "Subscriptions"}, {"/clients", "Clients"}, {"/analytics", "Analytics"},
		{"/activity", "Activity"}, {"/team", "Team & API keys"},
	}
	if s.me != nil && s.me.Role == partnerkit.RoleAdmin { // the webhook calls are for admins
		links = append(links, struct{ href, label string }{"/webhooks", "Webhooks"})
	}
	return box(
		app.Header().Class("topbar").Body(
			app.Button().Class("menu-toggle").Attr("aria-label", "Menu").Text("☰").
				OnClick(func(ctx app.Context, e app.Event) { s.menu = !s.menu }),
			anchor("brand", "/", "Partnerkit"),
			app.Nav().Class("nav").Class(pick(s.menu, "open", "")).Body(
				app.Range(links).Slice(func(i int) app.UI {
					return anchor("", links[i].href, links[i].label)
				}),
			),
			app.If(s.me != nil, func() app.UI { return s.accountSwitcher() }),
			app.Button().ID("signout").Class("link").Text("Sign out").OnClick(s.signOut),
		),
		app.If(s.offline, func() app.UI {
			return app.Div().Class("offline").Attr("role", "status").
				Text("Offline: showing the last loaded data. Changes need the connection.")
		}),
		errorBanner(s.err),
	)
}

func (s *topBar) accountSwitcher() app.UI {
	ms := s.me.Memberships
	return app.Select().ID("account").Attr("aria-label", "Account").OnChange(func(ctx app.Context, e app.Event) {
		id := valueOf(ctx)
		ctx.Async(func() {
			me, err := api.SwitchAccount(ctx, id)
			ctx.Dispatch(func(ctx app.Context) {
				s.me, s.err = me, err
				if err == nil {
					ctx.Reload()
				}
			})
		})
	}).Body(
		app.Range(ms).Slice(func(i int) app.UI {
			label := ms[i].AccountName + " (" + string(ms[i].Role) + ")"
			if ms[i].AccountStatus == partnerrules.StatusSuspended {
				label += " — suspended"
			}
			return option(ms[i].AccountID, label, ms[i].AccountID == s.me.AccountID)
		}),
	)
}

func (s *topBar) signOut(ctx app.Context, _ app.Event) {
	ctx.Async(func() {
		_ = api.SignOut(ctx)
		ctx.Dispatch(func(ctx app.Context) { ctx.Navigate("/signin") })
	})
}

// signIn is the sign-in page.
type signIn struct {
	app.Compo
	email, password string
	err             error
	busy            bool
}

func (c *signIn) Render() app.UI {
	return div("signin",
		h1("Sign in to Partnerkit"),
		form("signin-form", c.submit,
			field(c, "email", "Email", "email", &c.email, c.err, "email"),
			field(c, "password", "Password", "password", &c.password, c.err, "password"),
			errorBanner(c.err),
			app.Button().Type("submit").ID("signin").Disabled(c.busy).Text("Sign in"),
		),
	)
}

func (c *signIn) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	c.busy = true
	ctx.Async(func() {
		_, err := api.SignIn(ctx, c.email, c.password)
		ctx.Dispatch(func(ctx app.Context) {
			c.busy, c.err = false, err
			if err == nil {
				ctx.Navigate("/")
			}
		})
	})
}
