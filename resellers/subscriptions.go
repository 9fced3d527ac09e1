package resellers

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/resellers/rules"
	"github.com/shopspring/decimal"
)

// AmountInput asks for an amount of one plan resource.
type AmountInput struct {
	// Name names the plan resource.
	Name string `json:"name"`
	// Amount is how many units.
	Amount decimal.Decimal `json:"amount"`
}

// OrderInput orders a subscription for a client of the actor's account.
type OrderInput struct {
	// ClientID names an existing client; give it or NewClient.
	ClientID string `json:"client_id,omitempty"`
	// NewClient creates the client while ordering.
	NewClient *ClientInput `json:"new_client,omitempty"`
	// ServiceID is a service of the actor's catalog.
	ServiceID string `json:"service_id"`
	// PlanID is one of the service's plans.
	PlanID string `json:"plan_id"`
	// Resources are the amounts; a plan resource left out gets its minimum.
	Resources []AmountInput `json:"resources"`
}

// checkAmounts validates asked amounts against a plan and returns the
// resulting amounts: the current ones (nil on order) changed by asked.
func checkAmounts(p *Plan, current []Amount, asked []AmountInput) ([]Amount, error) {
	fields := map[string]string{}
	out := make([]Amount, len(p.Resources))
	for i, r := range p.Resources {
		out[i] = Amount{Name: r.Name, Unit: r.Unit, Amount: r.Min, UnitPrice: r.UnitPrice}
		if j := slices.IndexFunc(current, func(a Amount) bool { return a.Name == r.Name }); j >= 0 {
			out[i].Amount, out[i].UnitPrice = current[j].Amount, current[j].UnitPrice
		}
	}
	seen := map[string]bool{}
	for i, a := range asked {
		f := fmt.Sprintf("resources[%d].", i)
		name := strings.TrimSpace(a.Name)
		r, ok := p.Resource(name)
		switch {
		case name == "":
			fields[f+"name"] = "is required"
			continue
		case !ok:
			fields[f+"name"] = fmt.Sprintf("plan %s has no resource %q", p.Name, name)
			continue
		case seen[name]:
			fields[f+"name"] = "is given twice"
			continue
		}
		seen[name] = true
		if p := rules.AmountProblem(a.Amount, r.Min, r.Max, r.Unit); p != "" {
			fields[f+"amount"] = p
		} else {
			i := slices.IndexFunc(out, func(x Amount) bool { return x.Name == name })
			out[i].Amount = a.Amount
		}
	}
	return out, validate.Fields(fields)
}

