package resellers

import (
	"cmp"
	"context"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/partnerkit/partnerkit"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	"github.com/partnerkit/partnerkit/internal/csvx"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/shopspring/decimal"
)

// GroupBy says how analytics rows are grouped.
type GroupBy string

// Groupings of analytics.
const (
	ByClient  GroupBy = "client"
	ByService GroupBy = "service"
)

// Granularity is the length of an analytics period.
type Granularity string

// Granularities of analytics.
const (
	ByMonth Granularity = "month"
	ByDay   Granularity = "day"
)

// maxDays bounds a daily report.
const maxDays = 366

// AnalyticsQuery asks for cost and consumption analytics.
type AnalyticsQuery struct {
	// PartnerID is a visible reseller; empty means the actor's account.
	PartnerID string `json:"partner_id"`
	// By groups rows by client (default) or service.
	By GroupBy `json:"by"`
	// Granularity is month (default) or day.
	Granularity Granularity `json:"granularity"`
	// From and To bound the days, both included (UTC dates). Zero From
	// means 5 months before To's month; zero To means today. By month,
	// the first month is counted whole.
	From, To time.Time
	// Currency keeps the costs of the charges in this ISO 4217 code; empty
	// means the currency most of the range's charges are in (costs in
	// different currencies never add up).
	Currency string `json:"currency"`
}

// Usage is the amount of one resource in use.
type Usage struct {
	// Resource and Unit name the resource.
	Resource string `json:"resource"`
	Unit     string `json:"unit"`
	// Amount is the amount in use at the end of the period (or now).
	Amount decimal.Decimal `json:"amount"`
}

// Point is one period of an analytics row.
type Point struct {
	// Period is "2026-01" by month or "2026-01-31" by day.
	Period string `json:"period"`
	// Cost is what was billed in the period.
	Cost decimal.Decimal `json:"cost"`
	// Change is Cost minus the previous period's cost (0 for the first).
	Change decimal.Decimal `json:"change"`
	// ChangePercent is Change as a percentage of the previous period's
	// cost, rounded to 2 places; nil when that cost was 0.
	ChangePercent *decimal.Decimal `json:"change_percent"`
	// Consumption is the resources in use at the end of the period.
	Consumption []Usage `json:"consumption"`
}

// Row is the analytics of one client or one service.
type Row struct {
	// ID and Name name the client or service.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Total is the cost over all periods.
	Total decimal.Decimal `json:"total"`
	// Points are the periods, oldest first.
	Points []Point `json:"points"`
}

// Analytics is cost and consumption over time for one reseller.
type Analytics struct {
	// PartnerID is the reseller.
	PartnerID string `json:"partner_id"`
	// By and Granularity echo the query.
	By          GroupBy     `json:"by"`
	Granularity Granularity `json:"granularity"`
	// From and To are the first and last day, "2026-01-31".
	From string `json:"from"`
	To   string `json:"to"`
	// Periods lists the periods, oldest first.
	Periods []string `json:"periods"`
	// Totals is the cost of every period over all rows.
	Totals []Point `json:"totals"`
	// Rows are the clients or services with a cost or consumption, by name.
	Rows []Row `json:"rows"`
	// Total is the cost of everything.
	Total decimal.Decimal `json:"total"`
	// Currency is the ISO 4217 code of every cost: the query's, or the
	// currency of most of the range's charges (DefaultCurrency without
	// any).
	Currency string `json:"currency"`
	// Currencies are the currencies of the range's charges, by code: a
	// report in each of the others is a query with its currency.
	Currencies []string `json:"currencies"`
}

