// Package rules is the vocabulary and the pure rules of the agreements
// domain — agreement types, document kinds, the limits of an agreement's
// fields and the check of a version's document (URL or uploaded file) — in
// code the WebAssembly PWA imports as it is. The agreements service and the
// PWA call the same functions.
//
// It imports only the standard library and the root kernel (enforced by
// .ci/check-deps). The agreements package re-exports every name, so the
// domain's API and JSON are unchanged.
package rules

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/partnerkit/partnerkit"
)

// Type is what an agreement governs.
type Type string

// Agreement types.
const (
	TypeProgram      Type = "program"
	TypeService      Type = "service"
	TypeDistribution Type = "distribution"
	TypeCapacity     Type = "capacity"
)

// Types lists every agreement type, in the order forms offer them.
func Types() []Type { return []Type{TypeProgram, TypeService, TypeDistribution, TypeCapacity} }

// Valid reports whether t is a known type.
func (t Type) Valid() bool { return slices.Contains(Types(), t) }

// Label is the type's name for people ("Distribution").
func (t Type) Label() string {
	if t == "" {
		return ""
	}
	return strings.ToUpper(string(t[:1])) + string(t[1:])
}

// TypeNames lists the types for messages ("program, service, …").
func TypeNames() string {
	names := make([]string, 0, len(Types()))
	for _, t := range Types() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

// TypeProblem returns the problem of an unknown agreement type, or "".
func TypeProblem(t Type) string {
	if !t.Valid() {
		return "must be one of: " + TypeNames()
	}
	return ""
}

// DocumentKind says where a version's document comes from.
type DocumentKind string

// Document kinds.
const (
	// DocumentNone: no document; partners are shown the description only.
	DocumentNone DocumentKind = "none"
	// DocumentURL: the document lives at a URL.
	DocumentURL DocumentKind = "url"
	// DocumentFile: an uploaded file stored with the version.
	DocumentFile DocumentKind = "file"
)

// DocumentKinds lists every document kind, in the order forms offer them.
func DocumentKinds() []DocumentKind { return []DocumentKind{DocumentNone, DocumentURL, DocumentFile} }

// Limits of an agreement and its documents. Text limits count characters
// (runes).
const (
	// MaxNameLength is the longest agreement name.
	MaxNameLength = 100
	// MaxDescriptionLength is the longest description.
	MaxDescriptionLength = 10000
	// MaxURLLength is the longest document URL, in bytes.
	MaxURLLength = 2048
	// MaxFileNameLength is the longest uploaded file name, in bytes.
	MaxFileNameLength = 255
	// MaxDocumentSize is the largest uploaded document: 10 MiB.
	MaxDocumentSize = 10 << 20
	// MediaPDF, MediaText and MediaMarkdown are the allowed document types.
	MediaPDF      = "application/pdf"
	MediaText     = "text/plain; charset=utf-8"
	MediaMarkdown = "text/markdown; charset=utf-8"
)

// NameProblem returns what is wrong with an agreement's name (after
// trimming spaces, as it is stored): the text rule, required, at most
// MaxNameLength characters; "" when it is fine.
func NameProblem(name string) string {
	return partnerkit.TextFieldProblem(strings.TrimSpace(name), true, false, MaxNameLength)
}

// DescriptionProblem returns what is wrong with a description (multi-line,
// at most MaxDescriptionLength characters), or "".
func DescriptionProblem(d string) string {
	return partnerkit.TextFieldProblem(strings.TrimSpace(d), false, true, MaxDescriptionLength)
}

// CheckAgreement checks a new agreement's type, name and description and
// returns nil or an invalid error whose fields are named under prefix
// ("new_agreement." in the wizard).
func CheckAgreement(prefix string, t Type, name, description string) error {
	fields := map[string]string{}
	for field, p := range map[string]string{"type": TypeProblem(t), "name": NameProblem(name), "description": DescriptionProblem(description)} {
		if p != "" {
			fields[prefix+field] = p
		}
	}
	return partnerkit.FieldErrors(fields)
}

// CheckedDocument is a version's document as CheckDocument accepted it.
type CheckedDocument struct {
	// Kind is none, url or file.
	Kind DocumentKind
	// URL is the trimmed URL of a url document.
	URL string
	// FileName is the base name of a file document.
	FileName string
	// MediaType is the type a file document's content has.
	MediaType string
}

// CheckDocument checks a version's document — none (kind "" or none), an
// absolute http or https URL, or an uploaded PDF, text or Markdown file
// whose name's extension agrees with its content — and names its fields
// under prefix ("document", "new_agreement.document"). An oversized file
// is too_large; every other problem is invalid.
func CheckDocument(prefix string, kind DocumentKind, url, fileName string, content []byte) (CheckedDocument, error) {
	switch kind {
	case "", DocumentNone:
		if url != "" || len(content) > 0 {
			return CheckedDocument{}, partnerkit.FieldError(prefix+".kind", "is none, but a URL or file was given")
		}
		return CheckedDocument{Kind: DocumentNone}, nil
	case DocumentURL:
		u := strings.TrimSpace(url)
		if !ValidDocumentURL(u) {
			return CheckedDocument{}, partnerkit.FieldError(prefix+".url", fmt.Sprintf("must be an absolute http or https URL of at most %d characters", MaxURLLength))
		}
		if len(content) > 0 {
			return CheckedDocument{}, partnerkit.FieldError(prefix+".content", "must be empty for a URL document")
		}
		return CheckedDocument{Kind: DocumentURL, URL: u}, nil
	case DocumentFile:
		return checkUpload(prefix, fileName, content)
	}
	return CheckedDocument{}, partnerkit.FieldError(prefix+".kind", "must be one of: none, url, file")
}

// ValidDocumentURL reports whether u is an absolute http or https URL with
// a host, without spaces, of at most MaxURLLength bytes.
func ValidDocumentURL(u string) bool {
	if len(u) > MaxURLLength || strings.ContainsAny(u, " \t\r\n") {
		return false
	}
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(u, "http://")
	}
	host, _, _ := strings.Cut(rest, "/")
	return ok && host != "" && !strings.HasPrefix(host, "@")
}

