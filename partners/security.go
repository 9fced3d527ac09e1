package partners

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
)

// Limits of passwords, sessions and two-factor sign-in.
const (
	// PasswordResetTTL is how long a reset link works.
	PasswordResetTTL = time.Hour
	// ResetAnswerFloor is the least time RequestPasswordReset takes, so
	// that an email with a login and one without answer alike in time too
	// (see WithResetAnswerFloor).
	ResetAnswerFloor = 250 * time.Millisecond
	// ChallengeTTL is how long the second step of a two-factor sign-in may
	// follow the first.
	ChallengeTTL = 5 * time.Minute
	// MaxChallengeFailures wrong codes kill a sign-in challenge.
	MaxChallengeFailures = 5
	// RecoveryCodes is how many single-use recovery codes an enrolment gives.
	RecoveryCodes = 10
	// TOTPPeriod is the time step of the codes (RFC 6238's default); a
	// code of the step before or after the current one is accepted too.
	TOTPPeriod = 30 * time.Second
	// TOTPIssuer names the service in authenticator apps.
	TOTPIssuer = "Partnerkit"
	// PrefixSession is the ID prefix of sessions.
	PrefixSession = "SE"
	// maxUserAgent bounds the User-Agent stored with a session.
	maxUserAgent = 512
)

// securityConfig is the service's part for passwords, sessions and
// two-factor sign-in.
type securityConfig struct {
	mail        partnerkit.MailQueue
	mailStatus  MailStatus
	aead        cipher.AEAD // nil: secrets are stored as they are
	resetFloor  time.Duration
	floorIsZero bool
}

// WithSecretKey seals the TOTP secrets at rest with AES-256-GCM under key
// (32 bytes; the server reads it from PARTNERKIT_SECRET_KEY, or a key file
// it makes next to a SQLite database). Without it secrets are stored as
// they are, marked "plain:": they must be readable to verify codes, unlike
// passwords and tokens, which are hashed. With it, a plain secret written
// before the key existed still works and is sealed at its user's next
// code (or recovery code) or enrolment. A secret sealed under a key
// cannot be read without it: the codes of its user then fail as internal
// errors wrapping ErrNoSecretKey or ErrWrongSecretKey (recovery codes,
// which are hashed, still work); CheckSecretKey finds that at start. It
// panics on a key that is not 32 bytes.
func WithSecretKey(key []byte) Option {
	if len(key) != 32 {
		panic("partners.WithSecretKey: the key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return func(s *Service) { s.sec.aead = aead }
}

// WithResetAnswerFloor sets the least time RequestPasswordReset takes
// (ResetAnswerFloor by default; tests pass a small one).
func WithResetAnswerFloor(d time.Duration) Option {
	return func(s *Service) { s.sec.resetFloor, s.sec.floorIsZero = d, d == 0 }
}

func (c *securityConfig) floor() time.Duration {
	if c.resetFloor == 0 && !c.floorIsZero {
		return ResetAnswerFloor
	}
	return c.resetFloor
}

// sealSecret returns the stored form of a TOTP secret.
func (s *Service) sealSecret(secret string) string {
	if s.sec.aead == nil {
		return plainPrefix + secret
	}
	nonce := make([]byte, s.sec.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(s.sec.aead.Seal(nonce, nonce, []byte(secret), nil))
}

// The stored forms of a TOTP secret.
const (
	plainPrefix  = "plain:"
	sealedPrefix = "aesgcm:"
)

// The errors of a sealed TOTP secret that cannot be opened (wrapped in an
// internal error: the user sees none of it, the log does).
var (
	// ErrNoSecretKey: a secret is sealed, but the service has no key.
	ErrNoSecretKey = errors.New("partners: two-factor secrets are sealed, but the service has no secret key (WithSecretKey)")
	// ErrWrongSecretKey: a secret does not open with the service's key —
	// it was sealed under another one, or is damaged.
	ErrWrongSecretKey = errors.New("partners: a two-factor secret does not open with this secret key: it was sealed under another key, or is damaged")
)

// openSecret reads a stored TOTP secret.
func (s *Service) openSecret(stored string) (string, error) {
	if v, ok := strings.CutPrefix(stored, plainPrefix); ok {
		return v, nil
	}
	v, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return "", errors.New("partners: a two-factor secret of an unknown form")
	}
	if s.sec.aead == nil {
		return "", ErrNoSecretKey
	}
	raw, err := base64.RawStdEncoding.DecodeString(v)
	n := s.sec.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", ErrWrongSecretKey
	}
	plain, err := s.sec.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", ErrWrongSecretKey
	}
	return string(plain), nil
}

