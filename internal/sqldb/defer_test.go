package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/uptrace/bun"
)

// flushLog records each flush of deferred values, and writes a row per
// flush in the transaction so that its fate follows the transaction's.
type flushLog struct {
	mu      sync.Mutex
	flushes [][]any
	db      *bun.DB
	fail    bool
}

func (f *flushLog) flush(ctx context.Context, values []any) error {
	if f.fail {
		return errors.New("flush failed")
	}
	f.mu.Lock()
	f.flushes = append(f.flushes, values)
	f.mu.Unlock()
	return insertItem(ctx, f.db, fmt.Sprint("flush ", values))
}

type deferKey struct{}

// TestDefer: values deferred in a transaction are flushed once, together,
// in the transaction, after the caller's function and before the commit;
// a savepoint that rolls back drops its values; a failed function or flush
// flushes nothing and commits nothing. On SQLite each caller's values stay
// its own inside a group commit.
func TestDefer(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			db := openRaw(t, d.dsn(t))
			table := `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`
			if sqldb.IsPostgres(db) {
				table = `CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE)`
			}
			if _, err := db.ExecContext(ctx, table); err != nil {
				t.Fatal(err)
			}
			log := &flushLog{db: db}
			if sqldb.Defer(ctx, db, deferKey{}, 0, log.flush) {
				t.Fatal("Defer outside a transaction deferred")
			}
			err := sqldb.InTx(ctx, db, func(ctx context.Context) error {
				sqldb.Defer(ctx, db, deferKey{}, 1, log.flush)
				// A savepoint that fails drops what it deferred.
				_ = sqldb.InTx(ctx, db, func(ctx context.Context) error {
					sqldb.Defer(ctx, db, deferKey{}, 2, log.flush)
					return partnerkit.Errorf(partnerkit.CodeConflict, "inner fails")
				})
				// One that succeeds keeps it.
				if err := sqldb.InTx(ctx, db, func(ctx context.Context) error {
					sqldb.Defer(ctx, db, deferKey{}, 3, log.flush)
					return nil
				}); err != nil {
					return err
				}
				if len(log.flushes) != 0 {
					t.Error("flushed before the function returned")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(log.flushes) != 1 || !slices.Equal(log.flushes[0], []any{1, 3}) || countItems(t, db) != 1 {
				t.Fatalf("flushes %v, %d rows; want one flush of [1 3] and its row", log.flushes, countItems(t, db))
			}
			// A failing function flushes nothing.
			_ = sqldb.InTx(ctx, db, func(ctx context.Context) error {
				sqldb.Defer(ctx, db, deferKey{}, 4, log.flush)
				return errors.New("fails")
			})
			// A failing flush fails the transaction and its writes.
			bad := &flushLog{db: db, fail: true}
			err = sqldb.InTx(ctx, db, func(ctx context.Context) error {
				if err := insertItem(ctx, db, "kept only if the flush works"); err != nil {
					return err
				}
				sqldb.Defer(ctx, db, deferKey{}, 5, bad.flush)
				return nil
			})
			if err == nil || len(log.flushes) != 1 || countItems(t, db) != 1 {
				t.Fatalf("after failures: err %v, flushes %v, %d rows", err, log.flushes, countItems(t, db))
			}
			// Concurrent callers (one SQLite group commit): each flush
			// holds its own caller's values only.
			var wg sync.WaitGroup
			for i := range 40 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_ = sqldb.InTx(ctx, db, func(ctx context.Context) error {
						sqldb.Defer(ctx, db, deferKey{}, 100+i, log.flush)
						sqldb.Defer(ctx, db, deferKey{}, 200+i, log.flush)
						return nil
					})
				}()
			}
			wg.Wait()
			if len(log.flushes) != 41 {
				t.Fatalf("%d flushes, want 41", len(log.flushes))
			}
			for _, f := range log.flushes[1:] {
				if len(f) != 2 || f[1].(int)-f[0].(int) != 100 {
					t.Fatalf("a flush mixed callers: %v", f)
				}
			}
		})
	}
}
