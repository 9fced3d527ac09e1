package capacity_test

import (
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/capacity"
	"github.com/shopspring/decimal"
)

func TestWriteReportCSV(t *testing.T) {
	d := decimal.RequireFromString
	p := func(s string) *decimal.Decimal { v := d(s); return &v }
	header := "period,days,used_tb,peak_tb,allocated_tb,reserved_tb,usage_fee,allocation_excess_tb_months," +
		"allocation_excess_fee,reservation_excess_tb_months,reservation_excess_fee,currency\n"
	for _, c := range []struct {
		name string
		row  capacity.ReportRow
		want string
	}{
		{"Partner", capacity.ReportRow{Period: "2026-01", Days: 2, UsedTB: d("57.5"), PeakTB: d("90"), AllocatedTB: d("50"),
			UsageFee: d("17.7419"), AllocationExcessTBMonths: d("0.483871"), AllocationExcessFee: d("3.871"), Currency: "USD"},
			"2026-01,2,57.5,90,50,,17.7419,0.483871,3.8710,,,USD\n"},
		{"Contract", capacity.ReportRow{Period: "2026-01-03", Days: 1, UsedTB: d("120"), PeakTB: d("130"), AllocatedTB: d("90"),
			ReservedTB: p("100"), UsageFee: d("14.5161"), AllocationExcessTBMonths: d("0.967742"), AllocationExcessFee: d("7.7419"),
			ReservationExcessTBMonths: p("0.645161"), ReservationExcessFee: p("5.1613"), Currency: "USD"},
			"2026-01-03,1,120,130,90,100,14.5161,0.967742,7.7419,0.645161,5.1613,USD\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			if err := capacity.WriteReportCSV(&b, &capacity.Report{Rows: []capacity.ReportRow{c.row}}); err != nil {
				t.Fatal(err)
			}
			if b.String() != header+c.want {
				t.Fatalf("got\n%s\nwant\n%s", b.String(), header+c.want)
			}
		})
	}
}

func TestWriteStorageAccountsCSV(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	accounts := []capacity.StorageAccount{
		{ID: "SA-1", PartnerID: "PA-1", Name: "=cmd()", QuotaTB: decimal.RequireFromString("1.5"), Status: capacity.StorageActive, CreatedAt: at},
		{ID: "SA-2", PartnerID: "PA-1", Name: "Backups, EU", QuotaTB: decimal.NewFromInt(2), Status: capacity.StorageDeletionScheduled,
			DeleteAt: &at, CreatedAt: at},
	}
	next, stop := iter.Pull(slices.Values(accounts))
	defer stop()
	var b strings.Builder
	if err := capacity.WriteStorageAccountsCSV(&b, next); err != nil {
		t.Fatal(err)
	}
	want := "id,partner_id,name,quota_tb,status,delete_at,created_at\n" +
		"SA-1,PA-1,'=cmd(),1.5,active,,2026-01-02T03:04:05Z\n" +
		"SA-2,PA-1,\"Backups, EU\",2,deletion_scheduled,2026-01-02T03:04:05Z,2026-01-02T03:04:05Z\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}
