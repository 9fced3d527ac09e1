package partnerkit

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// ID prefixes, one per kind of entity, so an ID says what it names.
const (
	PrefixAccount     = "PA"
	PrefixUser        = "UR"
	PrefixAgreement   = "AGR"
	PrefixContract    = "CTR"
	PrefixMarketplace = "MP"
	PrefixListing     = "LST"
	PrefixProduct     = "PRD"
	PrefixInvitation  = "INV"
	PrefixEvent       = "EV"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a new opaque ID: prefix, a dash and 128 random bits from
// crypto/rand in lower-case base32 (26 characters). IDs are never
// sequential and never guessable.
func NewID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	return prefix + "-" + idEncoding.EncodeToString(b[:])
}

// HasPrefix reports whether id is shaped like an ID of the given prefix.
func HasPrefix(id, prefix string) bool {
	return strings.HasPrefix(id, prefix+"-") && len(id) == len(prefix)+1+26
}
