// Package memdb is the engine under every in-memory store: tables of values
// guarded by one lock, and transactions that undo their writes on error.
//
// A transaction travels in the context, so the memstores of several domains
// built on one DB join a single transaction, exactly as bunstores built on
// one *bun.DB do. A nested InTx acts as a savepoint.
package memdb

import (
	"cmp"
	"context"
	"iter"
	"maps"
	"slices"
	"sync"

	"github.com/partnerkit/partnerkit"
)

// DB holds the tables of the memstores built on it.
type DB struct {
	mu     sync.RWMutex
	counts map[string]CountFunc
	// directory and dependents are the account figures other domains
	// registered (see RegisterDirectoryCount, RegisterDependent).
	directory, dependents []NamedCount
}

// NamedCount is a figure a domain's memstore contributes about an account.
type NamedCount struct {
	// Name is the figure's name, as the domain spells it ("signed_contracts").
	Name string
	// Count counts it for an account; it is called with the DB locked.
	Count CountFunc
}

// CountFunc counts something about an account for the partner directory.
// It is called with the DB locked.
type CountFunc func(accountID string) int

// New returns an empty DB.
func New() *DB { return &DB{counts: map[string]CountFunc{}} }

type txKey struct{ db *DB }

// Tx records how to undo the writes of a transaction.
type Tx struct {
	undo  []func()
	after []func()
	// done is set at the commit: the functions run after it see no
	// transaction in their context (the lock is released).
	done bool
}

// AfterCommit runs fn once the outermost transaction of ctx has committed
// (and the DB's lock is released); a rollback of the transaction, or of the
// savepoint fn was registered in, drops it. Outside a transaction fn runs
// at once.
func (db *DB) AfterCommit(ctx context.Context, fn func()) {
	t := db.txFrom(ctx)
	if t == nil {
		fn()
		return
	}
	t.after = append(t.after, fn)
	t.undo = append(t.undo, func() { t.after = t.after[:len(t.after)-1] })
}

func (t *Tx) rollbackTo(mark int) {
	for i := len(t.undo) - 1; i >= mark; i-- {
		t.undo[i]()
	}
	t.undo = t.undo[:mark]
}

func (db *DB) txFrom(ctx context.Context) *Tx {
	t, _ := ctx.Value(txKey{db}).(*Tx)
	if t != nil && t.done {
		return nil
	}
	return t
}

// InTx runs fn in a transaction: if fn returns an error or panics, every
// write it made through this DB is undone. Inside a transaction (ctx came
// from an outer InTx) it acts as a savepoint. Calls from fn must use the
// context fn receives: the DB's lock is held until fn returns.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if t := db.txFrom(ctx); t != nil {
		mark := len(t.undo)
		defer func() {
			if p := recover(); p != nil {
				t.rollbackTo(mark)
				panic(p)
			}
			if err != nil {
				t.rollbackTo(mark)
			}
		}()
		return fn(ctx)
	}
	t := &Tx{}
	if err := db.runTx(ctx, t, fn); err != nil {
		return err
	}
	t.done = true
	for _, f := range t.after {
		f()
	}
	return nil
}

// runTx runs fn in t with the DB locked, undoing t's writes if fn fails.
func (db *DB) runTx(ctx context.Context, t *Tx, fn func(ctx context.Context) error) (err error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	defer func() {
		if p := recover(); p != nil {
			t.rollbackTo(0)
			panic(p)
		}
		if err != nil {
			t.rollbackTo(0)
		}
	}()
	return fn(context.WithValue(ctx, txKey{db}, t))
}

// Update runs fn with write access: in the context's transaction, or in a
// transaction of its own.
func (db *DB) Update(ctx context.Context, fn func(t *Tx) error) error {
	return db.InTx(ctx, func(ctx context.Context) error { return fn(db.txFrom(ctx)) })
}

// View runs fn with read access.
func (db *DB) View(ctx context.Context, fn func() error) error {
	if db.txFrom(ctx) != nil {
		return fn()
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	return fn()
}

// RegisterCount makes Count(name, …) call fn. A domain's memstore registers
// the figures another domain's directory shows (signed contracts, listings).
func (db *DB) RegisterCount(name string, fn CountFunc) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.counts[name] = fn
}

// RegisterDirectoryCount adds a figure that the partner directory shows for
// every partner (a domain's memstore registers its own when it is built);
// registering a name again replaces it.
func (db *DB) RegisterDirectoryCount(name string, fn CountFunc) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.directory = upsertCount(db.directory, NamedCount{name, fn})
}

