package capacity

import "github.com/shopspring/decimal"

// The two excess figures of a capacity contract. Both are legitimate and
// both are priced at the contract's excess price, but they answer different
// questions, so they never share a name: the overview, both report scopes,
// the CSV, the client and the PWA call them by these names, and
// AllocationExcess and ReservationExcess are the one place each is computed.
const (
	// AllocationExcessDefinition defines the allocation excess.
	AllocationExcessDefinition = "Allocation excess: each partner's daily average usage above its allocation of that day, " +
		"on reserved contracts, in TB-months and priced at the excess price — what partners owe beyond their share."
	// ReservationExcessDefinition defines the reservation excess.
	ReservationExcessDefinition = "Reservation excess: the daily average usage of all the contract's partners together above " +
		"the contract's reservation, on reserved contracts, in TB-months and priced at the excess price — " +
		"what the distributor owes the provider."
)

// Excess is usage above a limit over one or more days, in TB-months (a day
// counts 1/(days in its month) of a month), and its fee: TB-months times the
// contract's excess price. Figures are exact; callers round what they show.
type Excess struct {
	// TBMonths is the usage above the limit, in TB-months.
	TBMonths decimal.Decimal
	// Fee is TBMonths at the contract's excess price, in its currency.
	Fee decimal.Decimal
}

// NoExcess is usage within its limit.
var NoExcess = Excess{TBMonths: decimal.Zero, Fee: decimal.Zero}

// Add returns the excess of both periods.
func (e Excess) Add(o Excess) Excess {
	return Excess{TBMonths: e.TBMonths.Add(o.TBMonths), Fee: e.Fee.Add(o.Fee)}
}

// AllocationExcess computes the allocation excess (AllocationExcessDefinition)
// of one partner-day from its daily rollup and the terms of the contract the
// partner was allocated on that day. Without terms, or on a pay-per-use
// contract (billed on usage), there is none.
func AllocationExcess(r PartnerDaily, t *Terms) Excess {
	if t == nil || t.BillingModel != BillingReserved {
		return NoExcess
	}
	return excessOn(r.Day, BytesToTB(r.AvgBytes), r.AllocatedTB, t)
}

// ReservationExcess computes the reservation excess
// (ReservationExcessDefinition) of one day of a contract from the daily
// rollups of all its partners on that day (rows of other days or contracts
// are a caller's mistake and are not counted) and its terms. Without terms,
// or on a pay-per-use contract, there is none.
func ReservationExcess(day Day, rows []PartnerDaily, t *Terms) Excess {
	if t == nil || t.BillingModel != BillingReserved {
		return NoExcess
	}
	used := decimal.Zero
	for _, r := range rows {
		if r.Day == day && r.ContractID == t.ContractID {
			used = used.Add(BytesToTB(r.AvgBytes))
		}
	}
	return excessOn(day, used, t.ReservedTB, t)
}

// excessOn prices one day's usage above limit.
func excessOn(day Day, used, limit decimal.Decimal, t *Terms) Excess {
	above := used.Sub(limit)
	if !above.IsPositive() {
		return NoExcess
	}
	tbMonths := above.Div(decimal.NewFromInt(int64(daysIn(day))))
	return Excess{TBMonths: tbMonths, Fee: tbMonths.Mul(t.ExcessPricePerTB)}
}

// UsageFee is one partner-day's charge from its daily rollup: its usage on a
// pay-per-use contract, its allocation on a reserved one, each a TB-month
// price for 1/(days in the month) of a month. Without terms it is zero.
func UsageFee(r PartnerDaily, t *Terms) decimal.Decimal {
	if t == nil {
		return decimal.Zero
	}
	perDay := decimal.NewFromInt(int64(daysIn(r.Day)))
	if t.BillingModel == BillingPayPerUse {
		return BytesToTB(r.AvgBytes).Mul(t.PricePerTB).Div(perDay)
	}
	return r.AllocatedTB.Mul(t.PricePerTB).Div(perDay)
}
