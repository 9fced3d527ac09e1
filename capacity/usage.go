package capacity

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/shopspring/decimal"
)

// Ingestion limits.
const (
	// MaxBatch is the most samples one IngestUsage call takes.
	MaxBatch = 10_000
	// MaxClockSkew is how far in the future a sample may be stamped.
	MaxClockSkew = 5 * time.Minute
	// MaxSampleBytes is the most bytes one sample may report (100 TB): a
	// day of samples every second still sums within an int64 (the daily
	// rollups' sum_bytes, in memory and in SQL), so no hostile batch
	// overflows a store.
	MaxSampleBytes = 100_000_000_000_000
)

// earliestSample is the oldest timestamp a sample may carry.
var earliestSample = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// IngestResult says what a batch did.
type IngestResult struct {
	// Received counts the samples in the batch.
	Received int `json:"received"`
	// Inserted counts the new ones; the others were stored already (a retry).
	Inserted int `json:"inserted"`
}

// IngestUsage stores a batch of usage samples and brings the daily rollups
// of the days it touches up to date, in one transaction. It is idempotent on
// (storage account, timestamp): a retried batch never counts twice.
// Timestamps are truncated to whole seconds.
//
// A bad row rejects the whole batch with an invalid error naming it
// ("samples[12].timestamp"): an unknown or invisible storage account, a
// timestamp before 2000 or in the future, negative bytes, or the same
// account and time twice with different bytes.
func (s *Service) IngestUsage(ctx context.Context, actor partnerkit.Actor, samples []Sample) (IngestResult, error) {
	const op = "capacity.IngestUsage"
	res := IngestResult{Received: len(samples)}
	if err := checkSampleText(samples); err != nil {
		return res, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return res, partnerkit.WithOp(op, err)
	}
	if len(samples) == 0 {
		return res, partnerkit.WithOp(op, partnerkit.FieldError("samples", "must not be empty"))
	}
	if len(samples) > MaxBatch {
		return res, partnerkit.WithOp(op, partnerkit.FieldError("samples", fmt.Sprintf("must hold at most %d samples", MaxBatch)))
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		rows, owners, err := s.checkSamples(ctx, actor, samples)
		if err != nil {
			return err
		}
		if res.Inserted, err = s.store.InsertSamples(ctx, rows); err != nil || res.Inserted == 0 {
			return err
		}
		// Every sample new (the usual case): add them to the rollups. A
		// retry that was partly stored already: rebuild its days from the
		// raw samples, so nothing counts twice.
		return s.rollUp(ctx, rows, owners, res.Inserted < len(rows))
	})
	if err != nil {
		return IngestResult{Received: len(samples)}, partnerkit.WithOp(op, err)
	}
	return res, nil
}

// checkSampleText applies the text rule (validate.Text) to the batch's
// one string field by hand: walking a batch of 1,000 samples by reflection
// took an eighth of an ingestion's time (BenchmarkIngestUsage).
// TestSampleTextFields keeps it in step with Sample's fields.
func checkSampleText(samples []Sample) error {
	var fields map[string]string
	for i := range samples {
		if p := partnerkit.TextProblem(samples[i].StorageAccountID, false); p != "" {
			if fields == nil {
				fields = map[string]string{}
			}
			fields["samples["+strconv.Itoa(i)+"].storage_account_id"] = p
		}
	}
	return validate.Fields(fields)
}

