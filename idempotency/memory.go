package idempotency

import (
	"context"
	"sync"
	"time"
)

// Memory is the Store of one process: a map behind a mutex.
type Memory struct {
	mu      sync.Mutex
	records map[string]Record
}

// NewMemory returns an empty memory store.
func NewMemory() *Memory { return &Memory{records: map[string]Record{}} }

// Claim implements Store.
func (m *Memory) Claim(_ context.Context, rec Record, now time.Time) (*Record, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.records[rec.Key]; ok && old.ExpiresAt.After(now) && (old.Done || old.LockedUntil.After(now)) {
		return &old, false, nil
	}
	rec.Done, rec.Status, rec.Response = false, 0, nil
	m.records[rec.Key] = rec
	return nil, true, nil
}

// Complete implements Store.
func (m *Memory) Complete(_ context.Context, key, token string, status int, response []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if rec, ok := m.records[key]; ok && rec.Token == token && !rec.Done {
		rec.Done, rec.Status, rec.Response = true, status, append([]byte(nil), response...)
		m.records[key] = rec
	}
	return nil
}

// Release implements Store.
func (m *Memory) Release(_ context.Context, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if rec, ok := m.records[key]; ok && rec.Token == token && !rec.Done {
		delete(m.records, key)
	}
	return nil
}

// Sweep implements Store.
func (m *Memory) Sweep(_ context.Context, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, rec := range m.records {
		if !rec.ExpiresAt.After(now) {
			delete(m.records, k)
		}
	}
	return nil
}
