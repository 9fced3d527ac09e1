package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/shopspring/decimal"
)

// capacityFixture is a provider with a distributor holding three active
// capacity contracts (100 TB reserved, 50 TB reserved, pay-per-use), and
// three resellers of the distributor.
type capacityFixture struct {
	*partnersEnv
	dist               *partners.Account
	distActor          partnerkit.Actor
	resellers          []*partners.Account
	c100, c50, payg    *contracts.Contract
	reservedTerms      capacity.TermsInput
	resellerActor      func(i int) partnerkit.Actor
	programAgreementID string
}

func tb(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func newCapacityFixture(t *testing.T, h Harness) *capacityFixture {
	t.Helper()
	ctx := context.Background()
	e := newPartnersEnv(t, h)
	declared(t, e.stores, forCapacity)
	f := &capacityFixture{partnersEnv: e}
	f.dist = e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Distributor"})
	f.distActor = partnerkit.Actor{AccountID: f.dist.ID, UserID: "UR-dist", Role: partnerkit.RoleAdmin}
	for i := range 3 {
		f.resellers = append(f.resellers, e.create(t, f.distActor,
			partners.CreatePartnerInput{Type: partners.TypeReseller, Name: fmt.Sprintf("Reseller %d", i)}))
	}
	f.resellerActor = func(i int) partnerkit.Actor {
		return partnerkit.Actor{AccountID: f.resellers[i].ID, UserID: fmt.Sprintf("UR-res%d", i), Role: partnerkit.RoleAdmin}
	}
	capAgr := must[*agreements.Agreement](t)(e.agr.Create(ctx, e.admin, agreements.CreateInput{Type: agreements.TypeCapacity, Name: "Capacity"}))
	prog := must[*agreements.Agreement](t)(e.agr.Create(ctx, e.admin, agreements.CreateInput{Type: agreements.TypeProgram, Name: "Program"}))
	f.programAgreementID = prog.ID
	active := func() *contracts.Contract {
		c := must[*contracts.Contract](t)(e.con.Create(ctx, e.admin, contracts.CreateInput{PartnerID: f.dist.ID, AgreementID: capAgr.ID}))
		must[*contracts.Contract](t)(e.con.Sign(ctx, e.admin, c.ID))
		return must[*contracts.Contract](t)(e.con.Activate(ctx, e.admin, c.ID))
	}
	f.reservedTerms = capacity.TermsInput{ReservedTB: tb("100"), BillingModel: capacity.BillingReserved,
		PricePerTB: tb("5"), ExcessPricePerTB: tb("8"), Currency: "usd"}
	f.c100, f.c50, f.payg = active(), active(), active()
	must[*capacity.Terms](t)(e.cap.SetTerms(ctx, e.admin, f.c100.ID, f.reservedTerms))
	half := f.reservedTerms
	half.ReservedTB = tb("50")
	must[*capacity.Terms](t)(e.cap.SetTerms(ctx, e.admin, f.c50.ID, half))
	must[*capacity.Terms](t)(e.cap.SetTerms(ctx, e.admin, f.payg.ID, capacity.TermsInput{ReservedTB: decimal.Zero,
		BillingModel: capacity.BillingPayPerUse, PricePerTB: tb("6.5"), ExcessPricePerTB: decimal.Zero, Currency: "EUR"}))
	return f
}

func (f *capacityFixture) allocate(t *testing.T, reseller int, contractID, size string) *capacity.Allocation {
	t.Helper()
	return must[*capacity.Allocation](t)(f.cap.SetAllocation(context.Background(), f.distActor, f.resellers[reseller].ID,
		capacity.AllocationInput{ContractID: contractID, AllocatedTB: tb(size)}))
}

// capacitySuite is the table of capacity.Store's conformance tests,
// through the service.
func capacitySuite() suite {
	ctx := context.Background()
	return suite{tests: append([]test{
		{name: "Terms", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			f := newCapacityFixture(t, h)
			list := must[[]capacity.CapacityContract](t)(f.cap.Contracts(ctx, f.distActor))
			if len(list) != 3 {
				t.Fatalf("%d capacity contracts, want 3", len(list))
			}
			for _, c := range list {
				if c.ID == f.c100.ID && (!c.Terms.ReservedTB.Equal(tb("100")) || c.Terms.Currency != "USD" || !c.Terms.ExcessPricePerTB.Equal(tb("8"))) {
					t.Fatalf("terms %+v", c.Terms)
				}
				// A capacity contract reads as the contracts service returns it,
				// derived fields included.
				got := must[*contracts.Contract](t)(f.con.Get(ctx, f.distActor, c.ID))
				if c.LatestAgreementVersion != got.LatestAgreementVersion || c.UpdatePending != got.UpdatePending || c.LatestAgreementVersion != 1 {
					t.Fatalf("capacity list: latest version %d, pending %v; contracts: %d, %v",
						c.LatestAgreementVersion, c.UpdatePending, got.LatestAgreementVersion, got.UpdatePending)
				}
			}
			bad := []struct {
				name  string
				edit  func(*capacity.TermsInput)
				field string
			}{
				{"ErrNegative", func(in *capacity.TermsInput) { in.ReservedTB = tb("-1") }, "reserved_tb"},
				{"ErrSevenPlaces", func(in *capacity.TermsInput) { in.ReservedTB = tb("1.0000001") }, "reserved_tb"},
				{"ErrZeroReserved", func(in *capacity.TermsInput) { in.ReservedTB = decimal.Zero }, "reserved_tb"},
				{"ErrModel", func(in *capacity.TermsInput) { in.BillingModel = "flat" }, "billing_model"},
				{"ErrCurrency", func(in *capacity.TermsInput) { in.Currency = "dollar" }, "currency"},
				{"ErrPrice", func(in *capacity.TermsInput) { in.PricePerTB = tb("-0.01") }, "price_per_tb"},
			}
			for _, c := range bad {
				t.Run(c.name, func(t *testing.T) {
					in := f.reservedTerms
					c.edit(&in)
					_, err := f.cap.SetTerms(ctx, f.admin, f.c100.ID, in)
					wantField(t, err, partnerkit.CodeInvalid, c.field)
				})
			}
			// Only the offering account sets terms, only on capacity contracts.
			_, err := f.cap.SetTerms(ctx, f.distActor, f.c100.ID, f.reservedTerms)
			wantCode(t, err, partnerkit.CodeForbidden)
			prog := must[*contracts.Contract](t)(f.con.Create(ctx, f.admin, contracts.CreateInput{PartnerID: f.dist.ID, AgreementID: f.programAgreementID}))
			_, err = f.cap.SetTerms(ctx, f.admin, prog.ID, f.reservedTerms)
			wantCode(t, err, partnerkit.CodeConflict)
			// A reservation never drops below what is allocated.
			f.allocate(t, 0, f.c100.ID, "60")
			low := f.reservedTerms
			low.ReservedTB = tb("59.999999")
			_, err = f.cap.SetTerms(ctx, f.admin, f.c100.ID, low)
			wantField(t, err, partnerkit.CodeConflict, "reserved_tb")
		}},

		{name: "Allocations", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			f := newCapacityFixture(t, h)
			a := f.allocate(t, 0, f.c100.ID, "60")
			if a.PayPerUse || !a.AllocatedTB.Equal(tb("60")) {
				t.Fatalf("allocation %+v", a)
			}
			_, err := f.cap.SetAllocation(ctx, f.distActor, f.resellers[1].ID, capacity.AllocationInput{ContractID: f.c100.ID, AllocatedTB: tb("40.000001")})
			wantField(t, err, partnerkit.CodeConflict, "allocated_tb")
			if msg := partnerkit.ErrorMessage(err); !strings.Contains(msg, "at most 40 TB is free") {
				t.Fatalf("message %q", msg)
			}
			f.allocate(t, 1, f.c100.ID, "40")
			// Changing one's own allocation counts it once.
			f.allocate(t, 0, "", "59.5")
			for _, c := range []struct {
				name, size, contract string
				code                 partnerkit.Code
				field                string
			}{
				{"ErrZeroOnReserved", "0", f.c50.ID, partnerkit.CodeInvalid, "allocated_tb"},
				{"ErrNegative", "-5", f.c50.ID, partnerkit.CodeInvalid, "allocated_tb"},
				{"ErrSevenPlaces", "1.1234567", f.c50.ID, partnerkit.CodeInvalid, "allocated_tb"},
				{"ErrNoContract", "5", "", partnerkit.CodeInvalid, "contract_id"},
				{"ErrForeignContract", "5", "CTR-unknown", partnerkit.CodeInvalid, "contract_id"},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, err := f.cap.SetAllocation(ctx, f.distActor, f.resellers[2].ID, capacity.AllocationInput{ContractID: c.contract, AllocatedTB: tb(c.size)})
					wantField(t, err, c.code, c.field)
				})
			}
			// Pay-per-use: 0 is valid, and the partner carries the label.
			ppu := f.allocate(t, 2, f.payg.ID, "0")
			if !ppu.PayPerUse {
				t.Fatalf("pay-per-use label missing: %+v", ppu)
			}
			got := must[*capacity.Allocation](t)(f.cap.Allocation(ctx, f.distActor, f.resellers[2].ID))
			if !got.PayPerUse || !got.AllocatedTB.IsZero() {
				t.Fatalf("stored %+v", got)
			}
			// Above 100 TB needs an approved deal of that size.
			_, err = f.cap.SetAllocation(ctx, f.distActor, f.resellers[2].ID, capacity.AllocationInput{AllocatedTB: tb("150")})
			wantField(t, err, partnerkit.CodeConflict, "allocated_tb")
			if !strings.Contains(partnerkit.ErrorMessage(err), "deal") {
				t.Fatalf("error should say a deal is needed: %v", err)
			}
			size := tb("200")
			deal := must[*capacity.Deal](t)(f.cap.RegisterDeal(ctx, f.resellerActor(2), capacity.DealInput{CustomerName: "Big Co",
				ExpectedTB: &size, CloseDate: "2026-06-30"}))
			_, err = f.cap.SetAllocation(ctx, f.distActor, f.resellers[2].ID, capacity.AllocationInput{AllocatedTB: tb("150")})
			wantCode(t, err, partnerkit.CodeConflict) // submitted is not enough
			must[*capacity.Deal](t)(f.cap.ApproveDeal(ctx, f.distActor, deal.ID, ""))
			f.allocate(t, 2, "", "150")
			// Only the partner's own manager allocates; viewers never.
			_, err = f.cap.SetAllocation(ctx, f.admin, f.resellers[0].ID, capacity.AllocationInput{AllocatedTB: tb("1")})
			wantCode(t, err, partnerkit.CodeNotFound)
			_, err = f.cap.SetAllocation(ctx, partnerkit.Actor{AccountID: f.dist.ID, Role: partnerkit.RoleViewer}, f.resellers[0].ID,
				capacity.AllocationInput{AllocatedTB: tb("1")})
			wantCode(t, err, partnerkit.CodeForbidden)
			trail := must[partnerkit.List[partnerkit.AuditEvent]](t)(f.svc.AuditTrail(ctx, f.distActor, f.resellers[0].ID, partnerkit.Page{}))
			if last := trail.Items[len(trail.Items)-1]; last.Action != "allocation.changed" {
				t.Fatalf("audit %+v", last)
			}
		}},

		{name: "ConcurrentAllocationsKeepReservation", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "capacity.Store: LockTerms while the allocations are summed")
			f := newCapacityFixture(t, h)
			var extra []*partners.Account
			for i := range 7 {
				extra = append(extra, f.create(t, f.distActor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: fmt.Sprintf("Racer %d", i)}))
			}
			all := append(append([]*partners.Account{}, f.resellers...), extra...)
			const writers = 200
			var wg sync.WaitGroup
			errs := make([]error, writers)
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = f.cap.SetAllocation(ctx, f.distActor, all[i%len(all)].ID, capacity.AllocationInput{
						ContractID: f.c100.ID, AllocatedTB: decimal.NewFromInt(int64(5 + 7*(i%5)))})
				}()
			}
			wg.Wait()
			ok, shed := 0, 0
			for i, err := range errs {
				switch partnerkit.ErrorCode(err) {
				case "":
					ok++
				case partnerkit.CodeConflict:
				case partnerkit.CodeUnavailable:
					// SQLite's writer queue sheds a write that waited longer
					// than sqldb.WriteWait (under -race on a busy machine, 200
					// writers at once): refused before it began, it changed
					// nothing, which is what the invariant below checks.
					shed++
				default:
					t.Errorf("writer %d: %v (only conflicts and shed writes may fail)", i, err)
				}
			}
			allocs := must[*capacity.Overview](t)(f.cap.Overview(ctx, f.distActor, f.c100.ID))
			if allocs.AllocatedTB.GreaterThan(tb("100")) || ok == 0 {
				t.Fatalf("allocated %s TB of 100 after %d successful writes", allocs.AllocatedTB, ok)
			}
			t.Logf("%d of %d writes succeeded, %d shed; %s TB allocated", ok, writers, shed, allocs.AllocatedTB)
		}},

		{name: "Transfer", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			f := newCapacityFixture(t, h)
			f.allocate(t, 0, f.c100.ID, "60")
			f.allocate(t, 1, f.c100.ID, "40")
			moved := must[*capacity.Allocation](t)(f.cap.Transfer(ctx, f.distActor, f.resellers[1].ID, f.c50.ID))
			if moved.ContractID != f.c50.ID || !moved.AllocatedTB.Equal(tb("40")) {
				t.Fatalf("moved %+v", moved)
			}
			_, err := f.cap.Transfer(ctx, f.distActor, f.resellers[0].ID, f.c50.ID) // 60 into 10 free
			wantField(t, err, partnerkit.CodeConflict, "allocated_tb")
			stay := must[*capacity.Allocation](t)(f.cap.Allocation(ctx, f.distActor, f.resellers[0].ID))
			if stay.ContractID != f.c100.ID {
				t.Fatalf("a failed transfer moved the partner: %+v", stay)
			}
			ov := must[*capacity.Overview](t)(f.cap.Overview(ctx, f.distActor, f.c100.ID))
			if !ov.AllocatedTB.Equal(tb("60")) || ov.Partners != 1 {
				t.Fatalf("source overview %+v", ov)
			}
			_, err = f.cap.Transfer(ctx, f.distActor, f.resellers[2].ID, f.c50.ID)
			wantCode(t, err, partnerkit.CodeConflict) // nothing to transfer
			_, err = f.cap.Transfer(ctx, f.distActor, f.resellers[0].ID, f.c100.ID)
			wantField(t, err, partnerkit.CodeInvalid, "contract_id")
			// Onto pay-per-use: the label follows.
			ppu := must[*capacity.Allocation](t)(f.cap.Transfer(ctx, f.distActor, f.resellers[0].ID, f.payg.ID))
			if !ppu.PayPerUse {
				t.Fatalf("pay-per-use label after transfer: %+v", ppu)
			}
		}},

		{name: "StorageAccounts", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			f := newCapacityFixture(t, h)
			res := f.resellerActor(0)
			_, err := f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: "Early", QuotaTB: tb("1")})
			wantField(t, err, partnerkit.CodeInvalid, "partner_id") // no allocation yet
			f.allocate(t, 0, f.c100.ID, "60")
			a := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: "Acme backups", QuotaTB: tb("30")}))
			must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, f.distActor, capacity.StorageAccountInput{
				PartnerID: f.resellers[0].ID, Name: "Beta archive", QuotaTB: tb("20")}))
			_, err = f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: "Gamma", QuotaTB: tb("10.5")})
			wantField(t, err, partnerkit.CodeConflict, "quota_tb")
			_, err = f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: "ACME BACKUPS", QuotaTB: tb("1")})
			wantField(t, err, partnerkit.CodeConflict, "name")
			_, err = f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: "", QuotaTB: tb("0")})
			wantField(t, err, partnerkit.CodeInvalid, "name")
			// The allocation cannot drop below the quotas, unless overdraft is allowed.
			_, err = f.cap.SetAllocation(ctx, f.distActor, f.resellers[0].ID, capacity.AllocationInput{AllocatedTB: tb("49")})
			wantField(t, err, partnerkit.CodeConflict, "allocated_tb")
			yes := true
			must[*capacity.Allocation](t)(f.cap.SetAllocation(ctx, f.distActor, f.resellers[0].ID, capacity.AllocationInput{AllocatedTB: tb("49"), AllowOverdraft: &yes}))
			must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: "Gamma", QuotaTB: tb("10.5")}))

			q := tb("25")
			up := must[*capacity.StorageAccount](t)(f.cap.UpdateStorageAccount(ctx, res, a.ID, capacity.StorageAccountUpdate{QuotaTB: &q, Version: a.Version}))
			if !up.QuotaTB.Equal(q) || up.Version != a.Version+1 {
				t.Fatalf("update %+v", up)
			}
			del := must[*capacity.StorageAccount](t)(f.cap.DeleteStorageAccount(ctx, res, a.ID))
			if del.Status != capacity.StorageDeletionScheduled || del.DeleteAt == nil || del.DeleteAt.Sub(del.UpdatedAt) != capacity.DeletionGrace {
				t.Fatalf("deleted %+v", del)
			}
			_, err = f.cap.DeleteStorageAccount(ctx, res, a.ID)
			wantCode(t, err, partnerkit.CodeConflict)
			must[*capacity.StorageAccount](t)(f.cap.CancelDeletion(ctx, res, a.ID))
			must[*capacity.StorageAccount](t)(f.cap.DeleteStorageAccount(ctx, res, a.ID))
			if ids := must[[]string](t)(f.cap.PurgeDeletedStorageAccounts(ctx)); len(ids) != 0 {
				t.Fatalf("purged early: %v", ids)
			}
			scheduled := must[partnerkit.List[capacity.StorageAccount]](t)(f.cap.StorageAccounts(ctx, res, capacity.StorageFilter{Status: capacity.StorageDeletionScheduled}))
			if scheduled.Total != 1 {
				t.Fatalf("scheduled %+v", scheduled)
			}
			f.advance(capacity.DeletionGrace + time.Hour)
			if ids := must[[]string](t)(f.cap.PurgeDeletedStorageAccounts(ctx)); len(ids) != 1 || ids[0] != a.ID {
				t.Fatalf("purged %v", ids)
			}
			_, err = f.cap.StorageAccount(ctx, res, a.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			list := must[partnerkit.List[capacity.StorageAccount]](t)(f.cap.StorageAccounts(ctx, f.distActor, capacity.StorageFilter{PartnerID: f.resellers[0].ID}))
			if list.Total != 2 || list.Items[0].Name != "Beta archive" || list.Items[1].Name != "Gamma" {
				t.Fatalf("list %+v", list)
			}
			// A partner with storage accounts cannot be deleted.
			err = f.svc.DeletePartner(ctx, f.distActor, f.resellers[0].ID)
			wantCode(t, err, partnerkit.CodeConflict)
			if !strings.Contains(partnerkit.ErrorMessage(err), "storage accounts") {
				t.Fatalf("message %q should name the storage accounts", partnerkit.ErrorMessage(err))
			}
			// Another reseller sees none of it.
			_, err = f.cap.StorageAccounts(ctx, f.resellerActor(1), capacity.StorageFilter{PartnerID: f.resellers[0].ID})
			wantCode(t, err, partnerkit.CodeNotFound)
			_, err = f.cap.StorageAccount(ctx, f.resellerActor(1), list.Items[0].ID)
			wantCode(t, err, partnerkit.CodeNotFound)
		}},

		{name: "UsageReportsOverview", needs: forCapacity, fn: testUsage},
		{name: "UsageManyAccountDays", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			// A backfill of more account days than one statement of the
			// rollups takes, and of a size none has: each day rolled up once.
			f := newCapacityFixture(t, h)
			res := f.resellerActor(0)
			f.allocate(t, 0, f.c100.ID, "60")
			a := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: "Backfill", QuotaTB: tb("30")}))
			const days = 1050
			first := capacity.DayOf(Epoch) + 1
			f.advance(time.Duration(days+2) * 24 * time.Hour)
			batch := make([]capacity.Sample, days)
			for i := range batch {
				batch[i] = capacity.Sample{StorageAccountID: a.ID, Timestamp: (first + capacity.Day(i)).Time().Add(time.Hour), Bytes: capacity.BytesPerTB}
			}
			if r := must[capacity.IngestResult](t)(f.cap.IngestUsage(ctx, res, batch)); r.Inserted != days {
				t.Fatalf("inserted %d of %d", r.Inserted, days)
			}
			rep := must[*capacity.Report](t)(f.cap.UsageReport(ctx, f.distActor, capacity.ReportQuery{PartnerID: f.resellers[0].ID,
				From: first.Time(), To: (first + days - 1).Time()}))
			checkRows(t, rep.Rows, days, func(i int, row capacity.ReportRow) string {
				if want := (first + capacity.Day(i)).String(); row.Period != want || !row.UsedTB.Equal(tb("1")) || !row.PeakTB.Equal(tb("1")) {
					return fmt.Sprintf("period %s used %s peak %s, want %s, 1 TB", row.Period, row.UsedTB, row.PeakTB, want)
				}
				return ""
			})
		}},
		{name: "ExcessFiguresAgree", needs: forCapacity, fn: testExcessFiguresAgree},

		{name: "Deals", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			f := newCapacityFixture(t, h)
			res := f.resellerActor(1)
			value, size := tb("12000.50"), tb("20")
			for _, c := range []struct {
				name  string
				in    capacity.DealInput
				field string
			}{
				{"ErrCustomer", capacity.DealInput{ExpectedTB: &size, CloseDate: "2026-03-01"}, "customer_name"},
				{"ErrNoSize", capacity.DealInput{CustomerName: "C", CloseDate: "2026-03-01"}, "expected_tb"},
				{"ErrPastDate", capacity.DealInput{CustomerName: "C", ExpectedTB: &size, CloseDate: "2025-12-01"}, "close_date"},
				{"ErrDateFormat", capacity.DealInput{CustomerName: "C", ExpectedTB: &size, CloseDate: "03/01/2026"}, "close_date"},
				{"ErrValueCurrency", capacity.DealInput{CustomerName: "C", ExpectedValue: &value, CloseDate: "2026-03-01"}, "currency"},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, err := f.cap.RegisterDeal(ctx, res, c.in)
					wantField(t, err, partnerkit.CodeInvalid, c.field)
				})
			}
			d := must[*capacity.Deal](t)(f.cap.RegisterDeal(ctx, res, capacity.DealInput{CustomerName: "Globex", ExpectedValue: &value,
				Currency: "usd", CloseDate: "2026-03-01", Note: "renewal"}))
			if d.OwnerID != f.dist.ID || d.Status != capacity.DealSubmitted || !d.ExpectedValue.Decimal.Equal(value) || d.ExpectedTB.Valid {
				t.Fatalf("deal %+v", d)
			}
			_, err := f.cap.ApproveDeal(ctx, res, d.ID, "")
			wantCode(t, err, partnerkit.CodeForbidden)
			_, err = f.cap.RejectDeal(ctx, f.distActor, d.ID, " ")
			wantField(t, err, partnerkit.CodeInvalid, "reason")
			_, err = f.cap.CloseDeal(ctx, res, d.ID, true)
			wantCode(t, err, partnerkit.CodeConflict) // not approved yet
			ok := must[*capacity.Deal](t)(f.cap.ApproveDeal(ctx, f.distActor, d.ID, "fits the plan"))
			if ok.DecidedAt == nil || ok.Reason != "fits the plan" || ok.DecidedBy != f.distActor.UserID {
				t.Fatalf("approved %+v", ok)
			}
			won := must[*capacity.Deal](t)(f.cap.CloseDeal(ctx, res, d.ID, true))
			if won.Status != capacity.DealWon {
				t.Fatalf("won %+v", won)
			}
			_, err = f.cap.RejectDeal(ctx, f.distActor, d.ID, "late")
			wantCode(t, err, partnerkit.CodeConflict)
			other := must[*capacity.Deal](t)(f.cap.RegisterDeal(ctx, res, capacity.DealInput{CustomerName: "Initech", ExpectedTB: &size, CloseDate: "2026-04-01"}))
			rej := must[*capacity.Deal](t)(f.cap.RejectDeal(ctx, f.distActor, other.ID, "no capacity left"))
			if rej.Status != capacity.DealRejected || rej.Reason != "no capacity left" {
				t.Fatalf("rejected %+v", rej)
			}
			mine := must[partnerkit.List[capacity.Deal]](t)(f.cap.Deals(ctx, res, capacity.DealFilter{}))
			theirs := must[partnerkit.List[capacity.Deal]](t)(f.cap.Deals(ctx, f.distActor, capacity.DealFilter{Status: capacity.DealWon}))
			if mine.Total != 2 || mine.Items[0].ID != other.ID || theirs.Total != 1 || theirs.Items[0].ID != d.ID {
				t.Fatalf("lists: mine %d, won %d", mine.Total, theirs.Total)
			}
			_, err = f.cap.Deal(ctx, f.resellerActor(0), d.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
		}},
	}, scheduledCapacityTests()...)}
}

