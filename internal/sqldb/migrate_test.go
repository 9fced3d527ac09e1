package sqldb_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/uptrace/bun"
)

// dialects names each database a migration test runs on; dsn returns a new,
// empty database (PostgreSQL is skipped without PARTNERKIT_TEST_POSTGRES).
var dialects = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"SQLite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "pk.db") }},
	{"Postgres", func(t *testing.T) string { return testdb.CreatePostgresDatabase(t, testdb.PostgresDSN(t)) }},
}

// openRaw opens dsn without migrating it, closed when the test ends.
func openRaw(t *testing.T, dsn string) *bun.DB {
	t.Helper()
	db, err := sqldb.OpenNoMigrate(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func stepNames() []string {
	var names []string
	for _, s := range sqldb.Steps() {
		names = append(names, s.Name)
	}
	return names
}

// marks returns the steps marked applied, in the order they were marked, and
// fails the test when one is marked twice.
func marks(t *testing.T, db *bun.DB) []string {
	t.Helper()
	var names []string
	err := db.NewSelect().Table(sqldb.MigrationsTable).Column("name").OrderExpr("id").Scan(context.Background(), &names)
	if err != nil {
		t.Fatalf("read marks: %v", err)
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("step %s is marked applied twice", n)
		}
		seen[n] = true
	}
	return names
}

// schemaOf describes db's schema as the catalog reports it: every table,
// column and index (bun/migrate's lock table aside), one line each, sorted.
func schemaOf(t *testing.T, db *bun.DB) []string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	q := `SELECT type || ' ' || name || ' ' || tbl_name || ' ' || coalesce(sql, '') FROM sqlite_master
		WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> ?`
	args := []any{sqldb.LegacyMigrationLocksTable}
	if sqldb.IsPostgres(db) {
		q = `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> ?
			UNION ALL SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename <> ?`
		args = append(args, sqldb.LegacyMigrationLocksTable)
	}
	if err := db.NewRaw(q, args...).Scan(ctx, &lines); err != nil {
		t.Fatalf("read the catalog: %v", err)
	}
	slices.Sort(lines)
	return lines
}

var createTable = regexp.MustCompile(`(?i)CREATE TABLE\s+(?:IF NOT EXISTS\s+)?(\w+)`)

// checkState fails the test unless db holds exactly the first n steps: their
// marks, and the schema a reference database migrated that far has. The
// tables the next step creates must be absent.
func checkState(t *testing.T, db *bun.DB, ref func(n int) []string, n int) {
	t.Helper()
	if got, want := marks(t, db), stepNames()[:n]; !slices.Equal(got, want) {
		t.Fatalf("marked %v, want %v", got, want)
	}
	if got, want := schemaOf(t, db), ref(n); !slices.Equal(got, want) {
		t.Fatalf("schema differs from %d steps applied:\ngot  %s\nwant %s", n, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	if steps := sqldb.Steps(); n < len(steps) {
		for _, stmt := range steps[n].Statements {
			if m := createTable.FindStringSubmatch(stmt); m != nil && hasTable(t, db, m[1]) {
				t.Fatalf("table %s of step %s exists, the step is not marked", m[1], steps[n].Name)
			}
		}
	}
}

func hasTable(t *testing.T, db *bun.DB, name string) bool {
	t.Helper()
	for _, line := range schemaOf(t, db) {
		if strings.HasPrefix(line, "table "+name+" ") || strings.HasPrefix(line, "column "+name+".") {
			return true
		}
	}
	return false
}

// reference returns the schema of a database with the first n steps
// applied, migrating one reference database step by step as n grows.
func reference(t *testing.T, dsn string) func(n int) []string {
	t.Helper()
	db := openRaw(t, dsn)
	schemas := map[int][]string{}
	return func(n int) []string {
		t.Helper()
		if s, ok := schemas[n]; ok {
			return s
		}
		if err := sqldb.MigrateFirst(context.Background(), db, n); err != nil {
			t.Fatalf("reference: %v", err)
		}
		schemas[n] = schemaOf(t, db)
		return schemas[n]
	}
}

// A step that fails after its statements, before its mark, leaves neither
// its tables nor its mark, and the next Migrate completes the schema: for
// every step of the schema.
func TestMigrateFailedStepLeavesNothing(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			ref := reference(t, d.dsn(t))
			db := openRaw(t, d.dsn(t))
			injected := errors.New("injected failure")
			for i, step := range sqldb.Steps() {
				err := sqldb.MigrateWithHook(ctx, db, func(_ context.Context, name string) error {
					if name == step.Name {
						return injected
					}
					return nil
				})
				if !errors.Is(err, injected) {
					t.Fatalf("step %s: Migrate returned %v, want the injected failure", step.Name, err)
				}
				checkState(t, db, ref, i)
			}
			if err := sqldb.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			checkState(t, db, ref, len(sqldb.Steps()))
		})
	}
}

// Environment of TestHelperProcess: the database to migrate, and the step
// whose transaction it blocks in.
const (
	helperDSN  = "PARTNERKIT_MIGRATE_HELPER_DSN"
	helperStep = "PARTNERKIT_MIGRATE_HELPER_STEP"
	helperSays = "blocked in step"
)

