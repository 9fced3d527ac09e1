//go:build !js

package api

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/partnerkit/partnerkit"
	"golang.org/x/time/rate"
)

// RateLimit is the general request rate limit: a token bucket per API key
// (Authorization: Bearer), else per client address (Config.TrustedProxies
// says which address that is). It holds in each server process: behind N
// instances a caller may send N times as much. The password checks have
// their own throttle, shared by every instance (see partners).
type RateLimit struct {
	// PerSecond is how many requests a bucket refills per second; negative
	// turns the limit off; 0 is DefaultRateLimit's.
	PerSecond float64
	// Burst is how many requests a full bucket holds (at least 1); 0 is
	// DefaultRateLimit's.
	Burst int
}

// DefaultRateLimit is generous: a browser page, a script or an import
// never meets it; a runaway loop does.
var DefaultRateLimit = RateLimit{PerSecond: 100, Burst: 1000}

// ParseRateLimit reads a rate limit written "100/s" or "100/s,1000" (per
// second, burst), or "off" (PARTNERKIT_RATE_LIMIT).
func ParseRateLimit(s string) (RateLimit, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return RateLimit{}, nil
	}
	if s == "off" {
		return RateLimit{PerSecond: -1}, nil
	}
	perSecond, burst, hasBurst := strings.Cut(s, ",")
	perSecond = strings.TrimSuffix(strings.TrimSpace(perSecond), "/s")
	var rl RateLimit
	var err error
	if rl.PerSecond, err = strconv.ParseFloat(perSecond, 64); err != nil || rl.PerSecond <= 0 || math.IsInf(rl.PerSecond, 0) {
		return RateLimit{}, partnerkit.Errorf(partnerkit.CodeInvalid, "rate limit %q: write requests per second, as 100/s or 100/s,1000 (burst), or off", s)
	}
	rl.Burst = int(math.Ceil(rl.PerSecond * 10))
	if hasBurst {
		if rl.Burst, err = strconv.Atoi(strings.TrimSpace(burst)); err != nil || rl.Burst < 1 {
			return RateLimit{}, partnerkit.Errorf(partnerkit.CodeInvalid, "rate limit %q: the burst must be a whole number of at least 1", s)
		}
	}
	return rl, nil
}

// limiter holds the buckets of the rate limit.
type limiter struct {
	limit   rate.Limit
	burst   int
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(rl RateLimit) *limiter {
	if rl.PerSecond < 0 {
		return nil
	}
	if rl.PerSecond == 0 {
		rl.PerSecond = DefaultRateLimit.PerSecond
	}
	if rl.Burst <= 0 {
		rl.Burst = max(DefaultRateLimit.Burst, int(math.Ceil(rl.PerSecond)))
	}
	return &limiter{limit: rate.Limit(rl.PerSecond), burst: rl.Burst, buckets: map[string]*bucket{}}
}

// take spends one request of key's bucket and returns whether it may go
// on, what is left, and the seconds until the bucket is full again and
// (when refused) until one request is allowed.
func (l *limiter) take(key string, now time.Time) (ok bool, remaining int, reset, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	ok = b.lim.AllowN(now, 1)
	tokens := b.lim.TokensAt(now)
	remaining = max(int(math.Floor(tokens)), 0)
	perToken := float64(time.Second) / float64(l.limit)
	reset = time.Duration((float64(l.burst) - tokens) * perToken)
	if !ok {
		retry = time.Duration((1 - tokens) * perToken)
	}
	return ok, remaining, reset, retry
}

// sweep forgets the buckets that have refilled: a forgotten bucket starts
// full, as it would be.
func (l *limiter) sweep(now time.Time) {
	full := time.Duration(float64(l.burst) / float64(l.limit) * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.seen) > full {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}

// rateKey is whose bucket a request spends: its API key's (hashed, never
// kept), else its client address's.
func (a *API) rateKey(r *http.Request) string {
	if key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && key != "" {
		sum := sha256.Sum256([]byte(key))
		return "key:" + hex.EncodeToString(sum[:12])
	}
	return "addr:" + a.clientAddress(r)
}

// limit applies the rate limit to a request: it sets the RateLimit headers
// and returns a rate_limited error, with the wait until a request is
// allowed, past the limit.
func (a *API) limit(w http.ResponseWriter, r *http.Request) error {
	if a.limiter == nil {
		return nil
	}
	ok, remaining, reset, retry := a.limiter.take(a.rateKey(r), time.Now())
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(a.limiter.burst))
	h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(reset.Seconds()))))
	if ok {
		return nil
	}
	return &partnerkit.Error{Code: partnerkit.CodeRateLimited, RetryAfter: max(retry, time.Second),
		Message: "too many requests: slow down and try again in a moment"}
}
