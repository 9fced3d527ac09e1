package bunstore_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/partners/bunstore"
	"github.com/uptrace/bun"
)

// The audit snapshots come back as they were written, byte for byte, on
// both dialects; on SQLite the large ones are stored compressed (a BLOB
// much shorter than the JSON), the small ones as text; rows written as
// text before compression (and before integer timestamps) still read.
func TestAuditSnapshots(t *testing.T) {
	partner := json.RawMessage(`{"id":"PA-0qs9rmkqc8nzfv1x073r7z6tew","type":"vendor","name":"Partner 000006 Wonka","external_id":"EXT-000006",` +
		`"status":"invited","manager_id":"PA-3h92en0pbnnv76yytywts3y5a8","business_contact":{"name":"Biz","email":"biz6@partner.example","phone":""},` +
		`"technical_contact":{"name":"Tech","email":"tech6@partner.example","phone":""},"created_at":"2026-12-01T17:26:40.484878Z",` +
		`"updated_at":"2026-12-01T17:26:40.484878Z","version":1}`)
	at := time.Date(2026, 12, 1, 17, 26, 40, 484878000, time.UTC)
	ev := func(id, account, actor, actorAccount, entity string, before, after json.RawMessage) *partnerkit.AuditEvent {
		return &partnerkit.AuditEvent{ID: id, AccountID: account, Actor: actor, ActorAccountID: actorAccount, Action: "partner.updated",
			EntityType: "partner", EntityID: entity, At: at, Before: before, After: after}
	}
	const (
		p1   = "PA-0qs9rmkqc8nzfv1x073r7z6tew"
		root = "PA-3h92en0pbnnv76yytywts3y5a8"
		user = "UR-ev79qv45sy62hxk8k9e51z98mc"
	)
	type stored struct {
		name       string
		ev         *partnerkit.AuditEvent
		compressed bool // on SQLite
	}
	written := []stored{
		{"Partner", ev("EV-1", p1, user, root, p1, nil, partner), true},
		{"BeforeAndAfter", ev("EV-2", p1, user, root, p1, partner, json.RawMessage(strings.Replace(string(partner), "Wonka", "Tyrell", 1))), true},
		{"Small", ev("EV-3", p1, "public", "", p1, nil, json.RawMessage(`{"id":"PA-0qs9rmkqc8nzfv1x073r7z6tew"}`)), false},
		{"EscapedControlBytes", ev("EV-4", root, user, root, p1, nil,
			json.RawMessage(`{"name":"a\u0001b\u0002c","note":"`+strings.Repeat("x", 80)+`","id":"`+p1+`"}`)), true},
		{"NoIDs", ev("EV-5", "", "", "", "", nil, partner), true},
		{"IDsInsideOtherText", ev("EV-6", "PA", "P", "A-", "PA-0", nil, partner), true},
		{"None", ev("EV-7", p1, user, root, p1, nil, nil), false},
	}
	for _, d := range []struct {
		name string
		db   func(testing.TB) *bun.DB
	}{{"SQLite", testdb.SQLite}, {"Postgres", testdb.Postgres}} {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			db := d.db(t)
			st, err := bunstore.New(db)
			if err != nil {
				t.Fatal(err)
			}
			events := slices.Clone(written)
			var ids []string
			for _, e := range events {
				if err := st.AppendAudit(ctx, e.ev); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, e.ev.ID)
			}
			// A row as the versions before wrote it: text time, text JSON.
			if !sqldb.IsPostgres(db) {
				if _, err := db.ExecContext(ctx, `INSERT INTO audit_events (id, account_id, actor, actor_account_id, action, entity_type, entity_id, at, before, after)
					VALUES ('EV-8', ?, ?, ?, 'partner.created', 'partner', ?, '2026-12-01 17:26:40.484878+00:00', '', ?)`, p1, user, root, p1, string(partner)); err != nil {
					t.Fatal(err)
				}
				events = append(events, stored{"Legacy", &partnerkit.AuditEvent{ID: "EV-8", AccountID: p1, Actor: user, ActorAccountID: root, Action: "partner.created",
					EntityType: "partner", EntityID: p1, At: at, After: partner}, false})
				ids = append(ids, "EV-8")
			}
			got, err := st.AuditEventsByID(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]partnerkit.AuditEvent{}
			for _, g := range got {
				byID[g.ID] = g
			}
			for _, e := range events {
				t.Run(e.name, func(t *testing.T) {
					g, ok := byID[e.ev.ID]
					switch {
					case !ok:
						t.Fatalf("event %s not read back", e.ev.ID)
					case string(g.Before) != string(e.ev.Before) || string(g.After) != string(e.ev.After):
						t.Fatalf("before/after %s %s, want %s %s", g.Before, g.After, e.ev.Before, e.ev.After)
					case !g.At.Equal(e.ev.At) || g.At.Location() != time.UTC:
						t.Fatalf("at %v, want %v in UTC", g.At, e.ev.At)
					}
					if sqldb.IsPostgres(db) {
						return
					}
					var kind string
					var n int
					if err := db.QueryRowContext(ctx, "SELECT typeof(after), length(after) FROM audit_events WHERE id = ?", e.ev.ID).Scan(&kind, &n); err != nil {
						t.Fatal(err)
					}
					if e.compressed && (kind != "blob" || n > len(e.ev.After)/2) {
						t.Fatalf("stored as %s of %d bytes, want a blob under half the JSON's %d", kind, n, len(e.ev.After))
					}
					if !e.compressed && kind != "text" {
						t.Fatalf("stored as %s, want text", kind)
					}
				})
			}
		})
	}
}
