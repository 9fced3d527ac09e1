package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"sync"
)

// SQLite parses every statement a connection runs unless the statement is
// prepared, and database/sql prepares nothing on its own: a query with
// arguments run on a connection (QueryContext, ExecContext) is parsed,
// run once and thrown away. The job engine's statements are long (River's
// insert of a job is 50 lines of SQL; measured: its parsing alone was 8 %
// of the CPU of a wizard with one webhook endpoint), and run with every
// change. CachingConnector's connections keep each statement that comes
// with arguments prepared, keyed by its text, and run it again from there;
// Bun's queries, which carry their arguments in their text, pass through.

// maxCachedStatements bounds the statements a connection keeps prepared
// (the least recently used one goes first).
const maxCachedStatements = 128

// CachingConnector returns a connector whose connections keep the
// statements run with arguments prepared (see above).
func CachingConnector(base driver.Connector) driver.Connector { return cachingConnector{base: base} }

type cachingConnector struct{ base driver.Connector }

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{ConnSession: ConnSession{Conn: conn}, stmts: map[string]*cachedStmt{}}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.base.Driver() }

// cachingConn is a connection with its prepared statements.
type cachingConn struct {
	ConnSession
	mu    sync.Mutex
	stmts map[string]*cachedStmt
	tick  uint64
}

// cachedStmt is a prepared statement of a connection; busy while rows it
// returned are open (a second run meanwhile, a nested query of the same
// text, gets a statement of its own).
type cachedStmt struct {
	stmt interface {
		driver.StmtExecContext
		driver.StmtQueryContext
		Close() error
	}
	busy bool
	used uint64
}

// take returns query's statement, prepared now if needed and marked busy,
// or nil when it is busy (or cannot be kept).
func (c *cachingConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	if cs, ok := c.stmts[query]; ok {
		if cs.busy {
			return nil, nil
		}
		cs.busy, cs.used = true, c.tick
		return cs, nil
	}
	p, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok {
		return nil, nil
	}
	st, err := p.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	full, ok := st.(interface {
		driver.StmtExecContext
		driver.StmtQueryContext
		Close() error
	})
	if !ok {
		st.Close()
		return nil, nil
	}
	if len(c.stmts) >= maxCachedStatements {
		c.evict()
	}
	cs := &cachedStmt{stmt: full, busy: true, used: c.tick}
	c.stmts[query] = cs
	return cs, nil
}

// evict closes the least recently used statement that is not busy.
func (c *cachingConn) evict() {
	var oldest string
	var at uint64
	for q, cs := range c.stmts {
		if !cs.busy && (oldest == "" || cs.used < at) {
			oldest, at = q, cs.used
		}
	}
	if oldest != "" {
		c.stmts[oldest].stmt.Close()
		delete(c.stmts, oldest)
	}
}

func (c *cachingConn) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.busy = false
	c.mu.Unlock()
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) > 0 {
		cs, err := c.take(ctx, query)
		if err != nil {
			return nil, err
		}
		if cs != nil {
			defer c.release(cs)
			return cs.stmt.ExecContext(ctx, args)
		}
	}
	ex, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	return ex.ExecContext(ctx, query, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) > 0 {
		cs, err := c.take(ctx, query)
		if err != nil {
			return nil, err
		}
		if cs != nil {
			rows, err := cs.stmt.QueryContext(ctx, args)
			if err != nil {
				c.release(cs)
				return nil, err
			}
			return &cachedRows{Rows: rows, done: func() { c.release(cs) }}, nil
		}
	}
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	return q.QueryContext(ctx, query, args)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return nil, errors.New("sqldb: the driver's connections lack BeginTx")
}

// ConnSession forwards the session methods database/sql looks for on a
// connection (Ping, ResetSession, IsValid, CheckNamedValue) to the driver
// connection it wraps: embed it in a wrapper of a driver's connections.
type ConnSession struct{ driver.Conn }

// Ping implements driver.Pinger.
func (c ConnSession) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// ResetSession implements driver.SessionResetter.
func (c ConnSession) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid implements driver.Validator.
func (c ConnSession) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// CheckNamedValue implements driver.NamedValueChecker.
func (c ConnSession) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// Close closes the statements, then the connection.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	for q, cs := range c.stmts {
		cs.stmt.Close()
		delete(c.stmts, q)
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

// cachedRows are the rows of a cached statement: closing them frees it.
type cachedRows struct {
	driver.Rows
	once sync.Once
	done func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.done)
	return err
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}
