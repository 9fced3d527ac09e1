package capacity

import (
	"context"
	"fmt"
	"slices"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity/rules"
	"github.com/partnerkit/partnerkit/contracts"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/shopspring/decimal"
)

// Service is the capacity API for Go programs. Build its store on the same
// database as the partners and contracts stores.
type Service struct {
	store     Store
	partners  Partners
	contracts Contracts
	audit     partnerkit.Auditor
	clock     partnerkit.Clock
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock used for timestamps and "now" checks.
func WithClock(c partnerkit.Clock) Option { return func(s *Service) { s.clock = c } }

// NewService returns a Service over store that asks the partners and
// contracts domains only for what it uses (Partners, Contracts) and records
// audit events in audit. wiring.New builds it with the others; build its
// store on the same database as theirs.
func NewService(store Store, p Partners, c Contracts, audit partnerkit.AuditLog, opts ...Option) *Service {
	s := &Service{store: store, partners: p, contracts: c}
	for _, o := range opts {
		o(s)
	}
	s.audit = partnerkit.Auditor{Log: audit, Clock: s.clock}
	return s
}

// TermsInput sets the capacity terms of a contract.
type TermsInput struct {
	// ReservedTB is the reserved capacity (more than 0 for a reserved contract).
	ReservedTB decimal.Decimal `json:"reserved_tb"`
	// BillingModel is reserved or pay_per_use.
	BillingModel BillingModel `json:"billing_model"`
	// PricePerTB is the price of a TB-month.
	PricePerTB decimal.Decimal `json:"price_per_tb"`
	// ExcessPricePerTB is the price of a TB-month of excess, above an
	// allocation or above the reservation.
	ExcessPricePerTB decimal.Decimal `json:"excess_price_per_tb"`
	// Currency is an ISO 4217 code.
	Currency string `json:"currency"`
	// AlertThresholds are the usage alert thresholds, in percent of an
	// allocation: 1 to 1000, strictly increasing, at most 10. Absent
	// (null) means DefaultAlertThresholds (80, 90, 100); [] means none.
	AlertThresholds []int `json:"alert_thresholds"`
}

func (in *TermsInput) check() error {
	in.Currency = contractrules.NormalizeCurrency(in.Currency)
	var modelErr error
	if !in.BillingModel.Valid() {
		modelErr = partnerkit.FieldError("billing_model", "must be reserved or pay_per_use")
	}
	return validate.All(modelErr, contractrules.CheckCurrency("currency", in.Currency),
		CheckTB("reserved_tb", in.ReservedTB, in.BillingModel == BillingPayPerUse),
		checkMoney("price_per_tb", in.PricePerTB), checkMoney("excess_price_per_tb", in.ExcessPricePerTB),
		rules.CheckAlertThresholds(in.AlertThresholds))
}

// thresholds returns the input's thresholds, the defaults when absent.
func (in *TermsInput) thresholds() []int {
	if in.AlertThresholds == nil {
		return DefaultAlertThresholds()
	}
	return slices.Clone(in.AlertThresholds)
}

// SetTerms sets the capacity terms of a capacity contract the actor's
// account offers. Lowering a reservation below what is allocated is a conflict.
func (s *Service) SetTerms(ctx context.Context, actor partnerkit.Actor, contractID string, in TermsInput) (*Terms, error) {
	const op = "capacity.SetTerms"
	if err := validate.All(partnerkit.CheckID("contract_id", contractID), validate.Text("", in)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := in.check(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Terms
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.contracts.Get(ctx, actor, contractID)
		if err != nil {
			return err
		}
		if c.OwnerID != actor.AccountID {
			return partnerkit.Errorf(partnerkit.CodeForbidden, "only the account that offers contract %s sets its terms", c.ID)
		}
		if c.Type != agreements.TypeCapacity {
			return partnerkit.Errorf(partnerkit.CodeConflict, "contract %s is a %s contract, not a capacity contract", c.ID, c.Type)
		}
		if !c.Status.Open() {
			return partnerkit.Errorf(partnerkit.CodeConflict, "contract %s is %s", c.ID, c.Status)
		}
		before, err := s.store.LockTerms(ctx, contractID)
		if err != nil && partnerkit.ErrorCode(err) != partnerkit.CodeNotFound {
			return err
		}
		if in.BillingModel == BillingReserved {
			allocated, err := s.allocatedTB(ctx, contractID, "")
			if err != nil {
				return err
			}
			if in.ReservedTB.LessThan(allocated) {
				return partnerkit.ConflictField("reserved_tb", fmt.Sprintf("is below the %s TB already allocated", allocated))
			}
		}
		out = &Terms{ContractID: contractID, ReservedTB: in.ReservedTB, BillingModel: in.BillingModel,
			PricePerTB: in.PricePerTB, ExcessPricePerTB: in.ExcessPricePerTB, Currency: in.Currency,
			AlertThresholds: in.thresholds(), UpdatedAt: s.clock.Now()}
		if err := s.store.PutTerms(ctx, out); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, c.OwnerID, "capacity.terms_changed", "contract", c.ID, before, out)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// allocatedTB sums a contract's allocations, leaving out one partner.
func (s *Service) allocatedTB(ctx context.Context, contractID, except string) (decimal.Decimal, error) {
	as, err := s.store.ContractAllocations(ctx, contractID)
	sum := decimal.Zero
	for _, a := range as {
		if a.PartnerID != except {
			sum = sum.Add(a.AllocatedTB)
		}
	}
	return sum, err
}

// CapacityContract is a contract with its capacity terms, as the "Select
// contract" list shows it.
type CapacityContract struct {
	contracts.Contract
	// Terms are the capacity terms.
	Terms Terms `json:"terms"`
}

// Contracts lists the capacity contracts (with terms) that the actor's
// account holds or offers, newest first, each as contracts.Service returns
// it (derived fields included: contracts.Service.ListAll).
func (s *Service) Contracts(ctx context.Context, actor partnerkit.Actor) ([]CapacityContract, error) {
	const op = "capacity.Contracts"
	if err := actor.RequireAccount(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	cs, err := s.contracts.ListAll(ctx, actor, "")
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var ids []string
	for _, c := range cs {
		if c.Type == agreements.TypeCapacity {
			ids = append(ids, c.ID)
		}
	}
	terms, err := s.store.ListTerms(ctx, ids)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	byID := map[string]Terms{}
	for _, t := range terms {
		byID[t.ContractID] = t
	}
	out := []CapacityContract{}
	for _, c := range cs {
		if t, ok := byID[c.ID]; ok {
			out = append(out, CapacityContract{Contract: c, Terms: t})
		}
	}
	return out, nil
}

// heldContract loads an active capacity contract held by the actor's
// account (the distributor side) with its terms, locked for allocation.
func (s *Service) heldContract(ctx context.Context, actor partnerkit.Actor, contractID, field string) (*contracts.Contract, *Terms, error) {
	c, err := s.contracts.Get(ctx, actor, contractID)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound || err == nil && c.PartnerID != actor.AccountID {
		return nil, nil, partnerkit.FieldError(field, "is not a capacity contract of your account")
	}
	if err != nil {
		return nil, nil, err
	}
	if c.Status != contracts.StatusActive {
		return nil, nil, partnerkit.Errorf(partnerkit.CodeConflict, "capacity contract %s is %s, not active", c.ID, c.Status)
	}
	t, err := s.store.LockTerms(ctx, c.ID)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return nil, nil, partnerkit.FieldError(field, "has no capacity terms")
	}
	return c, t, err
}

// AllocationInput sets a partner's allocation.
type AllocationInput struct {
	// ContractID is the capacity contract to draw from; empty keeps the
	// partner's current one.
	ContractID string `json:"contract_id"`
	// AllocatedTB is the share (0 is valid on a pay-per-use contract only).
	AllocatedTB decimal.Decimal `json:"allocated_tb"`
	// AllowOverdraft lets the partner's quotas exceed the allocation; nil keeps it.
	AllowOverdraft *bool `json:"allow_overdraft"`
}

// SetAllocation gives a partner that the actor's account manages a share of
// one of the account's capacity contracts. On a reserved contract the
// allocations never add up to more than the reservation, also under
// concurrent changes; more than 100 TB needs an approved deal of at least
// that size. Returns conflict (naming allocated_tb) when a limit is hit.
func (s *Service) SetAllocation(ctx context.Context, actor partnerkit.Actor, partnerID string, in AllocationInput) (*Allocation, error) {
	const op = "capacity.SetAllocation"
	if err := validate.All(partnerkit.CheckID("partner_id", partnerID), validate.Text("", in)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := CheckTB("allocated_tb", in.AllocatedTB, true); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Allocation
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		partner, err := s.managedPartner(ctx, actor, partnerID)
		if err != nil {
			return err
		}
		// Read the allocation to learn its contract, lock that contract's
		// terms, then read the allocation again under its own lock: the
		// terms-then-allocation order of every capacity change (see Store).
		seen, err := s.allocationOrNil(ctx, s.store.GetAllocation, partner.ID)
		if err != nil {
			return err
		}
		contractID := in.ContractID
		if contractID == "" {
			if seen == nil {
				return partnerkit.FieldError("contract_id", "is required for a partner's first allocation")
			}
			contractID = seen.ContractID
		}
		if seen != nil && contractID != seen.ContractID {
			return partnerkit.FieldError("contract_id", "the partner draws from "+seen.ContractID+": transfer it to change contracts")
		}
		_, terms, err := s.heldContract(ctx, actor, contractID, "contract_id")
		if err != nil {
			return err
		}
		current, err := s.allocationOrNil(ctx, s.store.LockAllocation, partner.ID)
		if err != nil {
			return err
		}
		if current != nil && current.ContractID != contractID {
			return errMovedMeanwhile(partner.ID)
		}
		next := &Allocation{PartnerID: partner.ID, ContractID: contractID, AllocatedTB: in.AllocatedTB,
			CreatedAt: s.clock.Now(), UpdatedAt: s.clock.Now()}
		if current != nil {
			next.CreatedAt, next.AllowOverdraft = current.CreatedAt, current.AllowOverdraft
		}
		if in.AllowOverdraft != nil {
			next.AllowOverdraft = *in.AllowOverdraft
		}
		if err := s.checkAllocation(ctx, terms, next); err != nil {
			return err
		}
		if err := s.checkQuotasFit(ctx, terms, next); err != nil {
			return err
		}
		if err := s.putAllocation(ctx, next); err != nil {
			return err
		}
		next.PayPerUse = terms.BillingModel == BillingPayPerUse
		out = next
		return s.audit.Record(ctx, actor, actor.AccountID, "allocation.changed", "partner", partner.ID, current, next)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// allocationOrNil reads a partner's allocation with get (GetAllocation or
// LockAllocation); none is nil, not an error.
func (s *Service) allocationOrNil(ctx context.Context, get func(context.Context, string) (*Allocation, error), partnerID string) (*Allocation, error) {
	a, err := get(ctx, partnerID)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return nil, nil
	}
	return a, err
}

// errMovedMeanwhile is the conflict of a change that found the partner's
// allocation moved to another contract by a concurrent transfer.
func errMovedMeanwhile(partnerID string) error {
	return partnerkit.Errorf(partnerkit.CodeConflict,
		"the allocation of partner %s moved to another contract meanwhile: reload and try again", partnerID)
}

// managedPartner loads a partner managed directly by the actor's account.
func (s *Service) managedPartner(ctx context.Context, actor partnerkit.Actor, id string) (*partners.Account, error) {
	p, err := s.partners.GetPartner(ctx, actor, id)
	if err == nil && p.ManagerID != actor.AccountID {
		return nil, partnerkit.NotFound("partner", id)
	}
	return p, err
}

// checkAllocation applies the contract's rules to a new allocation: the
// reservation, the 100 TB deal rule, and zero only on pay-per-use.
func (s *Service) checkAllocation(ctx context.Context, terms *Terms, a *Allocation) error {
	if terms.BillingModel == BillingReserved {
		if a.AllocatedTB.IsZero() {
			return partnerkit.FieldError("allocated_tb", "must be more than 0 on a reserved contract (0 is for pay-per-use)")
		}
		others, err := s.allocatedTB(ctx, terms.ContractID, a.PartnerID)
		if err != nil {
			return err
		}
		if total := others.Add(a.AllocatedTB); total.GreaterThan(terms.ReservedTB) {
			return partnerkit.ConflictField("allocated_tb", fmt.Sprintf(
				"%s TB would bring contract %s to %s TB of its %s TB reservation: at most %s TB is free",
				a.AllocatedTB, terms.ContractID, total, terms.ReservedTB, terms.ReservedTB.Sub(others)))
		}
	}
	if threshold := decimal.NewFromInt(DealThresholdTB); a.AllocatedTB.GreaterThan(threshold) {
		ok, err := s.hasDealFor(ctx, a.PartnerID, a.AllocatedTB)
		if err != nil {
			return err
		}
		if !ok {
			return partnerkit.ConflictField("allocated_tb", fmt.Sprintf(
				"an allocation above %d TB needs a deal of at least %s TB: the partner must register it and have it approved first",
				DealThresholdTB, a.AllocatedTB))
		}
	}
	return nil
}

// hasDealFor reports whether a partner has an approved or won deal of at
// least tb. The deals stay locked until the caller's transaction ends, so a
// decision on them waits for the allocation (see Store).
func (s *Service) hasDealFor(ctx context.Context, partnerID string, tb decimal.Decimal) (bool, error) {
	deals, err := s.store.LockDeals(ctx, partnerID, DealApproved, DealWon)
	return slices.ContainsFunc(deals, func(d Deal) bool {
		return d.ExpectedTB.Valid && d.ExpectedTB.Decimal.GreaterThanOrEqual(tb)
	}), err
}

// checkQuotasFit refuses an allocation below the quotas the partner has
// handed out, unless overdraft is allowed or the contract is pay-per-use.
func (s *Service) checkQuotasFit(ctx context.Context, terms *Terms, a *Allocation) error {
	if terms.BillingModel == BillingPayPerUse || a.AllowOverdraft {
		return nil
	}
	quotas, err := s.quotaTB(ctx, a.PartnerID, "")
	if err != nil {
		return err
	}
	if quotas.GreaterThan(a.AllocatedTB) {
		return partnerkit.ConflictField("allocated_tb", fmt.Sprintf(
			"is below the %s TB of quotas the partner's storage accounts hold (allow overdraft, or lower the quotas first)", quotas))
	}
	return nil
}

// putAllocation stores an allocation and its history entry.
func (s *Service) putAllocation(ctx context.Context, a *Allocation) error {
	if err := s.store.PutAllocation(ctx, a); err != nil {
		return err
	}
	return s.store.AppendAllocationChange(ctx, &AllocationChange{ID: partnerkit.NewID(partnerkit.PrefixEvent),
		PartnerID: a.PartnerID, ContractID: a.ContractID, AllocatedTB: a.AllocatedTB, EffectiveAt: a.UpdatedAt})
}

// Allocations returns a visible partner's allocation as a list of at most
// one: empty when it has none (where Allocation answers not_found), so a
// page that shows any partner asks without meeting an error.
func (s *Service) Allocations(ctx context.Context, actor partnerkit.Actor, partnerID string) ([]Allocation, error) {
	a, err := s.Allocation(ctx, actor, partnerID)
	if err == nil {
		return []Allocation{*a}, nil
	}
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		if _, perr := s.partners.GetPartner(ctx, actor, partnerID); perr == nil {
			return []Allocation{}, nil
		}
	}
	return nil, partnerkit.WithOp("capacity.Allocations", err)
}

// Allocation returns a visible partner's allocation with its pay-per-use label.
func (s *Service) Allocation(ctx context.Context, actor partnerkit.Actor, partnerID string) (*Allocation, error) {
	const op = "capacity.Allocation"
	if err := partnerkit.CheckID("partner_id", partnerID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if _, err := s.partners.GetPartner(ctx, actor, partnerID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	a, err := s.store.GetAllocation(ctx, partnerID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	t, err := s.store.GetTerms(ctx, a.ContractID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	a.PayPerUse = t.BillingModel == BillingPayPerUse
	return a, nil
}

// Transfer moves a partner's allocation, unchanged, to another capacity
// contract of the actor's account, atomically and within the target's
// reservation. Both contracts are locked in ID order, so concurrent
// transfers cannot deadlock.
func (s *Service) Transfer(ctx context.Context, actor partnerkit.Actor, partnerID, targetContractID string) (*Allocation, error) {
	const op = "capacity.Transfer"
	if err := validate.All(partnerkit.CheckID("partner_id", partnerID), partnerkit.CheckID("contract_id", targetContractID)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Allocation
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		partner, err := s.managedPartner(ctx, actor, partnerID)
		if err != nil {
			return err
		}
		if err := partnerkit.CheckIfVersion(ctx, "partner", partner.ID, partner.Version); err != nil {
			return err // If-Match on the partner, which a transfer reads and does not change
		}
		current, err := s.store.GetAllocation(ctx, partner.ID)
		if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
			return partnerkit.Errorf(partnerkit.CodeConflict, "partner %s has no allocation to transfer", partner.ID)
		}
		if err != nil {
			return err
		}
		if current.ContractID == targetContractID {
			return partnerkit.FieldError("contract_id", "is the contract the partner already draws from")
		}
		var target *Terms
		for _, id := range slices.Sorted(slices.Values([]string{current.ContractID, targetContractID})) {
			_, t, err := s.heldContract(ctx, actor, id, "contract_id")
			if err != nil {
				return err
			}
			if id == targetContractID {
				target = t
			}
		}
		// Read again under the allocation's lock (see Store: lock order).
		seen := current
		if current, err = s.store.LockAllocation(ctx, partner.ID); err != nil {
			return err
		}
		if current.ContractID != seen.ContractID {
			return errMovedMeanwhile(partner.ID)
		}
		next := *current
		next.ContractID, next.UpdatedAt = targetContractID, s.clock.Now()
		if next.AllocatedTB.IsZero() && target.BillingModel == BillingReserved {
			return partnerkit.FieldError("contract_id", "is a reserved contract; give the partner an allocation above 0 first")
		}
		if err := s.checkAllocation(ctx, target, &next); err != nil {
			return err
		}
		if err := s.checkQuotasFit(ctx, target, &next); err != nil {
			return err
		}
		if err := s.putAllocation(ctx, &next); err != nil {
			return err
		}
		next.PayPerUse = target.BillingModel == BillingPayPerUse
		out = &next
		return s.audit.Record(ctx, actor, actor.AccountID, "allocation.transferred", "partner", partner.ID, current, next)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}
