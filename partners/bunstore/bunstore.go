// Package bunstore is the SQL partners.Store on Bun: SQLite (the embedded
// default, pure Go) and PostgreSQL. It passes the same conformance suite as
// the in-memory store.
//
// Stores of several domains built on one *bun.DB share its transactions.
package bunstore

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/uptrace/bun"
)

// Open opens the database that dsn names — a postgres:// URL, or else a
// SQLite file path — and migrates Partnerkit's whole schema (every domain's
// tables) to the current version.
func Open(ctx context.Context, dsn string) (*bun.DB, error) { return sqldb.Open(ctx, dsn) }

// Migrate brings the schema of an already open database up to date. Its
// bookkeeping tables are prefixed "partnerkit_", so an application's own
// migrations may share the database.
func Migrate(ctx context.Context, db *bun.DB) error { return sqldb.Migrate(ctx, db) }

// Store is a partners.Store on a Bun database.
type Store struct {
	db *bun.DB
	// hot runs the lookups every request makes as prepared statements.
	hot *sqldb.Prepared
}

var _ partners.Store = (*Store)(nil)

// SQLiteDSN turns a SQLite file path into the DSN of the pure-Go modernc
// driver ("sqlite") with what the stores need: foreign keys, a busy timeout
// and immediate write transactions, on every connection of the pool (and
// WAL, so reads run during a write). Open uses it; use it to open a *bun.DB
// of your own:
//
//	sqldb, err := sql.Open("sqlite", bunstore.SQLiteDSN("partnerkit.db"))
//	db := bun.NewDB(sqldb, sqlitedialect.New())
//
// A DSN that already starts with "file:" is returned unchanged: it must set
// them itself (_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_txlock=immediate),
// or New refuses the database.
func SQLiteDSN(path string) string { return sqldb.SQLiteDSN(path) }

// ErrDatabaseNotReady is returned (wrapped, saying what to set) by New of
// every domain's bunstore for a database the stores cannot work on: SQLite
// without foreign keys, a busy timeout or immediate transactions (see
// SQLiteDSN), or a schema with pending steps (see Migrate).
var ErrDatabaseNotReady = sqldb.ErrDatabaseNotReady

// New returns a Store on db. It refuses (ErrDatabaseNotReady) a database
// whose schema is not migrated (see Open and Migrate) or, on SQLite, whose
// connections lack the pragmas SQLiteDSN sets.
func New(db *bun.DB) (*Store, error) {
	if err := sqldb.Check(context.Background(), db); err != nil {
		return nil, fmt.Errorf("partners/bunstore: %w", err)
	}
	return &Store{db: db, hot: sqldb.NewPrepared(db)}, nil
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqldb.InTx(ctx, s.db, fn)
}

func (s *Store) conn(ctx context.Context) bun.IDB { return sqldb.Conn(ctx, s.db) }

// accountRow is the accounts table's row; private so the schema never leaks.
type accountRow struct {
	bun.BaseModel `bun:"table:accounts,alias:a"`

	ID                    string `bun:"id,pk"`
	Type                  string
	Name                  string
	SearchName            string
	LegalName             string
	ExternalID            string
	Status                string
	ManagerID             string `bun:",nullzero"`
	Path                  string
	BusinessContactName   string
	BusinessContactEmail  string
	BusinessContactPhone  string
	TechnicalContactName  string
	TechnicalContactEmail string
	TechnicalContactPhone string
	CreatedAt             sqldb.Time // integers on SQLite (the "integer_timestamps" step)
	UpdatedAt             sqldb.Time
	Version               int
}

func toAccountRow(a *partners.Account) *accountRow {
	return &accountRow{
		ID: a.ID, Type: string(a.Type), Name: a.Name, SearchName: partners.SearchName(a.Name),
		LegalName: a.LegalName, ExternalID: a.ExternalID, Status: string(a.Status),
		ManagerID: a.ManagerID, Path: a.Path,
		BusinessContactName: a.BusinessContact.Name, BusinessContactEmail: a.BusinessContact.Email,
		BusinessContactPhone: a.BusinessContact.Phone,
		TechnicalContactName: a.TechnicalContact.Name, TechnicalContactEmail: a.TechnicalContact.Email,
		TechnicalContactPhone: a.TechnicalContact.Phone,
		CreatedAt:             sqldb.Time{Time: a.CreatedAt}, UpdatedAt: sqldb.Time{Time: a.UpdatedAt}, Version: a.Version,
	}
}

func (r *accountRow) toDomain() *partners.Account {
	return &partners.Account{
		ID: r.ID, Type: partners.AccountType(r.Type), Name: r.Name, LegalName: r.LegalName,
		ExternalID: r.ExternalID, Status: partners.Status(r.Status), ManagerID: r.ManagerID, Path: r.Path,
		BusinessContact: partners.Contact{Name: r.BusinessContactName, Email: r.BusinessContactEmail,
			Phone: r.BusinessContactPhone},
		TechnicalContact: partners.Contact{Name: r.TechnicalContactName, Email: r.TechnicalContactEmail,
			Phone: r.TechnicalContactPhone},
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
	}
}

// rootConstraint is the unique index that allows one account without a manager.
const rootConstraint = "accounts_one_root_key"

// CreateAccount implements partners.Store.
func (s *Store) CreateAccount(ctx context.Context, a *partners.Account) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		_, err := s.hot.Exec(ctx, insertAccounts(1), s.accountValues(nil, toAccountRow(a))...)
		if constraint, dup := sqldb.UniqueViolation(err); dup {
			if constraint == rootConstraint || a.ManagerID == "" {
				return partnerkit.Errorf(partnerkit.CodeConflict, "the database already has a root account")
			}
			return partnerkit.ConflictField("external_id", "is already used by another partner of this manager")
		}
		if err != nil {
			return sqldb.Internal("bunstore.CreateAccount", err)
		}
		return s.addCount(ctx, a.ManagerID, a.Type, a.Status, 1)
	})
}

