package storetest_test

import (
	"testing"

	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/partners/bunstore"
	"github.com/partnerkit/partnerkit/partners/memstore"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/uptrace/bun"
)

// TestConformance runs the one conformance suite on every store: memory,
// SQLite and (when PARTNERKIT_TEST_POSTGRES is set) PostgreSQL.
func TestConformance(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) storetest.Stores {
			return storetest.Stores{Partners: memstore.New(nil)}
		})
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) storetest.Stores { return sqlStores(testdb.SQLite(t)) })
	})
	t.Run("postgres", func(t *testing.T) {
		testdb.PostgresDSN(t) // skip early when unset
		t.Parallel()
		storetest.Run(t, func(t *testing.T) storetest.Stores { return sqlStores(testdb.Postgres(t)) })
	})
}

func sqlStores(db *bun.DB) storetest.Stores {
	return storetest.Stores{Partners: bunstore.New(db)}
}
