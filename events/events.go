// Package events lets a Go program react to Partnerkit's domain events in
// process, and carries the events of the memory stores to their
// subscribers and webhooks.
//
// Every change the audit trail records is a domain event (see
// partnerkit.EventTypes). A Bus holds subscriptions:
//
//	unsubscribe := svc.Events.Subscribe([]string{"contract.signed"}, func(ctx context.Context, e partnerkit.Event) error {
//		return crm.MarkSigned(ctx, e.Data.EntityID)
//	})
//
// Handlers run after the change commits, at least once: a handler that
// returns an error gets the event again (on SQL stores the job engine
// retries it with backoff, on the memory stores the error is returned to
// nobody and logged by the dispatcher's OnError). A handler must therefore
// be idempotent; Event.ID is stable across retries.
//
// On the memory stores the Dispatcher is the partnerkit.EventPublisher: it
// keeps each transaction's events until the commit, then hands them, in
// order, to the webhooks fan-out and to the Bus, before the call that made
// the change returns — so a test can assert exactly which events a call
// emitted. On SQL stores package jobs does the same from a job inserted in
// the change's transaction.
package events

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/partnerkit/partnerkit"
)

// Handler handles one event; an error asks for the event again.
type Handler func(ctx context.Context, e partnerkit.Event) error

// Bus holds in-process subscriptions. The zero value is ready to use.
type Bus struct {
	mu   sync.RWMutex
	next int
	subs map[int]subscription
}

type subscription struct {
	types   []string
	handler Handler
}

// Subscribe calls h for every event whose type is in types (every event
// when types is empty), after its change commits; the returned function
// ends the subscription.
func (b *Bus) Subscribe(types []string, h Handler) (unsubscribe func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs == nil {
		b.subs = map[int]subscription{}
	}
	id := b.next
	b.next++
	b.subs[id] = subscription{types: slices.Clone(types), handler: h}
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs, id)
	}
}

// Dispatch calls every matching handler with each event, in order, and
// returns their errors joined. A handler that panics is reported as an
// error; the others still run.
func (b *Bus) Dispatch(ctx context.Context, events []partnerkit.Event) error {
	b.mu.RLock()
	subs := make([]subscription, 0, len(b.subs))
	ids := make([]int, 0, len(b.subs))
	for id := range b.subs {
		ids = append(ids, id)
	}
	slices.Sort(ids) // subscription order
	for _, id := range ids {
		subs = append(subs, b.subs[id])
	}
	b.mu.RUnlock()
	var errs []error
	for _, e := range events {
		for _, s := range subs {
			if len(s.types) > 0 && !slices.Contains(s.types, e.Type) {
				continue
			}
			errs = append(errs, call(ctx, s.handler, e))
		}
	}
	return errors.Join(errs...)
}

// Wants reports whether a subscription takes events of type t.
func (b *Bus) Wants(t string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, s := range b.subs {
		if len(s.types) == 0 || slices.Contains(s.types, t) {
			return true
		}
	}
	return false
}

// HasSubscribers reports whether any subscription exists.
func (b *Bus) HasSubscribers() bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs) > 0
}

func call(ctx context.Context, h Handler, e partnerkit.Event) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &partnerkit.Error{Code: partnerkit.CodeInternal, Op: "events.Dispatch",
				Message: "an event handler panicked on " + e.Type + " " + e.ID}
		}
	}()
	return h(ctx, e)
}

// Events converts audit events to domain events.
func Events(audit []*partnerkit.AuditEvent) []partnerkit.Event {
	out := make([]partnerkit.Event, len(audit))
	for i, a := range audit {
		out[i] = partnerkit.EventOf(a)
	}
	return out
}