// addCount adds delta to the directory's count of a manager's partners of
// one type and status (account_counts, kept in the transaction of every
// change, so a total without a search is one indexed read instead of a
// count over the manager's partners). One atomic upsert, into one of
// countShards rows on PostgreSQL, at random: concurrent changes under one
// manager then rarely wait for each other's row lock until commit (a
// total sums the rows). SQLite's writes are serialised: one row.
func (s *Store) addCount(ctx context.Context, managerID string, typ partners.AccountType, status partners.Status, delta int) error {
	if managerID == "" || delta == 0 {
		return nil
	}
	shard := 0
	if sqldb.IsPostgres(s.db) {
		shard = rand.IntN(countShards)
	}
	_, err := s.hot.Exec(ctx, `INSERT INTO account_counts (manager_id, type, status, shard, n) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (manager_id, type, status, shard) DO UPDATE SET n = account_counts.n + excluded.n`,
		managerID, string(typ), string(status), shard, delta)
	return sqldb.Internal("bunstore.addCount", err)
}

// countShards is how many rows a count is spread over on PostgreSQL.
const countShards = 16

// countKey is what account_counts counts an account under.
type countKey struct {
	ManagerID string
	Type      string
	Status    string
}

// countKeyOf reads the count key of a stored account, inside the caller's
// transaction; none for a root account.
func (s *Store) countKeyOf(ctx context.Context, id string) (countKey, error) {
	var k countKey
	var manager sql.NullString
	err := s.conn(ctx).NewSelect().TableExpr("accounts").Column("manager_id", "type", "status").
		Where("id = ?", id).Scan(ctx, &manager, &k.Type, &k.Status)
	k.ManagerID = manager.String
	if sqldb.IsNoRows(err) {
		return k, partnerkit.NotFound("partner", id)
	}
	return k, sqldb.Internal("bunstore.countKeyOf", err)
}

// accountColumns are the columns scanAccount reads, in its order.
const accountColumns = `id, type, name, search_name, legal_name, external_id, status, manager_id, path,
	business_contact_name, business_contact_email, business_contact_phone,
	technical_contact_name, technical_contact_email, technical_contact_phone, created_at, updated_at, version`

// scanAccount reads a row of accountColumns.
func scanAccount(row interface{ Scan(...any) error }) (*accountRow, error) {
	var r accountRow
	var manager sql.NullString
	err := row.Scan(&r.ID, &r.Type, &r.Name, &r.SearchName, &r.LegalName, &r.ExternalID, &r.Status, &manager, &r.Path,
		&r.BusinessContactName, &r.BusinessContactEmail, &r.BusinessContactPhone,
		&r.TechnicalContactName, &r.TechnicalContactEmail, &r.TechnicalContactPhone, &r.CreatedAt, &r.UpdatedAt, &r.Version)
	r.ManagerID = manager.String
	return &r, err
}

// GetAccount implements partners.Store, as a prepared statement (every
// tenancy check reads an account).
func (s *Store) GetAccount(ctx context.Context, id string) (*partners.Account, error) {
	r, err := scanAccount(s.hot.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("partner", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetAccount", err)
	}
	return r.toDomain(), nil
}

// accountInsertColumns are the columns insertAccounts writes, accountWidth
// of them, in the order of accountValues.
const (
	accountInsertColumns = `id, type, name, search_name, legal_name, external_id, status, manager_id, path,
	business_contact_name, business_contact_email, business_contact_phone,
	technical_contact_name, technical_contact_email, technical_contact_phone, created_at, updated_at, version`
	accountWidth = 18
)

// rowsPerInsert bounds the rows of one multi-row INSERT (its statement is
// prepared once per row count, and SQLite binds at most 32,766 values).
const rowsPerInsert = 500

// insertAccounts is the prepared INSERT of n accounts (Bun writes every
// value into the SQL, which SQLite parsed for every partner created:
// 18 % of a create's CPU under load).
func insertAccounts(n int) string {
	return `INSERT INTO accounts (` + accountInsertColumns + `) VALUES ` + sqldb.Placeholders(n, accountWidth, false)
}

// accountValues appends r's values in accountInsertColumns' order.
func (s *Store) accountValues(args []any, r *accountRow) []any {
	var manager any
	if r.ManagerID != "" {
		manager = r.ManagerID
	}
	return append(args, r.ID, r.Type, r.Name, r.SearchName, r.LegalName, r.ExternalID, r.Status, manager, r.Path,
		r.BusinessContactName, r.BusinessContactEmail, r.BusinessContactPhone,
		r.TechnicalContactName, r.TechnicalContactEmail, r.TechnicalContactPhone,
		s.hot.TimeValue(r.CreatedAt.Time), s.hot.TimeValue(r.UpdatedAt.Time), r.Version)
}

// CreateAccounts implements partners.Store with multi-row INSERTs of up to
// rowsPerInsert rows.
func (s *Store) CreateAccounts(ctx context.Context, as []*partners.Account) error {
	if len(as) == 0 {
		return nil
	}
	rows := make([]accountRow, len(as))
	for i, a := range as {
		rows[i] = *toAccountRow(a)
	}
	return s.InTx(ctx, func(ctx context.Context) error { // a savepoint: a refused batch leaves the transaction usable
		if err := insertRows(ctx, s.hot, rows, accountWidth, insertAccounts, s.accountValues); err != nil {
			if _, dup := sqldb.UniqueViolation(err); dup {
				return partnerkit.ConflictField("external_id", "is already used by another partner of this manager")
			}
			return sqldb.Internal("bunstore.CreateAccounts", err)
		}
		counts := map[countKey]int{}
		for _, a := range as {
			counts[countKey{a.ManagerID, string(a.Type), string(a.Status)}]++
		}
		for k, n := range counts {
			if err := s.addCount(ctx, k.ManagerID, partners.AccountType(k.Type), partners.Status(k.Status), n); err != nil {
				return err
			}
		}
		return nil
	})
}

// ExternalIDsTaken implements partners.Store.
func (s *Store) ExternalIDsTaken(ctx context.Context, managerID string, ids []string) ([]string, error) {
	var out []string
	if len(ids) == 0 {
		return nil, nil
	}
	err := s.conn(ctx).NewSelect().TableExpr("accounts").Column("external_id").
		Where("manager_id = ? AND external_id IN (?)", managerID, bun.List(ids)).Scan(ctx, &out)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal("bunstore.ExternalIDsTaken", err)
	}
	return out, nil
}

// AppendAudits implements partners.Store with multi-row INSERTs of up to
// rowsPerInsert rows.
func (s *Store) AppendAudits(ctx context.Context, es []*partnerkit.AuditEvent) error {
	if len(es) == 0 {
		return nil
	}
	rows := make([]auditRow, len(es))
	for i, e := range es {
		rows[i] = s.newAuditRow(e)
	}
	return sqldb.Internal("bunstore.AppendAudits", insertRows(ctx, s.hot, rows, auditWidth, insertAudits, s.auditValues))
}

