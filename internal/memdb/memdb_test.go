package memdb_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/internal/memdb"
)

func TestTransactions(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	db := memdb.New()
	tb := memdb.NewTable[string, int]()
	put := func(ctx context.Context, k string, v int) error {
		return db.Update(ctx, func(tx *memdb.Tx) error { tb.Put(tx, k, v); return nil })
	}
	get := func(k string) (int, bool) {
		var v int
		var ok bool
		_ = db.View(ctx, func() error { v, ok = tb.Get(k); return nil })
		return v, ok
	}
	if err := put(ctx, "a", 1); err != nil {
		t.Fatal(err)
	}

	t.Run("RollbackRestoresPutsAndDeletes", func(t *testing.T) {
		err := db.InTx(ctx, func(ctx context.Context) error {
			_ = put(ctx, "a", 2)
			_ = put(ctx, "b", 3)
			_ = db.Update(ctx, func(tx *memdb.Tx) error { tb.Delete(tx, "a"); return nil })
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if v, ok := get("a"); !ok || v != 1 {
			t.Fatalf("a = %v %v, want 1", v, ok)
		}
		if _, ok := get("b"); ok {
			t.Fatal("b survived the rollback")
		}
	})

	t.Run("NestedIsASavepoint", func(t *testing.T) {
		err := db.InTx(ctx, func(ctx context.Context) error {
			_ = put(ctx, "outer", 1)
			if err := db.InTx(ctx, func(ctx context.Context) error { _ = put(ctx, "inner", 1); return boom }); !errors.Is(err, boom) {
				t.Fatal(err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := get("outer"); !ok {
			t.Fatal("outer write lost")
		}
		if _, ok := get("inner"); ok {
			t.Fatal("failed inner write kept")
		}
	})

	t.Run("PanicRollsBackAndUnlocks", func(t *testing.T) {
		func() {
			defer func() { _ = recover() }()
			_ = db.InTx(ctx, func(ctx context.Context) error { _ = put(ctx, "p", 1); panic("oops") })
		}()
		if _, ok := get("p"); ok {
			t.Fatal("write of a panicking transaction kept")
		}
		if err := put(ctx, "after", 1); err != nil { // would deadlock if the lock leaked
			t.Fatal(err)
		}
	})

	t.Run("CountDefaultsToZero", func(t *testing.T) {
		db.RegisterCount("things", func(id string) int { return len(id) })
		_ = db.View(ctx, func() error {
			if db.Count("things", "abc") != 3 || db.Count("unknown", "abc") != 0 {
				t.Fatal("Count")
			}
			return nil
		})
	})
}

func TestAfterCommit(t *testing.T) {
	db := memdb.New()
	ctx := context.Background()
	var ran []string
	err := db.InTx(ctx, func(ctx context.Context) error {
		db.AfterCommit(ctx, func() { ran = append(ran, "outer") })
		_ = db.InTx(ctx, func(ctx context.Context) error {
			db.AfterCommit(ctx, func() { ran = append(ran, "rolled back") })
			return errors.New("undo the savepoint")
		})
		return db.InTx(ctx, func(ctx context.Context) error {
			db.AfterCommit(ctx, func() {
				// After the commit the context carries no transaction:
				// a new one may start (the lock is free).
				_ = db.InTx(ctx, func(context.Context) error { ran = append(ran, "inner tx"); return nil })
			})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ran, ","); got != "outer,inner tx" {
		t.Fatalf("ran %q, want outer,inner tx", got)
	}
	ran = nil
	_ = db.InTx(ctx, func(ctx context.Context) error {
		db.AfterCommit(ctx, func() { ran = append(ran, "never") })
		return errors.New("roll back")
	})
	if len(ran) != 0 {
		t.Fatalf("a rolled-back transaction ran %v", ran)
	}
}
