// Package rules is the vocabulary and the pure rules of the listings domain
// — item types, listing statuses, the limits of a product and its items —
// in code the WebAssembly PWA imports as it is. The listings service and
// the PWA call the same functions.
//
// It imports only the standard library and the root kernel (enforced by
// .ci/check-deps; no decimal, so app/client can use its types too). The
// listings package re-exports every name, so the domain's API and JSON are
// unchanged.
package rules

import (
	"slices"
	"strings"

	"github.com/partnerkit/partnerkit"
)

// ItemType is how an item is sold.
type ItemType string

// Item types.
const (
	// ItemReservation is a committed quantity (licenses, seats) paid per unit.
	ItemReservation ItemType = "reservation"
	// ItemPayAsYouGo is consumption billed on actual use.
	ItemPayAsYouGo ItemType = "pay_as_you_go"
)

// ItemTypes lists every item type, in the order forms offer them.
func ItemTypes() []ItemType { return []ItemType{ItemReservation, ItemPayAsYouGo} }

// Valid reports whether t is a known item type.
func (t ItemType) Valid() bool { return slices.Contains(ItemTypes(), t) }

// Label is the type's name for people ("Pay as you go").
func (t ItemType) Label() string {
	switch t {
	case ItemReservation:
		return "Reservation"
	case ItemPayAsYouGo:
		return "Pay as you go"
	}
	return string(t)
}

// Status is the state of a listing.
type Status string

// Listing statuses. A listing exists while its product is listed; removing
// it deletes it.
const (
	// StatusListed is a product offered on the marketplace.
	StatusListed Status = "listed"
)

// Limits of a product's items; text limits count characters (runes).
const (
	// MaxItems is the most items a product may have.
	MaxItems = 100
	// MaxItemNameLength is the longest item name.
	MaxItemNameLength = 100
	// MaxMPNLength is the longest manufacturer part number.
	MaxMPNLength = 100
	// MaxUnitLength is the longest unit.
	MaxUnitLength = 50
)

// ItemProblems returns what is wrong with one item's fields that need no
// other item (names are unique in a product: the caller checks that), by
// JSON name ("name", "mpn", "type", "unit"); empty when they are fine.
// Text is trimmed first, as it is stored.
func ItemProblems(name, mpn string, typ ItemType, unit string) map[string]string {
	fields := map[string]string{}
	for field, p := range map[string]string{
		"name": partnerkit.TextFieldProblem(strings.TrimSpace(name), true, false, MaxItemNameLength),
		"mpn":  partnerkit.TextFieldProblem(strings.TrimSpace(mpn), false, false, MaxMPNLength),
		"unit": partnerkit.TextFieldProblem(strings.TrimSpace(unit), true, false, MaxUnitLength),
	} {
		if p != "" {
			fields[field] = p
		}
	}
	if !typ.Valid() {
		fields["type"] = "must be reservation or pay_as_you_go"
	}
	return fields
}
