package partners

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/partnerkit/partnerkit/partners/rules"
	"golang.org/x/crypto/argon2"
)

// Password policy (see rules.CheckPasswordPolicy, which the PWA calls too).
const (
	MinPasswordLength = rules.MinPasswordLength
	MaxPasswordLength = rules.MaxPasswordLength
)

// CheckPasswordPolicy returns an invalid error naming "password" unless pw
// has 8 to 128 characters, at least 3 of the 4 classes (lower case, upper
// case, digit, symbol) and is not one of the 10,000 most common passwords
// (IsCommonPassword). Every password that is set goes through it.
func CheckPasswordPolicy(pw string) error { return checkNewPassword("password", pw) }

// PasswordHasher hashes passwords with argon2id. The parameters are stored in
// each hash, so a hash made with other parameters still verifies.
type PasswordHasher struct {
	// Time is the number of passes.
	Time uint32
	// MemoryKiB is the memory cost in KiB.
	MemoryKiB uint32
	// Threads is the parallelism.
	Threads uint8
}

// DefaultPasswordHasher follows OWASP's argon2id minimum (19 MiB, 2 passes).
var DefaultPasswordHasher = PasswordHasher{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

const argonKeyLen = 32

// Hash returns an encoded argon2id hash of pw with a random salt.
func (h PasswordHasher) Hash(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, h.Time, h.MemoryKiB, h.Threads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.MemoryKiB, h.Time, h.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether pw matches the encoded hash.
func (PasswordHasher) Verify(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
