// Package memstore is the in-memory mail.Store: the same behaviour as the
// SQL store (both pass storetest.RunMailTests). Build it on the same DB as
// the partners memstore, so that a message is queued in the transaction of
// the change that causes it.
//
// The DB runs one writing transaction at a time, which keeps every rule of
// the mail.Store's Concurrency section by itself: CreateMessage checks the
// DedupeKey and inserts under that one lock, and RecordAttempt checks the
// message's status and attempts and writes under it.
package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/memdb"
	"github.com/partnerkit/partnerkit/mail"
)

// Store is an in-memory mail.Store.
type Store struct {
	db       *memdb.DB
	messages *memdb.Table[string, mail.OutboxMessage]
	dedupe   *memdb.Table[string, string]   // DedupeKey → message ID
	byRef    *memdb.Table[string, []string] // ref → message IDs
}

var _ mail.Store = (*Store)(nil)

// New returns a Store on db (a nil db gets one of its own).
func New(db *memdb.DB) *Store {
	if db == nil {
		db = memdb.New()
	}
	return &Store{db: db, messages: memdb.NewTable[string, mail.OutboxMessage](),
		dedupe: memdb.NewTable[string, string](), byRef: memdb.NewTable[string, []string]()}
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }

// CreateMessage implements mail.Store.
func (s *Store) CreateMessage(ctx context.Context, m *mail.OutboxMessage) (bool, error) {
	inserted := false
	err := s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, dup := s.messages.Get(m.ID); dup {
			return partnerkit.Errorf(partnerkit.CodeConflict, "mail message %s exists", m.ID)
		}
		if m.DedupeKey != "" {
			if _, dup := s.dedupe.Get(m.DedupeKey); dup {
				return nil
			}
			s.dedupe.Put(t, m.DedupeKey, m.ID)
		}
		s.messages.Put(t, m.ID, m.Copy())
		if m.Ref != "" {
			ids, _ := s.byRef.Get(m.Ref)
			s.byRef.Put(t, m.Ref, append(slices.Clone(ids), m.ID))
		}
		inserted = true
		return nil
	})
	return inserted, err
}

// GetMessage implements mail.Store.
func (s *Store) GetMessage(ctx context.Context, id string) (*mail.OutboxMessage, error) {
	m, err := memdb.Get(ctx, s.db, s.messages, "mail message", id)
	if err != nil {
		return nil, err
	}
	c := m.Copy()
	return &c, nil
}

// RecordAttempt implements mail.Store.
func (s *Store) RecordAttempt(ctx context.Context, m *mail.OutboxMessage) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		old, ok := s.messages.Get(m.ID)
		if !ok {
			return partnerkit.NotFound("mail message", m.ID)
		}
		if old.Status != mail.StatusQueued || old.Attempts != m.Attempts-1 {
			return partnerkit.Errorf(partnerkit.CodeConflict, "mail message %s: attempt %d was recorded by someone else", m.ID, m.Attempts)
		}
		next := m.Copy()
		old.Status, old.Attempts, old.LastError = next.Status, next.Attempts, next.LastError
		old.NextAttemptAt, old.SentAt, old.UpdatedAt, old.Data = next.NextAttemptAt, next.SentAt, next.UpdatedAt, next.Data
		s.messages.Put(t, m.ID, old)
		return nil
	})
}

// MessagesByRefs implements mail.Store.
func (s *Store) MessagesByRefs(ctx context.Context, refs []string) ([]mail.OutboxMessage, error) {
	var out []mail.OutboxMessage
	err := s.db.View(ctx, func() error {
		seen := map[string]bool{}
		for _, ref := range refs {
			if seen[ref] {
				continue
			}
			seen[ref] = true
			ids, _ := s.byRef.Get(ref)
			for _, id := range ids {
				if m, ok := s.messages.Get(id); ok {
					out = append(out, m.Copy())
				}
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b mail.OutboxMessage) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, err
}
