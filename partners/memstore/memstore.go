// Package memstore is the in-memory partners.Store: no database, the same
// behaviour as the SQL stores (both pass storetest.RunPartnersTests).
// Adopters use it to run the real business rules in their own tests.
//
// Stores of several domains built on one DB share its transactions, so a
// multi-domain operation is all-or-nothing in memory too.
package memstore

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/memdb"
	"github.com/partnerkit/partnerkit/partners"
)

// DB is the in-memory database that memstores of every domain share.
type DB = memdb.DB

// NewDB returns an empty in-memory database.
func NewDB() *DB { return memdb.New() }

// Store is an in-memory partners.Store.
type Store struct {
	db          *DB
	accounts    *memdb.Table[string, *accountRec]
	externalIDs *memdb.Table[string, string] // manager ID + "\x00" + external ID → account ID
	users       *memdb.Table[string, partners.User]
	emails      *memdb.Table[string, string] // email → user ID
	memberships *memdb.Table[string, partners.Membership]
	audit       *memdb.Table[string, []partnerkit.AuditEvent] // entity ID → events, oldest first
	auditByID   *memdb.Table[string, partnerkit.AuditEvent]   // event ID → event (the events feed)
	sessions    *memdb.Table[string, partners.Session]
	apiKeys     *memdb.Table[string, partners.APIKey]
	keyHashes   *memdb.Table[string, string] // token hash → API key ID
	failures    *memdb.Table[string, partners.LoginFailures]
	teamInvites *memdb.Table[string, partners.TeamInvitation] // token hash → invitation
	sec         securityTables                                // security.go
}

var _ partners.Store = (*Store)(nil)

// New returns a Store on db; a nil db gets a database of its own. Build one
// Store per domain per DB.
func New(db *DB) *Store {
	if db == nil {
		db = NewDB()
	}
	return &Store{
		db:          db,
		accounts:    memdb.NewTable[string, *accountRec](),
		externalIDs: memdb.NewTable[string, string](),
		users:       memdb.NewTable[string, partners.User](),
		emails:      memdb.NewTable[string, string](),
		memberships: memdb.NewTable[string, partners.Membership](),
		audit:       memdb.NewTable[string, []partnerkit.AuditEvent](),
		auditByID:   memdb.NewTable[string, partnerkit.AuditEvent](),
		sessions:    memdb.NewTable[string, partners.Session](),
		apiKeys:     memdb.NewTable[string, partners.APIKey](),
		keyHashes:   memdb.NewTable[string, string](),
		failures:    memdb.NewTable[string, partners.LoginFailures](),
		teamInvites: memdb.NewTable[string, partners.TeamInvitation](),
		sec:         newSecurityTables(),
	}
}

// DB returns the database the store lives in.
func (s *Store) DB() *DB { return s.db }

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// accountRec is a stored account with its precomputed search name. Records
// are never changed once stored: an update stores a new one.
type accountRec struct {
	partners.Account
	search string
}

func newAccountRec(a *partners.Account) *accountRec {
	return &accountRec{Account: *a, search: partners.SearchName(a.Name)}
}

func externalKey(managerID, externalID string) string { return managerID + "\x00" + externalID }

// CreateAccount implements partners.Store.
func (s *Store) CreateAccount(ctx context.Context, a *partners.Account) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, dup := s.accounts.Get(a.ID); dup {
			return partnerkit.ConflictField("id", "is taken")
		}
		if a.ManagerID == "" {
			for r := range s.accounts.Values() {
				if r.ManagerID == "" {
					return errSecondRoot
				}
			}
		}
		if err := s.claimExternalID(t, a, ""); err != nil {
			return err
		}
		s.accounts.Put(t, a.ID, newAccountRec(a))
		return nil
	})
}

// errSecondRoot mirrors the SQL stores' unique index over root accounts.
var errSecondRoot = partnerkit.Errorf(partnerkit.CodeConflict, "the database already has a root account")

