package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/uptrace/bun"
)

// openScratch opens a SQLite database with one table of counters.
func openScratch(t *testing.T) *bun.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.OpenNoMigrate(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func insertItem(ctx context.Context, db *bun.DB, name string) error {
	_, err := sqldb.Conn(ctx, db).ExecContext(ctx, `INSERT INTO items (name) VALUES (?)`, name)
	if _, dup := sqldb.UniqueViolation(err); dup {
		return partnerkit.ConflictField("name", "is taken")
	}
	return err
}

func countItems(t *testing.T, db *bun.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM items`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGroupCommit runs many concurrent write transactions on SQLite, where
// they share commits: each write's outcome is its own (a failing one rolls
// back only itself, a panicking one panics in its caller), every
// acknowledged write is in the database, and nothing else is.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db := openScratch(t)
	if err := insertItem(ctx, db, "taken"); err != nil {
		t.Fatal(err)
	}
	// Alone, a write is its group's first and runs without a savepoint:
	// failing or panicking after its first row, it leaves nothing.
	err := sqldb.InTx(ctx, db, func(ctx context.Context) error {
		if err := insertItem(ctx, db, "alone"); err != nil {
			return err
		}
		return insertItem(ctx, db, "taken")
	})
	if partnerkit.ErrorCode(err) != partnerkit.CodeConflict {
		t.Fatalf("lone failing write: %v, want its conflict", err)
	}
	func() {
		defer func() { _ = recover() }()
		_ = sqldb.InTx(ctx, db, func(ctx context.Context) error {
			if err := insertItem(ctx, db, "alone"); err != nil {
				return err
			}
			panic("lone write")
		})
	}()
	if got := countItems(t, db); got != 1 {
		t.Fatalf("%d rows after the lone writes failed, want 1", got)
	}
	const writers = 200
	var wg sync.WaitGroup
	errs := make([]error, writers)
	panics := make([]any, writers)
	for i := range writers {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = sqldb.InTx(ctx, db, func(ctx context.Context) error {
				// Two rows per write: a failure after the first must take
				// the first back too.
				if err := insertItem(ctx, db, fmt.Sprintf("a%d", i)); err != nil {
					return err
				}
				switch i % 10 {
				case 3:
					return insertItem(ctx, db, "taken")
				case 7:
					panic(fmt.Sprintf("write %d", i))
				}
				return insertItem(ctx, db, fmt.Sprintf("b%d", i))
			})
		})
	}
	wg.Wait()
	want := 1
	for i := range writers {
		switch i % 10 {
		case 3:
			var e *partnerkit.Error
			if !errors.As(errs[i], &e) || e.Code != partnerkit.CodeConflict {
				t.Errorf("write %d: err %v, want its own conflict", i, errs[i])
			}
		case 7:
			if panics[i] != fmt.Sprintf("write %d", i) {
				t.Errorf("write %d: panic %v in its caller, want its own", i, panics[i])
			}
		default:
			if errs[i] != nil || panics[i] != nil {
				t.Errorf("write %d: err %v, panic %v", i, errs[i], panics[i])
			}
			want += 2
		}
	}
	if got := countItems(t, db); got != want {
		t.Errorf("%d rows, want %d (the acknowledged writes' only)", got, want)
	}
}

// TestGroupCommitSeesEarlierWrites checks that writes sharing a commit run
// one after the other, each seeing the ones before it: a read-then-write
// counter incremented concurrently ends exact.
func TestGroupCommitSeesEarlierWrites(t *testing.T) {
	ctx := context.Background()
	db := openScratch(t)
	if _, err := db.ExecContext(ctx, `CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)`); err != nil {
		t.Fatal(err)
	}
	const writers = 100
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			err := sqldb.InTx(ctx, db, func(ctx context.Context) error {
				conn := sqldb.Conn(ctx, db)
				var n int
				if err := conn.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n); err != nil {
					return err
				}
				_, err := conn.ExecContext(ctx, `UPDATE counter SET n = ?`, n+1)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n); err != nil || n != writers {
		t.Fatalf("counter %d (%v), want %d", n, err, writers)
	}
}

// TestWriteNotStartedIsRefused checks the bounded wait: while one write
// holds the turn, a write whose caller gives up, or that waits past
// WriteWait, is refused as unavailable and never runs.
func TestWriteNotStartedIsRefused(t *testing.T) {
	ctx := context.Background()
	db := openScratch(t)
	defer func(d time.Duration) { sqldb.WriteWait = d }(sqldb.WriteWait)
	sqldb.WriteWait = 200 * time.Millisecond

	holding, release := make(chan struct{}), make(chan struct{})
	go func() {
		_ = sqldb.InTx(ctx, db, func(ctx context.Context) error {
			close(holding)
			<-release
			return insertItem(ctx, db, "holder")
		})
	}()
	<-holding
	ran := make(chan string, 2)
	cancelled, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	for _, c := range []struct {
		name string
		ctx  context.Context
	}{{"cancelled", cancelled}, {"timed out", ctx}} {
		err := sqldb.InTx(c.ctx, db, func(ctx context.Context) error {
			ran <- c.name
			return nil
		})
		var e *partnerkit.Error
		if !errors.As(err, &e) || e.Code != partnerkit.CodeUnavailable || e.RetryAfter <= 0 {
			t.Errorf("%s: err %v, want unavailable with Retry-After", c.name, err)
		}
	}
	close(release)
	// The next write runs, and the refused ones never did.
	if err := sqldb.InTx(ctx, db, func(ctx context.Context) error { return insertItem(ctx, db, "after") }); err != nil {
		t.Fatal(err)
	}
	select {
	case name := <-ran:
		t.Errorf("the %s write ran", name)
	default:
	}
	if got := countItems(t, db); got != 2 {
		t.Errorf("%d rows, want 2", got)
	}
}

// TestNestedInTxKeepsContext checks that a transaction inside another is a
// savepoint that rolls back alone and sees the caller's context values.
func TestNestedInTxKeepsContext(t *testing.T) {
	type key struct{}
	db := openScratch(t)
	ctx := context.Background()
	err := sqldb.InTx(ctx, db, func(ctx context.Context) error {
		if err := insertItem(ctx, db, "outer"); err != nil {
			return err
		}
		inner := context.WithValue(ctx, key{}, "inner value")
		err := sqldb.InTx(inner, db, func(ctx context.Context) error {
			if ctx.Value(key{}) != "inner value" {
				t.Error("the savepoint lost the caller's context value")
			}
			if err := insertItem(ctx, db, "inner"); err != nil {
				return err
			}
			return partnerkit.Errorf(partnerkit.CodeConflict, "undo the inner write")
		})
		if err == nil {
			t.Error("the inner error was lost")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := countItems(t, db); got != 1 {
		t.Errorf("%d rows, want 1 (the outer write only)", got)
	}
}

// TestWALCheckpointedInBackground: the writes' WAL is copied into the
// database file between the writer's turns, so the file stays a small
// fraction of what was written, although no commit reaches SQLite's own
// checkpoint threshold (wal_autocheckpoint, raised by SQLiteDSN). Without
// the background checkpoints the WAL holds every page written.
func TestWALCheckpointedInBackground(t *testing.T) {
	defer sqldb.SetCheckpointEvery(0)()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wal.db")
	db, err := sqldb.OpenNoMigrate(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const writes, size = 100, 64 << 10 // 1,600 pages of 4 KiB, under the threshold of 2,048
	for i := range writes {
		err := sqldb.InTx(ctx, db, func(ctx context.Context) error {
			_, err := sqldb.Conn(ctx, db).ExecContext(ctx, `INSERT INTO blobs (data) VALUES (randomblob(?))`, size)
			return err
		})
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		sqldb.CheckpointDone(db) // let each checkpoint finish, as time between writes would
		if sqldb.Checkpointing(db) {
			t.Fatalf("write %d: a checkpoint still runs after CheckpointDone", i)
		}
	}
	info, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if written := int64(writes * size); info.Size() > written/4 {
		t.Fatalf("WAL of %d bytes after %d bytes written: not checkpointed between the writes", info.Size(), written)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM blobs`).Scan(&n); err != nil || n != writes {
		t.Fatalf("%d rows (%v)", n, err)
	}
}
