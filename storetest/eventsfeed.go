package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
)

// feedFixture is a partners store holding a small tenancy tree, made in
// the store directly (no service, so no audit events but these), and a
// known set of audit events on it:
//
//	root
//	├── distA
//	│   └── resellerA1
//	└── distB
//
// plus events of an account that does not exist (visible to no tenancy).
type feedFixture struct {
	store                          partners.Store
	root, distA, resellerA1, distB string
	gone                           string
	events                         []partnerkit.AuditEvent
	// t0 is the time of the first event; each later one is a second (and
	// some microseconds) after, some share a time.
	t0 time.Time
}

func newFeedFixture(t *testing.T, h Harness) *feedFixture {
	t.Helper()
	ctx := context.Background()
	st := h.MakeStores(t).Partners
	f := &feedFixture{store: st, t0: Epoch.Add(123456 * time.Microsecond)}
	id := func() string { return partnerkit.NewID(partnerkit.PrefixAccount) }
	f.root, f.distA, f.resellerA1, f.distB, f.gone = id(), id(), id(), id(), id()
	at := Epoch
	for _, a := range []struct {
		id, manager, path string
		typ               partners.AccountType
	}{
		{f.root, "", "/" + f.root + "/", partners.TypeProvider},
		{f.distA, f.root, "/" + f.root + "/" + f.distA + "/", partners.TypeDistributor},
		{f.resellerA1, f.distA, "/" + f.root + "/" + f.distA + "/" + f.resellerA1 + "/", partners.TypeReseller},
		{f.distB, f.root, "/" + f.root + "/" + f.distB + "/", partners.TypeDistributor},
	} {
		noErr(t, st.CreateAccount(ctx, &partners.Account{ID: a.id, Type: a.typ, Name: "Feed " + a.id[3:9], Status: partners.StatusActive,
			ManagerID: a.manager, Path: a.path, CreatedAt: at, UpdatedAt: at, Version: 1}))
	}
	// 24 events: every account gets each of four actions, on two kinds of
	// entity; every third event shares the time of the one before.
	actions := []struct{ action, entity string }{
		{"partner.created", "partner"}, {"contract.signed", "contract"},
		{"partner.suspended", "partner"}, {"deal.approved", "deal"},
	}
	accounts := []string{f.root, f.distA, f.resellerA1, f.distB, f.gone, f.distA}
	var batch []*partnerkit.AuditEvent
	when := f.t0
	for i := range 24 {
		if i > 0 && i%3 != 0 {
			when = when.Add(time.Second + 7*time.Microsecond)
		}
		act := actions[i%len(actions)]
		account := accounts[i%len(accounts)]
		batch = append(batch, &partnerkit.AuditEvent{ID: partnerkit.NewID(partnerkit.PrefixEvent), AccountID: account,
			Actor: "UR-feed", ActorAccountID: f.root, Action: act.action, EntityType: act.entity,
			EntityID: fmt.Sprintf("ENT-%d", i%5), At: when,
			Before: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), After: json.RawMessage(fmt.Sprintf(`{"n": %d, "ok": true}`, i+1))})
	}
	// One event appended alone, without before (a creation).
	batch[5].Before = nil
	noErr(t, st.AppendAudits(ctx, batch[:20]))
	for _, e := range batch[20:] {
		noErr(t, st.AppendAudit(ctx, e))
	}
	for _, e := range batch {
		f.events = append(f.events, *e)
	}
	return f
}

// path returns the materialized path of a fixture account ("" for gone).
func (f *feedFixture) path(id string) string {
	switch id {
	case f.root:
		return "/" + f.root + "/"
	case f.distA:
		return "/" + f.root + "/" + f.distA + "/"
	case f.resellerA1:
		return "/" + f.root + "/" + f.distA + "/" + f.resellerA1 + "/"
	case f.distB:
		return "/" + f.root + "/" + f.distB + "/"
	}
	return ""
}

// want computes what Events must return for q, by the rules of
// partners.EventQuery.
func (f *feedFixture) want(q partners.EventQuery) ([]string, int) {
	var match []partnerkit.AuditEvent
	for _, e := range f.events {
		p := f.path(e.AccountID)
		switch {
		case q.VisibleTo != "" && (p == "" || !strings.Contains(p, "/"+q.VisibleTo+"/")):
		case len(q.Types) > 0 && !slices.Contains(q.Types, e.Action):
		case !q.Since.IsZero() && e.At.Before(q.Since):
		case !q.Until.IsZero() && !e.At.Before(q.Until):
		case q.EntityType != "" && e.EntityType != q.EntityType:
		default:
			match = append(match, e)
		}
	}
	desc := partners.EventOrder.Resolve(q.Sort).Desc()
	slices.SortFunc(match, func(a, b partnerkit.AuditEvent) int {
		c := a.At.Compare(b.At)
		if c == 0 {
			c = strings.Compare(a.ID, b.ID)
		}
		if desc {
			return -c
		}
		return c
	})
	ids := make([]string, len(match))
	for i, e := range match {
		ids[i] = e.ID
	}
	return partnerkit.Window(ids, partnerkit.Page{Limit: q.Limit, Offset: q.Offset}), len(ids)
}

