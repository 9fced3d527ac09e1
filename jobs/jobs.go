// Package jobs runs Partnerkit's background work on River
// (github.com/riverqueue/river): the fan-out of domain events to webhooks
// and in-process subscribers, webhook delivery attempts, mail sends, and the scheduled
// rules (storage purges, subscription period ends, invitation expiry,
// usage threshold alerts). It is the adapter between the services and the
// job engine; no domain package imports River.
//
// Jobs are inserted in the same transaction as the change that causes
// them (InsertTx on the *sql.Tx under the bun.Tx), so no event is lost and
// none is sent for a change rolled back. On PostgreSQL River runs on
// riverdatabasesql over the *sql.DB Bun uses, its tables in the schema
// "partnerkit_river" so that they do not clash with an embedding
// application's own River; on SQLite (riversqlite, which its authors call
// early: see the note in the README for how it held under our tests) its
// tables are river_* in the database file, and its own work (fetching,
// completing) runs on a second pool of one connection, as its authors
// advise. Periodic jobs are inserted by River's elected leader only, and
// each is unique per period, so each runs once per period however many
// instances share the database.
//
// Use it with package wiring:
//
//	eng, err := jobs.New(db, jobs.Config{})
//	svc, err := wiring.New(st, wiring.Options{Publisher: eng, Webhooks: []webhooks.Option{
//		webhooks.WithScheduler(eng), webhooks.WithSender(httpsender.New(httpsender.Options{}))}})
//	err = eng.Start(ctx, svc)
//	defer eng.Stop(ctx)
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/events"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"
)

// Queue is the River queue of every Partnerkit job; an embedding
// application's own River clients leave it alone unless they name it.
const Queue = "partnerkit"

// PostgresSchema is the PostgreSQL schema of Partnerkit's River tables.
const PostgresSchema = "partnerkit_river"

// Job kinds.
const (
	KindFanOut  = "partnerkit.fan_out"
	KindAttempt = "partnerkit.webhook_attempt"
	// KindAttempts is a job of several due attempts (AttemptsArgs).
	KindAttempts = "partnerkit.webhook_attempts"
)

// Config tunes the engine; the zero value is the production setting.
type Config struct {
	// Workers is how many jobs run at once on this instance (default
	// 100). River fetches at most this many jobs every FetchCooldown
	// (50 ms): with 10, webhook deliveries topped out at 200 jobs/s
	// (measured: 1,186 events/s whatever the load); the workers wait on
	// receivers far more than they use the CPU.
	Workers int
	// PollInterval is how often idle workers look for due jobs (neither
	// driver has LISTEN/NOTIFY here, so this bounds the latency from
	// commit to delivery). By default 50 ms on PostgreSQL, where a poll is
	// one indexed query (measured on BenchmarkDelivery at 20 events/s:
	// commit-to-receiver p50 108 ms at 200 ms), and 200 ms on SQLite, where
	// a poll takes the one writer's turn and River's SQLite driver is
	// woken by its notifications meanwhile (p50 28 ms).
	PollInterval time.Duration
	// RescueAfter is how long a job may run before River takes it for
	// lost (its instance died) and runs it again (default 2 minutes; a
	// webhook attempt takes at most webhooks.DeliveryTimeout).
	RescueAfter time.Duration
	// Rules are the scheduled rules to run; nil means DefaultRules of the
	// services, an empty non-nil slice none.
	Rules []Rule
	// Logger receives River's log (default: slog.Default at warn level).
	Logger *slog.Logger
	// ID names this instance among the clients of one database (default:
	// River's, host name and time).
	ID string
	// Observer, when set, is told of failed jobs (metrics.go).
	Observer Observer
	// Time, when set, is River's clock (tests).
	Time interface {
		Now() time.Time
		NowOrNil() *time.Time
	}
}

// Rule is a scheduled rule: Run every Every, on one instance.
type Rule struct {
	// Name is the rule's job kind suffix ("purge_storage").
	Name string
	// Every is the period.
	Every time.Duration
	// Run runs the rule once.
	Run func(ctx context.Context) error
}

// Engine is the job engine of one database: the events publisher, the
// webhooks scheduler, and the River client that works the jobs.
type Engine struct {
	db      *bun.DB
	cfg     Config
	client  *river.Client[*sql.Tx]
	ownPool *sql.DB // SQLite: River's own one-connection pool

	mu       sync.RWMutex
	services *wiring.Services
	started  bool
	// running is set once River's client started, until Stop (Running).
	running atomic.Bool
}

