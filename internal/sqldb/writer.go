package sqldb

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/uptrace/bun"
)

// SQLite allows one writer at a time, and most of a small write's cost is
// its transaction: BEGIN IMMEDIATE, and a commit that appends every page
// the write touched (the row, each index, the audit trail) to the WAL.
// Writers therefore queue in the application and commit in groups: the
// first writer to find no transaction running becomes the leader, opens
// one, and runs every queued write in it in arrival order, each after the
// first in its own savepoint, then commits once for all of them. A write
// that fails rolls back to its savepoint (the first: the transaction) and
// reports its error at once; the others report the commit's outcome. Each
// write sees the ones before it, as it would have in its own transaction,
// and no write is acknowledged before its commit.

// MaxGroupCommit bounds how many writes share one SQLite transaction.
const MaxGroupCommit = 64

// writeRequest is one write transaction waiting in a writer's queue.
type writeRequest struct {
	ctx context.Context
	fn  func(ctx context.Context) error
	// state moves from queued to running (the leader took it) or to
	// abandoned (the caller stopped waiting first), never back.
	state  atomic.Int32
	result chan error
}

const (
	requestQueued int32 = iota
	requestRunning
	requestAbandoned
)

// writer is one SQLite database's queue of write transactions.
type writer struct {
	queue chan *writeRequest
	lead  chan struct{} // a token: whoever holds it runs the queue
	// checkpointing is set while a background checkpoint runs;
	// checkpointed is when the last one started (Unix nanoseconds).
	checkpointing atomic.Bool
	checkpointed  atomic.Int64
	// running is held while a background checkpoint runs (taken before it
	// starts, released by it when done), for CheckpointDone.
	running sync.Mutex
}

// checkpointEvery is how often, at most, a SQLite database's WAL is
// checkpointed in the background after its writes (nanoseconds; atomic,
// as tests change it while earlier tests' writes may still run).
var checkpointEvery atomic.Int64

func init() { checkpointEvery.Store(int64(250 * time.Millisecond)) }

// checkpointSoon starts a checkpoint of db's WAL on a connection of its
// own unless one runs or one started less than checkpointEvery ago. The
// checkpoint is PASSIVE: it copies what no reader still needs into the
// database file and syncs it, while the writer goes on appending to the
// WAL, which the next write transaction restarts from its beginning once
// all of it is copied (so the file stays small without a commit waiting).
func (w *writer) checkpointSoon(db *bun.DB) {
	now := time.Now().UnixNano()
	if now-w.checkpointed.Load() < checkpointEvery.Load() || !w.checkpointing.CompareAndSwap(false, true) {
		return
	}
	w.checkpointed.Store(now)
	w.running.Lock()
	go func() {
		defer w.running.Unlock()
		defer w.checkpointing.Store(false)
		// An error (the database closed meanwhile, a checkpoint of
		// another process running) leaves the WAL for the next one.
		_, _ = db.DB.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
	}()
}

// CheckpointDone waits until the background checkpoint of SQLite db's
// WAL that its last write started, if any, has finished: for a benchmark
// that charges the checkpoint to the writes that caused it.
func CheckpointDone(db *bun.DB) {
	w := writerOf(db)
	w.running.Lock()
	defer w.running.Unlock()
}

var writers sync.Map // *bun.DB → *writer

func writerOf(db *bun.DB) *writer {
	if w, ok := writers.Load(db); ok {
		return w.(*writer)
	}
	w, _ := writers.LoadOrStore(db, &writer{queue: make(chan *writeRequest, 4096), lead: make(chan struct{}, 1)})
	return w.(*writer)
}

// panicked carries a write's panic to the goroutine that asked for it.
type panicked struct{ value any }

func (p panicked) Error() string { return fmt.Sprint("sqldb: write panicked: ", p.value) }

// busy is the error of a write that could not get its turn.
func busy() error {
	return &partnerkit.Error{Code: partnerkit.CodeUnavailable, RetryAfter: time.Second,
		Message: "the server is busy with other changes: try again in a moment"}
}

// gaveUp is the error of a write whose caller stopped waiting.
func gaveUp(err error) error {
	return &partnerkit.Error{Code: partnerkit.CodeUnavailable, Op: "sqldb.InTx", Err: err,
		RetryAfter: time.Second, Message: "the request ended before its change could run"}
}

// write queues fn and waits for the outcome of its group's commit. A write
// that has not started within WriteWait is refused as unavailable, as is
// one whose caller's context ends first; once started, a write runs to its
// end (its statements are not interrupted: on SQLite an interrupted
// statement rolls back the whole transaction, the other writes' too).
func (w *writer) write(ctx context.Context, db *bun.DB, fn func(ctx context.Context) error) error {
	req := &writeRequest{ctx: context.WithoutCancel(ctx), fn: fn, result: make(chan error, 1)}
	timer := time.NewTimer(WriteWait)
	defer timer.Stop()
	select {
	case w.queue <- req:
	case <-timer.C:
		return busy()
	case <-ctx.Done():
		return gaveUp(ctx.Err())
	}
	for {
		select {
		case err := <-req.result:
			return unwrapPanic(err)
		case w.lead <- struct{}{}:
			w.runQueue(db, req)
			<-w.lead
			w.checkpointSoon(db)
		case <-timer.C:
			if req.state.CompareAndSwap(requestQueued, requestAbandoned) {
				return busy()
			}
			return unwrapPanic(<-req.result) // already running: it finishes
		case <-ctx.Done():
			if req.state.CompareAndSwap(requestQueued, requestAbandoned) {
				return gaveUp(ctx.Err())
			}
			return unwrapPanic(<-req.result)
		}
	}
}

