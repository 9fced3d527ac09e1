package sqldb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/schema"
)

// sqldb.Time is an integer of microseconds on SQLite and a timestamp
// elsewhere, and reads integers, times and the text of older rows.
func TestTime(t *testing.T) {
	at := time.Date(2026, 12, 1, 17, 26, 40, 484878000, time.UTC)
	t.Run("AppendQuery", func(t *testing.T) {
		for _, c := range []struct {
			name string
			gen  schema.QueryGen
			want string
		}{
			{"SQLite", schema.NewQueryGen(sqlitedialect.New()), "1796146000484878"},
			{"Postgres", schema.NewQueryGen(pgdialect.New()), "'2026-12-01 17:26:40.484878+00:00'"},
		} {
			b, err := sqldb.Time{Time: at}.AppendQuery(c.gen, nil)
			if err != nil || string(b) != c.want {
				t.Errorf("%s: %s %v, want %s", c.name, b, err, c.want)
			}
		}
	})
	t.Run("Scan", func(t *testing.T) {
		for _, src := range []any{int64(1796146000484878), at.In(time.FixedZone("x", 3600)), "2026-12-01 17:26:40.484878+00:00",
			[]byte("2026-12-01T17:26:40.484878Z")} {
			var got sqldb.Time
			if err := got.Scan(src); err != nil || !got.Equal(at) || got.Location() != time.UTC {
				t.Errorf("Scan(%v) = %v %v, want %v in UTC", src, got.Time, err, at)
			}
		}
		var got sqldb.Time
		if err := got.Scan("yesterday"); err == nil {
			t.Errorf("Scan of bad text = %v, want an error", got.Time)
		}
	})
}

// A database migrated before the "integer_timestamps" step, with the text
// timestamps Bun wrote, comes out of the step with the same instants as
// integers on SQLite (untouched on PostgreSQL), sorted in time order.
func TestMigrateIntegerTimestamps(t *testing.T) {
	before := slices.Index(stepNames(), "20261222000001")
	if before < 0 {
		t.Fatal("no integer_timestamps step")
	}
	times := []time.Time{
		time.Date(2026, 12, 1, 17, 26, 40, 484878000, time.UTC),
		time.Date(2026, 12, 1, 17, 26, 40, 0, time.UTC),
		time.Date(2026, 12, 1, 17, 26, 40, 400000000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 1000, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 500000000, time.UTC),
		{},
	}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			db := openRaw(t, d.dsn(t))
			if err := sqldb.MigrateFirst(ctx, db, before); err != nil {
				t.Fatal(err)
			}
			for i, tm := range times {
				// As the versions before wrote them (Bun's time literals).
				id := string(rune('a' + i))
				var manager any // the first is the root
				if i > 0 {
					manager = "a"
				}
				if _, err := db.NewRaw(`INSERT INTO accounts (id, type, name, search_name, status, manager_id, path, created_at, updated_at, version)
					VALUES (?, 'provider', 'n', 'n', 'active', ?, '/', ?, ?, 1)`, id, manager, tm, tm.Add(time.Microsecond)).Exec(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := db.NewRaw(`INSERT INTO audit_events (id, account_id, actor, action, entity_type, entity_id, at)
					VALUES (?, 'a', 'u', 'x.y', 'x', 'a', ?)`, id, tm).Exec(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if err := sqldb.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			for i, tm := range times {
				id := string(rune('a' + i))
				var created, updated, at sqldb.Time
				if err := db.QueryRowContext(ctx, "SELECT created_at, updated_at FROM accounts WHERE id = ?", id).Scan(&created, &updated); err != nil {
					t.Fatal(err)
				}
				if err := db.QueryRowContext(ctx, "SELECT at FROM audit_events WHERE id = ?", id).Scan(&at); err != nil {
					t.Fatal(err)
				}
				if !created.Equal(tm) || !updated.Equal(tm.Add(time.Microsecond)) || !at.Equal(tm) {
					t.Errorf("%v became %v, %v, %v", tm, created.Time, updated.Time, at.Time)
				}
			}
			if sqldb.IsPostgres(db) {
				return
			}
			var texts int
			if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM accounts WHERE typeof(created_at) <> 'integer' OR typeof(updated_at) <> 'integer')
				+ (SELECT count(*) FROM audit_events WHERE typeof(at) <> 'integer')`).Scan(&texts); err != nil || texts != 0 {
				t.Fatalf("%d timestamps are not integers (%v)", texts, err)
			}
			// Integers sort in time order, as the text did.
			var order []string
			if err := db.NewRaw("SELECT id FROM audit_events ORDER BY at, id").Scan(ctx, &order); err != nil {
				t.Fatal(err)
			}
			if want := []string{"f", "e", "d", "b", "c", "a"}; !slices.Equal(order, want) {
				t.Fatalf("order by at: %v, want %v", order, want)
			}
		})
	}
}
