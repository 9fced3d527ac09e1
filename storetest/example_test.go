package storetest_test

import (
	"fmt"
	"sync/atomic"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/storetest"
)

// Race releases its racers at once; a Concurrent… test then checks the
// rule's invariant: here, a one-time link claimed by exactly one of four.
func ExampleRace() {
	var used atomic.Bool
	errs := storetest.Race(4, func(i int) error {
		if !used.CompareAndSwap(false, true) {
			return partnerkit.Errorf(partnerkit.CodeGone, "the link was used")
		}
		return nil
	})
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		}
	}
	fmt.Println(won, "of", len(errs), "claimed the link")
	// Output: 1 of 4 claimed the link
}