func unwrapPanic(err error) error {
	if p, ok := err.(panicked); ok {
		panic(p.value)
	}
	return err
}

// runQueue commits the queued writes in groups until own's has run (then
// another waiting writer leads) or the queue is empty.
func (w *writer) runQueue(db *bun.DB, own *writeRequest) {
	for len(own.result) == 0 && w.runGroup(db) {
	}
}

// runGroup runs up to MaxGroupCommit queued writes in one transaction and
// commits it; it reports whether it found any write to run.
func (w *writer) runGroup(db *bun.DB) bool {
	first := w.next()
	if first == nil {
		return false
	}
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		first.result <- Internal("sqldb.InTx", err)
		return true
	}
	// The first write runs in the transaction itself: had it a savepoint,
	// SQLite would copy each page it changes into the savepoint's journal
	// and the savepoint's two statements would run, for nothing when the
	// write fails (the transaction holds no other write to keep) or is the
	// group's only one (the usual case without contention; measured on
	// BenchmarkIngestUsage: 1 % of a batch, the store's ratio to the raw
	// insert 1.248 → 1.236).
	if err := runAlone(db, tx, first); err != nil {
		_ = tx.Rollback()
		first.result <- err
		return true
	}
	done := []*writeRequest{first}
	for req := w.next(); req != nil && len(done) < MaxGroupCommit; {
		if err := runInSavepoint(db, tx, req); err != nil {
			req.result <- err
			if _, domain := err.(*partnerkit.Error); !domain {
				// A driver error may have ended the transaction:
				// commit what ran and start afresh.
				break
			}
		} else {
			done = append(done, req)
		}
		if len(done) == MaxGroupCommit {
			break
		}
		req = w.next()
	}
	err = tx.Commit()
	if err != nil {
		_ = tx.Rollback()
		err = Internal("sqldb.InTx: commit", err)
	}
	for _, req := range done {
		req.result <- err
	}
	return true
}

// next takes the next write from the queue that its caller still waits
// for, or nil when the queue is empty.
func (w *writer) next() *writeRequest {
	for {
		select {
		case req := <-w.queue:
			if req.state.CompareAndSwap(requestQueued, requestRunning) {
				return req
			}
		default:
			return nil
		}
	}
}

// runAlone runs a group's first write directly in tx; the caller rolls tx
// back if it fails or panics.
func runAlone(db *bun.DB, tx bun.Tx, req *writeRequest) error {
	return recovered(func() error { return runUnit(context.WithValue(req.ctx, txKey{db}, tx), db, req.fn) })
}

// runInSavepoint runs one write in a savepoint of tx, rolled back if it
// fails or panics.
func runInSavepoint(db *bun.DB, tx bun.Tx, req *writeRequest) error {
	return recovered(func() error {
		return inSavepoint(req.ctx, db, tx, func(ctx context.Context) error { return runUnit(ctx, db, req.fn) })
	})
}

// recovered runs a write, its panic returned as a panicked error (which
// write re-raises in the write's own goroutine).
func recovered(run func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = panicked{v}
		}
	}()
	return run()
}

// inSavepoint runs fn in a savepoint of tx with ctx (bun hands its callback
// the context the transaction began with, which lacks the caller's values).
// What fn deferred (Defer) is dropped if the savepoint rolls back.
func inSavepoint(ctx context.Context, db *bun.DB, tx bun.Tx, fn func(ctx context.Context) error) error {
	n := mark(ctx, db)
	err := tx.RunInTx(ctx, nil, func(_ context.Context, inner bun.Tx) error {
		return fn(context.WithValue(ctx, txKey{db}, inner))
	})
	if err != nil {
		dropSince(ctx, db, n)
	}
	return err
}

// LockWriter waits for the turn of SQLite db's one writer, as a group of
// Partnerkit's own writes would, and holds it until unlock is called: for
// a writer outside InTx on another pool of the same file (the job engine's
// own connection), which would otherwise spin on SQLite's busy timeout
// while Partnerkit's writes keep the lock. It returns unavailable when ctx
// ends first. It must not be called by a goroutine running inside InTx of
// db (the turn is taken).
func LockWriter(ctx context.Context, db *bun.DB) (unlock func(), err error) {
	w := writerOf(db)
	select {
	case w.lead <- struct{}{}:
	case <-ctx.Done():
		return nil, gaveUp(ctx.Err())
	}
	// Waiting senders on the turn's channel are served in order, so the
	// other writer takes its turn between two groups of Partnerkit's
	// writes, neither side starving the other.
	var once sync.Once
	return func() {
		once.Do(func() {
			<-w.lead
			w.checkpointSoon(db)
		})
	}, nil
}
