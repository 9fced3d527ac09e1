package rules_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements/rules"
)

func TestCheckAgreement(t *testing.T) {
	tests := []struct {
		name        string
		typ         rules.Type
		agreement   string
		description string
		want        map[string]string
	}{
		{"OK", rules.TypeProgram, "Reseller program", "Sell.\nSupport.", nil},
		{"OKSixtyAccents", rules.TypeService, strings.Repeat("é", 60), "", nil},
		{"ErrType", "loyalty", "x", "", map[string]string{"new_agreement.type": "must be one of: program, service, distribution, capacity"}},
		{"ErrNameRequired", rules.TypeProgram, " ", "", map[string]string{"new_agreement.name": partnerkit.ProblemRequired}},
		{"ErrNameTooLong", rules.TypeProgram, strings.Repeat("é", 101), "", map[string]string{"new_agreement.name": "must be at most 100 characters"}},
		{"ErrDescriptionTooLong", rules.TypeProgram, "x", strings.Repeat("é", 10001), map[string]string{"new_agreement.description": "must be at most 10000 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := partnerkit.ErrorFields(rules.CheckAgreement("new_agreement.", tt.typ, tt.agreement, tt.description))
			if len(got) != len(tt.want) {
				t.Fatalf("fields %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestCheckDocument(t *testing.T) {
	tests := []struct {
		name     string
		kind     rules.DocumentKind
		url      string
		fileName string
		content  []byte
		want     rules.CheckedDocument
		code     partnerkit.Code
		field    string
	}{
		{name: "OKNone", want: rules.CheckedDocument{Kind: rules.DocumentNone}},
		{name: "OKURL", kind: rules.DocumentURL, url: " https://example.com/terms ", want: rules.CheckedDocument{Kind: rules.DocumentURL, URL: "https://example.com/terms"}},
		{name: "OKPDF", kind: rules.DocumentFile, fileName: "terms.PDF", content: []byte("%PDF-1.7 x"),
			want: rules.CheckedDocument{Kind: rules.DocumentFile, FileName: "terms.PDF", MediaType: rules.MediaPDF}},
		{name: "OKMarkdownPath", kind: rules.DocumentFile, fileName: `C:\docs\program.md`, content: []byte("# Program\n"),
			want: rules.CheckedDocument{Kind: rules.DocumentFile, FileName: "program.md", MediaType: rules.MediaMarkdown}},
		{name: "ErrNoneWithURL", url: "https://x", code: partnerkit.CodeInvalid, field: "document.kind"},
		{name: "ErrURLRelative", kind: rules.DocumentURL, url: "/terms", code: partnerkit.CodeInvalid, field: "document.url"},
		{name: "ErrURLNoHost", kind: rules.DocumentURL, url: "https://", code: partnerkit.CodeInvalid, field: "document.url"},
		{name: "ErrURLTooLong", kind: rules.DocumentURL, url: "https://x/" + strings.Repeat("a", 2048), code: partnerkit.CodeInvalid, field: "document.url"},
		{name: "ErrFileEmpty", kind: rules.DocumentFile, fileName: "a.txt", code: partnerkit.CodeInvalid, field: "document.content"},
		{name: "ErrFileName", kind: rules.DocumentFile, content: []byte("x"), code: partnerkit.CodeInvalid, field: "document.file_name"},
		{name: "ErrPDFName", kind: rules.DocumentFile, fileName: "terms.txt", content: []byte("%PDF-1.7"), code: partnerkit.CodeInvalid, field: "document.file_name"},
		{name: "ErrBinary", kind: rules.DocumentFile, fileName: "a.bin", content: []byte{0, 1, 2}, code: partnerkit.CodeInvalid, field: "document.content"},
		{name: "ErrTooLarge", kind: rules.DocumentFile, fileName: "a.txt", content: bytes.Repeat([]byte("a"), rules.MaxDocumentSize+1),
			code: partnerkit.CodeTooLarge, field: "document.content"},
		{name: "ErrKind", kind: "fax", code: partnerkit.CodeInvalid, field: "document.kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.CheckDocument("document", tt.kind, tt.url, tt.fileName, tt.content)
			if tt.field == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			if partnerkit.ErrorCode(err) != tt.code || partnerkit.ErrorFields(err)[tt.field] == "" {
				t.Fatalf("got %v, want %s on %s", err, tt.code, tt.field)
			}
		})
	}
}
