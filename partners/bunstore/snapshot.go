package bunstore

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/uptrace/bun/schema"

	kflate "github.com/klauspost/compress/flate"
)

// snapshot is an audit event's before or after JSON as stored. On
// PostgreSQL it is the JSON text. On SQLite, whose TEXT columns keep a
// BLOB as it is, a snapshot of 64 bytes or more is stored compressed when
// that is shorter: the byte snapshotDeflate, then DEFLATE (with the fixed
// dictionary snapshotDict) of the JSON in which each of the event's own
// IDs — entity, account, actor's account, actor — is replaced by one
// control byte (0x01 to 0x04, which JSON text never holds unescaped).
// A partner's snapshot shrinks from about 440 bytes to about 120: the
// snapshots were two thirds of the audit table, the largest of the file
// (measured on 100,000 partners). Rows written before keep their text;
// reads accept both.
type snapshot struct {
	text string
	blob []byte // compressed, starting with snapshotDeflate; nil for text
}

// snapshotDeflate starts a compressed snapshot. A new encoding takes a
// new byte (a new dictionary is a new encoding): stored rows keep theirs.
const snapshotDeflate = 0x01

// minCompressed is the shortest JSON worth compressing.
const minCompressed = 64

// snapshotDict primes DEFLATE with the JSON of the entities audited most,
// the partner last (nearest, so cheapest to refer to). Never edit it: it
// is part of snapshotDeflate's encoding.
const snapshotDict = `{"id":"","owner_id":"","partner_id":"","agreement_id":"","agreement_version":1,"type":"","status":"pending",` +
	`"created_at":"","updated_at":"","signed_at":"","activated_at":"","terminated_at":"","version":1,"latest_agreement_version":1,` +
	`"update_pending":false,"description":"","current_version":1,"number":1,"document":{"kind":"none"},"created_by":"",` +
	`"user_id":"","account_id":"","role":"admin","email":"","full_name":"","revoked","expires_at":"","used_at":"",` +
	`{"id":"","type":"reseller","name":"","legal_name":"","external_id":"","status":"suspended","manager_id":"",` +
	`{"id":"","type":"vendor","name":"","external_id":"","status":"invited","manager_id":"",` +
	`"business_contact":{"name":"","email":"","phone":""},"technical_contact":{"name":"","email":"","phone":""},` +
	`"created_at":"2026-01-01T00:00:00.000000Z","updated_at":"2026-01-01T00:00:00.000000Z","version":1}` +
	`{"id":"","type":"vendor","name":"","external_id":"","status":"active","manager_id":"",` +
	`"business_contact":{"name":"","email":"","phone":""},"technical_contact":{"name":"","email":"","phone":""},` +
	`"created_at":"2026-`

// idBytes are the control bytes that stand for an event's IDs, in the
// order of snapshotIDs.
var idBytes = [4]byte{0x01, 0x02, 0x03, 0x04}

// snapshotIDs are the IDs a compressed snapshot of r refers to.
func snapshotIDs(r *auditRow) [4]string {
	return [4]string{r.EntityID, r.AccountID, r.ActorAccountID, r.Actor}
}

var (
	deflaters = sync.Pool{New: func() any {
		// klauspost/compress's DEFLATE at level 5 writes the same format
		// (the standard library's reader decodes it, with the
		// dictionary) and, unlike the standard library's levels 2-9,
		// does not clear 640 KB of hash tables at every Reset: 7 µs a
		// snapshot of a partner instead of 18, 121 bytes instead of 115
		// (BenchmarkNewSnapshot).
		w, err := kflate.NewWriterDict(io.Discard, snapshotLevel, []byte(snapshotDict))
		if err != nil {
			panic(err) // only for a bad level
		}
		return w
	}}
	inflaters sync.Pool
)

// snapshotLevel is the compression level of the snapshots written.
const snapshotLevel = 5

