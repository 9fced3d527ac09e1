package bunstore_test

import (
	"testing"

	"github.com/partnerkit/partnerkit/idempotency"
	"github.com/partnerkit/partnerkit/idempotency/bunstore"
	"github.com/partnerkit/partnerkit/idempotency/idemtest"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/uptrace/bun"
)

func TestConformance(t *testing.T) {
	for _, c := range []struct {
		name string
		open func(testing.TB) *bun.DB
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}} {
		t.Run(c.name, func(t *testing.T) {
			idemtest.Run(t, func(t *testing.T) idempotency.Store {
				s, err := bunstore.New(c.open(t))
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}