// TestHelperProcess is not a test: TestMigrateSurvivesKill runs the test
// binary as a child that migrates a database and blocks inside a step's
// transaction, after its statements, until it is killed.
func TestHelperProcess(t *testing.T) {
	dsn := os.Getenv(helperDSN)
	if dsn == "" {
		return
	}
	ctx := context.Background()
	db, err := sqldb.OpenNoMigrate(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	err = sqldb.MigrateWithHook(ctx, db, func(_ context.Context, name string) error {
		if name == os.Getenv(helperStep) {
			fmt.Println(helperSays, name)
			time.Sleep(time.Hour)
		}
		return nil
	})
	fmt.Fprintln(os.Stderr, "helper: migrate returned", err)
	os.Exit(3)
}

// A process killed (SIGKILL) inside a step leaves a database the next
// Migrate completes: the step is neither half applied nor marked.
func TestMigrateSurvivesKill(t *testing.T) {
	steps := stepNames()
	for _, d := range dialects {
		for _, at := range []int{0, slices.Index(steps, "20261120000006"), len(steps) - 1} {
			t.Run(fmt.Sprintf("%s/%s", d.name, steps[at]), func(t *testing.T) {
				ctx := context.Background()
				dsn := d.dsn(t)
				ref := reference(t, d.dsn(t))
				killInStep(t, dsn, steps[at])

				db := openRaw(t, dsn)
				checkState(t, db, ref, at)
				if err := sqldb.Migrate(ctx, db); err != nil {
					t.Fatalf("Migrate after the kill: %v", err)
				}
				checkState(t, db, ref, len(steps))
				status, err := sqldb.MigrationStatus(ctx, db)
				if err != nil || !status.UpToDate() {
					t.Fatalf("status %+v, %v", status, err)
				}
			})
		}
	}
}

// killInStep runs TestHelperProcess on dsn until it blocks in step, then
// kills it with SIGKILL.
func killInStep(t *testing.T, dsn, step string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperDSN+"="+dsn, helperStep+"="+step)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	blocked := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == helperSays+" "+step {
				blocked <- true
				break
			}
		}
		close(blocked)
	}()
	select {
	case ok := <-blocked:
		if !ok {
			_ = cmd.Wait()
			t.Fatalf("the helper ended before blocking: %s", stderr.String())
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the helper did not block in time: %s", stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred call, no rollback by the client
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("helper ended with %v, want killed", err)
	}
}

// Several processes starting at once on a new database each migrate it
// successfully, and every step is applied once.
func TestMigrateConcurrent(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := d.dsn(t)
			ref := reference(t, d.dsn(t))
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for range 4 {
				wg.Go(func() {
					db, err := sqldb.OpenNoMigrate(ctx, dsn)
					if err != nil {
						errs <- err
						return
					}
					defer db.Close()
					errs <- sqldb.Migrate(ctx, db)
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			checkState(t, openRaw(t, dsn), ref, len(sqldb.Steps()))
		})
	}
}

// A database that an earlier version migrated with bun/migrate is
// recognised: nothing it applied runs again, the steps added since run, and
// a lock row bun/migrate left behind is ignored.
func TestMigrateRecognisesBunMigrate(t *testing.T) {
	n := len(sqldb.Steps())
	for _, d := range dialects {
		for _, c := range []struct {
			name      string
			legacy    int
			staleLock bool
		}{
			{"UpToDate", n, false},
			{"StepsAddedSince", n - 2, false},
			{"StaleLockRow", n - 1, true},
		} {
			t.Run(d.name+"/"+c.name, func(t *testing.T) {
				ctx := context.Background()
				ref := reference(t, d.dsn(t))
				db := openRaw(t, d.dsn(t))
				if err := sqldb.LegacyMigrate(ctx, db, c.legacy); err != nil {
					t.Fatal(err)
				}
				if c.staleLock {
					if _, err := db.NewRaw("INSERT INTO ? (table_name) VALUES (?)", bun.Ident(sqldb.LegacyMigrationLocksTable),
						sqldb.MigrationsTable).Exec(ctx); err != nil {
						t.Fatal(err)
					}
				}
				status, err := sqldb.MigrationStatus(ctx, db)
				if err != nil || len(status.Applied) != c.legacy || len(status.Pending) != n-c.legacy {
					t.Fatalf("status before: %+v, %v", status, err)
				}
				if err := sqldb.Migrate(ctx, db); err != nil {
					t.Fatal(err)
				}
				checkState(t, db, ref, n)
				var groups []int64
				if err := db.NewSelect().Table(sqldb.MigrationsTable).Column("group_id").OrderExpr("id").Scan(ctx, &groups); err != nil {
					t.Fatal(err)
				}
				for i, g := range groups {
					if want := int64(1 + min(1, i/c.legacy)); g != want {
						t.Errorf("step %d in group %d, want %d", i, g, want)
					}
				}
			})
		}
	}
}

func TestMigrationStatus(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			db := openRaw(t, d.dsn(t))
			names := stepNames()
			status := func() sqldb.SchemaStatus {
				t.Helper()
				s, err := sqldb.MigrationStatus(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			if s := status(); len(s.Applied) != 0 || !slices.Equal(s.Pending, names) || s.UpToDate() {
				t.Fatalf("new database: %+v", s)
			}
			if hasTable(t, db, sqldb.MigrationsTable) {
				t.Fatal("MigrationStatus created the migrations table")
			}
			if err := sqldb.MigrateFirst(ctx, db, 2); err != nil {
				t.Fatal(err)
			}
			if s := status(); !slices.Equal(s.Applied, names[:2]) || !slices.Equal(s.Pending, names[2:]) {
				t.Fatalf("two steps applied: %+v", s)
			}
			if err := sqldb.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			if _, err := db.NewRaw("INSERT INTO ? (name, group_id) VALUES ('29991231000000', 9)", bun.Ident(sqldb.MigrationsTable)).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			if s := status(); !slices.Equal(s.Applied, names) || !s.UpToDate() || !slices.Equal(s.Unknown, []string{"29991231000000"}) {
				t.Fatalf("migrated by a newer version: %+v", s)
			}
		})
	}
}
