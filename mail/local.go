package mail

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

// Sends runs a scheduled send; a *Service provides it.
type Sends interface {
	Send(ctx context.Context, job SendJob) error
}

// LocalScheduler is the Scheduler of the memory stores: after the commit
// it runs each send on a timer in a goroutine of its own. It keeps nothing
// across restarts (neither do the memory stores).
type LocalScheduler struct {
	tx    AfterCommitter
	clock partnerkit.Clock
	// OnError receives what a send returned (nil: dropped).
	OnError func(error)

	mu       sync.Mutex
	sends    Sends
	timers   map[*time.Timer]struct{}
	running  sync.WaitGroup
	stopped  bool
	pending  int
	idleCond *sync.Cond
}

var _ Scheduler = (*LocalScheduler)(nil)

// NewLocalScheduler returns a LocalScheduler that waits for tx's commits;
// clock tells how far away a send is (nil: the system clock).
func NewLocalScheduler(tx AfterCommitter, clock partnerkit.Clock) *LocalScheduler {
	s := &LocalScheduler{tx: tx, clock: clock, timers: map[*time.Timer]struct{}{}}
	s.idleCond = sync.NewCond(&s.mu)
	return s
}

// SetSends sets what runs the sends (the service, built after the
// scheduler).
func (s *LocalScheduler) SetSends(x Sends) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sends = x
}

// ScheduleSend implements Scheduler.
func (s *LocalScheduler) ScheduleSend(ctx context.Context, job SendJob) error {
	s.tx.AfterCommit(ctx, func() { s.start(context.WithoutCancel(ctx), job) })
	return nil
}

func (s *LocalScheduler) start(ctx context.Context, job SendJob) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.pending++
	var t *time.Timer
	t = time.AfterFunc(max(job.At.Sub(s.clock.Now()), 0), func() {
		s.mu.Lock()
		delete(s.timers, t)
		x, stopped := s.sends, s.stopped
		if !stopped {
			s.running.Add(1)
		}
		s.mu.Unlock()
		if !stopped && x != nil {
			if err := x.Send(ctx, job); err != nil && s.OnError != nil {
				s.OnError(err)
			}
		}
		if !stopped {
			s.running.Done()
		}
		s.mu.Lock()
		s.pending--
		s.idleCond.Broadcast()
		s.mu.Unlock()
	})
	s.timers[t] = struct{}{}
}

// Idle waits until no send is scheduled or running, or ctx ends (tests use
// it to wait for the mail).
func (s *LocalScheduler) Idle(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.mu.Lock()
		for s.pending > 0 && ctx.Err() == nil {
			s.idleCond.Wait()
		}
		s.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		s.idleCond.Broadcast()
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// Close cancels the sends not started and waits for the running ones.
func (s *LocalScheduler) Close() {
	s.mu.Lock()
	s.stopped = true
	for t := range s.timers {
		if t.Stop() {
			s.pending--
		}
		delete(s.timers, t)
	}
	s.idleCond.Broadcast()
	s.mu.Unlock()
	s.running.Wait()
}
