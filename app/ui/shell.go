package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// newShell frames a signed-in page: a skip link, the top bar, then the
// page's title and content. It is a function, not a component, so the page
// renders (and go-app diffs) its content itself; the top bar's own state
// lives in the topBar component, whose one input is the page's title.
func newShell(title string, content ...app.UI) app.UI {
	return div("shell",
		app.Elem("a").Class("skip-link").Attr("href", "#main").Text("Skip to content").OnClick(func(ctx app.Context, _ app.Event) {
			app.Window().GetElementByID("main").Call("focus")
		}),
		&topBar{Title: title},
		app.Elem("main").ID("main").TabIndex(-1).Body(
			app.Elem("h1").ID("page-title").TabIndex(-1).Text(title),
			box(content...),
		),
	)
}

// topBar is the navigation — what the account's type and the user's role
// may use, grouped so that it fits one row, the current page marked — that
// folds into a menu on a phone, the account switcher, sign-out, and the
// offline banner. It names the browser's tab after the page (Title).
type topBar struct {
	app.Compo
	Title     string
	me        *client.Me
	path      string
	offline   bool
	menu      bool   // the phone's menu is open
	open      string // the group whose menu is open
	err       error
	listeners []listener
}

// listener is a function the top bar listens to the window with.
type listener struct {
	event string
	fn    app.Func
}

func (s *topBar) OnMount(ctx app.Context) {
	s.path = ctx.Page().URL().Path
	s.OnUpdate(ctx)
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	var cached client.Me
	if ctx.LocalStorage().Get("me", &cached) == nil && cached.AccountID != "" {
		s.me = &cached // the navigation at once; the fresh copy below confirms it
	}
	s.offline = !app.Window().Get("navigator").Get("onLine").Bool()
	s.listen(ctx, "online", func(app.Value) { s.offline = false })
	s.listen(ctx, "offline", func(app.Value) { s.offline = true })
	s.listen(ctx, "click", func(e app.Value) { // a click elsewhere closes an open menu
		if s.open != "" && !e.Get("target").Call("closest", ".nav").Truthy() {
			s.open = ""
		}
	})
	ctx.Defer(func(app.Context) { // a new page: the focus on its title, where it is announced
		if h := app.Window().GetElementByID("page-title"); h.Truthy() && !app.Window().Get("document").Get("activeElement").Call("matches", "input, select, textarea").Bool() {
			h.Call("focus")
		}
	})
	ctx.Async(func() {
		me, err := api.Me(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			switch {
			case signedOut(ctx, err):
			case err == nil:
				s.me, s.err = me, nil
				s.offline = s.offline || servedCopies // the copy of /me, offline
				_ = ctx.LocalStorage().Set("me", me)
			case client.Unreachable(err): // the banner says so; the last copy of /me stands
				s.offline = true
			default:
				s.err = err
			}
		})
	})
}

// listen calls fn on the UI goroutine for each event of the window, until
// the top bar goes.
func (s *topBar) listen(ctx app.Context, event string, fn func(e app.Value)) {
	f := app.FuncOf(func(_ app.Value, args []app.Value) any {
		e := args[0]
		ctx.Dispatch(func(app.Context) { fn(e) })
		return nil
	})
	app.Window().Call("addEventListener", event, f)
	s.listeners = append(s.listeners, listener{event, f})
}

func (s *topBar) OnDismount() {
	for _, l := range s.listeners {
		app.Window().Call("removeEventListener", l.event, l.fn)
		l.fn.Release()
	}
	s.listeners = nil
}

// OnUpdate names the browser's tab after the page.
func (s *topBar) OnUpdate(ctx app.Context) { ctx.Page().SetTitle(s.Title + " — Partnerkit") }

// OnNav notes the new page and closes the menus.
func (s *topBar) OnNav(ctx app.Context) { s.path, s.menu, s.open = ctx.Page().URL().Path, false, "" }

// navItem is a page of the navigation: its group ("" for the top row),
// the account types that use it (initials: provider, distributor,
// vendor, reseller, customer) and the role it needs ("" for any).
type navItem struct {
	href, label, group, types string
	role                      partnerkit.Role
}

var navItems = []navItem{
	{"/", "Directory", "", "pdr", ""},
	{"/partners/new", "Create partner", "", "pd", partnerkit.RoleStaff},
	{"/agreements", "Agreements", "", "pd", ""},
	{"/contracts", "Contracts", "", "pdvr", ""},
	{"/capacity", "Capacity", "Capacity", "pd", ""},
	{"/storage", "Storage accounts", "Capacity", "dr", ""},
	{"/deals", "Deals", "Capacity", "pdr", ""},
	{"/products", "Products", "Store", "pdv", ""},
	{"/catalog", "Catalog", "Store", "pdr", ""},
	{"/subscriptions", "Subscriptions", "Store", "dr", ""},
	{"/clients", "Clients", "Store", "dr", ""},
	{"/analytics", "Analytics", "Store", "dr", ""},
	{"/activity", "Activity", "Account", "pdvrc", ""},
	{"/team", "Team & API keys", "Account", "pdvrc", ""},
	{"/invitations", "Invitations", "Account", "pdvrc", partnerkit.RoleStaff}, // who may resend and revoke
	{"/webhooks", "Webhooks", "Account", "pdvrc", partnerkit.RoleAdmin},       // the webhook calls are for admins
	{"/account/security", "Security", "Account", "pdvrc", ""},
}