// Migrate creates or updates River's tables in db (the server runs it
// with Partnerkit's own migrations; it is idempotent).
func Migrate(ctx context.Context, db *bun.DB) error {
	driver, schema, closeFn, err := migrationDriver(ctx, db)
	if err != nil {
		return err
	}
	defer closeFn()
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Schema: schema, Logger: quietLogger()})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

func migrationDriver(ctx context.Context, db *bun.DB) (riverdriver.Driver[*sql.Tx], string, func(), error) {
	if sqldb.IsPostgres(db) {
		if _, err := db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+PostgresSchema); err != nil {
			return nil, "", nil, fmt.Errorf("jobs: create schema %s: %w", PostgresSchema, err)
		}
		return riverdatabasesql.New(db.DB), PostgresSchema, func() {}, nil
	}
	return riversqlite.New(db.DB), "", func() {}, nil
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(discard{}, &slog.HandlerOptions{Level: slog.LevelError + 1}))
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// New returns the engine of db (migrated with Migrate). It inserts jobs at
// once; it works them after Start.
func New(db *bun.DB, cfg Config) (*Engine, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 100
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 200 * time.Millisecond
		if sqldb.IsPostgres(db) {
			cfg.PollInterval = 50 * time.Millisecond
		}
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = 2 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.Default().Handler()).With("component", "jobs")
	}
	e := &Engine{db: db, cfg: cfg}
	workers := river.NewWorkers()
	river.AddWorker(workers, &fanOutWorker{engine: e})
	river.AddWorker(workers, &attemptWorker{engine: e})
	river.AddWorker(workers, &attemptsWorker{engine: e})
	river.AddWorker(workers, &mailSendWorker{engine: e})
	// The rules' workers are registered now, with every known rule name,
	// so that a rule job inserted by another instance finds its worker.
	river.AddWorker(workers, &ruleWorker{engine: e})

	var driver riverdriver.Driver[*sql.Tx]
	rc := &river.Config{
		Queues:               map[string]river.QueueConfig{Queue: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(cfg.PollInterval, 50*time.Millisecond),
		RescueStuckJobsAfter: cfg.RescueAfter,
		JobTimeout:           min(webhooks.DeliveryTimeout+time.Minute, cfg.RescueAfter),
		Logger:               cfg.Logger,
		ID:                   cfg.ID,
		MaxAttempts:          25,
		SkipUnknownJobCheck:  true,
		ErrorHandler:         &errorLogger{log: cfg.Logger, observer: cfg.Observer},
	}
	if cfg.Time != nil {
		rc.Test.Time = cfg.Time
	}
	if sqldb.IsPostgres(db) {
		driver = riverdatabasesql.New(db.DB)
		rc.Schema = PostgresSchema
	} else {
		// River's own reads and writes (fetching, completing, electing)
		// go through one connection of their own, as its SQLite driver's
		// authors advise; inserts run in Partnerkit's transactions.
		pool, err := openSQLitePool(db)
		if err != nil {
			return nil, err
		}
		e.ownPool = pool
		driver = riversqlite.New(pool)
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		if e.ownPool != nil {
			e.ownPool.Close()
		}
		return nil, fmt.Errorf("jobs: %w", err)
	}
	e.client = client
	return e, nil
}

// PublishEvents implements partnerkit.EventPublisher. The events of one
// transaction are handled together in that transaction, just before it
// commits (sqldb.Defer; outside a transaction, the call's events on their
// own). Once the engine knows its services (Use, Start), their webhook
// deliveries are created there and then, and one fan-out job carries the
// deliveries' first attempts and the events that an in-process
// subscription of this instance takes (no job when there is neither);
// before that, the fan-out job creates the deliveries later, on whichever
// instance works it.
func (e *Engine) PublishEvents(ctx context.Context, evs []*partnerkit.AuditEvent) error {
	values := make([]any, len(evs))
	for i, ev := range evs {
		values[i] = ev
	}
	for _, v := range values {
		if !sqldb.Defer(ctx, e.db, fanOutKey{}, v, e.flushFanOut) {
			return e.flushFanOut(ctx, values)
		}
	}
	return nil
}

// fanOutKey and attemptKey group a transaction's deferred jobs.
type (
	fanOutKey  struct{}
	attemptKey struct{}
)

// maxFanOut bounds the events of one fan-out job (a bulk load of
// thousands of partners makes several).
const maxFanOut = 500

