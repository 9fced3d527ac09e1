package memstore_test

import (
	"testing"

	"github.com/partnerkit/partnerkit/internal/harness"
	"github.com/partnerkit/partnerkit/storetest"
)

// TestConformance runs the conformance kit's Partners, Auth, Security and
// EventsFeed tests on this package's store, built with the memory stores of
// every domain (wiring/stores.Memory).
func TestConformance(t *testing.T) {
	for _, s := range []struct {
		name string
		run  func(*testing.T, storetest.HarnessMaker)
	}{
		{"Partners", storetest.RunPartnersTests},
		{"Auth", storetest.RunAuthTests},
		{"Security", storetest.RunSecurityTests},
		{"EventsFeed", storetest.RunEventsFeedTests},
	} {
		t.Run(s.name, func(t *testing.T) { s.run(t, harness.Memory) })
	}
}
