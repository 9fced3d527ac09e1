package ui

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	agreementrules "github.com/partnerkit/partnerkit/agreements/rules"
	"github.com/partnerkit/partnerkit/app/client"
)

// documentForm picks a version's document: none, a URL or an uploaded file
// read in the browser. Its fields' API errors are named under prefix.
type documentForm struct {
	source        agreementrules.DocumentKind
	url, fileName string
	content       []byte
}

func (d *documentForm) input() client.DocumentInput {
	in := client.DocumentInput{Kind: d.source}
	switch d.source {
	case agreementrules.DocumentURL:
		in.URL = d.url
	case agreementrules.DocumentFile:
		in.FileName, in.Content = d.fileName, d.content
	}
	return in
}

// check applies the server's document check (agreements/rules) to the
// form, naming fields under prefix ("document", "new_agreement.document").
func (d *documentForm) check(prefix string) error {
	in := d.input()
	_, err := agreementrules.CheckDocument(prefix, in.Kind, in.URL, in.FileName, in.Content)
	return err
}

// documentSources labels the document kinds in the source picker.
var documentSources = map[agreementrules.DocumentKind]string{
	agreementrules.DocumentNone: "None (partners see the description)",
	agreementrules.DocumentURL:  "URL",
	agreementrules.DocumentFile: "Upload a file",
}

func documentSource(k agreementrules.DocumentKind) string { return documentSources[k] }

func (d *documentForm) render(c interface{ ValueTo(any) app.EventHandler }, err error, prefix string) app.UI {
	if d.source == "" {
		d.source = agreementrules.DocumentNone
	}
	return box(
		div("field",
			labelFor("document-source", "Document source"),
			enumSelect("document-source", "Document source", &d.source, c, agreementrules.DocumentKinds(), documentSource),
			fieldError(err, prefix+"kind"),
		),
		app.If(d.source == agreementrules.DocumentURL, func() app.UI {
			return field(c, "document-url", "Document URL", "url", &d.url, err, prefix+"url")
		}),
		app.If(d.source == agreementrules.DocumentFile, func() app.UI {
			return div("field",
				labelFor("document-file", "Document (PDF, text or Markdown, up to 10 MiB)"),
				app.ElemSelfClosing("input").ID("document-file").Attr("type", "file").Attr("accept", ".pdf,.txt,.md,.markdown").OnChange(func(ctx app.Context, _ app.Event) {
					readFile(ctx, func(name string, data []byte) { d.fileName, d.content = name, data })
				}),
				app.If(d.fileName != "", func() app.UI { return span("hint", d.fileName) }),
				fieldError(err, prefix+"content"),
				fieldError(err, prefix+"file_name"),
			)
		}),
	)
}

// readFile reads the file chosen in the event's input and hands it to done
// on the UI goroutine.
func readFile(ctx app.Context, done func(name string, data []byte)) {
	files := ctx.JSSrc().Get("files")
	if files.Get("length").Int() == 0 {
		return
	}
	f := files.Index(0)
	name := f.Get("name").String()
	var then app.Func
	then = app.FuncOf(func(_ app.Value, args []app.Value) any {
		defer then.Release()
		arr := app.Window().Get("Uint8Array").New(args[0])
		buf := make([]byte, arr.Get("length").Int())
		app.CopyBytesToGo(buf, arr)
		ctx.Dispatch(func(app.Context) { done(name, buf) })
		return nil
	})
	f.Call("arrayBuffer").Call("then", then)
}

// agreementsPage lists the account's agreements and creates new ones.
type agreementsPage struct {
	app.Compo
	mounted
	reader
	list         *client.List[client.Agreement]
	q            string
	creating     bool
	typ          agreementrules.Type
	name, descr  string
	doc          documentForm
	err, formErr error
}

func (c *agreementsPage) OnMount(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.typ = agreementrules.TypeProgram
	c.load(ctx)
}

