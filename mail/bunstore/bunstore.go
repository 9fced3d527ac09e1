// Package bunstore is the SQL mail.Store on Bun (SQLite and PostgreSQL).
// Open the database with partners/bunstore.Open, which migrates every
// domain's tables (internal/sqldb/migrate_mail.go holds this one's:
// mail_messages).
//
// Each rule of the mail.Store's Concurrency section holds by one
// statement, on PostgreSQL under READ COMMITTED as on SQLite:
//   - one message per DedupeKey: the unique key mail_messages_dedupe_key
//     and INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id (a
//     racer waits for the transaction that inserted the key, then inserts
//     nothing if it committed); messages without a key store NULL, which
//     never clashes;
//   - each attempt once: RecordAttempt's UPDATE … WHERE status = 'queued'
//     AND attempts = n-1 (a racer waits for the winner's row lock, then
//     matches nothing).
package bunstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/mail"
	"github.com/uptrace/bun"
)

// Store is a mail.Store on a Bun database.
type Store struct{ db *bun.DB }

var _ mail.Store = (*Store)(nil)

// New returns a Store on a migrated db. It refuses a database the stores
// cannot work on (see partners/bunstore.New).
func New(db *bun.DB) (*Store, error) {
	if err := sqldb.Check(context.Background(), db); err != nil {
		return nil, fmt.Errorf("mail/bunstore: %w", err)
	}
	return &Store{db: db}, nil
}

// InTx implements partnerkit.Transactor: inside a transaction of the same
// *bun.DB (another domain's store's) it makes a savepoint of it.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqldb.InTx(ctx, s.db, fn)
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }

func (s *Store) conn(ctx context.Context) bun.IDB { return sqldb.Conn(ctx, s.db) }

type messageRow struct {
	bun.BaseModel `bun:"table:mail_messages,alias:mm"`

	ID            string  `bun:"id,pk"`
	Kind          string  `bun:"kind"`
	Recipient     string  `bun:"recipient"`
	AccountID     string  `bun:"account_id"`
	Ref           string  `bun:"ref"`
	DedupeKey     *string `bun:"dedupe_key"`
	Data          string  `bun:"data"`
	Status        string  `bun:"status"`
	Attempts      int     `bun:"attempts"`
	LastError     string  `bun:"last_error"`
	NextAttemptAt *time.Time
	SentAt        *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func encodeData(d map[string]string) (string, error) {
	if len(d) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(d)
	return string(b), err
}

func toRow(m *mail.OutboxMessage) (*messageRow, error) {
	data, err := encodeData(m.Data)
	if err != nil {
		return nil, err
	}
	r := &messageRow{ID: m.ID, Kind: m.Kind, Recipient: m.To, AccountID: m.AccountID, Ref: m.Ref, Data: data,
		Status: string(m.Status), Attempts: m.Attempts, LastError: m.LastError, NextAttemptAt: utcPtr(m.NextAttemptAt),
		SentAt: utcPtr(m.SentAt), CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	if m.DedupeKey != "" {
		k := m.DedupeKey
		r.DedupeKey = &k
	}
	return r, nil
}

func (r *messageRow) toDomain() (mail.OutboxMessage, error) {
	m := mail.OutboxMessage{ID: r.ID, Kind: r.Kind, To: r.Recipient, AccountID: r.AccountID, Ref: r.Ref,
		Status: mail.Status(r.Status), Attempts: r.Attempts, LastError: r.LastError, NextAttemptAt: utcPtr(r.NextAttemptAt),
		SentAt: utcPtr(r.SentAt), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.DedupeKey != nil {
		m.DedupeKey = *r.DedupeKey
	}
	if r.Data != "" && r.Data != "{}" {
		if err := json.Unmarshal([]byte(r.Data), &m.Data); err != nil {
			return m, fmt.Errorf("mail message %s: data: %w", r.ID, err)
		}
	}
	return m, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// CreateMessage implements mail.Store: one INSERT … ON CONFLICT
// (dedupe_key) DO NOTHING RETURNING id, which returns no row for a
// duplicate key.
func (s *Store) CreateMessage(ctx context.Context, m *mail.OutboxMessage) (bool, error) {
	const op = "bunstore.CreateMessage"
	r, err := toRow(m)
	if err != nil {
		return false, sqldb.Internal(op, err)
	}
	var ids []string
	_, err = s.conn(ctx).NewInsert().Model(r).On("CONFLICT (dedupe_key) DO NOTHING").Returning("id").Exec(ctx, &ids)
	if _, dup := sqldb.UniqueViolation(err); dup {
		return false, partnerkit.Errorf(partnerkit.CodeConflict, "mail message %s exists", m.ID)
	}
	if err != nil && !sqldb.IsNoRows(err) {
		return false, sqldb.Internal(op, err)
	}
	return len(ids) == 1, nil
}

// GetMessage implements mail.Store.
func (s *Store) GetMessage(ctx context.Context, id string) (*mail.OutboxMessage, error) {
	const op = "bunstore.GetMessage"
	var r messageRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("mm.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("mail message", id)
	}
	if err != nil {
		return nil, sqldb.Internal(op, err)
	}
	m, err := r.toDomain()
	if err != nil {
		return nil, sqldb.Internal(op, err)
	}
	return &m, nil
}

// RecordAttempt implements mail.Store: UPDATE … WHERE status = 'queued'
// AND attempts = n-1.
func (s *Store) RecordAttempt(ctx context.Context, m *mail.OutboxMessage) error {
	const op = "bunstore.RecordAttempt"
	data, err := encodeData(m.Data)
	if err != nil {
		return sqldb.Internal(op, err)
	}
	res, err := s.conn(ctx).NewUpdate().Model((*messageRow)(nil)).
		Set("status = ?", string(m.Status)).Set("attempts = ?", m.Attempts).Set("last_error = ?", m.LastError).
		Set("next_attempt_at = ?", utcPtr(m.NextAttemptAt)).Set("sent_at = ?", utcPtr(m.SentAt)).
		Set("updated_at = ?", m.UpdatedAt).Set("data = ?", data).
		Where("id = ?", m.ID).Where("status = ?", string(mail.StatusQueued)).Where("attempts = ?", m.Attempts-1).Exec(ctx)
	if err != nil {
		return sqldb.Internal(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return sqldb.Internal(op, err)
	}
	if n == 0 {
		if _, err := s.GetMessage(ctx, m.ID); err != nil {
			return err
		}
		return partnerkit.Errorf(partnerkit.CodeConflict, "mail message %s: attempt %d was recorded by someone else", m.ID, m.Attempts)
	}
	return nil
}

// MessagesByRefs implements mail.Store, on the index (ref, created_at,
// id).
func (s *Store) MessagesByRefs(ctx context.Context, refs []string) ([]mail.OutboxMessage, error) {
	const op = "bunstore.MessagesByRefs"
	if len(refs) == 0 {
		return nil, nil
	}
	var rows []messageRow
	err := s.conn(ctx).NewSelect().Model(&rows).Where("mm.ref IN (?)", bun.List(refs)).
		OrderExpr("mm.created_at DESC, mm.id DESC").Scan(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal(op, err)
	}
	out := make([]mail.OutboxMessage, 0, len(rows))
	for i := range rows {
		m, err := rows[i].toDomain()
		if err != nil {
			return nil, sqldb.Internal(op, err)
		}
		out = append(out, m)
	}
	return out, nil
}
