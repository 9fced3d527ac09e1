//go:build !js

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/internal/testdb"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs the real server on a free port and stops it at the end.
func startServer(t *testing.T, env map[string]string) (addr string, out *syncBuffer) {
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
		t.Fatalf("server stopped: %v\n%s", err, out)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return addr, out
}

func TestServer(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "pk.db") },
		"postgres": func(t *testing.T) string { return testdb.CreatePostgresDatabase(t, testdb.PostgresDSN(t)) },
	}
	for name, dsn := range stores {
		t.Run(name, func(t *testing.T) {
			addr, out := startServer(t, map[string]string{
				"PARTNERKIT_DB": dsn(t), "PARTNERKIT_ADMIN_EMAIL": "boss@example.com", "PARTNERKIT_ADMIN_PASSWORD": "Sup3r-secret",
			})
			base := "http://" + addr

			res, err := http.Get(base + "/healthz")
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("healthz: %v %v", err, res)
			}
			res.Body.Close()

			// Anonymous: 401 with a JSON error body.
			res, err = http.Get(base + "/api/v1/partners")
			if err != nil {
				t.Fatal(err)
			}
			var eb struct {
				Error struct{ Code, Message string }
			}
			_ = json.NewDecoder(res.Body).Decode(&eb)
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized || eb.Error.Code != "unauthorized" {
				t.Fatalf("anonymous list: %d %+v", res.StatusCode, eb)
			}

			jar, _ := cookiejar.New(nil)
			client := &http.Client{Jar: jar}
			res, err = client.Post(base+"/api/v1/session", "application/json",
				strings.NewReader(`{"email":"boss@example.com","password":"Sup3r-secret"}`))
			if err != nil || res.StatusCode != http.StatusCreated {
				t.Fatalf("sign in: %v %v", err, res)
			}
			res.Body.Close()
			get := func(path string) (*http.Response, []byte) {
				res, err := client.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				body, _ := io.ReadAll(res.Body)
				return res, body
			}
			res, body := get("/api/v1/partners")
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"total":0`) ||
				res.Header.Get("Content-Range") != "items */0" {
				t.Fatalf("list: %d %s %q", res.StatusCode, body, res.Header.Get("Content-Range"))
			}
			res, body = get("/api/v1/partners?limit=many")
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"limit"`) {
				t.Fatalf("bad limit: %d %s", res.StatusCode, body)
			}
			res, _ = get("/api/v1/nothing-here")
			if res.StatusCode != http.StatusNotFound {
				t.Fatalf("unknown API path: %d", res.StatusCode)
			}
			if !strings.Contains(out.String(), "First admin created: boss@example.com") {
				t.Fatalf("bootstrap not reported:\n%s", out)
			}
		})
	}
}

func TestServerGeneratesFirstAdmin(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "pk.db")
	_, out := startServer(t, map[string]string{"PARTNERKIT_DB": dsn})
	if !strings.Contains(out.String(), "password: ") {
		t.Fatalf("generated credentials not printed:\n%s", out)
	}
}