// insertRows inserts rows in prepared statements of up to rowsPerInsert
// rows each: statement(n) is the INSERT of n rows of width values, and
// values appends a row's. It returns the first statement's error as it is.
func insertRows[R any](ctx context.Context, hot *sqldb.Prepared, rows []R, width int, statement func(n int) string,
	values func(args []any, r *R) []any) error {
	for start := 0; start < len(rows); start += rowsPerInsert {
		part := rows[start:min(start+rowsPerInsert, len(rows))]
		args := make([]any, 0, width*len(part))
		for i := range part {
			args = values(args, &part[i])
		}
		if _, err := hot.Exec(ctx, statement(len(part)), args...); err != nil {
			return err
		}
	}
	return nil
}

// auditWidth is the number of audit_events' columns insertAudits writes.
const auditWidth = 10

// insertAudits is the prepared INSERT of n audit events.
func insertAudits(n int) string {
	return `INSERT INTO audit_events (id, account_id, actor, actor_account_id, action, entity_type, entity_id, at, before, after) VALUES ` +
		sqldb.Placeholders(n, auditWidth, false)
}

// auditValues appends r's values in insertAudits' column order.
func (s *Store) auditValues(args []any, r *auditRow) []any {
	return append(args, r.ID, r.AccountID, r.Actor, r.ActorAccountID, r.Action, r.EntityType, r.EntityID,
		s.hot.TimeValue(r.At.Time), r.Before.value(), r.After.value())
}

// LockAccount implements partners.Store: SELECT … FOR NO KEY UPDATE on
// PostgreSQL (it does not block the key-share locks of foreign-key checks);
// SQLite's write transactions (BEGIN IMMEDIATE) are serialised already.
func (s *Store) LockAccount(ctx context.Context, id string) (*partners.Account, error) {
	var r accountRow
	q := s.conn(ctx).NewSelect().Model(&r).Where("a.id = ?", id)
	if sqldb.IsPostgres(s.db) {
		q = q.For("NO KEY UPDATE")
	}
	err := q.Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("partner", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.LockAccount", err)
	}
	return r.toDomain(), nil
}

