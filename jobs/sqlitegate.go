package jobs

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/uptrace/bun"
	"modernc.org/sqlite"
)

// River's SQLite work (fetching, completing and scheduling jobs) runs on a
// pool of its own, beside the one Partnerkit writes through. SQLite allows
// one writer at a time, and Partnerkit's writers take turns in the
// application (sqldb.InTx); a second pool outside those turns would spin
// on the busy timeout while a steady stream of Partnerkit's writes keeps
// the lock — deliveries stall while the API writes. Every statement and
// transaction of River's pool therefore first takes the same turn
// (sqldb.LockWriter): River's work interleaves with Partnerkit's groups
// of writes, in order, instead of racing them.

// gatedConnector opens River's connections, each taking the writer's turn.
type gatedConnector struct {
	base driver.Connector
	db   *bun.DB
}

func (c gatedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &gatedConn{ConnSession: sqldb.ConnSession{Conn: conn}, db: c.db}, nil
}

func (c gatedConnector) Driver() driver.Driver { return c.base.Driver() }

// gatedConn holds the writer's turn for each statement outside a
// transaction (until its rows are closed) and for each transaction (until
// it ends).
type gatedConn struct {
	sqldb.ConnSession // Ping, ResetSession, IsValid, CheckNamedValue
	db                *bun.DB
	unlock            func() // set while a transaction holds the turn
}

func (c *gatedConn) lock(ctx context.Context) (func(), error) {
	if c.unlock != nil {
		return func() {}, nil // the transaction holds it
	}
	return sqldb.LockWriter(ctx, c.db)
}

func (c *gatedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	unlock, err := sqldb.LockWriter(ctx, c.db)
	if err != nil {
		return nil, err
	}
	b, ok := c.Conn.(driver.ConnBeginTx)
	if !ok {
		unlock()
		return nil, fmt.Errorf("jobs: the SQLite driver's connections lack BeginTx")
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		unlock()
		return nil, err
	}
	c.unlock = unlock
	return &gatedTx{Tx: tx, conn: c}, nil
}

// Begin implements driver.Conn (database/sql calls BeginTx).
func (c *gatedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *gatedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ex, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	unlock, err := c.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return ex.ExecContext(ctx, query, args)
}

func (c *gatedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	unlock, err := c.lock(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, query, args)
	if err != nil {
		unlock()
		return nil, err
	}
	return &gatedRows{Rows: rows, unlock: unlock}, nil
}

func (c *gatedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &gatedStmt{Stmt: st, conn: c}, nil
}

func (c *gatedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *gatedConn) Close() error {
	if c.unlock != nil {
		c.unlock()
		c.unlock = nil
	}
	return c.Conn.Close()
}

// gatedTx gives the turn back when the transaction ends.
type gatedTx struct {
	driver.Tx
	conn *gatedConn
}

func (t *gatedTx) end(err error) error {
	if t.conn.unlock != nil {
		t.conn.unlock()
		t.conn.unlock = nil
	}
	return err
}

func (t *gatedTx) Commit() error   { return t.end(t.Tx.Commit()) }
func (t *gatedTx) Rollback() error { return t.end(t.Tx.Rollback()) }

// gatedStmt takes the turn for each execution outside a transaction.
type gatedStmt struct {
	driver.Stmt
	conn *gatedConn
}

func (s *gatedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	unlock, err := s.conn.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if ex, ok := s.Stmt.(driver.StmtExecContext); ok {
		return ex.ExecContext(ctx, args)
	}
	return nil, fmt.Errorf("jobs: the SQLite driver's statements lack ExecContext")
}

func (s *gatedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	unlock, err := s.conn.lock(ctx)
	if err != nil {
		return nil, err
	}
	q, ok := s.Stmt.(driver.StmtQueryContext)
	if !ok {
		unlock()
		return nil, fmt.Errorf("jobs: the SQLite driver's statements lack QueryContext")
	}
	rows, err := q.QueryContext(ctx, args)
	if err != nil {
		unlock()
		return nil, err
	}
	return &gatedRows{Rows: rows, unlock: unlock}, nil
}

func (s *gatedStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return s.conn.CheckNamedValue(nv)
}

// gatedRows gives the turn back when the rows are closed.
type gatedRows struct {
	driver.Rows
	unlock func()
}

func (r *gatedRows) Close() error {
	err := r.Rows.Close()
	r.unlock()
	return err
}

func (r *gatedRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err == io.EOF {
		// Done: give the turn back now rather than at Close.
		r.unlock()
		r.unlock = func() {}
	}
	return err
}

// openGatedPool opens River's one-connection pool on the SQLite file at
// dsn, its statements taking db's writer turns.
func openGatedPool(db *bun.DB, dsn string) (*sql.DB, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(gatedConnector{base: sqldb.CachingConnector(base), db: db}), nil
}