// flushFanOut handles a transaction's events as PublishEvents says.
func (e *Engine) flushFanOut(ctx context.Context, values []any) error {
	svc := e.bound()
	var ids []string
	if svc == nil {
		for _, v := range values {
			ids = append(ids, v.(*partnerkit.AuditEvent).ID)
		}
		return e.insertFanOut(ctx, ids, false)
	}
	if svc.Webhooks != nil {
		evs := make([]partnerkit.AuditEvent, len(values))
		for i, v := range values {
			evs[i] = *v.(*partnerkit.AuditEvent)
			// As stored and read back (the payload of a redelivery is
			// the same bytes).
			evs[i].At = evs[i].At.UTC().Truncate(time.Microsecond)
		}
		// The first attempts it schedules come to flushAttempts, after
		// this flush.
		if _, err := svc.Webhooks.FanOut(ctx, evs); err != nil {
			return err
		}
	}
	if svc.Events != nil {
		for _, v := range values {
			if ev := v.(*partnerkit.AuditEvent); svc.Events.Wants(ev.Action) {
				ids = append(ids, ev.ID)
			}
		}
	}
	if len(ids) > 0 {
		// flushAttempts puts them in the job of the first attempts, or in
		// a job of their own.
		sqldb.Defer(ctx, e.db, attemptKey{}, subscribed(ids), e.flushAttempts)
	}
	return nil
}

// subscribed are the events of a change that in-process subscriptions
// take, deferred with its first attempts.
type subscribed []string

// insertFanOut inserts the fan-out jobs of events, at most maxFanOut
// each; created when their webhook deliveries exist already.
func (e *Engine) insertFanOut(ctx context.Context, ids []string, created bool) error {
	var batch []river.InsertManyParams
	for start := 0; start < len(ids); start += maxFanOut {
		batch = append(batch, river.InsertManyParams{Args: FanOutArgs{EventIDs: ids[start:min(start+maxFanOut, len(ids))],
			DeliveriesCreated: created}, InsertOpts: &river.InsertOpts{Queue: Queue}})
	}
	return e.insertMany(ctx, batch)
}

// ScheduleAttempt implements webhooks.Scheduler: the attempts a
// transaction schedules are inserted together before it commits.
func (e *Engine) ScheduleAttempt(ctx context.Context, job webhooks.AttemptJob) error {
	if sqldb.Defer(ctx, e.db, attemptKey{}, job, e.flushAttempts) {
		return nil
	}
	return e.insertMany(ctx, []river.InsertManyParams{attemptParams(job)})
}

// attemptParams is the job of one attempt. A due attempt is available at
// once; only a later one waits as scheduled (River moves scheduled jobs to
// available every few seconds, which would delay every first attempt).
func attemptParams(job webhooks.AttemptJob) river.InsertManyParams {
	opts := &river.InsertOpts{Queue: Queue}
	if job.At.After(time.Now()) {
		opts.ScheduledAt = job.At
	}
	return river.InsertManyParams{Args: AttemptArgs{AttemptJob: job}, InsertOpts: opts}
}

// maxAttemptBatch bounds the attempts of one AttemptsArgs job: at
// webhooks.AttemptParallelism POSTs at a time, two rounds of
// webhooks.DeliveryTimeout, far within the time River gives a job before it
// takes it for lost.
const maxAttemptBatch = 2 * webhooks.AttemptParallelism

// flushAttempts inserts the attempts a transaction scheduled: the due ones
// together in jobs of up to maxAttemptBatch (a change's first attempts
// then cost one job, its endpoints and secrets are read once and its
// outcomes recorded in one transaction), each later one as its own
// scheduled job. The events of the change that subscriptions take
// (flushFanOut) ride in the first of them, a fan-out job: a change costs
// one job.
func (e *Engine) flushAttempts(ctx context.Context, values []any) error {
	var batch []river.InsertManyParams
	var due []webhooks.AttemptJob
	var events []string
	now := time.Now()
	for _, v := range values {
		switch x := v.(type) {
		case subscribed:
			events = append(events, x...)
		case webhooks.AttemptJob:
			if x.At.After(now) {
				batch = append(batch, attemptParams(x))
			} else {
				due = append(due, x)
			}
		}
	}
	if len(events) > 0 {
		first := due[:min(maxAttemptBatch, len(due))]
		due = due[len(first):]
		for start := 0; start < len(events); start += maxFanOut {
			args := FanOutArgs{EventIDs: events[start:min(start+maxFanOut, len(events))], DeliveriesCreated: true}
			if start == 0 {
				args.Attempts = first
			}
			batch = append(batch, river.InsertManyParams{Args: args, InsertOpts: &river.InsertOpts{Queue: Queue}})
		}
	}
	for start := 0; start < len(due); start += maxAttemptBatch {
		part := due[start:min(start+maxAttemptBatch, len(due))]
		if len(part) == 1 {
			batch = append(batch, attemptParams(part[0]))
			continue
		}
		batch = append(batch, river.InsertManyParams{Args: AttemptsArgs{Attempts: part}, InsertOpts: &river.InsertOpts{Queue: Queue}})
	}
	return e.insertMany(ctx, batch)
}