// AccountsByID implements partners.Store.
func (s *Store) AccountsByID(ctx context.Context, ids []string) ([]partners.Account, error) {
	const op = "bunstore.AccountsByID"
	out := make([]partners.Account, 0, len(ids))
	for chunk := range slices.Chunk(ids, sqldb.MaxListed) {
		args := sqldb.PaddedIDs(chunk)
		rows, err := s.hot.Query(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id IN (`+sqldb.Placeholders(len(args), 1, true)+`)`, args...)
		if err != nil {
			return nil, sqldb.Internal(op, err)
		}
		for rows.Next() {
			r, err := scanAccount(rows)
			if err != nil {
				rows.Close()
				return nil, sqldb.Internal(op, err)
			}
			out = append(out, *r.toDomain())
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, sqldb.Internal(op, err)
		}
	}
	return out, nil
}

// UpdateAccount implements partners.Store.
func (s *Store) UpdateAccount(ctx context.Context, a *partners.Account) error {
	const op = "bunstore.UpdateAccount"
	return s.InTx(ctx, func(ctx context.Context) error {
		old, err := s.countKeyOf(ctx, a.ID)
		if err != nil {
			return err
		}
		r := toAccountRow(a)
		res, err := s.conn(ctx).NewUpdate().Model(r).
			ExcludeColumn("id", "created_at", "version").
			Set("version = version + 1").
			WherePK().Where("version = ?", a.Version).
			Exec(ctx)
		if _, dup := sqldb.UniqueViolation(err); dup {
			return partnerkit.ConflictField("external_id", "is already used by another partner of this manager")
		}
		if err := sqldb.CheckVersioned(ctx, op, res, err, "partner", a.ID, func() error {
			_, err := s.GetAccount(ctx, a.ID)
			return err
		}); err != nil {
			return err
		}
		if next := (countKey{a.ManagerID, string(a.Type), string(a.Status)}); next != old {
			if err := s.addCount(ctx, old.ManagerID, partners.AccountType(old.Type), partners.Status(old.Status), -1); err != nil {
				return err
			}
			if err := s.addCount(ctx, a.ManagerID, a.Type, a.Status, 1); err != nil {
				return err
			}
		}
		a.Version++
		return nil
	})
}

// Dependents implements partners.Store with one statement: the account's
// own partners and every kind the other domains' stores registered on the
// database (sqldb.RegisterDependent).
func (s *Store) Dependents(ctx context.Context, accountID string) (map[string]int, error) {
	kinds := sqldb.Dependents(s.db)
	sel := s.conn(ctx).NewSelect().ColumnExpr("(SELECT count(*) FROM accounts WHERE manager_id = ?)", accountID)
	for _, c := range kinds {
		expr, args := c.Bind("?", accountID)
		sel = sel.ColumnExpr(expr, args...)
	}
	counts := make([]int, 1+len(kinds))
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := sel.Scan(ctx, dest...); err != nil {
		return nil, sqldb.Internal("bunstore.Dependents", err)
	}
	deps := map[string]int{partners.KindPartners: counts[0]}
	for i, c := range kinds {
		deps[c.Name] += counts[1+i]
	}
	return deps, nil
}

// DeleteAccount implements partners.Store; memberships go with the account
// (ON DELETE CASCADE), and so do invitations and allocation history.
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	const op = "bunstore.DeleteAccount"
	return s.InTx(ctx, func(ctx context.Context) error {
		for _, table := range []string{"invitations", "allocation_history"} {
			if _, err := s.conn(ctx).NewDelete().TableExpr(table).Where("partner_id = ?", id).Exec(ctx); err != nil {
				return sqldb.Internal(op, err)
			}
		}
		old, err := s.countKeyOf(ctx, id)
		if err != nil {
			return err
		}
		res, err := s.conn(ctx).NewDelete().Model((*accountRow)(nil)).Where("id = ?", id).Exec(ctx)
		if sqldb.ForeignKeyViolation(err) {
			return partnerkit.Errorf(partnerkit.CodeConflict, "partner %s is still referred to and cannot be deleted", id)
		}
		if err != nil {
			return sqldb.Internal(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return partnerkit.NotFound("partner", id)
		}
		return s.addCount(ctx, old.ManagerID, partners.AccountType(old.Type), partners.Status(old.Status), -1)
	})
}

// RootAccount implements partners.Store.
func (s *Store) RootAccount(ctx context.Context) (*partners.Account, error) {
	var r accountRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("a.manager_id IS NULL").Limit(1).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("root account", "")
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.RootAccount", err)
	}
	return r.toDomain(), nil
}

// CountAccounts implements partners.Store.
func (s *Store) CountAccounts(ctx context.Context) (int, error) {
	n, err := s.conn(ctx).NewSelect().Model((*accountRow)(nil)).Count(ctx)
	return int(n), sqldb.Internal("bunstore.CountAccounts", err)
}

// directoryFilter is the WHERE clause of q's filters on the accounts
// table aliased alias, with ? placeholders, and their arguments.
func directoryFilter(alias string, q partners.DirectoryQuery) (string, []any) {
	var b strings.Builder
	args := []any{q.ManagerID}
	b.WriteString(alias + ".manager_id = ?")
	if q.Type != "" {
		b.WriteString(" AND " + alias + ".type = ?")
		args = append(args, string(q.Type))
	}
	if q.Status != "" {
		b.WriteString(" AND " + alias + ".status = ?")
		args = append(args, string(q.Status))
	}
	if q.NameContains != "" {
		b.WriteString(" AND " + alias + `.search_name LIKE ? ESCAPE '\'`)
		args = append(args, "%"+sqldb.EscapeLike(q.NameContains)+"%")
	}
	return b.String(), args
}

// directoryTotal is the statement of the number of partners q selects,
// with ? placeholders, and its arguments: without a search, a sum over the
// few account_counts rows of the manager (kept by every change); with
// one, a count of the matches.
func directoryTotal(q partners.DirectoryQuery) (string, []any) {
	if q.NameContains != "" {
		where, args := directoryFilter("t", q)
		return "SELECT count(*) FROM accounts AS t WHERE " + where, args
	}
	query := "SELECT COALESCE(SUM(ac.n), 0) FROM account_counts AS ac WHERE ac.manager_id = ?"
	args := []any{q.ManagerID}
	if q.Type != "" {
		query += " AND ac.type = ?"
		args = append(args, string(q.Type))
	}
	if q.Status != "" {
		query += " AND ac.status = ?"
		args = append(args, string(q.Status))
	}
	return query, args
}

// directoryOrder is the ORDER BY of a sort; ties are broken by ID.
func directoryOrder(sort partners.Sort) string {
	switch sort {
	case partners.SortNameDesc:
		return "a.search_name DESC, a.id DESC"
	case partners.SortCreatedAt:
		return "a.created_at ASC, a.id ASC"
	case partners.SortCreatedAtDesc:
		return "a.created_at DESC, a.id DESC"
	}
	return "a.search_name ASC, a.id ASC"
}

// Directory implements partners.Store: the page, its counts and the total
// come from one statement.
func (s *Store) Directory(ctx context.Context, q partners.DirectoryQuery) ([]partners.DirectoryEntry, int, error) {
	const op = "bunstore.Directory"
	// One prepared statement per shape of query (filters, sort, total or
	// not), its values bound: Bun would write them into the SQL text, which
	// SQLite then parsed for every page (15 % of a page's CPU under load).
	// The figures other domains registered sit in the select list of a
	// query with LIMIT: they are evaluated for the page's rows only. The
	// rows are scanned by hand (no reflection): the page is the hottest
	// read of the product.
	counts := sqldb.DirectoryCounts(s.db)
	var b strings.Builder
	var args []any
	b.WriteString("SELECT " + directoryColumns)
	for _, c := range counts {
		expr, _ := c.Bind("a.id", "")
		b.WriteString(", " + expr)
	}
	if !q.SkipTotal {
		total, totalArgs := directoryTotal(q)
		b.WriteString(", (" + total + ")")
		args = append(args, totalArgs...)
	}
	where, whereArgs := directoryFilter("a", q)
	b.WriteString(" FROM accounts AS a WHERE " + where + " ORDER BY " + directoryOrder(q.Sort) + " LIMIT ? OFFSET ?")
	limit, offset := sqldb.PageBounds(q.Limit, q.Offset)
	args = append(append(args, whereArgs...), limit, offset)
	rows, err := s.hot.Query(ctx, b.String(), args...)
	if err != nil {
		return nil, 0, sqldb.Internal(op, err)
	}
	defer rows.Close()
	out := make([]partners.DirectoryEntry, 0, min(q.Limit, 256))
	figures := make([]int, len(counts)+1)
	dest := make([]any, 0, 17+len(figures))
	n := -1
	for rows.Next() {
		var e partners.DirectoryEntry
		var typ, status string
		var created, updated sqldb.Time
		dest = append(dest[:0], &e.ID, &typ, &e.Name, &e.LegalName, &e.ExternalID, &status, &e.ManagerID, &e.Path,
			&e.BusinessContact.Name, &e.BusinessContact.Email, &e.BusinessContact.Phone,
			&e.TechnicalContact.Name, &e.TechnicalContact.Email, &e.TechnicalContact.Phone,
			&created, &updated, &e.Version)
		for i := range counts {
			dest = append(dest, &figures[i])
		}
		if !q.SkipTotal {
			dest = append(dest, &n)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, 0, sqldb.Internal(op, err)
		}
		e.Type, e.Status = partners.AccountType(typ), partners.Status(status)
		e.CreatedAt, e.UpdatedAt = created.Time, updated.Time
		e.Counts = make(partners.Counts, len(counts))
		for i, c := range counts {
			e.Counts[c.Name] = figures[i]
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, sqldb.Internal(op, err)
	}
	if q.SkipTotal {
		if len(out) == 0 {
			return nil, -1, nil
		}
		return out, -1, nil
	}
	if len(out) == 0 {
		// Past the last page: the total still has to be told.
		total, totalArgs := directoryTotal(q)
		if err := s.hot.QueryRow(ctx, total, totalArgs...).Scan(&n); err != nil {
			return nil, 0, sqldb.Internal(op, err)
		}
		return nil, n, nil
	}
	return out, n, nil
}

// directoryColumns are the account columns of a directory row, in the
// order Directory scans them.
const directoryColumns = `a.id, a.type, a.name, a.legal_name, a.external_id, a.status, COALESCE(a.manager_id, ''), a.path,
	a.business_contact_name, a.business_contact_email, a.business_contact_phone,
	a.technical_contact_name, a.technical_contact_email, a.technical_contact_phone,
	a.created_at, a.updated_at, a.version`

type userRow struct {
	bun.BaseModel `bun:"table:users,alias:u"`

	ID           string `bun:"id,pk"`
	Email        string
	FullName     string
	PasswordHash string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (r *userRow) toDomain() *partners.User {
	return &partners.User{ID: r.ID, Email: r.Email, FullName: r.FullName, PasswordHash: r.PasswordHash,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// CreateUser implements partners.Store.
func (s *Store) CreateUser(ctx context.Context, u *partners.User) error {
	r := &userRow{ID: u.ID, Email: u.Email, FullName: u.FullName, PasswordHash: u.PasswordHash,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	_, err := s.conn(ctx).NewInsert().Model(r).Exec(ctx)
	if _, dup := sqldb.UniqueViolation(err); dup {
		return partnerkit.ConflictField("email", "is already registered")
	}
	return sqldb.Internal("bunstore.CreateUser", err)
}

func (s *Store) getUser(ctx context.Context, column, value string) (*partners.User, error) {
	var r userRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("? = ?", bun.Ident("u."+column), value).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("user", value)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetUser", err)
	}
	return r.toDomain(), nil
}

// GetUser implements partners.Store.
func (s *Store) GetUser(ctx context.Context, id string) (*partners.User, error) {
	return s.getUser(ctx, "id", id)
}

// GetUserByEmail implements partners.Store.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (*partners.User, error) {
	return s.getUser(ctx, "email", email)
}

type membershipRow struct {
	bun.BaseModel `bun:"table:memberships,alias:m"`

	UserID    string `bun:"user_id,pk"`
	AccountID string `bun:"account_id,pk"`
	Role      string
	CreatedAt time.Time
}

func (r *membershipRow) toDomain() partners.Membership {
	return partners.Membership{UserID: r.UserID, AccountID: r.AccountID, Role: partnerkit.Role(r.Role),
		CreatedAt: r.CreatedAt.UTC()}
}

// CreateMembership implements partners.Store.
func (s *Store) CreateMembership(ctx context.Context, m *partners.Membership) error {
	r := &membershipRow{UserID: m.UserID, AccountID: m.AccountID, Role: string(m.Role), CreatedAt: m.CreatedAt}
	_, err := s.conn(ctx).NewInsert().Model(r).Exec(ctx)
	if _, dup := sqldb.UniqueViolation(err); dup {
		return partnerkit.ConflictField("user_id", "is already a member of this account")
	}
	return sqldb.Internal("bunstore.CreateMembership", err)
}

// UserMemberships implements partners.Store.
func (s *Store) UserMemberships(ctx context.Context, userID string) ([]partners.Membership, error) {
	var rows []membershipRow
	err := s.conn(ctx).NewSelect().Model(&rows).Where("m.user_id = ?", userID).
		OrderExpr("m.created_at ASC, m.account_id ASC").Scan(ctx)
	if err != nil {
		return nil, sqldb.Internal("bunstore.UserMemberships", err)
	}
	out := make([]partners.Membership, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// memberRow is a membership joined with its user (less the password hash).
type memberRow struct {
	membershipRow `bun:",extend"`
	Email         string    `bun:",scanonly"`
	FullName      string    `bun:",scanonly"`
	UserCreatedAt time.Time `bun:",scanonly"`
	UserUpdatedAt time.Time `bun:",scanonly"`
}

// AccountMembers implements partners.Store, as a prepared statement (the
// mail notifier reads an account's admins for every contract created).
func (s *Store) AccountMembers(ctx context.Context, accountID string) ([]partners.Member, error) {
	const op = "bunstore.AccountMembers"
	rows, err := s.hot.Query(ctx, `SELECT m.user_id, m.account_id, m.role, m.created_at,
		u.email, u.full_name, u.created_at, u.updated_at
		FROM memberships AS m JOIN users AS u ON u.id = m.user_id
		WHERE m.account_id = ? ORDER BY m.created_at ASC, m.user_id ASC`, accountID)
	if err != nil {
		return nil, sqldb.Internal(op, err)
	}
	defer rows.Close()
	var out []partners.Member
	for rows.Next() {
		var r memberRow
		if err := rows.Scan(&r.UserID, &r.AccountID, &r.Role, &r.CreatedAt,
			&r.Email, &r.FullName, &r.UserCreatedAt, &r.UserUpdatedAt); err != nil {
			return nil, sqldb.Internal(op, err)
		}
		out = append(out, partners.Member{Membership: r.membershipRow.toDomain(), User: partners.User{
			ID: r.UserID, Email: r.Email, FullName: r.FullName,
			CreatedAt: r.UserCreatedAt.UTC(), UpdatedAt: r.UserUpdatedAt.UTC()}})
	}
	if err := rows.Err(); err != nil {
		return nil, sqldb.Internal(op, err)
	}
	if out == nil {
		out = []partners.Member{}
	}
	return out, nil
}

type auditRow struct {
	bun.BaseModel `bun:"table:audit_events,alias:ev"`

	ID             string `bun:"id,pk"`
	AccountID      string
	Actor          string
	ActorAccountID string
	Action         string
	EntityType     string
	EntityID       string
	At             sqldb.Time // integers on SQLite (the "integer_timestamps" step)
	Before         snapshot
	After          snapshot
}

// AppendAudit implements partnerkit.AuditLog.
func (s *Store) AppendAudit(ctx context.Context, e *partnerkit.AuditEvent) error {
	r := s.newAuditRow(e)
	_, err := s.hot.Exec(ctx, insertAudits(1), s.auditValues(nil, &r)...)
	return sqldb.Internal("bunstore.AppendAudit", err)
}

// AuditTrail implements partners.Store. An entity's events are two ranges
// of indexes: those in another account's name in
// audit_events_other_entity_idx (entity_id, at, id), those of an account
// about itself (partner.*: most events of a directory, which that partial
// index leaves out) in audit_events_account_at_idx (account_id, at, id).
func (s *Store) AuditTrail(ctx context.Context, q partners.AuditQuery) ([]partnerkit.AuditEvent, int, error) {
	var rows []auditRow
	sel := s.conn(ctx).NewSelect().Model(&rows).
		Where("((ev.entity_id = ? AND ev.entity_id <> ev.account_id) OR (ev.account_id = ? AND ev.account_id = ev.entity_id))",
			q.EntityID, q.EntityID).
		OrderExpr(sqldb.OrderBy(partners.AuditOrder.Resolve(q.Sort), map[string]string{"at": "ev.at"}, "ev.id"))
	sel = visibleEvents(sel, q.VisibleTo)
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal("bunstore.AuditTrail", err)
	}
	out := make([]partnerkit.AuditEvent, len(rows))
	for i := range rows {
		if out[i], err = rows[i].toDomain(); err != nil {
			return nil, 0, err
		}
	}
	return out, int(total), nil
}

// visibleEvents keeps the events (alias ev) whose account is visibleTo or
// one it manages (the materialized path); an empty visibleTo keeps all.
// The audit trail, which the entity's index ranges drive, asks it as EXISTS.
func visibleEvents(sel *bun.SelectQuery, visibleTo string) *bun.SelectQuery {
	if visibleTo == "" {
		return sel
	}
	return sel.Where("EXISTS (SELECT 1 FROM accounts va WHERE va.id = ev.account_id AND va.path LIKE ? ESCAPE '\\')",
		tenancyPattern(visibleTo))
}

// visibleAccounts is visibleEvents' rule asked as account_id IN (the
// visible accounts), so that the events feed walks the index (account_id,
// at, id) once per visible account (SQLite drives a correlated EXISTS from
// the events instead, reading them all).
func visibleAccounts(sel *bun.SelectQuery, visibleTo string) *bun.SelectQuery {
	if visibleTo == "" {
		return sel
	}
	return sel.Where("ev.account_id IN (SELECT va.id FROM accounts va WHERE va.path LIKE ? ESCAPE '\\')",
		tenancyPattern(visibleTo))
}

// tenancyPattern is the LIKE pattern of the paths of an account and the
// accounts it manages.
func tenancyPattern(accountID string) string { return "%/" + sqldb.EscapeLike(accountID) + "/%" }

// feedRow is an events feed row: the event and the number of events the
// query selects (count(*) OVER ()), so that the page and its total are one
// statement and agree.
type feedRow struct {
	auditRow `bun:",extend"`

	Total int `bun:"feed_total,scanonly"`
}

// Events implements partners.Store with one statement for the page and
// its total (a window count over the rows the filters select); only a page
// past the end, which carries no row to read the total from, costs a
// second statement that counts. The tenancy is AuditTrail's (the
// materialized path of the event's account), asked as account_id IN (…) so
// that each visible account's events are a range of the index
// (account_id, at, id).
func (s *Store) Events(ctx context.Context, q partners.EventQuery) ([]partnerkit.AuditEvent, int, error) {
	const op = "bunstore.Events"
	filter := func(sel *bun.SelectQuery) *bun.SelectQuery {
		sel = visibleAccounts(sel, q.VisibleTo)
		if len(q.Types) > 0 {
			sel = sel.Where("ev.action IN (?)", bun.List(q.Types))
		}
		if !q.Since.IsZero() {
			sel = sel.Where("ev.at >= ?", sqldb.Time{Time: q.Since})
		}
		if !q.Until.IsZero() {
			sel = sel.Where("ev.at < ?", sqldb.Time{Time: q.Until})
		}
		if q.EntityType != "" {
			sel = sel.Where("ev.entity_type = ?", q.EntityType)
		}
		return sel
	}
	var rows []feedRow
	sel := filter(s.conn(ctx).NewSelect().Model(&rows).ColumnExpr("ev.*").ColumnExpr("count(*) OVER () AS feed_total")).
		OrderExpr(sqldb.OrderBy(partners.EventOrder.Resolve(q.Sort), map[string]string{"at": "ev.at"}, "ev.id"))
	if err := sqldb.Page(sel, q.Limit, q.Offset).Scan(ctx); err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal(op, err)
	}
	out := make([]partnerkit.AuditEvent, len(rows))
	for i := range rows {
		var err error
		if out[i], err = rows[i].toDomain(); err != nil {
			return nil, 0, err
		}
	}
	if len(rows) > 0 {
		return out, rows[0].Total, nil
	}
	if q.Offset <= 0 {
		return out, 0, nil
	}
	total, err := filter(s.conn(ctx).NewSelect().Model((*auditRow)(nil))).Count(ctx)
	if err != nil {
		return nil, 0, sqldb.Internal(op, err)
	}
	return out, int(total), nil
}

// AuditEventsByID implements partners.Store.
func (s *Store) AuditEventsByID(ctx context.Context, ids []string) ([]partnerkit.AuditEvent, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []auditRow
	if err := s.conn(ctx).NewSelect().Model(&rows).Where("ev.id IN (?)", bun.List(ids)).Scan(ctx); err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal("bunstore.AuditEventsByID", err)
	}
	out := make([]partnerkit.AuditEvent, len(rows))
	for i := range rows {
		var err error
		if out[i], err = rows[i].toDomain(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func rawJSON(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// UpdateMembership implements partners.Store.
func (s *Store) UpdateMembership(ctx context.Context, m *partners.Membership) error {
	res, err := s.conn(ctx).NewUpdate().Model((*membershipRow)(nil)).Set("role = ?", string(m.Role)).
		Where("user_id = ? AND account_id = ?", m.UserID, m.AccountID).Exec(ctx)
	return affectedOne("bunstore.UpdateMembership", res, err, "membership", m.UserID)
}

// DeleteMembership implements partners.Store.
func (s *Store) DeleteMembership(ctx context.Context, userID, accountID string) error {
	res, err := s.conn(ctx).NewDelete().Model((*membershipRow)(nil)).
		Where("user_id = ? AND account_id = ?", userID, accountID).Exec(ctx)
	return affectedOne("bunstore.DeleteMembership", res, err, "membership", userID)
}

// affectedOne turns a statement that changed no row into not_found.
func affectedOne(op string, res sql.Result, err error, kind, id string) error {
	if err != nil {
		return sqldb.Internal(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return sqldb.Internal(op, err)
	} else if n == 0 {
		return partnerkit.NotFound(kind, id)
	}
	return nil
}

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions,alias:se"`

	TokenHash  string `bun:"token_hash,pk"`
	ID         string
	UserID     string
	AccountID  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
	UserAgent  string
	Address    string
	Restricted bool
}

func (r *sessionRow) toDomain() *partners.Session {
	return &partners.Session{ID: r.ID, TokenHash: r.TokenHash, UserID: r.UserID, AccountID: r.AccountID, CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), LastSeenAt: r.LastSeenAt.UTC(), UserAgent: r.UserAgent, Address: r.Address, Restricted: r.Restricted}
}

// CreateSession implements partners.AuthStore.
func (s *Store) CreateSession(ctx context.Context, x *partners.Session) error {
	_, err := s.conn(ctx).NewInsert().Model(&sessionRow{TokenHash: x.TokenHash, ID: x.ID, UserID: x.UserID, AccountID: x.AccountID,
		CreatedAt: x.CreatedAt, ExpiresAt: x.ExpiresAt, LastSeenAt: x.LastSeenAt, UserAgent: x.UserAgent, Address: x.Address,
		Restricted: x.Restricted}).Exec(ctx)
	return sqldb.Internal("bunstore.CreateSession", err)
}

// GetSession implements partners.AuthStore.
func (s *Store) GetSession(ctx context.Context, tokenHash string) (*partners.Session, error) {
	var r sessionRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("se.token_hash = ?", tokenHash).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("session", "")
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetSession", err)
	}
	return r.toDomain(), nil
}

// GetSessionView implements partners.AuthStore: the session, the user's
// role in its account and the account's status, in one statement.
func (s *Store) GetSessionView(ctx context.Context, tokenHash string) (*partners.SessionView, error) {
	var r struct {
		sessionRow
		Role, AccountStatus sql.NullString
	}
	err := s.hot.QueryRow(ctx, `SELECT se.token_hash, se.id, se.user_id, se.account_id, se.created_at, se.expires_at, se.last_seen_at,
		se.user_agent, se.address, se.restricted,
		(SELECT m.role FROM memberships AS m WHERE m.user_id = se.user_id AND m.account_id = se.account_id),
		(SELECT a.status FROM accounts AS a WHERE a.id = se.account_id)
		FROM sessions AS se WHERE se.token_hash = ?`, tokenHash).Scan(&r.TokenHash, &r.ID, &r.UserID, &r.AccountID,
		&r.CreatedAt, &r.ExpiresAt, &r.LastSeenAt, &r.UserAgent, &r.Address, &r.Restricted, &r.Role, &r.AccountStatus)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("session", "")
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetSessionView", err)
	}
	return &partners.SessionView{Session: *r.sessionRow.toDomain(),
		Role: partnerkit.Role(r.Role.String), AccountStatus: partners.Status(r.AccountStatus.String)}, nil
}

// TouchSessions implements partners.AuthStore: one UPDATE per session, in
// one transaction.
func (s *Store) TouchSessions(ctx context.Context, seen map[string]time.Time) error {
	if len(seen) == 0 {
		return nil
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		for hash, at := range seen {
			if _, err := s.conn(ctx).NewUpdate().Model((*sessionRow)(nil)).Set("last_seen_at = ?", at).
				Where("token_hash = ? AND last_seen_at < ?", hash, at).Exec(ctx); err != nil {
				return sqldb.Internal("bunstore.TouchSessions", err)
			}
		}
		return nil
	})
}

// UpdateSession implements partners.AuthStore.
func (s *Store) UpdateSession(ctx context.Context, x *partners.Session) error {
	res, err := s.conn(ctx).NewUpdate().Model((*sessionRow)(nil)).
		Set("account_id = ?", x.AccountID).Set("last_seen_at = ?", x.LastSeenAt).
		Where("token_hash = ?", x.TokenHash).Exec(ctx)
	return affectedOne("bunstore.UpdateSession", res, err, "session", "")
}

// DeleteSession implements partners.AuthStore.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	res, err := s.conn(ctx).NewDelete().Model((*sessionRow)(nil)).Where("token_hash = ?", tokenHash).Exec(ctx)
	return affectedOne("bunstore.DeleteSession", res, err, "session", "")
}

type apiKeyRow struct {
	bun.BaseModel `bun:"table:api_keys,alias:ak"`

	ID          string `bun:"id,pk"`
	TokenHash   string
	Prefix      string
	AccountID   string
	Role        string
	Description string
	CreatedBy   string
	CreatedAt   time.Time
	ExpiresAt   *time.Time
	RevokedAt   *time.Time
	LastUsedAt  *time.Time
}

func (r *apiKeyRow) toDomain() partners.APIKey {
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	return partners.APIKey{ID: r.ID, TokenHash: r.TokenHash, Prefix: r.Prefix, AccountID: r.AccountID,
		Role: partnerkit.Role(r.Role), Description: r.Description, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: utc(r.ExpiresAt), RevokedAt: utc(r.RevokedAt), LastUsedAt: utc(r.LastUsedAt)}
}

// CreateAPIKey implements partners.AuthStore.
func (s *Store) CreateAPIKey(ctx context.Context, k *partners.APIKey) error {
	_, err := s.conn(ctx).NewInsert().Model(&apiKeyRow{ID: k.ID, TokenHash: k.TokenHash, Prefix: k.Prefix,
		AccountID: k.AccountID, Role: string(k.Role), Description: k.Description, CreatedBy: k.CreatedBy,
		CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, LastUsedAt: k.LastUsedAt}).Exec(ctx)
	return sqldb.Internal("bunstore.CreateAPIKey", err)
}

func (s *Store) getAPIKey(ctx context.Context, column, value string) (*partners.APIKey, error) {
	var r apiKeyRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("? = ?", bun.Ident("ak."+column), value).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("API key", "")
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetAPIKey", err)
	}
	k := r.toDomain()
	return &k, nil
}

// GetAPIKeyView implements partners.AuthStore: the key and its account's
// status, in one statement.
func (s *Store) GetAPIKeyView(ctx context.Context, tokenHash string) (*partners.APIKeyView, error) {
	var r struct {
		apiKeyRow     `bun:",extend"`
		AccountStatus string `bun:",scanonly"`
	}
	err := s.conn(ctx).NewSelect().Model(&r).ColumnExpr("ak.*").
		ColumnExpr("(SELECT a.status FROM accounts AS a WHERE a.id = ak.account_id) AS account_status").
		Where("ak.token_hash = ?", tokenHash).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("API key", "")
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetAPIKeyView", err)
	}
	return &partners.APIKeyView{APIKey: r.apiKeyRow.toDomain(), AccountStatus: partners.Status(r.AccountStatus)}, nil
}

