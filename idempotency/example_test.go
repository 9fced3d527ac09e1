package idempotency_test

import (
	"context"
	"fmt"
	"time"

	"github.com/partnerkit/partnerkit/idempotency"
)

// A key's life: the first request claims it and stores its answer; a retry
// finds it done. (app/api does this around every POST with an
// Idempotency-Key; on SQL stores idempotency/bunstore shares the records.)
func Example() {
	ctx := context.Background()
	store := idempotency.NewMemory()
	now := time.Now()
	rec := idempotency.Record{Key: "caller+key", Fingerprint: "request", Token: "first",
		CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour), LockedUntil: now.Add(time.Minute)}

	_, claimed, _ := store.Claim(ctx, rec, now)
	fmt.Println("first request runs:", claimed)
	_ = store.Complete(ctx, rec.Key, rec.Token, 201, []byte("sealed answer"))

	retry := rec
	retry.Token = "retry"
	existing, claimed, _ := store.Claim(ctx, retry, now.Add(time.Second))
	fmt.Println("retry runs:", claimed, "- replays", existing.Status, string(existing.Response))
	// Output:
	// first request runs: true
	// retry runs: false - replays 201 sealed answer
}
