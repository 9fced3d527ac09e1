// Package bunstore is the SQL webhooks.Store on Bun (SQLite and
// PostgreSQL). Open the database with partners/bunstore.Open, which
// migrates every domain's tables (internal/sqldb/migrate_webhooks.go holds
// this one's: webhook_endpoints, webhook_secrets, webhook_deliveries,
// webhook_attempts).
//
// Each rule of the webhooks.Store's Concurrency section holds by one
// statement or lock, on PostgreSQL under READ COMMITTED as on SQLite:
//   - one delivery per endpoint and event: the unique key (endpoint_id,
//     event_id) and INSERT … ON CONFLICT (endpoint_id, event_id) DO NOTHING
//     RETURNING id, so CreateDeliveries returns only the rows it inserted;
//   - each attempt number once: RecordAttempt's UPDATE … WHERE attempts =
//     n-1 (a racer waits for the winner's row lock, then matches nothing),
//     and the primary key (delivery_id, number) of webhook_attempts;
//   - an endpoint disabled once: DisableEndpoint's UPDATE … WHERE enabled;
//   - endpoint edits: UPDATE … WHERE version;
//   - at most webhooks.MaxEndpoints per account: LockAccountEndpoints
//     locks the account's row in accounts (SELECT … FOR NO KEY UPDATE on
//     PostgreSQL; SQLite's write transactions run one at a time) before it
//     counts.
package bunstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/uptrace/bun"
)

// kindEndpoints is the dependents kind (partners.Store.Dependents) of an
// account's webhook endpoints; webhooks/memstore registers the same.
const kindEndpoints = "webhook endpoints"

// Store is a webhooks.Store on a Bun database.
type Store struct {
	db *bun.DB
	// hot runs the statements of every change's deliveries and of their
	// attempts as prepared statements with placeholders: Bun writes
	// arguments into the SQL text, and SQLite would parse each payload's
	// bytes with every INSERT.
	hot *sqldb.Prepared
}

var _ webhooks.Store = (*Store)(nil)

// New returns a Store on a migrated db. It refuses a database the stores
// cannot work on (see partners/bunstore.New). It registers the endpoints
// that keep an account from being deleted.
func New(db *bun.DB) (*Store, error) {
	if err := sqldb.Check(context.Background(), db); err != nil {
		return nil, fmt.Errorf("webhooks/bunstore: %w", err)
	}
	sqldb.RegisterDependent(db, sqldb.AccountCount{Name: kindEndpoints,
		SQL: `(SELECT count(*) FROM webhook_endpoints AS we WHERE we.account_id = {account})`})
	return &Store{db: db, hot: sqldb.NewPrepared(db)}, nil
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqldb.InTx(ctx, s.db, fn)
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }

func (s *Store) conn(ctx context.Context) bun.IDB { return sqldb.Conn(ctx, s.db) }