// newSnapshot is the stored form of js for a row of ids: compressed when
// compress is set (SQLite) and that is shorter.
func newSnapshot(js json.RawMessage, ids [4]string, compress bool) snapshot {
	if !compress || len(js) < minCompressed || bytes.ContainsAny(js, "\x01\x02\x03\x04") {
		return snapshot{text: string(js)}
	}
	for _, id := range ids {
		if strings.ContainsAny(id, "\x01\x02\x03\x04") {
			return snapshot{text: string(js)}
		}
	}
	src := js
	for i, id := range ids {
		if len(id) >= 3 {
			src = bytes.ReplaceAll(src, []byte(id), idBytes[i:i+1])
		}
	}
	var buf bytes.Buffer
	buf.Grow(len(src)/2 + 16)
	buf.WriteByte(snapshotDeflate)
	w := deflaters.Get().(*kflate.Writer)
	w.Reset(&buf)
	_, err := w.Write(src)
	if err == nil {
		err = w.Close()
	}
	// Put back without a second Reset: the next user resets it to its own
	// buffer (this one's bytes are the snapshot's).
	deflaters.Put(w)
	if err != nil || buf.Len() >= len(js) {
		return snapshot{text: string(js)}
	}
	return snapshot{blob: buf.Bytes()}
}

// json returns the snapshot's JSON (nil for none).
func (v snapshot) json(ids [4]string) (json.RawMessage, error) {
	if v.blob == nil {
		return rawJSON(v.text), nil
	}
	src := bytes.NewReader(v.blob[1:])
	r, _ := inflaters.Get().(io.ReadCloser)
	if r == nil {
		r = flate.NewReaderDict(src, []byte(snapshotDict))
	} else if err := r.(flate.Resetter).Reset(src, []byte(snapshotDict)); err != nil {
		return nil, err
	}
	out, err := io.ReadAll(r)
	inflaters.Put(r)
	if err != nil {
		return nil, fmt.Errorf("audit snapshot: %w", err)
	}
	for i, id := range ids {
		if len(id) >= 3 {
			out = bytes.ReplaceAll(out, idBytes[i:i+1], []byte(id))
		}
	}
	return out, nil
}

// AppendQuery implements schema.QueryAppender: a BLOB literal for a
// compressed snapshot, a string literal for text.
func (v snapshot) AppendQuery(gen schema.QueryGen, b []byte) ([]byte, error) {
	if v.blob != nil {
		return gen.Dialect().AppendBytes(b, v.blob), nil
	}
	return gen.Dialect().AppendString(b, v.text), nil
}

// value is the snapshot as an argument of a prepared statement: what
// AppendQuery writes, bound.
func (v snapshot) value() any {
	if v.blob != nil {
		return v.blob
	}
	return v.text
}

// Scan implements sql.Scanner.
func (v *snapshot) Scan(src any) error {
	switch s := src.(type) {
	case string:
		*v = snapshot{text: s}
	case []byte:
		if len(s) > 0 && s[0] == snapshotDeflate {
			*v = snapshot{blob: bytes.Clone(s)}
		} else {
			*v = snapshot{text: string(s)}
		}
	case nil:
		*v = snapshot{}
	default:
		return fmt.Errorf("audit snapshot: cannot scan %T", src)
	}
	return nil
}

// newAuditRow is the stored form of e; snapshots are compressed on SQLite.
func (s *Store) newAuditRow(e *partnerkit.AuditEvent) auditRow {
	r := auditRow{ID: e.ID, AccountID: e.AccountID, Actor: e.Actor, ActorAccountID: e.ActorAccountID,
		Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID, At: sqldb.Time{Time: e.At}}
	compress := !sqldb.IsPostgres(s.db)
	ids := snapshotIDs(&r)
	r.Before, r.After = newSnapshot(e.Before, ids, compress), newSnapshot(e.After, ids, compress)
	return r
}

func (r *auditRow) toDomain() (partnerkit.AuditEvent, error) {
	ids := snapshotIDs(r)
	before, err := r.Before.json(ids)
	if err != nil {
		return partnerkit.AuditEvent{}, sqldb.Internal("bunstore.audit", fmt.Errorf("event %s: %w", r.ID, err))
	}
	after, err := r.After.json(ids)
	if err != nil {
		return partnerkit.AuditEvent{}, sqldb.Internal("bunstore.audit", fmt.Errorf("event %s: %w", r.ID, err))
	}
	return partnerkit.AuditEvent{ID: r.ID, AccountID: r.AccountID, Actor: r.Actor, ActorAccountID: r.ActorAccountID,
		Action: r.Action, EntityType: r.EntityType, EntityID: r.EntityID, At: r.At.UTC(),
		Before: before, After: after}, nil
}
