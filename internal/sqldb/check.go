package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// ErrDatabaseNotReady is returned (wrapped, with what to change) by Check,
// and so by every bunstore's New, for a database the stores cannot work on:
// a SQLite pool without foreign keys, a busy timeout or immediate
// transactions, or a schema with pending steps.
var ErrDatabaseNotReady = errors.New("the database is not set up as the Partnerkit stores need")

// sqliteDSNHint tells what to set, in the words of the DSN.
const sqliteDSNHint = "open it with the DSN that partners/bunstore.SQLiteDSN(path) returns " +
	"(file:PATH?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_txlock=immediate), " +
	"or with partners/bunstore.Open; set them in the DSN, not with one PRAGMA statement, " +
	"so that every connection of the pool has them"

var ready sync.Map // *bun.DB → struct{}: passed Check once

// Check reports whether db is fit for the stores, as every bunstore's New
// asks; a database that passed once is not checked again. On SQLite every
// connection must enforce foreign keys (the dependents of an account keep it
// from being deleted, atomic changes roll back what refers to a removed row)
// and wait for a busy database instead of failing at once, and transactions
// must begin IMMEDIATE: a deferred one that reads, then writes fails with
// SQLITE_BUSY when another wrote meanwhile, and every rule that reads, then
// writes (team changes, allocations, sign-in counts…) would answer internal
// errors under concurrency. (WAL is not required: it lets reads run during a
// write, and journal_mode persists in the file; SQLiteDSN sets it.) On
// both dialects the schema must have no pending step.
func Check(ctx context.Context, db *bun.DB) error {
	if _, ok := ready.Load(db); ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if !IsPostgres(db) {
		if err := checkSQLite(ctx, db); err != nil {
			return err
		}
	}
	status, err := MigrationStatus(ctx, db)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrDatabaseNotReady, err)
	}
	if !status.UpToDate() {
		return fmt.Errorf("%w: the schema has %d pending steps (first %s): migrate it with partners/bunstore.Migrate(ctx, db), "+
			"or open it with partners/bunstore.Open, which migrates", ErrDatabaseNotReady, len(status.Pending), status.Pending[0])
	}
	ready.Store(db, struct{}{})
	return nil
}

// checkSQLite checks the pragmas on two connections held at once (so one
// of them is not the connection a single PRAGMA statement configured), and
// whether a transaction holds the write lock from its start.
func checkSQLite(ctx context.Context, db *bun.DB) error {
	n := 2
	if db.DB.Stats().MaxOpenConnections == 1 {
		n = 1 // one connection: transactions cannot interleave, deferred ones are safe
	}
	var conns []bun.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	problems := map[string]bool{}
	var order []string
	add := func(p string) {
		if !problems[p] {
			problems[p] = true
			order = append(order, p)
		}
	}
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("%w: connect: %v", ErrDatabaseNotReady, err)
		}
		conns = append(conns, c)
		var fk, busy int
		if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			return fmt.Errorf("%w: PRAGMA foreign_keys: %v", ErrDatabaseNotReady, err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			return fmt.Errorf("%w: PRAGMA busy_timeout: %v", ErrDatabaseNotReady, err)
		}
		if fk != 1 {
			add("PRAGMA foreign_keys is 0, want 1 (_pragma=foreign_keys(1))")
		}
		if busy <= 0 {
			add("PRAGMA busy_timeout is 0, want a wait in milliseconds (_pragma=busy_timeout(10000))")
		}
	}
	if n == 2 {
		immediate, err := beginsImmediate(ctx, conns[0], conns[1])
		if err != nil {
			return fmt.Errorf("%w: probe transactions: %v", ErrDatabaseNotReady, err)
		}
		if !immediate {
			add("transactions begin DEFERRED, want IMMEDIATE (_txlock=immediate)")
		}
	}
	if len(order) == 0 {
		return nil
	}
	return fmt.Errorf("%w: on SQLite, %s; %s", ErrDatabaseNotReady, strings.Join(order, "; "), sqliteDSNHint)
}

// beginsImmediate begins a transaction on a and reports whether it holds
// the write lock already: b, told not to wait, cannot take it then.
func beginsImmediate(ctx context.Context, a, b bun.Conn) (bool, error) {
	tx, err := a.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var wait int
	if err := b.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&wait); err != nil {
		return false, err
	}
	if _, err := b.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return false, err
	}
	defer func() {
		// b goes back to the pool: restore its wait, or discard it.
		if _, err := b.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", wait)); err != nil {
			_ = b.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	_, err = b.ExecContext(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		_, err = b.ExecContext(ctx, "ROLLBACK")
		return false, err
	}
	if isBusy(err) {
		return true, nil
	}
	return false, err
}
