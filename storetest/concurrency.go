package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/shopspring/decimal"
)

// Race runs fn(0) … fn(n-1) in n goroutines that a barrier releases at
// once, waits for them all and returns their errors by index. The
// Concurrent… subtests race a rule with it and check the rule's invariant
// after it returns; a store of your own can use it the same way.
func Race(n int, fn func(i int) error) []error {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}

// Outcomes counts errs by error code ("" counts the successes) and fails t
// when an error has a code outside allowed: under a race the losers must
// get a clear error (conflict, gone, …), never internal.
func Outcomes(t testing.TB, errs []error, allowed ...partnerkit.Code) map[partnerkit.Code]int {
	t.Helper()
	counts := map[partnerkit.Code]int{}
	for i, err := range errs {
		code := partnerkit.ErrorCode(err)
		if code != "" && !slices.Contains(allowed, code) {
			t.Errorf("racer %d: %v (code %q; only %v may fail)", i, err, code, allowed)
		}
		counts[code]++
	}
	return counts
}

// raceRounds is how many times a Concurrent… subtest repeats its race:
// PostgreSQL interleaves transactions differently on every run, and a
// broken guarantee shows in a few rounds of these.
const raceRounds = 8

// concurrencySuite is the table of one Concurrent… test per rule that
// reads, then writes (each Store interface's "Concurrency" section names
// the guarantee it relies on, and the test logs it). The memory store and
// SQLite serialise writers and pass them by construction; PostgreSQL,
// under READ COMMITTED, passes only when each guarantee holds.
func concurrencySuite() suite {
	ctx := context.Background()
	return suite{tests: append([]test{
		{name: "ConcurrentTeamKeepsAnAdmin", needs: forPartners, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "partners.Store: LockAccount before counting admins")
			e := newPartnersEnv(t, h)
			for round := range raceRounds {
				acct := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: fmt.Sprintf("Team %d", round)})
				var admins []partnerkit.Actor
				for i := range 2 {
					u := must[*partners.User](t)(e.svc.CreateUser(ctx, e.admin, partners.CreateUserInput{AccountID: acct.ID,
						Email: fmt.Sprintf("admin%d-%d@team.example", round, i), FullName: "Admin", Password: "Sup3r-secret", Role: partnerkit.RoleAdmin}))
					admins = append(admins, partnerkit.Actor{AccountID: acct.ID, UserID: u.ID, Role: partnerkit.RoleAdmin})
				}
				// Each admin demotes (even rounds) or removes (odd rounds) the other.
				errs := Race(2, func(i int) error {
					other := admins[1-i].UserID
					if round%2 == 0 {
						_, err := e.svc.ChangeRole(ctx, admins[i], other, partnerkit.RoleStaff)
						return err
					}
					return e.svc.RemoveMember(ctx, admins[i], other)
				})
				got := Outcomes(t, errs, partnerkit.CodeConflict)
				members := must[[]partners.Member](t)(e.svc.Members(ctx, e.admin, acct.ID))
				left := 0
				for _, m := range members {
					if m.Role == partnerkit.RoleAdmin {
						left++
					}
				}
				if left != 1 || got[""] != 1 {
					t.Fatalf("round %d: %d admins left after %d successful changes, want 1 and 1", round, left, got[""])
				}
			}
		}},

		{name: "ConcurrentSignInThrottle", needs: forPartners, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "partners.Store: CountLoginAttempt counts before the password check")
			e := newPartnersEnv(t, h)
			// Two service instances share the store, as two servers share a database.
			instances := []*partners.Service{e.svc, wired(t, e.stores, wiring.Options{Hasher: CheapHasher,
				Clock: TickingClock(Epoch.Add(time.Minute))}).Partners}
			const attempts = 60
			errs := Race(attempts, func(i int) error {
				_, _, err := instances[i%2].SignIn(ctx, "admin@root.example", "wrong-Passw0rd", "10.9.9.9")
				return err
			})
			got := Outcomes(t, errs, partnerkit.CodeUnauthorized, partnerkit.CodeRateLimited)
			checked := got[partnerkit.CodeUnauthorized]
			if checked > partners.PairAttempts || checked == 0 {
				t.Fatalf("%d of %d wrong passwords were checked, want 1 to %d", checked, attempts, partners.PairAttempts)
			}
			// Every checked attempt was counted (none lost) under each key.
			for _, key := range []string{"pair:admin@root.example|10.9.9.9", "addr:10.9.9.9", "email:admin@root.example"} {
				if f := must[*partners.LoginFailures](t)(e.store.GetLoginFailures(ctx, key)); f.Failures != checked {
					t.Fatalf("%s counts %d attempts, want the %d checked", key, f.Failures, checked)
				}
			}
		}},

		{name: "ConcurrentUniqueEmailAndExternalID", needs: forPartners, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "partners.Store: unique indexes on email and (manager, external ID)")
			e := newPartnersEnv(t, h)
			const n = 8
			errs := Race(n, func(i int) error {
				_, err := e.svc.CreateUser(ctx, e.admin, partners.CreateUserInput{Email: "same@unique.example",
					FullName: fmt.Sprintf("Twin %d", i), Password: "Sup3r-secret", Role: partnerkit.RoleStaff})
				return err
			})
			if got := Outcomes(t, errs, partnerkit.CodeConflict); got[""] != 1 {
				t.Fatalf("%d users created with one email, want 1", got[""])
			}
			for _, err := range errs {
				if err != nil {
					wantField(t, err, partnerkit.CodeConflict, "email")
				}
			}
			before := e.count(t)
			errs = Race(n, func(i int) error {
				_, err := e.svc.CreatePartner(ctx, e.admin, partners.CreatePartnerInput{Type: partners.TypeReseller,
					Name: fmt.Sprintf("Twin %d", i), ExternalID: "ERP-42"})
				return err
			})
			if got := Outcomes(t, errs, partnerkit.CodeConflict); got[""] != 1 || e.count(t) != before+1 {
				t.Fatalf("%d partners created with one external ID, want 1", got[""])
			}
			for _, err := range errs {
				if err != nil {
					wantField(t, err, partnerkit.CodeConflict, "external_id")
				}
			}
		}},

		{name: "ConcurrentDirectoryTotals", needs: forPartners, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "partners/bunstore: account_counts kept by one atomic upsert per change (spread over rows on PostgreSQL)")
			e := newPartnersEnv(t, h)
			types := []partners.AccountType{partners.TypeVendor, partners.TypeReseller}
			for round := range raceRounds / 2 {
				var created []string
				var mu sync.Mutex
				errs := Race(12, func(i int) error {
					a, err := e.svc.CreatePartner(ctx, e.admin, partners.CreatePartnerInput{Type: types[i%2],
						Name: fmt.Sprintf("Total %d-%d", round, i)})
					if err == nil {
						mu.Lock()
						created = append(created, a.ID)
						mu.Unlock()
					}
					return err
				})
				Outcomes(t, errs)
				// Suspensions, deletions and more creates at once.
				errs = Race(len(created), func(i int) error {
					switch i % 3 {
					case 0:
						_, err := e.svc.SuspendPartner(ctx, e.admin, created[i])
						return err
					case 1:
						return e.svc.DeletePartner(ctx, e.admin, created[i])
					}
					_, err := e.svc.CreatePartner(ctx, e.admin, partners.CreatePartnerInput{Type: types[i%2],
						Name: fmt.Sprintf("Total %d-%d more", round, i)})
					return err
				})
				Outcomes(t, errs, partnerkit.CodeConflict, partnerkit.CodeInvalid)
				all := must[partnerkit.List[partners.DirectoryEntry]](t)(e.svc.Directory(ctx, e.admin,
					partners.DirectoryFilter{SkipTotal: true, Page: partnerkit.Page{Limit: 500}}))
				counted := map[partners.DirectoryFilter]int{{}: len(all.Items)}
				for _, a := range all.Items {
					counted[partners.DirectoryFilter{Type: a.Type}]++
					counted[partners.DirectoryFilter{Status: a.Status}]++
					counted[partners.DirectoryFilter{Type: a.Type, Status: a.Status}]++
				}
				for f, want := range counted {
					got := must[partnerkit.List[partners.DirectoryEntry]](t)(e.svc.Directory(ctx, e.admin, f))
					if got.Total != want {
						t.Fatalf("round %d: total %d for type %q status %q, want %d (the rows listed)", round, got.Total, f.Type, f.Status, want)
					}
				}
			}
		}},

		{name: "ConcurrentBootstrapOneRoot", needs: forPartners, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "partners.Store: a unique index over the accounts without a manager")
			stores := h.MakeStores(t)
			svc := wired(t, stores, wiring.Options{Clock: TickingClock(Epoch), Hasher: CheapHasher}).Partners
			errs := Race(6, func(i int) error {
				_, _, err := svc.Bootstrap(ctx, partners.BootstrapInput{AccountName: fmt.Sprintf("Root %d", i),
					AdminEmail: fmt.Sprintf("root%d@boot.example", i), AdminPassword: "Sup3r-secret"})
				return err
			})
			got := Outcomes(t, errs, partnerkit.CodeConflict)
			n := must[int](t)(stores.Partners.CountAccounts(ctx))
			if got[""] != 1 || n != 1 {
				t.Fatalf("%d bootstraps succeeded and %d accounts exist, want 1 and 1", got[""], n)
			}
		}},

		{name: "ConcurrentTeamInvitationOneUse", needs: forPartners, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "partners.Store: UseTeamInvitation claims the link before anything is made")
			e := newPartnersEnv(t, h)
			_, token := must2[*partners.TeamInvitation, string](t)(e.svc.InviteMember(ctx, e.admin,
				partners.TeamInviteInput{Email: "joiner@team.example", Role: partnerkit.RoleStaff}))
			errs := Race(8, func(i int) error {
				_, err := e.svc.AcceptTeamInvitation(ctx, token, partners.AcceptTeamInvitationInput{
					FullName: fmt.Sprintf("Joiner %d", i), Password: "Sup3r-secret"}, "")
				return err
			})
			if got := Outcomes(t, errs, partnerkit.CodeGone); got[""] != 1 {
				t.Fatalf("%d accepts of one link succeeded, want 1", got[""])
			}
			members := must[[]partners.Member](t)(e.svc.Members(ctx, e.admin, e.root.ID))
			if len(members) != 2 {
				t.Fatalf("%d members after one accepted invitation, want 2", len(members))
			}
		}},

		{name: "ConcurrentDeleteWithDependents", needs: forPartners, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "partners.Store: foreign keys to accounts refuse a deletion under a new dependent")
			e := newPartnersEnv(t, h)
			for round := range raceRounds {
				dist := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: fmt.Sprintf("Doomed %d", round)})
				distAdmin := partnerkit.Actor{AccountID: dist.ID, UserID: "UR-doomed", Role: partnerkit.RoleAdmin}
				errs := Race(4, func(i int) error {
					if i == 0 {
						return e.svc.DeletePartner(ctx, e.admin, dist.ID)
					}
					_, err := e.svc.CreatePartner(ctx, distAdmin, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: fmt.Sprintf("Child %d", i)})
					return err
				})
				Outcomes(t, errs, partnerkit.CodeConflict, partnerkit.CodeNotFound)
				_, err := e.svc.GetPartner(ctx, e.admin, dist.ID)
				deleted := partnerkit.ErrorCode(err) == partnerkit.CodeNotFound
				children := 0
				for i := 1; i < len(errs); i++ {
					if errs[i] == nil {
						children++
					}
				}
				if deleted == (errs[0] != nil) || deleted && children > 0 {
					t.Fatalf("round %d: deleted %v (err %v) with %d children created", round, deleted, errs[0], children)
				}
			}
		}},

		{name: "ConcurrentReservationNeverBelowAllocated", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "capacity.Store: LockTerms while allocations are summed and terms set")
			f := newCapacityFixture(t, h)
			extra := []*partners.Account{}
			for i := range 5 {
				extra = append(extra, f.create(t, f.distActor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: fmt.Sprintf("Grower %d", i)}))
			}
			lower := f.reservedTerms
			lower.ReservedTB = tb("30")
			errs := Race(12, func(i int) error {
				if i%4 == 0 {
					_, err := f.cap.SetTerms(ctx, f.admin, f.c100.ID, lower)
					return err
				}
				_, err := f.cap.SetAllocation(ctx, f.distActor, extra[i%len(extra)].ID, capacity.AllocationInput{
					ContractID: f.c100.ID, AllocatedTB: tb("9")})
				return err
			})
			Outcomes(t, errs, partnerkit.CodeConflict)
			o := must[*capacity.Overview](t)(f.cap.Overview(ctx, f.distActor, f.c100.ID))
			if o.AllocatedTB.GreaterThan(o.ReservedTB) {
				t.Fatalf("%s TB allocated of a %s TB reservation", o.AllocatedTB, o.ReservedTB)
			}
		}},

		{name: "ConcurrentQuotasWithinAllocation", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "capacity.Store: LockAllocation while quotas are summed and allocations set")
			f := newCapacityFixture(t, h)
			for round := range raceRounds / 2 {
				p := f.create(t, f.distActor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: fmt.Sprintf("Quota %d", round)})
				pActor := partnerkit.Actor{AccountID: p.ID, UserID: "UR-quota", Role: partnerkit.RoleAdmin}
				must[*capacity.Allocation](t)(f.cap.SetAllocation(ctx, f.distActor, p.ID, capacity.AllocationInput{ContractID: f.c50.ID, AllocatedTB: tb("5")}))
				errs := Race(10, func(i int) error {
					if i == 0 {
						_, err := f.cap.SetAllocation(ctx, f.distActor, p.ID, capacity.AllocationInput{AllocatedTB: tb("2")})
						return err
					}
					_, err := f.cap.CreateStorageAccount(ctx, pActor, capacity.StorageAccountInput{Name: fmt.Sprintf("Box %d", i), QuotaTB: tb("1")})
					return err
				})
				Outcomes(t, errs, partnerkit.CodeConflict)
				alloc := must[*capacity.Allocation](t)(f.cap.Allocation(ctx, f.distActor, p.ID))
				boxes := must[partnerkit.List[capacity.StorageAccount]](t)(f.cap.StorageAccounts(ctx, pActor, capacity.StorageFilter{}))
				quotas := decimal.Zero
				for _, b := range boxes.Items {
					quotas = quotas.Add(b.QuotaTB)
				}
				if quotas.GreaterThan(alloc.AllocatedTB) {
					t.Fatalf("round %d: %s TB of quotas under a %s TB allocation", round, quotas, alloc.AllocatedTB)
				}
			}
		}},

		{name: "ConcurrentLargeAllocationAndDealDecision", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "capacity.Store: LockDeals orders a large allocation before a decision on its deal")
			f := newCapacityFixture(t, h)
			big := f.reservedTerms
			big.ReservedTB = tb("10000")
			must[*capacity.Terms](t)(f.cap.SetTerms(ctx, f.admin, f.c100.ID, big))
			size := tb("150")
			for round := range raceRounds {
				p := f.create(t, f.distActor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: fmt.Sprintf("Big %d", round)})
				pActor := partnerkit.Actor{AccountID: p.ID, UserID: "UR-big", Role: partnerkit.RoleAdmin}
				d := must[*capacity.Deal](t)(f.cap.RegisterDeal(ctx, pActor, capacity.DealInput{CustomerName: "Globex", ExpectedTB: &size, CloseDate: "2026-06-01"}))
				must[*capacity.Deal](t)(f.cap.ApproveDeal(ctx, f.distActor, d.ID, "ok"))
				errs := Race(2, func(i int) error {
					if i == 0 {
						_, err := f.cap.SetAllocation(ctx, f.distActor, p.ID, capacity.AllocationInput{ContractID: f.c100.ID, AllocatedTB: size})
						return err
					}
					_, err := f.cap.CloseDeal(ctx, pActor, d.ID, false)
					return err
				})
				Outcomes(t, errs, partnerkit.CodeConflict)
				if errs[0] != nil {
					continue // the deal was lost first: the allocation was refused, as it must be
				}
				// The allocation succeeded: it must come before the deal was lost.
				allocAt := lastAuditAt(t, f.partnersEnv, p.ID, "allocation.changed")
				lostAt := lastAuditAt(t, f.partnersEnv, d.ID, "deal.lost")
				if !allocAt.Before(lostAt) {
					t.Fatalf("round %d: a %s TB allocation was recorded at %s, after its deal was lost at %s", round, size, allocAt, lostAt)
				}
			}
		}},

		{name: "ConcurrentIngestionRollups", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "capacity.Store: LockPartnerUsage while a partner's days are rolled up")
			f := newCapacityFixture(t, h)
			f.allocate(t, 0, f.payg.ID, "0")
			res := f.resellerActor(0)
			const accounts = 8
			var ids []string
			for i := range accounts {
				a := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: fmt.Sprintf("Bucket %d", i), QuotaTB: tb("1")}))
				ids = append(ids, a.ID)
			}
			f.advance(time.Duration(raceRounds+2) * 24 * time.Hour)
			for round := range raceRounds {
				day := capacity.DayOf(Epoch) + 1 + capacity.Day(round)
				errs := Race(accounts, func(i int) error {
					_, err := f.cap.IngestUsage(ctx, res, []capacity.Sample{{StorageAccountID: ids[i], Timestamp: day.Time().Add(time.Hour),
						Bytes: capacity.BytesPerTB / 10}})
					return err
				})
				if got := Outcomes(t, errs); got[""] != accounts {
					t.Fatalf("round %d: %d batches stored", round, got[""])
				}
				rep := must[*capacity.Report](t)(f.cap.UsageReport(ctx, f.distActor, capacity.ReportQuery{PartnerID: f.resellers[0].ID,
					From: day.Time(), To: day.Time()}))
				if len(rep.Rows) != 1 || !rep.Rows[0].PeakTB.Equal(tb("0.8")) || !rep.Rows[0].UsedTB.Equal(tb("0.8")) {
					t.Fatalf("round %d: report rows %+v: want one day at 0.8 TB peak and used (8 accounts × 0.1 TB)", round, rep.Rows)
				}
			}
		}},

		{name: "ConcurrentIngestionAndPurge", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "capacity.Store: the samples' foreign key holds a batch whose account is purged after its check")
			f := newCapacityFixture(t, h)
			f.allocate(t, 0, f.payg.ID, "0")
			res := f.resellerActor(0)
			var ids []string
			for i := range raceRounds {
				a := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: fmt.Sprintf("Doomed %d", i), QuotaTB: tb("1")}))
				must[*capacity.StorageAccount](t)(f.cap.DeleteStorageAccount(ctx, res, a.ID))
				ids = append(ids, a.ID)
			}
			f.advance(31 * 24 * time.Hour)
			const ingesters = 4
			for round, id := range ids {
				errs := Race(ingesters+1, func(i int) error {
					if i == ingesters {
						_, err := f.cap.PurgeDeletedStorageAccounts(ctx)
						return err
					}
					_, err := f.cap.IngestUsage(ctx, res, []capacity.Sample{{StorageAccountID: id,
						Timestamp: Epoch.Add(time.Duration(i+1) * time.Hour), Bytes: capacity.BytesPerTB / 10}})
					return err
				})
				Outcomes(t, errs[:ingesters], partnerkit.CodeInvalid) // stored before the purge, or refused: never internal
				if errs[ingesters] != nil {
					t.Fatalf("round %d: purge: %v", round, errs[ingesters])
				}
				if _, err := f.cap.IngestUsage(ctx, res, []capacity.Sample{{StorageAccountID: id, Timestamp: Epoch, Bytes: 1}}); partnerkit.ErrorCode(err) != partnerkit.CodeInvalid {
					t.Fatalf("round %d: a batch for the purged account: %v, want invalid", round, err)
				}
			}
		}},

		{name: "ConcurrentSubscriptionMoves", needs: forResellers, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "resellers.Store: optimistic versions on subscription moves")
			f := newResellersFixture(t, h)
			sub := f.order(t, "Racecar", "10")
			charges := func() int {
				l := must[partnerkit.List[resellers.Charge]](t)(f.rs.Charges(ctx, f.resellerActor, resellers.ChargeFilter{SubscriptionID: sub.ID}))
				return l.Total
			}
			ordered := charges()
			errs := Race(6, func(int) error {
				_, err := f.rs.Renew(ctx, f.resellerActor, sub.ID)
				return err
			})
			got := Outcomes(t, errs, partnerkit.CodeConflict)
			after := must[*resellers.Subscription](t)(f.rs.Subscription(ctx, f.resellerActor, sub.ID))
			wantEnd := sub.PeriodEnd
			for range got[""] {
				wantEnd = sub.BillingPeriod.After(wantEnd)
			}
			if got[""] == 0 || !after.PeriodEnd.Equal(wantEnd) || charges() != ordered*(1+got[""]) {
				t.Fatalf("%d renewals succeeded; period ends %s, want %s; %d charges, want %d",
					got[""], after.PeriodEnd, wantEnd, charges(), ordered*(1+got[""]))
			}
			errs = Race(6, func(int) error {
				_, err := f.rs.Stop(ctx, f.resellerActor, sub.ID)
				return err
			})
			if got := Outcomes(t, errs, partnerkit.CodeConflict); got[""] != 1 {
				t.Fatalf("%d stops of one active subscription succeeded, want 1", got[""])
			}
			hist := must[[]resellers.Event](t)(f.rs.History(ctx, f.resellerActor, sub.ID))
			stops := 0
			for _, ev := range hist {
				if ev.Type == resellers.EventStopped {
					stops++
				}
			}
			if stops != 1 {
				t.Fatalf("history has %d stops, want 1", stops)
			}
		}},

		{name: "ConcurrentClientDeletionAndOrders", needs: forResellers, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "resellers.Store: LockClient orders client deletion and new subscriptions")
			f := newResellersFixture(t, h)
			deleted := resellers.ClientDeleted
			for round := range raceRounds / 2 {
				client := must[*resellers.Client](t)(f.rs.CreateClient(ctx, f.resellerActor, resellers.ClientInput{Name: fmt.Sprintf("Fickle %d", round)}))
				errs := Race(5, func(i int) error {
					if i == 0 {
						_, err := f.rs.UpdateClient(ctx, f.resellerActor, client.ID, resellers.ClientUpdate{Status: &deleted})
						return err
					}
					_, err := f.rs.Order(ctx, f.resellerActor, resellers.OrderInput{ClientID: client.ID, ServiceID: f.service.ID,
						PlanID: f.service.Plans[0].ID, Resources: []resellers.AmountInput{{Name: "mailboxes", Amount: tb("1")}}})
					return err
				})
				Outcomes(t, errs, partnerkit.CodeConflict)
				c := must[*resellers.Client](t)(f.rs.Client(ctx, f.resellerActor, client.ID))
				subs := must[partnerkit.List[resellers.Subscription]](t)(f.rs.Subscriptions(ctx, f.resellerActor,
					resellers.SubscriptionFilter{ClientID: client.ID, Status: resellers.StatusActive}))
				if c.Status == resellers.ClientDeleted && subs.Total > 0 {
					t.Fatalf("round %d: deleted client %s has %d active subscriptions", round, c.ID, subs.Total)
				}
			}
		}},

		{name: "ConcurrentContractMoves", needs: forContracts, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "contracts.Store: optimistic versions on contract moves")
			f := newContractsFixture(t, h)
			for round := range raceRounds / 2 {
				c := f.contract(t, f.reseller)
				errs := Race(4, func(i int) error {
					var err error
					if i%2 == 0 {
						_, err = f.con.Sign(ctx, f.admin, c.ID)
					} else {
						_, err = f.con.Reject(ctx, f.admin, c.ID)
					}
					return err
				})
				if got := Outcomes(t, errs, partnerkit.CodeConflict); got[""] != 1 {
					t.Fatalf("round %d: %d moves from pending succeeded, want 1", round, got[""])
				}
				events := must[[]contracts.Event](t)(f.con.Events(ctx, f.admin, c.ID))
				if len(events) != 2 { // created, then the one move
					t.Fatalf("round %d: %d events, want 2", round, len(events))
				}
			}
		}},

		{name: "ConcurrentDistributionOnePerMarketplace", needs: forContracts, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "contracts.Store: the partial unique index of open distribution contracts")
			f := newContractsFixture(t, h)
			errs := Race(6, func(int) error {
				_, err := f.con.Create(ctx, f.admin, contracts.CreateInput{PartnerID: f.vendor.ID, AgreementID: f.distribution.ID,
					MarketplaceID: f.marketplace.ID})
				return err
			})
			if got := Outcomes(t, errs, partnerkit.CodeConflict); got[""] != 1 {
				t.Fatalf("%d distribution contracts on one marketplace, want 1", got[""])
			}
			for _, err := range errs {
				if err != nil {
					wantField(t, err, partnerkit.CodeConflict, "marketplace_id")
				}
			}
		}},

		{name: "ConcurrentPublishVersions", needs: forContracts, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "agreements.Store: the (agreement, number) key and the agreement's version")
			f := newContractsFixture(t, h)
			errs := Race(6, func(i int) error {
				_, err := f.agr.Publish(ctx, f.admin, f.program.ID, agreements.DocumentInput{Kind: agreements.DocumentURL,
					URL: fmt.Sprintf("https://docs.example/v%d", i)})
				return err
			})
			got := Outcomes(t, errs, partnerkit.CodeConflict)
			vs := must[[]agreements.Version](t)(f.agr.Versions(ctx, f.admin, f.program.ID))
			a := must[*agreements.Agreement](t)(f.agr.Get(ctx, f.admin, f.program.ID))
			for i, v := range vs {
				if v.Number != i+1 {
					t.Fatalf("versions %+v are not numbered 1..%d", vs, len(vs))
				}
			}
			if got[""] == 0 || len(vs) != 1+got[""] || a.CurrentVersion != len(vs) {
				t.Fatalf("%d publishes succeeded; %d versions, current %d", got[""], len(vs), a.CurrentVersion)
			}
		}},

		{name: "ConcurrentProductDeletionAndListing", needs: forListings, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "listings.Store: the listings' foreign key to products")
			f := newListingsFixture(t, h)
			f.activeDistribution(t, f.marketplace)
			for round := range raceRounds / 2 {
				p := f.product(t, fmt.Sprintf("Fleeting %d", round))
				errs := Race(2, func(i int) error {
					if i == 0 {
						return f.lst.DeleteProduct(ctx, f.admin, p.ID)
					}
					_, err := f.lst.CreateListing(ctx, f.admin, listings.ListingInput{ProductID: p.ID, MarketplaceID: f.marketplace.ID})
					return err
				})
				Outcomes(t, errs, partnerkit.CodeConflict, partnerkit.CodeNotFound, partnerkit.CodeInvalid)
				_, err := f.lst.GetProduct(ctx, f.admin, p.ID)
				gone := partnerkit.ErrorCode(err) == partnerkit.CodeNotFound
				if gone == (errs[0] != nil) || gone && errs[1] == nil {
					t.Fatalf("round %d: product deleted %v (err %v), listing err %v", round, gone, errs[0], errs[1])
				}
			}
		}},
	}, slices.Concat(scheduledConcurrencyTests(), ifVersionTests())...)}
}

// lastAuditAt returns when the newest audit event of action on entityID happened.
func lastAuditAt(t *testing.T, e *partnersEnv, entityID, action string) time.Time {
	t.Helper()
	trail := must[partnerkit.List[partnerkit.AuditEvent]](t)(e.svc.AuditTrail(context.Background(), e.admin, entityID,
		partnerkit.Page{Limit: partnerkit.MaxLimit}))
	for i := len(trail.Items) - 1; i >= 0; i-- {
		if trail.Items[i].Action == action {
			return trail.Items[i].At
		}
	}
	t.Fatalf("no %s event for %s in %+v", action, entityID, trail.Items)
	return time.Time{}
}

func must2[A, B any](t *testing.T) func(a A, b B, err error) (A, B) {
	return func(a A, b B, err error) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}