// resealPlain seals a user's secret that is stored plain when the service
// has a key (a secret written before the key existed), in the caller's
// transaction.
func (s *Service) resealPlain(ctx context.Context, tf *TwoFactor) error {
	plain, ok := strings.CutPrefix(tf.Secret, plainPrefix)
	if !ok || s.sec.aead == nil {
		return nil
	}
	return s.store.ResealTwoFactorSecret(ctx, tf.UserID, tf.Secret, s.sealSecret(plain))
}

// CheckSecretKey reports whether the two-factor secrets already sealed in
// the store open with the service's key (see WithSecretKey): nil when one
// of them opens (or none is sealed), an error wrapping ErrNoSecretKey or
// ErrWrongSecretKey when not. A server calls it at start, so that a wrong
// or missing key shows at once, not at a user's next sign-in.
func (s *Service) CheckSecretKey(ctx context.Context) error {
	const op = "partners.CheckSecretKey"
	stored, err := s.store.TwoFactorSecretLike(ctx, sealedPrefix)
	if err != nil || stored == "" {
		return partnerkit.WithOp(op, err)
	}
	if _, err := s.openSecret(stored); err != nil {
		return &partnerkit.Error{Code: partnerkit.CodeInternal, Op: op, Message: err.Error(), Err: err}
	}
	return nil
}

// errEnrolFirst refuses a session restricted to two-factor enrolment.
var errEnrolFirst = &partnerkit.Error{Code: partnerkit.CodeForbidden,
	Message: "your account requires two-factor sign-in: set it up first (POST /api/v1/me/two-factor), then confirm it with a code"}

// DeviceName turns a User-Agent into a short name for people: the browser
// and the system ("Firefox on Linux", "Safari on iOS"), "curl", or
// "Unknown device". Sessions show it, and a sign-in from a name the user
// never signed in from before is a new device.
func DeviceName(ua string) string {
	if strings.TrimSpace(ua) == "" {
		return "Unknown device"
	}
	l := strings.ToLower(ua)
	browser := ""
	for _, b := range []struct{ token, name string }{
		{"edg/", "Edge"}, {"opr/", "Opera"}, {"firefox/", "Firefox"}, {"fxios/", "Firefox"},
		{"crios/", "Chrome"}, {"chromium/", "Chromium"}, {"chrome/", "Chrome"}, {"safari/", "Safari"},
		{"curl/", "curl"}, {"go-http-client/", "Go program"}, {"python", "Python program"},
	} {
		if strings.Contains(l, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, o := range []struct{ token, name string }{
		{"iphone", "iOS"}, {"ipad", "iOS"}, {"android", "Android"}, {"windows", "Windows"},
		{"mac os x", "macOS"}, {"macintosh", "macOS"}, {"cros", "ChromeOS"}, {"linux", "Linux"},
	} {
		if strings.Contains(l, o.token) {
			system = o.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case system != "":
		return "Browser on " + system
	}
	return "Unknown device"
}

// cleanHeader makes a header value fit to store: valid UTF-8 without
// control characters (no store sees a NUL), at most n bytes.
func cleanHeader(v string, n int) string {
	v = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(v, ""))
	if len(v) > n {
		v = strings.ToValidUTF8(v[:n], "")
	}
	return v
}
