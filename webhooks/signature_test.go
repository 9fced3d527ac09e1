package webhooks

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignAndVerify(t *testing.T) {
	body := []byte(`{"id":"EV-1","type":"partner.created"}`)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	header := Sign(body, at, "whsec_new", "whsec_old")
	if !strings.HasPrefix(header, "t=1796115600,v1=") || strings.Count(header, "v1=") != 2 {
		t.Fatalf("header %q: want the unix time and one v1 per secret", header)
	}
	for _, c := range []struct {
		name, secret, header string
		body                 []byte
		now                  time.Time
		want                 error
	}{
		{"current secret", "whsec_new", header, body, at, nil},
		{"previous secret during the overlap", "whsec_old", header, body, at.Add(time.Minute), nil},
		{"other secret", "whsec_other", header, body, at, ErrSignatureInvalid},
		{"changed body", "whsec_new", header, []byte(`{"id":"EV-2"}`), at, ErrSignatureInvalid},
		{"replayed later", "whsec_new", header, body, at.Add(DefaultTolerance + time.Second), ErrSignatureExpired},
		{"from the future", "whsec_new", header, body, at.Add(-DefaultTolerance - time.Second), ErrSignatureExpired},
		{"no header", "whsec_new", "", body, at, ErrNoSignature},
		{"no v1", "whsec_new", "t=1796115600", body, at, ErrNoSignature},
		{"bad time", "whsec_new", "t=soon,v1=00", body, at, ErrNoSignature},
		{"garbage", "whsec_new", "hello", body, at, ErrNoSignature},
		{"spaces tolerated", "whsec_new", strings.ReplaceAll(header, ",", ", "), body, at, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := verifyAt(c.secret, c.header, c.body, 0, c.now); !errors.Is(err, c.want) {
				t.Errorf("verify: %v, want %v", err, c.want)
			}
		})
	}
}

func TestVerifyNow(t *testing.T) {
	body := []byte(`{}`)
	if err := Verify("whsec_x", Sign(body, time.Now(), "whsec_x"), body, time.Minute); err != nil {
		t.Fatal(err)
	}
}

func TestNewSecret(t *testing.T) {
	a, b := newSecret(), newSecret()
	if a == b || !strings.HasPrefix(a, "whsec_") || len(a) != len("whsec_")+43 {
		t.Fatalf("secrets %q, %q: want distinct whsec_ and 43 base64url characters", a, b)
	}
	if h := hint(a); h != "…"+a[len(a)-4:] {
		t.Fatalf("hint %q", h)
	}
}

func TestNextDelay(t *testing.T) {
	var total time.Duration
	for n := 1; n <= len(RetrySchedule); n++ {
		d, ok := nextDelay(RetrySchedule, n)
		want := RetrySchedule[n-1]
		if !ok || d < want-time.Duration(float64(want)*Jitter) || d > want+time.Duration(float64(want)*Jitter) {
			t.Fatalf("attempt %d: delay %s (%v), want %s ±10%%", n, d, ok, want)
		}
		total += want
	}
	if _, ok := nextDelay(RetrySchedule, len(RetrySchedule)+1); ok {
		t.Fatal("a retry after the last attempt")
	}
	if total < 70*time.Hour || total > 80*time.Hour {
		t.Fatalf("the schedule spans %s, want about three days", total)
	}
}
