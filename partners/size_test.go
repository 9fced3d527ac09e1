package partners_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/uptrace/bun"
)

// BenchmarkDatabaseSize reports the bytes per partner of a SQLite file
// loaded as the load harness loads it (internal/tools/load): partners
// created through the service's bulk path, 1,000 a call, half vendors and
// half resellers, a third invited, each with an external ID and two
// contacts, then VACUUM. It seeds 5,000 partners, or
// PARTNERKIT_SIZE_PARTNERS; with -v it logs the bytes of each table and
// index (SQLite's dbstat). It measures space, not time: b.N does not
// change what it builds.
//
//	go test -run '^$' -bench DatabaseSize -benchtime 1x -v ./partners/
//	PARTNERKIT_SIZE_PARTNERS=100000 go test -run '^$' -bench DatabaseSize -benchtime 1x -timeout 30m -v ./partners/
func BenchmarkDatabaseSize(b *testing.B) {
	n := 5000
	if v := os.Getenv("PARTNERKIT_SIZE_PARTNERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("PARTNERKIT_SIZE_PARTNERS=%q: want a positive number", v)
		}
	}
	ctx := context.Background()
	var size int64
	var tables []string
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "size.db")
		db, err := sqldb.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		svc := wiring.MustNew(stores.MustSQL(db), wiring.Options{Hasher: storetest.CheapHasher}).Partners
		root, admin, err := svc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider", AccountType: partners.TypeProvider,
			AdminEmail: "load@partnerkit.local", AdminPassword: "L0ad-harness!"})
		if err != nil {
			b.Fatal(err)
		}
		actor := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
		seedLikeLoadHarness(b, svc, actor, n)
		if _, err := db.ExecContext(ctx, "VACUUM"); err != nil {
			b.Fatal(err)
		}
		var pages, pageSize int64
		if err := db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
			b.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
			b.Fatal(err)
		}
		size = pages * pageSize
		tables = dbstat(b, db)
		db.Close()
	}
	b.ReportMetric(float64(size)/float64(n), "bytes/partner")
	b.ReportMetric(float64(size)/1e6, "MB")
	b.Logf("%d partners: %d bytes (%.1f MB) after VACUUM\n%s", n, size, float64(size)/1e6, strings.Join(tables, "\n"))
}

// seedLikeLoadHarness creates n partners the way the load harness does.
func seedLikeLoadHarness(tb testing.TB, svc *partners.Service, actor partnerkit.Actor, n int) {
	tb.Helper()
	words := []string{"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent"}
	types := []partners.AccountType{partners.TypeVendor, partners.TypeReseller}
	for off := 0; off < n; off += partners.MaxPartnerBatch {
		batch := make([]partners.CreatePartnerInput, 0, partners.MaxPartnerBatch)
		for i := off; i < min(off+partners.MaxPartnerBatch, n); i++ {
			status := partners.StatusActive
			if i%3 == 0 {
				status = partners.StatusInvited
			}
			batch = append(batch, partners.CreatePartnerInput{Type: types[i%2], Name: fmt.Sprintf("Partner %06d %s", i, words[i%len(words)]),
				ExternalID: fmt.Sprintf("EXT-%06d", i), Status: status,
				BusinessContact:  partners.Contact{Name: "Biz", Email: fmt.Sprintf("biz%d@partner.example", i)},
				TechnicalContact: partners.Contact{Name: "Tech", Email: fmt.Sprintf("tech%d@partner.example", i)}})
		}
		if _, err := svc.CreatePartners(context.Background(), actor, batch); err != nil {
			tb.Fatal(err)
		}
	}
}

// dbstat lists the tables and indexes of more than one page, largest
// first, with their bytes; nothing when the driver lacks dbstat.
func dbstat(tb testing.TB, db *bun.DB) []string {
	tb.Helper()
	rows, err := db.QueryContext(context.Background(),
		`SELECT name, SUM(pgsize) FROM dbstat GROUP BY name HAVING count(*) > 1 ORDER BY 2 DESC`)
	if err != nil {
		tb.Logf("no dbstat: %v", err)
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		var bytes int64
		if err := rows.Scan(&name, &bytes); err != nil {
			tb.Fatal(err)
		}
		out = append(out, fmt.Sprintf("  %-40s %12d", name, bytes))
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