// RegisterDependent adds a kind of row that keeps an account from being
// deleted (a domain's memstore registers its own when it is built).
func (db *DB) RegisterDependent(kind string, fn CountFunc) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.dependents = upsertCount(db.dependents, NamedCount{kind, fn})
}

// DirectoryCounts returns the registered directory figures, in the order
// they were registered. Call it inside View or Update.
func (db *DB) DirectoryCounts() []NamedCount { return db.directory }

// Dependents returns the registered kinds of dependent rows, in the order
// they were registered. Call it inside View or Update.
func (db *DB) Dependents() []NamedCount { return db.dependents }

func upsertCount(list []NamedCount, c NamedCount) []NamedCount {
	for i := range list {
		if list[i].Name == c.Name {
			list = slices.Clone(list)
			list[i] = c
			return list
		}
	}
	return append(slices.Clone(list), c)
}

// Count returns the registered count of name for an account, or 0 when no
// store registered it. Call it inside View or Update.
func (db *DB) Count(name, accountID string) int {
	if fn := db.counts[name]; fn != nil {
		return fn(accountID)
	}
	return 0
}

// Table is a map of rows by key. Read it inside View or Update; write it
// inside Update through its Tx, so the write can be undone.
type Table[K cmp.Ordered, V any] struct {
	rows map[K]V
}

// NewTable returns an empty table.
func NewTable[K cmp.Ordered, V any]() *Table[K, V] { return &Table[K, V]{rows: map[K]V{}} }

// Get returns the row stored under k.
func (tb *Table[K, V]) Get(k K) (V, bool) {
	v, ok := tb.rows[k]
	return v, ok
}

// Put stores v under k.
func (tb *Table[K, V]) Put(t *Tx, k K, v V) {
	old, had := tb.rows[k]
	tb.rows[k] = v
	t.undo = append(t.undo, func() {
		if had {
			tb.rows[k] = old
		} else {
			delete(tb.rows, k)
		}
	})
}

// Delete removes the row under k, if any.
func (tb *Table[K, V]) Delete(t *Tx, k K) {
	old, had := tb.rows[k]
	if !had {
		return
	}
	delete(tb.rows, k)
	t.undo = append(t.undo, func() { tb.rows[k] = old })
}

// Len returns the number of rows.
func (tb *Table[K, V]) Len() int { return len(tb.rows) }

// All yields every row in key order.
func (tb *Table[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for _, k := range slices.Sorted(maps.Keys(tb.rows)) {
			if !yield(k, tb.rows[k]) {
				return
			}
		}
	}
}

// Values yields every row in no particular order (faster than All).
func (tb *Table[K, V]) Values() iter.Seq[V] { return maps.Values(tb.rows) }

// CountWhere counts the rows whose value matches; a memstore's RegisterCount
// hooks use it.
func (tb *Table[K, V]) CountWhere(match func(V) bool) int {
	n := 0
	for _, v := range tb.rows {
		if match(v) {
			n++
		}
	}
	return n
}

// Get returns a copy of the row under id, or a not_found error naming kind.
func Get[V any](ctx context.Context, db *DB, tb *Table[string, V], kind, id string) (*V, error) {
	var out *V
	err := db.View(ctx, func() error {
		v, ok := tb.Get(id)
		if !ok {
			return partnerkit.NotFound(kind, id)
		}
		out = &v
		return nil
	})
	return out, err
}

// CheckVersion returns not_found when tb has no row under id and conflict
// when the stored row's version differs from expected: the optimistic
// locking rule every store shares. version reads a row's version.
func CheckVersion[V any](tb *Table[string, V], kind, id string, expected int, version func(V) int) (V, error) {
	old, ok := tb.Get(id)
	if !ok {
		return old, partnerkit.NotFound(kind, id)
	}
	if version(old) != expected {
		return old, partnerkit.Errorf(partnerkit.CodeConflict, "%s %s was changed by someone else", kind, id)
	}
	return old, nil
}

// InsertOrdered adds v to the ordered list stored under key, keeping the
// order cmp defines (a time-ordered log: audit events, contract events,
// allocation history). The stored list is copied, never changed in place.
func InsertOrdered[V any](t *Tx, tb *Table[string, []V], key string, v V, cmp func(a, b V) int) {
	list, _ := tb.Get(key)
	list = slices.Clone(list)
	i, _ := slices.BinarySearchFunc(list, v, cmp)
	tb.Put(t, key, slices.Insert(list, i, v))
}

// Page returns the window of items that limit and offset select; a limit
// of 0 means no limit. It never panics, however large limit and offset are.
func Page[T any](items []T, limit, offset int) []T {
	return partnerkit.Window(items, partnerkit.Page{Limit: limit, Offset: offset})
}
