package capacity_test

import (
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/shopspring/decimal"
)

func TestParseTB(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means invalid
	}{
		{"12.5", "12.5"},
		{"0", "0"},
		{"0.000001", "0.000001"},
		{"1000000000", "1000000000"},
		{"0.0000001", ""},
		{"-1", ""},
		{"ten", ""},
		{"", ""},
		{"1e3", "1000"},
		{"1000000000.000001", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := capacity.ParseTB("quota_tb", tt.in)
			if tt.want == "" {
				if _, ok := partnerkit.ErrorFields(err)["quota_tb"]; !ok {
					t.Fatalf("ParseTB(%q) = %s, %v; want an error naming quota_tb", tt.in, got, err)
				}
				return
			}
			if err != nil || !got.Equal(decimal.RequireFromString(tt.want)) {
				t.Fatalf("ParseTB(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestUnits(t *testing.T) {
	if got := capacity.BytesToTB(1_500_000_000_000); !got.Equal(decimal.RequireFromString("1.5")) {
		t.Fatalf("BytesToTB = %s", got)
	}
	if got := capacity.TBToBytes(decimal.RequireFromString("0.000001")); got != 1_000_000 {
		t.Fatalf("TBToBytes = %d", got)
	}
	d := capacity.DayOf(time.Date(2026, 1, 3, 23, 59, 59, 0, time.FixedZone("X", -3600)))
	if d.String() != "2026-01-04" || d.Time() != time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC) {
		t.Fatalf("DayOf in UTC: %s %v", d, d.Time())
	}
}
