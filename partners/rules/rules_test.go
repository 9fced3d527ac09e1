package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners/rules"
)

// Which partner types each manager type may create: the one table the
// service and the PWA's wizard read. A reseller creates customers only —
// never the vendors and resellers the PWA used to offer it.
func TestManagedTypes(t *testing.T) {
	tests := []struct {
		manager rules.AccountType
		want    []rules.AccountType
	}{
		{rules.TypeProvider, []rules.AccountType{rules.TypeDistributor, rules.TypeVendor, rules.TypeReseller}},
		{rules.TypeDistributor, []rules.AccountType{rules.TypeVendor, rules.TypeReseller}},
		{rules.TypeReseller, []rules.AccountType{rules.TypeCustomer}},
		{rules.TypeVendor, nil},
		{rules.TypeCustomer, nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.manager), func(t *testing.T) {
			got := tt.manager.ManagedTypes()
			if !slices.Equal(got, tt.want) {
				t.Fatalf("ManagedTypes = %v, want %v", got, tt.want)
			}
			for _, p := range rules.AccountTypes() {
				if tt.manager.CanManage(p) != slices.Contains(tt.want, p) {
					t.Errorf("CanManage(%s) = %v", p, tt.manager.CanManage(p))
				}
			}
			if p := rules.ManagedTypesProblem(tt.manager); p == "" {
				t.Error("no problem text")
			}
		})
	}
}

func TestPartnerTypes(t *testing.T) {
	want := []rules.AccountType{rules.TypeDistributor, rules.TypeVendor, rules.TypeReseller, rules.TypeCustomer}
	if got := rules.PartnerTypes(); !slices.Equal(got, want) {
		t.Fatalf("PartnerTypes = %v, want %v", got, want)
	}
}

// CheckNewPartner counts characters as the server's validator did: 60 "é"
// (120 bytes) fit the 100-character limit.
func TestCheckNewPartner(t *testing.T) {
	tests := []struct {
		name, partner, externalID string
		want                      map[string]string
	}{
		{"OK", "Champions Corp", "CH-1", nil},
		{"OKSixtyAccents", strings.Repeat("é", 60), "", nil},
		{"OKHundredRunes", strings.Repeat("東", 100), strings.Repeat("é", 64), nil},
		{"OKTrimmed", "  " + strings.Repeat("x", 100) + "  ", "", nil},
		{"ErrNameRequired", "  \u200b ", "", map[string]string{"partner.name": partnerkit.ProblemRequired}},
		{"ErrNameTooLong", strings.Repeat("é", 101), "", map[string]string{"partner.name": "must be at most 100 characters"}},
		{"ErrNameControl", "Bad\x00Name", "", map[string]string{"partner.name": partnerkit.ProblemControl}},
		{"ErrExternalIDTooLong", "x", strings.Repeat("e", 65), map[string]string{"partner.external_id": "must be at most 64 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rules.CheckNewPartner("partner.", tt.partner, tt.externalID)
			got := partnerkit.ErrorFields(err)
			if len(got) != len(tt.want) {
				t.Fatalf("fields %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q", k, got[k], v)
				}
			}
			if tt.want != nil && partnerkit.ErrorCode(err) != partnerkit.CodeInvalid {
				t.Errorf("code %s", partnerkit.ErrorCode(err))
			}
		})
	}
}

// Every status's moves, and where each leads.
func TestMoves(t *testing.T) {
	tests := []struct {
		status rules.Status
		want   []rules.Move
	}{
		{rules.StatusInvited, nil},
		{rules.StatusActive, []rules.Move{rules.MoveSuspend}},
		{rules.StatusSuspended, []rules.Move{rules.MoveReactivate}},
		{rules.StatusTerminated, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			got := rules.Moves(tt.status)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Moves = %v, want %v", got, tt.want)
			}
			for _, m := range got {
				if m.From() != tt.status || !m.To().Valid() || m.To() == tt.status {
					t.Errorf("%s: %s → %s", m, m.From(), m.To())
				}
			}
		})
	}
}

func TestCheckLegalName(t *testing.T) {
	tests := []struct {
		name, legal, want string
	}{
		{"OK", "Champions Corp", ""},
		{"OKDots", "Mighty Mick's L.L.C.", ""},
		{"OKAccentsInRunes", strings.Repeat("é", 190) + " GmbH", ""},
		{"ErrRequired", "   ", partnerkit.ProblemRequired},
		{"ErrTooLong", strings.Repeat("é", 200) + " GmbH", "must be at most 200 characters"},
		{"ErrNoEntityType", "Champions", "must end with the legal entity type, such as Inc., Corp, LLC, Ltd or GmbH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := partnerkit.ErrorFields(rules.CheckLegalName(tt.legal))["legal_name"]; got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		name, pw string
		ok       bool
	}{
		{"OK", "Sup3r-secret", true},
		{"OKThreeClassesInRunes", "éééééé1É", true},
		{"ErrShort", "Ab1-", false},
		{"ErrSevenAccents", "éééé1É-", false},
		{"ErrTwoClasses", "abcdefgh1", false},
		{"ErrLong", strings.Repeat("Ab1-", 33), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rules.CheckPasswordPolicy(tt.pw)
			if (err == nil) != tt.ok || (err != nil && partnerkit.ErrorFields(err)["password"] == "") {
				t.Fatalf("CheckPasswordPolicy(%q) = %v", tt.pw, err)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{rules.TypeDistributor.Label(), "Distributor"},
		{rules.StatusSuspended.Label(), "Suspended"},
	} {
		if tt.got != tt.want {
			t.Errorf("label %q, want %q", tt.got, tt.want)
		}
	}
}
