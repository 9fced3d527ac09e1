package rules_test

import (
	"slices"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/contracts/rules"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// Every move from every status: where it leads and what it records, or
// that the state machine refuses it.
func TestTransition(t *testing.T) {
	type result struct {
		to    rules.Status
		event rules.EventType
	}
	legal := map[rules.Move]map[rules.Status]result{
		rules.MoveSign:      {rules.StatusPending: {rules.StatusSigned, rules.EventSigned}},
		rules.MoveActivate:  {rules.StatusSigned: {rules.StatusActive, rules.EventActivated}},
		rules.MoveReject:    {rules.StatusPending: {rules.StatusRejected, rules.EventRejected}},
		rules.MoveTerminate: {rules.StatusSigned: {rules.StatusTerminated, rules.EventTerminated}, rules.StatusActive: {rules.StatusTerminated, rules.EventTerminated}},
		rules.MoveResign:    {},
		"delete":            {},
	}
	for move, from := range legal {
		for _, s := range rules.Statuses() {
			t.Run(string(move)+"/"+string(s), func(t *testing.T) {
				to, event, ok := rules.Transition(move, s)
				want, wantOK := from[s]
				if ok != wantOK || to != want.to || event != want.event {
					t.Fatalf("Transition = %s, %s, %v; want %s, %s, %v", to, event, ok, want.to, want.event, wantOK)
				}
			})
		}
	}
}

// The buttons a contract shows: the moves the server accepts from its
// status, and resign on the partner's side when an update awaits.
func TestActions(t *testing.T) {
	tests := []struct {
		status                     rules.Status
		updatePending, partnerSide bool
		want                       []rules.Move
	}{
		{rules.StatusPending, false, false, []rules.Move{rules.MoveSign, rules.MoveReject}},
		{rules.StatusSigned, false, false, []rules.Move{rules.MoveActivate, rules.MoveTerminate}},
		{rules.StatusActive, false, false, []rules.Move{rules.MoveTerminate}},
		{rules.StatusActive, true, true, []rules.Move{rules.MoveTerminate, rules.MoveResign}},
		{rules.StatusActive, true, false, []rules.Move{rules.MoveTerminate}},
		{rules.StatusRejected, false, false, nil},
		{rules.StatusTerminated, false, true, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			got := rules.Actions(tt.status, tt.updatePending, tt.partnerSide)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Actions = %v, want %v", got, tt.want)
			}
			for _, m := range got {
				if _, _, ok := rules.Transition(m, tt.status); !ok && m != rules.MoveResign {
					t.Errorf("offers %s, which the state machine refuses", m)
				}
			}
		})
	}
}

func TestUpdatePending(t *testing.T) {
	tests := []struct {
		status        rules.Status
		bound, latest int
		want          bool
	}{
		{rules.StatusActive, 1, 2, true},
		{rules.StatusPending, 1, 2, true},
		{rules.StatusActive, 2, 2, false},
		{rules.StatusTerminated, 1, 2, false},
		{rules.StatusRejected, 1, 3, false},
	}
	for _, tt := range tests {
		if got := rules.UpdatePending(tt.status, tt.bound, tt.latest); got != tt.want {
			t.Errorf("UpdatePending(%s, %d, %d) = %v", tt.status, tt.bound, tt.latest, got)
		}
	}
}

// The wizard offers a manager exactly the types the server creates for
// it: the three definitions the PWA and the server had are one.
func TestOnboardingTypes(t *testing.T) {
	tests := []struct {
		manager partnerrules.AccountType
		want    []partnerrules.AccountType
	}{
		{partnerrules.TypeProvider, []partnerrules.AccountType{partnerrules.TypeDistributor, partnerrules.TypeVendor, partnerrules.TypeReseller}},
		{partnerrules.TypeDistributor, []partnerrules.AccountType{partnerrules.TypeVendor, partnerrules.TypeReseller}},
		{partnerrules.TypeReseller, nil}, // it manages customers, which the wizard does not create
		{partnerrules.TypeVendor, nil},
		{partnerrules.TypeCustomer, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.manager), func(t *testing.T) {
			got := rules.OnboardingTypes(tt.manager)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("OnboardingTypes = %v, want %v", got, tt.want)
			}
			for _, typ := range got {
				if !tt.manager.CanManage(typ) || !rules.IsOnboardingType(typ) {
					t.Errorf("offers %s, which the server refuses", typ)
				}
			}
		})
	}
	if !rules.OnMarketplaces(partnerrules.TypeVendor) || rules.OnMarketplaces(partnerrules.TypeReseller) {
		t.Error("only vendors are placed on marketplaces")
	}
}

func TestCheckAgreementChoice(t *testing.T) {
	tests := []struct {
		name         string
		newAgreement bool
		agreementID  string
		ok           bool
	}{
		{"OKExisting", false, "AGR-1", true},
		{"OKNew", true, "", true},
		{"ErrNone", false, "", false},
		{"ErrBoth", true, "AGR-1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rules.CheckAgreementChoice(tt.newAgreement, tt.agreementID)
			if (err == nil) != tt.ok || (err != nil && partnerkit.ErrorFields(err)["agreement_id"] == "") {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestCheckCurrency(t *testing.T) {
	tests := []struct {
		code string
		ok   bool
	}{
		{"USD", true}, {" eur ", true}, {"US", false}, {"USDX", false}, {"U$D", false}, {"", false}, {"ÉUR", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			err := rules.CheckCurrency("currency", tt.code)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckCurrency(%q) = %v", tt.code, err)
			}
			if err != nil && partnerkit.ErrorFields(err)["currency"] != rules.CurrencyProblem {
				t.Fatalf("fields %v", partnerkit.ErrorFields(err))
			}
		})
	}
}
