package bunstore_test

import (
	"testing"

	"github.com/partnerkit/partnerkit/internal/harness"
	"github.com/partnerkit/partnerkit/storetest"
)

// TestConformance runs the conformance kit's Mail tests on this package's
// store, built with the SQL stores of every domain on a new SQLite file per
// test, and on PostgreSQL when PARTNERKIT_TEST_POSTGRES names a server
// (storetest's TestConformance runs every domain there too).
func TestConformance(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { storetest.RunMailTests(t, harness.SQLite) })
	t.Run("Postgres", func(t *testing.T) { storetest.RunMailTests(t, harness.Postgres) })
}
