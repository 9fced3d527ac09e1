package capacity

import (
	"io"
	"strconv"
	"time"

	"github.com/partnerkit/partnerkit/internal/csvx"
	"github.com/shopspring/decimal"
)

// WriteReportCSV writes a usage report's rows as CSV with a header, as the
// report export offers them; cells that look like formulas are neutralised.
// The columns are those of ReportRow's JSON; a partner report leaves the
// reservation columns empty.
func WriteReportCSV(w io.Writer, rep *Report) error {
	cw := csvx.NewWriter(w)
	if err := cw.Write("period", "days", "used_tb", "peak_tb", "allocated_tb", "reserved_tb", "usage_fee",
		"allocation_excess_tb_months", "allocation_excess_fee", "reservation_excess_tb_months", "reservation_excess_fee",
		"currency"); err != nil {
		return err
	}
	optional := func(d *decimal.Decimal, fixed bool) string {
		switch {
		case d == nil:
			return ""
		case fixed:
			return d.StringFixed(4)
		}
		return d.String()
	}
	for _, r := range rep.Rows {
		if err := cw.Write(r.Period, strconv.Itoa(r.Days), r.UsedTB.String(), r.PeakTB.String(), r.AllocatedTB.String(),
			optional(r.ReservedTB, false), r.UsageFee.StringFixed(4),
			r.AllocationExcessTBMonths.String(), r.AllocationExcessFee.StringFixed(4),
			optional(r.ReservationExcessTBMonths, false), optional(r.ReservationExcessFee, true), r.Currency); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// WriteStorageAccountsCSV writes storage accounts as CSV with a header; rows
// come from next until it returns false, so a caller can stream pages.
func WriteStorageAccountsCSV(w io.Writer, next func() (StorageAccount, bool)) error {
	cw := csvx.NewWriter(w)
	if err := cw.Write("id", "partner_id", "name", "quota_tb", "status", "delete_at", "created_at"); err != nil {
		return err
	}
	for a, ok := next(); ok; a, ok = next() {
		deleteAt := ""
		if a.DeleteAt != nil {
			deleteAt = a.DeleteAt.Format(time.RFC3339)
		}
		if err := cw.Write(a.ID, a.PartnerID, a.Name, a.QuotaTB.String(), string(a.Status), deleteAt,
			a.CreatedAt.Format(time.RFC3339)); err != nil {
			return err
		}
	}
	return cw.Flush()
}
