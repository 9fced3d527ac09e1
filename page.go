package partnerkit

import (
	"slices"
	"strconv"
	"strings"
)

// Paging limits of every list.
const (
	DefaultLimit = 50
	MaxLimit     = 500
	// MaxOffset is the largest offset: far past any real list, small enough
	// that offset+limit never overflows an int, even on 32-bit WebAssembly.
	MaxOffset = 1_000_000_000
)

// Page selects a window of a list.
type Page struct {
	// Limit is how many items to return: 0 means DefaultLimit, at most
	// MaxLimit. (The HTTP API refuses an explicit limit=0: there, leave
	// limit out for the default.)
	Limit int `json:"limit"`
	// Offset is how many items to skip, at most MaxOffset.
	Offset int `json:"offset"`
}

// Normalize applies the default limit and checks the bounds. It returns an
// invalid error naming "limit" or "offset".
func (p Page) Normalize() (Page, error) {
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit < 0 || p.Limit > MaxLimit {
		return p, FieldError("limit", LimitProblem)
	}
	if p.Offset < 0 || p.Offset > MaxOffset {
		return p, FieldError("offset", OffsetProblem)
	}
	return p, nil
}

// Problems of a bad limit or offset.
var (
	LimitProblem  = "must be between 1 and " + strconv.Itoa(MaxLimit)
	OffsetProblem = "must be between 0 and " + strconv.Itoa(MaxOffset)
)

// Window returns the part of items that p selects (p normalized, or a
// limit of 0 for no limit). It never panics, whatever p holds.
func Window[T any](items []T, p Page) []T {
	lo := min(max(p.Offset, 0), len(items))
	hi := len(items)
	if p.Limit > 0 && p.Limit < hi-lo {
		hi = lo + p.Limit
	}
	return items[lo:hi]
}

// List is one page of a list and the total number of items that match.
type List[T any] struct {
	// Items is the page.
	Items []T `json:"items"`
	// Total counts all matching items, not only this page; -1 when the
	// caller asked not to count (then HasMore tells whether more follow).
	Total int `json:"total"`
	// HasMore, when Total is not counted, says whether items follow this page.
	HasMore bool `json:"has_more,omitempty"`
}

// Sort is the order of a list: a field name ("name", "created_at") for
// ascending order, or "-" and a field name for descending ("-created_at").
// Ties are broken by ID, in the same direction, so pages never overlap.
type Sort string

// Field returns the field s sorts by.
func (s Sort) Field() string { return strings.TrimPrefix(string(s), "-") }

// Desc reports whether s sorts in descending order.
func (s Sort) Desc() bool { return strings.HasPrefix(string(s), "-") }

// Order is how one list may be sorted: the fields it sorts by and the
// order it has when none is asked for. Each domain declares one per list;
// the HTTP API and its OpenAPI document read the accepted values from it.
type Order struct {
	// Fields are the sortable fields, as spelled in JSON.
	Fields []string
	// Default is the order of a list when Sort is empty.
	Default Sort
}

// Sorts lists the accepted values: every field ascending, then descending.
func (o Order) Sorts() []Sort {
	out := make([]Sort, 0, 2*len(o.Fields))
	for _, f := range o.Fields {
		out = append(out, Sort(f))
	}
	for _, f := range o.Fields {
		out = append(out, Sort("-"+f))
	}
	return out
}

// Accepts reports whether s is one of the accepted values.
func (o Order) Accepts(s Sort) bool { return s != "" && slices.Contains(o.Fields, s.Field()) }

// Check returns s, or the default for an empty s. Any other value is an
// invalid error naming "sort" that lists the accepted ones.
func (o Order) Check(s Sort) (Sort, error) {
	if s == "" {
		return o.Default, nil
	}
	if !o.Accepts(s) {
		names := make([]string, 0, 2*len(o.Fields))
		for _, v := range o.Sorts() {
			names = append(names, string(v))
		}
		return o.Default, FieldError("sort", "must be one of: "+strings.Join(names, ", "))
	}
	return s, nil
}

// Resolve returns s when it is accepted and the default otherwise: what a
// store does with the Sort of a query (the service has checked it; a
// direct caller may leave it empty).
func (o Order) Resolve(s Sort) Sort {
	if o.Accepts(s) {
		return s
	}
	return o.Default
}
