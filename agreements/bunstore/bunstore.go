// Package bunstore is the SQL agreements.Store on Bun (SQLite and
// PostgreSQL). Open the database with partners/bunstore.Open, which migrates
// every domain's tables.
package bunstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/uptrace/bun"
)

// Store is an agreements.Store on a Bun database.
type Store struct{ db *bun.DB }

var _ agreements.Store = (*Store)(nil)

// New returns a Store on a migrated db. It refuses a database the stores
// cannot work on (see partners/bunstore.New).
func New(db *bun.DB) (*Store, error) {
	if err := sqldb.Check(context.Background(), db); err != nil {
		return nil, fmt.Errorf("agreements/bunstore: %w", err)
	}
	return &Store{db: db}, nil
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqldb.InTx(ctx, s.db, fn)
}

func (s *Store) conn(ctx context.Context) bun.IDB { return sqldb.Conn(ctx, s.db) }

type agreementRow struct {
	bun.BaseModel `bun:"table:agreements,alias:ag"`

	ID             string `bun:"id,pk"`
	OwnerID        string
	Type           string
	Name           string
	SearchName     string
	Description    string
	CurrentVersion int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

func toAgreementRow(a *agreements.Agreement) *agreementRow {
	return &agreementRow{ID: a.ID, OwnerID: a.OwnerID, Type: string(a.Type), Name: a.Name,
		SearchName: strings.ToLower(strings.TrimSpace(a.Name)), Description: a.Description,
		CurrentVersion: a.CurrentVersion, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: a.Version}
}

func (r *agreementRow) toDomain() agreements.Agreement {
	return agreements.Agreement{ID: r.ID, OwnerID: r.OwnerID, Type: agreements.Type(r.Type), Name: r.Name,
		Description: r.Description, CurrentVersion: r.CurrentVersion, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// CreateAgreement implements agreements.Store.
func (s *Store) CreateAgreement(ctx context.Context, a *agreements.Agreement) error {
	_, err := s.conn(ctx).NewInsert().Model(toAgreementRow(a)).Exec(ctx)
	return sqldb.Internal("bunstore.CreateAgreement", err)
}

// GetAgreement implements agreements.Store.
func (s *Store) GetAgreement(ctx context.Context, id string) (*agreements.Agreement, error) {
	var r agreementRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("ag.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("agreement", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetAgreement", err)
	}
	a := r.toDomain()
	return &a, nil
}

// UpdateAgreement implements agreements.Store.
func (s *Store) UpdateAgreement(ctx context.Context, a *agreements.Agreement) error {
	const op = "bunstore.UpdateAgreement"
	res, err := s.conn(ctx).NewUpdate().Model(toAgreementRow(a)).
		ExcludeColumn("id", "owner_id", "created_at", "version").
		Set("version = version + 1").WherePK().Where("version = ?", a.Version).Exec(ctx)
	if err := sqldb.CheckVersioned(ctx, op, res, err, "agreement", a.ID, func() error {
		_, err := s.GetAgreement(ctx, a.ID)
		return err
	}); err != nil {
		return err
	}
	a.Version++
	return nil
}

// ListAgreements implements agreements.Store.
func (s *Store) ListAgreements(ctx context.Context, q agreements.Query) ([]agreements.Agreement, int, error) {
	var rows []agreementRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("ag.owner_id = ?", q.OwnerID)
	if q.Type != "" {
		sel = sel.Where("ag.type = ?", string(q.Type))
	}
	if q.NameContains != "" {
		sel = sel.Where(`ag.search_name LIKE ? ESCAPE '\'`, "%"+sqldb.EscapeLike(q.NameContains)+"%")
	}
	sel = sel.OrderExpr(sqldb.OrderBy(agreements.ListOrder.Resolve(q.Sort),
		map[string]string{"name": "ag.search_name", "created_at": "ag.created_at"}, "ag.id"))
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal("bunstore.ListAgreements", err)
	}
	out := make([]agreements.Agreement, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, int(total), nil
}

type versionRow struct {
	bun.BaseModel `bun:"table:agreement_versions,alias:av"`

	AgreementID  string `bun:"agreement_id,pk"`
	Number       int    `bun:"number,pk"`
	DocumentKind string
	DocumentURL  string `bun:"document_url"`
	FileName     string
	MediaType    string
	Size         int64
	SHA256       string `bun:"sha256"`
	CreatedBy    string
	CreatedAt    time.Time
}

func (r *versionRow) toDomain() agreements.Version {
	return agreements.Version{AgreementID: r.AgreementID, Number: r.Number, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), Document: agreements.Document{Kind: agreements.DocumentKind(r.DocumentKind),
			URL: r.DocumentURL, FileName: r.FileName, MediaType: r.MediaType, Size: r.Size, SHA256: r.SHA256}}
}

type documentRow struct {
	bun.BaseModel `bun:"table:agreement_documents,alias:ad"`

	AgreementID string `bun:"agreement_id,pk"`
	Number      int    `bun:"number,pk"`
	Content     []byte
}

// CreateVersion implements agreements.Store.
func (s *Store) CreateVersion(ctx context.Context, v *agreements.Version, content []byte) error {
	const op = "bunstore.CreateVersion"
	return s.InTx(ctx, func(ctx context.Context) error {
		d := v.Document
		r := &versionRow{AgreementID: v.AgreementID, Number: v.Number, DocumentKind: string(d.Kind), DocumentURL: d.URL,
			FileName: d.FileName, MediaType: d.MediaType, Size: d.Size, SHA256: d.SHA256, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt}
		_, err := s.conn(ctx).NewInsert().Model(r).Exec(ctx)
		if _, dup := sqldb.UniqueViolation(err); dup {
			return partnerkit.Errorf(partnerkit.CodeConflict, "agreement %s already has version %d", v.AgreementID, v.Number)
		}
		if err != nil || content == nil {
			return sqldb.Internal(op, err)
		}
		_, err = s.conn(ctx).NewInsert().Model(&documentRow{AgreementID: v.AgreementID, Number: v.Number, Content: content}).Exec(ctx)
		return sqldb.Internal(op, err)
	})
}

// GetVersion implements agreements.Store.
func (s *Store) GetVersion(ctx context.Context, agreementID string, n int) (*agreements.Version, error) {
	var r versionRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("av.agreement_id = ? AND av.number = ?", agreementID, n).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.Errorf(partnerkit.CodeNotFound, "agreement %s has no version %d", agreementID, n)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetVersion", err)
	}
	v := r.toDomain()
	return &v, nil
}

