package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// Prepared runs the hot queries of a store with their values bound, so
// that each is parsed once per connection: Bun writes its arguments into
// the SQL text, so SQLite parses every Bun query anew (measured: a third of
// a request's time under load went to parsing the two lookups of
// authentication and tenancy). Outside a transaction a query runs as a
// statement prepared on the database; inside one, as text on the
// transaction's connection, whose statement cache keeps it parsed
// (CachingConnector on SQLite, pgx on PostgreSQL: see text). That cache
// keeps only statements that come with arguments, so a query that runs in
// transactions binds at least one value. Queries are written with ?
// placeholders; on PostgreSQL they become $1, $2 ….
type Prepared struct {
	db      *bun.DB
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	rebound map[string]string // PostgreSQL's text of each query
}

// NewPrepared returns the prepared statements of db.
func NewPrepared(db *bun.DB) *Prepared {
	return &Prepared{db: db, stmts: map[string]*sql.Stmt{}, rebound: map[string]string{}}
}

// QueryRow runs query with args, inside the transaction ctx carries for
// the database if there is one.
func (p *Prepared) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx, done := p.hooked(ctx, query)
	row := p.queryRow(ctx, query, args...)
	done(row.Err())
	return row
}

func (p *Prepared) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if tx, ok := ctx.Value(txKey{p.db}).(bun.Tx); ok {
		return tx.Tx.QueryRowContext(ctx, p.text(query), args...)
	}
	stmt, err := p.stmt(ctx, query)
	if err != nil { // let Scan report it: run the query unprepared
		return p.db.DB.QueryRowContext(ctx, p.text(query), args...)
	}
	return stmt.QueryRowContext(p.readContext(ctx), args...)
}

// Query runs query with args as QueryRow does, for several rows.
func (p *Prepared) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, done := p.hooked(ctx, query)
	rows, err := p.query(ctx, query, args...)
	done(err)
	return rows, err
}

func (p *Prepared) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx, ok := ctx.Value(txKey{p.db}).(bun.Tx); ok {
		return tx.Tx.QueryContext(ctx, p.text(query), args...)
	}
	stmt, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return stmt.QueryContext(p.readContext(ctx), args...)
}

// readContext is the context of a read outside a transaction: on SQLite,
// ctx without its cancellation and deadline. The driver watches a
// cancellable context at every row it steps to, and database/sql at every
// Next: a directory page of 50 rows took 16 % longer under a request's
// context than under context.Background (BenchmarkDirectory's
// ctx=cancellable). The hot reads are short and bounded (lookups by key,
// pages with a LIMIT) and SQLite reads in WAL mode never wait for a
// writer, so a read runs to its end even when the caller gives up.
// PostgreSQL keeps the cancellation (pgx watches it once a query, and
// cancels the query on the server).
func (p *Prepared) readContext(ctx context.Context) context.Context {
	if ctx.Done() == nil || IsPostgres(p.db) {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// Exec runs a statement with args as QueryRow does, for no rows.
func (p *Prepared) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, done := p.hooked(ctx, query)
	res, err := p.exec(ctx, query, args...)
	done(err)
	return res, err
}

func (p *Prepared) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx, ok := ctx.Value(txKey{p.db}).(bun.Tx); ok {
		return tx.Tx.ExecContext(ctx, p.text(query), args...)
	}
	stmt, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return stmt.ExecContext(ctx, args...)
}

// TimeArg is t as an argument of a prepared statement, stored as Bun
// stores it in a timestamp column that sqldb.Time does not cover: its
// text on SQLite (so that it compares and sorts with the rows Bun wrote),
// the time itself on PostgreSQL. A nil t is NULL.
func (p *Prepared) TimeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	if IsPostgres(p.db) {
		return t.UTC()
	}
	b := p.db.Dialect().AppendTime(nil, *t)
	return string(b[1 : len(b)-1]) // without the quotes of the literal
}

// TimeValue is t as an argument of a prepared statement for a column
// that Time covers: microseconds since the Unix epoch on SQLite (as Time
// writes them), the time itself on PostgreSQL.
func (p *Prepared) TimeValue(t time.Time) any {
	if IsPostgres(p.db) {
		return t.UTC()
	}
	return t.UnixMicro()
}