// claimExternalID reserves a's external ID under its manager, releasing old.
func (s *Store) claimExternalID(t *memdb.Tx, a *partners.Account, old string) error {
	if a.ExternalID == old {
		return nil
	}
	if a.ExternalID != "" {
		key := externalKey(a.ManagerID, a.ExternalID)
		if owner, taken := s.externalIDs.Get(key); taken && owner != a.ID {
			return partnerkit.ConflictField("external_id", "is already used by another partner of this manager")
		}
		s.externalIDs.Put(t, key, a.ID)
	}
	if old != "" {
		s.externalIDs.Delete(t, externalKey(a.ManagerID, old))
	}
	return nil
}

// GetAccount implements partners.Store.
func (s *Store) GetAccount(ctx context.Context, id string) (*partners.Account, error) {
	var out *partners.Account
	err := s.db.View(ctx, func() error {
		a, ok := s.accounts.Get(id)
		if !ok {
			return partnerkit.NotFound("partner", id)
		}
		acct := a.Account
		out = &acct
		return nil
	})
	return out, err
}

// CreateAccounts implements partners.Store.
func (s *Store) CreateAccounts(ctx context.Context, as []*partners.Account) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		for _, a := range as {
			if err := s.CreateAccount(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// ExternalIDsTaken implements partners.Store.
func (s *Store) ExternalIDsTaken(ctx context.Context, managerID string, ids []string) ([]string, error) {
	var out []string
	err := s.db.View(ctx, func() error {
		for _, id := range ids {
			if _, taken := s.externalIDs.Get(externalKey(managerID, id)); taken && id != "" {
				out = append(out, id)
			}
		}
		return nil
	})
	return out, err
}

// AppendAudits implements partners.Store.
func (s *Store) AppendAudits(ctx context.Context, es []*partnerkit.AuditEvent) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		for _, e := range es {
			if err := s.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// LockAccount implements partners.Store: the engine's lock, held by the
// caller's transaction, already keeps every other writer out.
func (s *Store) LockAccount(ctx context.Context, id string) (*partners.Account, error) {
	return s.GetAccount(ctx, id)
}

// AccountsByID implements partners.Store.
func (s *Store) AccountsByID(ctx context.Context, ids []string) ([]partners.Account, error) {
	var out []partners.Account
	err := s.db.View(ctx, func() error {
		for _, id := range ids {
			if a, ok := s.accounts.Get(id); ok {
				out = append(out, a.Account)
			}
		}
		return nil
	})
	return out, err
}

// UpdateAccount implements partners.Store.
func (s *Store) UpdateAccount(ctx context.Context, a *partners.Account) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		old, err := memdb.CheckVersion(s.accounts, "partner", a.ID, a.Version,
			func(r *accountRec) int { return r.Version })
		if err != nil {
			return err
		}
		if err := s.claimExternalID(t, a, old.ExternalID); err != nil {
			return err
		}
		next := newAccountRec(a)
		next.Version++
		s.accounts.Put(t, a.ID, next)
		a.Version = next.Version
		return nil
	})
}

// Dependents implements partners.Store.
func (s *Store) Dependents(ctx context.Context, accountID string) (map[string]int, error) {
	deps := map[string]int{}
	err := s.db.View(ctx, func() error {
		for a := range s.accounts.Values() {
			if a.ManagerID == accountID {
				deps[partners.KindPartners]++
			}
		}
		for _, c := range s.db.Dependents() { // each later domain counts its own rows
			deps[c.Name] += c.Count(accountID)
		}
		return nil
	})
	return deps, err
}

// DeleteAccount implements partners.Store.
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		a, ok := s.accounts.Get(id)
		if !ok {
			return partnerkit.NotFound("partner", id)
		}
		if a.ExternalID != "" {
			s.externalIDs.Delete(t, externalKey(a.ManagerID, a.ExternalID))
		}
		for k, m := range s.memberships.All() {
			if m.AccountID == id {
				s.memberships.Delete(t, k)
			}
		}
		s.accounts.Delete(t, id)
		return nil
	})
}

// RootAccount implements partners.Store.
func (s *Store) RootAccount(ctx context.Context) (*partners.Account, error) {
	var out *partners.Account
	err := s.db.View(ctx, func() error {
		for a := range s.accounts.Values() {
			if a.ManagerID == "" {
				acc := a.Account
				out = &acc
				return nil
			}
		}
		return partnerkit.NotFound("root account", "")
	})
	return out, err
}