func (c *agreementsPage) load(ctx app.Context) {
	q := c.q
	c.read(c.own(ctx), "agreements-page:"+q, func(ctx context.Context) (any, error) {
		return api.Agreements(ctx, q, client.Page{Limit: 100})
	}, func(s loadState) {
		if v, err, ok := outcome[*client.List[client.Agreement]](s); ok {
			c.list, c.err = v, err
		}
	})
}

func (c *agreementsPage) Render() app.UI {
	return newShell("Agreements",
		errorBanner(c.err),
		app.Elem("form").Class("filters").OnSubmit(func(ctx app.Context, e app.Event) { e.PreventDefault(); c.load(ctx) }).Body(
			app.ElemSelfClosing("input").ID("agreement-search").Attr("type", "search").Attr("aria-label", "Search agreements by name").Attr("placeholder", "Search by name").Attr("value", c.q).OnInput(c.ValueTo(&c.q)),
			app.Elem("button").Attr("type", "submit").Text("Search"),
			typeButtonID("new-agreement", "", "Create agreement", func(ctx app.Context, _ app.Event) {
				c.creating = true
				ctx.Defer(func(app.Context) { app.Window().GetElementByID("agreement-name").Call("focus") })
			}),
		),
		app.If(c.creating, func() app.UI {
			return app.Elem("form").ID("agreement-form").Class("card").OnSubmit(c.create).Body(
				div("field",
					labelFor("agreement-type", "Type"),
					enumSelect("agreement-type", "Type", &c.typ, c, agreementrules.Types(), agreementrules.Type.Label),
					fieldError(c.formErr, "type"),
				),
				field(c, "agreement-name", "Name", "text", &c.name, c.formErr, "name"),
				div("field",
					labelFor("agreement-description", "Description"),
					app.Elem("textarea").ID("agreement-description").Text(c.descr).OnInput(c.ValueTo(&c.descr)),
					fieldError(c.formErr, "description"),
				),
				c.doc.render(c, c.formErr, "document."),
				errorBanner(c.formErr),
				submitButton("save-agreement", "Create"),
			)
		}),
		app.If(c.list != nil, func() app.UI {
			items := c.list.Items
			if len(items) == 0 {
				return empty("no-agreements", pick(c.q != "", "No agreements match this search.", "No agreements yet: create one, or let the Create partner wizard make it."))
			}
			head := []string{"Name", "Type", "Current version|num", "Updated"}
			rows := make([]string, len(items))
			for i, a := range items {
				rows[i] = row(head, attr("class", "agreement-row"), link("/agreements/"+a.ID, a.Name), esc(a.Type.Label()), itoa(a.CurrentVersion), esc(day(a.UpdatedAt)))
			}
			return cards("agreements", head, rows)
		}).ElseIf(c.err == nil && c.loading(), func() app.UI { return loadingNote("agreements-loading", "Loading agreements…") }),
	)
}

func (c *agreementsPage) create(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if c.formErr = invalid(agreementrules.CheckAgreement("", c.typ, c.name, c.descr), c.doc.check("document")); c.formErr != nil {
		focusFirstInvalid(c.own(ctx))
		return
	}
	in := client.NewAgreement{Type: c.typ, Name: c.name, Description: c.descr, Document: c.doc.input()}
	ctx = c.own(ctx)
	ctx.Async(func() {
		a, err := api.CreateAgreement(ctx, in)
		ctx.Dispatch(func(ctx app.Context) {
			c.formErr = err
			focusFirstInvalid(ctx)
			if err == nil {
				ctx.Navigate("/agreements/" + a.ID)
			}
		})
	})
}

// agreementPage shows an agreement: edit its name and description, list
// its versions with their documents, publish a new version.
type agreementPage struct {
	app.Compo
	mounted
	reader
	id          string
	agreement   *client.Agreement
	versions    []client.AgreementVersion
	name, descr string
	doc         documentForm
	err         error
	saved       string
}

func (c *agreementPage) OnNav(ctx app.Context) {
	if api == nil { // prerendering on the server: the browser loads the data
		return
	}
	c.keep(ctx)
	c.id = lastSegment(ctx)
	c.load(ctx)
}