// insertMany inserts jobs in the transaction ctx carries, or on their own.
func (e *Engine) insertMany(ctx context.Context, batch []river.InsertManyParams) error {
	if len(batch) == 0 {
		return nil
	}
	var err error
	if tx, ok := sqldb.SQLTx(ctx, e.db); ok {
		_, err = e.client.InsertManyTx(ctx, tx, batch)
	} else {
		_, err = e.client.InsertMany(ctx, batch)
	}
	if err != nil {
		return sqldb.Internal("jobs.insertMany "+batch[0].Args.Kind(), err)
	}
	return nil
}

// insert inserts a job in the transaction ctx carries, or on its own.
func (e *Engine) insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	var err error
	if tx, ok := sqldb.SQLTx(ctx, e.db); ok {
		_, err = e.client.InsertTx(ctx, tx, args, opts)
	} else {
		_, err = e.client.Insert(ctx, args, opts)
	}
	if err != nil {
		return sqldb.Internal("jobs.insert "+args.Kind(), err)
	}
	return nil
}

// Use gives the engine the services its events go to before it starts
// working jobs (Start does it too): from then on a change's webhook
// deliveries are created in its own transaction (PublishEvents).
func (e *Engine) Use(svc *wiring.Services) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.services = svc
}

// bound returns the services of Use, or nil.
func (e *Engine) bound() *wiring.Services {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.services
}

// Start works the jobs with svc's services until Stop; periodic rules are
// inserted by whichever instance River elects leader.
func (e *Engine) Start(ctx context.Context, svc *wiring.Services) error {
	e.mu.Lock()
	e.services = svc
	e.started = true
	e.mu.Unlock()
	rules := e.cfg.Rules
	if rules == nil {
		rules = DefaultRules(svc)
	}
	setRules(e, rules)
	for _, r := range rules {
		name, every := r.Name, r.Every
		e.client.PeriodicJobs().Add(river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return RuleArgs{Rule: name}, &river.InsertOpts{Queue: Queue,
					UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: every}}
			}, &river.PeriodicJobOpts{ID: name, RunOnStart: true}))
	}
	if err := e.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	e.running.Store(true)
	return nil
}

// Stop waits for the running jobs (up to ctx) and stops working; jobs not
// started stay in the database for the next start.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.RLock()
	started := e.started
	e.mu.RUnlock()
	e.running.Store(false)
	var err error
	if started {
		err = e.client.Stop(ctx)
	}
	if e.ownPool != nil {
		err = errors.Join(err, e.ownPool.Close())
	}
	return err
}

// Client is the River client, for tests and for operators' tools.
func (e *Engine) Client() *river.Client[*sql.Tx] { return e.client }

func (e *Engine) svc() (*wiring.Services, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.services == nil {
		return nil, errors.New("jobs: the engine was not started with services")
	}
	return e.services, nil
}

// FanOutArgs is the job of a change's events: their webhook deliveries
// (unless DeliveriesCreated: the change created them), first attempts
// (Attempts, when it did), and in-process subscriptions.
type FanOutArgs struct {
	// EventIDs are the events: every event of the change, or, when
	// DeliveriesCreated, those that subscriptions take.
	EventIDs []string `json:"event_ids"`
	// DeliveriesCreated is set when the change created the deliveries.
	DeliveriesCreated bool `json:"deliveries_created,omitempty"`
	// Attempts are first attempts of the change's deliveries, run before
	// the subscriptions are called.
	Attempts []webhooks.AttemptJob `json:"attempts,omitempty"`
}

// Kind implements river.JobArgs.
func (FanOutArgs) Kind() string { return KindFanOut }

type fanOutWorker struct {
	river.WorkerDefaults[FanOutArgs]
	engine *Engine
}

