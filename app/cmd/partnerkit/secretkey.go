//go:build !js

package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
)

// The key that seals two-factor (TOTP) secrets at rest
// (partners.WithSecretKey), in this order:
//
//   - PARTNERKIT_SECRET_KEY: 32 bytes written as 64 hex digits or in
//     base64 (standard or URL alphabet, padded or not: `openssl rand
//     -base64 32`); anything else is refused at start, naming the
//     variable and never echoing the value. Environment only — no flag —
//     so that the key stays out of the process list. Every instance on one
//     database needs the same key.
//   - else, on SQLite, the key file next to the database
//     (<database>.secret-key, mode 0600, the key in base64), made with a
//     random key at the first start: secrets are sealed by default. Its
//     path is logged, the key never. Back it up with the database: without
//     it two-factor codes cannot be checked (recovery codes, stored hashed,
//     still work).
//   - else (PostgreSQL, or an in-memory SQLite database) secrets are
//     stored unsealed — PostgreSQL logs a warning saying so at start; an
//     in-memory database gets a random key that lives as long as the
//     process.
//
// Secrets stored before a key existed keep working and are sealed when
// next used; at start the server checks that the sealed secrets open with
// the key (partners.Service.CheckSecretKey) and logs an error when not.

// secretKeyVar is the setting of the key.
const secretKeyVar = "PARTNERKIT_SECRET_KEY"

// secretKeySuffix names the key file: the database file's path plus it.
const secretKeySuffix = ".secret-key"

// parseSecretKey reads a key of 32 bytes written as 64 hex digits or in
// base64; what names the setting (or file) in the error, which never
// holds the value.
func parseSecretKey(what, v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if len(v) == 64 {
		if b, err := hex.DecodeString(v); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s: want a key of 32 bytes written as 64 hex digits or in base64 "+
		"(make one with `openssl rand -base64 32`); the %d characters given are neither", what, len(v))
}

// secretKeyFile is the key file of a SQLite database, "" for PostgreSQL
// and for an in-memory database.
func secretKeyFile(dsn string) string {
	if sqldb.IsPostgresDSN(dsn) {
		return ""
	}
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == "" || path == ":memory:" || strings.Contains(query, "mode=memory") {
		return ""
	}
	return path + secretKeySuffix
}

// secretKey returns the key of the server (see above), logging where it
// comes from; nil means secrets are stored unsealed.
func secretKey(cfg config, logger *slog.Logger) ([]byte, error) {
	if cfg.secretKey != nil {
		logger.Info("two-factor secrets sealed with " + secretKeyVar)
		return cfg.secretKey, nil
	}
	if sqldb.IsPostgresDSN(cfg.db) {
		logger.Warn("two-factor secrets are stored unsealed: set " + secretKeyVar +
			" (32 bytes as base64 or hex, such as `openssl rand -base64 32` prints; the same on every instance) to seal them")
		return nil, nil
	}
	path := secretKeyFile(cfg.db)
	if path == "" {
		logger.Info("in-memory database: two-factor secrets sealed with a key that lives as long as the process")
		return newKey(), nil
	}
	key, created, err := keyFile(path)
	if err != nil {
		return nil, err
	}
	logger.Info("two-factor secrets sealed with the key file (back it up with the database; or set "+secretKeyVar+")",
		"path", path, "created", created)
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		logger.Warn("the key file can be read by other users of this machine: chmod 600 it", "path", path, "mode", st.Mode().Perm().String())
	}
	return key, nil
}

// newKey returns 32 random bytes.
func newKey() []byte {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24)
	return key
}

// keyFile reads the key file at path, or makes it (mode 0600, a random
// key in base64) when there is none. An instance starting at the same
// time cannot replace it: the file is created exclusively, and a reader
// that finds it empty waits for its writer.
func keyFile(path string) (key []byte, created bool, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		key = newKey()
		_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return nil, false, fmt.Errorf("write the key file %s: %w", path, err)
		}
		return key, true, nil
	case !errors.Is(err, fs.ErrExist):
		return nil, false, fmt.Errorf("make the key file %s of the two-factor secrets (or set %s): %w", path, secretKeyVar, err)
	}
	for range 50 {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, false, fmt.Errorf("read the key file %s: %w", path, err)
		}
		if len(strings.TrimSpace(string(b))) > 0 {
			key, err := parseSecretKey("the key file "+path, string(b))
			return key, false, err
		}
		time.Sleep(20 * time.Millisecond) // being written by another instance
	}
	return nil, false, fmt.Errorf("the key file %s is empty: remove it to make a new key, or restore it from a backup", path)
}

// checkSecretKey logs an error when the sealed two-factor secrets of the
// database do not open with the server's key: their users' codes fail
// until the right key is back (recovery codes still work).
func checkSecretKey(ctx context.Context, svc *partners.Service, cfg config, logger *slog.Logger) {
	err := svc.CheckSecretKey(ctx)
	if err == nil {
		return
	}
	source := secretKeyVar
	if cfg.secretKey == nil {
		source = "the key file " + secretKeyFile(cfg.db)
		if sqldb.IsPostgresDSN(cfg.db) {
			source = "no key (" + secretKeyVar + " is unset)"
		}
	}
	logger.Error("two-factor secrets in the database do not open with "+source+
		": users with two-factor sign-in can sign in only with recovery codes until the key they were sealed with is back", "err", err)
}
