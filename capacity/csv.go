package capacity

import (
	"io"
	"strconv"
	"time"

	"github.com/partnerkit/partnerkit/internal/csvx"
)

// WriteReportCSV writes a usage report's rows as CSV with a header, as the
// report export offers them; cells that look like formulas are neutralised.
func WriteReportCSV(w io.Writer, rep *Report) error {
	cw := csvx.NewWriter(w)
	if err := cw.Write("period", "days", "used_tb", "peak_tb", "allocated_tb", "excess_tb_months", "usage_fee", "excess_fee", "currency"); err != nil {
		return err
	}
	for _, r := range rep.Rows {
		if err := cw.Write(r.Period, strconv.Itoa(r.Days), r.UsedTB.String(), r.PeakTB.String(), r.AllocatedTB.String(),
			r.ExcessTB.String(), r.UsageFee.StringFixed(4), r.ExcessFee.StringFixed(4), r.Currency); err != nil {
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
