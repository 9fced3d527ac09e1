package resellers_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/shopspring/decimal"
)

// env is a provider with a catalog service and a reseller holding an
// active contract with it, on memory stores, with a clock tests move.
type env struct {
	svc      *resellers.Service
	now      *time.Time
	provider partnerkit.Actor
	reseller partnerkit.Actor
	other    partnerkit.Actor // a reseller without a contract
	service  *resellers.CatalogService
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func newEnv(t *testing.T, plan resellers.PlanInput) *env {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := partnerkit.Clock(func() time.Time { return now })
	svc := wiring.MustNew(stores.Memory(), wiring.Options{Clock: clock, Hasher: partners.PasswordHasher{Time: 1, MemoryKiB: 64, Threads: 1}})
	ps, as, cs, rs := svc.Partners, svc.Agreements, svc.Contracts, svc.Resellers
	root, _, err := ps.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider", AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	must(t, err)
	e := &env{svc: rs, now: &now, provider: partnerkit.Actor{AccountID: root.ID, UserID: "UR-provider", Role: partnerkit.RoleAdmin}}
	res, err := ps.CreatePartner(ctx, e.provider, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Reseller"})
	must(t, err)
	other, err := ps.CreatePartner(ctx, e.provider, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Other"})
	must(t, err)
	e.reseller = partnerkit.Actor{AccountID: res.ID, UserID: "UR-reseller", Role: partnerkit.RoleAdmin}
	e.other = partnerkit.Actor{AccountID: other.ID, UserID: "UR-other", Role: partnerkit.RoleAdmin}
	agr, err := as.Create(ctx, e.provider, agreements.CreateInput{Type: agreements.TypeService, Name: "Reseller Store"})
	must(t, err)
	c, err := cs.Create(ctx, e.provider, contracts.CreateInput{PartnerID: res.ID, AgreementID: agr.ID})
	must(t, err)
	_, err = cs.Sign(ctx, e.provider, c.ID)
	must(t, err)
	_, err = cs.Activate(ctx, e.provider, c.ID)
	must(t, err)
	e.service, err = rs.CreateService(ctx, e.provider, resellers.ServiceInput{Name: "Cloud Mail", Plans: []resellers.PlanInput{plan}})
	must(t, err)
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mailPlan() resellers.PlanInput {
	return resellers.PlanInput{Name: "Business", BillingPeriod: resellers.Monthly, Resources: []resellers.PlanResource{
		{Name: "mailboxes", Unit: "user", UnitPrice: dec("4.50"), Min: dec("1"), Max: dec("100")},
		{Name: "storage", Unit: "GB", UnitPrice: dec("0.125"), Min: dec("0"), Max: dec("0")},
	}}
}

func (e *env) order(t *testing.T, amounts ...string) *resellers.Subscription {
	t.Helper()
	sub, err := e.svc.Order(context.Background(), e.reseller, resellers.OrderInput{
		NewClient: &resellers.ClientInput{Name: "Acme"}, ServiceID: e.service.ID, PlanID: e.service.Plans[0].ID,
		Resources: []resellers.AmountInput{{Name: "mailboxes", Amount: dec(amounts[0])}, {Name: "storage", Amount: dec(amounts[1])}}})
	must(t, err)
	return sub
}

func (e *env) charges(t *testing.T) []resellers.Charge {
	t.Helper()
	l, err := e.svc.Charges(context.Background(), e.reseller, resellers.ChargeFilter{})
	must(t, err)
	return l.Items
}

func sum(cs []resellers.Charge, kind resellers.ChargeKind) decimal.Decimal {
	total := decimal.Zero
	for _, c := range cs {
		if kind == "" || c.Kind == kind {
			total = total.Add(c.Amount)
		}
	}
	return total
}

func amount(sub *resellers.Subscription, name string) string {
	for _, a := range sub.Resources {
		if a.Name == name {
			return a.Amount.String()
		}
	}
	return ""
}

func wantErr(t *testing.T, err error, code partnerkit.Code, field string) {
	t.Helper()
	if partnerkit.ErrorCode(err) != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if field != "" {
		if _, ok := partnerkit.ErrorFields(err)[field]; !ok {
			t.Fatalf("error fields = %v, want %q", partnerkit.ErrorFields(err), field)
		}
	}
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	type step struct {
		op    string // stop, activate, renew, expire, change
		code  partnerkit.Code
		field string
		want  resellers.Status
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"StopActivate", []step{{op: "stop", want: resellers.StatusStopped}, {op: "activate", want: resellers.StatusActive}}},
		{"StopTwice", []step{{op: "stop", want: resellers.StatusStopped}, {op: "stop", code: partnerkit.CodeConflict, field: "status"}}},
		{"ActivateActive", []step{{op: "activate", code: partnerkit.CodeConflict, field: "status"}}},
		{"RenewStopped", []step{{op: "stop"}, {op: "renew", code: partnerkit.CodeConflict, field: "status"}}},
		{"ChangeStopped", []step{{op: "stop"}, {op: "change", code: partnerkit.CodeConflict, field: "status"}}},
		{"RenewActive", []step{{op: "renew", want: resellers.StatusActive}, {op: "renew", want: resellers.StatusActive}}},
		{"ExpireRenew", []step{{op: "expire", want: resellers.StatusExpired}, {op: "renew", want: resellers.StatusActive}}},
		{"StopExpired", []step{{op: "expire"}, {op: "stop", code: partnerkit.CodeConflict, field: "status"}}},
		{"ActivateExpired", []step{{op: "expire"}, {op: "activate", code: partnerkit.CodeConflict, field: "status"}}},
		{"ChangeExpired", []step{{op: "expire"}, {op: "change", code: partnerkit.CodeConflict, field: "status"}}},
		{"ActivateAfterPeriod", []step{{op: "stop"}, {op: "wait"}, {op: "activate", code: partnerkit.CodeConflict, field: "period_end"}}},
		{"RenewClientOnHold", []step{{op: "hold"}, {op: "renew", code: partnerkit.CodeConflict, field: "client_id"}}},
		{"ActivateClientOnHold", []step{{op: "stop"}, {op: "hold"}, {op: "activate", code: partnerkit.CodeConflict, field: "client_id"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, mailPlan())
			sub := e.order(t, "10", "50")
			history := 1
			for i, s := range c.steps {
				var got *resellers.Subscription
				var err error
				switch s.op {
				case "stop":
					got, err = e.svc.Stop(ctx, e.reseller, sub.ID)
				case "activate":
					got, err = e.svc.Activate(ctx, e.reseller, sub.ID)
				case "renew":
					got, err = e.svc.Renew(ctx, e.reseller, sub.ID)
				case "change":
					got, err = e.svc.ChangeResources(ctx, e.reseller, sub.ID, []resellers.AmountInput{{Name: "mailboxes", Amount: dec("11")}})
				case "wait":
					*e.now = e.now.AddDate(0, 2, 0)
					continue
				case "hold":
					st := resellers.ClientOnHold
					_, err = e.svc.UpdateClient(ctx, e.reseller, sub.ClientID, resellers.ClientUpdate{Status: &st})
					must(t, err)
					continue
				case "expire":
					*e.now = sub.PeriodEnd.Add(time.Hour)
					var subs []resellers.Subscription
					subs, err = e.svc.ExpireDue(ctx, e.reseller)
					if err == nil {
						if len(subs) != 1 {
							t.Fatalf("step %d: expired %d subscriptions", i, len(subs))
						}
						got = &subs[0]
					}
				}
				if s.code != "" {
					wantErr(t, err, s.code, s.field)
					continue
				}
				must(t, err)
				history++
				if s.want != "" && got.Status != s.want {
					t.Fatalf("step %d %s: status = %s, want %s", i, s.op, got.Status, s.want)
				}
			}
			evs, err := e.svc.History(ctx, e.reseller, sub.ID)
			must(t, err)
			if len(evs) != history {
				t.Fatalf("history has %d events, want %d: %+v", len(evs), history, evs)
			}
			if evs[0].Type != resellers.EventOrdered || evs[0].From != "" || evs[0].To != resellers.StatusActive || evs[0].Actor != "UR-reseller" {
				t.Fatalf("first event = %+v", evs[0])
			}
		})
	}
}

func TestOrderValidation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, mailPlan())
	plan := e.service.Plans[0].ID
	held, err := e.svc.CreateClient(ctx, e.reseller, resellers.ClientInput{Name: "Held"})
	must(t, err)
	st := resellers.ClientOnHold
	_, err = e.svc.UpdateClient(ctx, e.reseller, held.ID, resellers.ClientUpdate{Status: &st})
	must(t, err)
	gone, err := e.svc.CreateClient(ctx, e.reseller, resellers.ClientInput{Name: "Gone"})
	must(t, err)
	del := resellers.ClientDeleted
	_, err = e.svc.UpdateClient(ctx, e.reseller, gone.ID, resellers.ClientUpdate{Status: &del})
	must(t, err)
	newClient := &resellers.ClientInput{Name: "New"}
	cases := []struct {
		name  string
		actor partnerkit.Actor
		in    resellers.OrderInput
		code  partnerkit.Code
		field string
	}{
		{"NoClient", e.reseller, resellers.OrderInput{ServiceID: e.service.ID, PlanID: plan}, partnerkit.CodeInvalid, "client_id"},
		{"BadClientEmail", e.reseller, resellers.OrderInput{NewClient: &resellers.ClientInput{Name: "X", Email: "nope"}, ServiceID: e.service.ID, PlanID: plan}, partnerkit.CodeInvalid, "new_client.email"},
		{"OnHoldClient", e.reseller, resellers.OrderInput{ClientID: held.ID, ServiceID: e.service.ID, PlanID: plan}, partnerkit.CodeConflict, "client_id"},
		{"DeletedClient", e.reseller, resellers.OrderInput{ClientID: gone.ID, ServiceID: e.service.ID, PlanID: plan}, partnerkit.CodeConflict, "client_id"},
		{"NoContract", e.other, resellers.OrderInput{NewClient: newClient, ServiceID: e.service.ID, PlanID: plan}, partnerkit.CodeInvalid, "service_id"},
		{"BadPlan", e.reseller, resellers.OrderInput{NewClient: newClient, ServiceID: e.service.ID, PlanID: "PLN-x"}, partnerkit.CodeInvalid, "plan_id"},
		{"AboveMax", e.reseller, resellers.OrderInput{NewClient: newClient, ServiceID: e.service.ID, PlanID: plan,
			Resources: []resellers.AmountInput{{Name: "mailboxes", Amount: dec("101")}}}, partnerkit.CodeInvalid, "resources[0].amount"},
		{"BelowMin", e.reseller, resellers.OrderInput{NewClient: newClient, ServiceID: e.service.ID, PlanID: plan,
			Resources: []resellers.AmountInput{{Name: "storage", Amount: dec("1")}, {Name: "mailboxes", Amount: dec("0")}}}, partnerkit.CodeInvalid, "resources[1].amount"},
		{"UnknownResource", e.reseller, resellers.OrderInput{NewClient: newClient, ServiceID: e.service.ID, PlanID: plan,
			Resources: []resellers.AmountInput{{Name: "cpus", Amount: dec("1")}}}, partnerkit.CodeInvalid, "resources[0].name"},
		{"Viewer", partnerkit.Actor{AccountID: e.reseller.AccountID, Role: partnerkit.RoleViewer}, resellers.OrderInput{NewClient: newClient, ServiceID: e.service.ID, PlanID: plan}, partnerkit.CodeForbidden, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Order(ctx, c.actor, c.in)
			wantErr(t, err, c.code, c.field)
		})
	}
	// Nothing half-written: the failed inline orders left no client behind.
	l, err := e.svc.Clients(ctx, e.reseller, resellers.ClientFilter{})
	must(t, err)
	if l.Total != 2 {
		t.Fatalf("clients = %d, want 2 (Held, Gone)", l.Total)
	}
}

