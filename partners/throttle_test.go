package partners_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/memstore"
)

// TestPasswordSlots shows that a bounded number of password hashes run at
// once: with one slot and a short wait, a burst of sign-ins is partly
// refused as unavailable (with a time to retry) instead of hashing them all
// at once; with a long wait every one is checked.
func TestPasswordSlots(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name            string
		wait            time.Duration
		wantUnavailable bool
	}{{"ShortWaitRefusesTheExcess", time.Millisecond, true}, {"LongWaitChecksAll", time.Minute, false}} {
		t.Run(c.name, func(t *testing.T) {
			svc := partners.NewService(memstore.New(nil), partners.WithPasswordSlots(1, c.wait))
			if _, _, err := svc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Root", AdminEmail: "admin@root.example",
				AdminPassword: "Sup3r-secret"}); err != nil {
				t.Fatal(err)
			}
			const n = 8
			errs := make(chan error, n)
			for i := range n {
				go func() {
					_, _, err := svc.SignIn(ctx, "admin@root.example", "wrong-Passw0rd", fmt.Sprintf("10.0.0.%d", i))
					errs <- err
				}()
			}
			unavailable := 0
			for range n {
				err := <-errs
				switch partnerkit.ErrorCode(err) {
				case partnerkit.CodeUnavailable:
					unavailable++
					if partnerkit.ErrorRetryAfter(err) <= 0 {
						t.Errorf("unavailable without a time to retry: %v", err)
					}
				case partnerkit.CodeUnauthorized:
				default:
					t.Errorf("unexpected %v", err)
				}
			}
			if (unavailable > 0) != c.wantUnavailable {
				t.Fatalf("%d of %d sign-ins unavailable", unavailable, n)
			}
		})
	}
	if n := partners.DefaultPasswordSlots(partners.DefaultPasswordHasher); n < 1 || n > 64 {
		t.Fatalf("default slots %d", n)
	}
}
