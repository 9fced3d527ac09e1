package capacity

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/capacity/rules"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/shopspring/decimal"
)

// PrefixDeal is the ID prefix of deals.
const PrefixDeal = "DL"

// DealInput registers an opportunity.
type DealInput struct {
	// CustomerName is the end customer (at most 200 characters).
	CustomerName string `json:"customer_name"`
	// ExpectedTB is the expected capacity; at least one of ExpectedTB and
	// ExpectedValue is required.
	ExpectedTB *decimal.Decimal `json:"expected_tb"`
	// ExpectedValue is the expected value in Currency.
	ExpectedValue *decimal.Decimal `json:"expected_value"`
	// Currency is required with ExpectedValue.
	Currency string `json:"currency"`
	// CloseDate is the expected close date, YYYY-MM-DD, not in the past.
	CloseDate string `json:"close_date"`
	// Note is free text (at most 2000 characters).
	Note string `json:"note" text:"multiline"`
}

// checkDeal validates a registration with rules.CheckDeal (the PWA's check
// too), then that the close date is not in the past.
func (s *Service) checkDeal(in *DealInput) error {
	in.CustomerName = strings.TrimSpace(in.CustomerName)
	in.Currency = contractrules.NormalizeCurrency(in.Currency)
	errs := []error{validate.Struct(*in), rules.CheckDeal(in.CustomerName, in.ExpectedTB, in.ExpectedValue, in.Currency, in.CloseDate, in.Note)}
	if d, err := time.Parse(time.DateOnly, in.CloseDate); err == nil && d.Before(DayOf(s.clock.Now()).Time()) {
		errs = append(errs, partnerkit.FieldError("close_date", "must not be in the past"))
	}
	return validate.All(errs...)
}