// Work runs the first attempts the job carries, creates the events'
// webhook deliveries (unless the change did) and calls the in-process
// subscribers; an error makes River run it again (recorded attempts are
// skipped, the fan-out creates nothing twice, subscribers see the events
// again).
func (w *fanOutWorker) Work(ctx context.Context, job *river.Job[FanOutArgs]) error {
	svc, err := w.engine.svc()
	if err != nil {
		return err
	}
	if len(job.Args.Attempts) > 0 && svc.Webhooks != nil {
		if err := svc.Webhooks.AttemptAll(ctx, job.Args.Attempts); err != nil {
			return err
		}
	}
	evs, err := svc.Partners.EventsByID(ctx, job.Args.EventIDs)
	if err != nil {
		return err
	}
	if svc.Webhooks != nil && !job.Args.DeliveriesCreated {
		if _, err := svc.Webhooks.FanOut(ctx, evs); err != nil {
			return err
		}
	}
	ptrs := make([]*partnerkit.AuditEvent, len(evs))
	for i := range evs {
		ptrs[i] = &evs[i]
	}
	return svc.Events.Dispatch(ctx, events.Events(ptrs))
}

// Timeout bounds the fan-out: its attempts' rounds of POSTs, and time to
// record them and call the subscriptions.
func (w *fanOutWorker) Timeout(job *river.Job[FanOutArgs]) time.Duration {
	return attemptsTimeout(len(job.Args.Attempts))
}

// attemptsTimeout bounds a job of n attempts: at
// webhooks.AttemptParallelism at a time, rounds of at most
// webhooks.DeliveryTimeout, and time to record them.
func attemptsTimeout(n int) time.Duration {
	rounds := (n + webhooks.AttemptParallelism - 1) / webhooks.AttemptParallelism
	return time.Duration(max(rounds, 1))*webhooks.DeliveryTimeout + 30*time.Second
}

// AttemptArgs is the job of one webhook attempt.
type AttemptArgs struct {
	webhooks.AttemptJob
}

// Kind implements river.JobArgs.
func (AttemptArgs) Kind() string { return KindAttempt }

type attemptWorker struct {
	river.WorkerDefaults[AttemptArgs]
	engine *Engine
}

// Work runs the attempt; the webhooks service schedules the next one
// itself, so River retries only an attempt whose outcome was not stored.
func (w *attemptWorker) Work(ctx context.Context, job *river.Job[AttemptArgs]) error {
	svc, err := w.engine.svc()
	if err != nil {
		return err
	}
	if svc.Webhooks == nil {
		return nil
	}
	return svc.Webhooks.Attempt(ctx, job.Args.AttemptJob)
}

// Timeout bounds an attempt: the POST's own limit and time to record it.
func (w *attemptWorker) Timeout(*river.Job[AttemptArgs]) time.Duration {
	return webhooks.DeliveryTimeout + 30*time.Second
}

// AttemptsArgs is the job of several due webhook attempts, run together
// (webhooks.Service.AttemptAll).
type AttemptsArgs struct {
	Attempts []webhooks.AttemptJob `json:"attempts"`
}

// Kind implements river.JobArgs.
func (AttemptsArgs) Kind() string { return KindAttempts }

type attemptsWorker struct {
	river.WorkerDefaults[AttemptsArgs]
	engine *Engine
}

// Work runs the attempts; as for one attempt, River retries only when an
// outcome was not stored, and the attempts recorded already are skipped.
func (w *attemptsWorker) Work(ctx context.Context, job *river.Job[AttemptsArgs]) error {
	svc, err := w.engine.svc()
	if err != nil {
		return err
	}
	if svc.Webhooks == nil {
		return nil
	}
	return svc.Webhooks.AttemptAll(ctx, job.Args.Attempts)
}

// Timeout bounds the attempts: their rounds of POSTs and time to record
// them.
func (w *attemptsWorker) Timeout(job *river.Job[AttemptsArgs]) time.Duration {
	return attemptsTimeout(len(job.Args.Attempts))
}

// errorLogger logs failed jobs (without their arguments, which never hold
// secrets but may hold personal data).
type errorLogger struct {
	log      *slog.Logger
	observer Observer
}

func (h *errorLogger) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	if h.observer != nil {
		h.observer.JobFailed(job.Kind, false)
	}
	h.log.WarnContext(ctx, "job failed", "kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "error", err)
	return nil
}

func (h *errorLogger) HandlePanic(ctx context.Context, job *rivertype.JobRow, v any, trace string) *river.ErrorHandlerResult {
	if h.observer != nil {
		h.observer.JobFailed(job.Kind, true)
	}
	h.log.ErrorContext(ctx, "job panicked", "kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "panic", fmt.Sprint(v))
	return nil
}