// checkUpload checks an uploaded file's size and type. The type is decided
// by the content — PDF by its signature, text by being valid UTF-8 without
// control characters — and the file name's extension must agree with it.
func checkUpload(prefix, name string, content []byte) (CheckedDocument, error) {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	field := prefix + ".content"
	switch {
	case name == "" || name == "." || name == "/":
		return CheckedDocument{}, partnerkit.FieldError(prefix+".file_name", "is required for a file document")
	case len(name) > MaxFileNameLength:
		return CheckedDocument{}, partnerkit.FieldError(prefix+".file_name", fmt.Sprintf("must be at most %d characters", MaxFileNameLength))
	case len(content) == 0:
		return CheckedDocument{}, partnerkit.FieldError(field, "is empty")
	case len(content) > MaxDocumentSize:
		return CheckedDocument{}, &partnerkit.Error{Code: partnerkit.CodeTooLarge,
			Message: fmt.Sprintf("%s: the file is %d bytes; at most %d (10 MiB) are allowed", field, len(content), MaxDocumentSize),
			Fields:  map[string]string{field: "must be at most 10 MiB"}}
	}
	ext := strings.ToLower(path.Ext(name))
	var media string
	switch {
	case bytes.HasPrefix(content, []byte("%PDF-")):
		media = MediaPDF
		if ext != ".pdf" {
			return CheckedDocument{}, partnerkit.FieldError(prefix+".file_name", "holds a PDF, so its name must end in .pdf")
		}
	case isText(content):
		switch ext {
		case ".md", ".markdown":
			media = MediaMarkdown
		case ".txt", ".text", "":
			media = MediaText
		default:
			return CheckedDocument{}, partnerkit.FieldError(prefix+".file_name", "holds text, so its name must end in .txt, .md or .markdown")
		}
	default:
		return CheckedDocument{}, partnerkit.FieldError(field, "type is not allowed: upload a PDF, plain text or Markdown file")
	}
	return CheckedDocument{Kind: DocumentFile, FileName: name, MediaType: media}, nil
}

// isText reports whether b is UTF-8 text without control characters other
// than tab, newline, carriage return and form feed.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f {
			return false
		}
	}
	return true
}