// CountAccounts implements partners.Store.
func (s *Store) CountAccounts(ctx context.Context) (int, error) {
	var n int
	err := s.db.View(ctx, func() error { n = s.accounts.Len(); return nil })
	return n, err
}

// Directory implements partners.Store. It keeps only the best
// Offset+Limit matches while scanning, so a page costs O(n log page).
func (s *Store) Directory(ctx context.Context, q partners.DirectoryQuery) ([]partners.DirectoryEntry, int, error) {
	var page []partners.DirectoryEntry
	var total int
	err := s.db.View(ctx, func() error {
		less := directoryOrder(q.Sort)
		keep := math.MaxInt // Limit 0: no limit
		if q.Limit > 0 && q.Offset < math.MaxInt-q.Limit {
			keep = max(q.Offset, 0) + q.Limit
		}
		top := make([]*accountRec, 0, min(keep, 1024))
		for a := range s.accounts.Values() {
			if a.ManagerID != q.ManagerID ||
				(q.Type != "" && a.Type != q.Type) ||
				(q.Status != "" && a.Status != q.Status) ||
				(q.NameContains != "" && !strings.Contains(a.search, q.NameContains)) {
				continue
			}
			total++
			if len(top) == keep && less(a, top[keep-1]) >= 0 {
				continue
			}
			i, _ := slices.BinarySearchFunc(top, a, less)
			top = slices.Insert(top, i, a)
			if len(top) > keep {
				top = top[:keep]
			}
		}
		for _, a := range top[min(max(q.Offset, 0), len(top)):] {
			counts := partners.Counts{}
			for _, c := range s.db.DirectoryCounts() { // each later domain's own figure
				counts[c.Name] = c.Count(a.ID)
			}
			page = append(page, partners.DirectoryEntry{Account: a.Account, Counts: counts})
		}
		return nil
	})
	if q.SkipTotal {
		total = -1
	}
	return page, total, err
}

// directoryOrder orders accounts as the SQL stores do: by search name or
// creation time, ties broken by ID, descending orders reversing both.
func directoryOrder(sort partners.Sort) func(a, b *accountRec) int {
	byName := func(a, b *accountRec) int {
		if c := strings.Compare(a.search, b.search); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
	byCreated := func(a, b *accountRec) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
	switch sort {
	case partners.SortNameDesc:
		return func(a, b *accountRec) int { return byName(b, a) }
	case partners.SortCreatedAt:
		return byCreated
	case partners.SortCreatedAtDesc:
		return func(a, b *accountRec) int { return byCreated(b, a) }
	}
	return byName
}

// CreateUser implements partners.Store.
func (s *Store) CreateUser(ctx context.Context, u *partners.User) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, taken := s.emails.Get(u.Email); taken {
			return partnerkit.ConflictField("email", "is already registered")
		}
		s.users.Put(t, u.ID, *u)
		s.emails.Put(t, u.Email, u.ID)
		return nil
	})
}

// GetUser implements partners.Store.
func (s *Store) GetUser(ctx context.Context, id string) (*partners.User, error) {
	return memdb.Get(ctx, s.db, s.users, "user", id)
}

// GetUserByEmail implements partners.Store.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (*partners.User, error) {
	var out *partners.User
	err := s.db.View(ctx, func() error {
		id, ok := s.emails.Get(email)
		if !ok {
			return partnerkit.NotFound("user", email)
		}
		u, _ := s.users.Get(id)
		out = &u
		return nil
	})
	return out, err
}

func membershipKey(userID, accountID string) string { return userID + "\x00" + accountID }

// CreateMembership implements partners.Store.
func (s *Store) CreateMembership(ctx context.Context, m *partners.Membership) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		key := membershipKey(m.UserID, m.AccountID)
		if _, dup := s.memberships.Get(key); dup {
			return partnerkit.ConflictField("user_id", "is already a member of this account")
		}
		s.memberships.Put(t, key, *m)
		return nil
	})
}

