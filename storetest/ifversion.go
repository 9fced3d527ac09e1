package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/webhooks"
)

// ifVersionCase is one write that HTTP's If-Match conditions on a
// resource's version (partnerkit.IfVersion): fresh makes a new resource
// and returns its ID, its version and two actions on it (the racers of a
// round: the same action twice, or two that change it differently).
type ifVersionCase struct {
	name, guarantee string
	needs           need
	setup           func(t *testing.T, h Harness) func(t *testing.T, round int) (id string, version int, act [2]func(ctx context.Context) error)
	// gone is set when an action removes the resource: a racer that comes
	// second may then find nothing (not_found) instead of another version.
	gone bool
	// unchanged is set when the actions do not change the resource: no
	// race, only that a stale version is refused and the current one is not.
	unchanged bool
}

func ignore[T any](_ T, err error) error { return err }

func either[T any](first bool, a, b T) T {
	if first {
		return a
	}
	return b
}

// ifVersionCases are the writes of every domain that If-Match conditions
// (app/api's resourceOf routes, by the service each calls).
func ifVersionCases() []ifVersionCase {
	return []ifVersionCase{
		{name: "PartnerSuspendAndReactivate", needs: forPartners,
			guarantee: "partners.Store: UpdateAccount … WHERE version = ? after the version check",
			setup: func(t *testing.T, h Harness) func(*testing.T, int) (string, int, [2]func(context.Context) error) {
				e := newPartnersEnv(t, h)
				return func(t *testing.T, round int) (string, int, [2]func(context.Context) error) {
					p := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: fmt.Sprintf("Conditional %d", round)})
					suspend := func(ctx context.Context) error { return ignore(e.svc.SuspendPartner(ctx, e.admin, p.ID)) }
					rename := func(ctx context.Context) error {
						name := fmt.Sprintf("Renamed %d", round)
						return ignore(e.svc.UpdatePartner(ctx, e.admin, p.ID, partners.UpdatePartnerInput{Name: &name}))
					}
					return p.ID, p.Version, [2]func(context.Context) error{suspend, either(round%2 == 0, suspend, rename)}
				}
			}},
		{name: "PartnerDelete", needs: forPartners, gone: true,
			guarantee: "partners.Store: LockAccount before the version check of a deletion",
			setup: func(t *testing.T, h Harness) func(*testing.T, int) (string, int, [2]func(context.Context) error) {
				e := newPartnersEnv(t, h)
				return func(t *testing.T, round int) (string, int, [2]func(context.Context) error) {
					p := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: fmt.Sprintf("Doomed %d", round)})
					return p.ID, p.Version, [2]func(context.Context) error{
						func(ctx context.Context) error { return e.svc.DeletePartner(ctx, e.admin, p.ID) },
						func(ctx context.Context) error { return ignore(e.svc.SuspendPartner(ctx, e.admin, p.ID)) },
					}
				}
			}},
		{name: "AgreementUpdate", needs: forAgreements,
			guarantee: "agreements.Store: UpdateAgreement … WHERE version = ? after the version check",
			setup: func(t *testing.T, h Harness) func(*testing.T, int) (string, int, [2]func(context.Context) error) {
				e := newPartnersEnv(t, h)
				return func(t *testing.T, round int) (string, int, [2]func(context.Context) error) {
					a := must[*agreements.Agreement](t)(e.agr.Create(context.Background(), e.admin,
						agreements.CreateInput{Type: agreements.TypeProgram, Name: fmt.Sprintf("Program %d", round)}))
					update := func(i int) func(context.Context) error {
						return func(ctx context.Context) error {
							d := fmt.Sprintf("Edited by %d", i)
							return ignore(e.agr.Update(ctx, e.admin, a.ID, agreements.UpdateInput{Description: &d}))
						}
					}
					return a.ID, a.Version, [2]func(context.Context) error{update(0), update(1)}
				}
			}},
		{name: "ContractSignAndReject", needs: forContracts,
			guarantee: "contracts.Store: UpdateContract … WHERE version = ? after the version check",
			setup: func(t *testing.T, h Harness) func(*testing.T, int) (string, int, [2]func(context.Context) error) {
				f := newContractsFixture(t, h)
				return func(t *testing.T, round int) (string, int, [2]func(context.Context) error) {
					c := f.contract(t, f.reseller)
					sign := func(ctx context.Context) error { return ignore(f.con.Sign(ctx, f.admin, c.ID)) }
					reject := func(ctx context.Context) error { return ignore(f.con.Reject(ctx, f.admin, c.ID)) }
					return c.ID, c.Version, [2]func(context.Context) error{sign, either(round%2 == 0, sign, reject)}
				}
			}},
		{name: "DealDecisions", needs: forCapacity,
			guarantee: "capacity.Store: UpdateDeal … WHERE version = ? after the version check",
			setup: func(t *testing.T, h Harness) func(*testing.T, int) (string, int, [2]func(context.Context) error) {
				f := newCapacityFixture(t, h)
				size := tb("10")
				return func(t *testing.T, round int) (string, int, [2]func(context.Context) error) {
					d := must[*capacity.Deal](t)(f.cap.RegisterDeal(context.Background(), f.resellerActor(0),
						capacity.DealInput{CustomerName: fmt.Sprintf("Customer %d", round), ExpectedTB: &size, CloseDate: "2026-06-01"}))
					return d.ID, d.Version, [2]func(context.Context) error{
						func(ctx context.Context) error { return ignore(f.cap.ApproveDeal(ctx, f.distActor, d.ID, "fine")) },
						func(ctx context.Context) error { return ignore(f.cap.RejectDeal(ctx, f.distActor, d.ID, "too small")) },
					}
				}
			}},
		{name: "StorageAccountDeletion", needs: forCapacity,
			guarantee: "capacity.Store: UpdateStorageAccount … WHERE version = ? after the version check",
			setup: func(t *testing.T, h Harness) func(*testing.T, int) (string, int, [2]func(context.Context) error) {
				f := newCapacityFixture(t, h)
				f.allocate(t, 0, f.payg.ID, "0")
				res := f.resellerActor(0)
				return func(t *testing.T, round int) (string, int, [2]func(context.Context) error) {
					a := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(context.Background(), res,
						capacity.StorageAccountInput{Name: fmt.Sprintf("Bucket %d", round), QuotaTB: tb("1")}))
					del := func(ctx context.Context) error { return ignore(f.cap.DeleteStorageAccount(ctx, res, a.ID)) }
					rename := func(ctx context.Context) error {
						name := fmt.Sprintf("Renamed %d", round)
						return ignore(f.cap.UpdateStorageAccount(ctx, res, a.ID, capacity.StorageAccountUpdate{Name: &name}))
					}
					return a.ID, a.Version, [2]func(context.Context) error{del, either(round%2 == 0, del, rename)}
				}
			}},
		{name: "TransferReadsThePartner", needs: forCapacity, unchanged: true,
			setup: func(t *testing.T, h Harness) func(*testing.T, int) (string, int, [2]func(context.Context) error) {
				f := newCapacityFixture(t, h)
				return func(t *testing.T, round int) (string, int, [2]func(context.Context) error) {
					p := f.resellers[1]
					from, to := either(round%2 == 0, f.c100, f.c50), either(round%2 == 0, f.c50, f.c100)
					if round == 0 {
						f.allocate(t, 1, from.ID, "1")
					}
					p = must[*partners.Account](t)(f.svc.GetPartner(context.Background(), f.distActor, p.ID))
					return p.ID, p.Version, [2]func(context.Context) error{
						func(ctx context.Context) error { return ignore(f.cap.Transfer(ctx, f.distActor, p.ID, to.ID)) }}
				}
			}},
		{name: "ProductDeleteAndUpdate", needs: forListings, gone: true,
			guarantee: "listings.Store: an unchanged UpdateProduct … WHERE version = ? before DeleteProduct",
			setup: func(t *testing.T, h Harness) func(*testing.T, int) (string, int, [2]func(context.Context) error) {
				f := newListingsFixture(t, h)
				return func(t *testing.T, round int) (string, int, [2]func(context.Context) error) {
					p := f.product(t, fmt.Sprintf("Product %d", round))
					del := func(ctx context.Context) error { return f.lst.DeleteProduct(ctx, f.admin, p.ID) }
					rename := func(ctx context.Context) error {
						name := fmt.Sprintf("Renamed %d", round)
						return ignore(f.lst.UpdateProduct(ctx, f.admin, p.ID, listings.UpdateProductInput{Name: &name}))
					}
					return p.ID, p.Version, [2]func(context.Context) error{del, either(round%2 == 0, del, rename)}
				}
			}},
		{name: "SubscriptionMoves", needs: forResellers,
			guarantee: "resellers.Store: UpdateSubscription … WHERE version = ? after the version check",
			setup: func(t *testing.T, h Harness) func(*testing.T, int) (string, int, [2]func(context.Context) error) {
				f := newResellersFixture(t, h)
				return func(t *testing.T, round int) (string, int, [2]func(context.Context) error) {
					sub := f.order(t, fmt.Sprintf("Client%d", round), "10")
					stop := func(ctx context.Context) error { return ignore(f.rs.Stop(ctx, f.resellerActor, sub.ID)) }
					renew := func(ctx context.Context) error { return ignore(f.rs.Renew(ctx, f.resellerActor, sub.ID)) }
					return sub.ID, sub.Version, [2]func(context.Context) error{renew, either(round%2 == 0, renew, stop)}
				}
			}},
		{name: "WebhookEndpointChanges", needs: forWebhooks, gone: true,
			guarantee: "webhooks.Store: UpdateEndpoint … WHERE version after the version check, and before DeleteEndpoint",
			setup: func(t *testing.T, h Harness) func(*testing.T, int) (string, int, [2]func(context.Context) error) {
				f := newWebhooksFixture(t, h)
				admin := partnerkit.Actor{AccountID: f.dist.ID, Role: partnerkit.RoleAdmin}
				return func(t *testing.T, round int) (string, int, [2]func(context.Context) error) {
					e := must[*webhooks.CreatedEndpoint](t)(f.wh.CreateEndpoint(context.Background(), admin,
						webhooks.EndpointInput{URL: fmt.Sprintf("https://erp%d.example.com/hook", round)}))
					rotate := func(ctx context.Context) error {
						return ignore(f.wh.RotateSecret(ctx, admin, e.ID, webhooks.RotateInput{}))
					}
					del := func(ctx context.Context) error { return f.wh.DeleteEndpoint(ctx, admin, e.ID) }
					return e.ID, e.Version, [2]func(context.Context) error{rotate, either(round%2 == 0, rotate, del)}
				}
			}},
		{name: "WebhookTestReadsTheEndpoint", needs: forWebhooks, unchanged: true,
			setup: func(t *testing.T, h Harness) func(*testing.T, int) (string, int, [2]func(context.Context) error) {
				f := newWebhooksFixture(t, h)
				admin := partnerkit.Actor{AccountID: f.dist.ID, Role: partnerkit.RoleAdmin}
				return func(t *testing.T, round int) (string, int, [2]func(context.Context) error) {
					e := must[*webhooks.CreatedEndpoint](t)(f.wh.CreateEndpoint(context.Background(), admin,
						webhooks.EndpointInput{URL: fmt.Sprintf("https://test%d.example.com/hook", round)}))
					return e.ID, e.Version, [2]func(context.Context) error{
						func(ctx context.Context) error { return ignore(f.wh.SendTest(ctx, admin, e.ID)) }}
				}
			}},
	}
}

