//go:build !js

package observe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/uptrace/bun"
)

// Readiness answers /readyz: 200 when every check passes, else 503, with
// a JSON body naming each check and what is wrong with those that fail:
//
//	{"status":"not_ready","not_ready":["jobs"],
//	 "checks":{"database":"ok","migrations":"ok","jobs":"the job engine is not running"}}
//
// A load balancer sends traffic only to a ready instance; /healthz stays
// "the process is alive" (restart it when that fails, not when the
// database is down).
type Readiness struct {
	checks []Check
	log    *slog.Logger
}

// Check is one condition of readiness. Run returns nil when it holds, or
// an error whose message is shown in /readyz's body (say what is wrong in
// the operator's words, without secrets or addresses: the cause goes to
// the log).
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// CheckTimeout bounds each check of a /readyz request.
const CheckTimeout = 2 * time.Second

// NewReadiness returns the probe of checks, logging failures' causes to
// log (nil: slog.Default()).
func NewReadiness(log *slog.Logger, checks ...Check) *Readiness {
	if log == nil {
		log = slog.Default()
	}
	return &Readiness{checks: checks, log: log}
}

// ServerChecks are the server's readiness: the database answers, no
// migration of Partnerkit or River is pending, and the job engine runs.
func ServerChecks(db *bun.DB, engine *jobs.Engine) []Check {
	return []Check{DatabaseCheck(db), MigrationsCheck(db), JobsCheck(engine)}
}

// problem is a check's failure: a message to show and a cause to log.
type problem struct {
	msg   string
	cause error
}

func (p *problem) Error() string { return p.msg }
func (p *problem) Unwrap() error { return p.cause }

// DatabaseCheck passes when db (a *bun.DB or *sql.DB) answers a ping.
func DatabaseCheck(db interface{ PingContext(context.Context) error }) Check {
	return Check{Name: "database", Run: func(ctx context.Context) error {
		if err := db.PingContext(ctx); err != nil {
			return &problem{"the database does not answer", err}
		}
		return nil
	}}
}

// MigrationsCheck passes when no migration of Partnerkit's schema or of
// River's is pending. Once it passed it is not asked again (migrations
// are never undone under a running server).
func MigrationsCheck(db *bun.DB) Check {
	var done atomic.Bool
	return Check{Name: "migrations", Run: func(ctx context.Context) error {
		if done.Load() {
			return nil
		}
		st, err := sqldb.MigrationStatus(ctx, db)
		if err != nil {
			return &problem{"cannot read Partnerkit's migrations", err}
		}
		river, err := jobs.PendingMigrations(ctx, db)
		if err != nil {
			return &problem{"cannot read River's migrations", err}
		}
		var pending []string
		for _, n := range st.Pending {
			pending = append(pending, "partnerkit "+n)
		}
		for _, v := range river {
			pending = append(pending, "river "+strconv.Itoa(v))
		}
		if len(pending) > 0 {
			return fmt.Errorf("%d migrations pending (%s): run `partnerkit migrate up`", len(pending), strings.Join(pending, ", "))
		}
		done.Store(true)
		return nil
	}}
}

// JobsCheck passes while the job engine works jobs.
func JobsCheck(engine *jobs.Engine) Check {
	return Check{Name: "jobs", Run: func(context.Context) error {
		if !engine.Running() {
			return errors.New("the job engine is not running")
		}
		return nil
	}}
}

// Ready runs the checks and returns the problems of those that fail, by
// name (none: ready).
func (rd *Readiness) Ready(ctx context.Context) (map[string]string, []string) {
	results := make(map[string]string, len(rd.checks))
	var failing []string
	for _, c := range rd.checks {
		cctx, cancel := context.WithTimeout(ctx, CheckTimeout)
		err := c.Run(cctx)
		cancel()
		if err == nil {
			results[c.Name] = "ok"
			continue
		}
		results[c.Name] = err.Error()
		failing = append(failing, c.Name)
		rd.log.WarnContext(ctx, "not ready", "check", c.Name, "problem", err.Error(), "cause", errors.Unwrap(err))
	}
	return results, failing
}

// ServeHTTP answers /readyz.
func (rd *Readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	results, failing := rd.Ready(r.Context())
	writeReady(w, results, failing)
}

func writeReady(w http.ResponseWriter, results map[string]string, failing []string) {
	body := struct {
		Status   string            `json:"status"`
		NotReady []string          `json:"not_ready,omitempty"`
		Checks   map[string]string `json:"checks"`
	}{Status: "ready", NotReady: failing, Checks: results}
	if body.Checks == nil {
		body.Checks = map[string]string{}
	}
	status := http.StatusOK
	if len(failing) > 0 {
		body.Status, status = "not_ready", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