// checkSamples validates a batch and returns it normalized (whole seconds,
// duplicates dropped) with each account's partner.
func (s *Service) checkSamples(ctx context.Context, actor partnerkit.Actor, samples []Sample) ([]Sample, map[string]string, error) {
	ids := map[string]bool{}
	for _, x := range samples {
		ids[x.StorageAccountID] = true
	}
	accountOwners, err := s.store.StorageAccountOwners(ctx, slices.Collect(maps.Keys(ids)))
	if err != nil {
		return nil, nil, err
	}
	partnerIDs := map[string]bool{}
	for _, partnerID := range accountOwners {
		partnerIDs[partnerID] = true
	}
	ps, err := s.partners.AccountsByID(ctx, slices.Collect(maps.Keys(partnerIDs)))
	if err != nil {
		return nil, nil, err
	}
	visible := map[string]bool{}
	for _, p := range ps {
		visible[p.ID] = p.VisibleTo(actor.AccountID)
	}
	// Each visible account gets a number, so that the duplicate check
	// below hashes a number, not the account's ID, per sample.
	owners := make(map[string]string, len(accountOwners))
	numbers := make(map[string]int32, len(accountOwners))
	for id, partnerID := range accountOwners {
		if visible[partnerID] {
			owners[id] = partnerID
			numbers[id] = int32(len(numbers))
		}
	}
	latest := s.clock.Now().Add(MaxClockSkew)
	type key struct {
		account int32
		ts      int64
	}
	seen := make(map[key]int64, len(samples))
	rows := make([]Sample, 0, len(samples))
	// The field's name is made only for an error: a batch of 1,000
	// samples spent a fifth of its validation formatting names.
	field := func(i int, name string) string { return "samples[" + strconv.Itoa(i) + "]." + name }
	for i, x := range samples {
		ts := x.Timestamp.UTC().Truncate(time.Second)
		number, known := numbers[x.StorageAccountID]
		switch {
		case x.StorageAccountID == "":
			return nil, nil, partnerkit.FieldError(field(i, "storage_account_id"), "is required")
		case !known:
			return nil, nil, partnerkit.FieldError(field(i, "storage_account_id"), "is not a known storage account")
		case ts.Before(earliestSample):
			return nil, nil, partnerkit.FieldError(field(i, "timestamp"), "must be after 2000-01-01")
		case ts.After(latest):
			return nil, nil, partnerkit.FieldError(field(i, "timestamp"), "must not be in the future")
		case x.Bytes < 0:
			return nil, nil, partnerkit.FieldError(field(i, "bytes"), "must not be negative")
		case x.Bytes > MaxSampleBytes:
			return nil, nil, partnerkit.FieldError(field(i, "bytes"), "must be at most 100000000000000 (100 TB)")
		}
		k := key{number, ts.Unix()}
		if b, dup := seen[k]; dup {
			if b != x.Bytes {
				return nil, nil, partnerkit.FieldError(field(i, "timestamp"), "repeats an earlier sample of this account with other bytes")
			}
			continue
		}
		seen[k] = x.Bytes
		rows = append(rows, Sample{StorageAccountID: x.StorageAccountID, Timestamp: ts, Bytes: x.Bytes})
	}
	return rows, owners, nil
}