// ifVersionTests are the tests of If-Match's guarantee on every store: a
// write conditioned on a version other than the resource's is refused
// with precondition_failed and changes nothing, and of two writes
// conditioned on one version, racing, exactly one wins and the other gets
// precondition_failed (or not_found, after a removal) — the loser never
// overwrites the winner, as a check before the write would let it.
func ifVersionTests() []test {
	var out []test
	for _, c := range ifVersionCases() {
		out = append(out, test{name: "ConcurrentIfVersion" + c.name, needs: c.needs, fn: func(t *testing.T, h Harness) {
			if !c.unchanged {
				guarantee(t, h, c.guarantee)
			}
			fresh := c.setup(t, h)
			rounds := raceRounds
			if c.unchanged {
				rounds = 2
			}
			for round := range rounds {
				id, version, act := fresh(t, round)
				stale := partnerkit.IfVersion(context.Background(), id, version+1, version+7)
				if err := act[0](stale); partnerkit.ErrorCode(err) != partnerkit.CodePreconditionFailed {
					t.Fatalf("round %d: a stale version: %v, want precondition_failed", round, err)
				}
				if c.unchanged {
					if err := act[0](partnerkit.IfVersion(context.Background(), id, version)); err != nil {
						t.Fatalf("round %d: the current version: %v", round, err)
					}
					continue
				}
				errs := Race(2, func(i int) error {
					return act[i](partnerkit.IfVersion(context.Background(), id, version)) // each request its own context
				})
				allowed := []partnerkit.Code{partnerkit.CodePreconditionFailed}
				if c.gone {
					allowed = append(allowed, partnerkit.CodeNotFound)
				}
				if got := Outcomes(t, errs, allowed...); got[""] != 1 {
					t.Fatalf("round %d: %d of two writes conditioned on version %d succeeded (%v), want 1", round, got[""], version, errs)
				}
			}
		}})
	}
	return out
}
