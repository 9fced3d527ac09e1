// Package bunstore is the SQL contracts.Store on Bun (SQLite and
// PostgreSQL). Open the database with partners/bunstore.Open, which migrates
// every domain's tables.
package bunstore

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/uptrace/bun"
)

// Store is a contracts.Store on a Bun database.
type Store struct{ db *bun.DB }

var _ contracts.Store = (*Store)(nil)

// New returns a Store on a migrated db. It refuses a database the stores
// cannot work on (see partners/bunstore.New).
func New(db *bun.DB) (*Store, error) {
	if err := sqldb.Check(context.Background(), db); err != nil {
		return nil, fmt.Errorf("contracts/bunstore: %w", err)
	}
	// The directory's figures and the deletion blockers this domain owns.
	sqldb.RegisterDirectoryCount(db, sqldb.AccountCount{Name: contracts.CountSignedContracts,
		SQL: `(SELECT count(*) FROM contracts AS c WHERE c.partner_id = {account} AND c.status IN ('signed', 'active'))`})
	sqldb.RegisterDirectoryCount(db, sqldb.AccountCount{Name: contracts.CountAgreements,
		SQL: `(SELECT count(DISTINCT c.agreement_id) FROM contracts AS c WHERE c.partner_id = {account} AND c.status <> 'rejected')`})
	sqldb.RegisterDependent(db, sqldb.AccountCount{Name: contracts.KindContracts,
		SQL: `(SELECT count(*) FROM contracts WHERE partner_id = {account} OR owner_id = {account})`})
	return &Store{db: db}, nil
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqldb.InTx(ctx, s.db, fn)
}

func (s *Store) conn(ctx context.Context) bun.IDB { return sqldb.Conn(ctx, s.db) }

type marketplaceRow struct {
	bun.BaseModel `bun:"table:marketplaces,alias:mp"`

	ID         string `bun:"id,pk"`
	OwnerID    string
	Name       string
	SearchName string
	Currency   string
	External   bool
	CreatedAt  time.Time
}

func (r *marketplaceRow) toDomain() contracts.Marketplace {
	return contracts.Marketplace{ID: r.ID, OwnerID: r.OwnerID, Name: r.Name, Currency: r.Currency,
		External: r.External, CreatedAt: r.CreatedAt.UTC()}
}

// CreateMarketplace implements contracts.Store.
func (s *Store) CreateMarketplace(ctx context.Context, m *contracts.Marketplace) error {
	r := &marketplaceRow{ID: m.ID, OwnerID: m.OwnerID, Name: m.Name, SearchName: strings.ToLower(m.Name),
		Currency: m.Currency, External: m.External, CreatedAt: m.CreatedAt}
	_, err := s.conn(ctx).NewInsert().Model(r).Exec(ctx)
	if _, dup := sqldb.UniqueViolation(err); dup {
		return partnerkit.ConflictField("name", "your account already has a marketplace of this name")
	}
	return sqldb.Internal("bunstore.CreateMarketplace", err)
}

// GetMarketplace implements contracts.Store.
func (s *Store) GetMarketplace(ctx context.Context, id string) (*contracts.Marketplace, error) {
	var r marketplaceRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("mp.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("marketplace", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetMarketplace", err)
	}
	m := r.toDomain()
	return &m, nil
}