func (c *agreementPage) load(ctx app.Context) {
	id := c.id
	c.read(c.own(ctx), "agreement-page:"+id, func(ctx context.Context) (any, error) {
		a, err := api.Agreement(ctx, id)
		if err != nil {
			return nil, err
		}
		vs, err := api.AgreementVersions(ctx, id)
		if err != nil {
			return nil, err
		}
		return agreementView{agreement: a, versions: vs.Items}, nil
	}, func(s loadState) {
		v, err, ok := outcome[agreementView](s)
		if !ok {
			return
		}
		c.err = err
		if err == nil {
			c.agreement, c.name, c.descr, c.versions = v.agreement, v.agreement.Name, v.agreement.Description, v.versions
		}
	})
}

// agreementView is the agreement page's read: the agreement and its
// versions.
type agreementView struct {
	agreement *client.Agreement
	versions  []client.AgreementVersion
}

func (c *agreementPage) Render() app.UI {
	title := "Agreement"
	if c.agreement != nil {
		title = c.agreement.Name
	}
	return newShell(title,
		errorBanner(c.err),
		app.If(c.saved != "", func() app.UI { return app.Elem("p").Class("notice").Text(c.saved) }),
		app.If(c.agreement != nil, func() app.UI {
			return box(
				form("agreement-edit", c.save,
					field(c, "agreement-name", "Name", "text", &c.name, c.err, "name"),
					div("field",
						labelFor("agreement-description", "Description"),
						app.Elem("textarea").ID("agreement-description").Text(c.descr).OnInput(c.ValueTo(&c.descr)),
						fieldError(c.err, "description"),
					),
					submitButton("save-agreement", "Save"),
				),
				h2("Versions"),
				c.versionsTable(),
				h2("Publish a new version"),
				hint("Signed contracts stay on their version and show that an update awaits signature."),
				form("publish-form", c.publish,
					c.doc.render(c, c.err, "document."),
					submitButton("publish", "Publish"),
				),
			)
		}),
	)
}

// versionsTable lists the agreement's versions with their documents.
func (c *agreementPage) versionsTable() app.UI {
	head := []string{"Version|num", "Document", "Published"}
	rows := make([]string, len(c.versions))
	for i, v := range c.versions {
		rows[i] = row(head, "", itoa(v.Number), documentLink(c.id, v), esc(moment(v.CreatedAt)))
	}
	return cards("versions", head, rows)
}

// documentLink is a version's document, as raw HTML.
func documentLink(agreementID string, v client.AgreementVersion) string {
	switch v.Document.Kind {
	case agreementrules.DocumentURL:
		return rawf(`<a href="$" target="_blank" rel="noopener" class="url">$</a>`, v.Document.URL, v.Document.URL)
	case agreementrules.DocumentFile:
		return rawf(`<a href="$" target="_blank">$</a>`, "/api/v1/agreements/"+agreementID+"/versions/"+itoa(v.Number)+"/document",
			v.Document.FileName+" ("+v.Document.MediaType+")")
	}
	return `<span class="hint">no document</span>`
}

func (c *agreementPage) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if c.err = invalid(problem("name", agreementrules.NameProblem(c.name)), problem("description", agreementrules.DescriptionProblem(c.descr))); c.err != nil {
		return
	}
	name, descr, version := c.name, c.descr, c.agreement.Version
	ctx = c.own(ctx)
	ctx.Async(func() {
		a, err := api.UpdateAgreement(ctx, c.id, client.AgreementChanges{Name: &name, Description: &descr, Version: version})
		ctx.Dispatch(func(app.Context) {
			c.err = err
			if err == nil {
				c.agreement, c.saved = a, "Saved."
			}
		})
	})
}

func (c *agreementPage) publish(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if c.err = c.doc.check("document"); c.err != nil {
		return
	}
	doc := c.doc.input()
	ctx = c.own(ctx)
	ctx.Async(func() {
		v, err := api.PublishVersion(ctx, c.id, doc)
		ctx.Dispatch(func(ctx app.Context) {
			c.err = err
			if err == nil {
				c.saved, c.doc = "Version "+itoa(v.Number)+" published.", documentForm{}
				c.load(ctx)
			}
		})
	})
}
