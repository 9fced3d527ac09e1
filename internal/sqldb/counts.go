package sqldb

import (
	"fmt"
	"strings"
	"sync"

	"github.com/uptrace/bun"
)

// AccountCount is a figure one domain's SQL store contributes about an
// account: the partner directory shows it, or it keeps the account from
// being deleted. SQL is a scalar sub-select that counts the domain's own
// rows, with {account} where the account's ID goes ("(SELECT count(*) FROM
// listings AS l WHERE l.vendor_id = {account})"). Each domain's bunstore
// registers its own when it is built, so the partners store composes them
// without naming any later domain, and the directory stays one statement.
type AccountCount struct {
	Name, SQL string
}

// MaxDirectoryCounts bounds the directory figures one database may carry.
const MaxDirectoryCounts = 8

type countRegistry struct {
	mu                    sync.RWMutex
	directory, dependents []AccountCount
}

var registries sync.Map // *bun.DB → *countRegistry

func registryOf(db *bun.DB) *countRegistry {
	r, _ := registries.LoadOrStore(db, &countRegistry{})
	return r.(*countRegistry)
}

// RegisterDirectoryCount adds a figure the partner directory shows for each
// partner on db; registering a name again replaces it.
func RegisterDirectoryCount(db *bun.DB, c AccountCount) {
	r := registryOf(db)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.directory = upsert(r.directory, c)
	if len(r.directory) > MaxDirectoryCounts {
		panic(fmt.Sprintf("sqldb: more than %d directory counts registered", MaxDirectoryCounts))
	}
}

// RegisterDependent adds a kind of row that keeps an account on db from
// being deleted; registering a name again replaces it.
func RegisterDependent(db *bun.DB, c AccountCount) {
	r := registryOf(db)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dependents = upsert(r.dependents, c)
}

// DirectoryCounts returns the directory figures registered on db, in
// registration order.
func DirectoryCounts(db *bun.DB) []AccountCount {
	r := registryOf(db)
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.directory
}

// Dependents returns the kinds of dependent rows registered on db, in
// registration order.
func Dependents(db *bun.DB) []AccountCount {
	r := registryOf(db)
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.dependents
}

// Bind returns c's SQL with {account} replaced by expr (a column such as
// "a.id"), or, when expr is "?", by placeholders and the arguments that
// bind them to id.
func (c AccountCount) Bind(expr, id string) (string, []any) {
	n := strings.Count(c.SQL, "{account}")
	args := []any{}
	if expr == "?" {
		for range n {
			args = append(args, id)
		}
	}
	return strings.ReplaceAll(c.SQL, "{account}", expr), args
}

func upsert(list []AccountCount, c AccountCount) []AccountCount {
	out := make([]AccountCount, 0, len(list)+1)
	replaced := false
	for _, x := range list {
		if x.Name == c.Name {
			x, replaced = c, true
		}
		out = append(out, x)
	}
	if !replaced {
		out = append(out, c)
	}
	return out
}
