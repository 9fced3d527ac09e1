package bunstore_test

import (
	"testing"

	"github.com/partnerkit/partnerkit/internal/harness"
	"github.com/partnerkit/partnerkit/storetest"
)

// TestConformance runs the conformance kit's Webhooks tests on this
// package's store, built with the SQL stores of every domain on a new SQLite
// file per test (PostgreSQL runs in storetest's TestConformance).
func TestConformance(t *testing.T) {
	storetest.RunWebhooksTests(t, harness.SQLite)
}
