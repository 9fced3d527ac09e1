package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/partnerkit/partnerkit/wiring"
)

// webhooksFixture is the partners environment (a root provider and its
// admin) with a distributor, a reseller under it and a sibling
// distributor, the webhooks store and a webhooks service on the same
// database whose scheduler records the attempts it is given.
type webhooksFixture struct {
	*partnersEnv
	hooks                  webhooks.Store
	wh                     *webhooks.Service
	jobs                   *jobLog
	clock                  partnerkit.Clock
	dist, reseller, sister *partners.Account
}

// jobLog is a webhooks.Scheduler that records the jobs it is given.
type jobLog struct {
	mu   sync.Mutex
	jobs []webhooks.AttemptJob
}

// ScheduleAttempt implements webhooks.Scheduler.
func (j *jobLog) ScheduleAttempt(_ context.Context, job webhooks.AttemptJob) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.jobs = append(j.jobs, job)
	return nil
}

func (j *jobLog) count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.jobs)
}

func newWebhooksFixture(t *testing.T, h Harness) *webhooksFixture {
	t.Helper()
	e := newPartnersEnv(t, h)
	declared(t, e.stores, forWebhooks)
	// Times with microseconds, which every store must keep.
	clock := partnerkit.Clock(TickingClock(Epoch.Add(time.Hour + 654321*time.Microsecond)))
	jobs := &jobLog{}
	services := wired(t, e.stores, wiring.Options{Clock: clock, Hasher: CheapHasher,
		Webhooks: []webhooks.Option{webhooks.WithScheduler(jobs)}})
	f := &webhooksFixture{partnersEnv: e, hooks: e.stores.Webhooks, wh: services.Webhooks, jobs: jobs, clock: clock}
	f.dist = e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Hook Distribution"})
	f.sister = e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Sister Distribution"})
	f.reseller = e.create(t, partnerkit.Actor{AccountID: f.dist.ID, Role: partnerkit.RoleAdmin},
		partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Hook Reseller"})
	return f
}

// endpoint stores an enabled endpoint of an account, receiving types
// (every type when none), with a first secret, at the fixture's next tick.
func (f *webhooksFixture) endpoint(t *testing.T, accountID string, types ...string) *webhooks.Endpoint {
	t.Helper()
	return f.endpointAt(t, accountID, f.clock.Now(), types...)
}

func (f *webhooksFixture) endpointAt(t *testing.T, accountID string, at time.Time, types ...string) *webhooks.Endpoint {
	t.Helper()
	id := partnerkit.NewID(webhooks.PrefixEndpoint)
	e := &webhooks.Endpoint{ID: id, AccountID: accountID, URL: "https://hooks.example.com/" + id, Description: "ERP of " + accountID,
		EventTypes: types, Enabled: true, SecretHint: "…" + id[len(id)-4:], CreatedAt: at, UpdatedAt: at, Version: 1}
	noErr(t, f.hooks.CreateEndpoint(context.Background(), e, &webhooks.Secret{EndpointID: id, Value: "whsec_first_" + id, CreatedAt: at}))
	return e
}

// delivery returns a new pending delivery of an event to an endpoint,
// created at the fixture's next tick (not stored).
func (f *webhooksFixture) delivery(e *webhooks.Endpoint, eventID string) *webhooks.Delivery {
	return newTestDelivery(e, eventID, f.clock.Now())
}

func newTestDelivery(e *webhooks.Endpoint, eventID string, at time.Time) *webhooks.Delivery {
	next := at
	return &webhooks.Delivery{ID: partnerkit.NewID(webhooks.PrefixDelivery), EndpointID: e.ID, AccountID: e.AccountID,
		EventID: eventID, EventType: "partner.updated", Status: webhooks.DeliveryPending, NextAttemptAt: &next,
		// Bytes exactly as sent: spacing and key order are kept.
		Payload:   json.RawMessage(`{"id": "` + eventID + `",  "type":"partner.updated", "data":{"é":1}}`),
		CreatedAt: at, UpdatedAt: at}
}

// store stores deliveries and fails unless all were inserted.
func (f *webhooksFixture) store(t *testing.T, ds ...*webhooks.Delivery) {
	t.Helper()
	got := must[[]*webhooks.Delivery](t)(f.hooks.CreateDeliveries(context.Background(), ds))
	if len(got) != len(ds) {
		t.Fatalf("%d of %d new deliveries inserted", len(got), len(ds))
	}
}

func newEventID() string { return partnerkit.NewID(partnerkit.PrefixEvent) }

// sameTime reports whether a stored time equals the one given, in UTC.
func sameTime(got, want time.Time) bool { return got.Equal(want) && got.Location() == time.UTC }

func sameTimePtr(got, want *time.Time) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	return sameTime(*got, *want)
}