// ListMarketplaces implements contracts.Store.
func (s *Store) ListMarketplaces(ctx context.Context, ownerID string) ([]contracts.Marketplace, error) {
	var rows []marketplaceRow
	err := s.conn(ctx).NewSelect().Model(&rows).Where("mp.owner_id = ?", ownerID).
		OrderExpr("mp.search_name ASC, mp.id ASC").Scan(ctx)
	if err != nil {
		return nil, sqldb.Internal("bunstore.ListMarketplaces", err)
	}
	out := make([]contracts.Marketplace, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

type contractRow struct {
	bun.BaseModel `bun:"table:contracts,alias:c"`

	ID               string `bun:"id,pk"`
	OwnerID          string
	PartnerID        string
	AgreementID      string
	AgreementVersion int
	Type             string
	MarketplaceID    string `bun:",nullzero"`
	Status           string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	SignedAt         *time.Time
	ActivatedAt      *time.Time
	TerminatedAt     *time.Time
	Version          int
}

func toContractRow(c *contracts.Contract) *contractRow {
	return &contractRow{ID: c.ID, OwnerID: c.OwnerID, PartnerID: c.PartnerID, AgreementID: c.AgreementID,
		AgreementVersion: c.AgreementVersion, Type: string(c.Type), MarketplaceID: c.MarketplaceID,
		Status: string(c.Status), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, SignedAt: c.SignedAt,
		ActivatedAt: c.ActivatedAt, TerminatedAt: c.TerminatedAt, Version: c.Version}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (r *contractRow) toDomain() contracts.Contract {
	return contracts.Contract{ID: r.ID, OwnerID: r.OwnerID, PartnerID: r.PartnerID, AgreementID: r.AgreementID,
		AgreementVersion: r.AgreementVersion, Type: agreements.Type(r.Type), MarketplaceID: r.MarketplaceID,
		Status: contracts.Status(r.Status), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		SignedAt: utcPtr(r.SignedAt), ActivatedAt: utcPtr(r.ActivatedAt), TerminatedAt: utcPtr(r.TerminatedAt),
		Version: r.Version}
}

// CreateContract implements contracts.Store.
func (s *Store) CreateContract(ctx context.Context, c *contracts.Contract) error {
	_, err := s.conn(ctx).NewInsert().Model(toContractRow(c)).Exec(ctx)
	if _, dup := sqldb.UniqueViolation(err); dup {
		return partnerkit.ConflictField("marketplace_id", "the partner already has an open contract on this marketplace")
	}
	return sqldb.Internal("bunstore.CreateContract", err)
}

// GetContract implements contracts.Store.
func (s *Store) GetContract(ctx context.Context, id string) (*contracts.Contract, error) {
	var r contractRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("c.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("contract", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetContract", err)
	}
	c := r.toDomain()
	return &c, nil
}

// UpdateContract implements contracts.Store.
func (s *Store) UpdateContract(ctx context.Context, c *contracts.Contract) error {
	const op = "bunstore.UpdateContract"
	res, err := s.conn(ctx).NewUpdate().Model(toContractRow(c)).
		ExcludeColumn("id", "owner_id", "partner_id", "created_at", "version").
		Set("version = version + 1").WherePK().Where("version = ?", c.Version).Exec(ctx)
	if _, dup := sqldb.UniqueViolation(err); dup {
		return partnerkit.ConflictField("marketplace_id", "the partner already has an open contract on this marketplace")
	}
	if err := sqldb.CheckVersioned(ctx, op, res, err, "contract", c.ID, func() error {
		_, err := s.GetContract(ctx, c.ID)
		return err
	}); err != nil {
		return err
	}
	c.Version++
	return nil
}

// ListContracts implements contracts.Store.
func (s *Store) ListContracts(ctx context.Context, q contracts.Query) ([]contracts.Contract, int, error) {
	var rows []contractRow
	sel := s.conn(ctx).NewSelect().Model(&rows)
	if q.AccountID != "" {
		sel = sel.Where("(c.owner_id = ? OR c.partner_id = ?)", q.AccountID, q.AccountID)
	}
	for col, v := range map[string]string{"c.partner_id": q.PartnerID, "c.agreement_id": q.AgreementID,
		"c.marketplace_id": q.MarketplaceID, "c.status": string(q.Status)} {
		if v != "" {
			sel = sel.Where("? = ?", bun.Ident(col), v)
		}
	}
	if q.OpenOnly {
		sel = sel.Where("c.status IN (?)", bun.List([]string{"pending", "signed", "active"}))
	}
	sel = sel.OrderExpr(sqldb.OrderBy(contracts.ListOrder.Resolve(q.Sort), map[string]string{"created_at": "c.created_at"}, "c.id"))
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal("bunstore.ListContracts", err)
	}
	out := make([]contracts.Contract, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, int(total), nil
}

type eventRow struct {
	bun.BaseModel `bun:"table:contract_events,alias:ce"`

	ID               string `bun:"id,pk"`
	ContractID       string
	Type             string
	FromStatus       string
	ToStatus         string
	AgreementVersion int
	Actor            string
	At               time.Time
}

// AppendEvent implements contracts.Store.
func (s *Store) AppendEvent(ctx context.Context, e *contracts.Event) error {
	r := &eventRow{ID: e.ID, ContractID: e.ContractID, Type: string(e.Type), FromStatus: string(e.FromStatus),
		ToStatus: string(e.ToStatus), AgreementVersion: e.AgreementVersion, Actor: e.Actor, At: e.At}
	_, err := s.conn(ctx).NewInsert().Model(r).Exec(ctx)
	return sqldb.Internal("bunstore.AppendEvent", err)
}

// Events implements contracts.Store.
func (s *Store) Events(ctx context.Context, contractID string) ([]contracts.Event, error) {
	var rows []eventRow
	err := s.conn(ctx).NewSelect().Model(&rows).Where("ce.contract_id = ?", contractID).
		OrderExpr("ce.at ASC, ce.id ASC").Scan(ctx)
	if err != nil {
		return nil, sqldb.Internal("bunstore.Events", err)
	}
	out := make([]contracts.Event, len(rows))
	for i, r := range rows {
		out[i] = contracts.Event{ID: r.ID, ContractID: r.ContractID, Type: contracts.EventType(r.Type),
			FromStatus: contracts.Status(r.FromStatus), ToStatus: contracts.Status(r.ToStatus),
			AgreementVersion: r.AgreementVersion, Actor: r.Actor, At: r.At.UTC()}
	}
	return out, nil
}

type invitationRow struct {
	bun.BaseModel `bun:"table:invitations,alias:inv"`

	ID         string `bun:"id,pk"`
	TokenHash  string
	OwnerID    string
	PartnerID  string
	ContractID string
	CreatedBy  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     *time.Time
	UsedBy     string
	Status     string
	SentTo     string
	SentAt     *time.Time
	Sends      int
	RevokedAt  *time.Time
	RevokedBy  string
}

func (r *invitationRow) toDomain() contracts.Invitation {
	return contracts.Invitation{ID: r.ID, TokenHash: r.TokenHash, OwnerID: r.OwnerID, PartnerID: r.PartnerID,
		ContractID: r.ContractID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		UsedAt: utcPtr(r.UsedAt), UsedBy: r.UsedBy, Status: contracts.InvitationStatus(r.Status),
		SentTo: r.SentTo, SentAt: sentAt(r), Sends: max(r.Sends, 1), RevokedAt: utcPtr(r.RevokedAt), RevokedBy: r.RevokedBy}
}

func sentAt(r *invitationRow) time.Time {
	if r.SentAt == nil {
		return r.CreatedAt.UTC()
	}
	return r.SentAt.UTC()
}

// CreateInvitation implements contracts.Store.
func (s *Store) CreateInvitation(ctx context.Context, inv *contracts.Invitation) error {
	r := &invitationRow{ID: inv.ID, TokenHash: inv.TokenHash, OwnerID: inv.OwnerID, PartnerID: inv.PartnerID,
		ContractID: inv.ContractID, CreatedBy: inv.CreatedBy, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt,
		UsedAt: inv.UsedAt, UsedBy: inv.UsedBy, Status: string(cmp.Or(inv.Status, contracts.InvitationPending)),
		SentTo: inv.SentTo, SentAt: &inv.SentAt, Sends: max(inv.Sends, 1), RevokedAt: inv.RevokedAt, RevokedBy: inv.RevokedBy}
	if inv.SentAt.IsZero() {
		r.SentAt = &inv.CreatedAt
	}
	_, err := s.conn(ctx).NewInsert().Model(r).Exec(ctx)
	return sqldb.Internal("bunstore.CreateInvitation", err)
}

// InvitationByTokenHash implements contracts.Store.
func (s *Store) InvitationByTokenHash(ctx context.Context, hash string) (*contracts.Invitation, error) {
	var r invitationRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("inv.token_hash = ?", hash).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("invitation", "")
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.InvitationByTokenHash", err)
	}
	inv := r.toDomain()
	return &inv, nil
}

// UseInvitation implements contracts.Store with a conditional update: of
// concurrent calls, one changes the row and the others find it used.
func (s *Store) UseInvitation(ctx context.Context, id, tokenHash string, at time.Time, usedBy string) error {
	res, err := s.conn(ctx).NewUpdate().Model((*invitationRow)(nil)).
		Set("used_at = ?", at).Set("used_by = ?", usedBy).Set("status = ?", string(contracts.InvitationActivated)).
		Where("id = ? AND token_hash = ? AND used_at IS NULL AND status = ?", id, tokenHash, string(contracts.InvitationPending)).Exec(ctx)
	if err != nil {
		return sqldb.Internal("bunstore.UseInvitation", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if cur, err := s.InvitationByID(ctx, id); err == nil && cur.TokenHash != tokenHash && cur.Status.CanResend() {
			return partnerkit.Errorf(partnerkit.CodeNotFound, "this invitation link was replaced by a newer one: use the latest invitation")
		}
		return s.notPending(ctx, id)
	}
	return nil
}

// InvitationByID implements contracts.Store.
func (s *Store) InvitationByID(ctx context.Context, id string) (*contracts.Invitation, error) {
	var r invitationRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("inv.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("invitation", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.InvitationByID", err)
	}
	inv := r.toDomain()
	return &inv, nil
}

// RevokeInvitation implements contracts.Store with a conditional update.
func (s *Store) RevokeInvitation(ctx context.Context, id string, at time.Time, by string) error {
	res, err := s.conn(ctx).NewUpdate().Model((*invitationRow)(nil)).
		Set("status = ?", string(contracts.InvitationRevoked)).Set("revoked_at = ?", at).Set("revoked_by = ?", by).
		Where("id = ? AND status = ?", id, string(contracts.InvitationPending)).Exec(ctx)
	if err != nil {
		return sqldb.Internal("bunstore.RevokeInvitation", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.notPending(ctx, id)
	}
	return nil
}

// ReissueInvitation implements contracts.Store with a conditional update
// on the status and the token hash the caller read.
func (s *Store) ReissueInvitation(ctx context.Context, id, oldHash, newHash string, expiresAt time.Time, sentTo string, at time.Time) error {
	res, err := s.conn(ctx).NewUpdate().Model((*invitationRow)(nil)).
		Set("token_hash = ?", newHash).Set("expires_at = ?", expiresAt).Set("status = ?", string(contracts.InvitationPending)).
		Set("sent_to = ?", sentTo).Set("sent_at = ?", at).Set("sends = sends + 1").
		Where("id = ? AND token_hash = ? AND status IN (?, ?)", id, oldHash,
			string(contracts.InvitationPending), string(contracts.InvitationExpired)).Exec(ctx)
	if err != nil {
		return sqldb.Internal("bunstore.ReissueInvitation", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	cur, err := s.InvitationByID(ctx, id)
	if err != nil {
		return err
	}
	if cur.Status.CanResend() {
		return partnerkit.Errorf(partnerkit.CodeConflict, "this invitation was sent again meanwhile")
	}
	return errNotPending(cur.Status)
}

// notPending explains why a conditional move of an invitation changed no row.
func (s *Store) notPending(ctx context.Context, id string) error {
	var status string
	err := s.conn(ctx).NewSelect().Model((*invitationRow)(nil)).Column("status").Where("id = ?", id).Scan(ctx, &status)
	switch {
	case sqldb.IsNoRows(err):
		return partnerkit.NotFound("invitation", id)
	case err != nil:
		return sqldb.Internal("bunstore.notPending", err)
	}
	return errNotPending(contracts.InvitationStatus(status))
}

// errNotPending is the gone error of a move of an invitation in status.
func errNotPending(status contracts.InvitationStatus) error {
	if status == contracts.InvitationRevoked {
		return partnerkit.Errorf(partnerkit.CodeGone, "this invitation link was revoked: ask for a new one")
	}
	if status == contracts.InvitationExpired {
		return partnerkit.Errorf(partnerkit.CodeGone, "this invitation link has expired: ask for a new one")
	}
	if status == contracts.InvitationPending {
		return partnerkit.Errorf(partnerkit.CodeGone, "this invitation link has not expired yet")
	}
	return partnerkit.Errorf(partnerkit.CodeGone, "this invitation link has already been used: sign in instead")
}

// DueInvitations implements contracts.Store on the index of invitations
// by status and expiry.
func (s *Store) DueInvitations(ctx context.Context, dueBy time.Time, limit int) ([]contracts.Invitation, error) {
	var rows []invitationRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("inv.status = ? AND inv.expires_at <= ?", string(contracts.InvitationPending), dueBy).
		OrderExpr("inv.expires_at, inv.id")
	if err := sqldb.Page(sel, limit, 0).Scan(ctx); err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal("bunstore.DueInvitations", err)
	}
	out := make([]contracts.Invitation, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// ExpireInvitation implements contracts.Store with a conditional update.
func (s *Store) ExpireInvitation(ctx context.Context, id string, at time.Time) error {
	res, err := s.conn(ctx).NewUpdate().Model((*invitationRow)(nil)).Set("status = ?", string(contracts.InvitationExpired)).
		Where("id = ? AND status = ? AND used_at IS NULL AND expires_at <= ?", id, string(contracts.InvitationPending), at).Exec(ctx)
	if err != nil {
		return sqldb.Internal("bunstore.ExpireInvitation", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.notPending(ctx, id)
	}
	return nil
}

// ListInvitations implements contracts.Store.
func (s *Store) ListInvitations(ctx context.Context, q contracts.InvitationQuery) ([]contracts.Invitation, int, error) {
	var rows []invitationRow
	sel := s.conn(ctx).NewSelect().Model(&rows)
	if q.OwnerID != "" {
		sel = sel.Where("inv.owner_id = ?", q.OwnerID)
	}
	if q.PartnerID != "" {
		sel = sel.Where("inv.partner_id = ?", q.PartnerID)
	}
	if q.Status != "" {
		sel = sel.Where("inv.status = ?", string(q.Status))
	}
	sel = sel.OrderExpr(sqldb.OrderBy(contracts.InvitationOrder.Resolve(q.Sort),
		map[string]string{"created_at": "inv.created_at", "expires_at": "inv.expires_at"}, "inv.id"))
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal("bunstore.ListInvitations", err)
	}
	out := make([]contracts.Invitation, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, int(total), nil
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