func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// periods returns the periods from..to and their start times.
func periods(g Granularity, from, to time.Time) ([]string, []time.Time) {
	var names []string
	var starts []time.Time
	t := from
	if g == ByMonth {
		t = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	for !t.After(to) {
		if g == ByMonth {
			names = append(names, t.Format("2006-01"))
			starts = append(starts, t)
			t = t.AddDate(0, 1, 0)
		} else {
			names = append(names, t.Format(time.DateOnly))
			starts = append(starts, t)
			t = t.AddDate(0, 0, 1)
		}
	}
	return names, starts
}

// Analytics computes cost (from the charges) and consumption (from the
// subscriptions' resource amounts over time) per period, grouped by client
// or service, with the change against the previous period.
func (s *Service) Analytics(ctx context.Context, actor partnerkit.Actor, q AnalyticsQuery) (*Analytics, error) {
	const op = "resellers.Analytics"
	if err := validate.Text("", q); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	q.By, q.Granularity = cmp.Or(q.By, ByClient), cmp.Or(q.Granularity, ByMonth)
	fields := map[string]string{}
	if !slices.Contains(GroupBys(), q.By) {
		fields["by"] = "must be client or service"
	}
	if !slices.Contains(Granularities(), q.Granularity) {
		fields["granularity"] = "must be month or day"
	}
	now := s.clock.Now()
	to := day(now)
	if !q.To.IsZero() {
		to = day(q.To)
	}
	from := time.Date(to.Year(), to.Month()-5, 1, 0, 0, 0, 0, time.UTC)
	if !q.From.IsZero() {
		from = day(q.From)
	}
	if from.After(to) {
		fields["from"] = "must not be after to"
	} else if q.Granularity == ByDay && to.Sub(from) > maxDays*24*time.Hour {
		fields["to"] = "a daily report covers at most 366 days"
	} else if to.Sub(from) > 10*366*24*time.Hour {
		fields["to"] = "a report covers at most 10 years"
	}
	if q.Currency = contractrules.NormalizeCurrency(q.Currency); q.Currency != "" && !contractrules.ValidCurrency(q.Currency) {
		fields["currency"] = contractrules.CurrencyProblem
	}
	if err := validate.Fields(fields); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	partner, _, err := s.listScope(ctx, actor, q.PartnerID, partnerkit.Page{})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	names, starts := periods(q.Granularity, from, to)
	end := to.AddDate(0, 0, 1)
	rangeStart := starts[0]
	if q.Granularity == ByDay {
		rangeStart = from
	}
	charges, _, err := s.store.ListCharges(ctx, ChargeQuery{PartnerID: partner, From: rangeStart, To: end})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	events, err := s.store.Events(ctx, EventQuery{PartnerID: partner, Before: end})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	subs, _, err := s.store.ListSubscriptions(ctx, SubscriptionQuery{PartnerID: partner})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	key := func(sub Subscription) (string, string) {
		if q.By == ByService {
			return sub.ServiceID, sub.ServiceName
		}
		return sub.ClientID, ""
	}
	// A report is of one currency: its subscriptions' costs and
	// consumption.
	currency, currencies := reportCurrency(q.Currency, charges)
	subByID := map[string]Subscription{}
	for _, sub := range subs {
		if cmp.Or(sub.Currency, DefaultCurrency) == currency {
			subByID[sub.ID] = sub
		}
	}
	rows := map[string]*Row{}
	row := func(sub Subscription) *Row {
		id, name := key(sub)
		r := rows[id]
		if r == nil {
			r = &Row{ID: id, Name: name, Total: decimal.Zero, Points: make([]Point, len(names))}
			for i := range names {
				r.Points[i] = Point{Period: names[i], Cost: decimal.Zero, Change: decimal.Zero, Consumption: []Usage{}}
			}
			rows[id] = r
		}
		return r
	}
	index := func(t time.Time) int {
		i, found := slices.BinarySearchFunc(starts, t, func(a, b time.Time) int { return a.Compare(b) })
		if !found {
			i--
		}
		return i
	}
	for _, c := range charges {
		sub, ok := subByID[c.SubscriptionID]
		i := index(c.CreatedAt)
		if !ok || i < 0 || cmp.Or(c.Currency, DefaultCurrency) != currency {
			continue
		}
		r := row(sub)
		r.Points[i].Cost = r.Points[i].Cost.Add(c.Amount)
	}
	// Consumption: the amounts in effect at each period's end (or now), of
	// subscriptions active then, replayed from their events.
	bySub := map[string][]Event{}
	for _, e := range events {
		bySub[e.SubscriptionID] = append(bySub[e.SubscriptionID], e)
	}
	for i := range names {
		cut := end
		if i+1 < len(starts) {
			cut = starts[i+1]
		}
		if cut.After(now) {
			cut = now.Add(time.Microsecond)
		}
		for subID, evs := range bySub {
			sub, ok := subByID[subID]
			if !ok {
				continue
			}
			j := slices.IndexFunc(evs, func(e Event) bool { return !e.At.Before(cut) })
			if j == 0 {
				continue
			}
			if j < 0 {
				j = len(evs)
			}
			last := evs[j-1]
			if last.To != StatusActive {
				continue
			}
			p := &row(sub).Points[i]
			for _, a := range last.Resources {
				k := slices.IndexFunc(p.Consumption, func(u Usage) bool { return u.Resource == a.Name && u.Unit == a.Unit })
				if k < 0 {
					p.Consumption = append(p.Consumption, Usage{Resource: a.Name, Unit: a.Unit, Amount: decimal.Zero})
					k = len(p.Consumption) - 1
				}
				p.Consumption[k].Amount = p.Consumption[k].Amount.Add(a.Amount)
			}
		}
	}
	out := &Analytics{PartnerID: partner, By: q.By, Granularity: q.Granularity, From: from.Format(time.DateOnly),
		To: to.Format(time.DateOnly), Periods: names, Rows: []Row{}, Total: decimal.Zero,
		Currency: currency, Currencies: currencies}
	totals := make([]Point, len(names))
	for i := range totals {
		totals[i] = Point{Period: names[i], Cost: decimal.Zero, Consumption: []Usage{}}
	}
	if q.By == ByClient && len(rows) > 0 {
		clients, _, err := s.store.ListClients(ctx, ClientQuery{PartnerID: partner})
		if err != nil {
			return nil, partnerkit.WithOp(op, err)
		}
		for _, c := range clients {
			if r := rows[c.ID]; r != nil {
				r.Name = c.Name
			}
		}
	}
	for _, r := range rows {
		for i := range r.Points {
			r.Total = r.Total.Add(r.Points[i].Cost)
			totals[i].Cost = totals[i].Cost.Add(r.Points[i].Cost)
			for _, u := range r.Points[i].Consumption {
				k := slices.IndexFunc(totals[i].Consumption, func(x Usage) bool { return x.Resource == u.Resource && x.Unit == u.Unit })
				if k < 0 {
					totals[i].Consumption = append(totals[i].Consumption, Usage{Resource: u.Resource, Unit: u.Unit, Amount: decimal.Zero})
					k = len(totals[i].Consumption) - 1
				}
				totals[i].Consumption[k].Amount = totals[i].Consumption[k].Amount.Add(u.Amount)
			}
		}
		withChange(r.Points)
		out.Rows = append(out.Rows, *r)
		out.Total = out.Total.Add(r.Total)
	}
	withChange(totals)
	out.Totals = totals
	slices.SortFunc(out.Rows, func(a, b Row) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// reportCurrency is the currency of a report: the one asked for, or that
// of the most charges (ties by code; DefaultCurrency when there are none),
// with the charges' currencies by code.
func reportCurrency(asked string, charges []Charge) (string, []string) {
	count := map[string]int{}
	for _, c := range charges {
		count[cmp.Or(c.Currency, DefaultCurrency)]++
	}
	codes := slices.Sorted(maps.Keys(count))
	if asked != "" {
		return asked, codes
	}
	best := ""
	for _, code := range codes {
		if best == "" || count[code] > count[best] {
			best = code
		}
	}
	return cmp.Or(best, DefaultCurrency), codes
}

// withChange fills each point's change against the one before.
func withChange(ps []Point) {
	hundred := decimal.NewFromInt(100)
	for i := range ps {
		ps[i].Change, ps[i].ChangePercent = decimal.Zero, nil
		if i == 0 {
			continue
		}
		prev := ps[i-1].Cost
		ps[i].Change = ps[i].Cost.Sub(prev)
		if !prev.IsZero() {
			pct := ps[i].Change.Mul(hundred).DivRound(prev, 2)
			ps[i].ChangePercent = &pct
		}
	}
}

// WriteAnalyticsCSV writes analytics as CSV: one line per row and period
// with cost, change, change percent and consumption ("10 user; 5 GB").
func WriteAnalyticsCSV(w io.Writer, a *Analytics) error {
	cw := csvx.NewWriter(w)
	if err := cw.Write(string(a.By)+"_id", string(a.By), "period", "cost", "change", "change_percent", "consumption"); err != nil {
		return err
	}
	for _, r := range a.Rows {
		for _, p := range r.Points {
			pct := ""
			if p.ChangePercent != nil {
				pct = p.ChangePercent.String()
			}
			cons := ""
			for i, u := range p.Consumption {
				if i > 0 {
					cons += "; "
				}
				cons += u.Amount.String() + " " + u.Unit + " " + u.Resource
			}
			if err := cw.Write(r.ID, r.Name, p.Period, p.Cost.StringFixed(2), p.Change.StringFixed(2), pct, cons); err != nil {
				return err
			}
		}
	}
	return cw.Flush()
}
