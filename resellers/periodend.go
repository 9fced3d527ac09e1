package resellers

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
)

// PeriodEndResult says what one run of the period-end rule did.
type PeriodEndResult struct {
	// Renewed counts the periods renewed: a subscription several periods
	// behind counts one per period.
	Renewed int `json:"renewed"`
	// Expired counts the subscriptions that expired.
	Expired int `json:"expired"`
	// Skipped counts the subscriptions another change moved first (another
	// instance's run, or a manager's renewal, stop or resource change):
	// that change wins, and the next run looks at them again.
	Skipped int `json:"skipped"`
}

// periodEndBatch is how many due subscriptions one read returns.
const periodEndBatch = 200

// RunPeriodEnds is the scheduled period-end rule of every account: each
// active subscription whose period ended by now (the service clock) is
// renewed for the next period when its AutoRenew is on and its client is
// active — billed exactly as a manual Renew bills, with a
// "subscription.renewed" event — and otherwise expires, with a
// "subscription.expired" event. A subscription several periods behind (the
// server was down) renews period by period until its period is current,
// each period in its own transaction. The actor is partnerkit.SystemActor.
//
// It is idempotent and safe to run from several instances at once: every
// move is an optimistic compare-and-swap on the subscription's version
// (see Store), so of concurrent runs one renews or expires each period and
// the others skip it (counted in Skipped, not an error). Returns the
// counts so far with the first error of a store.
func (s *Service) RunPeriodEnds(ctx context.Context) (PeriodEndResult, error) {
	const op = "resellers.RunPeriodEnds"
	var res PeriodEndResult
	q := DueQuery{EndsBy: s.clock.Now(), Limit: periodEndBatch}
	for {
		due, err := s.store.DueSubscriptions(ctx, q)
		if err != nil {
			return res, partnerkit.WithOp(op, err)
		}
		for _, sub := range due {
			if err := s.endPeriods(ctx, partnerkit.SystemActor, sub.ID, &res, nil); err != nil {
				return res, partnerkit.WithOp(op, err)
			}
		}
		if len(due) < q.Limit {
			return res, nil
		}
		last := due[len(due)-1]
		q.AfterEnd, q.AfterID = last.PeriodEnd, last.ID
	}
}

// ExpireDue runs the period-end rule of RunPeriodEnds on the actor's own
// account, acting as actor: of its active subscriptions whose period ended
// by now, those that renew automatically are renewed, the others expire.
// It returns the expired ones.
func (s *Service) ExpireDue(ctx context.Context, actor partnerkit.Actor) ([]Subscription, error) {
	const op = "resellers.ExpireDue"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	due, _, err := s.store.ListSubscriptions(ctx, SubscriptionQuery{PartnerID: actor.AccountID, Status: StatusActive, EndsBy: s.clock.Now()})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var res PeriodEndResult
	var out []Subscription
	for _, sub := range due {
		if err := s.endPeriods(ctx, actor, sub.ID, &res, &out); err != nil {
			return out, partnerkit.WithOp(op, err)
		}
	}
	return out, nil
}

// endPeriods applies the period-end rule to one subscription until its
// period is current or it expired, one period per transaction, adding to
// res (and the expired subscription to expired, when not nil).
func (s *Service) endPeriods(ctx context.Context, actor partnerkit.Actor, id string, res *PeriodEndResult, expired *[]Subscription) error {
	for {
		done, err := s.endPeriod(ctx, actor, id, res, expired)
		if err != nil || done {
			return err
		}
	}
}

