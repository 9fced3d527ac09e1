package partners

import (
	"context"
	"math"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/partnerkit/partnerkit"
)

// Password-check throttling. Every password check — sign-in, accepting a
// team invitation with an existing login, a password change — counts an
// attempt under three keys before the hash runs:
//
//   - the (email, address) pair: PairAttempts per PairWindow, then that
//     pair waits for the window to end;
//   - the address: AddressAttempts per AddressWindow, then the address
//     waits (high enough for the people behind one proxy or NAT);
//   - the email: EmailFreeAttempts per EmailWindow, then every further
//     attempt must wait a delay that doubles from one second up to
//     EmailMaxDelay after the previous one — the account slows down for
//     everyone but is never locked, so a stranger cannot lock a user out,
//     and an attacker with many addresses gets a bounded number of guesses
//     per hour at one email.
//
// A refused attempt is not counted, so hammering a key does not push its
// window further. A successful check clears the pair and the email and
// gives the address its attempt back.
const (
	PairAttempts      = 5
	PairWindow        = 15 * time.Minute
	AddressAttempts   = 30
	AddressWindow     = 15 * time.Minute
	EmailFreeAttempts = 10
	EmailWindow       = time.Hour
	EmailMaxDelay     = 5 * time.Minute
)

// throttleKind is one of the three keys an attempt counts under.
type throttleKind int

const (
	throttlePair throttleKind = iota
	throttleAddress
	throttleEmail
)

// throttleKey names the count of an attempt under one kind of key.
type throttleKey struct {
	kind throttleKind
	key  string
}

func throttleKeys(email, address string) []throttleKey {
	keys := []throttleKey{}
	if address != "" {
		keys = append(keys, throttleKey{throttlePair, "pair:" + email + "|" + address}, throttleKey{throttleAddress, "addr:" + address})
	}
	return append(keys, throttleKey{throttleEmail, "email:" + email})
}

// window returns the counting window of a kind of key.
func (k throttleKind) window() time.Duration {
	switch k {
	case throttlePair:
		return PairWindow
	case throttleAddress:
		return AddressWindow
	}
	return EmailWindow
}

// emailDelay is how long the n-th attempt of an email's window waits after
// the previous one: nothing up to EmailFreeAttempts, then 1 s, 2 s, 4 s …
// up to EmailMaxDelay.
func emailDelay(n int) time.Duration {
	over := n - EmailFreeAttempts
	if over <= 0 {
		return 0
	}
	if over > 20 {
		return EmailMaxDelay
	}
	return min(time.Duration(1<<(over-1))*time.Second, EmailMaxDelay)
}

// admit decides one more attempt under k from its stored count f (nil:
// none) at now. It returns the count to store, or how long to wait when
// the attempt is refused.
func (k throttleKey) admit(f *LoginFailures, now time.Time) (next *LoginFailures, wait time.Duration) {
	cur := LoginFailures{Key: k.key, WindowStart: now}
	if f != nil {
		cur = *f
		if !now.Before(f.WindowStart.Add(k.kind.window())) {
			cur.Failures, cur.WindowStart, cur.LockedUntil = 0, now, nil // a new window
		}
	}
	switch k.kind {
	case throttlePair, throttleAddress:
		limit := PairAttempts
		if k.kind == throttleAddress {
			limit = AddressAttempts
		}
		if cur.Failures >= limit {
			return nil, cur.WindowStart.Add(k.kind.window()).Sub(now)
		}
	case throttleEmail:
		if cur.LockedUntil != nil && now.Before(*cur.LockedUntil) {
			return nil, cur.LockedUntil.Sub(now)
		}
	}
	cur.Failures++
	if f != nil {
		cur.Seq = f.Seq + 1
	} else {
		cur.Seq = 1
	}
	if k.kind == throttleEmail {
		if d := emailDelay(cur.Failures + 1); d > 0 {
			until := now.Add(d)
			cur.LockedUntil = &until
		}
	}
	return &cur, 0
}

// maxSwapTries bounds the compare-and-swap retries of one count; losing
// that many races in a row means a flood, answered as busy.
const maxSwapTries = 32

// swapCount applies change to the stored count of key until the
// compare-and-swap holds. change returns the count to store, or nil to
// stop with err (nil err: nothing to do).
func (s *Service) swapCount(ctx context.Context, key string, change func(f *LoginFailures) (*LoginFailures, error)) error {
	for range maxSwapTries {
		f, err := s.store.GetLoginFailures(ctx, key)
		if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
			f, err = nil, nil
		}
		if err != nil {
			return err
		}
		next, err := change(f)
		if next == nil || err != nil {
			return err
		}
		ok, err := s.store.SwapLoginFailures(ctx, f, next)
		if err != nil || ok {
			return err
		}
	}
	return busy()
}

func busy() error {
	return &partnerkit.Error{Code: partnerkit.CodeUnavailable, RetryAfter: time.Second,
		Message: "too many sign-ins at once: try again in a moment"}
}

