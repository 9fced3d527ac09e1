package storetest

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/partners"
)

// Sample documents for uploads.
var (
	samplePDF      = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	sampleMarkdown = []byte("# Reseller program\n\nThe reseller sells **our** services.\n")
)

// agreementsSuite is the table of agreements.Store's conformance tests,
// through the service.
func agreementsSuite() suite {
	ctx := context.Background()
	return suite{tests: []test{
		{name: "DocumentKinds", needs: forAgreements, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			cases := []struct {
				name string
				doc  agreements.DocumentInput
				want agreements.Document
			}{
				{"None", agreements.DocumentInput{}, agreements.Document{Kind: agreements.DocumentNone}},
				{"URL", agreements.DocumentInput{Kind: agreements.DocumentURL, URL: " https://example.com/terms.pdf "},
					agreements.Document{Kind: agreements.DocumentURL, URL: "https://example.com/terms.pdf"}},
				{"PDF", agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: "terms.PDF", Content: samplePDF},
					agreements.Document{Kind: agreements.DocumentFile, FileName: "terms.PDF", MediaType: agreements.MediaPDF, Size: int64(len(samplePDF))}},
				{"Markdown", agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: `C:\docs\program.md`, Content: sampleMarkdown},
					agreements.Document{Kind: agreements.DocumentFile, FileName: "program.md", MediaType: agreements.MediaMarkdown, Size: int64(len(sampleMarkdown))}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					a := must[*agreements.Agreement](t)(e.agr.Create(ctx, e.admin, agreements.CreateInput{
						Type: agreements.TypeProgram, Name: "Program " + c.name, Description: "What partners read", Document: c.doc}))
					got := must[*agreements.Agreement](t)(e.agr.Get(ctx, e.admin, a.ID))
					if !reflect.DeepEqual(got, a) || a.CurrentVersion != 1 {
						t.Fatalf("stored agreement:\n got %+v\nwant %+v", got, a)
					}
					v, content, err := e.agr.Document(ctx, e.admin, a.ID, 1)
					noErr(t, err)
					d := v.Document
					d.SHA256 = ""
					if d != c.want {
						t.Fatalf("document %+v, want %+v", v.Document, c.want)
					}
					if c.doc.Kind == agreements.DocumentFile {
						if !bytes.Equal(content, c.doc.Content) || len(v.Document.SHA256) != 64 {
							t.Fatalf("file content or hash wrong: %d bytes, sha %q", len(content), v.Document.SHA256)
						}
					} else if content != nil {
						t.Fatalf("no file, but %d bytes", len(content))
					}
				})
			}
		}},

		{name: "BadInputWritesNothing", needs: forAgreements, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			cases := []struct {
				name  string
				in    agreements.CreateInput
				code  partnerkit.Code
				field string
			}{
				{"ErrNameRequired", agreements.CreateInput{Type: agreements.TypeProgram}, partnerkit.CodeInvalid, "name"},
				{"ErrType", agreements.CreateInput{Type: "lease", Name: "x"}, partnerkit.CodeInvalid, "type"},
				{"ErrURL", agreements.CreateInput{Type: agreements.TypeService, Name: "x",
					Document: agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "ftp://example.com/x"}}, partnerkit.CodeInvalid, "document.url"},
				{"ErrKind", agreements.CreateInput{Type: agreements.TypeService, Name: "x",
					Document: agreements.DocumentInput{Kind: "fax"}}, partnerkit.CodeInvalid, "document.kind"},
				{"ErrFileTypeByContent", agreements.CreateInput{Type: agreements.TypeService, Name: "x",
					Document: agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: "terms.pdf", Content: []byte("\x89PNG\r\n\x1a\n\x00\x00")}},
					partnerkit.CodeInvalid, "document.content"},
				{"ErrPDFNamedText", agreements.CreateInput{Type: agreements.TypeService, Name: "x",
					Document: agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: "terms.txt", Content: samplePDF}},
					partnerkit.CodeInvalid, "document.file_name"},
				{"ErrTextNamedExe", agreements.CreateInput{Type: agreements.TypeService, Name: "x",
					Document: agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: "terms.exe", Content: sampleMarkdown}},
					partnerkit.CodeInvalid, "document.file_name"},
				{"ErrTooLarge", agreements.CreateInput{Type: agreements.TypeService, Name: "x",
					Document: agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: "big.txt",
						Content: bytes.Repeat([]byte("a"), agreements.MaxDocumentSize+1)}}, partnerkit.CodeTooLarge, "document.content"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					_, err := e.agr.Create(ctx, e.admin, c.in)
					wantField(t, err, c.code, c.field)
				})
			}
			list := must[partnerkit.List[agreements.Agreement]](t)(e.agr.List(ctx, e.admin, agreements.ListFilter{}))
			if list.Total != 0 {
				t.Fatalf("bad input wrote %d agreements", list.Total)
			}
		}},

		{name: "VersionsAndDelete", needs: forAgreements, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			a := must[*agreements.Agreement](t)(e.agr.Create(ctx, e.admin, agreements.CreateInput{Type: agreements.TypeService, Name: "Service terms"}))
			v2 := must[*agreements.Version](t)(e.agr.Publish(ctx, e.admin, a.ID, agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: "v2.pdf", Content: samplePDF}))
			must[*agreements.Version](t)(e.agr.Publish(ctx, e.admin, a.ID, agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https://example.com/v3"}))
			if v2.Number != 2 {
				t.Fatalf("second version is %d", v2.Number)
			}
			got := must[*agreements.Agreement](t)(e.agr.Get(ctx, e.admin, a.ID))
			if got.CurrentVersion != 3 {
				t.Fatalf("current version %d, want 3", got.CurrentVersion)
			}
			vs := must[[]agreements.Version](t)(e.agr.Versions(ctx, e.admin, a.ID))
			if len(vs) != 3 || vs[0].Number != 1 || vs[2].Document.Kind != agreements.DocumentURL {
				t.Fatalf("versions %+v", vs)
			}
			wantCode(t, e.agr.DeleteVersion(ctx, e.admin, a.ID, 3), partnerkit.CodeConflict) // current
			noErr(t, e.agr.DeleteVersion(ctx, e.admin, a.ID, 2))
			_, _, err := e.agr.Document(ctx, e.admin, a.ID, 2)
			wantCode(t, err, partnerkit.CodeNotFound)
			wantCode(t, e.agr.DeleteVersion(ctx, e.admin, a.ID, 2), partnerkit.CodeNotFound)
		}},

		{name: "ListUpdateTenancy", needs: forAgreements, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			for _, n := range []string{"Zeta program", "alpha services", "Beta distribution"} {
				must[*agreements.Agreement](t)(e.agr.Create(ctx, e.admin, agreements.CreateInput{Type: agreements.TypeProgram, Name: n}))
			}
			list := must[partnerkit.List[agreements.Agreement]](t)(e.agr.List(ctx, e.admin, agreements.ListFilter{Page: partnerkit.Page{Limit: 2}}))
			if list.Total != 3 || len(list.Items) != 2 || list.Items[0].Name != "alpha services" || list.Items[1].Name != "Beta distribution" {
				t.Fatalf("list %+v", list)
			}
			found := must[partnerkit.List[agreements.Agreement]](t)(e.agr.List(ctx, e.admin, agreements.ListFilter{Q: "ZETA"}))
			if found.Total != 1 {
				t.Fatalf("search: %+v", found)
			}
			a := found.Items[0]
			name := "Zeta program 2027"
			up := must[*agreements.Agreement](t)(e.agr.Update(ctx, e.admin, a.ID, agreements.UpdateInput{Name: &name, Version: a.Version}))
			if up.Name != name || up.Version != a.Version+1 {
				t.Fatalf("update %+v", up)
			}
			_, err := e.agr.Update(ctx, e.admin, a.ID, agreements.UpdateInput{Name: &name, Version: a.Version})
			wantCode(t, err, partnerkit.CodeConflict)

			other := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Other"})
			stranger := partnerkit.Actor{AccountID: other.ID, Role: partnerkit.RoleAdmin}
			_, err = e.agr.Get(ctx, stranger, a.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			_, err = e.agr.Update(ctx, stranger, a.ID, agreements.UpdateInput{Name: &name})
			wantCode(t, err, partnerkit.CodeNotFound)
			_, err = e.agr.List(ctx, stranger, agreements.ListFilter{OwnerID: e.root.ID})
			wantCode(t, err, partnerkit.CodeNotFound)
			// The manager sees its partner's agreements.
			theirs := must[*agreements.Agreement](t)(e.agr.Create(ctx, stranger, agreements.CreateInput{Type: agreements.TypeService, Name: "Theirs"}))
			must[*agreements.Agreement](t)(e.agr.Get(ctx, e.admin, theirs.ID))
			// Viewers read only.
			viewer := partnerkit.Actor{AccountID: e.root.ID, Role: partnerkit.RoleViewer}
			_, err = e.agr.Create(ctx, viewer, agreements.CreateInput{Type: agreements.TypeProgram, Name: "x"})
			wantCode(t, err, partnerkit.CodeForbidden)
		}},

		{name: "AuditTrail", needs: forAgreements, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			a := must[*agreements.Agreement](t)(e.agr.Create(ctx, e.admin, agreements.CreateInput{Type: agreements.TypeProgram, Name: "Audited"}))
			must[*agreements.Version](t)(e.agr.Publish(ctx, e.admin, a.ID, agreements.DocumentInput{}))
			trail := must[partnerkit.List[partnerkit.AuditEvent]](t)(e.svc.AuditTrail(ctx, e.admin, a.ID, partnerkit.Page{}))
			var actions []string
			for _, ev := range trail.Items {
				actions = append(actions, ev.Action)
				if ev.Actor != e.admin.UserID || ev.AccountID != e.root.ID || ev.At.IsZero() {
					t.Errorf("event %+v", ev)
				}
			}
			if strings.Join(actions, ",") != "agreement.created,agreement.version_published" || len(trail.Items[1].Before) == 0 {
				t.Fatalf("audit trail %v", actions)
			}
		}},
	}}
}