// MaxListed bounds the IDs of one IN list (PaddedIDs: a prepared statement
// for each power of two up to it) and the rows of one multi-row upsert.
const MaxListed = 1024

// PaddedIDs returns ids as the arguments of an IN list whose length is a
// power of two, the last ID repeated, so that few prepared statements
// serve every list (ids must not be empty).
func PaddedIDs(ids []string) []any {
	args := make([]any, PaddedSize(len(ids)))
	for i := range args {
		args[i] = ids[min(i, len(ids)-1)]
	}
	return args
}

// PaddedSize is the size of the statement that takes n values or rows:
// the power of two at or above n (1 for none), so that a few statement
// texts serve every size.
func PaddedSize(n int) int {
	size := 1
	for size < n {
		size *= 2
	}
	return size
}

// Placeholders is n groups of the given number of ? placeholders, comma
// separated: "(?, ?), (?, ?)" for the rows of a multi-row INSERT, or
// "?, ?, ?" for an IN list when width is 1 and bare.
func Placeholders(n, width int, bare bool) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		if !bare {
			b.WriteByte('(')
		}
		for j := range width {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		if !bare {
			b.WriteByte(')')
		}
	}
	return b.String()
}

// preparedHooks are the query hooks of each instrumented database
// (*bun.DB → []bun.QueryHook), which Bun keeps to itself.
var preparedHooks sync.Map

// AddPreparedHook runs hook around every query of db's Prepared
// statements, as Bun runs the hooks of db (bun.DB.WithQueryHook) around its
// own: tracing (app/observe) gives them spans as it does Bun's queries.
// The event carries the query with placeholders, without its arguments.
// Call it before the stores of db are built.
func AddPreparedHook(db *bun.DB, hook bun.QueryHook) {
	old, _ := preparedHooks.Load(db)
	hooks, _ := old.([]bun.QueryHook)
	preparedHooks.Store(db, append(slices.Clip(hooks), hook))
}

// hooked runs db's prepared hooks before a query; done runs them after it
// with the query's error.
func (p *Prepared) hooked(ctx context.Context, query string) (context.Context, func(error)) {
	v, ok := preparedHooks.Load(p.db)
	if !ok {
		return ctx, func(error) {}
	}
	hooks := v.([]bun.QueryHook)
	ev := &bun.QueryEvent{DB: p.db, Query: query, QueryTemplate: query, StartTime: time.Now()}
	for _, h := range hooks {
		ctx = h.BeforeQuery(ctx, ev)
	}
	return ctx, func(err error) {
		ev.Err = err
		for i := len(hooks) - 1; i >= 0; i-- {
			hooks[i].AfterQuery(ctx, ev)
		}
	}
}

// stmt returns the statement of query prepared on the database, preparing
// it once. The lock is not held while preparing, which waits for a
// connection of the pool.
func (p *Prepared) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	p.mu.Lock()
	s, ok := p.stmts[query]
	p.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := p.db.DB.PrepareContext(context.WithoutCancel(ctx), p.text(query))
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if other, ok := p.stmts[query]; ok { // prepared meanwhile by another call
		s.Close()
		return other, nil
	}
	p.stmts[query] = s
	return s, nil
}

// text is query in the database's placeholders, rebound once.
//
// Inside a transaction a query runs as text on the transaction's own
// connection, never as a statement prepared on the database: preparing one
// takes a second connection of the pool while the transaction holds its
// first, and transactions that all did so at once (100 job workers on a
// pool of 20, each at its first use of a statement) waited for each other
// until they timed out. The text is parsed once per connection all the
// same: by the SQLite connector's statement cache (CachingConnector) and
// by pgx's.
func (p *Prepared) text(query string) string {
	if !IsPostgres(p.db) {
		return query
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.rebound[query]; ok {
		return t
	}
	t := p.rebind(query)
	p.rebound[query] = t
	return t
}

// rebind turns ? placeholders into PostgreSQL's $n.
func (p *Prepared) rebind(query string) string {
	if !IsPostgres(p.db) {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
