package timers_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/memdb"
	"github.com/partnerkit/partnerkit/internal/timers"
)

type job struct {
	name string
	at   time.Time
}

// TestRunner: a job runs once its transaction commits, at its time, never
// when the transaction rolls back; errors reach OnError; Close cancels
// the jobs not started.
func TestRunner(t *testing.T) {
	ctx := context.Background()
	db := memdb.New()
	r := timers.New(db, partnerkit.Clock(time.Now), func(j job) time.Time { return j.at })
	var mu sync.Mutex
	var ran, failed []string
	r.OnError = func(err error) { mu.Lock(); failed = append(failed, err.Error()); mu.Unlock() }
	r.SetRun(func(_ context.Context, j job) error {
		mu.Lock()
		ran = append(ran, j.name)
		mu.Unlock()
		if j.name == "fails" {
			return errors.New("fails")
		}
		return nil
	})
	schedule := func(j job, rollback bool) {
		_ = db.InTx(ctx, func(ctx context.Context) error {
			r.Schedule(ctx, j)
			if rollback {
				return errors.New("rolled back")
			}
			return nil
		})
	}
	now := time.Now()
	schedule(job{"now", now}, false)
	schedule(job{"rolled back", now}, true)
	schedule(job{"fails", now.Add(20 * time.Millisecond)}, false)
	schedule(job{"much later", now.Add(time.Hour)}, false)
	idle, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if err := r.Idle(idle); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Idle with a job an hour away: %v, want the deadline", err)
	}
	r.Close()
	if err := r.Idle(ctx); err != nil {
		t.Fatalf("Idle after Close: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ran) != 2 || ran[0] != "now" || ran[1] != "fails" || len(failed) != 1 {
		t.Fatalf("ran %v, failed %v; want [now fails] and one failure", ran, failed)
	}
}
