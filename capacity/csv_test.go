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
	rep := &capacity.Report{Rows: []capacity.ReportRow{{Period: "2026-01", Days: 2, UsedTB: d("57.5"), PeakTB: d("90"),
		AllocatedTB: d("50"), ExcessTB: d("0.483871"), UsageFee: d("17.7419"), ExcessFee: d("3.871"), Currency: "USD"}}}
	var b strings.Builder
	if err := capacity.WriteReportCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	want := "period,days,used_tb,peak_tb,allocated_tb,excess_tb_months,usage_fee,excess_fee,currency\n" +
		"2026-01,2,57.5,90,50,0.483871,17.7419,3.8710,USD\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
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