// rollUp brings the rollups of the days a batch touched up to date: it adds
// the samples to their account days (or rebuilds those days from the raw
// samples when rebuild is set), then recomputes the partner days from the
// account days, each with the allocation of that day.
func (s *Service) rollUp(ctx context.Context, inserted []Sample, owners map[string]string, rebuild bool) error {
	// The batch's figures per account day; a sample's account is looked
	// up by its ID once, its day by the account's pointer (hashing the ID
	// again per sample cost a tenth of the rollups' time).
	type account struct {
		id, partnerID string
	}
	type accountDay struct {
		account *account
		day     Day
	}
	accounts := map[string]*account{}
	days := map[accountDay]*AccountDaily{}
	partnerIDs := map[string]bool{}
	for _, x := range inserted {
		a := accounts[x.StorageAccountID]
		if a == nil {
			a = &account{id: x.StorageAccountID, partnerID: owners[x.StorageAccountID]}
			accounts[x.StorageAccountID] = a
			partnerIDs[a.partnerID] = true
		}
		k := accountDay{a, DayOf(x.Timestamp)}
		add := AccountDaily{PeakBytes: x.Bytes, SumBytes: x.Bytes, Samples: 1, LastTimestamp: x.Timestamp.Unix()}
		if r := days[k]; r != nil {
			r.Add(add)
			continue
		}
		r := new(AccountDaily) // on the heap once per account day, not per sample
		*r = add
		r.StorageAccountID, r.PartnerID, r.Day = a.id, a.partnerID, k.day
		days[k] = r
	}
	deltas := make([]AccountDaily, 0, len(days))
	partnerDays := map[PartnerDay]bool{}
	for _, r := range days {
		deltas = append(deltas, *r)
		partnerDays[PartnerDay{r.PartnerID, r.Day}] = true
	}
	// One batch at a time rolls up a partner's days (see Store: usage).
	if err := s.store.LockPartnerUsage(ctx, slices.Sorted(maps.Keys(partnerIDs))); err != nil {
		return err
	}
	// A fixed order keeps concurrent batches from deadlocking on PostgreSQL.
	slices.SortFunc(deltas, func(a, b AccountDaily) int {
		if c := strings.Compare(a.StorageAccountID, b.StorageAccountID); c != 0 {
			return c
		}
		return int(a.Day - b.Day)
	})
	add := s.store.AddAccountDaily
	if rebuild {
		add = s.store.RecomputeAccountDaily
	}
	if err := add(ctx, deltas); err != nil {
		return err
	}
	keys := slices.SortedFunc(maps.Keys(partnerDays), func(a, b PartnerDay) int {
		if c := strings.Compare(a.PartnerID, b.PartnerID); c != 0 {
			return c
		}
		return int(a.Day - b.Day)
	})
	sums, err := s.store.SumAccountDaily(ctx, keys)
	if err != nil {
		return err
	}
	history, err := s.store.AllocationHistory(ctx, slices.Collect(maps.Keys(partnerIDs)))
	if err != nil {
		return err
	}
	for i := range sums {
		if c, ok := allocationOn(history, sums[i].PartnerID, sums[i].Day); ok {
			sums[i].ContractID, sums[i].AllocatedTB = c.ContractID, c.AllocatedTB
		}
	}
	return s.store.PutPartnerDaily(ctx, sums)
}

// allocationOn returns a partner's allocation at the end of a day: the last
// change before the next day began. history is oldest first.
func allocationOn(history []AllocationChange, partnerID string, d Day) (AllocationChange, bool) {
	end := (d + 1).Time()
	var found AllocationChange
	ok := false
	for _, c := range history {
		if c.PartnerID == partnerID && c.EffectiveAt.Before(end) {
			found, ok = c, true
		}
	}
	return found, ok
}

// Granularity is the period of report rows.
type Granularity string

// Report granularities.
const (
	ByDay   Granularity = "day"
	ByMonth Granularity = "month"
)

// ReportQuery selects a usage report: one partner's, or one contract's.
type ReportQuery struct {
	// PartnerID reports one partner, with its allocation excess.
	PartnerID string `json:"partner_id"`
	// ContractID reports a whole contract, with both excess figures.
	ContractID string `json:"contract_id"`
	// From and To bound the days, both included (UTC dates).
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Granularity is day (the default) or month.
	Granularity Granularity `json:"granularity"`
}

