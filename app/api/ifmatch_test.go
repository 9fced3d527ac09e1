package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/partnerkit/partnerkit/app/api"
)

// errorLog records the messages of the error records logged to it.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelError }
func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *errorLog) WithGroup(string) slog.Handler      { return l }

// TestIfMatchOnActionsIsAtomic: an action without a body version (suspend,
// reactivate) honours If-Match in the service's transaction, not by a read
// before it: of two requests sent at once with one If-Match exactly one
// acts and the other is 412 precondition_failed — never both. If-Match
// lists match any of their versions; a weak tag matches none.
func TestIfMatchOnActionsIsAtomic(t *testing.T) {
	for _, sqlite := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory", true: "sqlite"}[sqlite], func(t *testing.T) {
			log := &errorLog{}
			s := newServerWith(t, sqlite, func(cfg *api.Config) { cfg.Logger = slog.New(log) })
			admin := s.bootstrap("Distributor", "admin@dist.example")
			for round := range 6 {
				var p struct {
					ID      string
					Version int
				}
				admin.must(http.MethodPost, "/partners", map[string]any{"type": "reseller", "name": "Racer " + strconv.Itoa(round)}, http.StatusCreated, &p)
				etag := `"` + strconv.Itoa(p.Version) + `"`
				statuses := make([]int, 2)
				bodies := make([][]byte, 2)
				var wg sync.WaitGroup
				for i := range 2 {
					wg.Go(func() {
						var res *http.Response
						if i == 1 && round%2 == 1 {
							res, bodies[i] = admin.send(http.MethodPatch, "/partners/"+p.ID, map[string]any{"name": "Renamed"}, map[string]string{"If-Match": etag})
						} else {
							res, bodies[i] = admin.send(http.MethodPost, "/partners/"+p.ID+"/suspend", nil, map[string]string{"If-Match": etag})
						}
						statuses[i] = res.StatusCode
					})
				}
				wg.Wait()
				won, lost := 0, 0
				for i, st := range statuses {
					switch {
					case st == http.StatusOK:
						won++
					case st == http.StatusPreconditionFailed && strings.Contains(string(bodies[i]), `"precondition_failed"`):
						lost++
					default:
						t.Errorf("round %d: request %d: %d %s", round, i, st, bodies[i])
					}
				}
				if won != 1 || lost != 1 {
					t.Fatalf("round %d: %d won and %d got 412, want 1 and 1: %v", round, won, lost, statuses)
				}
			}

			var p struct {
				ID      string
				Version int
			}
			admin.must(http.MethodPost, "/partners", map[string]any{"type": "reseller", "name": "Listed"}, http.StatusCreated, &p)
			v := strconv.Itoa(p.Version)
			if res, body := admin.send(http.MethodPost, "/partners/"+p.ID+"/suspend", nil, map[string]string{"If-Match": `W/"` + v + `"`}); res.StatusCode != http.StatusPreconditionFailed {
				t.Fatalf("a weak tag: %d %s", res.StatusCode, body)
			}
			res, body := admin.send(http.MethodPost, "/partners/"+p.ID+"/suspend", nil, map[string]string{"If-Match": `"999", "` + v + `"`})
			var after struct{ Version int }
			_ = json.Unmarshal(body, &after)
			if res.StatusCode != http.StatusOK || res.Header.Get("ETag") != `"`+strconv.Itoa(after.Version)+`"` || after.Version != p.Version+1 {
				t.Fatalf("a list with the current tag: %d %q %s", res.StatusCode, res.Header.Get("ETag"), body)
			}
			log.mu.Lock()
			defer log.mu.Unlock()
			for _, m := range log.msgs {
				if strings.Contains(m, "If-Match") {
					t.Fatalf("logged %q", m)
				}
			}
		})
	}
}

// TestOpenAPIDocumentsPreconditions: the document says what the server
// does with the two request headers of the conventions — every POST takes
// an Idempotency-Key (which the client, and so the PWA, sends on each) and
// answers 422 for a reused one; every write to a versioned resource,
// actions without a body included, takes If-Match and answers 412.
func TestOpenAPIDocumentsPreconditions(t *testing.T) {
	s := newServer(t, false)
	c, err := s.contractOf()
	if err != nil {
		t.Fatal(err)
	}
	conditional := 0
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			ifMatch := op.Parameters.GetByInAndName("header", "If-Match") != nil
			has412 := op.Responses.Status(http.StatusPreconditionFailed) != nil
			if ifMatch != has412 {
				t.Errorf("%s %s: If-Match %v but 412 %v", method, path, ifMatch, has412)
			}
			if ifMatch {
				conditional++
				if !strings.Contains(op.Description, "If-Match") {
					t.Errorf("%s %s: the description does not say it honours If-Match", method, path)
				}
			}
			if method == http.MethodPost && (op.Parameters.GetByInAndName("header", "Idempotency-Key") == nil ||
				op.Responses.Status(http.StatusUnprocessableEntity) == nil) {
				t.Errorf("POST %s: no Idempotency-Key, or no 422", path)
			}
		}
	}
	for _, action := range []string{"/partners/{id}/suspend", "/partners/{id}/reactivate", "/contracts/{id}/sign",
		"/contracts/{id}/activate", "/contracts/{id}/terminate", "/deals/{id}/approve", "/subscriptions/{id}/stop",
		"/storage-accounts/{id}/cancel-deletion", "/webhooks/{id}/rotate-secret"} {
		op := c.doc.Paths.Find("/api/v1" + action).Post
		if op.Parameters.GetByInAndName("header", "If-Match") == nil || op.Responses.Status(http.StatusPreconditionFailed) == nil {
			t.Errorf("POST %s: no If-Match or no 412", action)
		}
	}
	if conditional < 31 {
		t.Errorf("%d operations take If-Match, want the 31 writes to versioned resources", conditional)
	}
}