// endpointDiff says how a stored endpoint differs from want ("" when not).
func endpointDiff(got *webhooks.Endpoint, want *webhooks.Endpoint) string {
	switch {
	case got.ID != want.ID || got.AccountID != want.AccountID || got.URL != want.URL || got.Description != want.Description ||
		got.Enabled != want.Enabled || got.DisabledReason != want.DisabledReason || got.SecretHint != want.SecretHint ||
		got.Version != want.Version:
		return fmt.Sprintf("got %+v, want %+v", *got, *want)
	case !slices.Equal(got.EventTypes, want.EventTypes) && (len(got.EventTypes) != 0 || len(want.EventTypes) != 0):
		return fmt.Sprintf("event types %q, want %q", got.EventTypes, want.EventTypes)
	case !sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.UpdatedAt, want.UpdatedAt):
		return fmt.Sprintf("times %v %v, want %v %v (UTC)", got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	return ""
}

// deliveryDiff says how a stored delivery differs from want ("" when not).
func deliveryDiff(got *webhooks.Delivery, want *webhooks.Delivery) string {
	switch {
	case got.ID != want.ID || got.EndpointID != want.EndpointID || got.AccountID != want.AccountID || got.EventID != want.EventID ||
		got.EventType != want.EventType || got.Test != want.Test || got.Status != want.Status || got.Attempts != want.Attempts ||
		got.LastStatusCode != want.LastStatusCode || got.LastError != want.LastError:
		return fmt.Sprintf("got %+v, want %+v", *got, *want)
	case string(got.Payload) != string(want.Payload):
		return fmt.Sprintf("payload %s, want %s", got.Payload, want.Payload)
	case !sameTimePtr(got.NextAttemptAt, want.NextAttemptAt):
		return fmt.Sprintf("next attempt %v, want %v", got.NextAttemptAt, want.NextAttemptAt)
	case !sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.UpdatedAt, want.UpdatedAt):
		return fmt.Sprintf("times %v %v, want %v %v (UTC)", got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	return ""
}

func endpointIDs(es []webhooks.Endpoint) []string {
	ids := make([]string, len(es))
	for i := range es {
		ids[i] = es[i].ID
	}
	return ids
}

func deliveryIDs(ds []webhooks.Delivery) []string {
	ids := make([]string, len(ds))
	for i := range ds {
		ids[i] = ds[i].ID
	}
	return ids
}

func secretValues(xs []webhooks.Secret) []string {
	out := make([]string, len(xs))
	for i := range xs {
		out[i] = xs[i].Value
	}
	return out
}

// webhooksSuite is the table of webhooks.Store's conformance tests: every
// method on the store directly, the service's endpoint lifecycle, and one
// Concurrent… test per rule of the store's Concurrency section.
func webhooksSuite() suite {
	ctx := context.Background()
	return suite{tests: []test{
		{name: "EndpointRoundTrip", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			e := f.endpoint(t, f.dist.ID, "partner.created", "contract.signed")
			got := must[*webhooks.Endpoint](t)(f.hooks.GetEndpoint(ctx, e.ID))
			if diff := endpointDiff(got, e); diff != "" {
				t.Fatal(diff)
			}
			all := f.endpoint(t, f.dist.ID)
			if got := must[*webhooks.Endpoint](t)(f.hooks.GetEndpoint(ctx, all.ID)); len(got.EventTypes) != 0 || !got.Receives("deal.won") {
				t.Fatalf("an endpoint of every type reads back with types %q", got.EventTypes)
			}
			_, err := f.hooks.GetEndpoint(ctx, partnerkit.NewID(webhooks.PrefixEndpoint))
			wantCode(t, err, partnerkit.CodeNotFound)
			// The same ID twice is a conflict.
			err = f.hooks.CreateEndpoint(ctx, e, &webhooks.Secret{EndpointID: e.ID, Value: "whsec_other", CreatedAt: e.CreatedAt})
			wantCode(t, err, partnerkit.CodeConflict)
			// A rolled-back transaction leaves nothing.
			boom := errors.New("boom")
			var gone *webhooks.Endpoint
			err = f.hooks.InTx(ctx, func(ctx context.Context) error {
				id := partnerkit.NewID(webhooks.PrefixEndpoint)
				now := f.clock.Now()
				gone = &webhooks.Endpoint{ID: id, AccountID: f.dist.ID, URL: "https://x.example.com", Enabled: true, CreatedAt: now, UpdatedAt: now, Version: 1}
				if err := f.hooks.CreateEndpoint(ctx, gone, &webhooks.Secret{EndpointID: id, Value: "whsec_gone", CreatedAt: now}); err != nil {
					return err
				}
				if _, err := f.hooks.GetEndpoint(ctx, id); err != nil {
					return err // the transaction sees its own write
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx returned %v", err)
			}
			_, err = f.hooks.GetEndpoint(ctx, gone.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			if n := must[int](t)(f.hooks.LockAccountEndpoints(ctx, f.dist.ID)); n != 2 {
				t.Fatalf("LockAccountEndpoints counts %d, want 2", n)
			}
		}},

		{name: "ListEndpointsPaging", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			var want []*webhooks.Endpoint
			shared := f.clock.Now()
			for i := range 6 {
				if i == 2 || i == 3 {
					want = append(want, f.endpointAt(t, f.dist.ID, shared)) // a tie, broken by ID
					continue
				}
				want = append(want, f.endpoint(t, f.dist.ID))
				f.endpoint(t, f.sister.ID)
			}
			slices.SortStableFunc(want, func(a, b *webhooks.Endpoint) int {
				if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
					return c
				}
				return strings.Compare(a.ID, b.ID)
			})
			wantIDs := make([]string, len(want))
			for i, e := range want {
				wantIDs[i] = e.ID
			}
			var paged []string
			for off := 0; off < 8; off += 4 {
				items, total := must2[[]webhooks.Endpoint, int](t)(f.hooks.ListEndpoints(ctx, webhooks.EndpointQuery{AccountID: f.dist.ID, Limit: 4, Offset: off}))
				if total != 6 {
					t.Fatalf("offset %d: total %d, want 6", off, total)
				}
				paged = append(paged, endpointIDs(items)...)
			}
			if !slices.Equal(paged, wantIDs) {
				t.Fatalf("pages %v, want oldest first %v", paged, wantIDs)
			}
			all, total := must2[[]webhooks.Endpoint, int](t)(f.hooks.ListEndpoints(ctx, webhooks.EndpointQuery{AccountID: f.dist.ID}))
			if !slices.Equal(endpointIDs(all), wantIDs) || total != 6 {
				t.Fatalf("no limit: %v of %d", endpointIDs(all), total)
			}
			for i := range all {
				if diff := endpointDiff(&all[i], want[i]); diff != "" {
					t.Fatal(diff)
				}
			}
			past, total := must2[[]webhooks.Endpoint, int](t)(f.hooks.ListEndpoints(ctx, webhooks.EndpointQuery{AccountID: f.dist.ID, Limit: 10, Offset: 50}))
			if len(past) != 0 || total != 6 {
				t.Fatalf("past the end: %d of %d", len(past), total)
			}
			if _, total := must2[[]webhooks.Endpoint, int](t)(f.hooks.ListEndpoints(ctx, webhooks.EndpointQuery{AccountID: f.reseller.ID})); total != 0 {
				t.Fatalf("an account without endpoints lists %d", total)
			}
			if n := must[int](t)(f.hooks.LockAccountEndpoints(ctx, f.sister.ID)); n != 4 {
				t.Fatalf("LockAccountEndpoints counts %d of the sister's 4", n)
			}
		}},

		{name: "UpdateEndpointVersion", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			e := f.endpoint(t, f.dist.ID)
			next := *e
			next.URL, next.Description, next.EventTypes = "https://erp.example.com/v2", "new", []string{"deal.won"}
			next.Enabled, next.DisabledReason, next.SecretHint, next.UpdatedAt = false, webhooks.DisabledManually, "…zzzz", f.clock.Now()
			noErr(t, f.hooks.UpdateEndpoint(ctx, &next))
			if next.Version != 2 {
				t.Fatalf("version after update %d, want 2", next.Version)
			}
			got := must[*webhooks.Endpoint](t)(f.hooks.GetEndpoint(ctx, e.ID))
			if diff := endpointDiff(got, &next); diff != "" {
				t.Fatal(diff)
			}
			stale := *e // version 1
			stale.Description = "stale"
			wantCode(t, f.hooks.UpdateEndpoint(ctx, &stale), partnerkit.CodeConflict)
			if stale.Version != 1 {
				t.Fatalf("a failed update moved the version to %d", stale.Version)
			}
			if got := must[*webhooks.Endpoint](t)(f.hooks.GetEndpoint(ctx, e.ID)); got.Description != "new" || got.Version != 2 {
				t.Fatalf("a stale update wrote %+v", got)
			}
			missing := next
			missing.ID = partnerkit.NewID(webhooks.PrefixEndpoint)
			wantCode(t, f.hooks.UpdateEndpoint(ctx, &missing), partnerkit.CodeNotFound)
		}},

		{name: "DisableEndpointOnce", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			e := f.endpoint(t, f.dist.ID)
			at := f.clock.Now()
			if changed := must[bool](t)(f.hooks.DisableEndpoint(ctx, e.ID, webhooks.DisabledFailing, at)); !changed {
				t.Fatal("disabling an enabled endpoint reported no change")
			}
			want := *e
			want.Enabled, want.DisabledReason, want.UpdatedAt, want.Version = false, webhooks.DisabledFailing, at, 2
			got := must[*webhooks.Endpoint](t)(f.hooks.GetEndpoint(ctx, e.ID))
			if diff := endpointDiff(got, &want); diff != "" {
				t.Fatal(diff)
			}
			if changed := must[bool](t)(f.hooks.DisableEndpoint(ctx, e.ID, webhooks.DisabledManually, f.clock.Now())); changed {
				t.Fatal("disabling a disabled endpoint reported a change")
			}
			if got := must[*webhooks.Endpoint](t)(f.hooks.GetEndpoint(ctx, e.ID)); endpointDiff(got, &want) != "" {
				t.Fatalf("a second disable wrote %+v", got)
			}
			_, err := f.hooks.DisableEndpoint(ctx, partnerkit.NewID(webhooks.PrefixEndpoint), webhooks.DisabledFailing, at)
			wantCode(t, err, partnerkit.CodeNotFound)
		}},

		{name: "GetDeliveries", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			e := f.endpoint(t, f.dist.ID)
			a, b := f.delivery(e, newEventID()), f.delivery(e, newEventID())
			f.store(t, a, b)
			got := must[map[string]*webhooks.Delivery](t)(f.hooks.GetDeliveries(ctx, []string{a.ID, "WD-missing", b.ID}))
			if len(got) != 2 || got[a.ID] == nil || got[b.ID] == nil {
				t.Fatalf("GetDeliveries = %v: want the two stored deliveries, not the missing one", got)
			}
			one := must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, b.ID))
			if !reflect.DeepEqual(got[b.ID], one) {
				t.Fatalf("GetDeliveries has %+v, GetDelivery %+v", got[b.ID], one)
			}
			if got := must[map[string]*webhooks.Delivery](t)(f.hooks.GetDeliveries(ctx, nil)); len(got) != 0 {
				t.Fatalf("GetDeliveries(nil) = %v", got)
			}
		}},
		{name: "DeleteEndpointCascades", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			e, other := f.endpoint(t, f.dist.ID), f.endpoint(t, f.dist.ID)
			noErr(t, f.hooks.AddSecret(ctx, &webhooks.Secret{EndpointID: e.ID, Value: "whsec_second", CreatedAt: f.clock.Now()}))
			ev := newEventID()
			d, kept := f.delivery(e, ev), f.delivery(other, ev)
			f.store(t, d, kept)
			a := &webhooks.Attempt{DeliveryID: d.ID, Number: 1, At: f.clock.Now(), StatusCode: 500, Error: "answered 500, not 2xx"}
			d.Attempts, d.LastStatusCode, d.LastError = 1, 500, a.Error
			noErr(t, f.hooks.RecordAttempt(ctx, d, a))
			noErr(t, f.hooks.RecordAttempt(ctx, kept, &webhooks.Attempt{DeliveryID: kept.ID, Number: 1, At: f.clock.Now(), StatusCode: 204}))

			noErr(t, f.hooks.DeleteEndpoint(ctx, e.ID))
			_, err := f.hooks.GetEndpoint(ctx, e.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			_, err = f.hooks.GetDelivery(ctx, d.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			if got := must[[]webhooks.Attempt](t)(f.hooks.Attempts(ctx, d.ID)); len(got) != 0 {
				t.Fatalf("%d attempts of a deleted endpoint's delivery remain", len(got))
			}
			if got := must[[]webhooks.Secret](t)(f.hooks.LiveSecrets(ctx, e.ID, f.clock.Now())); len(got) != 0 {
				t.Fatalf("%d secrets of a deleted endpoint remain", len(got))
			}
			if _, total := must2[[]webhooks.Delivery, int](t)(f.hooks.ListDeliveries(ctx, webhooks.DeliveryQuery{EndpointID: e.ID})); total != 0 {
				t.Fatalf("%d deliveries of a deleted endpoint remain", total)
			}
			// The other endpoint keeps everything.
			must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, kept.ID))
			if got := must[[]webhooks.Attempt](t)(f.hooks.Attempts(ctx, kept.ID)); len(got) != 1 {
				t.Fatalf("the other endpoint's delivery has %d attempts, want 1", len(got))
			}
			if got := must[[]webhooks.Secret](t)(f.hooks.LiveSecrets(ctx, other.ID, f.clock.Now())); len(got) != 1 {
				t.Fatalf("the other endpoint has %d secrets, want 1", len(got))
			}
			wantCode(t, f.hooks.DeleteEndpoint(ctx, e.ID), partnerkit.CodeNotFound)
			// A deleted endpoint gets no new delivery or secret.
			_, err = f.hooks.CreateDeliveries(ctx, []*webhooks.Delivery{f.delivery(e, newEventID())})
			wantCode(t, err, partnerkit.CodeConflict)
			err = f.hooks.AddSecret(ctx, &webhooks.Secret{EndpointID: e.ID, Value: "whsec_late", CreatedAt: f.clock.Now()})
			wantCode(t, err, partnerkit.CodeConflict)
		}},

		{name: "EndpointsKeepTheirPartner", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			p := f.create(t, f.admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Hooked Vendor"})
			e := f.endpoint(t, p.ID)
			deps := must[map[string]int](t)(f.partnersEnv.store.Dependents(ctx, p.ID))
			n := 0
			for _, c := range deps {
				n += c
			}
			if n != 1 {
				t.Fatalf("dependents of a partner with one endpoint: %v, want one", deps)
			}
			wantCode(t, f.svc.DeletePartner(ctx, f.admin, p.ID), partnerkit.CodeConflict)
			noErr(t, f.hooks.DeleteEndpoint(ctx, e.ID))
			noErr(t, f.svc.DeletePartner(ctx, f.admin, p.ID))
		}},

		{name: "SecretsExpiryAndOrder", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			e, other := f.endpoint(t, f.dist.ID), f.endpoint(t, f.dist.ID)
			first := "whsec_first_" + e.ID
			// Rotation: the current secret expires at x, a new one has none.
			x := f.clock.Now().Add(time.Hour)
			noErr(t, f.hooks.ExpireSecrets(ctx, e.ID, x))
			second := webhooks.Secret{EndpointID: e.ID, Value: "whsec_second", CreatedAt: f.clock.Now()}
			noErr(t, f.hooks.AddSecret(ctx, &second))
			wantCode(t, f.hooks.AddSecret(ctx, &second), partnerkit.CodeConflict)
			live := must[[]webhooks.Secret](t)(f.hooks.LiveSecrets(ctx, e.ID, x.Add(-time.Microsecond)))
			if !slices.Equal(secretValues(live), []string{"whsec_second", first}) {
				t.Fatalf("live before the expiry: %q, want newest first", secretValues(live))
			}
			if live[0].ExpiresAt != nil || live[1].ExpiresAt == nil || !sameTime(*live[1].ExpiresAt, x) ||
				!sameTime(live[0].CreatedAt, second.CreatedAt) || live[1].EndpointID != e.ID {
				t.Fatalf("secrets %+v", live)
			}
			// At its expiry a secret no longer signs.
			if live := must[[]webhooks.Secret](t)(f.hooks.LiveSecrets(ctx, e.ID, x)); !slices.Equal(secretValues(live), []string{"whsec_second"}) {
				t.Fatalf("live at the expiry: %q", secretValues(live))
			}
			// A later expiry leaves an earlier one; the unexpired get it.
			later := x.Add(time.Hour)
			noErr(t, f.hooks.ExpireSecrets(ctx, e.ID, later))
			live = must[[]webhooks.Secret](t)(f.hooks.LiveSecrets(ctx, e.ID, x.Add(-time.Second)))
			if len(live) != 2 || !sameTime(*live[0].ExpiresAt, later) || !sameTime(*live[1].ExpiresAt, x) {
				t.Fatalf("after a later expiry: %+v", live)
			}
			// An earlier expiry shortens both.
			sooner := x.Add(-time.Minute)
			noErr(t, f.hooks.ExpireSecrets(ctx, e.ID, sooner))
			live = must[[]webhooks.Secret](t)(f.hooks.LiveSecrets(ctx, e.ID, sooner.Add(-time.Second)))
			if len(live) != 2 || !sameTime(*live[0].ExpiresAt, sooner) || !sameTime(*live[1].ExpiresAt, sooner) {
				t.Fatalf("after an earlier expiry: %+v", live)
			}
			if live := must[[]webhooks.Secret](t)(f.hooks.LiveSecrets(ctx, e.ID, sooner)); len(live) != 0 {
				t.Fatalf("%d secrets live after every one expired", len(live))
			}
			// The other endpoint's secret is untouched.
			if live := must[[]webhooks.Secret](t)(f.hooks.LiveSecrets(ctx, other.ID, later.Add(time.Hour))); len(live) != 1 || live[0].ExpiresAt != nil {
				t.Fatalf("the other endpoint's secrets: %+v", live)
			}
			noErr(t, f.hooks.ExpireSecrets(ctx, partnerkit.NewID(webhooks.PrefixEndpoint), x))
		}},

		{name: "MatchingEndpoints", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			all := f.endpoint(t, f.dist.ID)
			created := f.endpoint(t, f.dist.ID, "partner.created", "partner.updated")
			f.endpoint(t, f.dist.ID, "contract.signed")
			off := f.endpoint(t, f.dist.ID)
			must[bool](t)(f.hooks.DisableEndpoint(ctx, off.ID, webhooks.DisabledManually, f.clock.Now()))
			rootAll := f.endpoint(t, f.root.ID)
			f.endpoint(t, f.sister.ID)
			ids := func(accounts []string, typ string) []string {
				got := must[[]webhooks.Endpoint](t)(f.hooks.MatchingEndpoints(ctx, accounts, typ))
				for i := range got {
					if !got[i].Enabled || len(got[i].URL) == 0 {
						t.Fatalf("matched %+v", got[i])
					}
				}
				out := endpointIDs(got)
				slices.Sort(out)
				return out
			}
			sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
			for _, c := range []struct {
				name     string
				accounts []string
				typ      string
				want     []string
			}{
				{"TypeListed", []string{f.dist.ID, f.root.ID}, "partner.created", sorted(all.ID, created.ID, rootAll.ID)},
				{"TypeNotListed", []string{f.dist.ID}, "deal.won", sorted(all.ID)},
				{"OneAccount", []string{f.root.ID}, "contract.signed", sorted(rootAll.ID)},
				{"NoEndpoints", []string{f.reseller.ID}, "partner.created", []string{}},
				{"NoAccounts", nil, "partner.created", []string{}},
			} {
				if got := ids(c.accounts, c.typ); !slices.Equal(got, c.want) {
					t.Fatalf("%s: matched %v, want %v", c.name, got, c.want)
				}
			}
		}},

		{name: "AnyEnabledEndpoint", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			if must[bool](t)(f.hooks.AnyEnabledEndpoint(ctx)) {
				t.Fatal("an enabled endpoint before any was created")
			}
			e := f.endpoint(t, f.reseller.ID)
			if !must[bool](t)(f.hooks.AnyEnabledEndpoint(ctx)) {
				t.Fatal("no enabled endpoint after one was created")
			}
			must[bool](t)(f.hooks.DisableEndpoint(ctx, e.ID, webhooks.DisabledManually, f.clock.Now()))
			if must[bool](t)(f.hooks.AnyEnabledEndpoint(ctx)) {
				t.Fatal("an enabled endpoint after the only one was disabled")
			}
			f.endpoint(t, f.sister.ID)
			if !must[bool](t)(f.hooks.AnyEnabledEndpoint(ctx)) {
				t.Fatal("no enabled endpoint after another account's was created")
			}
		}},

		{name: "CreateDeliveriesSkipsExisting", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			e1, e2 := f.endpoint(t, f.dist.ID), f.endpoint(t, f.root.ID)
			ev1, ev2 := newEventID(), newEventID()
			d1, d2 := f.delivery(e1, ev1), f.delivery(e2, ev1)
			d2.Test = true
			got := must[[]*webhooks.Delivery](t)(f.hooks.CreateDeliveries(ctx, []*webhooks.Delivery{d1, d2}))
			if len(got) != 2 || got[0] != d1 || got[1] != d2 {
				t.Fatalf("inserted %v, want both, as given", got)
			}
			for _, d := range []*webhooks.Delivery{d1, d2} {
				if diff := deliveryDiff(must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, d.ID)), d); diff != "" {
					t.Fatal(diff)
				}
			}
			// Again, with new IDs: the existing pair is skipped, the new one inserted.
			again, fresh := f.delivery(e1, ev1), f.delivery(e1, ev2)
			again.Payload = json.RawMessage(`{"changed":true}`)
			got = must[[]*webhooks.Delivery](t)(f.hooks.CreateDeliveries(ctx, []*webhooks.Delivery{again, fresh}))
			if len(got) != 1 || got[0] != fresh {
				t.Fatalf("inserted %v, want only the new pair", got)
			}
			_, err := f.hooks.GetDelivery(ctx, again.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			if diff := deliveryDiff(must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, d1.ID)), d1); diff != "" {
				t.Fatalf("the existing delivery changed: %s", diff)
			}
			// A batch of existing pairs only inserts nothing; so does an empty batch.
			for _, batch := range [][]*webhooks.Delivery{{f.delivery(e1, ev1), f.delivery(e2, ev1)}, {}} {
				if got := must[[]*webhooks.Delivery](t)(f.hooks.CreateDeliveries(ctx, batch)); len(got) != 0 {
					t.Fatalf("inserted %d of a batch of existing pairs", len(got))
				}
			}
			if _, total := must2[[]webhooks.Delivery, int](t)(f.hooks.ListDeliveries(ctx, webhooks.DeliveryQuery{EndpointID: e1.ID})); total != 2 {
				t.Fatalf("endpoint 1 has %d deliveries, want 2", total)
			}
			_, err = f.hooks.GetDelivery(ctx, partnerkit.NewID(webhooks.PrefixDelivery))
			wantCode(t, err, partnerkit.CodeNotFound)
		}},

		{name: "ListDeliveriesFiltersAndOrder", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			e, other := f.endpoint(t, f.dist.ID), f.endpoint(t, f.dist.ID)
			var ds []*webhooks.Delivery
			events := []string{newEventID(), newEventID(), newEventID(), newEventID(), newEventID(), newEventID(), newEventID()}
			shared := f.clock.Now()
			for i, ev := range events {
				d := f.delivery(e, ev)
				if i == 3 || i == 4 {
					d.CreatedAt, d.UpdatedAt = shared, shared // a tie, broken by ID
				}
				d.Status = webhooks.DeliveryStatuses()[i%3]
				ds = append(ds, d)
			}
			f.store(t, ds...)
			f.store(t, f.delivery(other, events[0]))
			newest := slices.Clone(ds)
			slices.SortFunc(newest, func(a, b *webhooks.Delivery) int {
				if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
					return c
				}
				return strings.Compare(b.ID, a.ID)
			})
			want := func(keep func(*webhooks.Delivery) bool) []string {
				var out []string
				for _, d := range newest {
					if keep(d) {
						out = append(out, d.ID)
					}
				}
				return out
			}
			for _, c := range []struct {
				name string
				q    webhooks.DeliveryQuery
				want []string
			}{
				{"All", webhooks.DeliveryQuery{}, want(func(*webhooks.Delivery) bool { return true })},
				{"Status", webhooks.DeliveryQuery{Status: webhooks.DeliveryFailed}, want(func(d *webhooks.Delivery) bool { return d.Status == webhooks.DeliveryFailed })},
				{"EventID", webhooks.DeliveryQuery{EventID: events[2]}, want(func(d *webhooks.Delivery) bool { return d.EventID == events[2] })},
				{"StatusAndEvent", webhooks.DeliveryQuery{Status: webhooks.DeliveryPending, EventID: events[2]}, nil},
			} {
				c.q.EndpointID = e.ID
				items, total := must2[[]webhooks.Delivery, int](t)(f.hooks.ListDeliveries(ctx, c.q))
				if got := deliveryIDs(items); !slices.Equal(got, c.want) && (len(got) != 0 || len(c.want) != 0) || total != len(c.want) {
					t.Fatalf("%s: %v of %d, want %v", c.name, deliveryIDs(items), total, c.want)
				}
			}
			var paged []string
			for off := 0; off < 9; off += 3 {
				items, total := must2[[]webhooks.Delivery, int](t)(f.hooks.ListDeliveries(ctx, webhooks.DeliveryQuery{EndpointID: e.ID, Limit: 3, Offset: off}))
				if total != 7 {
					t.Fatalf("offset %d: total %d, want 7", off, total)
				}
				paged = append(paged, deliveryIDs(items)...)
			}
			if all := want(func(*webhooks.Delivery) bool { return true }); !slices.Equal(paged, all) {
				t.Fatalf("pages %v, want %v", paged, all)
			}
			items, _ := must2[[]webhooks.Delivery, int](t)(f.hooks.ListDeliveries(ctx, webhooks.DeliveryQuery{EndpointID: e.ID}))
			for i := range items {
				j := slices.IndexFunc(ds, func(d *webhooks.Delivery) bool { return d.ID == items[i].ID })
				if diff := deliveryDiff(&items[i], ds[j]); diff != "" {
					t.Fatal(diff)
				}
			}
		}},

		{name: "RecordAttemptOnce", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			e := f.endpoint(t, f.dist.ID)
			d := f.delivery(e, newEventID())
			f.store(t, d)
			// Attempt 1 failed: the delivery waits for attempt 2.
			a1 := &webhooks.Attempt{DeliveryID: d.ID, Number: 1, At: f.clock.Now(), StatusCode: 503, LatencyMS: 1234,
				Response: "Service Unavailable — réessayez", Error: "answered 503, not 2xx"}
			next := f.clock.Now().Add(time.Minute)
			d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt, d.UpdatedAt = 1, 503, a1.Error, &next, f.clock.Now()
			noErr(t, f.hooks.RecordAttempt(ctx, d, a1))
			if diff := deliveryDiff(must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, d.ID)), d); diff != "" {
				t.Fatal(diff)
			}
			// Attempt 1 again, and attempt 3 before 2: someone else's, or too early.
			for _, n := range []int{1, 3} {
				dup := *d
				dup.Status, dup.LastStatusCode = webhooks.DeliverySucceeded, 200
				err := f.hooks.RecordAttempt(ctx, &dup, &webhooks.Attempt{DeliveryID: d.ID, Number: n, At: f.clock.Now(), StatusCode: 200})
				wantCode(t, err, partnerkit.CodeConflict)
			}
			if diff := deliveryDiff(must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, d.ID)), d); diff != "" {
				t.Fatalf("a refused attempt wrote: %s", diff)
			}
			// Attempt 2, manual, succeeds.
			a2 := &webhooks.Attempt{DeliveryID: d.ID, Number: 2, At: f.clock.Now(), Manual: true, StatusCode: 204, LatencyMS: 12}
			d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt, d.UpdatedAt = webhooks.DeliverySucceeded, 2, 204, "", nil, f.clock.Now()
			noErr(t, f.hooks.RecordAttempt(ctx, d, a2))
			if diff := deliveryDiff(must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, d.ID)), d); diff != "" {
				t.Fatal(diff)
			}
			log := must[[]webhooks.Attempt](t)(f.hooks.Attempts(ctx, d.ID))
			if len(log) != 2 {
				t.Fatalf("%d attempts logged, want 2", len(log))
			}
			for i, want := range []*webhooks.Attempt{a1, a2} {
				got := log[i]
				if got.DeliveryID != want.DeliveryID || got.Number != want.Number || !sameTime(got.At, want.At) || got.Manual != want.Manual ||
					got.StatusCode != want.StatusCode || got.LatencyMS != want.LatencyMS || got.Response != want.Response || got.Error != want.Error {
					t.Fatalf("attempt %d: %+v, want %+v", i+1, got, *want)
				}
			}
			missing := *d
			missing.ID = partnerkit.NewID(webhooks.PrefixDelivery)
			err := f.hooks.RecordAttempt(ctx, &missing, &webhooks.Attempt{DeliveryID: missing.ID, Number: 1, At: f.clock.Now()})
			wantCode(t, err, partnerkit.CodeNotFound)
			if got := must[[]webhooks.Attempt](t)(f.hooks.Attempts(ctx, missing.ID)); len(got) != 0 {
				t.Fatalf("a missing delivery has %d attempts", len(got))
			}
		}},

		{name: "RecordAttempts", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			e := f.endpoint(t, f.dist.ID)
			fresh, ahead, twice := f.delivery(e, newEventID()), f.delivery(e, newEventID()), f.delivery(e, newEventID())
			for _, d := range []*webhooks.Delivery{fresh, ahead, twice} {
				f.store(t, d)
			}
			ahead.Attempts, ahead.LastStatusCode = 1, 500
			noErr(t, f.hooks.RecordAttempt(ctx, ahead, &webhooks.Attempt{DeliveryID: ahead.ID, Number: 1, At: f.clock.Now(), StatusCode: 500}))
			gone := *fresh
			gone.ID = partnerkit.NewID(webhooks.PrefixDelivery)
			next := f.clock.Now().Add(time.Hour)
			attempt := func(d *webhooks.Delivery, n, code int) webhooks.AttemptRecord {
				x := *d
				x.Attempts, x.LastStatusCode, x.UpdatedAt = n, code, f.clock.Now()
				if code >= 300 {
					x.LastError, x.NextAttemptAt = fmt.Sprintf("answered %d, not 2xx", code), &next
				} else {
					x.Status, x.NextAttemptAt = webhooks.DeliverySucceeded, nil
				}
				return webhooks.AttemptRecord{Delivery: &x, Attempt: &webhooks.Attempt{DeliveryID: d.ID, Number: n, At: f.clock.Now(),
					StatusCode: code, LatencyMS: int64(code), Response: "ok", Error: x.LastError}}
			}
			records := []webhooks.AttemptRecord{
				attempt(fresh, 1, 503), // recorded
				attempt(ahead, 1, 200), // attempt 1 is someone else's: not recorded
				attempt(&gone, 1, 200), // no such delivery: not recorded
				attempt(twice, 1, 502), // a redelivery and its retry, in order: both recorded
				attempt(twice, 2, 204),
			}
			got := must[[]bool](t)(f.hooks.RecordAttempts(ctx, records))
			if want := []bool{true, false, false, true, true}; !slices.Equal(got, want) {
				t.Fatalf("recorded %v, want %v", got, want)
			}
			for _, r := range []webhooks.AttemptRecord{records[0], records[4]} {
				if diff := deliveryDiff(must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, r.Delivery.ID)), r.Delivery); diff != "" {
					t.Fatal(diff)
				}
			}
			if stored := must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, ahead.ID)); stored.LastStatusCode != 500 {
				t.Fatalf("a refused attempt wrote: last status %d", stored.LastStatusCode)
			}
			for d, want := range map[string][]int{fresh.ID: {503}, ahead.ID: {500}, twice.ID: {502, 204}, gone.ID: nil} {
				var codes []int
				for _, a := range must[[]webhooks.Attempt](t)(f.hooks.Attempts(ctx, d)) {
					codes = append(codes, a.StatusCode)
				}
				if !slices.Equal(codes, want) {
					t.Fatalf("delivery %s logged %v, want %v", d, codes, want)
				}
			}
			// Nothing and everything refused are no-ops.
			if got := must[[]bool](t)(f.hooks.RecordAttempts(ctx, nil)); len(got) != 0 {
				t.Fatalf("no records: %v", got)
			}
			if got := must[[]bool](t)(f.hooks.RecordAttempts(ctx, records[:1])); got[0] {
				t.Fatal("an attempt recorded twice")
			}
			// All or none: a failure rolls back the attempts recorded before it.
			later := f.delivery(e, newEventID())
			f.store(t, later)
			errRollback := errors.New("roll back")
			err := f.hooks.InTx(ctx, func(ctx context.Context) error {
				if _, err := f.hooks.RecordAttempts(ctx, []webhooks.AttemptRecord{attempt(later, 1, 200)}); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatalf("the transaction: %v", err)
			}
			if got := must[[]webhooks.Attempt](t)(f.hooks.Attempts(ctx, later.ID)); len(got) != 0 {
				t.Fatalf("a rolled-back call left %d attempts", len(got))
			}
		}},

		{name: "ConcurrentAnyEnabledEndpoint", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "webhooks.Store: AnyEnabledEndpoint is one read that takes no lock; FanOut's transaction sees the endpoints committed before it, as MatchingEndpoints would")
			f := newWebhooksFixture(t, h)
			for round := range raceRounds {
				es := make([]*webhooks.Endpoint, 4)
				for i := range es {
					es[i] = f.endpoint(t, f.dist.ID)
				}
				// Half the racers disable an endpoint each while the other
				// half ask: no read fails, and once all are disabled none
				// is found.
				errs := Race(8, func(i int) error {
					if i < len(es) {
						_, err := f.hooks.DisableEndpoint(ctx, es[i].ID, webhooks.DisabledManually, f.clock.Now())
						return err
					}
					_, err := f.hooks.AnyEnabledEndpoint(ctx)
					return err
				})
				Outcomes(t, errs)
				if must[bool](t)(f.hooks.AnyEnabledEndpoint(ctx)) {
					t.Fatalf("round %d: an enabled endpoint after every one was disabled", round)
				}
			}
		}},

		{name: "ConcurrentAttemptsRecordedOnce", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "webhooks.Store: RecordAttempts is UPDATE … WHERE attempts = n-1 for each delivery")
			f := newWebhooksFixture(t, h)
			e := f.endpoint(t, f.dist.ID)
			for round := range raceRounds {
				ds := []*webhooks.Delivery{f.delivery(e, newEventID()), f.delivery(e, newEventID()), f.delivery(e, newEventID())}
				for _, d := range ds {
					f.store(t, d)
				}
				at := f.clock.Now()
				wins := make([][]bool, 8)
				errs := Race(8, func(i int) error {
					// Each racer records the three in its own order: the
					// first attempt of each goes to exactly one of them.
					records := make([]webhooks.AttemptRecord, len(ds))
					for j := range ds {
						d := ds[(i+j)%len(ds)]
						mine := *d
						mine.Attempts, mine.LastStatusCode, mine.Status, mine.UpdatedAt = 1, 200+i, webhooks.DeliverySucceeded, at
						records[j] = webhooks.AttemptRecord{Delivery: &mine,
							Attempt: &webhooks.Attempt{DeliveryID: d.ID, Number: 1, At: at, StatusCode: 200 + i}}
					}
					var err error
					wins[i], err = f.hooks.RecordAttempts(ctx, records)
					return err
				})
				Outcomes(t, errs, partnerkit.CodeConflict)
				for _, d := range ds {
					log := must[[]webhooks.Attempt](t)(f.hooks.Attempts(ctx, d.ID))
					stored := must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, d.ID))
					if len(log) != 1 || stored.Attempts != 1 || stored.LastStatusCode != log[0].StatusCode {
						t.Fatalf("round %d: delivery %s has %d attempts logged, %+v; want one, the winner's", round, d.ID, len(log), stored)
					}
					winner := log[0].StatusCode - 200
					j := slices.IndexFunc(ds, func(x *webhooks.Delivery) bool { return x.ID == d.ID })
					if errs[winner] != nil || !wins[winner][(j-winner%len(ds)+len(ds))%len(ds)] {
						t.Fatalf("round %d: delivery %s: the stored attempt is racer %d's, which was not told it won", round, d.ID, winner)
					}
				}
				claimed := 0
				for i := range wins {
					for _, w := range wins[i] {
						if w {
							claimed++
						}
					}
				}
				if claimed != len(ds) {
					t.Fatalf("round %d: %d attempts reported recorded, want %d", round, claimed, len(ds))
				}
			}
		}},

		{name: "UpdateDelivery", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			d := f.delivery(f.endpoint(t, f.dist.ID), newEventID())
			f.store(t, d)
			a := &webhooks.Attempt{DeliveryID: d.ID, Number: 1, At: f.clock.Now(), StatusCode: 500, Error: "answered 500, not 2xx"}
			d.Attempts, d.LastStatusCode, d.LastError = 1, 500, a.Error
			noErr(t, f.hooks.RecordAttempt(ctx, d, a))
			// Writes status, last error, next attempt and update time; not the attempts.
			up := *d
			up.Status, up.LastError, up.NextAttemptAt, up.UpdatedAt = webhooks.DeliveryFailed, "the endpoint is disabled", nil, f.clock.Now()
			up.Attempts, up.LastStatusCode, up.Payload = 9, 299, json.RawMessage(`{}`)
			noErr(t, f.hooks.UpdateDelivery(ctx, &up))
			want := *d
			want.Status, want.LastError, want.NextAttemptAt, want.UpdatedAt = up.Status, up.LastError, nil, up.UpdatedAt
			if diff := deliveryDiff(must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, d.ID)), &want); diff != "" {
				t.Fatal(diff)
			}
			// And back to pending with a time.
			now := f.clock.Now()
			up.Status, up.NextAttemptAt, up.UpdatedAt = webhooks.DeliveryPending, &now, now
			noErr(t, f.hooks.UpdateDelivery(ctx, &up))
			want.Status, want.NextAttemptAt, want.UpdatedAt = webhooks.DeliveryPending, &now, now
			if diff := deliveryDiff(must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, d.ID)), &want); diff != "" {
				t.Fatal(diff)
			}
			up.ID = partnerkit.NewID(webhooks.PrefixDelivery)
			wantCode(t, f.hooks.UpdateDelivery(ctx, &up), partnerkit.CodeNotFound)
		}},

		{name: "ServiceEndpointLifecycle", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			f := newWebhooksFixture(t, h)
			admin := partnerkit.Actor{AccountID: f.dist.ID, Role: partnerkit.RoleAdmin}
			created := must[*webhooks.CreatedEndpoint](t)(f.wh.CreateEndpoint(ctx, admin, webhooks.EndpointInput{
				URL: "https://erp.example.com/partnerkit", Description: "ERP", EventTypes: []string{"partner.created"}}))
			list := must[partnerkit.List[webhooks.Endpoint]](t)(f.wh.Endpoints(ctx, admin, partnerkit.Page{}))
			if list.Total != 1 || list.Items[0].ID != created.ID || list.Items[0].SecretHint == "" {
				t.Fatalf("endpoints %+v", list)
			}
			enabled := false
			up := must[*webhooks.Endpoint](t)(f.wh.UpdateEndpoint(ctx, admin, created.ID, webhooks.EndpointPatch{Enabled: &enabled, Version: 1}))
			if up.Enabled || up.DisabledReason != webhooks.DisabledManually || up.Version != 2 {
				t.Fatalf("updated %+v", up)
			}
			_, err := f.wh.UpdateEndpoint(ctx, admin, created.ID, webhooks.EndpointPatch{Enabled: &enabled, Version: 1})
			wantCode(t, err, partnerkit.CodeConflict)
			rot := must[*webhooks.RotatedSecret](t)(f.wh.RotateSecret(ctx, admin, created.ID, webhooks.RotateInput{}))
			live := must[[]webhooks.Secret](t)(f.hooks.LiveSecrets(ctx, created.ID, f.clock.Now()))
			if !slices.Equal(secretValues(live), []string{rot.Secret, created.Secret}) {
				t.Fatalf("live secrets after a rotation: %d, want the new and the old", len(live))
			}
			// Another account does not see it.
			_, err = f.wh.Endpoint(ctx, partnerkit.Actor{AccountID: f.sister.ID, Role: partnerkit.RoleAdmin}, created.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			noErr(t, f.wh.DeleteEndpoint(ctx, admin, created.ID))
			_, err = f.wh.Endpoint(ctx, admin, created.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			trail := must[partnerkit.List[partnerkit.AuditEvent]](t)(f.svc.AuditTrail(ctx, f.admin, created.ID, partnerkit.Page{}))
			var actions []string
			for _, ev := range trail.Items {
				actions = append(actions, ev.Action)
			}
			if !slices.Equal(actions, []string{"webhook.created", "webhook.updated", "webhook.secret_rotated", "webhook.deleted"}) {
				t.Fatalf("audit trail %v", actions)
			}
		}},

		{name: "ConcurrentFanOutOnce", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "webhooks.Store: a unique key on (endpoint_id, event_id); CreateDeliveries skips existing pairs")
			f := newWebhooksFixture(t, h)
			// The reseller's events reach its own endpoints and those of the
			// accounts above it, never the sister's or a disabled one.
			receivers := []*webhooks.Endpoint{f.endpoint(t, f.dist.ID), f.endpoint(t, f.root.ID, "partner.updated"), f.endpoint(t, f.reseller.ID)}
			f.endpoint(t, f.sister.ID)
			f.endpoint(t, f.root.ID, "deal.won")
			off := f.endpoint(t, f.dist.ID)
			must[bool](t)(f.hooks.DisableEndpoint(ctx, off.ID, webhooks.DisabledManually, f.clock.Now()))
			for round := range raceRounds {
				events := make([]partnerkit.AuditEvent, 2)
				for i := range events {
					events[i] = partnerkit.AuditEvent{ID: newEventID(), AccountID: f.reseller.ID, Actor: "UR-x", Action: "partner.updated",
						EntityType: "partner", EntityID: f.reseller.ID, At: f.clock.Now(), After: json.RawMessage(`{"round":` + fmt.Sprint(round) + `}`)}
				}
				jobsBefore := f.jobs.count()
				created := make([]int, 8)
				errs := Race(8, func(i int) error {
					n, err := f.wh.FanOut(ctx, events)
					created[i] = n
					return err
				})
				Outcomes(t, errs)
				sum := 0
				for _, n := range created {
					sum += n
				}
				want := len(events) * len(receivers)
				if sum != want || f.jobs.count()-jobsBefore != want {
					t.Fatalf("round %d: 8 fan-outs created %d deliveries and scheduled %d attempts, want %d and %d",
						round, sum, f.jobs.count()-jobsBefore, want, want)
				}
				for _, e := range receivers {
					for _, ev := range events {
						if _, total := must2[[]webhooks.Delivery, int](t)(f.hooks.ListDeliveries(ctx, webhooks.DeliveryQuery{EndpointID: e.ID, EventID: ev.ID})); total != 1 {
							t.Fatalf("round %d: endpoint %s has %d deliveries of one event, want 1", round, e.ID, total)
						}
					}
				}
			}
			if _, total := must2[[]webhooks.Delivery, int](t)(f.hooks.ListDeliveries(ctx, webhooks.DeliveryQuery{EndpointID: off.ID})); total != 0 {
				t.Fatalf("a disabled endpoint got %d deliveries", total)
			}
		}},

		{name: "ConcurrentAttemptRecordedOnce", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "webhooks.Store: RecordAttempt is UPDATE … WHERE attempts = n-1")
			f := newWebhooksFixture(t, h)
			e := f.endpoint(t, f.dist.ID)
			for round := range raceRounds {
				d := f.delivery(e, newEventID())
				f.store(t, d)
				at := f.clock.Now()
				errs := Race(8, func(i int) error {
					mine := *d
					mine.Attempts, mine.LastStatusCode, mine.Status, mine.UpdatedAt = 1, 200+i, webhooks.DeliverySucceeded, at
					return f.hooks.RecordAttempt(ctx, &mine, &webhooks.Attempt{DeliveryID: d.ID, Number: 1, At: at, StatusCode: 200 + i})
				})
				if got := Outcomes(t, errs, partnerkit.CodeConflict); got[""] != 1 {
					t.Fatalf("round %d: attempt 1 recorded %d times, want once", round, got[""])
				}
				log := must[[]webhooks.Attempt](t)(f.hooks.Attempts(ctx, d.ID))
				stored := must[*webhooks.Delivery](t)(f.hooks.GetDelivery(ctx, d.ID))
				winner := slices.Index(errs, nil)
				if len(log) != 1 || log[0].StatusCode != 200+winner || stored.Attempts != 1 || stored.LastStatusCode != 200+winner {
					t.Fatalf("round %d: %d attempts logged, delivery %+v; want the winner's (%d) only", round, len(log), stored, 200+winner)
				}
			}
		}},

		{name: "ConcurrentDisableOnce", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "webhooks.Store: DisableEndpoint is UPDATE … WHERE enabled")
			f := newWebhooksFixture(t, h)
			for round := range raceRounds {
				e := f.endpoint(t, f.dist.ID)
				changed := make([]bool, 8)
				errs := Race(8, func(i int) error {
					var err error
					changed[i], err = f.hooks.DisableEndpoint(ctx, e.ID, webhooks.DisabledFailing, f.clock.Now())
					return err
				})
				Outcomes(t, errs)
				n := 0
				for _, c := range changed {
					if c {
						n++
					}
				}
				got := must[*webhooks.Endpoint](t)(f.hooks.GetEndpoint(ctx, e.ID))
				if n != 1 || got.Enabled || got.Version != 2 {
					t.Fatalf("round %d: %d of 8 disables changed the endpoint (now version %d), want 1", round, n, got.Version)
				}
			}
		}},

		{name: "ConcurrentMaxEndpoints", needs: forWebhooks, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "webhooks.Store: LockAccountEndpoints (the account's row, FOR NO KEY UPDATE) before counting")
			f := newWebhooksFixture(t, h)
			admin := partnerkit.Actor{AccountID: f.dist.ID, Role: partnerkit.RoleAdmin}
			const racers = 60
			errs := Race(racers, func(i int) error {
				_, err := f.wh.CreateEndpoint(ctx, admin, webhooks.EndpointInput{URL: fmt.Sprintf("https://erp%d.example.com/hook", i)})
				return err
			})
			got := Outcomes(t, errs, partnerkit.CodeConflict)
			_, total := must2[[]webhooks.Endpoint, int](t)(f.hooks.ListEndpoints(ctx, webhooks.EndpointQuery{AccountID: f.dist.ID}))
			if total > webhooks.MaxEndpoints || got[""] != webhooks.MaxEndpoints || total != got[""] {
				t.Fatalf("%d concurrent creates: %d succeeded, the account has %d endpoints; want %d and at most %d",
					racers, got[""], total, webhooks.MaxEndpoints, webhooks.MaxEndpoints)
			}
		}},
	}}
}