func TestCatalogValidation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, mailPlan())
	bad := mailPlan()
	bad.Resources[1].UnitPrice = dec("-1")
	bad.Resources[0].Max = dec("0.5")
	_, err := e.svc.CreateService(ctx, e.provider, resellers.ServiceInput{Name: "X", Plans: []resellers.PlanInput{mailPlan(), bad}})
	wantErr(t, err, partnerkit.CodeInvalid, "plans[1].resources[1].unit_price")
	wantErr(t, err, partnerkit.CodeInvalid, "plans[1].resources[0].max")
	_, err = e.svc.CreateService(ctx, e.provider, resellers.ServiceInput{Name: "X", Plans: []resellers.PlanInput{{Name: "P", BillingPeriod: "weekly"}}})
	wantErr(t, err, partnerkit.CodeInvalid, "plans[0].billing_period")
	wantErr(t, err, partnerkit.CodeInvalid, "plans[0].resources")
	// Only resellers with an active contract see the catalog.
	l, err := e.svc.Catalog(ctx, e.reseller, resellers.ServiceFilter{})
	must(t, err)
	if l.Total != 1 || l.Items[0].ID != e.service.ID {
		t.Fatalf("catalog = %+v", l)
	}
	l, err = e.svc.Catalog(ctx, e.other, resellers.ServiceFilter{})
	must(t, err)
	if l.Total != 0 {
		t.Fatalf("other's catalog = %+v", l)
	}
	_, err = e.svc.CatalogService(ctx, e.other, e.service.ID)
	wantErr(t, err, partnerkit.CodeNotFound, "")
	// Updating keeps plan IDs; a stale version is a conflict.
	in := resellers.ServiceInput{Name: "Cloud Mail Pro", Plans: []resellers.PlanInput{mailPlan()}, Version: e.service.Version}
	in.Plans[0].ID = e.service.Plans[0].ID
	up, err := e.svc.UpdateService(ctx, e.provider, e.service.ID, in)
	must(t, err)
	if up.Plans[0].ID != e.service.Plans[0].ID || up.Version != 2 {
		t.Fatalf("updated = %+v", up)
	}
	_, err = e.svc.UpdateService(ctx, e.provider, e.service.ID, in)
	wantErr(t, err, partnerkit.CodeConflict, "version")
	_, err = e.svc.UpdateService(ctx, e.reseller, e.service.ID, in)
	wantErr(t, err, partnerkit.CodeForbidden, "")
}