// navHTML is the navigation the user may use, as raw HTML: the top row's
// links, then each group as a button that opens its menu (aria-expanded),
// or as a plain link where it holds one page; the current page's link
// has aria-current.
func (s *topBar) navHTML() string {
	if s.me == nil {
		return `<div class="nav-items"></div>`
	}
	t, role := string(meType(s.me)), s.me.Role
	var items []navItem
	for _, it := range navItems {
		if t != "" && strings.Contains(it.types, t[:1]) && (it.role == "" || it.role == partnerkit.RoleStaff && role.CanWrite() || it.role == role) {
			items = append(items, it)
		}
	}
	linkTo := func(it navItem) string {
		return rawf(`<a href="$"!>$</a>`, it.href, pick(it.href == s.path, ` aria-current="page"`, ""), it.label)
	}
	var b strings.Builder
	b.WriteString(`<div class="nav-items">`)
	for i, it := range items {
		if it.group == "" {
			b.WriteString(linkTo(it))
			continue
		}
		if i > 0 && items[i-1].group == it.group {
			continue
		}
		var group []navItem
		current := false
		for _, g := range items[i:] {
			if g.group == it.group {
				group = append(group, g)
				current = current || g.href == s.path
			}
		}
		if len(group) == 1 {
			b.WriteString(linkTo(it))
			continue
		}
		b.WriteString(rawf(`<div class="nav-group!"><span class="nav-heading">$</span>`+
			`<button type="button" id="$" class="nav-toggle" aria-expanded="$" aria-controls="$" data-act="group" data-id="$">$</button><div class="nav-menu" id="$">`,
			pick(s.open == it.group, " open", "")+pick(current, " current", ""), it.group, "nav-"+it.group,
			pick(s.open == it.group, "true", "false"), "menu-"+it.group, it.group, it.group, "menu-"+it.group))
		for _, g := range group {
			b.WriteString(linkTo(g))
		}
		b.WriteString(`</div></div>`)
	}
	b.WriteString(`</div>`)
	return b.String()
}

// navClick opens or closes a group's menu, and closes the menus when a
// link is followed.
func (s *topBar) navClick(ctx app.Context, e app.Event) {
	if act, group := clickedAct(e); act == "group" {
		s.open = pick(s.open == group, "", group)
		ctx.Defer(func(app.Context) { app.Window().GetElementByID("nav-" + group).Call("focus") }) // the toggle, rendered anew
		return
	}
	if e.Get("target").Call("closest", "a").Truthy() {
		s.open, s.menu = "", false
	}
}

// navKey closes an open menu on Escape, the focus back on its toggle.
func (s *topBar) navKey(ctx app.Context, e app.Event) {
	if e.Get("key").String() == "Escape" && s.open != "" {
		group := s.open
		s.open = ""
		ctx.Defer(func(app.Context) { app.Window().GetElementByID("nav-" + group).Call("focus") })
	}
}

func (s *topBar) Render() app.UI {
	return box(
		app.Elem("header").Class("topbar").Body(
			app.Elem("button").Class("menu-toggle").Attr("aria-label", "Menu").Attr("aria-expanded", pick(s.menu, "true", "false")).Attr("aria-controls", "nav").Text("☰").OnClick(func(ctx app.Context, e app.Event) { s.menu = !s.menu }),
			anchor("brand", "/", "Partnerkit"),
			app.Elem("nav").ID("nav").Class("nav").Class(pick(s.menu, "open", "")).Attr("aria-label", "Main").OnClick(s.navClick).OnKeyDown(s.navKey).Body(app.Raw(s.navHTML())),
			app.If(s.me != nil, func() app.UI { return s.accountSwitcher() }),
			app.Elem("button").ID("signout").Class("link").Text("Sign out").OnClick(s.signOut),
		),
		app.If(s.offline, func() app.UI {
			return app.Elem("div").Class("offline").Attr("role", "status").Text("Offline copy: the data as last loaded here. Changes need the connection.")
		}),
		errorBanner(s.err),
	)
}

func (s *topBar) accountSwitcher() app.UI {
	ms := s.me.Memberships
	return app.Elem("select").ID("account").Attr("aria-label", "Account").OnChange(func(ctx app.Context, e app.Event) {
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
		forgetCopies()
		ctx.Dispatch(func(ctx app.Context) { ctx.Navigate("/signin") })
	})
}

// signIn is the sign-in page.
type signIn struct {
	app.Compo
	mounted
	email, password string
	err             error
	busy            bool
	// challenge, once the password was right, asks for a code (signin.go).
	challenge string
}

func (c *signIn) Render() app.UI {
	if c.challenge != "" {
		return c.codeStep()
	}
	return app.Elem("main").Class("signin").Body( // the page's one landmark
		h1("Sign in to Partnerkit"),
		form("signin-form", c.submit,
			field(c, "email", "Email", "email", &c.email, c.err, "email"),
			field(c, "password", "Password", "password", &c.password, c.err, "password"),
			errorBanner(c.err),
			app.Elem("button").Attr("type", "submit").ID("signin").Attr("disabled", c.busy).Text("Sign in"),
		),
		app.Elem("p").Body(anchor("", "/forgot-password", "Forgot your password?")),
	)
}

func (c *signIn) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	c.busy = true
	ctx = c.own(ctx)
	ctx.Async(func() {
		me, err := api.SignIn(ctx, c.email, c.password)
		ctx.Dispatch(func(ctx app.Context) { c.signedIn(ctx, me, err) })
	})
}