// Order orders a subscription for a client of the actor's account (the
// reseller, which is billed) and bills the first period. The client is an
// existing active client or created inline; the service must be in the
// actor's catalog.
func (s *Service) Order(ctx context.Context, actor partnerkit.Actor, in OrderInput) (*Subscription, error) {
	const op = "resellers.Order"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	errs := []error{validate.Text("", in)}
	switch {
	case in.ClientID == "" && in.NewClient == nil:
		errs = append(errs, partnerkit.FieldError("client_id", "pick a client or give a new client"))
	case in.ClientID != "" && in.NewClient != nil:
		errs = append(errs, partnerkit.FieldError("client_id", "give either client_id or new_client, not both"))
	case in.NewClient != nil:
		errs = append(errs, in.NewClient.check("new_client."))
	}
	if in.ServiceID == "" {
		errs = append(errs, partnerkit.FieldError("service_id", "is required"))
	}
	if in.PlanID == "" {
		errs = append(errs, partnerkit.FieldError("plan_id", "is required"))
	}
	if err := validate.All(errs...); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Subscription
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		svc, err := s.visibleService(ctx, actor, in.ServiceID, "service_id")
		if err != nil {
			return err
		}
		plan, ok := svc.Plan(in.PlanID)
		if !ok {
			return partnerkit.FieldError("plan_id", fmt.Sprintf("is not a plan of service %s", svc.Name))
		}
		amounts, err := checkAmounts(plan, nil, in.Resources)
		if err != nil {
			return err
		}
		var client *Client
		if in.NewClient != nil {
			if client, err = s.createClient(ctx, actor, *in.NewClient); err != nil {
				return err
			}
		} else {
			client, err = s.store.LockClient(ctx, in.ClientID) // see Store: a deleted client has no active subscription
			if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound || (err == nil && client.PartnerID != actor.AccountID) {
				return partnerkit.FieldError("client_id", "is not one of your clients")
			}
			if err != nil {
				return err
			}
			if client.Status != ClientActive {
				return partnerkit.ConflictField("client_id", fmt.Sprintf("client %s is %s", client.Name, client.Status))
			}
		}
		now := s.clock.Now()
		sub := &Subscription{ID: partnerkit.NewID(PrefixSubscription), PartnerID: actor.AccountID, ClientID: client.ID,
			ServiceID: svc.ID, PlanID: plan.ID, ProviderID: svc.ProviderID, ServiceName: svc.Name, PlanName: plan.Name,
			Currency: svc.Currency, BillingPeriod: plan.BillingPeriod, DecreaseAtRenewal: plan.DecreaseAtRenewal, AutoRenew: plan.AutoRenew, Status: StatusActive,
			Resources: amounts, PeriodStart: now, CreatedAt: now, UpdatedAt: now, Version: 1}
		if plan.TrialDays > 0 {
			end := now.AddDate(0, 0, plan.TrialDays)
			sub.TrialEndsAt, sub.PeriodEnd = &end, end
		} else {
			sub.PeriodEnd = plan.BillingPeriod.After(now)
		}
		if err := s.store.CreateSubscription(ctx, sub); err != nil {
			return err
		}
		for _, a := range amounts {
			if err := s.charge(ctx, sub, ChargeOrder, a, a.Amount, decimal.NewFromInt(1), now); err != nil {
				return err
			}
		}
		if err := s.event(ctx, actor, sub, EventOrdered, "", now); err != nil {
			return err
		}
		out = sub
		return s.audit.Record(ctx, actor, sub.PartnerID, "subscription.ordered", "subscription", sub.ID, nil, sub)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// charge bills quantity units of a for the given share of sub's current period.
func (s *Service) charge(ctx context.Context, sub *Subscription, kind ChargeKind, a Amount, quantity, fraction decimal.Decimal, now time.Time) error {
	if quantity.IsZero() && kind != ChargeOrder {
		return nil
	}
	price := a.UnitPrice
	desc := fmt.Sprintf("%s %s — %s %s %s", sub.ServiceName, sub.PlanName, kind, quantity, a.Unit)
	if sub.InTrial(now) {
		price = decimal.Zero
		desc += " (trial)"
	}
	if !fraction.Equal(decimal.NewFromInt(1)) {
		desc += fmt.Sprintf(" × %s of the period", fraction)
	}
	c := &Charge{ID: partnerkit.NewID(PrefixCharge), PartnerID: sub.PartnerID, ClientID: sub.ClientID,
		SubscriptionID: sub.ID, ServiceID: sub.ServiceID, Kind: kind, Resource: a.Name, Unit: a.Unit,
		Quantity: quantity, UnitPrice: price, Fraction: fraction,
		Amount: price.Mul(quantity).Mul(fraction).Round(2), Currency: cmp.Or(sub.Currency, DefaultCurrency), PeriodStart: sub.PeriodStart, PeriodEnd: sub.PeriodEnd,
		Description: desc, CreatedAt: now}
	return s.store.AppendCharge(ctx, c)
}

func (s *Service) event(ctx context.Context, actor partnerkit.Actor, sub *Subscription, typ EventType, from Status, at time.Time) error {
	prev, err := s.store.Events(ctx, EventQuery{SubscriptionID: sub.ID})
	if err != nil {
		return err
	}
	return s.store.AppendEvent(ctx, &Event{ID: partnerkit.NewID(PrefixEvent), SubscriptionID: sub.ID, PartnerID: sub.PartnerID, Seq: len(prev) + 1,
		Type: typ, From: from, To: sub.Status, Resources: slices.Clone(sub.Resources), Actor: actor.Principal(), At: at})
}

// visibleSubscription loads a subscription the actor may see.
func (s *Service) visibleSubscription(ctx context.Context, actor partnerkit.Actor, id string) (*Subscription, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, err
	}
	sub, err := s.store.GetSubscription(ctx, id)
	if err != nil {
		return nil, err
	}
	if sub.PartnerID != actor.AccountID && s.partners.CheckVisible(ctx, actor, sub.PartnerID) != nil {
		return nil, partnerkit.NotFound("subscription", id)
	}
	return sub, nil
}