// ReportRow is one period of a usage report. TB figures are rounded to 6
// places and money to 4. The two excess figures are defined by
// AllocationExcessDefinition and ReservationExcessDefinition; a partner
// report has no reservation figures.
type ReportRow struct {
	// Period is "2006-01-02" by day or "2006-01" by month.
	Period string `json:"period"`
	// Days counts the days with usage in the period.
	Days int `json:"days"`
	// UsedTB is the average daily usage; PeakTB the highest daily peak.
	UsedTB decimal.Decimal `json:"used_tb"`
	PeakTB decimal.Decimal `json:"peak_tb"`
	// AllocatedTB is the partner's allocation (a partner report), or its
	// partners' allocations added up (a contract report), on the period's
	// last day with usage.
	AllocatedTB decimal.Decimal `json:"allocated_tb"`
	// ReservedTB is the contract's reservation (contract reports only).
	ReservedTB *decimal.Decimal `json:"reserved_tb,omitempty"`
	// UsageFee is the period's charge for usage (pay-per-use) or for the
	// allocations (reserved).
	UsageFee decimal.Decimal `json:"usage_fee"`
	// AllocationExcessTBMonths and AllocationExcessFee are the period's
	// allocation excess (AllocationExcess).
	AllocationExcessTBMonths decimal.Decimal `json:"allocation_excess_tb_months"`
	AllocationExcessFee      decimal.Decimal `json:"allocation_excess_fee"`
	// ReservationExcessTBMonths and ReservationExcessFee are the period's
	// reservation excess (ReservationExcess; contract reports only).
	ReservationExcessTBMonths *decimal.Decimal `json:"reservation_excess_tb_months,omitempty"`
	ReservationExcessFee      *decimal.Decimal `json:"reservation_excess_fee,omitempty"`
	// Currency is the contract's currency.
	Currency string `json:"currency"`
}

// Report is a usage report and its totals.
type Report struct {
	Rows []ReportRow `json:"rows"`
	// TotalUsageFee adds up the rows' usage fees.
	TotalUsageFee decimal.Decimal `json:"total_usage_fee"`
	// TotalAllocationExcessFee adds up the rows' allocation excess fees.
	TotalAllocationExcessFee decimal.Decimal `json:"total_allocation_excess_fee"`
	// TotalReservationExcessFee adds up the rows' reservation excess fees
	// (contract reports only).
	TotalReservationExcessFee *decimal.Decimal `json:"total_reservation_excess_fee,omitempty"`
	// AsOf is the newest usage sample included, if any.
	AsOf *time.Time `json:"as_of,omitempty"`
}

// maxReportDays bounds a report's range.
const maxReportDays = 3 * 366

