package partners

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/partnerkit/partnerkit"
)

// TouchFlushEvery is how often the last-use times of sessions and API keys
// noted by requests reach the store: authenticating a request never writes;
// the times are written in batches (FlushTouches), so a listed "last used"
// may lag by up to this much behind another server instance's requests.
const TouchFlushEvery = 30 * time.Second

// touchBuffer holds the last-use times noted since the last flush.
type touchBuffer struct {
	mu       sync.Mutex
	sessions map[string]time.Time // by token hash
	keys     map[string]time.Time // by key ID
	since    time.Time            // when the oldest pending time was noted
	flushing atomic.Bool
}

func (b *touchBuffer) note(s *Service, m *map[string]time.Time, id string, at time.Time) {
	b.mu.Lock()
	if len(b.sessions)+len(b.keys) == 0 {
		b.since = at
	}
	keepLatest(m, map[string]time.Time{id: at})
	due := at.Sub(b.since) >= TouchFlushEvery
	b.mu.Unlock()
	if due && b.flushing.CompareAndSwap(false, true) {
		go func() { // in the background: the request that noticed does not wait
			defer b.flushing.Store(false)
			_ = s.FlushTouches(context.Background())
		}()
	}
}

// keepLatest merges times into *m, keeping the later time of an ID.
func keepLatest(m *map[string]time.Time, times map[string]time.Time) {
	for id, at := range times {
		if *m == nil {
			*m = map[string]time.Time{}
		}
		if prev, ok := (*m)[id]; !ok || at.After(prev) {
			(*m)[id] = at
		}
	}
}

func (b *touchBuffer) session(s *Service, hash string, at time.Time) {
	b.note(s, &b.sessions, hash, at)
}
func (b *touchBuffer) apiKey(s *Service, id string, at time.Time) { b.note(s, &b.keys, id, at) }

// take empties the buffer and returns what it held.
func (b *touchBuffer) take() (sessions, keys map[string]time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	sessions, keys = b.sessions, b.keys
	b.sessions, b.keys = nil, nil
	return sessions, keys
}

// pendingKey returns a key's last use noted but not yet written.
func (b *touchBuffer) pendingKey(id string) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	at, ok := b.keys[id]
	return at, ok
}

// FlushTouches writes the last-use times of sessions and API keys noted
// since the previous flush, in one batch per kind. The service flushes by
// itself once TouchFlushEvery has passed since the oldest pending time; a
// server also calls it when it stops, so nothing noted is lost.
func (s *Service) FlushTouches(ctx context.Context) error {
	sessions, keys := s.touches.take()
	err := s.store.TouchSessions(ctx, sessions)
	if kerr := s.store.TouchAPIKeys(ctx, keys); err == nil {
		err = kerr
	}
	if err != nil { // keep them for the next flush
		s.touches.mu.Lock()
		keepLatest(&s.touches.sessions, sessions)
		keepLatest(&s.touches.keys, keys)
		s.touches.mu.Unlock()
	}
	return partnerkit.WithOp("partners.FlushTouches", err)
}
