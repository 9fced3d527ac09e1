package events

import (
	"context"
	"sync"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/timers"
	"github.com/partnerkit/partnerkit/webhooks"
)

// AfterCommitter runs a function once the transaction of ctx commits,
// never if it rolls back (the memory stores' engine does).
type AfterCommitter interface {
	AfterCommit(ctx context.Context, fn func())
}

// FanOut turns committed events into webhook deliveries; a
// *webhooks.Service provides it.
type FanOut interface {
	FanOut(ctx context.Context, events []partnerkit.AuditEvent) (int, error)
}

// Dispatcher is the partnerkit.EventPublisher of the memory stores: after
// each commit it hands the transaction's events to the webhooks fan-out
// and to the Bus, in the committing goroutine, before the call that made
// the change returns.
type Dispatcher struct {
	tx  AfterCommitter
	bus *Bus
	// OnError receives what a handler or the fan-out returned (nil: dropped).
	OnError func(error)

	mu     sync.RWMutex
	fanOut FanOut
}

// NewDispatcher returns a Dispatcher that waits for tx's commits and
// dispatches to bus.
func NewDispatcher(tx AfterCommitter, bus *Bus) *Dispatcher {
	return &Dispatcher{tx: tx, bus: bus}
}

// SetFanOut sets the webhooks fan-out (built after the dispatcher).
func (d *Dispatcher) SetFanOut(f FanOut) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fanOut = f
}

// PublishEvents implements partnerkit.EventPublisher.
func (d *Dispatcher) PublishEvents(ctx context.Context, events []*partnerkit.AuditEvent) error {
	batch := make([]partnerkit.AuditEvent, len(events))
	for i, e := range events {
		batch[i] = *e
	}
	d.tx.AfterCommit(ctx, func() { d.dispatch(ctx, batch) })
	return nil
}

func (d *Dispatcher) dispatch(ctx context.Context, batch []partnerkit.AuditEvent) {
	d.mu.RLock()
	f := d.fanOut
	d.mu.RUnlock()
	report := func(err error) {
		if err != nil && d.OnError != nil {
			d.OnError(err)
		}
	}
	if f != nil {
		_, err := f.FanOut(ctx, batch)
		report(err)
	}
	if d.bus != nil {
		ptrs := make([]*partnerkit.AuditEvent, len(batch))
		for i := range batch {
			ptrs[i] = &batch[i]
		}
		report(d.bus.Dispatch(ctx, Events(ptrs)))
	}
}

// Attempter runs a delivery attempt; a *webhooks.Service provides it.
type Attempter interface {
	Attempt(ctx context.Context, job webhooks.AttemptJob) error
}

// Scheduler is the webhooks.Scheduler of the memory stores: after the
// commit it runs each attempt on a timer in its own goroutine. It keeps
// nothing across restarts (neither do the memory stores). Its Idle waits
// for the attempts scheduled and running; Close cancels the others and
// waits for the running ones; OnError receives what an attempt returned.
type Scheduler struct {
	*timers.Runner[webhooks.AttemptJob]
}

// NewScheduler returns a Scheduler that waits for tx's commits; clock
// tells how far away an attempt is (nil: the system clock).
func NewScheduler(tx AfterCommitter, clock partnerkit.Clock) *Scheduler {
	return &Scheduler{timers.New(tx, clock, func(j webhooks.AttemptJob) time.Time { return j.At })}
}

// SetAttempter sets what runs the attempts (built after the scheduler).
func (s *Scheduler) SetAttempter(a Attempter) { s.SetRun(a.Attempt) }

// ScheduleAttempt implements webhooks.Scheduler.
func (s *Scheduler) ScheduleAttempt(ctx context.Context, job webhooks.AttemptJob) error {
	s.Schedule(ctx, job)
	return nil
}
