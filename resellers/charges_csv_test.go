package resellers_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/resellers"
)

func TestWriteChargesCSV(t *testing.T) {
	start := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC)
	header := "id,partner_id,client_id,subscription_id,service_id,kind,resource,unit,quantity,unit_price,fraction,amount,currency,period_start,period_end,description,created_at"
	base := resellers.Charge{ID: "CHG-1", PartnerID: "ACC-r", ClientID: "CLI-1", SubscriptionID: "SUB-1", ServiceID: "SVC-1",
		Kind: resellers.ChargeOrder, Resource: "mailboxes", Unit: "user", Quantity: dec("12"), UnitPrice: dec("4.50"),
		Fraction: dec("1"), Amount: dec("54"), Currency: "EUR", PeriodStart: start, PeriodEnd: end, Description: "Cloud Mail — Business",
		CreatedAt: start}
	increase := base
	increase.ID, increase.Kind, increase.Quantity, increase.Fraction, increase.Amount =
		"CHG-2", resellers.ChargeIncrease, dec("0.000001"), dec("0.516129"), dec("0.1")
	formula := base
	formula.ID, formula.Description, formula.Resource = "CHG-3", "=HYPERLINK(\"x\")", "a, \"quoted\" name"
	trial := base
	trial.ID, trial.UnitPrice, trial.Amount, trial.PeriodEnd = "CHG-4", dec("0"), dec("0"), time.Time{}
	for _, tc := range []struct {
		name    string
		charges []resellers.Charge
		want    []string // lines after the header
	}{
		{name: "none", charges: nil, want: nil},
		{name: "order", charges: []resellers.Charge{base}, want: []string{
			"CHG-1,ACC-r,CLI-1,SUB-1,SVC-1,order,mailboxes,user,12,4.5,1,54.00,EUR,2026-01-15T00:00:00Z,2026-02-15T00:00:00Z,Cloud Mail — Business,2026-01-15T00:00:00Z"}},
		{name: "increase keeps exact decimals", charges: []resellers.Charge{increase}, want: []string{
			"CHG-2,ACC-r,CLI-1,SUB-1,SVC-1,increase,mailboxes,user,0.000001,4.5,0.516129,0.10,EUR,2026-01-15T00:00:00Z,2026-02-15T00:00:00Z,Cloud Mail — Business,2026-01-15T00:00:00Z"}},
		{name: "quotes and neutralises formulas", charges: []resellers.Charge{formula}, want: []string{
			`CHG-3,ACC-r,CLI-1,SUB-1,SVC-1,order,"a, ""quoted"" name",user,12,4.5,1,54.00,EUR,2026-01-15T00:00:00Z,2026-02-15T00:00:00Z,"'=HYPERLINK(""x"")",2026-01-15T00:00:00Z`}},
		{name: "trial and zero time", charges: []resellers.Charge{trial}, want: []string{
			"CHG-4,ACC-r,CLI-1,SUB-1,SVC-1,order,mailboxes,user,12,0,1,0.00,EUR,2026-01-15T00:00:00Z,,Cloud Mail — Business,2026-01-15T00:00:00Z"}},
		{name: "several in order", charges: []resellers.Charge{base, increase}, want: []string{
			"CHG-1,ACC-r,CLI-1,SUB-1,SVC-1,order,mailboxes,user,12,4.5,1,54.00,EUR,2026-01-15T00:00:00Z,2026-02-15T00:00:00Z,Cloud Mail — Business,2026-01-15T00:00:00Z",
			"CHG-2,ACC-r,CLI-1,SUB-1,SVC-1,increase,mailboxes,user,0.000001,4.5,0.516129,0.10,EUR,2026-01-15T00:00:00Z,2026-02-15T00:00:00Z,Cloud Mail — Business,2026-01-15T00:00:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			must(t, resellers.WriteChargesCSV(&buf, tc.charges))
			want := strings.Join(append([]string{header}, tc.want...), "\n") + "\n"
			if buf.String() != want {
				t.Fatalf("csv:\n%s\nwant:\n%s", buf.String(), want)
			}
			rows, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
			must(t, err)
			if len(rows) != len(tc.charges)+1 {
				t.Fatalf("%d rows, want %d", len(rows), len(tc.charges)+1)
			}
		})
	}
}
