package capacity_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/bunstore"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// benchEnv is a SQLite database with a distributor holding one active
// pay-per-use capacity contract, resellers with allocations, and storage
// accounts spread over them.
type benchEnv struct {
	db       *bun.DB
	svc      *capacity.Service
	dist     partnerkit.Actor
	contract string
	resellers,
	accounts []string
}

// benchStart is when the benchmarks' contracts and allocations are made;
// usage is then reported for later days, and the clock moved past them.
var benchStart = time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)

func newBenchEnv(b *testing.B, resellers, accountsPerReseller int) *benchEnv {
	b.Helper()
	ctx := context.Background()
	clock, advance := storetest.AdjustableClock(benchStart)
	defer advance(400 * 24 * time.Hour) // usage of the following year is in the past
	db, err := bunstore.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	wired := wiring.MustNew(stores.MustSQL(db), wiring.Options{Clock: clock, Hasher: storetest.CheapHasher})
	psvc, asvc, csvc := wired.Partners, wired.Agreements, wired.Contracts
	e := &benchEnv{db: db, svc: wired.Capacity}
	check := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	root, admin, err := psvc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider", AdminEmail: "p@example.com", AdminPassword: "Sup3r-secret"})
	check(err)
	provider := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
	dist, err := psvc.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Distributor"})
	check(err)
	e.dist = partnerkit.Actor{AccountID: dist.ID, UserID: "UR-dist", Role: partnerkit.RoleAdmin}
	agr, err := asvc.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeCapacity, Name: "Capacity"})
	check(err)
	c, err := csvc.Create(ctx, provider, contracts.CreateInput{PartnerID: dist.ID, AgreementID: agr.ID})
	check(err)
	_, err = csvc.Sign(ctx, provider, c.ID)
	check(err)
	_, err = csvc.Activate(ctx, provider, c.ID)
	check(err)
	e.contract = c.ID
	_, err = e.svc.SetTerms(ctx, provider, c.ID, capacity.TermsInput{ReservedTB: decimal.Zero, BillingModel: capacity.BillingPayPerUse,
		PricePerTB: decimal.RequireFromString("6.5"), ExcessPricePerTB: decimal.Zero, Currency: "USD"})
	check(err)
	for i := range resellers {
		r, err := psvc.CreatePartner(ctx, e.dist, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: fmt.Sprintf("Reseller %03d", i)})
		check(err)
		_, err = e.svc.SetAllocation(ctx, e.dist, r.ID, capacity.AllocationInput{ContractID: c.ID, AllocatedTB: decimal.NewFromInt(10)})
		check(err)
		e.resellers = append(e.resellers, r.ID)
		for j := range accountsPerReseller {
			a, err := e.svc.CreateStorageAccount(ctx, e.dist, capacity.StorageAccountInput{PartnerID: r.ID,
				Name: fmt.Sprintf("Account %05d", j), QuotaTB: decimal.NewFromInt(1)})
			check(err)
			e.accounts = append(e.accounts, a.ID)
		}
	}
	return e
}

// ingestBatch returns batch k: 20 one-minute samples for each of 50
// accounts, later than every earlier batch.
func ingestBatch(accounts []string, base time.Time, k int) []capacity.Sample {
	const perAccount = 20
	out := make([]capacity.Sample, 0, len(accounts)*perAccount)
	for j := range perAccount {
		ts := base.Add(time.Duration(k*perAccount+j) * time.Minute)
		for i, a := range accounts {
			out = append(out, capacity.Sample{StorageAccountID: a, Timestamp: ts, Bytes: int64(i+1)*1_000_000_000 + int64(k*perAccount+j)})
		}
	}
	return out
}

