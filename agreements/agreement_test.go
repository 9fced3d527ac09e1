package agreements_test

import (
	"bytes"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
)

func TestCreateInputCheck(t *testing.T) {
	file := func(name string, content []byte) agreements.DocumentInput {
		return agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: name, Content: content}
	}
	pdf := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
	tests := []struct {
		name  string
		doc   agreements.DocumentInput
		code  partnerkit.Code
		field string
	}{
		{"OK_None", agreements.DocumentInput{}, "", ""},
		{"OK_URL", agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "http://docs.example.com/terms"}, "", ""},
		{"OK_PDFWithBinaryBody", file("terms.pdf", pdf), "", ""},
		{"OK_TextNoExtension", file("TERMS", []byte("Plain terms.\r\n\tIndented.\f")), "", ""},
		{"OK_Markdown", file("terms.markdown", []byte("# Terms — für alle\n")), "", ""},
		{"ErrURLScheme", agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "javascript:alert(1)"}, partnerkit.CodeInvalid, "document.url"},
		{"ErrURLNoHost", agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https:///path"}, partnerkit.CodeInvalid, "document.url"},
		{"ErrURLSpaces", agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https://example.com/a b"}, partnerkit.CodeInvalid, "document.url"},
		{"ErrURLWithContent", agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https://example.com", Content: pdf}, partnerkit.CodeInvalid, "document.content"},
		{"ErrNoneWithURL", agreements.DocumentInput{Kind: agreements.DocumentNone, URL: "https://example.com"}, partnerkit.CodeInvalid, "document.kind"},
		{"ErrFileNoName", file("", pdf), partnerkit.CodeInvalid, "document.file_name"},
		{"ErrFileEmpty", file("a.txt", nil), partnerkit.CodeInvalid, "document.content"},
		{"ErrNULByte", file("a.txt", []byte("text\x00more")), partnerkit.CodeInvalid, "document.content"},
		{"ErrInvalidUTF8", file("a.txt", []byte("caf\xe9")), partnerkit.CodeInvalid, "document.content"},
		{"ErrZIP", file("a.pdf", []byte("PK\x03\x04\x14\x00")), partnerkit.CodeInvalid, "document.content"},
		{"ErrHTMLNamedAsHTML", file("a.html", []byte("<html><body>hi</body></html>")), partnerkit.CodeInvalid, "document.file_name"},
		{"ErrTooLarge", file("a.txt", bytes.Repeat([]byte{'a'}, agreements.MaxDocumentSize+1)), partnerkit.CodeTooLarge, "document.content"},
		{"OK_ExactlyMax", file("a.txt", bytes.Repeat([]byte{'a'}, agreements.MaxDocumentSize)), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := agreements.CreateInput{Type: agreements.TypeProgram, Name: "Terms", Document: tt.doc}.Check()
			if got := partnerkit.ErrorCode(err); got != tt.code {
				t.Fatalf("code %q, want %q (%v)", got, tt.code, err)
			}
			if tt.field != "" {
				if _, ok := partnerkit.ErrorFields(err)[tt.field]; !ok {
					t.Fatalf("fields %v, want %q", partnerkit.ErrorFields(err), tt.field)
				}
			}
		})
	}
}