// check runs q on the store and compares the page and the total with want.
func (f *feedFixture) check(t *testing.T, name string, q partners.EventQuery) []partnerkit.AuditEvent {
	t.Helper()
	got, total, err := f.store.Events(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	wantIDs, wantTotal := f.want(q)
	ids := make([]string, len(got))
	for i, e := range got {
		ids[i] = e.ID
	}
	if total != wantTotal || !slices.Equal(ids, wantIDs) {
		t.Fatalf("%s: got %d events %v of %d, want %d %v of %d", name, len(ids), f.names(ids), total,
			len(wantIDs), f.names(wantIDs), wantTotal)
	}
	return got
}

// names shows event IDs as their index in the fixture.
func (f *feedFixture) names(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprint(slices.IndexFunc(f.events, func(e partnerkit.AuditEvent) bool { return e.ID == id }))
	}
	return out
}

// sameEvent reports how a stored event differs from the one appended.
func sameEvent(got, want partnerkit.AuditEvent) string {
	switch {
	case got.ID != want.ID || got.AccountID != want.AccountID || got.Actor != want.Actor ||
		got.ActorAccountID != want.ActorAccountID || got.Action != want.Action ||
		got.EntityType != want.EntityType || got.EntityID != want.EntityID:
		return fmt.Sprintf("fields %+v, want %+v", got, want)
	case !got.At.Equal(want.At) || got.At.Location() != time.UTC:
		return fmt.Sprintf("at %v, want %v (UTC)", got.At, want.At)
	case string(got.Before) != string(want.Before) || string(got.After) != string(want.After):
		return fmt.Sprintf("before/after %s %s, want %s %s", got.Before, got.After, want.Before, want.After)
	}
	return ""
}