// UsageReport reports usage by day or month over a date range, for one
// partner the actor may see or one capacity contract it holds or offers,
// reading the daily rollups only. A partner report carries the allocation
// excess; a contract report both the allocation excess (of its partners
// together) and the reservation excess. Each is priced per TB-month with
// exact decimal arithmetic; each day costs 1/(days in its month) of a month.
func (s *Service) UsageReport(ctx context.Context, actor partnerkit.Actor, q ReportQuery) (*Report, error) {
	const op = "capacity.UsageReport"
	if err := validate.Text("", q); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireAccount(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := q.check(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	from, to := DayOf(q.From), DayOf(q.To)
	var rows []PartnerDaily
	var err error
	if q.PartnerID != "" {
		if err := s.partners.CheckVisible(ctx, actor, q.PartnerID); err != nil {
			return nil, partnerkit.WithOp(op, err)
		}
		rows, err = s.store.PartnerDaily(ctx, DailyQuery{PartnerIDs: []string{q.PartnerID}, From: from, To: to})
	} else {
		if _, err := s.contracts.Get(ctx, actor, q.ContractID); err != nil {
			return nil, partnerkit.WithOp(op, err)
		}
		rows, err = s.store.PartnerDaily(ctx, DailyQuery{ContractID: q.ContractID, From: from, To: to})
	}
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	rep, err := s.report(ctx, q, rows)
	return rep, partnerkit.WithOp(op, err)
}

func (q *ReportQuery) check() error {
	var errs []error
	if (q.PartnerID == "") == (q.ContractID == "") {
		errs = append(errs, partnerkit.FieldError("partner_id", "give a partner or a contract, not both"))
	}
	if q.Granularity == "" {
		q.Granularity = ByDay
	}
	if !slices.Contains(Granularities(), q.Granularity) {
		errs = append(errs, partnerkit.FieldError("granularity", "must be day or month"))
	}
	switch {
	case q.From.IsZero():
		errs = append(errs, partnerkit.FieldError("from", "is required"))
	case q.To.IsZero():
		errs = append(errs, partnerkit.FieldError("to", "is required"))
	case DayOf(q.To) < DayOf(q.From):
		errs = append(errs, partnerkit.FieldError("to", "must not be before from"))
	case DayOf(q.To)-DayOf(q.From) > maxReportDays:
		errs = append(errs, partnerkit.FieldError("to", "the range must be at most 3 years"))
	}
	return validate.All(errs...)
}

// dayFigures are one day's figures of a report or an overview, from the
// daily rollups of that day.
type dayFigures struct {
	used, peak, alloc, usage decimal.Decimal
	allocEx, resEx           Excess
	currency                 string
}

// termsCache reads capacity terms once per contract; a contract without
// terms has nil.
type termsCache struct {
	s     *Service
	terms map[string]*Terms
}

func (c *termsCache) get(ctx context.Context, id string) (*Terms, error) {
	if t, ok := c.terms[id]; ok || id == "" {
		return t, nil
	}
	t, err := c.s.store.GetTerms(ctx, id)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		t, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	c.terms[id] = t
	return t, nil
}

// figuresByDay adds up daily rollups day by day: usage, allocations, usage
// fees and the allocation excess of every row, each row priced with the
// terms of its own contract, and, when contract is set, the reservation
// excess of each day on that contract. It returns the days in order.
func figuresByDay(ctx context.Context, terms *termsCache, rows []PartnerDaily, contract *Terms) (map[Day]*dayFigures, []Day, error) {
	byDay := map[Day]*dayFigures{}
	rowsOf := map[Day][]PartnerDaily{}
	var days []Day
	for _, r := range rows {
		t, err := terms.get(ctx, r.ContractID)
		if err != nil {
			return nil, nil, err
		}
		f := byDay[r.Day]
		if f == nil {
			f = &dayFigures{used: decimal.Zero, peak: decimal.Zero, alloc: decimal.Zero, usage: decimal.Zero,
				allocEx: NoExcess, resEx: NoExcess}
			byDay[r.Day] = f
			days = append(days, r.Day)
		}
		rowsOf[r.Day] = append(rowsOf[r.Day], r)
		f.used = f.used.Add(BytesToTB(r.AvgBytes))
		f.peak = f.peak.Add(BytesToTB(r.PeakBytes))
		f.alloc = f.alloc.Add(r.AllocatedTB)
		f.usage = f.usage.Add(UsageFee(r, t))
		f.allocEx = f.allocEx.Add(AllocationExcess(r, t))
		if t != nil {
			f.currency = t.Currency
		}
	}
	if contract != nil {
		for d, f := range byDay {
			f.resEx = ReservationExcess(d, rowsOf[d], contract)
			f.currency = contract.Currency
		}
	}
	slices.Sort(days)
	return byDay, days, nil
}

// report turns partner rollups into report rows.
func (s *Service) report(ctx context.Context, q ReportQuery, rows []PartnerDaily) (*Report, error) {
	terms := &termsCache{s: s, terms: map[string]*Terms{}}
	var contract *Terms
	if q.ContractID != "" {
		t, err := terms.get(ctx, q.ContractID)
		if err != nil {
			return nil, err
		}
		contract = t
	}
	byDay, days, err := figuresByDay(ctx, terms, rows, contract)
	if err != nil {
		return nil, err
	}
	rep := &Report{Rows: []ReportRow{}, TotalUsageFee: decimal.Zero, TotalAllocationExcessFee: decimal.Zero}
	totalResFee := decimal.Zero
	var asOf int64
	for _, r := range rows {
		asOf = max(asOf, r.LastTimestamp)
	}
	var cur *ReportRow
	var sumUsed, usage decimal.Decimal
	var allocEx, resEx Excess
	flush := func() {
		if cur == nil {
			return
		}
		cur.UsedTB = sumUsed.Div(decimal.NewFromInt(int64(cur.Days))).Round(TBPlaces)
		rep.TotalUsageFee = rep.TotalUsageFee.Add(usage)
		rep.TotalAllocationExcessFee = rep.TotalAllocationExcessFee.Add(allocEx.Fee)
		cur.UsageFee = usage.Round(4)
		cur.AllocationExcessTBMonths, cur.AllocationExcessFee = allocEx.TBMonths.Round(TBPlaces), allocEx.Fee.Round(4)
		if q.ContractID != "" {
			totalResFee = totalResFee.Add(resEx.Fee)
			tbMonths, fee := resEx.TBMonths.Round(TBPlaces), resEx.Fee.Round(4)
			cur.ReservationExcessTBMonths, cur.ReservationExcessFee = &tbMonths, &fee
			reserved := decimal.Zero
			if contract != nil {
				reserved = contract.ReservedTB
			}
			cur.ReservedTB = &reserved
		}
		rep.Rows = append(rep.Rows, *cur)
	}
	for _, d := range days {
		f := byDay[d]
		period := d.String()
		if q.Granularity == ByMonth {
			period = period[:7]
		}
		if cur == nil || cur.Period != period {
			flush()
			cur = &ReportRow{Period: period, PeakTB: decimal.Zero}
			sumUsed, usage, allocEx, resEx = decimal.Zero, decimal.Zero, NoExcess, NoExcess
		}
		cur.Days++
		sumUsed = sumUsed.Add(f.used)
		usage = usage.Add(f.usage)
		allocEx, resEx = allocEx.Add(f.allocEx), resEx.Add(f.resEx)
		cur.PeakTB = decimal.Max(cur.PeakTB, f.peak.Round(TBPlaces))
		cur.AllocatedTB = f.alloc
		cur.Currency = f.currency
	}
	flush()
	rep.TotalUsageFee, rep.TotalAllocationExcessFee = rep.TotalUsageFee.Round(4), rep.TotalAllocationExcessFee.Round(4)
	if q.ContractID != "" {
		total := totalResFee.Round(4)
		rep.TotalReservationExcessFee = &total
	}
	if asOf > 0 {
		t := time.Unix(asOf, 0).UTC()
		rep.AsOf = &t
	}
	return rep, nil
}

// daysIn returns the number of days in d's month.
func daysIn(d Day) int {
	t := d.Time()
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// PartnerOverview is one partner's line of a contract overview.
type PartnerOverview struct {
	PartnerID      string          `json:"partner_id"`
	PartnerName    string          `json:"partner_name"`
	AllocatedTB    decimal.Decimal `json:"allocated_tb"`
	UsedTB         decimal.Decimal `json:"used_tb"`
	PayPerUse      bool            `json:"pay_per_use"`
	AllowOverdraft bool            `json:"allow_overdraft"`
}

// Overview is the capacity dashboard of one contract. Its excess figures
// cover Month from its first day to today and equal the month's row of the
// contract's usage report (AllocationExcess, ReservationExcess).
type Overview struct {
	ContractID  string          `json:"contract_id"`
	Terms       Terms           `json:"terms"`
	ReservedTB  decimal.Decimal `json:"reserved_tb"`
	AllocatedTB decimal.Decimal `json:"allocated_tb"`
	// UsedTB is the partners' latest daily average usage, added up.
	UsedTB decimal.Decimal `json:"used_tb"`
	// Month is the month the excess figures cover ("2006-01", UTC).
	Month string `json:"month"`
	// AllocationExcessTBMonths and AllocationExcessFee are this month's
	// allocation excess so far, over all partners.
	AllocationExcessTBMonths decimal.Decimal `json:"allocation_excess_tb_months"`
	AllocationExcessFee      decimal.Decimal `json:"allocation_excess_fee"`
	// ReservationExcessTBMonths and ReservationExcessFee are this month's
	// reservation excess so far.
	ReservationExcessTBMonths decimal.Decimal   `json:"reservation_excess_tb_months"`
	ReservationExcessFee      decimal.Decimal   `json:"reservation_excess_fee"`
	Partners                  int               `json:"partners"`
	ByPartner                 []PartnerOverview `json:"by_partner"`
	// AsOf is the time of the newest usage included; usage may lag.
	AsOf *time.Time `json:"as_of,omitempty"`
}

// Overview returns a capacity contract's widgets: reserved, allocated, used,
// this month's allocation and reservation excess, partners, and each
// partner's allocation and usage.
func (s *Service) Overview(ctx context.Context, actor partnerkit.Actor, contractID string) (*Overview, error) {
	const op = "capacity.Overview"
	if err := partnerkit.CheckID("contract_id", contractID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if _, err := s.contracts.Get(ctx, actor, contractID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	terms, err := s.store.GetTerms(ctx, contractID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	allocs, err := s.store.ContractAllocations(ctx, contractID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	today := DayOf(s.clock.Now())
	monthStart := DayOf(time.Date(today.Time().Year(), today.Time().Month(), 1, 0, 0, 0, 0, time.UTC))
	rows, err := s.store.PartnerDaily(ctx, DailyQuery{ContractID: contractID, From: min(monthStart, today-62), To: today})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	o := &Overview{ContractID: contractID, Terms: *terms, ReservedTB: terms.ReservedTB, AllocatedTB: decimal.Zero,
		UsedTB: decimal.Zero, Month: today.String()[:7], Partners: len(allocs), ByPartner: []PartnerOverview{}}
	latest := map[string]PartnerDaily{}
	var asOf int64
	var month []PartnerDaily
	for _, r := range rows {
		asOf = max(asOf, r.LastTimestamp)
		if prev, ok := latest[r.PartnerID]; !ok || r.Day > prev.Day {
			latest[r.PartnerID] = r
		}
		if r.Day >= monthStart {
			month = append(month, r)
		}
	}
	// The month's excess exactly as the contract report computes its row.
	cache := &termsCache{s: s, terms: map[string]*Terms{contractID: terms}}
	byDay, _, err := figuresByDay(ctx, cache, month, terms)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	allocEx, resEx := NoExcess, NoExcess
	for _, f := range byDay {
		allocEx, resEx = allocEx.Add(f.allocEx), resEx.Add(f.resEx)
	}
	o.AllocationExcessTBMonths, o.AllocationExcessFee = allocEx.TBMonths.Round(TBPlaces), allocEx.Fee.Round(4)
	o.ReservationExcessTBMonths, o.ReservationExcessFee = resEx.TBMonths.Round(TBPlaces), resEx.Fee.Round(4)
	ids := make([]string, len(allocs))
	for i, a := range allocs {
		ids[i] = a.PartnerID
	}
	accounts, err := s.partners.AccountsByID(ctx, ids)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	names := map[string]string{}
	for _, p := range accounts {
		names[p.ID] = p.Name
	}
	for _, a := range allocs {
		name := cmp.Or(names[a.PartnerID], a.PartnerID)
		used := decimal.Zero
		if r, ok := latest[a.PartnerID]; ok {
			used = BytesToTB(r.AvgBytes)
		}
		o.AllocatedTB = o.AllocatedTB.Add(a.AllocatedTB)
		o.UsedTB = o.UsedTB.Add(used)
		o.ByPartner = append(o.ByPartner, PartnerOverview{PartnerID: a.PartnerID, PartnerName: name, AllocatedTB: a.AllocatedTB,
			UsedTB: used, PayPerUse: terms.BillingModel == BillingPayPerUse, AllowOverdraft: a.AllowOverdraft})
	}
	slices.SortFunc(o.ByPartner, func(a, b PartnerOverview) int {
		return strings.Compare(strings.ToLower(a.PartnerName), strings.ToLower(b.PartnerName))
	})
	if asOf > 0 {
		t := time.Unix(asOf, 0).UTC()
		o.AsOf = &t
	}
	return o, nil
}