// TouchAPIKeys implements partners.AuthStore: one UPDATE per key, in one
// transaction.
func (s *Store) TouchAPIKeys(ctx context.Context, used map[string]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		for id, at := range used {
			if _, err := s.conn(ctx).NewUpdate().Model((*apiKeyRow)(nil)).Set("last_used_at = ?", at).
				Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, at).Exec(ctx); err != nil {
				return sqldb.Internal("bunstore.TouchAPIKeys", err)
			}
		}
		return nil
	})
}

// GetAPIKey implements partners.AuthStore.
func (s *Store) GetAPIKey(ctx context.Context, id string) (*partners.APIKey, error) {
	return s.getAPIKey(ctx, "id", id)
}

// GetAPIKeyByHash implements partners.AuthStore.
func (s *Store) GetAPIKeyByHash(ctx context.Context, tokenHash string) (*partners.APIKey, error) {
	return s.getAPIKey(ctx, "token_hash", tokenHash)
}

// ListAPIKeys implements partners.AuthStore.
func (s *Store) ListAPIKeys(ctx context.Context, accountID string) ([]partners.APIKey, error) {
	var rows []apiKeyRow
	if err := s.conn(ctx).NewSelect().Model(&rows).Where("ak.account_id = ?", accountID).
		OrderExpr("ak.created_at DESC, ak.id DESC").Scan(ctx); err != nil {
		return nil, sqldb.Internal("bunstore.ListAPIKeys", err)
	}
	out := make([]partners.APIKey, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// UpdateAPIKey implements partners.AuthStore.
func (s *Store) UpdateAPIKey(ctx context.Context, k *partners.APIKey) error {
	res, err := s.conn(ctx).NewUpdate().Model((*apiKeyRow)(nil)).
		Set("revoked_at = ?", k.RevokedAt).Set("last_used_at = ?", k.LastUsedAt).Where("id = ?", k.ID).Exec(ctx)
	return affectedOne("bunstore.UpdateAPIKey", res, err, "API key", k.ID)
}

type loginFailuresRow struct {
	bun.BaseModel `bun:"table:login_failures,alias:lf"`

	Key         string `bun:"key,pk"`
	Failures    int
	WindowStart time.Time
	LockedUntil *time.Time
	Seq         int
}

// GetLoginFailures implements partners.AuthStore.
func (s *Store) GetLoginFailures(ctx context.Context, key string) (*partners.LoginFailures, error) {
	var r loginFailuresRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("lf.key = ?", key).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("login failures", "")
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetLoginFailures", err)
	}
	f := &partners.LoginFailures{Key: r.Key, Failures: r.Failures, WindowStart: r.WindowStart.UTC(), Seq: r.Seq}
	if r.LockedUntil != nil {
		t := r.LockedUntil.UTC()
		f.LockedUntil = &t
	}
	return f, nil
}

// SwapLoginFailures implements partners.AuthStore: a compare-and-swap on
// the row's seq, one statement either way.
func (s *Store) SwapLoginFailures(ctx context.Context, old, next *partners.LoginFailures) (bool, error) {
	const op = "bunstore.SwapLoginFailures"
	r := &loginFailuresRow{Key: next.Key, Failures: next.Failures, WindowStart: next.WindowStart,
		LockedUntil: next.LockedUntil, Seq: next.Seq}
	var res sql.Result
	var err error
	if old == nil {
		res, err = s.conn(ctx).NewInsert().Model(r).On("CONFLICT (key) DO NOTHING").Exec(ctx)
	} else {
		res, err = s.conn(ctx).NewUpdate().Model(r).Column("failures", "window_start", "locked_until", "seq").
			Where("key = ? AND seq = ?", next.Key, old.Seq).Exec(ctx)
	}
	if err != nil {
		return false, sqldb.Internal(op, err)
	}
	n, err := res.RowsAffected()
	return n == 1, sqldb.Internal(op, err)
}

// DeleteLoginFailures implements partners.AuthStore.
func (s *Store) DeleteLoginFailures(ctx context.Context, key string) error {
	res, err := s.conn(ctx).NewDelete().Model((*loginFailuresRow)(nil)).Where("key = ?", key).Exec(ctx)
	return affectedOne("bunstore.DeleteLoginFailures", res, err, "login failures", "")
}

type teamInvitationRow struct {
	bun.BaseModel `bun:"table:team_invitations,alias:ti"`

	ID        string `bun:"id,pk"`
	TokenHash string
	AccountID string
	Email     string
	Role      string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	SentAt    *time.Time
	RevokedAt *time.Time
}

func (r *teamInvitationRow) toDomain() *partners.TeamInvitation {
	inv := &partners.TeamInvitation{ID: r.ID, TokenHash: r.TokenHash, AccountID: r.AccountID, Email: r.Email,
		Role: partnerkit.Role(r.Role), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		UsedAt: utcPtr(r.UsedAt), RevokedAt: utcPtr(r.RevokedAt), SentAt: r.CreatedAt.UTC()}
	if r.SentAt != nil {
		inv.SentAt = r.SentAt.UTC()
	}
	return inv
}

// utcPtr returns t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// CreateTeamInvitation implements partners.AuthStore.
func (s *Store) CreateTeamInvitation(ctx context.Context, inv *partners.TeamInvitation) error {
	_, err := s.conn(ctx).NewInsert().Model(&teamInvitationRow{ID: inv.ID, TokenHash: inv.TokenHash, AccountID: inv.AccountID,
		Email: inv.Email, Role: string(inv.Role), CreatedBy: inv.CreatedBy, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt,
		UsedAt: inv.UsedAt, SentAt: &inv.SentAt, RevokedAt: inv.RevokedAt}).Exec(ctx)
	return sqldb.Internal("bunstore.CreateTeamInvitation", err)
}

// GetTeamInvitationByHash implements partners.AuthStore.
func (s *Store) GetTeamInvitationByHash(ctx context.Context, tokenHash string) (*partners.TeamInvitation, error) {
	var r teamInvitationRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("ti.token_hash = ?", tokenHash).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("team invitation", "")
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetTeamInvitationByHash", err)
	}
	return r.toDomain(), nil
}

// UseTeamInvitation implements partners.AuthStore with a conditional update.
func (s *Store) UseTeamInvitation(ctx context.Context, id string, at time.Time) error {
	res, err := s.conn(ctx).NewUpdate().Model((*teamInvitationRow)(nil)).Set("used_at = ?", at).
		Where("id = ? AND used_at IS NULL", id).Exec(ctx)
	if err != nil {
		return sqldb.Internal("bunstore.UseTeamInvitation", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return partnerkit.Errorf(partnerkit.CodeGone, "this invitation link has already been used: sign in instead")
	}
	return nil
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
