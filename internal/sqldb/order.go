package sqldb

import "github.com/partnerkit/partnerkit"

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
