// Package bunstore is the SQL idempotency.Store on Bun (SQLite and
// PostgreSQL), on the server's database, so that a key holds across every
// instance that shares it. Open the database with partners/bunstore.Open,
// which migrates every table (internal/sqldb/migrate_idempotency.go holds
// this one's: idempotency_keys).
//
// Claim is one statement: INSERT … ON CONFLICT (id) DO UPDATE … WHERE the
// existing row is expired or its lease ran out, RETURNING the row; of
// concurrent claims exactly one inserts or updates (the others wait for
// its row lock on PostgreSQL, or for their turn to write on SQLite, then
// match nothing) and the others read the winner's row.
package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/partnerkit/partnerkit/idempotency"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/uptrace/bun"
)

// Store is an idempotency.Store on a Bun database.
type Store struct{ db *bun.DB }

var _ idempotency.Store = (*Store)(nil)

// New returns a Store on a migrated db.
func New(db *bun.DB) (*Store, error) {
	if err := sqldb.Check(context.Background(), db); err != nil {
		return nil, fmt.Errorf("idempotency/bunstore: %w", err)
	}
	return &Store{db: db}, nil
}

type keyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys,alias:ik"`

	ID          string    `bun:"id,pk"`
	Fingerprint string    `bun:"fingerprint"`
	Token       string    `bun:"token"`
	Done        bool      `bun:"done"`
	Status      int       `bun:"status"`
	Response    []byte    `bun:"response"`
	CreatedAt   time.Time `bun:"created_at"`
	ExpiresAt   time.Time `bun:"expires_at"`
	LockedUntil time.Time `bun:"locked_until"`
}

func (r *keyRow) record() *idempotency.Record {
	return &idempotency.Record{Key: r.ID, Fingerprint: r.Fingerprint, Token: r.Token, Done: r.Done, Status: r.Status,
		Response: r.Response, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), LockedUntil: r.LockedUntil.UTC()}
}

// Claim implements idempotency.Store.
func (s *Store) Claim(ctx context.Context, rec idempotency.Record, now time.Time) (*idempotency.Record, bool, error) {
	now = now.UTC()
	row := &keyRow{ID: rec.Key, Fingerprint: rec.Fingerprint, Token: rec.Token, CreatedAt: rec.CreatedAt.UTC(),
		ExpiresAt: rec.ExpiresAt.UTC(), LockedUntil: rec.LockedUntil.UTC()}
	for range 3 {
		var claimed []keyRow
		err := sqldb.InTx(ctx, s.db, func(ctx context.Context) error {
			return sqldb.Conn(ctx, s.db).NewInsert().Model(row).
				On("CONFLICT (id) DO UPDATE").
				Set("fingerprint = EXCLUDED.fingerprint, token = EXCLUDED.token, done = FALSE, status = 0, response = NULL").
				Set("created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, locked_until = EXCLUDED.locked_until").
				Where("ik.expires_at <= ? OR (NOT ik.done AND ik.locked_until <= ?)", now, now).
				Returning("id").Scan(ctx, &claimed)
		})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, false, sqldb.Internal("idempotency.Claim", err)
		}
		if len(claimed) == 1 {
			return nil, true, nil
		}
		var old keyRow
		err = s.db.NewSelect().Model(&old).Where("ik.id = ?", rec.Key).Scan(ctx)
		if sqldb.IsNoRows(err) {
			continue // swept or released meanwhile: claim again
		}
		if err != nil {
			return nil, false, sqldb.Internal("idempotency.Claim", err)
		}
		return old.record(), false, nil
	}
	return nil, false, sqldb.Internal("idempotency.Claim", errors.New("the key kept changing hands"))
}

// Complete implements idempotency.Store.
func (s *Store) Complete(ctx context.Context, key, token string, status int, response []byte) error {
	err := sqldb.InTx(ctx, s.db, func(ctx context.Context) error {
		_, err := sqldb.Conn(ctx, s.db).NewUpdate().Model((*keyRow)(nil)).
			Set("done = TRUE, status = ?, response = ?", status, response).
			Where("id = ? AND token = ? AND NOT done", key, token).Exec(ctx)
		return err
	})
	return sqldb.Internal("idempotency.Complete", err)
}

// Release implements idempotency.Store.
func (s *Store) Release(ctx context.Context, key, token string) error {
	err := sqldb.InTx(ctx, s.db, func(ctx context.Context) error {
		_, err := sqldb.Conn(ctx, s.db).NewDelete().Model((*keyRow)(nil)).
			Where("id = ? AND token = ? AND NOT done", key, token).Exec(ctx)
		return err
	})
	return sqldb.Internal("idempotency.Release", err)
}

// Sweep implements idempotency.Store.
func (s *Store) Sweep(ctx context.Context, now time.Time) error {
	err := sqldb.InTx(ctx, s.db, func(ctx context.Context) error {
		_, err := sqldb.Conn(ctx, s.db).NewDelete().Model((*keyRow)(nil)).Where("expires_at <= ?", now.UTC()).Exec(ctx)
		return err
	})
	return sqldb.Internal("idempotency.Sweep", err)
}
