//go:build !js

package observe_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/app/observe"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/uptrace/bun"
)

type readyBody struct {
	Status   string            `json:"status"`
	NotReady []string          `json:"not_ready"`
	Checks   map[string]string `json:"checks"`
}

func readyz(t *testing.T, h http.Handler) (int, readyBody) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	var b readyBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("readyz body: %v: %s", err, rec.Body)
	}
	if rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("readyz headers %v", rec.Header())
	}
	return rec.Code, b
}

// TestReadyz: 503 naming what is not ready — migrations pending, the job
// engine not started or stopped, the database gone — and 200 when all is.
func TestReadyz(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "pk.db") },
		"postgres": func(t *testing.T) string { return testdb.CreatePostgresDatabase(t, testdb.PostgresDSN(t)) },
	}
	for name, dsn := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, err := sqldb.OpenNoMigrate(ctx, dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			engine, err := jobs.New(db, jobs.Config{Logger: slog.New(slog.DiscardHandler), PollInterval: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			m := observe.NewMetrics(observe.MetricsOptions{NoRuntime: true})
			ready := observe.NewReadiness(slog.New(slog.DiscardHandler), observe.ServerChecks(db, engine)...)
			h := m.Handler(http.NotFoundHandler(), observe.HandlerOptions{Ready: ready})
			expect := func(status int, failing ...string) readyBody {
				t.Helper()
				code, b := readyz(t, h)
				if code != status || strings.Join(b.NotReady, ",") != strings.Join(failing, ",") {
					t.Fatalf("readyz %d %+v, want %d failing %v", code, b, status, failing)
				}
				return b
			}

			b := expect(http.StatusServiceUnavailable, "migrations", "jobs")
			if b.Checks["database"] != "ok" || !strings.Contains(b.Checks["migrations"], "partnerkit 2026") ||
				!strings.Contains(b.Checks["migrations"], "river ") || !strings.Contains(b.Checks["jobs"], "not running") {
				t.Fatalf("checks %+v", b.Checks)
			}
			if err := sqldb.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			b = expect(http.StatusServiceUnavailable, "migrations", "jobs")
			if strings.Contains(b.Checks["migrations"], "partnerkit 2026") || !strings.Contains(b.Checks["migrations"], "river ") {
				t.Fatalf("after Partnerkit's migrations: %+v", b.Checks)
			}
			if err := jobs.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			expect(http.StatusServiceUnavailable, "jobs")

			cfg := server.SQL(db, server.Options{Hasher: storetest.CheapHasher, Publisher: engine})
			if err := engine.Start(ctx, &cfg.Services); err != nil {
				t.Fatal(err)
			}
			b = expect(http.StatusOK)
			if b.Status != "ready" || len(b.Checks) != 3 {
				t.Fatalf("ready body %+v", b)
			}
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := engine.Stop(stopCtx); err != nil {
				t.Fatal(err)
			}
			b = expect(http.StatusServiceUnavailable, "jobs")
			if b.Status != "not_ready" {
				t.Fatalf("stopped body %+v", b)
			}
			closeDB(t, db)
			b = expect(http.StatusServiceUnavailable, "database", "jobs")
			if b.Checks["database"] != "the database does not answer" {
				t.Fatalf("closed database: %+v", b.Checks)
			}
		})
	}
}

func closeDB(t *testing.T, db *bun.DB) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestHealthzIsLiveness: /healthz answers while the database is gone;
// server.Handler's own /readyz does not.
func TestHealthzIsLiveness(t *testing.T) {
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "pk.db"))
	if err != nil {
		t.Fatal(err)
	}
	h := server.Handler(server.SQL(db, server.Options{Hasher: storetest.CheapHasher}), db, nil)
	if code, _ := readyz(t, h); code != http.StatusOK {
		t.Fatalf("readyz with the database up: %d", code)
	}
	closeDB(t, db)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("healthz with the database closed: %d", rec.Code)
	}
	if code, b := readyz(t, h); code != http.StatusServiceUnavailable || b.NotReady[0] != "database" {
		t.Fatalf("readyz with the database closed: %d %+v", code, b)
	}
}
