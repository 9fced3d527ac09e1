package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/capacity/rules"
	"github.com/shopspring/decimal"
)

func TestParseTB(t *testing.T) {
	tests := []struct {
		in, want, problem string
	}{
		{"12.5", "12.5", ""},
		{" 0 ", "0", ""},
		{"0.000001", "0.000001", ""},
		{"1e3", "1000", ""}, // as the API's JSON decoding reads it
		{"1000000000", "1000000000", ""},
		{"twelve", "", "must be a decimal number of terabytes such as 12.5"},
		{"", "", "must be a decimal number of terabytes such as 12.5"},
		{"-1", "", "must not be negative"},
		{"0.0000001", "", "must have at most 6 decimal places (1 MB)"},
		{"1000000001", "", "must be at most 1,000,000,000 TB"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := rules.ParseTB("allocated_tb", tt.in)
			if got := partnerkit.ErrorFields(err)["allocated_tb"]; got != tt.problem {
				t.Fatalf("problem %q, want %q", got, tt.problem)
			}
			if tt.problem == "" && d.String() != tt.want {
				t.Fatalf("got %s, want %s", d, tt.want)
			}
		})
	}
	if err := rules.CheckTB("quota_tb", decimal.Zero, false); partnerkit.ErrorFields(err)["quota_tb"] != "must be more than 0" {
		t.Fatalf("zero quota: %v", err)
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in, problem string
	}{
		{"1250.50", ""},
		{"0", ""},
		{"1000000000000", ""},
		{"1.23456", "must have at most 4 decimal places"},
		{"-0.01", "must not be negative"},
		{"1000000000000.01", "must be at most 1000000000000"},
		{"$5", "must be a decimal number such as 1250.50"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := rules.ParseMoney("price_per_tb", tt.in)
			if got := partnerkit.ErrorFields(err)["price_per_tb"]; got != tt.problem {
				t.Fatalf("problem %q, want %q", got, tt.problem)
			}
		})
	}
}

func TestBytes(t *testing.T) {
	if got := rules.BytesToTB(1_500_000_000_000); got.String() != "1.5" {
		t.Fatalf("BytesToTB = %s", got)
	}
	if got := rules.TBToBytes(decimal.RequireFromString("0.0000015")); got != 1_500_000 {
		t.Fatalf("TBToBytes = %d", got)
	}
}

func TestStorageMoves(t *testing.T) {
	tests := []struct {
		status            rules.StorageStatus
		delete, cancelDel bool
	}{
		{rules.StorageActive, true, false},
		{rules.StorageDeletionScheduled, false, true},
	}
	for _, tt := range tests {
		if tt.status.CanDelete() != tt.delete || tt.status.CanCancelDeletion() != tt.cancelDel || !tt.status.Valid() {
			t.Errorf("%s: delete %v, cancel %v", tt.status, tt.status.CanDelete(), tt.status.CanCancelDeletion())
		}
	}
	if rules.StorageStatus("gone").Valid() {
		t.Error("unknown status is valid")
	}
}

// Every deal move from every status, for the deciding account and for the
// partner.
func TestDealMoves(t *testing.T) {
	tests := []struct {
		status           rules.DealStatus
		deciding, others []rules.DealMove
	}{
		{rules.DealSubmitted, []rules.DealMove{rules.DealApprove, rules.DealReject}, nil},
		{rules.DealApproved, []rules.DealMove{rules.DealWin, rules.DealLose}, []rules.DealMove{rules.DealWin, rules.DealLose}},
		{rules.DealRejected, nil, nil},
		{rules.DealWon, nil, nil},
		{rules.DealLost, nil, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			if got := rules.DealMoves(tt.status, true); !slices.Equal(got, tt.deciding) {
				t.Errorf("deciding: %v, want %v", got, tt.deciding)
			}
			if got := rules.DealMoves(tt.status, false); !slices.Equal(got, tt.others) {
				t.Errorf("partner: %v, want %v", got, tt.others)
			}
			for _, to := range rules.DealStatuses() {
				want := slices.ContainsFunc(tt.deciding, func(m rules.DealMove) bool { return m.Target() == to })
				if rules.CanMoveDeal(tt.status, to) != want {
					t.Errorf("CanMoveDeal(%s, %s) = %v", tt.status, to, !want)
				}
			}
		})
	}
}

func TestCheckDeal(t *testing.T) {
	tb := decimal.RequireFromString("120")
	zero := decimal.Zero
	value := decimal.RequireFromString("1250.5")
	tests := []struct {
		name      string
		customer  string
		tb, value *decimal.Decimal
		currency  string
		closeDate string
		note      string
		want      []string
	}{
		{"OKTB", "Acme", &tb, nil, "", "2026-12-31", "", nil},
		{"OKValue", "Acme", nil, &value, " usd ", "2026-12-31", "", nil},
		{"OKSixtyAccents", strings.Repeat("é", 150), &tb, nil, "", "2026-12-31", strings.Repeat("é", 2000), nil},
		{"ErrNoFigure", "Acme", nil, nil, "", "2026-12-31", "", []string{"expected_tb"}},
		{"ErrZeroTB", "Acme", &zero, nil, "", "2026-12-31", "", []string{"expected_tb"}},
		{"ErrValueWithoutCurrency", "Acme", nil, &value, "", "2026-12-31", "", []string{"currency"}},
		{"ErrCustomer", " ", &tb, nil, "", "2026-12-31", "", []string{"customer_name"}},
		{"ErrCustomerTooLong", strings.Repeat("é", 201), &tb, nil, "", "2026-12-31", "", []string{"customer_name"}},
		{"ErrCloseDate", "Acme", &tb, nil, "", "31/12/2026", "", []string{"close_date"}},
		{"ErrCloseDateMissing", "Acme", &tb, nil, "", "", "", []string{"close_date"}},
		{"ErrNote", "Acme", &tb, nil, "", "2026-12-31", strings.Repeat("x", 2001), []string{"note"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := partnerkit.ErrorFields(rules.CheckDeal(tt.customer, tt.tb, tt.value, tt.currency, tt.closeDate, tt.note))
			if len(got) != len(tt.want) {
				t.Fatalf("fields %v, want %v", got, tt.want)
			}
			for _, f := range tt.want {
				if got[f] == "" {
					t.Errorf("no problem on %s: %v", f, got)
				}
			}
		})
	}
}

func TestReasonProblem(t *testing.T) {
	tests := []struct {
		to     rules.DealStatus
		reason string
		ok     bool
	}{
		{rules.DealRejected, "too small", true},
		{rules.DealRejected, " ", false},
		{rules.DealApproved, "", true},
		{rules.DealApproved, strings.Repeat("é", 2000), true},
		{rules.DealApproved, strings.Repeat("é", 2001), false},
	}
	for _, tt := range tests {
		if got := rules.ReasonProblem(tt.to, tt.reason); (got == "") != tt.ok {
			t.Errorf("ReasonProblem(%s, %d runes) = %q", tt.to, len([]rune(tt.reason)), got)
		}
	}
}

func TestParseOptional(t *testing.T) {
	if d, err := rules.ParseOptional("expected_tb", "  "); d != nil || err != nil {
		t.Fatalf("blank: %v %v", d, err)
	}
	if d, err := rules.ParseOptional("expected_tb", "12.5"); err != nil || d.String() != "12.5" {
		t.Fatalf("12.5: %v %v", d, err)
	}
	if _, err := rules.ParseOptional("expected_tb", "x"); partnerkit.ErrorFields(err)["expected_tb"] == "" {
		t.Fatalf("x: %v", err)
	}
}
