package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"

	"github.com/uptrace/bun"
)

// Prepared runs the hot queries of a store as prepared statements, each
// parsed once per database: Bun writes its arguments into the SQL text, so
// SQLite parses every Bun query anew (measured: a third of a request's time
// under load went to parsing the two lookups of authentication and
// tenancy). Queries are written with ? placeholders; on PostgreSQL they
// become $1, $2 ….
type Prepared struct {
	db    *bun.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// NewPrepared returns the prepared statements of db.
func NewPrepared(db *bun.DB) *Prepared { return &Prepared{db: db, stmts: map[string]*sql.Stmt{}} }

// QueryRow runs query with args, inside the transaction ctx carries for
// the database if there is one.
func (p *Prepared) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	stmt, err := p.stmt(ctx, query)
	if err != nil { // let Scan report it: run the query unprepared
		return p.db.DB.QueryRowContext(ctx, p.rebind(query), args...)
	}
	if tx, ok := ctx.Value(txKey{p.db}).(bun.Tx); ok {
		return tx.Tx.StmtContext(ctx, stmt).QueryRowContext(ctx, args...)
	}
	return stmt.QueryRowContext(ctx, args...)
}

func (p *Prepared) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.stmts[query]; ok {
		return s, nil
	}
	s, err := p.db.DB.PrepareContext(context.WithoutCancel(ctx), p.rebind(query))
	if err != nil {
		return nil, err
	}
	p.stmts[query] = s
	return s, nil
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
