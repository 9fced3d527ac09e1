package wiring_test

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
)

// TestTwoDatabasesRefused: stores of one wizard on two databases are an
// error at construction, never silently non-atomic.
func TestTwoDatabasesRefused(t *testing.T) {
	one, other := stores.Memory(), stores.Memory()
	sql := stores.MustSQL(testdb.SQLite(t))
	for _, c := range []struct {
		name string
		st   wiring.Stores
	}{
		{"TwoMemoryDBs", wiring.Stores{Partners: one.Partners, Agreements: one.Agreements, Contracts: other.Contracts}},
		{"MemoryAndSQL", wiring.Stores{Partners: sql.Partners, Agreements: sql.Agreements, Contracts: one.Contracts}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := wiring.New(c.st, wiring.Options{}); !errors.Is(err, wiring.ErrTwoDatabases) {
				t.Fatalf("err = %v, want ErrTwoDatabases", err)
			}
		})
	}
	if _, err := wiring.New(one, wiring.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := wiring.New(wiring.Stores{Partners: one.Partners, Contracts: one.Contracts}, wiring.Options{}); err == nil {
		t.Fatal("contracts without agreements was accepted")
	}
}

// TestReadmeShowsTheExample: the README's "Embed it" code is exactly the
// body of ExampleNew between its markers, so it cannot rot, and it stays
// within 15 lines.
func TestReadmeShowsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Embed it\n+```go\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no Go block under \"## Embed it\"")
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	e := regexp.MustCompile("(?s)// README begin\n(.*?)\t// README end").FindSubmatch(example)
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(e[1]), "\n"), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	want := strings.Join(lines, "\n") + "\n"
	if string(m[1]) != want {
		t.Fatalf("README's Embed it block differs from ExampleNew:\n--- README\n%s--- example\n%s", m[1], want)
	}
	if n := strings.Count(want, "\n"); n > 15 {
		t.Fatalf("the Embed it block has %d lines, want at most 15", n)
	}
}
