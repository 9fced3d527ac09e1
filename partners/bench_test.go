package partners_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/uptrace/bun"
)

const benchPartners = 100_000

// BenchmarkDirectory measures one directory page of 50 with counts,
// filtered by type and sorted by name, over 100,000 partners: through the
// service on the memory and SQLite stores, and as one hand-written SQL
// statement on database/sql (the floor the SQLite store is compared with).
func BenchmarkDirectory(b *testing.B) {
	ctx := context.Background()
	filter := partners.DirectoryFilter{Type: partners.TypeVendor, Sort: partners.SortName, Page: partnerkit.Page{Limit: 50}}

	// Every domain's stores, so the directory carries every registered count.
	mem := wiring.MustNew(stores.Memory(), wiring.Options{})
	memActor := storetest.SeedDirectory(b, mem.Stores.Partners, benchPartners)
	b.Run("store=memory", func(b *testing.B) {
		svc, actor := mem.Partners, memActor
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			page, err := svc.Directory(ctx, actor, filter)
			if err != nil || len(page.Items) != 50 {
				b.Fatal(err, len(page.Items))
			}
		}
	})

	db, actor := openBenchSQLite(b)
	b.Run("store=sqlite", func(b *testing.B) {
		svc := wiring.MustNew(stores.MustSQL(db), wiring.Options{}).Partners
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			page, err := svc.Directory(ctx, actor, filter)
			if err != nil || len(page.Items) != 50 {
				b.Fatal(err, len(page.Items))
			}
		}
	})

	// The same page under a cancellable context, as a request's: what the
	// SQLite driver and database/sql do for cancellation per row.
	b.Run("store=sqlite/ctx=cancellable", func(b *testing.B) {
		svc := wiring.MustNew(stores.MustSQL(db), wiring.Options{}).Partners
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			c, cancel := context.WithCancel(ctx)
			page, err := svc.Directory(c, actor, filter)
			cancel()
			if err != nil || len(page.Items) != 50 {
				b.Fatal(err, len(page.Items))
			}
		}
	})

	b.Run("rawsql=sqlite", func(b *testing.B) {
		stmt, err := db.DB.PrepareContext(ctx, rawDirectorySQL)
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			items, total, err := rawDirectory(ctx, stmt, actor.AccountID, string(partners.TypeVendor), 50, 0)
			if err != nil || len(items) != 50 || total == 0 {
				b.Fatal(err, len(items), total)
			}
		}
	})
}

// openBenchSQLite seeds a SQLite file in the benchmark's temporary directory.
func openBenchSQLite(b *testing.B) (*bun.DB, partnerkit.Actor) {
	b.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	actor := storetest.SeedDirectory(b, stores.MustSQL(db).Partners, benchPartners)
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return db, actor
}

// rawDirectorySQL is the directory page as one hand-written statement,
// the total read from the same per-manager tally the store keeps.
const rawDirectorySQL = `SELECT a.id, a.type, a.name, a.legal_name, a.external_id, a.status, a.manager_id, a.path,
	a.business_contact_name, a.business_contact_email, a.business_contact_phone,
	a.technical_contact_name, a.technical_contact_email, a.technical_contact_phone,
	a.created_at, a.updated_at, a.version,
	(SELECT count(*) FROM contracts AS c WHERE c.partner_id = a.id AND c.status IN ('signed', 'active')),
	(SELECT count(DISTINCT c.agreement_id) FROM contracts AS c WHERE c.partner_id = a.id AND c.status <> 'rejected'),
	(SELECT count(*) FROM listings AS l WHERE l.vendor_id = a.id),
	(SELECT COALESCE(SUM(t.n), 0) FROM account_counts AS t WHERE t.manager_id = ?1 AND t.type = ?2)
FROM accounts AS a
WHERE a.manager_id = ?1 AND a.type = ?2
ORDER BY a.search_name, a.id
LIMIT ?3 OFFSET ?4`

func rawDirectory(ctx context.Context, stmt *sql.Stmt, manager, typ string, limit, offset int) ([]partners.DirectoryEntry, int, error) {
	rows, err := stmt.QueryContext(ctx, manager, typ, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []partners.DirectoryEntry
	var total int
	for rows.Next() {
		var e partners.DirectoryEntry
		var typ, status string
		var signed, agreements, listings int
		var created, updated sqldb.Time // integers on SQLite
		if err := rows.Scan(&e.ID, &typ, &e.Name, &e.LegalName, &e.ExternalID, &status, &e.ManagerID, &e.Path,
			&e.BusinessContact.Name, &e.BusinessContact.Email, &e.BusinessContact.Phone,
			&e.TechnicalContact.Name, &e.TechnicalContact.Email, &e.TechnicalContact.Phone,
			&created, &updated, &e.Version,
			&signed, &agreements, &listings, &total); err != nil {
			return nil, 0, err
		}
		e.CreatedAt, e.UpdatedAt = created.Time, updated.Time
		e.Counts = partners.Counts{"signed_contracts": signed, "agreements": agreements, "listings": listings}
		e.Type, e.Status = partners.AccountType(typ), partners.Status(status)
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// BenchmarkCreatePartners loads partners through the bulk path, 1,000 per
// call, into SQLite: the rate is b.N×1000 partners over the time.
func BenchmarkCreatePartners(b *testing.B) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(b.TempDir(), "bulk.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	svc := wiring.MustNew(stores.MustSQL(db), wiring.Options{Hasher: storetest.CheapHasher}).Partners
	root, admin, err := svc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Root", AccountType: partners.TypeDistributor,
		AdminEmail: "a@root.example", AdminPassword: "Sup3r-secret"})
	if err != nil {
		b.Fatal(err)
	}
	actor := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		batch := make([]partners.CreatePartnerInput, partners.MaxPartnerBatch)
		for i := range batch {
			n++
			batch[i] = partners.CreatePartnerInput{Type: partners.TypeReseller, Name: fmt.Sprintf("Partner %07d", n), ExternalID: fmt.Sprintf("EXT-%07d", n),
				BusinessContact: partners.Contact{Name: "Biz", Email: fmt.Sprintf("biz%d@p.example", n)}}
		}
		if _, err := svc.CreatePartners(ctx, actor, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "partners/s")
}