func TestCharges(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, mailPlan())
	sub := e.order(t, "10", "50") // 10 × 4.50 + 50 × 0.125 = 51.25
	if got := sum(e.charges(t), resellers.ChargeOrder); !got.Equal(dec("51.25")) {
		t.Fatalf("order charges = %s, want 51.25", got)
	}
	// January has 31 days; on day 16 (16 days left) add 2 mailboxes:
	// 2 × 4.50 × 16/31 = 4.645161… → 0.516129 × 9 = 4.645161 → 4.65.
	*e.now = time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC)
	sub, err := e.svc.ChangeResources(ctx, e.reseller, sub.ID, []resellers.AmountInput{{Name: "mailboxes", Amount: dec("12")}})
	must(t, err)
	cs := e.charges(t)
	inc := cs[len(cs)-1]
	if inc.Kind != resellers.ChargeIncrease || !inc.Fraction.Equal(dec("0.516129")) || !inc.Amount.Equal(dec("4.65")) || !inc.Quantity.Equal(dec("2")) {
		t.Fatalf("increase charge = %+v", inc)
	}
	// A decrease applies at once, with no refund and no charge.
	sub, err = e.svc.ChangeResources(ctx, e.reseller, sub.ID, []resellers.AmountInput{{Name: "storage", Amount: dec("20")}})
	must(t, err)
	if amount(sub, "storage") != "20" || len(e.charges(t)) != len(cs) {
		t.Fatalf("decrease: %+v, %d charges", sub.Resources, len(e.charges(t)))
	}
	// Renewal bills the next period at the new amounts: 12 × 4.5 + 20 × 0.125 = 56.5.
	sub, err = e.svc.Renew(ctx, e.reseller, sub.ID)
	must(t, err)
	if got := sum(e.charges(t), resellers.ChargeRenewal); !got.Equal(dec("56.5")) {
		t.Fatalf("renewal charges = %s", got)
	}
	if want := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC); !sub.PeriodEnd.Equal(want) || !sub.PeriodStart.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("period = %s .. %s", sub.PeriodStart, sub.PeriodEnd)
	}
}