// UserMemberships implements partners.Store.
func (s *Store) UserMemberships(ctx context.Context, userID string) ([]partners.Membership, error) {
	var out []partners.Membership
	err := s.db.View(ctx, func() error {
		for m := range s.memberships.Values() {
			if m.UserID == userID {
				out = append(out, m)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b partners.Membership) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.AccountID, b.AccountID)
	})
	return out, err
}

// AccountMembers implements partners.Store.
func (s *Store) AccountMembers(ctx context.Context, accountID string) ([]partners.Member, error) {
	var out []partners.Member
	err := s.db.View(ctx, func() error {
		for m := range s.memberships.Values() {
			if m.AccountID == accountID {
				u, _ := s.users.Get(m.UserID)
				out = append(out, partners.Member{Membership: m, User: u})
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b partners.Member) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.UserID, b.UserID)
	})
	return out, err
}

// AppendAudit implements partnerkit.AuditLog.
func (s *Store) AppendAudit(ctx context.Context, e *partnerkit.AuditEvent) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		memdb.InsertOrdered(t, s.audit, e.EntityID, *e, func(a, b partnerkit.AuditEvent) int {
			if c := a.At.Compare(b.At); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		s.auditByID.Put(t, e.ID, *e)
		return nil
	})
}

func (s *Store) auditOf(entityID string) []partnerkit.AuditEvent {
	events, _ := s.audit.Get(entityID)
	return events
}

// AuditTrail implements partners.Store.
func (s *Store) AuditTrail(ctx context.Context, q partners.AuditQuery) ([]partnerkit.AuditEvent, int, error) {
	var out []partnerkit.AuditEvent
	var total int
	err := s.db.View(ctx, func() error {
		events := s.auditOf(q.EntityID) // oldest first, ties by ID
		if q.VisibleTo != "" {
			events = slices.DeleteFunc(slices.Clone(events), func(e partnerkit.AuditEvent) bool {
				return !s.visibleEvent(&e, q.VisibleTo)
			})
		}
		total = len(events)
		if partners.AuditOrder.Resolve(q.Sort).Desc() {
			events = slices.Clone(events)
			slices.Reverse(events)
		}
		out = slices.Clone(memdb.Page(events, q.Limit, q.Offset))
		return nil
	})
	return out, total, err
}

// Events implements partners.Store. It reads every stored event (the
// memory store keeps no index by account): fine for the tests and small
// programs it is made for.
func (s *Store) Events(ctx context.Context, q partners.EventQuery) ([]partnerkit.AuditEvent, int, error) {
	var match []partnerkit.AuditEvent
	err := s.db.View(ctx, func() error {
		for e := range s.auditByID.Values() {
			if eventSelected(&e, q) && s.visibleEvent(&e, q.VisibleTo) {
				match = append(match, e)
			}
		}
		return nil
	})
	memdb.SortBy(match, partners.EventOrder.Resolve(q.Sort), memdb.Keys[partnerkit.AuditEvent]{
		"at": func(a, b partnerkit.AuditEvent) int { return a.At.Compare(b.At) },
	}, func(e partnerkit.AuditEvent) string { return e.ID })
	return slices.Clone(memdb.Page(match, q.Limit, q.Offset)), len(match), err
}

// eventSelected reports whether e passes q's filters other than VisibleTo.
func eventSelected(e *partnerkit.AuditEvent, q partners.EventQuery) bool {
	return (len(q.Types) == 0 || slices.Contains(q.Types, e.Action)) &&
		(q.Since.IsZero() || !e.At.Before(q.Since)) &&
		(q.Until.IsZero() || e.At.Before(q.Until)) &&
		(q.EntityType == "" || e.EntityType == q.EntityType)
}

// visibleEvent is AuditTrail's tenancy rule: the event's account exists
// and is visibleTo or one it manages (any event when visibleTo is empty).
func (s *Store) visibleEvent(e *partnerkit.AuditEvent, visibleTo string) bool {
	if visibleTo == "" {
		return true
	}
	a, ok := s.accounts.Get(e.AccountID)
	return ok && a.VisibleTo(visibleTo)
}

