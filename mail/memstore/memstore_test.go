package memstore_test

import (
	"testing"

	"github.com/partnerkit/partnerkit/internal/harness"
	"github.com/partnerkit/partnerkit/storetest"
)

// TestConformance runs the conformance kit's Mail tests on this package's
// store, built with the memory stores of every domain
// (wiring/stores.Memory).
func TestConformance(t *testing.T) {
	storetest.RunMailTests(t, harness.Memory)
}
