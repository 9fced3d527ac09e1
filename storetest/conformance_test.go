package storetest_test

import (
	"testing"

	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/wiring/stores"
)

// TestConformance runs the one conformance suite on every store: memory,
// SQLite and (when PARTNERKIT_TEST_POSTGRES is set) PostgreSQL.
func TestConformance(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) storetest.Stores { return stores.Memory() })
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) storetest.Stores { return stores.SQL(testdb.SQLite(t)) })
	})
	t.Run("postgres", func(t *testing.T) {
		testdb.PostgresDSN(t) // skip early when unset
		t.Parallel()
		storetest.Run(t, func(t *testing.T) storetest.Stores { return stores.SQL(testdb.Postgres(t)) })
	})
}