// testUsage ingests samples over days after the allocation, changes the
// allocation in between, and checks rollups, idempotency, reports with
// exact fees, and the overview.
func testUsage(t *testing.T, h Harness) {
	ctx := context.Background()
	f := newCapacityFixture(t, h)
	res := f.resellerActor(0)
	f.allocate(t, 0, f.c100.ID, "60")
	f.allocate(t, 1, f.c100.ID, "40")
	a1 := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: "A1", QuotaTB: tb("30")}))
	a2 := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: "A2", QuotaTB: tb("20")}))
	d1 := capacity.DayOf(Epoch) + 1 // 2026-01-03
	d2 := d1 + 1
	at := func(d capacity.Day, hour int) time.Time { return d.Time().Add(time.Duration(hour) * time.Hour) }
	T := func(n int64) int64 { return n * capacity.BytesPerTB }

	// Day 1 passes with 60 TB; on day 2 the allocation becomes 50 TB.
	f.advance(at(d2, 10).Sub(Epoch))
	f.allocate(t, 0, "", "50")
	f.advance(2 * 24 * time.Hour) // now on day 4: samples of days 1-2 are in the past

	batch := []capacity.Sample{
		{StorageAccountID: a1.ID, Timestamp: at(d1, 1), Bytes: T(10)},
		{StorageAccountID: a1.ID, Timestamp: at(d1, 2), Bytes: T(20)},
		{StorageAccountID: a1.ID, Timestamp: at(d1, 3).Add(500 * time.Millisecond), Bytes: T(30)},
		{StorageAccountID: a2.ID, Timestamp: at(d1, 4), Bytes: T(50)},
		{StorageAccountID: a1.ID, Timestamp: at(d2, 5), Bytes: T(40)},
		{StorageAccountID: a1.ID, Timestamp: at(d2, 5), Bytes: T(40)}, // exact duplicate in the batch
	}
	r := must[capacity.IngestResult](t)(f.cap.IngestUsage(ctx, res, batch))
	if r.Received != 6 || r.Inserted != 5 {
		t.Fatalf("ingest %+v", r)
	}
	report := func(q capacity.ReportQuery) *capacity.Report {
		t.Helper()
		if q.From.IsZero() {
			q.From, q.To = at(d1-5, 0), at(d2+5, 0)
		}
		return must[*capacity.Report](t)(f.cap.UsageReport(ctx, f.distActor, q))
	}
	daily := report(capacity.ReportQuery{PartnerID: f.resellers[0].ID})
	want := []struct{ period, used, peak, alloc, excess, usageFee, excessFee string }{
		// Day 1: A1 avg 20, peak 30; A2 50 → 70 used, 80 peak, 60 allocated: 10 TB over for 1/31 month.
		{d1.String(), "70", "80", "60", "0.322581", "9.6774", "2.5806"},
		// Day 2: 40 used under the new 50 TB allocation.
		{d2.String(), "40", "40", "50", "0", "8.0645", "0"},
	}
	checkRows(t, daily.Rows, len(want), func(i int, row capacity.ReportRow) string {
		w := want[i]
		return compare(row, w.period, w.used, w.peak, w.alloc, w.excess, w.usageFee, w.excessFee)
	})
	if daily.AsOf == nil || !daily.AsOf.Equal(at(d2, 5)) || daily.Rows[0].Currency != "USD" {
		t.Fatalf("as of %v, currency %q", daily.AsOf, daily.Rows[0].Currency)
	}

	// A retried batch changes nothing.
	r = must[capacity.IngestResult](t)(f.cap.IngestUsage(ctx, res, batch))
	if r.Inserted != 0 {
		t.Fatalf("retry inserted %d", r.Inserted)
	}
	if again := report(capacity.ReportQuery{PartnerID: f.resellers[0].ID}); compare(again.Rows[0], want[0].period, want[0].used, want[0].peak, want[0].alloc, want[0].excess, want[0].usageFee, want[0].excessFee) != "" {
		t.Fatalf("retry changed the report: %+v", again.Rows[0])
	}

	// A late sample for day 1, in a retried batch whose other sample is
	// stored already, is rolled in once: A2 averages (50+60)/2 = 55.
	partial := []capacity.Sample{batch[3], {StorageAccountID: a2.ID, Timestamp: at(d1, 20), Bytes: T(60)}}
	if r := must[capacity.IngestResult](t)(f.cap.IngestUsage(ctx, res, partial)); r.Inserted != 1 {
		t.Fatalf("partial retry inserted %d, want 1", r.Inserted)
	}
	monthly := report(capacity.ReportQuery{PartnerID: f.resellers[0].ID, Granularity: capacity.ByMonth})
	checkRows(t, monthly.Rows, 1, func(_ int, row capacity.ReportRow) string {
		// used (75+40)/2; peak 90 on day 1; excess 15/31 TB-month → 15*8/31; usage (60+50)*5/31.
		return compare(row, "2026-01", "57.5", "90", "50", "0.483871", "17.7419", "3.871")
	})
	if !monthly.TotalAllocationExcessFee.Equal(tb("3.871")) || !monthly.TotalUsageFee.Equal(tb("17.7419")) ||
		monthly.TotalReservationExcessFee != nil {
		t.Fatalf("totals %s %s %v", monthly.TotalUsageFee, monthly.TotalAllocationExcessFee, monthly.TotalReservationExcessFee)
	}
	if row := monthly.Rows[0]; row.ReservedTB != nil || row.ReservationExcessTBMonths != nil || row.ReservationExcessFee != nil {
		t.Fatalf("a partner report has reservation figures: %+v", row)
	}

	// The contract: 75 TB on day 1 is 15 TB above the partner's allocation
	// but stays under the 100 TB reservation.
	contract := report(capacity.ReportQuery{ContractID: f.c100.ID})
	checkRows(t, contract.Rows, 2, func(i int, row capacity.ReportRow) string {
		if i == 0 {
			return joinDiffs(compare(row, d1.String(), "75", "90", "60", "0.483871", "9.6774", "3.871"), reservation(row, "100", "0", "0"))
		}
		return joinDiffs(compare(row, d2.String(), "40", "40", "50", "0", "8.0645", "0"), reservation(row, "100", "0", "0"))
	})
	if contract.TotalReservationExcessFee == nil || !contract.TotalReservationExcessFee.IsZero() ||
		!contract.TotalAllocationExcessFee.Equal(tb("3.871")) {
		t.Fatalf("contract totals %+v", contract)
	}

	ov := must[*capacity.Overview](t)(f.cap.Overview(ctx, f.distActor, f.c100.ID))
	if !ov.ReservedTB.Equal(tb("100")) || !ov.AllocatedTB.Equal(tb("90")) || !ov.UsedTB.Equal(tb("40")) ||
		ov.Partners != 2 || ov.Month != "2026-01" || !ov.AllocationExcessFee.Equal(tb("3.871")) ||
		!ov.AllocationExcessTBMonths.Equal(tb("0.483871")) || !ov.ReservationExcessFee.IsZero() ||
		ov.AsOf == nil || !ov.AsOf.Equal(at(d2, 5)) {
		t.Fatalf("overview %+v", ov)
	}
	if len(ov.ByPartner) != 2 || ov.ByPartner[0].PartnerName != "Reseller 0" || !ov.ByPartner[0].UsedTB.Equal(tb("40")) ||
		!ov.ByPartner[1].UsedTB.IsZero() {
		t.Fatalf("by partner %+v", ov.ByPartner)
	}

	// Bad rows reject the whole batch, naming the row.
	before := report(capacity.ReportQuery{PartnerID: f.resellers[0].ID})
	good := capacity.Sample{StorageAccountID: a1.ID, Timestamp: at(d2, 12), Bytes: T(1)}
	for _, c := range []struct {
		name  string
		bad   capacity.Sample
		field string
	}{
		{"ErrUnknownAccount", capacity.Sample{StorageAccountID: "SA-nope", Timestamp: at(d2, 13), Bytes: 1}, "samples[1].storage_account_id"},
		{"ErrFuture", capacity.Sample{StorageAccountID: a1.ID, Timestamp: time.Now().Add(24 * time.Hour * 365 * 5), Bytes: 1}, "samples[1].timestamp"},
		{"ErrAncient", capacity.Sample{StorageAccountID: a1.ID, Timestamp: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), Bytes: 1}, "samples[1].timestamp"},
		{"ErrNegativeBytes", capacity.Sample{StorageAccountID: a1.ID, Timestamp: at(d2, 13), Bytes: -1}, "samples[1].bytes"},
		{"ErrConflictingDuplicate", capacity.Sample{StorageAccountID: a1.ID, Timestamp: at(d2, 12), Bytes: 2}, "samples[1].timestamp"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.cap.IngestUsage(ctx, res, []capacity.Sample{good, c.bad})
			wantField(t, err, partnerkit.CodeInvalid, c.field)
		})
	}
	// Another reseller cannot report usage for these accounts.
	_, err := f.cap.IngestUsage(ctx, f.resellerActor(1), []capacity.Sample{good})
	wantField(t, err, partnerkit.CodeInvalid, "samples[0].storage_account_id")
	if after := report(capacity.ReportQuery{PartnerID: f.resellers[0].ID}); compare(after.Rows[1], d2.String(), "40", "40", "50", "0", "8.0645", "0") != "" ||
		len(after.Rows) != len(before.Rows) {
		t.Fatalf("a rejected batch changed the report: %+v", after.Rows)
	}
	// Report queries are checked.
	for _, c := range []struct {
		name  string
		q     capacity.ReportQuery
		field string
	}{
		{"ErrBoth", capacity.ReportQuery{PartnerID: f.resellers[0].ID, ContractID: f.c100.ID, From: at(d1, 0), To: at(d2, 0)}, "partner_id"},
		{"ErrOrder", capacity.ReportQuery{PartnerID: f.resellers[0].ID, From: at(d2, 0), To: at(d1, 0)}, "to"},
		{"ErrGranularity", capacity.ReportQuery{PartnerID: f.resellers[0].ID, From: at(d1, 0), To: at(d2, 0), Granularity: "week"}, "granularity"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.cap.UsageReport(ctx, f.distActor, c.q)
			wantField(t, err, partnerkit.CodeInvalid, c.field)
		})
	}
	_, err = f.cap.UsageReport(ctx, f.resellerActor(1), capacity.ReportQuery{PartnerID: f.resellers[0].ID, From: at(d1, 0), To: at(d2, 0)})
	wantCode(t, err, partnerkit.CodeNotFound)
}

