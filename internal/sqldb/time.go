package sqldb

import (
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/schema"
)

// Time is a timestamp column that SQLite stores as an INTEGER of
// microseconds since the Unix epoch (8 bytes, where Bun's text is 32: the
// columns of the tables that grow with the directory, in every row and
// index that carries them) and PostgreSQL as TIMESTAMPTZ, as before. Both
// keep microseconds and compare and sort in time order. Use it for a
// column that a step of the schema turned into integers on SQLite (see
// the "integer_timestamps" step) — in row structs, and for every argument
// compared with such a column:
//
//	sel.Where("ev.at >= ?", sqldb.Time{Time: since})
//
// Scan reads integers, and also the text of rows older than that step.
type Time struct{ time.Time }

var (
	_ schema.QueryAppender         = Time{}
	_ interface{ Scan(any) error } = (*Time)(nil)
)

// AppendQuery implements schema.QueryAppender: an integer literal on
// SQLite, the dialect's timestamp literal elsewhere.
func (t Time) AppendQuery(gen schema.QueryGen, b []byte) ([]byte, error) {
	if gen.Dialect().Name() == dialect.SQLite {
		return strconv.AppendInt(b, t.UnixMicro(), 10), nil
	}
	return gen.Dialect().AppendTime(b, t.Time), nil
}

// textTimes are the layouts of timestamps stored as text: Bun's, and
// RFC 3339.
var textTimes = []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"}

// Scan implements sql.Scanner; the time is in UTC.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		t.Time = time.UnixMicro(v).UTC()
	case time.Time:
		t.Time = v.UTC()
	case nil:
		t.Time = time.Time{}
	case []byte:
		return t.parse(string(v))
	case string:
		return t.parse(v)
	default:
		return fmt.Errorf("sqldb.Time: cannot scan %T", src)
	}
	return nil
}

func (t *Time) parse(s string) error {
	for _, layout := range textTimes {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("sqldb.Time: cannot parse %q", s)
}
