// Package sqldb opens Partnerkit's SQL database (SQLite through the pure-Go
// modernc driver, or PostgreSQL through pgx), migrates its schema, carries
// transactions in the context, and translates driver errors by type and code.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/partnerkit/partnerkit"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// MaxPostgresConns is the size of one process's PostgreSQL connection pool.
const MaxPostgresConns = 20

// MaxSQLiteConns is the size of the SQLite connection pool: readers run in
// parallel on it (WAL); writers take turns in the application (see InTx).
const MaxSQLiteConns = 16

// IsPostgresDSN reports whether dsn names a PostgreSQL database.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLiteDSN turns a file path into a modernc DSN with the pragmas Partnerkit
// needs: WAL, foreign keys, a busy timeout and immediate write transactions
// (deferred ones fail with SQLITE_BUSY under concurrent read-then-write).
// A DSN that already starts with "file:" is returned unchanged.
func SQLiteDSN(path string) string {
	if strings.HasPrefix(path, "file:") {
		return path
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Read through the OS page cache (shared by every connection) instead
	// of a read syscall per page, keep a larger private cache, and cap the
	// WAL file a checkpoint leaves behind.
	q.Add("_pragma", "mmap_size(1073741824)")
	q.Add("_pragma", "cache_size(-16384)")
	q.Add("_pragma", "journal_size_limit(67108864)")
	// The WAL is checkpointed in the background after the writer's turns
	// (see checkpointSoon in writer.go), not by the commit that crosses
	// SQLite's default of 1,000 pages: that commit copied the pages into
	// the database file and synced it while every queued write waited
	// (measured: a commit of 146 ms, and the writes' p99 tripled every
	// few seconds under load). SQLite's own checkpoint stays, at twice
	// the pages: it bounds the WAL (the file restarts only after a
	// checkpoint that no write overlapped) and finds little left to copy.
	q.Add("_pragma", "wal_autocheckpoint(2048)")
	// Savepoints (every nested InTx) journal the pages they change a
	// second time, in a sub-journal: a temporary file by default, so a
	// write syscall per page (measured: 9 % of the CPU of the onboarding
	// wizard went to them). In memory they cost a copy.
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open opens the database that dsn names — a postgres:// URL, or else a
// SQLite file path — checks the connection and migrates the schema.
func Open(ctx context.Context, dsn string) (*bun.DB, error) {
	db, err := OpenNoMigrate(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if err := Optimize(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Optimize refreshes the query planner's statistics where they are stale
// (SQLite's PRAGMA optimize; ANALYZE on PostgreSQL is autovacuum's job).
// Without them SQLite may pick an index that sorts instead of one that
// filters: the directory page of 100,000 partners took 400 ms instead of 3.
// Open runs it; a server should run it now and then (and after a bulk load).
func Optimize(ctx context.Context, db *bun.DB) error {
	if IsPostgres(db) {
		return nil
	}
	// ANALYZE writes (sqlite_stat1): it takes the writer's turn like any
	// other write, instead of holding SQLite's lock while the queue's
	// leader spins on the busy timeout (measured: stalls of the writes of
	// a loaded server every minute).
	unlock, err := LockWriter(ctx, db)
	if err != nil {
		return err
	}
	defer unlock()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// An approximate ANALYZE (a few hundred rows of each index) takes
	// milliseconds, where a full one over a large table holds the write
	// lock long enough to show in a minute's p99.
	if _, err := conn.ExecContext(ctx, "PRAGMA analysis_limit=400"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "PRAGMA optimize=0x10002")
	return err
}

// OpenNoMigrate opens and pings the database without touching its schema.
func OpenNoMigrate(ctx context.Context, dsn string) (*bun.DB, error) {
	var db *bun.DB
	if IsPostgresDSN(dsn) {
		sqldb, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// Stay well under the server's connection limit (100 by default)
		// even with several instances and a burst of concurrent requests.
		sqldb.SetMaxOpenConns(MaxPostgresConns)
		sqldb.SetMaxIdleConns(MaxPostgresConns)
		db = bun.NewDB(sqldb, pgdialect.New())
	} else {
		if dsn == "" {
			return nil, errors.New("open sqlite: empty database path")
		}
		base, err := sqlite.NewConnector(SQLiteDSN(dsn))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// Statements with arguments (the job engine's) stay prepared.
		sqldb := sql.OpenDB(CachingConnector(busyRetryConnector{base}))
		// Keep the connections: opening one reads the schema and applies
		// the pragmas (measured: half the time of a request under load
		// went there with database/sql's default of 2 idle connections).
		sqldb.SetMaxOpenConns(MaxSQLiteConns)
		sqldb.SetMaxIdleConns(MaxSQLiteConns)
		sqldb.SetConnMaxIdleTime(0)
		sqldb.SetConnMaxLifetime(0)
		db = bun.NewDB(sqldb, sqlitedialect.New())
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return db, nil
}

// IsPostgres reports whether db speaks PostgreSQL.
func IsPostgres(db bun.IDB) bool { return db.Dialect().Name() == dialect.PG }

type txKey struct{ db *bun.DB }

// Conn returns the transaction that ctx carries for db, or db itself.
func Conn(ctx context.Context, db *bun.DB) bun.IDB {
	if tx, ok := ctx.Value(txKey{db}).(bun.Tx); ok {
		return tx
	}
	return db
}

// InTx runs fn in a transaction of db carried by the context fn receives.
// Inside a transaction it makes a savepoint, so a failed inner call rolls
// back only its own work.
//
// On SQLite, which allows one writer at a time, a transaction first waits
// for its turn in the application (a FIFO queue per database) rather than
// spinning on the busy timeout, and queued transactions commit in groups
// (see writer.go): writers queue in order and readers never wait. A
// transaction that cannot start within WriteWait is refused as unavailable
// (503 with Retry-After), so an overload sheds load instead of piling up.
func InTx(ctx context.Context, db *bun.DB, fn func(ctx context.Context) error) error {
	if tx, ok := ctx.Value(txKey{db}).(bun.Tx); ok {
		return inSavepoint(ctx, db, tx, fn)
	}
	if !IsPostgres(db) {
		return writerOf(db).write(ctx, db, fn)
	}
	return db.RunInTx(ctx, nil, func(_ context.Context, tx bun.Tx) error {
		return runUnit(context.WithValue(ctx, txKey{db}, tx), db, fn)
	})
}

// WriteWait is how long a SQLite write transaction waits for its turn.
var WriteWait = 5 * time.Second

// UniqueViolation reports whether err is a unique-constraint violation and,
// on PostgreSQL, the constraint's name (SQLite does not report it).
func UniqueViolation(err error) (constraint string, ok bool) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return "", c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName, pe.Code == "23505"
	}
	return "", false
}

// ForeignKeyViolation reports whether err is a foreign-key violation, such
// as deleting a row that another still references.
func ForeignKeyViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	return false
}

// CheckVersioned finishes an optimistic-locking UPDATE ... WHERE version = ?:
// it passes on a failed statement as internal, and when no row changed it
// tells not_found (exists returns that) from a stale version: conflict, or
// precondition_failed under a version precondition on id
// (partnerkit.StaleVersion, If-Match). On PostgreSQL the UPDATE waits for a
// concurrent one of the row to commit and then finds its new version, so
// the later of two writes conditioned on one version fails here.
func CheckVersioned(ctx context.Context, op string, res sql.Result, err error, kind, id string, exists func() error) error {
	if err != nil {
		return Internal(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Internal(op, err)
	}
	if n == 0 {
		if err := exists(); err != nil {
			return err
		}
		return partnerkit.StaleVersion(ctx, kind, id)
	}
	return nil
}

// IsNoRows reports whether err says a query found no row.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Internal wraps a driver error as an internal partnerkit error; it passes
// *partnerkit.Error values and nil through unchanged. A foreign-key
// violation is a conflict, not internal: services check that what a row
// refers to exists, so one only happens when a concurrent transaction
// removed it (or added a row that now refers to what is being removed).
func Internal(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *partnerkit.Error
	if errors.As(err, &pe) {
		return err
	}
	if ForeignKeyViolation(err) {
		return &partnerkit.Error{Code: partnerkit.CodeConflict, Op: op, Err: err,
			Message: "another change removed or still uses what this refers to: reload and try again"}
	}
	return &partnerkit.Error{Code: partnerkit.CodeInternal, Op: op, Err: err}
}

// EscapeLike escapes s for a LIKE pattern with ESCAPE '\'.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SQLTx returns the database/sql transaction under the transaction ctx
// carries for db (a savepoint's is its transaction's), for code that
// writes through database/sql in the same transaction (the job engine's
// inserts).
func SQLTx(ctx context.Context, db *bun.DB) (*sql.Tx, bool) {
	tx, ok := ctx.Value(txKey{db}).(bun.Tx)
	if !ok || tx.Tx == nil {
		return nil, false
	}
	return tx.Tx, true
}
