//go:build !js

package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/pquerna/otp/totp"
)

func TestParseSecretKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xa5, 0x3c}, 16)
	for _, c := range []struct{ name, in string }{
		{"Hex", hex.EncodeToString(key)},
		{"HexUpper", strings.ToUpper(hex.EncodeToString(key))},
		{"Base64", base64.StdEncoding.EncodeToString(key)},
		{"Base64Raw", base64.RawStdEncoding.EncodeToString(key)},
		{"Base64URL", base64.URLEncoding.EncodeToString(key)},
		{"Spaces", " " + base64.StdEncoding.EncodeToString(key) + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseSecretKey(secretKeyVar, c.in)
			if err != nil || !bytes.Equal(got, key) {
				t.Fatalf("parseSecretKey(%q) = %x, %v", c.in, got, err)
			}
		})
	}
	for _, c := range []struct{ name, in string }{
		{"Short", base64.StdEncoding.EncodeToString(key[:16])},
		{"Long", base64.StdEncoding.EncodeToString(append(key, 1))},
		{"HexShort", hex.EncodeToString(key[:31])},
		{"Passphrase", "correct horse battery staple, and then some more words"},
		{"NotHex", strings.Repeat("zz", 32)},
	} {
		t.Run("Refuses"+c.name, func(t *testing.T) {
			_, err := parseSecretKey(secretKeyVar, c.in)
			if err == nil || !strings.Contains(err.Error(), "PARTNERKIT_SECRET_KEY") || !strings.Contains(err.Error(), "32 bytes") ||
				!strings.Contains(err.Error(), "hex") || !strings.Contains(err.Error(), "base64") {
				t.Fatalf("parseSecretKey(%q): %v", c.in, err)
			}
			if strings.Contains(err.Error(), c.in) {
				t.Fatalf("the error echoes the value: %v", err)
			}
		})
	}
}

func TestParseConfigSecretKey(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	c, err := parseConfig(nil, getenv)
	if err != nil || c.secretKey != nil {
		t.Fatalf("unset: %x %v", c.secretKey, err)
	}
	env[secretKeyVar] = hex.EncodeToString(bytes.Repeat([]byte{9}, 32))
	if c, err = parseConfig(nil, getenv); err != nil || !bytes.Equal(c.secretKey, bytes.Repeat([]byte{9}, 32)) {
		t.Fatalf("hex: %x %v", c.secretKey, err)
	}
	env[secretKeyVar] = "s3cret-but-not-a-key"
	if _, err = parseConfig(nil, getenv); err == nil || !strings.Contains(err.Error(), secretKeyVar) || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("a bad key: %v", err)
	}
	if _, err := parseConfig([]string{"-secret-key", "x"}, getenv); err == nil {
		t.Fatal("a -secret-key flag: the key belongs in the environment only")
	}
}

func TestSecretKeyFile(t *testing.T) {
	for dsn, want := range map[string]string{
		"partnerkit.db":                       "partnerkit.db.secret-key",
		"/var/lib/pk/pk.db":                   "/var/lib/pk/pk.db.secret-key",
		"file:/var/lib/pk/pk.db?_pragma=x":    "/var/lib/pk/pk.db.secret-key",
		":memory:":                            "",
		"file:pk?mode=memory&cache=shared":    "",
		"postgres://u@localhost/partnerkit":   "",
		"postgresql://u@localhost/partnerkit": "",
	} {
		if got := secretKeyFile(dsn); got != want {
			t.Errorf("secretKeyFile(%q) = %q, want %q", dsn, got, want)
		}
	}
}

// The key file is made once, 0600, and read again; a damaged one is
// refused naming its path, never showing its content.
func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pk.db.secret-key")
	key, created, err := keyFile(path)
	if err != nil || !created || len(key) != 32 {
		t.Fatalf("make: %x %v %v", key, created, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v (%v)", st.Mode(), err)
	}
	again, created, err := keyFile(path)
	if err != nil || created || !bytes.Equal(again, key) {
		t.Fatalf("read: %x %v %v", again, created, err)
	}
	if err := os.WriteFile(path, []byte("damaged-key-text\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = keyFile(path)
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "damaged-key-text") {
		t.Fatalf("damaged: %v", err)
	}
	_, _, err = keyFile(filepath.Join(t.TempDir(), "no-such-dir", "pk.db.secret-key"))
	if err == nil || !strings.Contains(err.Error(), secretKeyVar) {
		t.Fatalf("unwritable: %v", err)
	}
}

// enrolTwoFactor signs in to a server as boss@example.com, turns
// two-factor sign-in on, and returns the TOTP secret.
func enrolTwoFactor(t *testing.T, base string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path, body string, out any) {
		t.Helper()
		res, err := c.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			t.Fatalf("POST %s: %d %s", path, res.StatusCode, data)
		}
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				t.Fatal(err)
			}
		}
	}
	post("/api/v1/session", `{"email":"boss@example.com","password":"Sup3r-secret"}`, nil)
	var en struct{ Secret string }
	post("/api/v1/me/two-factor", `{}`, &en)
	code, err := totp.GenerateCode(en.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	post("/api/v1/me/two-factor/confirm", fmt.Sprintf(`{"code":%q}`, code), nil)
	return en.Secret
}

