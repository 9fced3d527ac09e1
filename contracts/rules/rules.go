// Package rules is the vocabulary and the pure rules of the contracts
// domain — contract statuses and the state machine (which moves each status
// allows, where they lead), the Create Partner wizard's actions and the
// partner types it creates, marketplaces' currency codes — in code the
// WebAssembly PWA imports as it is. The contracts service and the PWA call
// the same functions: the buttons a contract shows are the moves the
// server accepts.
//
// It imports only the standard library, the root kernel and partners/rules
// (enforced by .ci/check-deps). The contracts package re-exports every
// name, so the domain's API and JSON are unchanged.
package rules

import (
	"slices"
	"strings"

	"github.com/partnerkit/partnerkit"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// Status is where a contract is in its life.
type Status string

// Contract statuses.
const (
	StatusPending    Status = "pending"
	StatusSigned     Status = "signed"
	StatusActive     Status = "active"
	StatusRejected   Status = "rejected"
	StatusTerminated Status = "terminated"
)

// Statuses lists every contract status, in the order of a contract's life.
func Statuses() []Status {
	return []Status{StatusPending, StatusSigned, StatusActive, StatusRejected, StatusTerminated}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// Open reports whether a contract in status s still binds: pending, signed or active.
func (s Status) Open() bool { return s == StatusPending || s == StatusSigned || s == StatusActive }

// InvitationStatus is where an activation invitation is in its life:
// pending until it is activated, revoked by its issuer or, unused, passes
// its expiry. A pending or expired invitation can be sent again (a new
// link; it is pending again).
type InvitationStatus string

// Invitation statuses.
const (
	InvitationPending   InvitationStatus = "pending"
	InvitationActivated InvitationStatus = "activated"
	InvitationExpired   InvitationStatus = "expired"
	InvitationRevoked   InvitationStatus = "revoked"
)

// InvitationStatuses lists every invitation status, in the order of an
// invitation's life.
func InvitationStatuses() []InvitationStatus {
	return []InvitationStatus{InvitationPending, InvitationActivated, InvitationExpired, InvitationRevoked}
}

// CanResend reports whether an invitation in status s can be sent again
// with a new link: while pending, or after it expired unused.
func (s InvitationStatus) CanResend() bool { return s == InvitationPending || s == InvitationExpired }

// Valid reports whether s is a known invitation status.
func (s InvitationStatus) Valid() bool { return slices.Contains(InvitationStatuses(), s) }

// EventType names what happened to a contract.
type EventType string

// Contract event types.
const (
	EventCreated    EventType = "created"
	EventSigned     EventType = "signed"
	EventActivated  EventType = "activated"
	EventRejected   EventType = "rejected"
	EventTerminated EventType = "terminated"
	// EventResigned: the partner signed a newer agreement version.
	EventResigned EventType = "resigned"
)

// Move is an action on a contract, named as the API's path names it
// (POST /contracts/{id}/sign).
type Move string

// Contract moves. Sign, activate, reject and terminate are the state
// machine; resign binds an open contract to its agreement's newer version
// and leaves its status as it is.
const (
	MoveSign      Move = "sign"
	MoveActivate  Move = "activate"
	MoveReject    Move = "reject"
	MoveTerminate Move = "terminate"
	MoveResign    Move = "resign"
)

// transition is one legal move of the state machine.
type transition struct {
	from  []Status
	to    Status
	event EventType
}

// transitions is the state machine, in the order buttons show its moves.
var transitions = []struct {
	move Move
	transition
}{
	{MoveSign, transition{from: []Status{StatusPending}, to: StatusSigned, event: EventSigned}},
	{MoveActivate, transition{from: []Status{StatusSigned}, to: StatusActive, event: EventActivated}},
	{MoveReject, transition{from: []Status{StatusPending}, to: StatusRejected, event: EventRejected}},
	{MoveTerminate, transition{from: []Status{StatusSigned, StatusActive}, to: StatusTerminated, event: EventTerminated}},
}

func (m Move) transition() (transition, bool) {
	for _, t := range transitions {
		if t.move == m {
			return t.transition, true
		}
	}
	return transition{}, false
}

// Transition returns where move m takes a contract in status from and the
// event it records; ok is false when the state machine has no such move
// from that status (MoveResign is not a state change: see CanResign).
func Transition(m Move, from Status) (to Status, event EventType, ok bool) {
	t, found := m.transition()
	if !found || !slices.Contains(t.from, from) {
		return "", "", false
	}
	return t.to, t.event, true
}

// Target is the status move m leads to ("" for MoveResign and unknown moves).
func (m Move) Target() Status {
	t, _ := m.transition()
	return t.to
}

// Moves lists the state-machine moves a contract in status s allows, in
// button order: pending → sign, reject; signed → activate, terminate;
// active → terminate; rejected and terminated are final.
func Moves(s Status) []Move {
	var out []Move
	for _, t := range transitions {
		if slices.Contains(t.from, s) {
			out = append(out, t.move)
		}
	}
	return out
}

// UpdatePending reports whether a newer agreement version awaits the
// partner's signature: the contract is open and bound to an older version.
func UpdatePending(s Status, bound, latest int) bool { return s.Open() && bound < latest }

// CanResign reports whether the actor may sign the newer version: an update
// is pending and the actor acts in the partner's own account.
func CanResign(updatePending, partnerSide bool) bool { return updatePending && partnerSide }

// Actions lists every move a contract offers an actor, in button order: the
// state machine's moves from s, then resign when CanResign.
func Actions(s Status, updatePending, partnerSide bool) []Move {
	moves := Moves(s)
	if CanResign(updatePending, partnerSide) {
		moves = append(moves, MoveResign)
	}
	return moves
}

// Label is the move's button text ("sign new version" for resign).
func (m Move) Label() string {
	if m == MoveResign {
		return "sign new version"
	}
	return string(m)
}

// Action is the Create Partner wizard's step 4: what to do with the new
// partner.
type Action string

// Wizard actions.
const (
	// ActionCreateAccount creates the partner's account now and makes chosen
	// team members its users.
	ActionCreateAccount Action = "create_account"
	// ActionInvite generates an invitation link for the partner to activate.
	ActionInvite Action = "invite"
)

// Valid reports whether a is a known wizard action.
func (a Action) Valid() bool { return slices.Contains(WizardActions(), a) }

// AddsUsers reports whether the wizard adds team members with action a
// (step 5): only when the account is created now.
func (a Action) AddsUsers() bool { return a == ActionCreateAccount }

// CheckAgreementChoice checks the wizard's step 2: an existing agreement
// (agreementID) or a new one (newAgreement), exactly one of them.
func CheckAgreementChoice(newAgreement bool, agreementID string) error {
	switch {
	case newAgreement && agreementID != "":
		return partnerkit.FieldError("agreement_id", "give an existing agreement or a new one, not both")
	case !newAgreement && agreementID == "":
		return partnerkit.FieldError("agreement_id", "pick an agreement or create a new one")
	}
	return nil
}

// OnboardingTypeProblem is the problem of a wizard partner type that is
// not a channel partner's.
const OnboardingTypeProblem = "must be vendor or reseller (a provider may also create distributors)"

// onboardingTypes are the partner types the wizard creates: channel
// partners, bound by an agreement. Customers are created on their own
// (POST /partners).
var onboardingTypes = []partnerrules.AccountType{partnerrules.TypeVendor, partnerrules.TypeReseller, partnerrules.TypeDistributor}

// IsOnboardingType reports whether the wizard creates partners of type t
// for some manager.
func IsOnboardingType(t partnerrules.AccountType) bool { return slices.Contains(onboardingTypes, t) }

// OnboardingTypes lists the partner types a manager of type manager may
// create with the wizard, in the order the wizard offers them: the types it
// may manage (partners/rules) that the wizard creates. A reseller, which
// manages customers only, gets none.
func OnboardingTypes(manager partnerrules.AccountType) []partnerrules.AccountType {
	var out []partnerrules.AccountType
	for _, t := range manager.ManagedTypes() {
		if IsOnboardingType(t) {
			out = append(out, t)
		}
	}
	return out
}

// OnMarketplaces reports whether a partner of type t is placed on
// marketplaces (the wizard's step 3): vendors only.
func OnMarketplaces(t partnerrules.AccountType) bool { return t == partnerrules.TypeVendor }

// NormalizeCurrency trims and upper-cases a currency code, as it is stored.
func NormalizeCurrency(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// ValidCurrency reports whether code (normalized) is shaped like an ISO 4217
// code: three letters A to Z.
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := range len(code) {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// CurrencyProblem is the problem of a currency code that is not one.
const CurrencyProblem = "must be a three-letter ISO 4217 code such as USD"

// CheckCurrency returns an invalid error naming field unless code, once
// normalized, is a three-letter ISO 4217 code.
func CheckCurrency(field, code string) error {
	if !ValidCurrency(NormalizeCurrency(code)) {
		return partnerkit.FieldError(field, CurrencyProblem)
	}
	return nil
}