// ListVersions implements agreements.Store.
func (s *Store) ListVersions(ctx context.Context, agreementID string) ([]agreements.Version, error) {
	var rows []versionRow
	err := s.conn(ctx).NewSelect().Model(&rows).Where("av.agreement_id = ?", agreementID).OrderExpr("av.number ASC").Scan(ctx)
	if err != nil {
		return nil, sqldb.Internal("bunstore.ListVersions", err)
	}
	out := make([]agreements.Version, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// DocumentContent implements agreements.Store.
func (s *Store) DocumentContent(ctx context.Context, agreementID string, n int) ([]byte, error) {
	var r documentRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("ad.agreement_id = ? AND ad.number = ?", agreementID, n).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.Errorf(partnerkit.CodeNotFound, "agreement %s version %d has no file", agreementID, n)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.DocumentContent", err)
	}
	return r.Content, nil
}

// DeleteVersion implements agreements.Store. The contracts table's foreign
// key keeps a bound version.
func (s *Store) DeleteVersion(ctx context.Context, agreementID string, n int) error {
	const op = "bunstore.DeleteVersion"
	return s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.conn(ctx).NewDelete().Model((*documentRow)(nil)).
			Where("agreement_id = ? AND number = ?", agreementID, n).Exec(ctx); err != nil {
			return sqldb.Internal(op, err)
		}
		res, err := s.conn(ctx).NewDelete().Model((*versionRow)(nil)).
			Where("agreement_id = ? AND number = ?", agreementID, n).Exec(ctx)
		if sqldb.ForeignKeyViolation(err) {
			return partnerkit.Errorf(partnerkit.CodeConflict, "version %d of agreement %s is bound to contracts and cannot be deleted", n, agreementID)
		}
		if err != nil {
			return sqldb.Internal(op, err)
		}
		if affected, _ := res.RowsAffected(); affected == 0 {
			return partnerkit.Errorf(partnerkit.CodeNotFound, "agreement %s has no version %d", agreementID, n)
		}
		return nil
	})
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
