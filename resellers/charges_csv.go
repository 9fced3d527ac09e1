package resellers

import (
	"io"
	"time"

	"github.com/partnerkit/partnerkit/internal/csvx"
)

// chargesCSVHeader is the header line of a charges CSV.
var chargesCSVHeader = []string{"id", "partner_id", "client_id", "subscription_id", "service_id", "kind", "resource",
	"unit", "quantity", "unit_price", "fraction", "amount", "currency", "period_start", "period_end", "description", "created_at"}

// ChargesCSV writes charges as CSV, a page at a time: the header first,
// then one line per charge. Decimals are exact decimal strings (the amount
// with 2 places, in the currency that follows it), times UTC RFC 3339.
type ChargesCSV struct {
	cw *csvx.Writer
}

// NewChargesCSV writes the header line to w and returns the writer.
func NewChargesCSV(w io.Writer) (*ChargesCSV, error) {
	x := &ChargesCSV{cw: csvx.NewWriter(w)}
	return x, x.cw.Write(append([]string(nil), chargesCSVHeader...)...)
}

// Write writes one line per charge.
func (x *ChargesCSV) Write(charges []Charge) error {
	for _, c := range charges {
		if err := x.cw.Write(c.ID, c.PartnerID, c.ClientID, c.SubscriptionID, c.ServiceID, string(c.Kind), c.Resource,
			c.Unit, c.Quantity.String(), c.UnitPrice.String(), c.Fraction.String(), c.Amount.StringFixed(2),
			c.Currency, csvTime(c.PeriodStart), csvTime(c.PeriodEnd), c.Description, csvTime(c.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// Flush writes buffered lines and returns any error so far.
func (x *ChargesCSV) Flush() error { return x.cw.Flush() }

// WriteChargesCSV writes the header and one line per charge.
func WriteChargesCSV(w io.Writer, charges []Charge) error {
	x, err := NewChargesCSV(w)
	if err != nil {
		return err
	}
	if err := x.Write(charges); err != nil {
		return err
	}
	return x.Flush()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