type endpointRow struct {
	bun.BaseModel `bun:"table:webhook_endpoints,alias:we"`

	ID             string `bun:"id,pk"`
	AccountID      string `bun:"account_id"`
	URL            string `bun:"url"`
	Description    string `bun:"description"`
	EventTypes     string `bun:"event_types"`
	Enabled        bool   `bun:"enabled"`
	DisabledReason string `bun:"disabled_reason"`
	SecretHint     string `bun:"secret_hint"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

func toEndpointRow(e *webhooks.Endpoint) (*endpointRow, error) {
	types := e.EventTypes
	if types == nil {
		types = []string{}
	}
	b, err := json.Marshal(types)
	if err != nil {
		return nil, err
	}
	return &endpointRow{ID: e.ID, AccountID: e.AccountID, URL: e.URL, Description: e.Description, EventTypes: string(b),
		Enabled: e.Enabled, DisabledReason: e.DisabledReason, SecretHint: e.SecretHint,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Version: e.Version}, nil
}

func (r *endpointRow) toDomain() (webhooks.Endpoint, error) {
	types := []string{}
	if r.EventTypes != "" {
		if err := json.Unmarshal([]byte(r.EventTypes), &types); err != nil {
			return webhooks.Endpoint{}, fmt.Errorf("webhook endpoint %s: event_types: %w", r.ID, err)
		}
	}
	return webhooks.Endpoint{ID: r.ID, AccountID: r.AccountID, URL: r.URL, Description: r.Description, EventTypes: types,
		Enabled: r.Enabled, DisabledReason: r.DisabledReason, SecretHint: r.SecretHint,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}, nil
}

func endpointsOf(rows []endpointRow) ([]webhooks.Endpoint, error) {
	out := make([]webhooks.Endpoint, 0, len(rows))
	for i := range rows {
		e, err := rows[i].toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

type secretRow struct {
	bun.BaseModel `bun:"table:webhook_secrets,alias:ws"`

	EndpointID string `bun:"endpoint_id,pk"`
	Value      string `bun:"value,pk"`
	CreatedAt  time.Time
	ExpiresAt  *time.Time
}

type deliveryRow struct {
	bun.BaseModel `bun:"table:webhook_deliveries,alias:wd"`

	ID             string `bun:"id,pk"`
	EndpointID     string `bun:"endpoint_id"`
	AccountID      string `bun:"account_id"`
	EventID        string `bun:"event_id"`
	EventType      string `bun:"event_type"`
	Test           bool   `bun:"test"`
	Status         string `bun:"status"`
	Attempts       int    `bun:"attempts"`
	LastStatusCode int    `bun:"last_status_code"`
	LastError      string `bun:"last_error"`
	NextAttemptAt  *time.Time
	Payload        []byte `bun:"payload"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (r *deliveryRow) toDomain() webhooks.Delivery {
	return webhooks.Delivery{ID: r.ID, EndpointID: r.EndpointID, AccountID: r.AccountID, EventID: r.EventID, EventType: r.EventType,
		Test: r.Test, Status: webhooks.DeliveryStatus(r.Status), Attempts: r.Attempts, LastStatusCode: r.LastStatusCode,
		LastError: r.LastError, NextAttemptAt: utcPtr(r.NextAttemptAt), Payload: json.RawMessage(r.Payload),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type attemptRow struct {
	bun.BaseModel `bun:"table:webhook_attempts,alias:wa"`

	DeliveryID string `bun:"delivery_id,pk"`
	Number     int    `bun:"number,pk"`
	At         time.Time
	Manual     bool   `bun:"manual"`
	StatusCode int    `bun:"status_code"`
	LatencyMS  int64  `bun:"latency_ms"`
	Response   string `bun:"response"`
	Error      string `bun:"error"`
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// LockAccountEndpoints implements webhooks.Store: on PostgreSQL it locks
// the account's row (SELECT … FOR NO KEY UPDATE, which leaves the key-share
// locks of foreign-key checks alone) until the transaction ends, then
// counts; SQLite's write transactions are serialised already. An account
// that does not exist has no row to lock and no endpoints: it counts 0 (the
// foreign key refuses its endpoints).
func (s *Store) LockAccountEndpoints(ctx context.Context, accountID string) (int, error) {
	const op = "bunstore.LockAccountEndpoints"
	if sqldb.IsPostgres(s.db) {
		var id string
		err := s.conn(ctx).NewSelect().Table("accounts").Column("id").Where("id = ?", accountID).
			For("NO KEY UPDATE").Scan(ctx, &id)
		if err != nil && !sqldb.IsNoRows(err) {
			return 0, sqldb.Internal(op, err)
		}
	}
	n, err := s.conn(ctx).NewSelect().Model((*endpointRow)(nil)).Where("we.account_id = ?", accountID).Count(ctx)
	if err != nil {
		return 0, sqldb.Internal(op, err)
	}
	return int(n), nil
}

// CreateEndpoint implements webhooks.Store.
func (s *Store) CreateEndpoint(ctx context.Context, e *webhooks.Endpoint, secret *webhooks.Secret) error {
	const op = "bunstore.CreateEndpoint"
	r, err := toEndpointRow(e)
	if err != nil {
		return sqldb.Internal(op, err)
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		_, err := s.conn(ctx).NewInsert().Model(r).Exec(ctx)
		if _, dup := sqldb.UniqueViolation(err); dup {
			return partnerkit.Errorf(partnerkit.CodeConflict, "webhook endpoint %s exists", e.ID)
		}
		if err != nil {
			return sqldb.Internal(op, err)
		}
		if secret == nil {
			return nil
		}
		x := *secret
		x.EndpointID = e.ID
		return s.AddSecret(ctx, &x)
	})
}

// GetEndpoint implements webhooks.Store.
func (s *Store) GetEndpoint(ctx context.Context, id string) (*webhooks.Endpoint, error) {
	const op = "bunstore.GetEndpoint"
	e, err := scanEndpoint(s.hot.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = ?`, id))
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("webhook endpoint", id)
	}
	if err != nil {
		return nil, sqldb.Internal(op, err)
	}
	return &e, nil
}

// scanEndpoint reads a row of endpointColumns.
func scanEndpoint(row interface{ Scan(...any) error }) (webhooks.Endpoint, error) {
	var r endpointRow
	var created, updated sqldb.Time
	if err := row.Scan(&r.ID, &r.AccountID, &r.URL, &r.Description, &r.EventTypes, &r.Enabled, &r.DisabledReason,
		&r.SecretHint, &created, &updated, &r.Version); err != nil {
		return webhooks.Endpoint{}, err
	}
	r.CreatedAt, r.UpdatedAt = created.Time, updated.Time
	return r.toDomain()
}

// ListEndpoints implements webhooks.Store: the page and the total are two
// statements (Bun's ScanAndCount) on the index (account_id, created_at, id).
func (s *Store) ListEndpoints(ctx context.Context, q webhooks.EndpointQuery) ([]webhooks.Endpoint, int, error) {
	const op = "bunstore.ListEndpoints"
	var rows []endpointRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("we.account_id = ?", q.AccountID).
		OrderExpr("we.created_at ASC, we.id ASC")
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal(op, err)
	}
	out, err := endpointsOf(rows)
	if err != nil {
		return nil, 0, sqldb.Internal(op, err)
	}
	return out, int(total), nil
}

// UpdateEndpoint implements webhooks.Store: UPDATE … WHERE version.
func (s *Store) UpdateEndpoint(ctx context.Context, e *webhooks.Endpoint) error {
	const op = "bunstore.UpdateEndpoint"
	r, err := toEndpointRow(e)
	if err != nil {
		return sqldb.Internal(op, err)
	}
	res, err := s.conn(ctx).NewUpdate().Model(r).
		ExcludeColumn("id", "account_id", "created_at", "version").
		Set("version = version + 1").WherePK().Where("version = ?", e.Version).Exec(ctx)
	if err := sqldb.CheckVersioned(ctx, op, res, err, "webhook endpoint", e.ID, func() error {
		_, err := s.GetEndpoint(ctx, e.ID)
		return err
	}); err != nil {
		return err
	}
	e.Version++
	return nil
}

// DisableEndpoint implements webhooks.Store: UPDATE … WHERE enabled, so of
// several concurrent calls one changes the row and the others, once its
// lock is released, match nothing.
func (s *Store) DisableEndpoint(ctx context.Context, id, reason string, at time.Time) (bool, error) {
	const op = "bunstore.DisableEndpoint"
	res, err := s.conn(ctx).NewUpdate().Model((*endpointRow)(nil)).
		Set("enabled = ?", false).Set("disabled_reason = ?", reason).Set("updated_at = ?", at).
		Set("version = version + 1").Where("id = ?", id).Where("enabled").Exec(ctx)
	if err != nil {
		return false, sqldb.Internal(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, sqldb.Internal(op, err)
	}
	if n == 0 {
		if _, err := s.GetEndpoint(ctx, id); err != nil {
			return false, err
		}
		return false, nil
	}
	return true, nil
}

// DeleteEndpoint implements webhooks.Store: the foreign keys' ON DELETE
// CASCADE removes the secrets, deliveries and attempts.
func (s *Store) DeleteEndpoint(ctx context.Context, id string) error {
	const op = "bunstore.DeleteEndpoint"
	res, err := s.conn(ctx).NewDelete().Model((*endpointRow)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return sqldb.Internal(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return sqldb.Internal(op, err)
	} else if n == 0 {
		return partnerkit.NotFound("webhook endpoint", id)
	}
	return nil
}

// MatchingEndpoints implements webhooks.Store with one statement: the
// enabled endpoints of the accounts (account_id IN (…) AND enabled, on the
// index (account_id, created_at, id)), oldest first. The event type is
// matched in Go, on the decoded event_types array: the rows read are at
// most webhooks.MaxEndpoints per account, and no JSON function is needed
// that SQLite and PostgreSQL spell differently.
func (s *Store) MatchingEndpoints(ctx context.Context, accountIDs []string, eventType string) ([]webhooks.Endpoint, error) {
	const op = "bunstore.MatchingEndpoints"
	if len(accountIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(accountIDs))
	for i, id := range accountIDs {
		args[i] = id
	}
	rows, err := s.hot.Query(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE account_id IN (`+sqldb.Placeholders(len(args), 1, true)+`) AND enabled ORDER BY created_at ASC, id ASC`, args...)
	if err != nil {
		return nil, sqldb.Internal(op, err)
	}
	defer rows.Close()
	var out []webhooks.Endpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, sqldb.Internal(op, err)
		}
		if eventType == "" || e.Receives(eventType) {
			out = append(out, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, sqldb.Internal(op, err)
	}
	return out, nil
}

// AnyEnabledEndpoint implements webhooks.Store with one prepared
// statement that stops at the first enabled endpoint. It binds the flag
// (see sqldb.Prepared: it runs in the transaction of every change).
func (s *Store) AnyEnabledEndpoint(ctx context.Context) (bool, error) {
	var found bool
	if err := s.hot.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled = ?)`, true).Scan(&found); err != nil {
		return false, sqldb.Internal("bunstore.AnyEnabledEndpoint", err)
	}
	return found, nil
}

// endpointColumns are webhook_endpoints' columns in endpointRow's order.
const endpointColumns = `id, account_id, url, description, event_types, enabled, disabled_reason, secret_hint,
	created_at, updated_at, version`

// AddSecret implements webhooks.Store. Returns conflict when the endpoint
// has this secret already, or is gone.
func (s *Store) AddSecret(ctx context.Context, x *webhooks.Secret) error {
	r := &secretRow{EndpointID: x.EndpointID, Value: x.Value, CreatedAt: x.CreatedAt, ExpiresAt: utcPtr(x.ExpiresAt)}
	_, err := s.conn(ctx).NewInsert().Model(r).Exec(ctx)
	if _, dup := sqldb.UniqueViolation(err); dup {
		return partnerkit.Errorf(partnerkit.CodeConflict, "the endpoint has this secret already")
	}
	return sqldb.Internal("bunstore.AddSecret", err)
}

// ExpireSecrets implements webhooks.Store.
func (s *Store) ExpireSecrets(ctx context.Context, endpointID string, at time.Time) error {
	_, err := s.conn(ctx).NewUpdate().Model((*secretRow)(nil)).Set("expires_at = ?", at).
		Where("endpoint_id = ?", endpointID).Where("(expires_at IS NULL OR expires_at > ?)", at).Exec(ctx)
	return sqldb.Internal("bunstore.ExpireSecrets", err)
}

// LiveSecrets implements webhooks.Store: newest first, ties by value
// (descending, byte order).
func (s *Store) LiveSecrets(ctx context.Context, endpointID string, now time.Time) ([]webhooks.Secret, error) {
	const op = "bunstore.LiveSecrets"
	rows, err := s.hot.Query(ctx, `SELECT value, created_at, expires_at FROM webhook_secrets
		WHERE endpoint_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC, value DESC`,
		endpointID, s.hot.TimeArg(&now))
	if err != nil {
		return nil, sqldb.Internal(op, err)
	}
	defer rows.Close()
	out := []webhooks.Secret{}
	for rows.Next() {
		x := webhooks.Secret{EndpointID: endpointID}
		var created sqldb.Time
		var expires sql.Null[sqldb.Time]
		if err := rows.Scan(&x.Value, &created, &expires); err != nil {
			return nil, sqldb.Internal(op, err)
		}
		x.CreatedAt = created.Time
		if expires.Valid {
			x.ExpiresAt = &expires.V.Time
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, sqldb.Internal(op, err)
	}
	return out, nil
}

// CreateDeliveries implements webhooks.Store with one prepared statement:
// INSERT … ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id. A
// pair that exists, or that a concurrent transaction inserts first
// (PostgreSQL waits for it to end), is skipped; only the returned rows are
// returned.
func (s *Store) CreateDeliveries(ctx context.Context, ds []*webhooks.Delivery) ([]*webhooks.Delivery, error) {
	const op = "bunstore.CreateDeliveries"
	if len(ds) == 0 {
		return nil, nil
	}
	args := make([]any, 0, deliveryWidth*len(ds))
	for _, d := range ds {
		payload := []byte(d.Payload)
		if payload == nil {
			payload = []byte{}
		}
		args = append(args, d.ID, d.EndpointID, d.AccountID, d.EventID, d.EventType, d.Test, string(d.Status), d.Attempts,
			d.LastStatusCode, d.LastError, s.hot.TimeArg(d.NextAttemptAt), payload, s.hot.TimeArg(&d.CreatedAt),
			s.hot.TimeArg(&d.UpdatedAt))
	}
	rows, err := s.hot.Query(ctx, `INSERT INTO webhook_deliveries (`+deliveryColumns+`) VALUES `+
		sqldb.Placeholders(len(ds), deliveryWidth, false)+
		` ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id`, args...)
	if err != nil {
		return nil, sqldb.Internal(op, err)
	}
	defer rows.Close()
	inserted := make(map[string]bool, len(ds))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, sqldb.Internal(op, err)
		}
		inserted[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, sqldb.Internal(op, err)
	}
	out := make([]*webhooks.Delivery, 0, len(inserted))
	for _, d := range ds {
		if inserted[d.ID] {
			out = append(out, d)
			delete(inserted, d.ID) // a repeated ID counts once
		}
	}
	return out, nil
}

// deliveryColumns are webhook_deliveries' columns, deliveryWidth of them,
// in the order CreateDeliveries writes and scanDelivery reads them.
const (
	deliveryColumns = `id, endpoint_id, account_id, event_id, event_type, test, status, attempts, last_status_code,
	last_error, next_attempt_at, payload, created_at, updated_at`
	deliveryWidth = 14
)

// scanDelivery reads a row of deliveryColumns.
func scanDelivery(rows interface{ Scan(...any) error }) (webhooks.Delivery, error) {
	var r deliveryRow
	var next sql.Null[sqldb.Time]
	var created, updated sqldb.Time
	err := rows.Scan(&r.ID, &r.EndpointID, &r.AccountID, &r.EventID, &r.EventType, &r.Test, &r.Status, &r.Attempts,
		&r.LastStatusCode, &r.LastError, &next, &r.Payload, &created, &updated)
	if next.Valid {
		r.NextAttemptAt = &next.V.Time
	}
	r.CreatedAt, r.UpdatedAt = created.Time, updated.Time
	return r.toDomain(), err
}

// GetDelivery implements webhooks.Store.
func (s *Store) GetDelivery(ctx context.Context, id string) (*webhooks.Delivery, error) {
	var r deliveryRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("wd.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("webhook delivery", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetDelivery", err)
	}
	d := r.toDomain()
	return &d, nil
}

// GetDeliveries implements webhooks.Store with one prepared statement on
// the primary key.
func (s *Store) GetDeliveries(ctx context.Context, ids []string) (map[string]*webhooks.Delivery, error) {
	const op = "bunstore.GetDeliveries"
	out := make(map[string]*webhooks.Delivery, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.hot.Query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id IN (`+
		sqldb.Placeholders(len(ids), 1, true)+`)`, args...)
	if err != nil {
		return nil, sqldb.Internal(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, sqldb.Internal(op, err)
		}
		out[d.ID] = &d
	}
	if err := rows.Err(); err != nil {
		return nil, sqldb.Internal(op, err)
	}
	return out, nil
}

// ListDeliveries implements webhooks.Store: the page and the total are two
// statements (Bun's ScanAndCount) on the index (endpoint_id, created_at,
// id).
func (s *Store) ListDeliveries(ctx context.Context, q webhooks.DeliveryQuery) ([]webhooks.Delivery, int, error) {
	var rows []deliveryRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("wd.endpoint_id = ?", q.EndpointID)
	if q.Status != "" {
		sel = sel.Where("wd.status = ?", string(q.Status))
	}
	if q.EventID != "" {
		sel = sel.Where("wd.event_id = ?", q.EventID)
	}
	sel = sel.OrderExpr("wd.created_at DESC, wd.id DESC")
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal("bunstore.ListDeliveries", err)
	}
	out := make([]webhooks.Delivery, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, int(total), nil
}

// RecordAttempt implements webhooks.Store: UPDATE … WHERE attempts = n-1,
// then the attempt's row, in one transaction. Of racers recording one
// number, the first to update holds the row; the others, once it commits,
// RecordAttempt implements webhooks.Store: RecordAttempts of one, and on
// a miss a read that tells not_found from conflict.
func (s *Store) RecordAttempt(ctx context.Context, d *webhooks.Delivery, a *webhooks.Attempt) error {
	ok, err := s.RecordAttempts(ctx, []webhooks.AttemptRecord{{Delivery: d, Attempt: a}})
	if err != nil {
		return err
	}
	if ok[0] {
		return nil
	}
	if _, err := s.GetDelivery(ctx, d.ID); err != nil {
		return err
	}
	return partnerkit.Errorf(partnerkit.CodeConflict,
		"webhook delivery %s: attempt %d was recorded by someone else", d.ID, a.Number)
}

// attemptsPerInsert bounds one INSERT of RecordAttempts (8 parameters a
// row).
const attemptsPerInsert = 200

// RecordAttempts implements webhooks.Store in one transaction: a prepared
// UPDATE … WHERE id = ? AND attempts = n-1 of each delivery, in the order
// of their IDs (on
// PostgreSQL a racer waits for the winner's row lock, then matches
// nothing), then one multi-row INSERT of the attempts whose delivery it
// changed; the primary key (delivery_id, number) backs it, and a duplicate
// there fails the whole call.
func (s *Store) RecordAttempts(ctx context.Context, rs []webhooks.AttemptRecord) ([]bool, error) {
	const op = "bunstore.RecordAttempts"
	ok := make([]bool, len(rs))
	err := s.InTx(ctx, func(ctx context.Context) error {
		args := make([]any, 0, 8*min(len(rs), attemptsPerInsert))
		n := 0
		insert := func() error {
			if n == 0 {
				return nil
			}
			_, err := s.hot.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, number, at, manual, status_code, latency_ms,
				response, error) VALUES `+sqldb.Placeholders(n, 8, false), args...)
			if _, dup := sqldb.UniqueViolation(err); dup {
				return partnerkit.Errorf(partnerkit.CodeConflict, "webhook attempts: an attempt was recorded by someone else")
			}
			args, n = args[:0], 0
			return sqldb.Internal(op, err)
		}
		// In the order of the deliveries' IDs, whatever the caller's: two
		// calls that share deliveries lock their rows in one order, and
		// never wait for each other in a cycle (PostgreSQL would abort
		// one for a deadlock).
		order := make([]int, len(rs))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(i, j int) int {
			return cmp.Or(strings.Compare(rs[i].Delivery.ID, rs[j].Delivery.ID), cmp.Compare(rs[i].Attempt.Number, rs[j].Attempt.Number))
		})
		for _, i := range order {
			d, a := rs[i].Delivery, rs[i].Attempt
			res, err := s.hot.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code = ?,
				last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ? AND attempts = ?`,
				string(d.Status), a.Number, d.LastStatusCode, d.LastError, s.hot.TimeArg(d.NextAttemptAt),
				s.hot.TimeArg(&d.UpdatedAt), d.ID, a.Number-1)
			if err != nil {
				return sqldb.Internal(op, err)
			}
			changed, err := res.RowsAffected()
			if err != nil {
				return sqldb.Internal(op, err)
			}
			if changed == 0 {
				continue
			}
			ok[i] = true
			args = append(args, d.ID, a.Number, s.hot.TimeArg(&a.At), a.Manual, a.StatusCode, a.LatencyMS, a.Response, a.Error)
			if n++; n == attemptsPerInsert {
				if err := insert(); err != nil {
					return err
				}
			}
		}
		return insert()
	})
	if err != nil {
		clear(ok)
		return nil, err
	}
	return ok, nil
}