// AuditEventsByID implements partners.Store.
func (s *Store) AuditEventsByID(ctx context.Context, ids []string) ([]partnerkit.AuditEvent, error) {
	var out []partnerkit.AuditEvent
	err := s.db.View(ctx, func() error {
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if e, ok := s.auditByID.Get(id); ok && !seen[id] {
				seen[id] = true
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// UpdateMembership implements partners.Store.
func (s *Store) UpdateMembership(ctx context.Context, m *partners.Membership) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		key := membershipKey(m.UserID, m.AccountID)
		if _, ok := s.memberships.Get(key); !ok {
			return partnerkit.NotFound("membership", m.UserID)
		}
		s.memberships.Put(t, key, *m)
		return nil
	})
}

// DeleteMembership implements partners.Store.
func (s *Store) DeleteMembership(ctx context.Context, userID, accountID string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		key := membershipKey(userID, accountID)
		if _, ok := s.memberships.Get(key); !ok {
			return partnerkit.NotFound("membership", userID)
		}
		s.memberships.Delete(t, key)
		return nil
	})
}

// put stores v under key in a table, in the context's transaction.
func put[V any](ctx context.Context, s *Store, tb *memdb.Table[string, V], key string, v V) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error { tb.Put(t, key, v); return nil })
}

// replace stores v under an existing key, or returns not_found naming kind.
func replace[V any](ctx context.Context, s *Store, tb *memdb.Table[string, V], kind, key string, v V) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, ok := tb.Get(key); !ok {
			return partnerkit.NotFound(kind, "")
		}
		tb.Put(t, key, v)
		return nil
	})
}

// del removes key from a table, or returns not_found naming kind.
func del[V any](ctx context.Context, s *Store, tb *memdb.Table[string, V], kind, key string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, ok := tb.Get(key); !ok {
			return partnerkit.NotFound(kind, "")
		}
		tb.Delete(t, key)
		return nil
	})
}

// CreateSession implements partners.AuthStore.
func (s *Store) CreateSession(ctx context.Context, x *partners.Session) error {
	return put(ctx, s, s.sessions, x.TokenHash, *x)
}

// GetSession implements partners.AuthStore.
func (s *Store) GetSession(ctx context.Context, tokenHash string) (*partners.Session, error) {
	return memdb.Get(ctx, s.db, s.sessions, "session", tokenHash)
}

// GetSessionView implements partners.AuthStore.
func (s *Store) GetSessionView(ctx context.Context, tokenHash string) (*partners.SessionView, error) {
	var out *partners.SessionView
	err := s.db.View(ctx, func() error {
		x, ok := s.sessions.Get(tokenHash)
		if !ok {
			return partnerkit.NotFound("session", "")
		}
		v := &partners.SessionView{Session: x}
		if m, ok := s.memberships.Get(membershipKey(x.UserID, x.AccountID)); ok {
			v.Role = m.Role
		}
		if a, ok := s.accounts.Get(x.AccountID); ok {
			v.AccountStatus = a.Status
		}
		out = v
		return nil
	})
	return out, err
}

// TouchSessions implements partners.AuthStore.
func (s *Store) TouchSessions(ctx context.Context, seen map[string]time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		for hash, at := range seen {
			if x, ok := s.sessions.Get(hash); ok && at.After(x.LastSeenAt) {
				x.LastSeenAt = at
				s.sessions.Put(t, hash, x)
			}
		}
		return nil
	})
}

// UpdateSession implements partners.AuthStore.
func (s *Store) UpdateSession(ctx context.Context, x *partners.Session) error {
	return replace(ctx, s, s.sessions, "session", x.TokenHash, *x)
}

// DeleteSession implements partners.AuthStore.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return del(ctx, s, s.sessions, "session", tokenHash)
}

// CreateAPIKey implements partners.AuthStore.
func (s *Store) CreateAPIKey(ctx context.Context, k *partners.APIKey) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		s.apiKeys.Put(t, k.ID, *k)
		s.keyHashes.Put(t, k.TokenHash, k.ID)
		return nil
	})
}

// GetAPIKey implements partners.AuthStore.
func (s *Store) GetAPIKey(ctx context.Context, id string) (*partners.APIKey, error) {
	return memdb.Get(ctx, s.db, s.apiKeys, "API key", id)
}