// BenchmarkIngestUsage measures one batch of 1,000 samples (50 accounts ×
// 20 minutes): through the service (validation, idempotent insert, daily
// rollups) and as one prepared multi-row INSERT of the same rows on
// database/sql (the floor), each on its own, then both taking turns batch
// by batch, which reports their ratio (store/rawsql).
func BenchmarkIngestUsage(b *testing.B) {
	ctx := context.Background()
	base := benchStart.AddDate(0, 0, 1)

	// Batch numbers live out here: with -count a sub-benchmark runs again on
	// the same database and must send new samples.
	storeEnv, storeBatch := newBenchEnv(b, 2, 25), 0
	b.Run("store=sqlite", func(b *testing.B) {
		k := &storeBatch
		b.ReportAllocs()
		for b.Loop() {
			batch := ingestBatch(storeEnv.accounts, base, *k)
			*k++
			res, err := storeEnv.svc.IngestUsage(ctx, storeEnv.dist, batch)
			if err != nil || res.Inserted != len(batch) {
				b.Fatal(err, res)
			}
		}
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "samples/s")
	})

	rawEnv, rawBatch := newBenchEnv(b, 2, 25), 0
	b.Run("rawsql=sqlite", func(b *testing.B) {
		stmt := prepareRawInsert(b, rawEnv.db.DB)
		var args []any
		k := &rawBatch
		b.ReportAllocs()
		for b.Loop() {
			args = rawArgs(args, ingestBatch(rawEnv.accounts, base, *k))
			*k++
			if err := rawInsert(ctx, rawEnv.db.DB, stmt, args); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "samples/s")
	})

	// The ratio, with the two taking turns batch by batch on databases of
	// their own: the machine's drift (the two runs above, one after the
	// other, varied by a fifth from run to run) then falls on both alike.
	// The store's time includes the WAL checkpoint it starts in the
	// background after a write (awaited here, as if it did not overlap
	// the next write: an upper bound); the raw insert checkpoints in its
	// commit, SQLite's way.
	pairStore, pairRaw := newBenchEnv(b, 2, 25), newBenchEnv(b, 2, 25)
	pairBatch := 0
	b.Run("store/rawsql=sqlite,interleaved", func(b *testing.B) {
		stmt := prepareRawInsert(b, pairRaw.db.DB)
		var inStore, inRaw time.Duration
		var args []any
		for b.Loop() {
			batch := ingestBatch(pairStore.accounts, base, pairBatch)
			t0 := time.Now()
			res, err := pairStore.svc.IngestUsage(ctx, pairStore.dist, batch)
			if err != nil || res.Inserted != len(batch) {
				b.Fatal(err, res)
			}
			sqldb.CheckpointDone(pairStore.db)
			t1 := time.Now()
			args = rawArgs(args, ingestBatch(pairRaw.accounts, base, pairBatch))
			t2 := time.Now()
			if err := rawInsert(ctx, pairRaw.db.DB, stmt, args); err != nil {
				b.Fatal(err)
			}
			inStore, inRaw = inStore+t1.Sub(t0), inRaw+time.Since(t2)
			pairBatch++
		}
		b.ReportMetric(float64(inStore.Nanoseconds())/float64(b.N), "store-ns/batch")
		b.ReportMetric(float64(inRaw.Nanoseconds())/float64(b.N), "rawsql-ns/batch")
		b.ReportMetric(inStore.Seconds()/inRaw.Seconds(), "store/rawsql")
	})
}

// prepareRawInsert prepares the floor's INSERT of one batch (1,000 rows),
// closed when the benchmark ends.
func prepareRawInsert(b *testing.B, db *sql.DB) *sql.Stmt {
	stmt, err := db.PrepareContext(context.Background(), "INSERT INTO usage_samples (storage_account_id, ts, bytes) VALUES "+
		strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", 1000), ", "))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stmt.Close() })
	return stmt
}

// rawArgs puts batch's values in args for the floor's INSERT.
func rawArgs(args []any, batch []capacity.Sample) []any {
	args = args[:0]
	for _, x := range batch {
		args = append(args, x.StorageAccountID, x.Timestamp.Unix(), x.Bytes)
	}
	return args
}

func rawInsert(ctx context.Context, db *sql.DB, stmt *sql.Stmt, args []any) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, args...); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// BenchmarkMonthlyReport measures monthly usage reports over 10,000
// storage accounts (100 resellers × 100) with 90 days of usage each,
// seeded through IngestUsage; reports read the daily rollups only.
func BenchmarkMonthlyReport(b *testing.B) {
	ctx := context.Background()
	e := newBenchEnv(b, 100, 100)
	first := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	const days = 90
	for d := range days {
		batch := make([]capacity.Sample, 0, len(e.accounts))
		for i, a := range e.accounts {
			batch = append(batch, capacity.Sample{StorageAccountID: a, Timestamp: first.AddDate(0, 0, d).Add(12 * time.Hour),
				Bytes: int64(i%100+1) * 10_000_000_000})
		}
		if _, err := e.svc.IngestUsage(ctx, e.dist, batch); err != nil {
			b.Fatal(err)
		}
	}
	last := first.AddDate(0, 0, days-1)
	for _, scope := range []string{"contract", "partner"} {
		b.Run("scope="+scope+"/store=sqlite", func(b *testing.B) {
			q := capacity.ReportQuery{ContractID: e.contract, From: first, To: last, Granularity: capacity.ByMonth}
			if scope == "partner" {
				q = capacity.ReportQuery{PartnerID: e.resellers[0], From: first, To: last, Granularity: capacity.ByMonth}
			}
			b.ReportAllocs()
			for b.Loop() {
				rep, err := e.svc.UsageReport(ctx, e.dist, q)
				if err != nil || len(rep.Rows) != 3 || rep.TotalUsageFee.IsZero() {
					b.Fatal(err, rep)
				}
			}
		})
	}
}
