package capacity

import (
	"context"
	"fmt"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/shopspring/decimal"
)

// CheckUsageThresholds is the scheduled usage alert rule: for every
// allocation above 0 it compares the partner's usage this month — its
// latest daily average on the allocation's contract, as the overview
// shows it — with the allocation (decimal arithmetic: used × 100 ≥
// allocated × threshold), and for each threshold of the contract's terms
// (AlertThresholds) reached and not alerted yet this calendar month (UTC)
// it records one "usage.threshold_crossed" event in the partner's account
// (actor partnerkit.SystemActor, object a UsageAlert), each in its own
// transaction. It returns how many alerts it recorded. A month without
// usage yet raises nothing; the next month alerts again.
//
// It is idempotent and safe to run from several instances at once: an
// alert is an insert into a table keyed by partner, contract, month and
// threshold that does nothing on conflict, and the event is recorded only
// when the row was inserted (see Store). It reads every allocation's usage
// in one query and this month's alerts in another, so a run with nothing to
// alert writes nothing.
func (s *Service) CheckUsageThresholds(ctx context.Context) (int, error) {
	const op = "capacity.CheckUsageThresholds"
	now := s.clock.Now().UTC()
	month := now.Format("2006-01")
	first := DayOf(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC))
	usage, err := s.store.AllocationUsage(ctx, first)
	if err != nil {
		return 0, partnerkit.WithOp(op, err)
	}
	if len(usage) == 0 {
		return 0, nil
	}
	known, err := s.store.UsageAlerts(ctx, month)
	if err != nil {
		return 0, partnerkit.WithOp(op, err)
	}
	alerted := map[string]bool{}
	for _, a := range known {
		alerted[alertKey(a.PartnerID, a.ContractID, a.Threshold)] = true
	}
	hundred := decimal.NewFromInt(100)
	n := 0
	for _, u := range usage {
		if !u.AllocatedTB.IsPositive() {
			continue // a pay-per-use partner at 0 TB has no share to fill
		}
		used := BytesToTB(u.AvgBytes)
		for _, threshold := range u.AlertThresholds {
			if used.Mul(hundred).LessThan(u.AllocatedTB.Mul(decimal.NewFromInt(int64(threshold)))) {
				break // thresholds increase: none further is reached
			}
			if alerted[alertKey(u.PartnerID, u.ContractID, threshold)] {
				continue
			}
			a := &UsageAlert{PartnerID: u.PartnerID, ContractID: u.ContractID, Threshold: threshold,
				UsedTB: used, AllocatedTB: u.AllocatedTB, Month: month}
			inserted := false
			err := s.store.InTx(ctx, func(ctx context.Context) error {
				ok, err := s.store.InsertUsageAlert(ctx, a)
				if err != nil || !ok {
					return err // !ok: another run alerted it first
				}
				inserted = true
				return s.audit.Record(ctx, partnerkit.SystemActor, a.PartnerID, "usage.threshold_crossed", "partner", a.PartnerID, nil, a)
			})
			if err != nil {
				return n, partnerkit.WithOp(op, err)
			}
			if inserted {
				n++
			}
		}
	}
	return n, nil
}

func alertKey(partnerID, contractID string, threshold int) string {
	return fmt.Sprintf("%s\x00%s\x00%d", partnerID, contractID, threshold)
}