// endPeriod renews or expires one subscription whose period ended, in one
// transaction. It reports done when nothing is left to do: the period is
// current, the subscription expired or is not active, or another change
// won the compare-and-swap.
func (s *Service) endPeriod(ctx context.Context, actor partnerkit.Actor, id string, res *PeriodEndResult, expired *[]Subscription) (bool, error) {
	var done, renewed bool
	var sub *Subscription
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if sub, err = s.store.GetSubscription(ctx, id); err != nil {
			return err
		}
		now := s.clock.Now()
		if sub.Status != StatusActive || now.Before(sub.PeriodEnd) {
			done = true
			return nil
		}
		before := *sub
		before.Resources, before.Scheduled = slices.Clone(sub.Resources), slices.Clone(sub.Scheduled)
		renewed = false
		if sub.AutoRenew {
			// A client on hold or deleted gets no new period (see Store:
			// the client's lock comes before the subscription's).
			c, err := s.store.LockClient(ctx, sub.ClientID)
			if err != nil {
				return err
			}
			renewed = c.Status == ClientActive
		}
		typ := EventExpired
		if renewed {
			typ = EventRenewed
			if err := s.renewPeriod(ctx, sub, sub.PeriodEnd, now); err != nil {
				return err
			}
		} else {
			sub.Status = StatusExpired
		}
		sub.UpdatedAt = now
		if err := s.store.UpdateSubscription(ctx, sub); err != nil {
			return err
		}
		if err := s.event(ctx, actor, sub, typ, before.Status, now); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, sub.PartnerID, "subscription."+string(typ), "subscription", sub.ID, &before, sub)
	})
	switch code := partnerkit.ErrorCode(err); {
	case code == partnerkit.CodeConflict:
		res.Skipped++ // a concurrent move won the version
		return true, nil
	case code == partnerkit.CodeNotFound:
		return true, nil
	case err != nil:
		return true, err
	case done:
		return true, nil
	case renewed:
		res.Renewed++
		return false, nil
	}
	res.Expired++
	if expired != nil {
		*expired = append(*expired, *sub)
	}
	return true, nil
}

// SubscriptionUpdate changes a subscription's settings; nil fields stay as
// they are.
type SubscriptionUpdate struct {
	// AutoRenew turns the automatic renewal at period end on or off.
	AutoRenew *bool `json:"auto_renew"`
	// Version, when not 0, must equal the stored version.
	Version int `json:"version"`
}

// UpdateSubscription changes the settings of a subscription of the actor's
// own account (its reseller), in any status, and records
// "subscription.updated". Returns forbidden for a viewer or for another
// account's subscription it may see, conflict naming "version" on a stale
// version.
func (s *Service) UpdateSubscription(ctx context.Context, actor partnerkit.Actor, id string, in SubscriptionUpdate) (*Subscription, error) {
	const op = "resellers.UpdateSubscription"
	if err := validate.All(partnerkit.CheckID("id", id), validate.Text("", in)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Subscription
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		sub, err := s.visibleSubscription(ctx, actor, id)
		if err != nil {
			return err
		}
		if sub.PartnerID != actor.AccountID {
			return partnerkit.Errorf(partnerkit.CodeForbidden, "only the reseller of subscription %s manages it", id)
		}
		if err := partnerkit.CheckIfVersion(ctx, "subscription", sub.ID, sub.Version); err != nil {
			return err // If-Match: UpdateSubscription's version check holds it to the commit
		}
		if in.Version != 0 && in.Version != sub.Version {
			return partnerkit.ConflictField("version", fmt.Sprintf("is %d, the subscription is at version %d: reload it", in.Version, sub.Version))
		}
		before := *sub
		if in.AutoRenew != nil {
			sub.AutoRenew = *in.AutoRenew
		}
		sub.UpdatedAt = s.clock.Now()
		if err := s.store.UpdateSubscription(ctx, sub); err != nil {
			return err
		}
		out = sub
		return s.audit.Record(ctx, actor, sub.PartnerID, "subscription.updated", "subscription", sub.ID, &before, sub)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// DueQuery selects the active subscriptions of every account whose period
// ended, in the order of their period end then ID.
type DueQuery struct {
	// EndsBy keeps the periods that end at or before it (required).
	EndsBy time.Time
	// AfterEnd and AfterID, when AfterID is set, keep the subscriptions
	// after that one in the order (a keyset page).
	AfterEnd time.Time
	AfterID  string
	// Limit bounds the page; 0 means no limit.
	Limit int
}
