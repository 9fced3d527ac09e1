package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/partnerkit/partnerkit/internal/sqldb"
)

// TestStatementCache runs statements with arguments on one SQLite
// connection: each is prepared once and run again from the cache, a
// statement run again while its rows are open (nested) gets one of its
// own, and the cache stays bounded.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db := openScratch(t)
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cached := func() int {
		n := 0
		if err := conn.Raw(func(dc any) error { n = sqldb.CachedStatements(dc); return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := cached(); n != 0 {
		t.Fatalf("a new connection keeps %d statements", n)
	}
	for i := range 5 {
		if _, err := conn.ExecContext(ctx, `INSERT INTO items (name) VALUES (?)`, fmt.Sprintf("item %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	// A statement without arguments is not kept (Bun's carry their values).
	if _, err := conn.ExecContext(ctx, `INSERT INTO items (name) VALUES ('literal')`); err != nil {
		t.Fatal(err)
	}
	if n := cached(); n != 1 {
		t.Fatalf("%d statements kept, want the one with arguments", n)
	}
	names := func(rows *sql.Rows) []string {
		t.Helper()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	const byID = `SELECT name FROM items WHERE id >= ? AND id <= ? ORDER BY id`
	outer, err := conn.QueryContext(ctx, byID, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for outer.Next() {
		var s string
		if err := outer.Scan(&s); err != nil {
			t.Fatal(err)
		}
		// The same text while the outer rows are open.
		inner, err := conn.QueryContext(ctx, byID, 4, 6)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, append([]string{s}, names(inner)...))
		inner.Close()
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	want := []string{"item 3", "item 4", "literal"}
	for i, g := range got {
		if g[0] != fmt.Sprintf("item %d", i) || !slices.Equal(g[1:], want) {
			t.Fatalf("row %d: %v, want item %d then %v", i, g, i, want)
		}
	}
	// Run again from the cache after the nesting: the same answers.
	for range 3 {
		rows, err := conn.QueryContext(ctx, byID, 2, 2)
		if err != nil {
			t.Fatal(err)
		}
		if g := names(rows); !slices.Equal(g, []string{"item 1"}) {
			t.Fatalf("from the cache: %v", g)
		}
		rows.Close()
	}
	// A failed statement is not kept, and the connection goes on.
	if _, err := conn.ExecContext(ctx, `INSERT INTO missing (name) VALUES (?)`, "x"); err == nil {
		t.Fatal("an INSERT into a missing table passed")
	}
	for i := range sqldb.MaxCachedStatements + 20 {
		var n int
		if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) + %d FROM items WHERE id > ?`, i), 0).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 6+i {
			t.Fatalf("query %d counted %d, want %d", i, n, 6+i)
		}
	}
	if n := cached(); n != sqldb.MaxCachedStatements {
		t.Fatalf("%d statements kept, want the bound %d", n, sqldb.MaxCachedStatements)
	}
}

// TestSavepointJournalsInMemory checks every connection of a pool opened
// with SQLiteDSN keeps temporary data, savepoints' sub-journals among it,
// in memory (temp_store = 2): in a file each journalled page was a write
// syscall.
func TestSavepointJournalsInMemory(t *testing.T) {
	ctx := context.Background()
	db := openScratch(t)
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range 2 { // two connections held at once: not one the first PRAGMA set
		c, err := db.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var store int
		if err := c.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&store); err != nil {
			t.Fatal(err)
		}
		if store != 2 {
			t.Fatalf("connection %d: temp_store = %d, want 2 (memory)", i, store)
		}
	}
}
