//go:build !js

package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/sqldb"
)

// runCommand runs `partnerkit args...` in-process with env as the
// environment and stdin as standard input.
func runCommand(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := command(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out)
	return out.String(), err
}

func mustRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	out, err := runCommand(t, env, "", args...)
	if err != nil {
		t.Fatalf("partnerkit %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func TestVersion(t *testing.T) {
	out := mustRun(t, nil, "version")
	if !strings.HasPrefix(out, "partnerkit dev\n") || !strings.Contains(out, "module  github.com/partnerkit/partnerkit") ||
		!strings.Contains(out, "go      go1.") {
		t.Fatalf("version:\n%s", out)
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		if out := mustRun(t, nil, args...); !strings.Contains(out, "migrate status") || !strings.Contains(out, "create-admin") {
			t.Errorf("%v:\n%s", args, out)
		}
	}
}

// TestVersionStamped builds the binary with the version stamped as make
// build does (without -trimpath, so that the test build's cache serves)
// and runs it.
func TestVersionStamped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "partnerkit")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7-test", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "partnerkit v9.8.7-test\n") {
		t.Fatalf("version: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "no-such-command").CombinedOutput()
	if err == nil || !strings.Contains(string(out), `unknown command "no-such-command"`) || !strings.Contains(string(out), "migrate status") {
		t.Fatalf("unknown command: %v\n%s", err, out)
	}
}

func TestMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pk.db")
	env := map[string]string{"PARTNERKIT_DB": path}

	if out, err := runCommand(t, env, "", "migrate", "status"); err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Fatalf("status of a missing file: %v\n%s", err, out)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("migrate status created the database file")
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	before := mustRun(t, env, "migrate", "status")
	if !strings.Contains(before, "Partnerkit (partnerkit_migrations): 0 applied, ") || strings.Contains(before, ", 0 pending") ||
		!strings.Contains(before, "  pending  20261120000001") || !strings.Contains(before, "  pending  001 create river migration") ||
		!strings.Contains(before, "partnerkit migrate up") {
		t.Fatalf("status before:\n%s", before)
	}
	up := mustRun(t, env, "migrate", "up")
	if !strings.Contains(up, "applied  partnerkit 20261120000001") || !strings.Contains(up, "applied  river 001") ||
		!strings.Contains(up, "the schema is up to date") {
		t.Fatalf("migrate up:\n%s", up)
	}
	after := mustRun(t, env, "migrate", "status", "-db", path)
	if strings.Contains(after, "pending  ") || strings.Count(after, ", 0 pending") != 2 || strings.Contains(after, "migrate up") {
		t.Fatalf("status after:\n%s", after)
	}
	if again := mustRun(t, env, "migrate", "up"); !strings.Contains(again, "nothing to apply") {
		t.Fatalf("migrate up again:\n%s", again)
	}
	if out, err := runCommand(t, env, "", "migrate", "sideways"); err == nil {
		t.Fatalf("migrate sideways: no error\n%s", out)
	}
}

// TestNewerSchemaRefused: a database that a newer version migrated (a
// Partnerkit step or a River version this binary does not know) is refused
// by the server and by migrate up, naming the migrations; status lists them.
func TestNewerSchemaRefused(t *testing.T) {
	tests := []struct {
		name, insert, want string
	}{
		{"Partnerkit", "INSERT INTO partnerkit_migrations (name, group_id, migrated_at) VALUES ('29990101000001', 99, CURRENT_TIMESTAMP)",
			"partnerkit 29990101000001"},
		{"River", "INSERT INTO river_migration (line, version) VALUES ('main', 999)", "river 999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pk.db")
			env := map[string]string{"PARTNERKIT_DB": path}
			mustRun(t, env, "migrate", "up")
			db, err := sqldb.OpenNoMigrate(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.DB.Exec(tt.insert); err != nil {
				t.Fatal(err)
			}
			db.Close()

			err = run(context.Background(), []string{"-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, io.Discard, nil)
			if !errors.Is(err, ErrSchemaNewer) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serve: %v: want ErrSchemaNewer naming %s", err, tt.want)
			}
			if out, err := runCommand(t, env, "", "migrate", "up"); !errors.Is(err, ErrSchemaNewer) {
				t.Fatalf("migrate up: %v\n%s", err, out)
			}
			status := mustRun(t, env, "migrate", "status")
			if !strings.Contains(status, "1 unknown") || !strings.Contains(status, "(applied by a newer version)") {
				t.Fatalf("status:\n%s", status)
			}
		})
	}
}