// checkPassword is the one way a password is checked. It counts the
// attempt under the email, the address and both (see PairAttempts), runs
// check in a password-hash slot, and settles the counts: a success clears
// them, a failure keeps them. It returns rate_limited (with RetryAfter)
// when a count refuses the attempt, unavailable when no hash slot frees
// up in time, and unauthorized with bad's message when check fails.
func (s *Service) checkPassword(ctx context.Context, email, address string, check func() bool, bad *partnerkit.Error) error {
	return s.throttled(ctx, throttleKeys(email, address), check, bad, true)
}

// throttled counts an attempt under keys, runs check in a hash slot and,
// when it succeeds and settle is set, clears the counts (an address gets
// its attempt back). A success that is only a first step (the password of
// a two-factor sign-in) does not settle: the counts stay until the code.
func (s *Service) throttled(ctx context.Context, keys []throttleKey, check func() bool, bad *partnerkit.Error, settle bool) error {
	counted, err := s.admit(ctx, keys)
	if err != nil {
		return err
	}
	ok, err := s.inHashSlot(ctx, check)
	if err != nil {
		s.refund(ctx, counted)
		return err
	}
	if !ok {
		return bad
	}
	if !settle {
		return nil
	}
	return s.settle(ctx, counted)
}

// admit counts one attempt under every key, or, when a count refuses it,
// gives the others back and returns rate_limited with the time to wait.
func (s *Service) admit(ctx context.Context, keys []throttleKey) ([]throttleKey, error) {
	now := s.clock.Now()
	var counted []throttleKey
	for _, k := range keys {
		var wait time.Duration
		err := s.swapCount(ctx, k.key, func(f *LoginFailures) (*LoginFailures, error) {
			next, w := k.admit(f, now)
			wait = w
			return next, nil
		})
		if err == nil && wait > 0 {
			err = &partnerkit.Error{Code: partnerkit.CodeRateLimited, RetryAfter: wait,
				Message: "too many failed sign-ins: try again in " + waitText(wait)}
		}
		if err != nil {
			s.refund(ctx, counted)
			return nil, err
		}
		counted = append(counted, k)
	}
	return counted, nil
}

// refund gives back the attempts of a check that did not run.
func (s *Service) refund(ctx context.Context, counted []throttleKey) {
	for _, k := range counted {
		_ = s.giveBack(ctx, k.key)
	}
}

// settle clears the counts of a successful check: the pair and the email
// start again; the address, shared with others, gets its attempt back.
func (s *Service) settle(ctx context.Context, counted []throttleKey) error {
	for _, k := range counted {
		if k.kind == throttleAddress {
			_ = s.giveBack(ctx, k.key)
		} else if err := s.store.DeleteLoginFailures(ctx, k.key); err != nil && partnerkit.ErrorCode(err) != partnerkit.CodeNotFound {
			return err
		}
	}
	return nil
}

// giveBack takes one attempt off a count (a check that did not run, or a
// success under an address shared with others).
func (s *Service) giveBack(ctx context.Context, key string) error {
	return s.swapCount(ctx, key, func(f *LoginFailures) (*LoginFailures, error) {
		if f == nil || f.Failures == 0 {
			return nil, nil
		}
		next := *f
		next.Failures--
		next.Seq = f.Seq + 1
		return &next, nil
	})
}

func waitText(d time.Duration) string {
	n, unit := int(math.Ceil(d.Seconds())), "second"
	if d >= time.Minute {
		n, unit = int(math.Ceil(d.Minutes())), "minute"
	}
	if n != 1 {
		unit += "s"
	}
	return strconv.Itoa(n) + " " + unit
}

// DefaultPasswordSlots is how many password hashes run at once by default:
// a quarter of the Go memory limit (GOMEMLIMIT) or 256 MiB when none is
// set, divided by the memory one hash of DefaultPasswordHasher takes.
func DefaultPasswordSlots(h PasswordHasher) int {
	budget := int64(256 << 20)
	if limit := debug.SetMemoryLimit(-1); limit > 0 && limit < math.MaxInt64 {
		budget = limit / 4
	}
	per := max(int64(h.MemoryKiB)*1024, 1)
	return int(max(budget/per, 1))
}

// DefaultPasswordWait is how long a password check waits for a hash slot
// before the service answers unavailable.
const DefaultPasswordWait = 2 * time.Second

// WithPasswordSlots bounds how many password hashes run at once and how
// long a check waits for a free slot before it is refused as unavailable.
func WithPasswordSlots(n int, wait time.Duration) Option {
	return func(s *Service) { s.slots, s.slotWait = make(chan struct{}, max(n, 1)), wait }
}

// inHashSlot runs fn (a password hash or check) once a hash slot is free.
func (s *Service) inHashSlot(ctx context.Context, fn func() bool) (bool, error) {
	timer := time.NewTimer(s.slotWait)
	defer timer.Stop()
	select {
	case s.slots <- struct{}{}:
	case <-timer.C:
		return false, busy()
	case <-ctx.Done():
		return false, partnerkit.WithOp("partners.password", ctx.Err())
	}
	defer func() { <-s.slots }()
	return fn(), nil
}

// hashPassword hashes a new password in a hash slot.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	var hash string
	_, err := s.inHashSlot(ctx, func() bool { hash = s.hasher.Hash(password); return true })
	return hash, err
}