// GetAPIKeyByHash implements partners.AuthStore.
func (s *Store) GetAPIKeyByHash(ctx context.Context, tokenHash string) (*partners.APIKey, error) {
	var id string
	err := s.db.View(ctx, func() error {
		var ok bool
		if id, ok = s.keyHashes.Get(tokenHash); !ok {
			return partnerkit.NotFound("API key", "")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.GetAPIKey(ctx, id)
}

// GetAPIKeyView implements partners.AuthStore.
func (s *Store) GetAPIKeyView(ctx context.Context, tokenHash string) (*partners.APIKeyView, error) {
	k, err := s.GetAPIKeyByHash(ctx, tokenHash)
	if err != nil {
		return nil, err
	}
	v := &partners.APIKeyView{APIKey: *k}
	err = s.db.View(ctx, func() error {
		if a, ok := s.accounts.Get(k.AccountID); ok {
			v.AccountStatus = a.Status
		}
		return nil
	})
	return v, err
}

// TouchAPIKeys implements partners.AuthStore.
func (s *Store) TouchAPIKeys(ctx context.Context, used map[string]time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		for id, at := range used {
			if k, ok := s.apiKeys.Get(id); ok && (k.LastUsedAt == nil || at.After(*k.LastUsedAt)) {
				at := at
				k.LastUsedAt = &at
				s.apiKeys.Put(t, id, k)
			}
		}
		return nil
	})
}

// ListAPIKeys implements partners.AuthStore.
func (s *Store) ListAPIKeys(ctx context.Context, accountID string) ([]partners.APIKey, error) {
	var out []partners.APIKey
	err := s.db.View(ctx, func() error {
		for k := range s.apiKeys.Values() {
			if k.AccountID == accountID {
				out = append(out, k)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b partners.APIKey) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, err
}

// UpdateAPIKey implements partners.AuthStore.
func (s *Store) UpdateAPIKey(ctx context.Context, k *partners.APIKey) error {
	return replace(ctx, s, s.apiKeys, "API key", k.ID, *k)
}

// GetLoginFailures implements partners.AuthStore.
func (s *Store) GetLoginFailures(ctx context.Context, key string) (*partners.LoginFailures, error) {
	return memdb.Get(ctx, s.db, s.failures, "login failures", key)
}

// SwapLoginFailures implements partners.AuthStore under the engine's lock.
func (s *Store) SwapLoginFailures(ctx context.Context, old, next *partners.LoginFailures) (bool, error) {
	swapped := false
	err := s.db.Update(ctx, func(t *memdb.Tx) error {
		cur, ok := s.failures.Get(next.Key)
		if old == nil && ok || old != nil && (!ok || cur.Seq != old.Seq) {
			return nil
		}
		s.failures.Put(t, next.Key, *next)
		swapped = true
		return nil
	})
	return swapped, err
}

// DeleteLoginFailures implements partners.AuthStore.
func (s *Store) DeleteLoginFailures(ctx context.Context, key string) error {
	return del(ctx, s, s.failures, "login failures", key)
}

// CreateTeamInvitation implements partners.AuthStore.
func (s *Store) CreateTeamInvitation(ctx context.Context, inv *partners.TeamInvitation) error {
	return put(ctx, s, s.teamInvites, inv.TokenHash, *inv)
}

// GetTeamInvitationByHash implements partners.AuthStore.
func (s *Store) GetTeamInvitationByHash(ctx context.Context, tokenHash string) (*partners.TeamInvitation, error) {
	return memdb.Get(ctx, s.db, s.teamInvites, "team invitation", tokenHash)
}

// UseTeamInvitation implements partners.AuthStore.
func (s *Store) UseTeamInvitation(ctx context.Context, id string, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		for hash, inv := range s.teamInvites.All() {
			if inv.ID != id {
				continue
			}
			if inv.UsedAt != nil {
				return partnerkit.Errorf(partnerkit.CodeGone, "this invitation link has already been used: sign in instead")
			}
			inv.UsedAt = &at
			s.teamInvites.Put(t, hash, inv)
			return nil
		}
		return partnerkit.NotFound("team invitation", id)
	})
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