// eventsFeedSuite is the table of the events feed's conformance tests
// (partners.Store's Events and AuditEventsByID).
func eventsFeedSuite() suite {
	ctx := context.Background()
	return suite{tests: []test{
		{name: "Tenancy", needs: forPartners, fn: func(t *testing.T, h Harness) {
			f := newFeedFixture(t, h)
			for _, c := range []struct {
				name, visibleTo string
				n               int
			}{
				// root 4, distA 4+4, resellerA1 4, distB 4, gone 4: by the
				// fixture's round robin over six slots.
				{"Root", f.root, 20}, {"Manager", f.distA, 12}, {"Leaf", f.resellerA1, 4},
				{"Sibling", f.distB, 4}, {"Everyone", "", 24}, {"Unknown", partnerkit.NewID(partnerkit.PrefixAccount), 0},
			} {
				got := f.check(t, c.name, partners.EventQuery{VisibleTo: c.visibleTo})
				if len(got) != c.n {
					t.Fatalf("%s sees %d events, want %d", c.name, len(got), c.n)
				}
			}
			// A sibling's events are invisible, and so are those above.
			for _, e := range f.check(t, "distA", partners.EventQuery{VisibleTo: f.distA}) {
				if e.AccountID != f.distA && e.AccountID != f.resellerA1 {
					t.Fatalf("distA sees an event of %s", e.AccountID)
				}
			}
		}},

		{name: "Filters", needs: forPartners, fn: func(t *testing.T, h Harness) {
			f := newFeedFixture(t, h)
			mid := f.events[9].At // events 8 and 9 share it
			for _, c := range []struct {
				name string
				q    partners.EventQuery
			}{
				{"OneType", partners.EventQuery{Types: []string{"contract.signed"}}},
				{"TwoTypes", partners.EventQuery{Types: []string{"partner.created", "deal.approved"}}},
				{"UnknownType", partners.EventQuery{Types: []string{"nothing.happened"}}},
				{"SinceInclusive", partners.EventQuery{Since: mid}},
				{"UntilExclusive", partners.EventQuery{Until: mid}},
				{"SinceUntil", partners.EventQuery{Since: f.events[3].At, Until: f.events[16].At}},
				{"SinceAfterUntil", partners.EventQuery{Since: f.events[16].At, Until: f.events[3].At}},
				{"MicrosecondBound", partners.EventQuery{Since: mid.Add(time.Microsecond)}},
				{"EntityType", partners.EventQuery{EntityType: "partner"}},
				{"Combined", partners.EventQuery{VisibleTo: f.distA, Types: []string{"partner.created", "contract.signed", "partner.suspended"},
					Since: f.events[2].At, Until: f.events[22].At, EntityType: "partner"}},
			} {
				f.check(t, c.name, c.q)
			}
			// The bounds: Since keeps the events at it, Until drops them.
			at := func(q partners.EventQuery) int {
				got, _, err := f.store.Events(ctx, q)
				noErr(t, err)
				n := 0
				for _, e := range got {
					if e.At.Equal(mid) {
						n++
					}
				}
				return n
			}
			if since, until := at(partners.EventQuery{Since: mid}), at(partners.EventQuery{Until: mid}); since == 0 || until != 0 {
				t.Fatalf("events at the bound: %d with Since, %d with Until; want some and none", since, until)
			}
		}},

		{name: "OrderAndPaging", needs: forPartners, fn: func(t *testing.T, h Harness) {
			f := newFeedFixture(t, h)
			// Newest first by default, ties by ID (descending too).
			all := f.check(t, "Default", partners.EventQuery{})
			for i := 1; i < len(all); i++ {
				a, b := all[i-1], all[i]
				if a.At.Before(b.At) || (a.At.Equal(b.At) && a.ID < b.ID) {
					t.Fatalf("default order: %s at %v before %s at %v", a.ID, a.At, b.ID, b.At)
				}
			}
			f.check(t, "NewestFirst", partners.EventQuery{Sort: "-at"})
			f.check(t, "OldestFirst", partners.EventQuery{Sort: "at"})
			f.check(t, "UnknownSortIsDefault", partners.EventQuery{Sort: "entity_id"})
			for _, sort := range []partnerkit.Sort{"-at", "at"} {
				var pages []string
				for off := 0; off < 30; off += 7 {
					for _, e := range f.check(t, fmt.Sprintf("%s/offset%d", sort, off), partners.EventQuery{Sort: sort, Limit: 7, Offset: off}) {
						pages = append(pages, e.ID)
					}
				}
				want, _ := f.want(partners.EventQuery{Sort: sort})
				if !slices.Equal(pages, want) {
					t.Fatalf("%s: pages %v, want %v", sort, f.names(pages), f.names(want))
				}
			}
			// A page past the end is empty and still says how many there are.
			got, total, err := f.store.Events(ctx, partners.EventQuery{VisibleTo: f.distA, Limit: 5, Offset: 100})
			noErr(t, err)
			if len(got) != 0 || total != 12 {
				t.Fatalf("past the end: %d events of %d, want none of 12", len(got), total)
			}
			f.check(t, "FilteredPage", partners.EventQuery{VisibleTo: f.root, Types: []string{"partner.created", "partner.suspended"}, Limit: 3, Offset: 2})
			// Every field survives the round trip.
			for _, e := range all {
				i := slices.IndexFunc(f.events, func(x partnerkit.AuditEvent) bool { return x.ID == e.ID })
				if diff := sameEvent(e, f.events[i]); diff != "" {
					t.Fatalf("event %d: %s", i, diff)
				}
			}
		}},

		{name: "AuditEventsByID", needs: forPartners, fn: func(t *testing.T, h Harness) {
			f := newFeedFixture(t, h)
			pick := []string{f.events[0].ID, f.events[5].ID, f.events[23].ID, partnerkit.NewID(partnerkit.PrefixEvent), f.events[5].ID}
			got, err := f.store.AuditEventsByID(ctx, pick)
			noErr(t, err)
			if len(got) != 3 {
				t.Fatalf("got %d events for 3 known IDs (one repeated) and an unknown one", len(got))
			}
			for _, e := range got {
				i := slices.IndexFunc(f.events, func(x partnerkit.AuditEvent) bool { return x.ID == e.ID })
				if i != 0 && i != 5 && i != 23 {
					t.Fatalf("got event %d (%s), not asked for", i, e.ID)
				}
				if diff := sameEvent(e, f.events[i]); diff != "" {
					t.Fatalf("event %d: %s", i, diff)
				}
			}
			for _, ids := range [][]string{nil, {}, {partnerkit.NewID(partnerkit.PrefixEvent)}} {
				if got, err := f.store.AuditEventsByID(ctx, ids); err != nil || len(got) != 0 {
					t.Fatalf("AuditEventsByID(%v) = %v, %v; want none", ids, got, err)
				}
			}
		}},
	}}
}
