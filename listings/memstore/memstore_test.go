package memstore_test

import (
	"testing"

	"github.com/partnerkit/partnerkit/internal/harness"
	"github.com/partnerkit/partnerkit/storetest"
)

// TestConformance runs the conformance kit's Listings tests on this
// package's store, built with the memory stores of every domain
// (wiring/stores.Memory).
func TestConformance(t *testing.T) {
	for _, s := range []struct {
		name string
		run  func(*testing.T, storetest.HarnessMaker)
	}{
		{"Listings", storetest.RunListingsTests},
	} {
		t.Run(s.name, func(t *testing.T) { s.run(t, harness.Memory) })
	}
}
