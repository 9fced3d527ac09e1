package memdb

import (
	"slices"
	"strings"

	"github.com/partnerkit/partnerkit"
)

// Keys maps each sortable field of a list to its ascending comparison.
type Keys[T any] map[string]func(a, b T) int

// SortBy sorts items by sort as the SQL stores' ORDER BY does: by the
// field's comparison, ties broken by id, a descending sort reversing both.
// A field that keys does not know sorts by id alone.
func SortBy[T any](items []T, sort partnerkit.Sort, keys Keys[T], id func(T) string) {
	by := keys[sort.Field()]
	cmp := func(a, b T) int {
		if by != nil {
			if c := by(a, b); c != 0 {
				return c
			}
		}
		return strings.Compare(id(a), id(b))
	}
	if sort.Desc() {
		slices.SortFunc(items, func(a, b T) int { return cmp(b, a) })
		return
	}
	slices.SortFunc(items, cmp)
}

// Lower compares two names as the SQL stores' search_name columns do
// (lower case, trimmed, byte order).
func Lower(a, b string) int {
	return strings.Compare(strings.ToLower(strings.TrimSpace(a)), strings.ToLower(strings.TrimSpace(b)))
}