func TestDecreaseAtRenewal(t *testing.T) {
	ctx := context.Background()
	plan := mailPlan()
	plan.DecreaseAtRenewal = true
	e := newEnv(t, plan)
	sub := e.order(t, "10", "0")
	sub, err := e.svc.ChangeResources(ctx, e.reseller, sub.ID, []resellers.AmountInput{{Name: "mailboxes", Amount: dec("4")}})
	must(t, err)
	if amount(sub, "mailboxes") != "10" || len(sub.Scheduled) != 1 || sub.Scheduled[0].Amount.String() != "4" {
		t.Fatalf("scheduled decrease: %+v / %+v", sub.Resources, sub.Scheduled)
	}
	sub, err = e.svc.Renew(ctx, e.reseller, sub.ID)
	must(t, err)
	if amount(sub, "mailboxes") != "4" || sub.Scheduled != nil {
		t.Fatalf("after renewal: %+v / %+v", sub.Resources, sub.Scheduled)
	}
	if got := sum(e.charges(t), resellers.ChargeRenewal); !got.Equal(dec("18")) {
		t.Fatalf("renewal = %s, want 18", got)
	}
}

func TestTrial(t *testing.T) {
	ctx := context.Background()
	plan := mailPlan()
	plan.TrialDays = 14
	e := newEnv(t, plan)
	sub := e.order(t, "10", "0")
	if sub.TrialEndsAt == nil || !sub.PeriodEnd.Equal(time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("trial = %v, period end %s", sub.TrialEndsAt, sub.PeriodEnd)
	}
	if got := sum(e.charges(t), ""); !got.IsZero() {
		t.Fatalf("trial charges = %s", got)
	}
	sub, err := e.svc.Renew(ctx, e.reseller, sub.ID)
	must(t, err)
	if got := sum(e.charges(t), resellers.ChargeRenewal); !got.Equal(dec("45")) {
		t.Fatalf("first paid period = %s, want 45", got)
	}
	if !sub.PeriodEnd.Equal(time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("period end = %s", sub.PeriodEnd)
	}
}

