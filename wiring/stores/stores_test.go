package stores_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	agreementsbun "github.com/partnerkit/partnerkit/agreements/bunstore"
	capacitybun "github.com/partnerkit/partnerkit/capacity/bunstore"
	contractsbun "github.com/partnerkit/partnerkit/contracts/bunstore"
	"github.com/partnerkit/partnerkit/internal/testdb"
	listingsbun "github.com/partnerkit/partnerkit/listings/bunstore"
	partnersbun "github.com/partnerkit/partnerkit/partners/bunstore"
	resellersbun "github.com/partnerkit/partnerkit/resellers/bunstore"
	webhooksbun "github.com/partnerkit/partnerkit/webhooks/bunstore"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
)

// TestEveryNewRefusesAnUnfitDatabase: every domain's bunstore.New, and SQL,
// refuse a SQLite *bun.DB opened without the DSN's pragmas, naming them; a
// database from testdb (bunstore.Open) passes.
func TestEveryNewRefusesAnUnfitDatabase(t *testing.T) {
	sqldb, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "bare.db"))
	if err != nil {
		t.Fatal(err)
	}
	bare := bun.NewDB(sqldb, sqlitedialect.New())
	t.Cleanup(func() { bare.Close() })
	fit := testdb.SQLite(t)
	for _, c := range []struct {
		name string
		make func(db *bun.DB) error
	}{
		{"Partners", func(db *bun.DB) error { _, err := partnersbun.New(db); return err }},
		{"Agreements", func(db *bun.DB) error { _, err := agreementsbun.New(db); return err }},
		{"Contracts", func(db *bun.DB) error { _, err := contractsbun.New(db); return err }},
		{"Capacity", func(db *bun.DB) error { _, err := capacitybun.New(db); return err }},
		{"Listings", func(db *bun.DB) error { _, err := listingsbun.New(db); return err }},
		{"Resellers", func(db *bun.DB) error { _, err := resellersbun.New(db); return err }},
		{"Webhooks", func(db *bun.DB) error { _, err := webhooksbun.New(db); return err }},
		{"SQL", func(db *bun.DB) error { _, err := stores.SQL(db); return err }},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.make(bare)
			if !errors.Is(err, partnersbun.ErrDatabaseNotReady) {
				t.Fatalf("err = %v, want ErrDatabaseNotReady", err)
			}
			for _, w := range []string{"_pragma=foreign_keys(1)", "_pragma=busy_timeout(10000)", "_txlock=immediate", "bunstore.SQLiteDSN"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not name %s: %v", w, err)
				}
			}
			if err := c.make(fit); err != nil {
				t.Fatalf("a database bunstore.Open opened was refused: %v", err)
			}
		})
	}
}