// RegisterDeal registers a deal from the actor's account (the partner) with
// the account that manages it, which approves or rejects it.
func (s *Service) RegisterDeal(ctx context.Context, actor partnerkit.Actor, in DealInput) (*Deal, error) {
	const op = "capacity.RegisterDeal"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := s.checkDeal(&in); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Deal
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		partner, err := s.partners.GetPartner(ctx, actor, actor.AccountID)
		if err != nil {
			return err
		}
		if partner.ManagerID == "" {
			return partnerkit.Errorf(partnerkit.CodeConflict, "account %s has no manager to register deals with", partner.ID)
		}
		now := s.clock.Now()
		d := &Deal{ID: partnerkit.NewID(PrefixDeal), PartnerID: partner.ID, OwnerID: partner.ManagerID,
			CustomerName: in.CustomerName, Currency: in.Currency, CloseDate: in.CloseDate, Note: strings.TrimSpace(in.Note),
			Status: DealSubmitted, CreatedBy: actor.Principal(), CreatedAt: now, UpdatedAt: now, Version: 1}
		if in.ExpectedTB != nil {
			d.ExpectedTB = decimal.NewNullDecimal(*in.ExpectedTB)
		}
		if in.ExpectedValue != nil {
			d.ExpectedValue = decimal.NewNullDecimal(*in.ExpectedValue)
		}
		if err := s.store.CreateDeal(ctx, d); err != nil {
			return err
		}
		out = d
		return s.audit.Record(ctx, actor, d.OwnerID, "deal.submitted", "deal", d.ID, nil, d)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// ApproveDeal approves a submitted deal; the actor must act in the deciding account.
func (s *Service) ApproveDeal(ctx context.Context, actor partnerkit.Actor, id, reason string) (*Deal, error) {
	return s.moveDeal(ctx, actor, id, DealApproved, reason)
}

// RejectDeal rejects a submitted deal with a reason (required).
func (s *Service) RejectDeal(ctx context.Context, actor partnerkit.Actor, id, reason string) (*Deal, error) {
	if p := rules.ReasonProblem(DealRejected, reason); p != "" {
		return nil, partnerkit.WithOp("capacity.RejectDeal", partnerkit.FieldError("reason", p))
	}
	return s.moveDeal(ctx, actor, id, DealRejected, reason)
}

// CloseDeal marks an approved deal won or lost; the partner or the deciding
// account may.
func (s *Service) CloseDeal(ctx context.Context, actor partnerkit.Actor, id string, won bool) (*Deal, error) {
	return s.moveDeal(ctx, actor, id, map[bool]DealStatus{true: DealWon, false: DealLost}[won], "")
}

func (s *Service) moveDeal(ctx context.Context, actor partnerkit.Actor, id string, to DealStatus, reason string) (*Deal, error) {
	op := "capacity.Deal" + string(to)
	if err := validate.All(partnerkit.CheckID("id", id), partnerkit.CheckText("reason", reason, true)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if p := rules.ReasonProblem(to, reason); p != "" {
		return nil, partnerkit.WithOp(op, partnerkit.FieldError("reason", p))
	}
	var out *Deal
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		d, err := s.visibleDeal(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := partnerkit.CheckIfVersion(ctx, "deal", d.ID, d.Version); err != nil {
			return err // If-Match: UpdateDeal's version check holds it to the commit
		}
		deciding := to == DealApproved || to == DealRejected
		if deciding && actor.AccountID != d.OwnerID {
			return partnerkit.Errorf(partnerkit.CodeForbidden, "only the partner's manager approves or rejects its deals")
		}
		if !rules.CanMoveDeal(d.Status, to) {
			return partnerkit.Errorf(partnerkit.CodeConflict, "deal %s is %s and cannot become %s", d.ID, d.Status, to)
		}
		before := *d
		now := s.clock.Now()
		d.Status, d.UpdatedAt = to, now
		if deciding {
			d.Reason, d.DecidedBy, d.DecidedAt = strings.TrimSpace(reason), actor.Principal(), &now
		}
		if err := s.store.UpdateDeal(ctx, d); err != nil {
			return err
		}
		out = d
		return s.audit.Record(ctx, actor, d.OwnerID, "deal."+string(to), "deal", d.ID, &before, d)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// visibleDeal loads a deal the actor may see: its partner's side.
func (s *Service) visibleDeal(ctx context.Context, actor partnerkit.Actor, id string) (*Deal, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	d, err := s.store.GetDeal(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.partners.CheckVisible(ctx, actor, d.PartnerID) != nil {
		return nil, partnerkit.NotFound("deal", id)
	}
	return d, nil
}

// Deal returns a deal the actor may see.
func (s *Service) Deal(ctx context.Context, actor partnerkit.Actor, id string) (*Deal, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp("capacity.Deal", err)
	}
	d, err := s.visibleDeal(ctx, actor, id)
	return d, partnerkit.WithOp("capacity.Deal", err)
}

// DealFilter selects deals.
type DealFilter struct {
	// AccountID lists the deals a visible account registered or decides;
	// empty means the actor's account.
	AccountID string `json:"account_id"`
	// Status keeps one status.
	Status DealStatus `json:"status"`
	// Sort is one of DealOrder's; empty means newest first.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// Deals lists one page of deals, newest first.
func (s *Service) Deals(ctx context.Context, actor partnerkit.Actor, f DealFilter) (partnerkit.List[Deal], error) {
	const op = "capacity.Deals"
	var out partnerkit.List[Deal]
	if err := actor.RequireAccount(); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	page, pageErr := f.Page.Normalize()
	var statusErr error
	if f.Status != "" && !f.Status.Valid() {
		statusErr = partnerkit.FieldError("status", "must be one of: submitted, approved, rejected, won, lost")
	}
	sort, sortErr := DealOrder.Check(f.Sort)
	if err := validate.All(validate.Struct(f), pageErr, sortErr, statusErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	account := cmp.Or(f.AccountID, actor.AccountID)
	if err := s.partners.CheckVisible(ctx, actor, account); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	items, total, err := s.store.ListDeals(ctx, DealQuery{AccountID: account, Status: f.Status, Sort: sort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items == nil {
		items = []Deal{}
	}
	return partnerkit.List[Deal]{Items: items, Total: total}, nil
}
