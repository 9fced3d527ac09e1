// Package timers runs jobs in process after a transaction commits, each on
// a timer of its own: the job schedulers of the memory stores (webhook
// attempts, mail sends). It keeps nothing across restarts, as the memory
// stores keep nothing.
package timers

import (
	"context"
	"sync"
	"time"

	"github.com/partnerkit/partnerkit"
)

// AfterCommitter runs a function once the transaction of ctx commits,
// never if it rolls back (the memory stores' engine does).
type AfterCommitter interface {
	AfterCommit(ctx context.Context, fn func())
}

// Runner runs jobs of type J at their time, after the commit of the
// transaction that scheduled them.
type Runner[J any] struct {
	tx    AfterCommitter
	clock partnerkit.Clock
	at    func(J) time.Time
	// OnError receives what a job returned (nil: dropped).
	OnError func(error)

	mu       sync.Mutex
	run      func(ctx context.Context, job J) error
	timers   map[*time.Timer]struct{}
	running  sync.WaitGroup
	stopped  bool
	pending  int
	idleCond *sync.Cond
}

// New returns a Runner that waits for tx's commits and runs each job at
// at(job) by clock (nil: the system clock).
func New[J any](tx AfterCommitter, clock partnerkit.Clock, at func(J) time.Time) *Runner[J] {
	r := &Runner[J]{tx: tx, clock: clock, at: at, timers: map[*time.Timer]struct{}{}}
	r.idleCond = sync.NewCond(&r.mu)
	return r
}

// SetRun sets what runs the jobs (built after the runner).
func (r *Runner[J]) SetRun(run func(ctx context.Context, job J) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.run = run
}

// Schedule runs job at its time once ctx's transaction commits.
func (r *Runner[J]) Schedule(ctx context.Context, job J) {
	r.tx.AfterCommit(ctx, func() { r.start(context.WithoutCancel(ctx), job) })
}

func (r *Runner[J]) start(ctx context.Context, job J) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	r.pending++
	var t *time.Timer
	t = time.AfterFunc(max(r.at(job).Sub(r.clock.Now()), 0), func() {
		r.mu.Lock()
		delete(r.timers, t)
		run, stopped := r.run, r.stopped
		if !stopped {
			r.running.Add(1)
		}
		r.mu.Unlock()
		if !stopped && run != nil {
			if err := run(ctx, job); err != nil && r.OnError != nil {
				r.OnError(err)
			}
		}
		if !stopped {
			r.running.Done()
		}
		r.mu.Lock()
		r.pending--
		r.idleCond.Broadcast()
		r.mu.Unlock()
	})
	r.timers[t] = struct{}{}
}

// Idle waits until no job is scheduled or running, or ctx ends (tests use
// it to wait for the work).
func (r *Runner[J]) Idle(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		r.mu.Lock()
		for r.pending > 0 && ctx.Err() == nil {
			r.idleCond.Wait()
		}
		r.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		r.mu.Lock()
		r.idleCond.Broadcast()
		r.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// Close cancels the jobs not started and waits for the running ones.
func (r *Runner[J]) Close() {
	r.mu.Lock()
	r.stopped = true
	for t := range r.timers {
		if t.Stop() {
			r.pending--
		}
		delete(r.timers, t)
	}
	r.idleCond.Broadcast()
	r.mu.Unlock()
	r.running.Wait()
}
