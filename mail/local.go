package mail

import (
	"context"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/timers"
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
// across restarts (neither do the memory stores). Its Idle waits for the
// sends scheduled and running; Close cancels the others and waits for the
// running ones; OnError receives what a send returned.
type LocalScheduler struct {
	*timers.Runner[SendJob]
}

var _ Scheduler = (*LocalScheduler)(nil)

// NewLocalScheduler returns a LocalScheduler that waits for tx's commits;
// clock tells how far away a send is (nil: the system clock).
func NewLocalScheduler(tx AfterCommitter, clock partnerkit.Clock) *LocalScheduler {
	return &LocalScheduler{timers.New(tx, clock, func(j SendJob) time.Time { return j.At })}
}

// SetSends sets what runs the sends (the service, built after the
// scheduler).
func (s *LocalScheduler) SetSends(x Sends) { s.SetRun(x.Send) }

// ScheduleSend implements Scheduler.
func (s *LocalScheduler) ScheduleSend(ctx context.Context, job SendJob) error {
	s.Schedule(ctx, job)
	return nil
}
