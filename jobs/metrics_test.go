package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/jobs"
)

// failures records what the engine's observer is told.
type failures struct {
	mu    sync.Mutex
	kinds map[string]int
}

func (f *failures) JobFailed(kind string, panicked bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if panicked {
		kind += "/panic"
	}
	f.kinds[kind]++
}

func (f *failures) count(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.kinds[kind]
}

// TestMetrics runs on SQLite and PostgreSQL: nothing is pending after
// Migrate; a failing and a panicking rule are reported to the observer;
// the queue depths count the rules' jobs by state; Running follows Start
// and Stop.
func TestMetrics(t *testing.T) {
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			db := d.open(t)
			pending, err := jobs.PendingMigrations(ctx, db)
			if err != nil || len(pending) == 0 {
				t.Fatalf("before jobs.Migrate: pending %v, %v", pending, err)
			}
			obs := &failures{kinds: map[string]int{}}
			inst := start(t, db, jobs.Config{Observer: obs, Rules: []jobs.Rule{
				{Name: "fails", Every: time.Hour, Run: func(context.Context) error { return errors.New("no") }},
				{Name: "panics", Every: time.Hour, Run: func(context.Context) error { panic("no") }},
			}})
			if pending, err := jobs.PendingMigrations(ctx, db); err != nil || len(pending) != 0 {
				t.Fatalf("after jobs.Migrate: pending %v, %v", pending, err)
			}
			if !inst.engine.Running() {
				t.Fatal("started, not running")
			}
			waitFor(t, "the rules to fail", func() bool {
				return obs.count("partnerkit.rule") > 0 && obs.count("partnerkit.rule/panic") > 0
			})
			depths, err := inst.engine.QueueDepths(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n := int64(0)
			for _, q := range depths {
				if q.Kind == "partnerkit.rule" && q.State != "" {
					n += q.Count
				}
			}
			if n != 2 {
				t.Fatalf("queue depths %+v, want the two rules' jobs", depths)
			}
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := inst.engine.Stop(stopCtx); err != nil {
				t.Fatal(err)
			}
			if inst.engine.Running() {
				t.Fatal("stopped, still running")
			}
		})
	}
}