func checkRows(t *testing.T, rows []capacity.ReportRow, n int, check func(i int, row capacity.ReportRow) string) {
	t.Helper()
	if len(rows) != n {
		t.Fatalf("%d rows, want %d: %+v", len(rows), n, rows)
	}
	for i, row := range rows {
		if diff := check(i, row); diff != "" {
			t.Errorf("row %d: %s", i, diff)
		}
	}
}

// compare returns what differs between a report row and the expected
// figures; excess and excessFee are the allocation excess.
func compare(row capacity.ReportRow, period, used, peak, alloc, excess, usageFee, excessFee string) string {
	var diffs []string
	if row.Period != period {
		diffs = append(diffs, fmt.Sprintf("period %s want %s", row.Period, period))
	}
	for _, c := range []struct {
		name string
		got  decimal.Decimal
		want string
	}{
		{"used", row.UsedTB, used}, {"peak", row.PeakTB, peak}, {"allocated", row.AllocatedTB, alloc},
		{"allocation excess", row.AllocationExcessTBMonths, excess}, {"usage fee", row.UsageFee, usageFee},
		{"allocation excess fee", row.AllocationExcessFee, excessFee},
	} {
		if !c.got.Equal(tb(c.want)) {
			diffs = append(diffs, fmt.Sprintf("%s %s want %s", c.name, c.got, c.want))
		}
	}
	return strings.Join(diffs, "; ")
}

// reservation returns what differs between a contract report row's
// reservation figures and the expected ones.
func reservation(row capacity.ReportRow, reserved, tbMonths, fee string) string {
	var diffs []string
	for _, c := range []struct {
		name string
		got  *decimal.Decimal
		want string
	}{
		{"reserved", row.ReservedTB, reserved}, {"reservation excess", row.ReservationExcessTBMonths, tbMonths},
		{"reservation excess fee", row.ReservationExcessFee, fee},
	} {
		if c.got == nil || !c.got.Equal(tb(c.want)) {
			diffs = append(diffs, fmt.Sprintf("%s %v want %s", c.name, c.got, c.want))
		}
	}
	return strings.Join(diffs, "; ")
}

// joinDiffs joins the non-empty descriptions of differences.
func joinDiffs(diffs ...string) string {
	return strings.Join(slices.DeleteFunc(diffs, func(d string) bool { return d == "" }), "; ")
}