// storedSecrets are the two_factor rows' stored secrets.
func storedSecrets(t *testing.T, dsn string) []string {
	t.Helper()
	db, err := sqldb.OpenNoMigrate(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	if err := db.NewSelect().Table("two_factor").Column("secret").Scan(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The server seals two-factor secrets by default on SQLite (a key file
// next to the database, its path logged, the key never), reuses the key
// at the next start, and says at start when the secrets do not open with
// the key given.
func TestServerSealsTwoFactorSecrets(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "pk.db")
	env := map[string]string{"PARTNERKIT_DB": dsn, "PARTNERKIT_ADMIN_EMAIL": "boss@example.com", "PARTNERKIT_ADMIN_PASSWORD": "Sup3r-secret"}
	addr, out, stop := startStoppable(t, env)
	secret := enrolTwoFactor(t, "http://"+addr)
	stop()

	keyPath := dsn + secretKeySuffix
	raw, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatalf("no key file: %v\n%s", err, out)
	}
	if st, _ := os.Stat(keyPath); st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", st.Mode())
	}
	key := strings.TrimSpace(string(raw))
	if !strings.Contains(out.String(), keyPath) || strings.Contains(out.String(), key) {
		t.Fatalf("the log should name the key file and never hold the key:\n%s", out)
	}
	secrets := storedSecrets(t, dsn)
	if len(secrets) != 1 || !strings.HasPrefix(secrets[0], "aesgcm:") || strings.Contains(secrets[0], secret) {
		t.Fatalf("stored %q", secrets)
	}

	// The next start reads the same key: the secrets open, nothing is said.
	_, out = startServer(t, env)
	if strings.Contains(out.String(), "do not open") || !strings.Contains(out.String(), "created=false") {
		t.Fatalf("second start:\n%s", out)
	}

	// Another key: the server says so at start, naming the setting.
	wrong := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32))
	env[secretKeyVar] = wrong
	_, out = startServer(t, env)
	if !strings.Contains(out.String(), "do not open with PARTNERKIT_SECRET_KEY") || strings.Contains(out.String(), wrong) {
		t.Fatalf("wrong key:\n%s", out)
	}
}

// On PostgreSQL the key comes from PARTNERKIT_SECRET_KEY only; without it
// the server warns once that the secrets are stored unsealed.
func TestServerSecretKeyPostgres(t *testing.T) {
	dsn := testdb.CreatePostgresDatabase(t, testdb.PostgresDSN(t))
	t.Chdir(t.TempDir()) // the .eml folder of a server on PostgreSQL is the working directory's
	env := map[string]string{"PARTNERKIT_DB": dsn, "PARTNERKIT_ADMIN_EMAIL": "boss@example.com", "PARTNERKIT_ADMIN_PASSWORD": "Sup3r-secret"}
	addr, out, stop := startStoppable(t, env)
	secret := enrolTwoFactor(t, "http://"+addr)
	stop()
	if n := strings.Count(out.String(), "two-factor secrets are stored unsealed"); n != 1 {
		t.Fatalf("%d warnings about unsealed secrets:\n%s", n, out)
	}
	if s := storedSecrets(t, dsn); len(s) != 1 || s[0] != "plain:"+secret {
		t.Fatalf("stored %q", s)
	}

	// With a key, the plain secret still signs in, and is sealed by it.
	key := hex.EncodeToString(bytes.Repeat([]byte{5}, 32))
	env[secretKeyVar] = key
	addr, out = startServer(t, env)
	if strings.Contains(out.String(), "unsealed") || strings.Contains(out.String(), key) {
		t.Fatalf("with a key:\n%s", out)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Post("http://"+addr+"/api/v1/session", "application/json",
		strings.NewReader(`{"email":"boss@example.com","password":"Sup3r-secret"}`))
	if err != nil || res.StatusCode != http.StatusAccepted {
		t.Fatalf("first step: %v %v", err, res)
	}
	var ch struct{ Challenge string }
	_ = json.NewDecoder(res.Body).Decode(&ch)
	res.Body.Close()
	code, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second)) // the enrolment used this step's
	res, err = c.Post("http://"+addr+"/api/v1/session/two-factor", "application/json",
		strings.NewReader(fmt.Sprintf(`{"challenge":%q,"code":%q}`, ch.Challenge, code)))
	if err != nil || res.StatusCode != http.StatusCreated {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("second step: %v %v %s", err, res, body)
	}
	res.Body.Close()
	if s := storedSecrets(t, dsn); len(s) != 1 || !strings.HasPrefix(s[0], "aesgcm:") || strings.Contains(s[0], secret) {
		t.Fatalf("after a sign-in with the key: %q", s)
	}
}

// startStoppable is startServer with a stop that returns once the server
// has shut down.
func startStoppable(t *testing.T, env map[string]string) (addr string, out *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	out = &syncBuffer{}
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, out, ready)
	}()
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("server stopped: %v\n%s", err, out)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("server did not start")
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("shutdown: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return addr, out, stop
}

// TestReadmeListsEverySetting: the README's table of environment
// variables names every PARTNERKIT_ setting the server reads, and no
// other.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "### Environment variables")
	if !ok {
		t.Fatal(`README has no "### Environment variables"`)
	}
	name := regexp.MustCompile("`(PARTNERKIT_[A-Z_]+)`")
	var listed []string
	for _, line := range strings.Split(table, "\n") {
		if first, _, ok := strings.Cut(strings.TrimPrefix(line, "|"), "|"); ok && strings.HasPrefix(line, "| `PARTNERKIT_") {
			for _, m := range name.FindAllStringSubmatch(first, -1) {
				listed = append(listed, m[1])
			}
		}
	}
	var read []string
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"(PARTNERKIT_[A-Z_]+)"`).FindAllStringSubmatch(string(src), -1) {
			read = append(read, m[1])
		}
	}
	slices.Sort(listed)
	slices.Sort(read)
	listed, read = slices.Compact(listed), slices.Compact(read)
	if !slices.Equal(listed, read) {
		t.Fatalf("README's environment table lists %v;\nthe server reads %v", listed, read)
	}
}
