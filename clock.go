package partnerkit

import "time"

// Clock returns the current time. A nil Clock is the system clock; tests
// inject a fixed one to make timestamps deterministic.
type Clock func() time.Time

// Now returns the current time in UTC, truncated to microseconds so that it
// survives a round trip through every store unchanged.
func (c Clock) Now() time.Time {
	var t time.Time
	if c == nil {
		t = time.Now()
	} else {
		t = c()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// FixedClock returns a Clock that always says t.
func FixedClock(t time.Time) Clock { return func() time.Time { return t } }
