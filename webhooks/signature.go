package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Sign returns the Partnerkit-Signature header of body sent at t: the
// timestamp and one v1 signature per secret (during a rotation's overlap a
// receiver holding either secret can check it).
//
//	t=1767225600,v1=5257a869…,v1=9d3c…
func Sign(body []byte, t time.Time, secrets ...string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(ts)
	for _, s := range secrets {
		b.WriteString(",v1=")
		b.WriteString(signature(s, ts, body))
	}
	return b.String()
}

func signature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Errors of Verify.
var (
	ErrNoSignature      = errors.New("webhooks: no valid Partnerkit-Signature header")
	ErrSignatureExpired = errors.New("webhooks: the signature's timestamp is outside the tolerance")
	ErrSignatureInvalid = errors.New("webhooks: no signature matches the secret")
)

// Verify checks a delivery a receiver got: header is its
// Partnerkit-Signature, body the raw request body, secret the endpoint's
// signing secret. It fails when the header is malformed, when its
// timestamp is further than tolerance from now (a replayed request; 0
// means DefaultTolerance), or when no v1 signature matches. Comparisons
// run in constant time.
//
//	if err := webhooks.Verify(secret, r.Header.Get(webhooks.SignatureHeader), body, 0); err != nil {
//		http.Error(w, "bad signature", http.StatusBadRequest)
//		return
//	}
func Verify(secret, header string, body []byte, tolerance time.Duration) error {
	return verifyAt(secret, header, body, tolerance, time.Now())
}

func verifyAt(secret, header string, body []byte, tolerance time.Duration, now time.Time) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !ok:
			return ErrNoSignature
		case k == "t":
			ts = v
		case k == "v1":
			sigs = append(sigs, v)
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return ErrSignatureExpired
	}
	want := []byte(signature(secret, ts, body))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			return nil
		}
	}
	return ErrSignatureInvalid
}

// newSecret returns a new signing secret: "whsec_" and 32 random bytes.
func newSecret() string {
	b := make([]byte, secretRandomBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return secretPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// hint returns the end of a secret, to tell secrets apart.
func hint(secret string) string {
	if len(secret) < 4 {
		return ""
	}
	return "…" + secret[len(secret)-4:]
}
