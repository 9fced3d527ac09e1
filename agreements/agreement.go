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
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/partnerkit/partnerkit/agreements/rules"
)

// The vocabulary and pure rules of the domain live in agreements/rules,
// which the WebAssembly PWA imports without validator; these names
// re-export it.

// Type is what an agreement governs.
type Type = rules.Type

// Agreement types.
const (
	TypeProgram      = rules.TypeProgram
	TypeService      = rules.TypeService
	TypeDistribution = rules.TypeDistribution
	TypeCapacity     = rules.TypeCapacity
)

// Types lists every agreement type.
func Types() []Type { return rules.Types() }

// DocumentKind says where a version's document comes from.
type DocumentKind = rules.DocumentKind

// Document kinds (see rules.DocumentKind).
const (
	DocumentNone = rules.DocumentNone
	DocumentURL  = rules.DocumentURL
	DocumentFile = rules.DocumentFile
)

// Upload limits.
const (
	// MaxDocumentSize is the largest uploaded document: 10 MiB.
	MaxDocumentSize = rules.MaxDocumentSize
	// MediaPDF, MediaText and MediaMarkdown are the allowed document types.
	MediaPDF      = rules.MediaPDF
	MediaText     = rules.MediaText
	MediaMarkdown = rules.MediaMarkdown
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

// checkDocument validates a document input with rules.CheckDocument (the
// PWA's check too) and returns the Document to store and the file's bytes.
// Field names are prefixed with prefix ("document").
func checkDocument(prefix string, in DocumentInput) (Document, []byte, error) {
	d, err := rules.CheckDocument(prefix, in.Kind, in.URL, in.FileName, in.Content)
	if err != nil {
		return Document{}, nil, err
	}
	doc := Document{Kind: d.Kind, URL: d.URL, FileName: d.FileName, MediaType: d.MediaType}
	if d.Kind != DocumentFile {
		return doc, nil, nil
	}
	sum := sha256.Sum256(in.Content)
	doc.Size, doc.SHA256 = int64(len(in.Content)), hex.EncodeToString(sum[:])
	return doc, in.Content, nil
}
