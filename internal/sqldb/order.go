package sqldb

import (
	"math"

	"github.com/partnerkit/partnerkit"
	"github.com/uptrace/bun"
)

// OrderBy returns the ORDER BY expression of sort: columns maps each
// sortable field to its column; ties are broken by the id column, in the
// same direction, so pages never overlap. A field that columns does not
// know sorts by id alone. The expression holds only the given column
// names, never caller text.
func OrderBy(sort partnerkit.Sort, columns map[string]string, id string) string {
	dir := " ASC"
	if sort.Desc() {
		dir = " DESC"
	}
	if col, ok := columns[sort.Field()]; ok {
		return col + dir + ", " + id + dir
	}
	return id + dir
}

// Page applies a page to a query: a limit of 0 or less means no limit, a
// negative offset none. SQLite has no OFFSET without a LIMIT, so "no
// limit" is the largest one.
func Page(q *bun.SelectQuery, limit, offset int) *bun.SelectQuery {
	l, o := PageBounds(limit, offset)
	return q.Limit(l).Offset(o)
}

// PageBounds are the LIMIT and OFFSET values of a page, as Page applies
// them, for a statement that binds them.
func PageBounds(limit, offset int) (int64, int64) {
	l := int64(limit)
	if l <= 0 {
		l = math.MaxInt64
	}
	return l, int64(max(offset, 0))
}