// TestBackup copies a live SQLite database while the server writes to it:
// the copy opens, passes SQLite's integrity check and has the data
// committed before the backup.
func TestBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pk.db")
	env := map[string]string{"PARTNERKIT_DB": path, "PARTNERKIT_ADMIN_EMAIL": "boss@example.com", "PARTNERKIT_ADMIN_PASSWORD": "Sup3r-secret"}
	addr, _ := startServer(t, env)
	base := "http://" + addr
	client := signedIn(t, base)
	if res := call(t, client, http.MethodPost, base+"/api/v1/partners", map[string]string{"type": "vendor", "name": "Before Backup"}); res.StatusCode != http.StatusCreated {
		t.Fatalf("create partner: %d", res.StatusCode)
	}
	// Writes go on during the backup.
	stop := make(chan struct{})
	var writes atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			b, _ := json.Marshal(map[string]string{"type": "vendor", "name": fmt.Sprintf("During %d", i)})
			res, err := client.Post(base+"/api/v1/partners", "application/json", bytes.NewReader(b))
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusCreated {
					writes.Add(1)
				}
			}
		}
	})
	time.Sleep(50 * time.Millisecond)
	target := filepath.Join(dir, "copy.db")
	out, err := runCommand(t, env, "", "backup", target)
	close(stop)
	wg.Wait()
	if err != nil || !strings.Contains(out, "Backed up") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if writes.Load() == 0 {
		t.Error("no write ran during the backup")
	}
	if _, err := os.Stat(target + ".partial"); err == nil {
		t.Error("the partial file was left behind")
	}

	// The copy is a whole Partnerkit database: it opens, is up to date,
	// and a server runs on it with the data.
	copyDB, err := sqldb.OpenNoMigrate(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	var check string
	if err := copyDB.DB.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	st, err := sqldb.MigrationStatus(context.Background(), copyDB)
	if err != nil || !st.UpToDate() {
		t.Fatalf("the copy's schema: %+v %v", st, err)
	}
	var n int
	if err := copyDB.DB.QueryRow("SELECT count(*) FROM accounts WHERE name = 'Before Backup'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("the copy has %d partners named Before Backup (%v): want 1", n, err)
	}
	var during int
	_ = copyDB.DB.QueryRow("SELECT count(*) FROM accounts WHERE name LIKE 'During %'").Scan(&during)
	t.Logf("%d writes during the backup, %d of them in the copy", writes.Load(), during)

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"ErrExists", []string{"backup", target}, "exists"},
		{"ErrNoFile", []string{"backup"}, "give the file"},
		{"ErrPostgres", []string{"backup", "-db", "postgres://u:secret@db.example/pk", filepath.Join(dir, "x.dump")}, "pg_dump"},
		{"ErrNoDatabase", []string{"backup", "-db", filepath.Join(dir, "missing.db"), filepath.Join(dir, "y.db")}, "no database at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCommand(t, env, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v: %v\n%s: want an error saying %q", tt.args, err, out, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("backup created the missing database")
	}
}

