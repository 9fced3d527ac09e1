package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/resellers/rules"
	"github.com/shopspring/decimal"
)

// Every subscription status's moves, the buttons the PWA shows.
func TestMoves(t *testing.T) {
	tests := []struct {
		status rules.Status
		want   []rules.Move
		change bool
	}{
		{rules.StatusActive, []rules.Move{rules.MoveStop, rules.MoveRenew}, true},
		{rules.StatusStopped, []rules.Move{rules.MoveActivate}, false},
		{rules.StatusExpired, []rules.Move{rules.MoveRenew}, false},
		{"gone", nil, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			if got := rules.Moves(tt.status); !slices.Equal(got, tt.want) {
				t.Fatalf("Moves = %v, want %v", got, tt.want)
			}
			for _, m := range []rules.Move{rules.MoveStop, rules.MoveActivate, rules.MoveRenew} {
				if rules.CanMove(m, tt.status) != slices.Contains(tt.want, m) {
					t.Errorf("CanMove(%s) = %v", m, rules.CanMove(m, tt.status))
				}
			}
			if tt.status.CanChangeResources() != tt.change {
				t.Errorf("CanChangeResources = %v", !tt.change)
			}
		})
	}
}

func TestClientMoves(t *testing.T) {
	tests := []struct {
		status rules.ClientStatus
		want   []rules.ClientStatus
	}{
		{rules.ClientActive, []rules.ClientStatus{rules.ClientOnHold, rules.ClientDeleted}},
		{rules.ClientOnHold, []rules.ClientStatus{rules.ClientActive, rules.ClientDeleted}},
		{rules.ClientDeleted, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			got := rules.ClientMoves(tt.status)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("ClientMoves = %v, want %v", got, tt.want)
			}
			for _, to := range []rules.ClientStatus{rules.ClientActive, rules.ClientOnHold, rules.ClientDeleted} {
				if rules.CanMoveClient(tt.status, to) != slices.Contains(tt.want, to) {
					t.Errorf("CanMoveClient(%s) wrong", to)
				}
			}
			for _, to := range got {
				if to.MoveLabel() == "" {
					t.Errorf("%s has no label", to)
				}
			}
		})
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in, want, problem string
	}{
		{"4.50", "4.5", ""},
		{"", "0", ""},
		{" 12 ", "12", ""},
		{"1e3", "1000", ""},
		{"0.1234567", "", "must have at most 6 decimal places"},
		{"0.1234560", "0.123456", ""},
		{"-1", "", "must not be negative"},
		{"1000000000001", "", "is too large"},
		{"four", "", rules.NumberProblem},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, p := rules.ParseDecimal(tt.in, rules.MaxPrice)
			if p != tt.problem {
				t.Fatalf("problem %q, want %q", p, tt.problem)
			}
			if p == "" && !d.Equal(decimal.RequireFromString(tt.want)) {
				t.Fatalf("got %s, want %s", d, tt.want)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"ServiceNameRunes", rules.TextProblem(strings.Repeat("é", 200), true, rules.MaxServiceNameLength), ""},
		{"ServiceNameTooLong", rules.TextProblem(strings.Repeat("é", 201), true, rules.MaxServiceNameLength), "must be at most 200 characters"},
		{"ClientNameRequired", rules.TextProblem("  ", true, rules.MaxClientNameLength), "is required"},
		{"DescriptionMultiline", rules.DescriptionProblem("a\nb"), ""},
		{"TrialDays", rules.TrialDaysProblem(367), "must be between 0 and 366"},
		{"TrialDaysOK", rules.TrialDaysProblem(30), ""},
		{"Range", rules.RangeProblem(decimal.NewFromInt(5), decimal.NewFromInt(2)), "must not be below min (0 means no limit)"},
		{"RangeNoLimit", rules.RangeProblem(decimal.NewFromInt(5), decimal.Zero), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
