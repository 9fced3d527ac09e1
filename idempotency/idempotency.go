// Package idempotency stores the responses of requests sent with an
// Idempotency-Key, so that a retry answers the first response instead of
// acting twice: across server instances when the store is shared (the
// Bun store, package bunstore, on the server's database), in one process
// with the memory store (Memory).
//
// It is domain-neutral plumbing of the JSON API (app/api): keys are opaque
// strings the API derives from the caller and the key it sent, responses
// opaque bytes it seals; the store only stores them. Each key's life:
//
//	Claim (pending, leased) ──Complete──▶ done, replayed until it expires
//	        └──────────────Release──────▶ forgotten (the request may run again)
//
// A pending key whose lease ran out (its holder died) may be claimed
// again, and so may an expired one.
package idempotency

import (
	"context"
	"time"
)

// Record is one key's entry.
type Record struct {
	// Key identifies the caller and the key it sent (a hash).
	Key string
	// Fingerprint identifies the request sent with the key the first time
	// (a hash of its method, path and body): another request with the key
	// is refused.
	Fingerprint string
	// Token identifies the claim: only its holder completes or releases it.
	Token string
	// Done says the response is stored; a pending record has none yet.
	Done bool
	// Status and Response are the stored response (the API seals it).
	Status   int
	Response []byte
	// CreatedAt is when the key was claimed, ExpiresAt when it is
	// forgotten, LockedUntil when a pending claim's lease runs out.
	CreatedAt, ExpiresAt, LockedUntil time.Time
}

// Store stores idempotency records. Implementations must make Claim atomic
// across every process that shares the store: of concurrent claims of one
// key exactly one gets claimed = true.
type Store interface {
	// Claim takes key for rec (its Key, Fingerprint, Token, CreatedAt,
	// ExpiresAt and LockedUntil; Done false) when no live record holds it
	// — none, an expired one (ExpiresAt at or before now), or a pending one
	// whose lease ran out (LockedUntil at or before now) — and returns
	// claimed = true. Otherwise it returns the live record and false.
	Claim(ctx context.Context, rec Record, now time.Time) (existing *Record, claimed bool, err error)
	// Complete stores the response of the claim of key with token; a claim
	// lost meanwhile (its lease ran out and another took the key) changes
	// nothing.
	Complete(ctx context.Context, key, token string, status int, response []byte) error
	// Release forgets the claim of key with token, so the request may run
	// again.
	Release(ctx context.Context, key, token string) error
	// Sweep deletes the records expired at now.
	Sweep(ctx context.Context, now time.Time) error
}
