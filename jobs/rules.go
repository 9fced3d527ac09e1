package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
)

// Periods of the default rules.
var (
	PurgeEvery       = time.Hour
	PeriodEndsEvery  = 15 * time.Minute
	InvitationsEvery = time.Hour
	ThresholdsEvery  = 15 * time.Minute
)

// DefaultRules are the scheduled rules of the services svc has: deleted
// storage accounts purged after their grace period, usage thresholds
// checked (usage.threshold_crossed), subscriptions renewed or expired at
// their period end, and invitations past their validity expired. Each is
// idempotent: a run repeated (at-least-once) changes nothing more.
func DefaultRules(svc *wiring.Services) []Rule {
	var out []Rule
	if svc.Capacity != nil {
		out = append(out, Rule{Name: "purge_storage", Every: PurgeEvery, Run: func(ctx context.Context) error {
			_, err := svc.Capacity.PurgeDeletedStorageAccounts(ctx)
			return err
		}})
		out = append(out, Rule{Name: "usage_thresholds", Every: ThresholdsEvery, Run: func(ctx context.Context) error {
			_, err := svc.Capacity.CheckUsageThresholds(ctx)
			return err
		}})
	}
	if svc.Resellers != nil {
		out = append(out, Rule{Name: "period_ends", Every: PeriodEndsEvery, Run: func(ctx context.Context) error {
			_, err := svc.Resellers.RunPeriodEnds(ctx)
			return err
		}})
	}
	if svc.Contracts != nil {
		out = append(out, Rule{Name: "expire_invitations", Every: InvitationsEvery, Run: func(ctx context.Context) error {
			_, err := svc.Contracts.ExpireInvitations(ctx)
			return err
		}})
	}
	return out
}

// RuleArgs is the job of one run of a scheduled rule.
type RuleArgs struct {
	Rule string `json:"rule"`
}

// Kind implements river.JobArgs.
func (RuleArgs) Kind() string { return "partnerkit.rule" }

type ruleWorker struct {
	river.WorkerDefaults[RuleArgs]
	engine *Engine
}

var (
	rulesMu sync.RWMutex
	rulesOf = map[*Engine]map[string]Rule{}
)

func setRules(e *Engine, rules []Rule) {
	m := make(map[string]Rule, len(rules))
	for _, r := range rules {
		m[r.Name] = r
	}
	rulesMu.Lock()
	defer rulesMu.Unlock()
	rulesOf[e] = m
}

// Work runs the rule; a rule this instance does not know (inserted by a
// newer one) is left to the instances that do, by failing it.
func (w *ruleWorker) Work(ctx context.Context, job *river.Job[RuleArgs]) error {
	rulesMu.RLock()
	r, ok := rulesOf[w.engine][job.Args.Rule]
	rulesMu.RUnlock()
	if !ok {
		return fmt.Errorf("jobs: no scheduled rule %q on this instance", job.Args.Rule)
	}
	return r.Run(ctx)
}

// openSQLitePool opens River's own pool on the SQLite file of db: one
// connection, with the same pragmas as Partnerkit's, whose writes take
// turns with Partnerkit's (see sqlitegate.go).
func openSQLitePool(db *bun.DB) (*sql.DB, error) {
	var path string
	rows, err := db.QueryContext(context.Background(), "PRAGMA database_list")
	if err != nil {
		return nil, fmt.Errorf("jobs: find the SQLite file: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var name, file string
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return nil, fmt.Errorf("jobs: find the SQLite file: %w", err)
		}
		if name == "main" {
			path = file
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: find the SQLite file: %w", err)
	}
	if path == "" {
		return nil, fmt.Errorf("jobs: the SQLite database has no file (an in-memory database cannot be shared with the job engine)")
	}
	pool, err := openGatedPool(db, sqldb.SQLiteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("jobs: open River's pool: %w", err)
	}
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	pool.SetConnMaxIdleTime(0)
	pool.SetConnMaxLifetime(0)
	return pool, nil
}