func TestAnalytics(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, mailPlan())
	sub := e.order(t, "10", "0") // January: 45
	*e.now = time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	sub, err := e.svc.Renew(ctx, e.reseller, sub.ID) // billed January 31: 45 → January 90
	must(t, err)
	*e.now = time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
	_, err = e.svc.ChangeResources(ctx, e.reseller, sub.ID, []resellers.AmountInput{{Name: "mailboxes", Amount: dec("20")}})
	must(t, err) // 10 × 4.5 × 9/28 = 14.46
	*e.now = time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	a, err := e.svc.Analytics(ctx, e.reseller, resellers.AnalyticsQuery{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	must(t, err)
	if strings.Join(a.Periods, ",") != "2026-01,2026-02,2026-03" || len(a.Rows) != 1 || a.Rows[0].Name != "Acme" {
		t.Fatalf("analytics = %+v", a)
	}
	p := a.Rows[0].Points
	if !p[0].Cost.Equal(dec("90")) || !p[1].Cost.Equal(dec("14.46")) || !p[1].Change.Equal(dec("-75.54")) ||
		p[1].ChangePercent == nil || !p[1].ChangePercent.Equal(dec("-83.93")) || p[0].ChangePercent != nil {
		t.Fatalf("points = %+v", p)
	}
	if len(p[0].Consumption) != 2 || p[0].Consumption[0].Amount.String() != "10" || p[1].Consumption[0].Amount.String() != "20" {
		t.Fatalf("consumption = %+v / %+v", p[0].Consumption, p[1].Consumption)
	}
	if !a.Total.Equal(dec("104.46")) || !a.Totals[2].Cost.IsZero() {
		t.Fatalf("total = %s, totals = %+v", a.Total, a.Totals)
	}
	byService, err := e.svc.Analytics(ctx, e.reseller, resellers.AnalyticsQuery{By: resellers.ByService, Granularity: resellers.ByDay,
		From: time.Date(2026, 2, 19, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 21, 0, 0, 0, 0, time.UTC)})
	must(t, err)
	if len(byService.Periods) != 3 || byService.Rows[0].Name != "Cloud Mail" || !byService.Rows[0].Points[1].Cost.Equal(dec("14.46")) {
		t.Fatalf("by service per day = %+v", byService)
	}
	_, err = e.svc.Analytics(ctx, e.reseller, resellers.AnalyticsQuery{By: "planet"})
	wantErr(t, err, partnerkit.CodeInvalid, "by")
	var buf bytes.Buffer
	must(t, resellers.WriteAnalyticsCSV(&buf, a))
	if !strings.Contains(buf.String(), "2026-02,14.46,-75.54,-83.93,20 user mailboxes; 0 GB storage") {
		t.Fatalf("csv:\n%s", buf.String())
	}
}

func TestClientStatus(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, mailPlan())
	sub := e.order(t, "1", "0")
	del := resellers.ClientDeleted
	_, err := e.svc.UpdateClient(ctx, e.reseller, sub.ClientID, resellers.ClientUpdate{Status: &del})
	wantErr(t, err, partnerkit.CodeConflict, "status")
	_, err = e.svc.Stop(ctx, e.reseller, sub.ID)
	must(t, err)
	c, err := e.svc.UpdateClient(ctx, e.reseller, sub.ClientID, resellers.ClientUpdate{Status: &del})
	must(t, err)
	act := resellers.ClientActive
	_, err = e.svc.UpdateClient(ctx, e.reseller, c.ID, resellers.ClientUpdate{Status: &act})
	wantErr(t, err, partnerkit.CodeConflict, "status")
	_, err = e.svc.Client(ctx, e.other, c.ID)
	wantErr(t, err, partnerkit.CodeNotFound, "")
	_, err = e.svc.Stop(ctx, e.other, sub.ID)
	wantErr(t, err, partnerkit.CodeNotFound, "")
}
