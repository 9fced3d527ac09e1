package partners

import (
	"context"
	"time"

	"github.com/partnerkit/partnerkit"
)

// SessionInfo is one of a user's sessions as their session list shows it.
// It carries the session's ID, never its token.
type SessionInfo struct {
	ID string `json:"id"`
	// Device names the browser and system (DeviceName of its User-Agent).
	Device string `json:"device"`
	// Address is the network address it signed in from.
	Address    string    `json:"address"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	// Current marks the session of the request.
	Current bool `json:"current"`
	// Restricted marks a session limited to two-factor enrolment.
	Restricted bool `json:"restricted,omitempty"`
}

// Sessions lists the actor's live sessions, newest first; current is the
// caller's session token ("" for none), marked Current.
func (s *Service) Sessions(ctx context.Context, actor partnerkit.Actor, current string) ([]SessionInfo, error) {
	const op = "partners.Sessions"
	if err := requireUser(actor); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	ss, err := s.store.UserSessions(ctx, actor.UserID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	hash := ""
	if current != "" {
		hash = HashToken(current)
	}
	now := s.clock.Now()
	out := []SessionInfo{}
	for _, x := range ss {
		if !now.Before(x.ExpiresAt) {
			continue
		}
		seen := x.LastSeenAt
		if at, ok := s.touches.pendingSession(x.TokenHash); ok && at.After(seen) {
			seen = at // a use noted but not yet written shows already
		}
		out = append(out, SessionInfo{ID: x.ID, Device: DeviceName(x.UserAgent), Address: x.Address, CreatedAt: x.CreatedAt,
			LastSeenAt: seen, ExpiresAt: x.ExpiresAt, Current: hash != "" && x.TokenHash == hash, Restricted: x.Restricted})
	}
	return out, nil
}

// RevokeSession ends one of the actor's sessions by its ID (the current
// one too: that is signing out). Another user's session is not_found.
func (s *Service) RevokeSession(ctx context.Context, actor partnerkit.Actor, id string) error {
	const op = "partners.RevokeSession"
	if err := partnerkit.CheckID("id", id); err != nil {
		return partnerkit.WithOp(op, err)
	}
	if err := requireUser(actor); err != nil {
		return partnerkit.WithOp(op, err)
	}
	err := s.store.DeleteUserSession(ctx, actor.UserID, id)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		err = partnerkit.NotFound("session", id)
	}
	return partnerkit.WithOp(op, err)
}

// RevokeOtherSessions ends every session of the actor but current (the
// caller's session token) and returns how many ended.
func (s *Service) RevokeOtherSessions(ctx context.Context, actor partnerkit.Actor, current string) (int, error) {
	const op = "partners.RevokeOtherSessions"
	if err := requireUser(actor); err != nil {
		return 0, partnerkit.WithOp(op, err)
	}
	keep := ""
	if current != "" {
		keep = HashToken(current)
	}
	n, err := s.store.DeleteUserSessions(ctx, actor.UserID, keep)
	return n, partnerkit.WithOp(op, err)
}

// pendingSession returns a session's last use noted but not yet written.
func (b *touchBuffer) pendingSession(hash string) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	at, ok := b.sessions[hash]
	return at, ok
}