func TestCreateAdmin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pk.db")
	env := map[string]string{"PARTNERKIT_DB": path}

	// An empty database: the root account and its first admin.
	out, err := runCommand(t, env, "", "create-admin", "-email", "first@example.com", "-password", "First-passw0rd")
	if err != nil || !strings.Contains(out, "The database was empty: created the root account") {
		t.Fatalf("create-admin on an empty database: %v\n%s", err, out)
	}
	// Another admin of the root, the password on standard input.
	out, err = runCommand(t, env, "Second-passw0rd\n", "create-admin", "-email", "second@example.com", "-name", "Second Admin")
	if err != nil || !strings.Contains(out, "Created the admin second@example.com") {
		t.Fatalf("create-admin: %v\n%s", err, out)
	}
	// From the environment.
	env3 := map[string]string{"PARTNERKIT_DB": path, "PARTNERKIT_ADMIN_EMAIL": "third@example.com", "PARTNERKIT_ADMIN_PASSWORD": "Third-passw0rd"}
	if out, err := runCommand(t, env3, "", "create-admin"); err != nil {
		t.Fatalf("create-admin from the environment: %v\n%s", err, out)
	}

	db, err := sqldb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := server.New(db, server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var root string
	for _, c := range []struct{ email, password string }{
		{"first@example.com", "First-passw0rd"}, {"second@example.com", "Second-passw0rd"}, {"third@example.com", "Third-passw0rd"},
	} {
		_, ms, err := svc.Partners.Authenticate(ctx, c.email, c.password, "127.0.0.1")
		if err != nil || len(ms) != 1 || ms[0].Role != "admin" || (root != "" && ms[0].AccountID != root) {
			t.Fatalf("%s: %+v %v: want an admin of the root account", c.email, ms, err)
		}
		root = ms[0].AccountID
	}

	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"ErrEmailTaken", "", []string{"create-admin", "-email", "second@example.com", "-password", "Other-passw0rd"}, "email"},
		{"ErrNoEmail", "", []string{"create-admin", "-password", "Other-passw0rd"}, "-email"},
		{"ErrNoPassword", "", []string{"create-admin", "-email", "x@example.com"}, "no password"},
		{"ErrWeakPassword", "short\n", []string{"create-admin", "-email", "x@example.com"}, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCommand(t, env, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v: %v\n%s: want an error about %q", tt.args, err, out, tt.want)
			}
		})
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "partnerkit test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	addr, out := startServer(t, map[string]string{"PARTNERKIT_DB": filepath.Join(t.TempDir(), "pk.db"),
		"PARTNERKIT_TLS_CERT": certFile, "PARTNERKIT_TLS_KEY": keyFile})
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.TLS == nil || res.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("healthz over TLS: %d, TLS %v, HSTS %q", res.StatusCode, res.TLS != nil, res.Header.Get("Strict-Transport-Security"))
	}
	if !strings.Contains(out.String(), "addr=https://"+addr) {
		t.Errorf("the log does not say https:\n%s", out)
	}
	// Plain HTTP to the TLS port is refused.
	res, err = http.Get("http://" + addr + "/healthz")
	if err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Error("plain HTTP was served")
		}
	}

	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"ErrCertWithoutKey", map[string]string{"PARTNERKIT_TLS_CERT": certFile}, "both"},
		{"ErrKeyWithoutCert", map[string]string{"PARTNERKIT_TLS_KEY": keyFile}, "both"},
		{"ErrMismatch", map[string]string{"PARTNERKIT_TLS_CERT": certFile, "PARTNERKIT_TLS_KEY": certFile}, "tls: load"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["PARTNERKIT_DB"] = filepath.Join(t.TempDir(), "pk.db")
			err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, func(k string) string { return tt.env[k] }, io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run: %v: want an error saying %q", err, tt.want)
			}
		})
	}
}

// TestPWANotBuilt: without app.wasm the server says so in its log and on
// /, and the API still works; with it, the PWA's files are served.
func TestPWANotBuilt(t *testing.T) {
	css := &fstest.MapFile{Data: []byte("body{}")}
	tests := []struct {
		name       string
		files      fstest.MapFS
		path       string
		wantStatus int
		wantBody   string
		notBuilt   bool
	}{
		{"NotBuilt", fstest.MapFS{"app.css": css}, "/", http.StatusServiceUnavailable, "make build", true},
		{"NotBuiltNoWasm", fstest.MapFS{"app.css": css}, "/web/app.wasm", http.StatusNotFound, "", true},
		// (The tests register no go-app routes, so / itself is go-app's 404.)
		{"Built", fstest.MapFS{"app.css": css, "app.wasm": {Data: []byte("\x00asm")}}, "/web/app.wasm", http.StatusOK, "\x00asm", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := staticFiles
			staticFiles = func() fs.FS { return tt.files }
			t.Cleanup(func() { staticFiles = saved })
			addr, out := startServer(t, map[string]string{"PARTNERKIT_DB": filepath.Join(t.TempDir(), "pk.db")})
			base := "http://" + addr
			get := func(path string) (int, string, http.Header) {
				res, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b), res.Header
			}
			code, body, h := get(tt.path)
			if code != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
				t.Fatalf("GET %s: %d %q: want %d with %q", tt.path, code, body, tt.wantStatus, tt.wantBody)
			}
			if h.Get("Content-Security-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("GET %s: no security headers: %v", tt.path, h)
			}
			if logged := strings.Contains(out.String(), "the PWA was not built") && strings.Contains(out.String(), "make build"); logged != tt.notBuilt {
				t.Errorf("logged not built: %v, want %v:\n%s", logged, tt.notBuilt, out)
			}
			if code, body, _ := get("/"); strings.Contains(body, "was not built") != tt.notBuilt {
				t.Errorf("GET /: %d %q: want the not-built page: %v", code, body, tt.notBuilt)
			}
			if code, _, _ := get("/healthz"); code != http.StatusOK {
				t.Errorf("healthz: %d", code)
			}
			if code, body, _ := get("/api/v1/partners"); code != http.StatusUnauthorized || !strings.Contains(body, `"unauthorized"`) {
				t.Errorf("API: %d %s", code, body)
			}
		})
	}
}
