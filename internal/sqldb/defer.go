package sqldb

import (
	"context"
	"sync"

	"github.com/uptrace/bun"
)

// A unit is the work of one caller's outermost InTx: its transaction on
// PostgreSQL, its savepoint of a group commit on SQLite. Values deferred
// to it are flushed, in the transaction, when the caller's function has
// returned nil and before the commit; values deferred inside a savepoint
// that rolls back are dropped with it.
type unit struct {
	mu    sync.Mutex
	items []deferred
}

type deferred struct {
	key   any
	value any
	flush func(ctx context.Context, values []any) error
}

type unitKey struct{ db *bun.DB }

// Defer adds value to the work of the transaction ctx carries for db: at
// the end of the outermost InTx, once its function returned nil and
// before it commits, flush runs once per key with every value deferred
// under that key, in the order they came (keys in the order of their
// first value). A flush error fails the transaction. Values deferred in a
// savepoint that rolls back are dropped. It reports false, deferring
// nothing, when ctx carries no transaction of db.
//
// The job engine uses it to insert one job per transaction for all the
// events the transaction published, instead of one per event.
func Defer(ctx context.Context, db *bun.DB, key, value any, flush func(ctx context.Context, values []any) error) bool {
	u, ok := ctx.Value(unitKey{db}).(*unit)
	if !ok {
		return false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.items = append(u.items, deferred{key: key, value: value, flush: flush})
	return true
}

// runUnit runs fn as a unit of work in the transaction ctx carries and
// flushes what fn deferred.
func runUnit(ctx context.Context, db *bun.DB, fn func(ctx context.Context) error) error {
	u := &unit{}
	ctx = context.WithValue(ctx, unitKey{db}, u)
	if err := fn(ctx); err != nil {
		return err
	}
	return u.flush(ctx)
}

// flush runs the deferred flushes; what a flush defers in turn (the
// webhook fan-out schedules attempts) is flushed after it, until nothing
// is left.
func (u *unit) flush(ctx context.Context) error {
	for {
		u.mu.Lock()
		items := u.items
		u.items = nil
		u.mu.Unlock()
		if len(items) == 0 {
			return nil
		}
		if err := flushItems(ctx, items); err != nil {
			return err
		}
	}
}

// flushItems runs each key's flush once with its values.
func flushItems(ctx context.Context, items []deferred) error {
	var keys []any
	groups := map[any][]deferred{}
	for _, it := range items {
		if _, seen := groups[it.key]; !seen {
			keys = append(keys, it.key)
		}
		groups[it.key] = append(groups[it.key], it)
	}
	for _, k := range keys {
		g := groups[k]
		values := make([]any, len(g))
		for i, it := range g {
			values[i] = it.value
		}
		if err := g[0].flush(ctx, values); err != nil {
			return err
		}
	}
	return nil
}

// mark returns how much ctx's unit holds, to drop what a savepoint that
// rolls back deferred; -1 when there is no unit.
func mark(ctx context.Context, db *bun.DB) int {
	u, ok := ctx.Value(unitKey{db}).(*unit)
	if !ok {
		return -1
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.items)
}

// dropSince drops what ctx's unit received after mark n.
func dropSince(ctx context.Context, db *bun.DB, n int) {
	if n < 0 {
		return
	}
	u := ctx.Value(unitKey{db}).(*unit)
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.items) > n {
		u.items = u.items[:n]
	}
}
