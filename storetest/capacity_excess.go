package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
)

// testExcessFiguresAgree checks that the overview's excess figures for the
// current month equal the month's row of the contract's usage report, for
// both the allocation excess and the reservation excess, with usage above
// the allocations but under the reservation, above the reservation, and on
// a pay-per-use contract (no excess at all); and that a partner report's
// allocation excess is the contract's when only that partner exceeds.
func testExcessFiguresAgree(t *testing.T, h Harness) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		contract func(f *capacityFixture) *contracts.Contract
		alloc    [2]string
		// onlyFirst says reseller 1 stays within its allocation.
		onlyFirst bool
		// usage is each reseller's daily average in TB, on 2026-01-03 and -04.
		usage [2][2]int64
		// Expected figures of the month: allocation excess TB-months and
		// fee, reservation excess TB-months and fee.
		allocTB, allocFee, resTB, resFee string
	}{
		// 10 and 5 TB above reseller 0's 60 TB; 90 and 95 TB under 100.
		{"AboveAllocationsBelowReservation", func(f *capacityFixture) *contracts.Contract { return f.c100 },
			[2]string{"60", "40"}, true, [2][2]int64{{70, 20}, {65, 30}}, "0.483871", "3.871", "0", "0"},
		// 30, then 10+5 TB above the allocations; 20 and 15 TB above the
		// reservation: 45/31 and 35/31 TB-months at 8 per TB-month.
		{"AboveReservation", func(f *capacityFixture) *contracts.Contract { return f.c100 },
			[2]string{"60", "40"}, false, [2][2]int64{{90, 30}, {70, 45}}, "1.451613", "11.6129", "1.129032", "9.0323"},
		// Pay-per-use partners pay for what they use: no excess.
		{"PayPerUse", func(f *capacityFixture) *contracts.Contract { return f.payg },
			[2]string{"0", "0"}, true, [2][2]int64{{70, 20}, {65, 30}}, "0", "0", "0", "0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newCapacityFixture(t, h)
			k := c.contract(f)
			var accounts [2]*capacity.StorageAccount
			for i := range accounts {
				f.allocate(t, i, k.ID, c.alloc[i])
				accounts[i] = must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, f.resellerActor(i),
					capacity.StorageAccountInput{Name: fmt.Sprintf("Storage %d", i), QuotaTB: tb("1")}))
			}
			d1 := capacity.DayOf(Epoch) + 1 // 2026-01-03
			f.advance(4 * 24 * time.Hour)   // now 2026-01-06: both days are in the past, in the month
			monthStart, today := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), (d1 + 3).Time()
			for day, usage := range c.usage {
				for i, used := range usage {
					sample := capacity.Sample{StorageAccountID: accounts[i].ID, Timestamp: (d1 + capacity.Day(day)).Time().Add(12 * time.Hour),
						Bytes: used * capacity.BytesPerTB}
					must[capacity.IngestResult](t)(f.cap.IngestUsage(ctx, f.resellerActor(i), []capacity.Sample{sample}))
				}
			}

			ov := must[*capacity.Overview](t)(f.cap.Overview(ctx, f.distActor, k.ID))
			rep := must[*capacity.Report](t)(f.cap.UsageReport(ctx, f.distActor, capacity.ReportQuery{ContractID: k.ID,
				From: monthStart, To: today, Granularity: capacity.ByMonth}))
			if len(rep.Rows) != 1 {
				t.Fatalf("%d monthly rows, want 1: %+v", len(rep.Rows), rep.Rows)
			}
			row := rep.Rows[0]
			if ov.Month != row.Period {
				t.Fatalf("overview month %s, report row %s", ov.Month, row.Period)
			}
			if row.ReservationExcessTBMonths == nil || row.ReservationExcessFee == nil {
				t.Fatalf("a contract report row without reservation figures: %+v", row)
			}
			for _, fig := range []struct {
				name               string
				overview, reported string
				want               string
			}{
				{"allocation excess TB-months", ov.AllocationExcessTBMonths.String(), row.AllocationExcessTBMonths.String(), c.allocTB},
				{"allocation excess fee", ov.AllocationExcessFee.String(), row.AllocationExcessFee.String(), c.allocFee},
				{"reservation excess TB-months", ov.ReservationExcessTBMonths.String(), row.ReservationExcessTBMonths.String(), c.resTB},
				{"reservation excess fee", ov.ReservationExcessFee.String(), row.ReservationExcessFee.String(), c.resFee},
				{"report total allocation excess fee", rep.TotalAllocationExcessFee.String(), row.AllocationExcessFee.String(), c.allocFee},
				{"report total reservation excess fee", rep.TotalReservationExcessFee.String(), row.ReservationExcessFee.String(), c.resFee},
			} {
				if !tb(fig.overview).Equal(tb(fig.reported)) || !tb(fig.reported).Equal(tb(fig.want)) {
					t.Errorf("%s: overview %s, report %s, want %s", fig.name, fig.overview, fig.reported, fig.want)
				}
			}

			// Only reseller 0 exceeds its allocation in the reserved cases,
			// or nobody does: its partner report carries the same figure.
			if c.onlyFirst {
				part := must[*capacity.Report](t)(f.cap.UsageReport(ctx, f.distActor, capacity.ReportQuery{
					PartnerID: f.resellers[0].ID, From: monthStart, To: today, Granularity: capacity.ByMonth}))
				if len(part.Rows) != 1 || !part.Rows[0].AllocationExcessFee.Equal(row.AllocationExcessFee) ||
					part.Rows[0].ReservationExcessFee != nil {
					t.Errorf("partner report %+v, contract row %+v", part.Rows, row)
				}
			}
		})
	}
}
