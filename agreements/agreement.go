// Package agreements holds agreements: document templates an account
// offers its partners (program, service, distribution or capacity terms),
// with integer versions and a document per version — a URL, an uploaded
// file, or none (then partners see only the description).
//
// Publishing a new version leaves contracts on the version they signed; the
// contracts domain shows them as awaiting re-signature. The package holds
// types, rules and a storage interface; it imports no storage code.
package agreements

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
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

// Types lists every agreement type.
func Types() []Type { return []Type{TypeProgram, TypeService, TypeDistribution, TypeCapacity} }

// Valid reports whether t is a known type.
func (t Type) Valid() bool { return slices.Contains(Types(), t) }

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

// Upload limits.
const (
	// MaxDocumentSize is the largest uploaded document: 10 MiB.
	MaxDocumentSize = 10 << 20
	// MediaPDF, MediaText and MediaMarkdown are the allowed document types.
	MediaPDF      = "application/pdf"
	MediaText     = "text/plain; charset=utf-8"
	MediaMarkdown = "text/markdown; charset=utf-8"
)

// Document describes a version's document (never its bytes).
type Document struct {
	// Kind is none, url or file.
	Kind DocumentKind `json:"kind"`
	// URL is the document's address, for kind url.
	URL string `json:"url,omitempty"`
	// FileName is the uploaded file's base name, for kind file.
	FileName string `json:"file_name,omitempty"`
	// MediaType is the type detected from the content, for kind file.
	MediaType string `json:"media_type,omitempty"`
	// Size is the file's size in bytes, for kind file.
	Size int64 `json:"size,omitempty"`
	// SHA256 is the hex SHA-256 of the file, for kind file.
	SHA256 string `json:"sha256,omitempty"`
}

// DocumentInput is the document of a new version.
type DocumentInput struct {
	// Kind is none (the default), url or file.
	Kind DocumentKind `json:"kind"`
	// URL is required for kind url: an absolute http or https URL.
	URL string `json:"url"`
	// FileName is the uploaded file's name, for kind file.
	FileName string `json:"file_name"`
	// Content is the uploaded file, for kind file.
	Content []byte `json:"content"`
}

// Agreement is a document template owned by an account.
type Agreement struct {
	// ID is the opaque agreement ID ("AGR-…").
	ID string `json:"id"`
	// OwnerID is the account that offers the agreement.
	OwnerID string `json:"owner_id"`
	// Type is what the agreement governs.
	Type Type `json:"type"`
	// Name is the agreement's name.
	Name string `json:"name"`
	// Description is shown to partners, alone when there is no document.
	Description string `json:"description"`
	// CurrentVersion is the active version: the newest published one.
	CurrentVersion int `json:"current_version"`
	// CreatedAt is when the agreement was created (UTC).
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when it last changed (UTC).
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases on every change (optimistic locking).
	Version int `json:"version"`
}

// Version is one published version of an agreement and its document.
type Version struct {
	// AgreementID is the agreement.
	AgreementID string `json:"agreement_id"`
	// Number counts versions from 1.
	Number int `json:"number"`
	// Document is the version's document.
	Document Document `json:"document"`
	// CreatedBy is who published it.
	CreatedBy string `json:"created_by"`
	// CreatedAt is when it was published (UTC).
	CreatedAt time.Time `json:"created_at"`
}

// checkDocument validates a document input and returns the Document to
// store and the file's bytes. Field names are prefixed with prefix
// ("document").
func checkDocument(prefix string, in DocumentInput) (Document, []byte, error) {
	switch in.Kind {
	case "", DocumentNone:
		if in.URL != "" || len(in.Content) > 0 {
			return Document{}, nil, partnerkit.FieldError(prefix+".kind", "is none, but a URL or file was given")
		}
		return Document{Kind: DocumentNone}, nil, nil
	case DocumentURL:
		u := strings.TrimSpace(in.URL)
		if !validDocumentURL(u) {
			return Document{}, nil, partnerkit.FieldError(prefix+".url", "must be an absolute http or https URL of at most 2048 characters")
		}
		if len(in.Content) > 0 {
			return Document{}, nil, partnerkit.FieldError(prefix+".content", "must be empty for a URL document")
		}
		return Document{Kind: DocumentURL, URL: u}, nil, nil
	case DocumentFile:
		doc, err := checkUpload(prefix, in.FileName, in.Content)
		return doc, in.Content, err
	}
	return Document{}, nil, partnerkit.FieldError(prefix+".kind", "must be one of: none, url, file")
}

func validDocumentURL(u string) bool {
	if len(u) > 2048 || strings.ContainsAny(u, " \t\r\n") {
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
func checkUpload(prefix, name string, content []byte) (Document, error) {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	field := prefix + ".content"
	switch {
	case name == "" || name == "." || name == "/":
		return Document{}, partnerkit.FieldError(prefix+".file_name", "is required for a file document")
	case len(name) > 255:
		return Document{}, partnerkit.FieldError(prefix+".file_name", "must be at most 255 characters")
	case len(content) == 0:
		return Document{}, partnerkit.FieldError(field, "is empty")
	case len(content) > MaxDocumentSize:
		return Document{}, &partnerkit.Error{Code: partnerkit.CodeTooLarge,
			Message: fmt.Sprintf("%s: the file is %d bytes; at most %d (10 MiB) are allowed", field, len(content), MaxDocumentSize),
			Fields:  map[string]string{field: "must be at most 10 MiB"}}
	}
	ext := strings.ToLower(path.Ext(name))
	var media string
	switch {
	case bytes.HasPrefix(content, []byte("%PDF-")):
		media = MediaPDF
		if ext != ".pdf" {
			return Document{}, partnerkit.FieldError(prefix+".file_name", "holds a PDF, so its name must end in .pdf")
		}
	case isText(content):
		switch ext {
		case ".md", ".markdown":
			media = MediaMarkdown
		case ".txt", ".text", "":
			media = MediaText
		default:
			return Document{}, partnerkit.FieldError(prefix+".file_name", "holds text, so its name must end in .txt, .md or .markdown")
		}
	default:
		return Document{}, partnerkit.FieldError(field, "type is not allowed: upload a PDF, plain text or Markdown file")
	}
	sum := sha256.Sum256(content)
	return Document{Kind: DocumentFile, FileName: name, MediaType: media, Size: int64(len(content)),
		SHA256: hex.EncodeToString(sum[:])}, nil
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