// Subscription returns a subscription the actor may see.
func (s *Service) Subscription(ctx context.Context, actor partnerkit.Actor, id string) (*Subscription, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp("resellers.Subscription", err)
	}
	sub, err := s.visibleSubscription(ctx, actor, id)
	return sub, partnerkit.WithOp("resellers.Subscription", err)
}

// History returns a subscription's status history, oldest first.
func (s *Service) History(ctx context.Context, actor partnerkit.Actor, id string) ([]Event, error) {
	const op = "resellers.History"
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if _, err := s.visibleSubscription(ctx, actor, id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	evs, err := s.store.Events(ctx, EventQuery{SubscriptionID: id})
	if evs == nil {
		evs = []Event{}
	}
	return evs, partnerkit.WithOp(op, err)
}

// change runs edit on a subscription of the actor's own account inside a
// transaction, stores it and records the event and the audit trail.
// edit may change *typ, the event recorded.
func (s *Service) change(ctx context.Context, actor partnerkit.Actor, id, op string, typ *EventType,
	edit func(ctx context.Context, sub *Subscription, now time.Time) error) (*Subscription, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
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
		before := *sub
		before.Resources, before.Scheduled = slices.Clone(sub.Resources), slices.Clone(sub.Scheduled)
		now := s.clock.Now()
		if err := edit(ctx, sub, now); err != nil {
			return err
		}
		sub.UpdatedAt = now
		if err := s.store.UpdateSubscription(ctx, sub); err != nil {
			return err
		}
		if err := s.event(ctx, actor, sub, *typ, before.Status, now); err != nil {
			return err
		}
		out = sub
		return s.audit.Record(ctx, actor, sub.PartnerID, "subscription."+string(*typ), "subscription", sub.ID, &before, sub)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

func illegal(sub *Subscription, verb string) error {
	return partnerkit.ConflictField("status", fmt.Sprintf("subscription %s is %s and cannot be %s", sub.ID, sub.Status, verb))
}

// Stop stops an active subscription.
func (s *Service) Stop(ctx context.Context, actor partnerkit.Actor, id string) (*Subscription, error) {
	typ := EventStopped
	return s.change(ctx, actor, id, "resellers.Stop", &typ, func(_ context.Context, sub *Subscription, _ time.Time) error {
		if !rules.CanMove(rules.MoveStop, sub.Status) {
			return illegal(sub, "stopped")
		}
		sub.Status = StatusStopped
		return nil
	})
}

// Activate resumes a stopped subscription whose period has not ended (an
// ended one must be renewed instead) and whose client is active.
func (s *Service) Activate(ctx context.Context, actor partnerkit.Actor, id string) (*Subscription, error) {
	typ := EventActivated
	return s.change(ctx, actor, id, "resellers.Activate", &typ, func(ctx context.Context, sub *Subscription, now time.Time) error {
		if !rules.CanMove(rules.MoveActivate, sub.Status) {
			return illegal(sub, "activated")
		}
		if !now.Before(sub.PeriodEnd) {
			return partnerkit.ConflictField("period_end", fmt.Sprintf("the period of subscription %s ended on %s", sub.ID, sub.PeriodEnd.Format(time.DateOnly)))
		}
		if err := s.requireActiveClient(ctx, sub); err != nil {
			return err
		}
		sub.Status = StatusActive
		return nil
	})
}

// requireActiveClient locks the client of sub and checks that it is active
// (see Store: a deleted client has no active subscription).
func (s *Service) requireActiveClient(ctx context.Context, sub *Subscription) error {
	c, err := s.store.LockClient(ctx, sub.ClientID)
	if err != nil {
		return err
	}
	if c.Status != ClientActive {
		return partnerkit.ConflictField("client_id", fmt.Sprintf("client %s is %s", c.Name, c.Status))
	}
	return nil
}

// Renew extends an active or expired subscription by one billing period
// from the end of the current one, applies the decreases scheduled for
// renewal and bills the new period. A stopped subscription cannot be renewed.
func (s *Service) Renew(ctx context.Context, actor partnerkit.Actor, id string) (*Subscription, error) {
	typ := EventRenewed
	return s.change(ctx, actor, id, "resellers.Renew", &typ, func(ctx context.Context, sub *Subscription, now time.Time) error {
		if !rules.CanMove(rules.MoveRenew, sub.Status) {
			return illegal(sub, "renewed")
		}
		if err := s.requireActiveClient(ctx, sub); err != nil {
			return err
		}
		start := sub.PeriodEnd
		if start.Before(now) && sub.Status == StatusExpired {
			start = now // a lapsed subscription restarts today
		}
		return s.renewPeriod(ctx, sub, start, now)
	})
}

// renewPeriod moves sub to the billing period that starts at start: the
// decreases scheduled for renewal take effect, and each resource is billed
// for the new period. Manual and automatic renewals both go through it, so
// they bill the same charge lines.
func (s *Service) renewPeriod(ctx context.Context, sub *Subscription, start, now time.Time) error {
	for _, d := range sub.Scheduled {
		if i := slices.IndexFunc(sub.Resources, func(a Amount) bool { return a.Name == d.Name }); i >= 0 {
			sub.Resources[i].Amount = d.Amount
		}
	}
	sub.Scheduled = nil
	sub.PeriodStart, sub.PeriodEnd, sub.Status = start, sub.BillingPeriod.After(start), StatusActive
	for _, a := range sub.Resources {
		if err := s.chargeRenewal(ctx, sub, a, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) chargeRenewal(ctx context.Context, sub *Subscription, a Amount, now time.Time) error {
	// The renewed period starts after any trial, so it is never free.
	trial := sub.TrialEndsAt
	sub.TrialEndsAt = nil
	err := s.charge(ctx, sub, ChargeRenewal, a, a.Amount, decimal.NewFromInt(1), now)
	sub.TrialEndsAt = trial
	return err
}

// ChangeResources changes the amounts of an active subscription. Increases
// apply at once and are billed for the rest of the period; decreases apply
// at once without refund, or at the next renewal when the plan says so.
func (s *Service) ChangeResources(ctx context.Context, actor partnerkit.Actor, id string, in []AmountInput) (*Subscription, error) {
	if err := validate.Text("resources", in); err != nil {
		return nil, partnerkit.WithOp("resellers.ChangeResources", err)
	}
	typ := EventResourcesChanged
	return s.change(ctx, actor, id, "resellers.ChangeResources", &typ, func(ctx context.Context, sub *Subscription, now time.Time) error {
		if len(in) == 0 {
			return partnerkit.FieldError("resources", "give at least one amount")
		}
		if !sub.Status.CanChangeResources() {
			return illegal(sub, "changed")
		}
		svc, err := s.store.GetService(ctx, sub.ServiceID)
		if err != nil {
			return err
		}
		plan, ok := svc.Plan(sub.PlanID)
		if !ok {
			return partnerkit.Errorf(partnerkit.CodeConflict, "plan %s of subscription %s is no longer offered", sub.PlanID, sub.ID)
		}
		next, err := checkAmounts(plan, sub.Resources, in)
		if err != nil {
			return err
		}
		fraction := remaining(sub.PeriodStart, sub.PeriodEnd, now)
		for i, a := range next {
			j := slices.IndexFunc(sub.Resources, func(x Amount) bool { return x.Name == a.Name })
			old := decimal.Zero
			if j >= 0 {
				old = sub.Resources[j].Amount
			}
			// Any earlier scheduled decrease of this resource is replaced.
			sub.Scheduled = slices.DeleteFunc(sub.Scheduled, func(x Amount) bool { return x.Name == a.Name })
			switch {
			case a.Amount.GreaterThan(old):
				if err := s.charge(ctx, sub, ChargeIncrease, a, a.Amount.Sub(old), fraction, now); err != nil {
					return err
				}
			case a.Amount.LessThan(old) && sub.DecreaseAtRenewal:
				sub.Scheduled = append(sub.Scheduled, a)
				next[i].Amount = old
			}
		}
		if len(sub.Scheduled) > 0 && slices.EqualFunc(next, sub.Resources, func(a, b Amount) bool { return a.Amount.Equal(b.Amount) }) {
			typ = EventDecreaseScheduled // nothing changes before the renewal
		}
		sub.Resources = next
		if len(sub.Scheduled) == 0 {
			sub.Scheduled = nil
		}
		return nil
	})
}

// remaining returns the share of the period [start, end) left at now, in
// whole days (a started day counts), rounded to 6 places.
func remaining(start, end, now time.Time) decimal.Decimal {
	total := end.Sub(start).Hours() / 24
	if total <= 0 || !now.Before(end) {
		return decimal.Zero
	}
	days := decimal.NewFromInt(int64(end.Sub(now) / (24 * time.Hour)))
	if end.Sub(now)%(24*time.Hour) != 0 {
		days = days.Add(decimal.NewFromInt(1))
	}
	totalDays := decimal.NewFromInt(int64(end.Sub(start) / (24 * time.Hour)))
	if totalDays.IsZero() {
		return decimal.NewFromInt(1)
	}
	f := days.DivRound(totalDays, 6)
	if f.GreaterThan(decimal.NewFromInt(1)) {
		return decimal.NewFromInt(1)
	}
	return f
}

// SubscriptionFilter selects subscriptions.
type SubscriptionFilter struct {
	// PartnerID lists a visible account's subscriptions; empty means the actor's.
	PartnerID string `json:"partner_id"`
	// ClientID and ServiceID keep one client's or service's.
	ClientID  string `json:"client_id"`
	ServiceID string `json:"service_id"`
	// Status keeps one status.
	Status Status `json:"status"`
	// Sort is one of SubscriptionOrder's; empty means newest first.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// Subscriptions lists one page of subscriptions, newest first.
func (s *Service) Subscriptions(ctx context.Context, actor partnerkit.Actor, f SubscriptionFilter) (partnerkit.List[Subscription], error) {
	const op = "resellers.Subscriptions"
	out := partnerkit.List[Subscription]{Items: []Subscription{}}
	if err := validate.Text("", f); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	sort, sortErr := SubscriptionOrder.Check(f.Sort)
	partner, page, err := s.listScope(ctx, actor, f.PartnerID, f.Page)
	if err == nil && f.Status != "" && !f.Status.Valid() {
		err = partnerkit.FieldError("status", "must be active, stopped or expired")
	}
	if err = validate.All(err, sortErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if err := s.checkFilterIDs(ctx, actor, f.ClientID, f.ServiceID, ""); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	items, total, err := s.store.ListSubscriptions(ctx, SubscriptionQuery{PartnerID: partner, ClientID: f.ClientID,
		ServiceID: f.ServiceID, Status: f.Status, Sort: sort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items != nil {
		out.Items = items
	}
	out.Total = total
	return out, nil
}

// ChargeFilter selects charges.
type ChargeFilter struct {
	// PartnerID lists a visible account's charges; empty means the actor's.
	PartnerID string `json:"partner_id"`
	// SubscriptionID and ClientID keep one subscription's or client's.
	SubscriptionID string `json:"subscription_id"`
	ClientID       string `json:"client_id"`
	// From and To bound the billing time: From included, To excluded.
	From, To time.Time
	// Sort is one of ChargeListOrder's; empty means oldest first.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// Charges lists one page of the charges billed to a reseller, oldest first.
func (s *Service) Charges(ctx context.Context, actor partnerkit.Actor, f ChargeFilter) (partnerkit.List[Charge], error) {
	const op = "resellers.Charges"
	out := partnerkit.List[Charge]{Items: []Charge{}}
	if err := validate.Text("", f); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	sort, sortErr := ChargeListOrder.Check(f.Sort)
	partner, page, err := s.listScope(ctx, actor, f.PartnerID, f.Page)
	if err = validate.All(err, sortErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if err := s.checkFilterIDs(ctx, actor, f.ClientID, "", f.SubscriptionID); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	items, total, err := s.store.ListCharges(ctx, ChargeQuery{PartnerID: partner, SubscriptionID: f.SubscriptionID,
		ClientID: f.ClientID, From: f.From, To: f.To, Sort: sort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items != nil {
		out.Items = items
	}
	out.Total = total
	return out, nil
}

// checkFilterIDs returns not_found unless each non-empty ID of a list
// filter names a client, catalog service or subscription the actor may
// see: like every list filter of the API, a foreign ID is 404, never an
// empty list that would look like "none".
func (s *Service) checkFilterIDs(ctx context.Context, actor partnerkit.Actor, clientID, serviceID, subscriptionID string) error {
	if clientID != "" {
		if _, err := s.visibleClient(ctx, actor, clientID); err != nil {
			return err
		}
	}
	if serviceID != "" {
		if _, err := s.visibleService(ctx, actor, serviceID, "id"); err != nil {
			return err
		}
	}
	if subscriptionID != "" {
		if _, err := s.visibleSubscription(ctx, actor, subscriptionID); err != nil {
			return err
		}
	}
	return nil
}
