//go:build !js

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/webhooks"
)

// TestMain lets the test binary run as the server in a child process
// (PARTNERKIT_TEST_SERVER=1), so a test can kill it with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("PARTNERKIT_TEST_SERVER") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := run(ctx, []string{"-addr", "127.0.0.1:0"}, os.Getenv, os.Stdout, nil); err != nil {
			fmt.Fprintln(os.Stderr, "partnerkit:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var listening = regexp.MustCompile(`partnerkit listening"? addr=http://(\S+)`)

// child is the server running in a child process.
type child struct {
	cmd  *exec.Cmd
	addr string
	out  *syncBuffer
}

func startChild(t *testing.T, env map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PARTNERKIT_TEST_SERVER=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, out: out}
	addrc := make(chan string, 2)
	var readers sync.WaitGroup
	for _, r := range []io.Reader{stdout, stderr} {
		readers.Add(1)
		go func() {
			defer readers.Done()
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				line := sc.Text()
				out.Write([]byte(line + "\n"))
				if m := listening.FindStringSubmatch(line); m != nil {
					addrc <- m[1]
				}
			}
		}()
	}
	exited := make(chan struct{})
	go func() { readers.Wait(); close(exited) }()
	select {
	case c.addr = <-addrc:
	case <-exited:
		_ = cmd.Wait()
		t.Fatalf("the server exited before listening:\n%s", out)
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the server did not start:\n%s", out)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return c
}

// kill sends SIGKILL: no shutdown, no flush, jobs left as they were.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
}

// signedIn returns a client signed in as the admin.
func signedIn(t *testing.T, base string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	res := call(t, client, http.MethodPost, base+"/api/v1/session", map[string]string{"email": "boss@example.com", "password": "Sup3r-secret"})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	return client
}

func call(t *testing.T, client *http.Client, method, url string, body any) *http.Response {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// TestDeliveriesSurviveKill kills the server with SIGKILL while webhook
// deliveries are pending — some attempts hung at the receiver, most not
// yet started — on SQLite and PostgreSQL: after a restart every event is
// delivered at least once, and the receiver can deduplicate by event ID.
func TestDeliveriesSurviveKill(t *testing.T) {
	databases := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "pk.db") },
		"postgres": func(t *testing.T) string { return testdb.CreatePostgresDatabase(t, testdb.PostgresDSN(t)) },
	}
	for name, dsn := range databases {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"PARTNERKIT_DB": dsn(t), "PARTNERKIT_ADMIN_EMAIL": "boss@example.com",
				"PARTNERKIT_ADMIN_PASSWORD": "Sup3r-secret", "PARTNERKIT_WEBHOOK_ALLOW_PRIVATE": "1",
				"PARTNERKIT_JOB_RESCUE_AFTER": "3s"}

			// The receiver holds the first attempts until the test ends
			// (they are running when the server dies) and accepts the rest.
			var mu sync.Mutex
			var secret string
			got := map[string]int{}
			held := 0
			release := make(chan struct{})
			defer close(release)
			receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				if held < 3 {
					held++
					mu.Unlock()
					select {
					case <-release:
					case <-r.Context().Done():
					}
					return
				}
				s := secret
				mu.Unlock()
				if err := webhooks.Verify(s, r.Header.Get(webhooks.SignatureHeader), body, 0); err != nil {
					t.Errorf("signature: %v", err)
				}
				var ev partnerkit.Event
				_ = json.Unmarshal(body, &ev)
				mu.Lock()
				got[ev.ID]++
				mu.Unlock()
			}))
			defer receiver.Close()

			first := startChild(t, env)
			base := "http://" + first.addr
			client := signedIn(t, base)
			res := call(t, client, http.MethodPost, base+"/api/v1/webhooks", map[string]any{
				"url": receiver.URL + "/hook", "event_types": []string{"partner.created"}})
			var ep webhooks.CreatedEndpoint
			if err := json.NewDecoder(res.Body).Decode(&ep); err != nil || res.StatusCode != http.StatusCreated {
				t.Fatalf("create endpoint: %d %v", res.StatusCode, err)
			}
			mu.Lock()
			secret = ep.Secret
			mu.Unlock()
			const n = 30
			var ids []string
			for i := range n {
				res := call(t, client, http.MethodPost, base+"/api/v1/partners", map[string]any{
					"type": "vendor", "name": fmt.Sprintf("Vendor %02d", i)})
				var p struct{ ID string }
				if err := json.NewDecoder(res.Body).Decode(&p); err != nil || res.StatusCode != http.StatusCreated {
					t.Fatalf("create partner: %d %v", res.StatusCode, err)
				}
				ids = append(ids, p.ID)
			}
			// Kill once some attempts hang at the receiver.
			waitUntil(t, "attempts hanging", func() bool { mu.Lock(); defer mu.Unlock(); return held >= 1 })
			first.kill(t)

			second := startChild(t, env)
			client = signedIn(t, "http://"+second.addr)
			waitUntil(t, "every event delivered after the restart", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(got) >= n
			})
			// Each delivered event is one of the partners' creations.
			res = call(t, client, http.MethodGet, "http://"+second.addr+"/api/v1/events?type=partner.created&limit=100", nil)
			var feed struct {
				Items []partnerkit.Event
			}
			if err := json.NewDecoder(res.Body).Decode(&feed); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, e := range feed.Items {
				if e.Data.EntityID != "" && strings.HasPrefix(e.Data.EntityID, "PA-") && got[e.ID] == 0 && contains(ids, e.Data.EntityID) {
					t.Errorf("event %s of partner %s never delivered", e.ID, e.Data.EntityID)
				}
			}
			dups := 0
			for _, c := range got {
				if c > 1 {
					dups++
				}
			}
			t.Logf("%d events delivered after SIGKILL and restart (%d more than once, deduplicated by ID)", len(got), dups)
		})
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// waitUntil polls cond for up to 3 minutes: after a SIGKILL the new
// instance becomes River's leader (and rescues the dead one's jobs) only
// once the old leader's lease has run out, which takes most of a minute,
// longer under -race on a loaded machine.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
