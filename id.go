package partnerkit

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
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

// NewID returns a new opaque ID: prefix, a dash and 128 bits in
// lower-case base32 (26 characters): the first 48 the creation time in
// milliseconds since the Unix epoch, the other 80 from crypto/rand, as in
// a UUIDv7. IDs are never guessable (80 random bits), and those of one
// kind sort by creation time to the millisecond: a new row's ID lands at
// the end of every index that holds it instead of on a random page, so a
// large table's inserts touch (and journal) a few pages, and its pages
// stay full (issue 13: random IDs left the ID indexes a third empty and
// made each write of a 100,000-partner directory dirty a page per index).
func NewID(prefix string) string { return newIDAt(prefix, time.Now()) }

// newIDAt is NewID at a given time.
func newIDAt(prefix string, at time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(at.UnixMilli())<<16)
	_, _ = rand.Read(b[6:]) // crypto/rand.Read never fails (Go 1.24+).
	return prefix + "-" + idEncoding.EncodeToString(b[:])
}

// HasPrefix reports whether id is shaped like an ID of the given prefix.
func HasPrefix(id, prefix string) bool {
	return strings.HasPrefix(id, prefix+"-") && len(id) == len(prefix)+1+26
}
