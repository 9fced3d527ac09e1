package partnerkit

import (
	"testing"
	"time"
)

// TestIDsSortByCreation checks that IDs made later sort after earlier ones
// (to the millisecond) and that two IDs of the same millisecond differ.
func TestIDsSortByCreation(t *testing.T) {
	at := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		first, later time.Time
	}{
		{"a millisecond apart", at, at.Add(time.Millisecond)},
		{"a year apart", at, at.AddDate(1, 0, 0)},
		{"before and after 2038", time.Date(2037, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(2038, 2, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 100 {
				a, b := newIDAt(PrefixAccount, tt.first), newIDAt(PrefixAccount, tt.later)
				if !(a < b) || !HasPrefix(a, PrefixAccount) || !HasPrefix(b, PrefixAccount) {
					t.Fatalf("%s then %s: not in order or malformed", a, b)
				}
			}
		})
	}
	if a, b := newIDAt(PrefixAccount, at), newIDAt(PrefixAccount, at); a == b || a[:11] != b[:11] {
		t.Fatalf("same millisecond: %s and %s should share the time and differ in the rest", a, b)
	}
}