// UpdateDelivery implements webhooks.Store.
func (s *Store) UpdateDelivery(ctx context.Context, d *webhooks.Delivery) error {
	const op = "bunstore.UpdateDelivery"
	res, err := s.conn(ctx).NewUpdate().Model((*deliveryRow)(nil)).
		Set("status = ?", string(d.Status)).Set("last_error = ?", d.LastError).
		Set("next_attempt_at = ?", utcPtr(d.NextAttemptAt)).Set("updated_at = ?", d.UpdatedAt).
		Where("id = ?", d.ID).Exec(ctx)
	if err != nil {
		return sqldb.Internal(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return sqldb.Internal(op, err)
	} else if n == 0 {
		return partnerkit.NotFound("webhook delivery", d.ID)
	}
	return nil
}

// Attempts implements webhooks.Store.
func (s *Store) Attempts(ctx context.Context, deliveryID string) ([]webhooks.Attempt, error) {
	var rows []attemptRow
	err := s.conn(ctx).NewSelect().Model(&rows).Where("wa.delivery_id = ?", deliveryID).OrderExpr("wa.number ASC").Scan(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal("bunstore.Attempts", err)
	}
	out := make([]webhooks.Attempt, len(rows))
	for i, r := range rows {
		out[i] = webhooks.Attempt{DeliveryID: r.DeliveryID, Number: r.Number, At: r.At.UTC(), Manual: r.Manual,
			StatusCode: r.StatusCode, LatencyMS: r.LatencyMS, Response: r.Response, Error: r.Error}
	}
	return out, nil
}
