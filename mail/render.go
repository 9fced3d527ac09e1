package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/partnerkit/partnerkit"
)

// templateFS holds the bodies of every kind: templates/<kind>.txt (plain
// text, text/template) and templates/<kind>.html (the "content" of
// templates/layout.html, html/template), and templates/footer.txt.
//
//go:embed templates
var templateFS embed.FS

// DefaultPublicURL is the public URL of a service not given one: the
// server's default listen address.
const DefaultPublicURL = "http://127.0.0.1:8080"

// ParsePublicURL checks the public URL links are built with (an absolute
// http or https URL, with a path prefix at most: no query, fragment or
// user) and returns it without a trailing slash.
func ParsePublicURL(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("public URL %q: must be an absolute http or https URL such as https://partners.example.com", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// renderer renders messages of every kind with links under publicURL.
type renderer struct {
	publicURL string
	*templates
}

func newRenderer(publicURL string) *renderer {
	return &renderer{publicURL: publicURL, templates: parsed()}
}

// templates are every kind's parsed templates.
type templates struct {
	subjects map[string]*texttemplate.Template
	texts    map[string]*texttemplate.Template
	htmls    map[string]*htmltemplate.Template
}

// parsed parses every kind's templates once; a missing or broken template
// is a bug of this package, which its tests catch.
var parsed = sync.OnceValue(func() *templates {
	r := &templates{subjects: map[string]*texttemplate.Template{},
		texts: map[string]*texttemplate.Template{}, htmls: map[string]*htmltemplate.Template{}}
	funcs := map[string]any{"when": When}
	layout := htmltemplate.Must(htmltemplate.New("layout.html").Option("missingkey=error").Funcs(funcs).
		ParseFS(templateFS, "templates/layout.html"))
	footer := texttemplate.Must(texttemplate.New("footer.txt").Option("missingkey=error").Funcs(funcs).
		ParseFS(templateFS, "templates/footer.txt"))
	for _, k := range Kinds {
		r.subjects[k.Name] = texttemplate.Must(texttemplate.New(k.Name).Option("missingkey=error").Funcs(funcs).Parse(k.Subject))
		r.texts[k.Name] = texttemplate.Must(texttemplate.Must(footer.Clone()).New(k.Name+".txt").
			ParseFS(templateFS, "templates/"+k.Name+".txt"))
		r.htmls[k.Name] = htmltemplate.Must(htmltemplate.Must(layout.Clone()).
			ParseFS(templateFS, "templates/"+k.Name+".html"))
	}
	return r
})

// data returns the templates' data of a message: every field of its kind
// ("" when absent), each "_path" field's absolute link under the name
// ending in "_url", and "product", "public_url" and "to".
func (r *renderer) data(k *Kind, m *OutboxMessage) map[string]string {
	d := map[string]string{"product": "Partnerkit", "public_url": r.publicURL, "to": m.To}
	for _, f := range k.Fields() {
		v := m.Data[f]
		d[f] = v
		if base, ok := strings.CutSuffix(f, "_path"); ok {
			d[base+"_url"] = ""
			if v != "" {
				d[base+"_url"] = r.publicURL + v
			}
		}
	}
	return d
}

// render renders an outbox message.
func (r *renderer) render(m *OutboxMessage) (*Message, error) {
	k, ok := KindOf(m.Kind)
	if !ok {
		return nil, fmt.Errorf("unknown kind of mail %q", m.Kind)
	}
	d := r.data(k, m)
	var subject, text, html bytes.Buffer
	if err := r.subjects[k.Name].Execute(&subject, d); err != nil {
		return nil, fmt.Errorf("render the subject of %s mail: %w", k.Name, err)
	}
	if err := r.texts[k.Name].ExecuteTemplate(&text, k.Name+".txt", d); err != nil {
		return nil, fmt.Errorf("render the text of %s mail: %w", k.Name, err)
	}
	if err := r.htmls[k.Name].ExecuteTemplate(&html, "layout.html", d); err != nil {
		return nil, fmt.Errorf("render the HTML of %s mail: %w", k.Name, err)
	}
	return &Message{ID: m.ID, Kind: m.Kind, To: m.To, Subject: oneLine(subject.String()),
		Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String()}, nil
}

// When formats a time field for a reader: an RFC 3339 time (the services
// write them so) as "2 January 2026, 15:04 UTC"; anything else as it is.
// The templates call it as {{when .expires_at}}.
func When(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2 January 2006, 15:04 UTC")
}

// oneLine turns runs of white space (line breaks from a multi-line field
// among them) into single spaces: a subject is one header line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Render renders a message as Send would, with publicURL (DefaultPublicURL
// when empty): for previews and tests. It checks the message as QueueMail
// does.
func Render(m partnerkit.Mail, publicURL string) (*Message, error) {
	if publicURL == "" {
		publicURL = DefaultPublicURL
	}
	base, err := ParsePublicURL(publicURL)
	if err != nil {
		return nil, partnerkit.FieldError("public_url", err.Error())
	}
	m, _, err = check(m)
	if err != nil {
		return nil, err
	}
	return newRenderer(base).render(&OutboxMessage{Kind: m.Kind, To: m.To, Data: m.Data})
}
