package partnerkit

import "strconv"

// Paging limits of every list.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Page selects a window of a list.
type Page struct {
	// Limit is how many items to return: 0 means DefaultLimit, at most MaxLimit.
	Limit int `json:"limit"`
	// Offset is how many items to skip.
	Offset int `json:"offset"`
}

// Normalize applies the default limit and checks the bounds. It returns an
// invalid error naming "limit" or "offset".
func (p Page) Normalize() (Page, error) {
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit < 0 || p.Limit > MaxLimit {
		return p, FieldError("limit", "must be between 1 and "+strconv.Itoa(MaxLimit))
	}
	if p.Offset < 0 {
		return p, FieldError("offset", "must not be negative")
	}
	return p, nil
}

// List is one page of a list and the total number of items that match.
type List[T any] struct {
	// Items is the page.
	Items []T `json:"items"`
	// Total counts all matching items, not only this page.
	Total int `json:"total"`
}
