// Package bunstore is the SQL resellers.Store on Bun (SQLite and
// PostgreSQL). Open the database with partners/bunstore.Open, which migrates
// every domain's tables. Plans, resource amounts and scheduled decreases are
// JSON text columns (decimals as strings, so no digit is lost).
package bunstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// Store is a resellers.Store on a Bun database.
type Store struct {
	db *bun.DB
}

var _ resellers.Store = (*Store)(nil)

// New returns a Store on a migrated db. It refuses a database the stores
// cannot work on (see partners/bunstore.New).
func New(db *bun.DB) (*Store, error) {
	if err := sqldb.Check(context.Background(), db); err != nil {
		return nil, fmt.Errorf("resellers/bunstore: %w", err)
	}
	// The deletion blockers this domain owns.
	for _, c := range []sqldb.AccountCount{
		{Name: resellers.KindCatalogServices, SQL: `(SELECT count(*) FROM reseller_services WHERE provider_id = {account})`},
		{Name: resellers.KindClients, SQL: `(SELECT count(*) FROM reseller_clients WHERE partner_id = {account})`},
		{Name: resellers.KindSubscriptions, SQL: `(SELECT count(*) FROM reseller_subscriptions WHERE partner_id = {account} OR provider_id = {account})`},
	} {
		sqldb.RegisterDependent(db, c)
	}
	return &Store{db: db}, nil
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqldb.InTx(ctx, s.db, fn)
}

func (s *Store) conn(ctx context.Context) bun.IDB { return sqldb.Conn(ctx, s.db) }

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func fromJSON[T any](op, text string) (T, error) {
	var v T
	if text == "" {
		return v, nil
	}
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return v, sqldb.Internal(op, err)
	}
	return v, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type serviceRow struct {
	bun.BaseModel `bun:"table:reseller_services,alias:rs"`

	ID          string `bun:"id,pk"`
	ProviderID  string
	Name        string
	Description string
	Currency    string
	Plans       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

func toServiceRow(v *resellers.CatalogService) *serviceRow {
	return &serviceRow{ID: v.ID, ProviderID: v.ProviderID, Name: v.Name, Description: v.Description,
		Currency: v.Currency, Plans: toJSON(v.Plans), CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, Version: v.Version}
}

func (r *serviceRow) toDomain() (resellers.CatalogService, error) {
	plans, err := fromJSON[[]resellers.Plan]("bunstore.serviceRow", r.Plans)
	return resellers.CatalogService{ID: r.ID, ProviderID: r.ProviderID, Name: r.Name, Description: r.Description,
		Currency: r.Currency, Plans: plans, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}, err
}

// CreateService implements resellers.Store.
func (s *Store) CreateService(ctx context.Context, v *resellers.CatalogService) error {
	_, err := s.conn(ctx).NewInsert().Model(toServiceRow(v)).Exec(ctx)
	return sqldb.Internal("bunstore.CreateService", err)
}

// GetService implements resellers.Store.
func (s *Store) GetService(ctx context.Context, id string) (*resellers.CatalogService, error) {
	var r serviceRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("rs.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("catalog service", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetService", err)
	}
	v, err := r.toDomain()
	return &v, err
}

// UpdateService implements resellers.Store.
func (s *Store) UpdateService(ctx context.Context, v *resellers.CatalogService) error {
	const op = "bunstore.UpdateService"
	res, err := s.conn(ctx).NewUpdate().Model(toServiceRow(v)).
		ExcludeColumn("id", "provider_id", "created_at", "version").
		Set("version = version + 1").WherePK().Where("version = ?", v.Version).Exec(ctx)
	if err := sqldb.CheckVersioned(ctx, op, res, err, "catalog service", v.ID, func() error {
		_, err := s.GetService(ctx, v.ID)
		return err
	}); err != nil {
		return err
	}
	v.Version++
	return nil
}

// ListServices implements resellers.Store.
func (s *Store) ListServices(ctx context.Context, q resellers.ServiceQuery) ([]resellers.CatalogService, int, error) {
	const op = "bunstore.ListServices"
	if len(q.ProviderIDs) == 0 {
		return nil, 0, nil
	}
	var rows []serviceRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("rs.provider_id IN (?)", bun.List(q.ProviderIDs)).
		OrderExpr(sqldb.OrderBy(resellers.ServiceOrder.Resolve(q.Sort), map[string]string{"name": "rs.name", "created_at": "rs.created_at"}, "rs.id"))
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal(op, err)
	}
	out := make([]resellers.CatalogService, len(rows))
	for i := range rows {
		if out[i], err = rows[i].toDomain(); err != nil {
			return nil, 0, err
		}
	}
	return out, int(total), nil
}

type clientRow struct {
	bun.BaseModel `bun:"table:reseller_clients,alias:rc"`

	ID         string `bun:"id,pk"`
	PartnerID  string
	Name       string
	SearchName string
	Email      string
	Status     string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

func toClientRow(c *resellers.Client) *clientRow {
	return &clientRow{ID: c.ID, PartnerID: c.PartnerID, Name: c.Name, SearchName: strings.ToLower(c.Name), Email: c.Email,
		Status: string(c.Status), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

func (r *clientRow) toDomain() resellers.Client {
	return resellers.Client{ID: r.ID, PartnerID: r.PartnerID, Name: r.Name, Email: r.Email, Status: resellers.ClientStatus(r.Status),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// CreateClient implements resellers.Store.
func (s *Store) CreateClient(ctx context.Context, c *resellers.Client) error {
	_, err := s.conn(ctx).NewInsert().Model(toClientRow(c)).Exec(ctx)
	return sqldb.Internal("bunstore.CreateClient", err)
}

// GetClient implements resellers.Store.
func (s *Store) GetClient(ctx context.Context, id string) (*resellers.Client, error) {
	return s.getClient(ctx, id, false)
}

// LockClient implements resellers.Store: SELECT … FOR UPDATE on PostgreSQL;
// SQLite's write transactions are serialized already.
func (s *Store) LockClient(ctx context.Context, id string) (*resellers.Client, error) {
	return s.getClient(ctx, id, true)
}

func (s *Store) getClient(ctx context.Context, id string, lock bool) (*resellers.Client, error) {
	var r clientRow
	q := s.conn(ctx).NewSelect().Model(&r).Where("rc.id = ?", id)
	if lock && sqldb.IsPostgres(s.db) {
		q = q.For("UPDATE")
	}
	err := q.Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("client", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetClient", err)
	}
	c := r.toDomain()
	return &c, nil
}

// UpdateClient implements resellers.Store.
func (s *Store) UpdateClient(ctx context.Context, c *resellers.Client) error {
	const op = "bunstore.UpdateClient"
	res, err := s.conn(ctx).NewUpdate().Model(toClientRow(c)).
		ExcludeColumn("id", "partner_id", "created_at", "version").
		Set("version = version + 1").WherePK().Where("version = ?", c.Version).Exec(ctx)
	if err := sqldb.CheckVersioned(ctx, op, res, err, "client", c.ID, func() error {
		_, err := s.GetClient(ctx, c.ID)
		return err
	}); err != nil {
		return err
	}
	c.Version++
	return nil
}

// ListClients implements resellers.Store.
func (s *Store) ListClients(ctx context.Context, q resellers.ClientQuery) ([]resellers.Client, int, error) {
	var rows []clientRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("rc.partner_id = ?", q.PartnerID)
	if q.Status != "" {
		sel = sel.Where("rc.status = ?", string(q.Status))
	}
	if q.NameContains != "" {
		sel = sel.Where(`rc.search_name LIKE ? ESCAPE '\'`, "%"+sqldb.EscapeLike(q.NameContains)+"%")
	}
	sel = sel.OrderExpr(sqldb.OrderBy(resellers.ClientOrder.Resolve(q.Sort), map[string]string{"name": "rc.name", "created_at": "rc.created_at"}, "rc.id"))
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal("bunstore.ListClients", err)
	}
	out := make([]resellers.Client, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, int(total), nil
}

type subscriptionRow struct {
	bun.BaseModel `bun:"table:reseller_subscriptions,alias:sb"`

	ID                string `bun:"id,pk"`
	PartnerID         string
	ClientID          string
	ServiceID         string
	PlanID            string
	ProviderID        string
	ServiceName       string
	PlanName          string
	Currency          string
	BillingPeriod     string
	DecreaseAtRenewal bool `bun:",notnull"`
	AutoRenew         bool `bun:",notnull"`
	Status            string
	Resources         string
	Scheduled         string
	TrialEndsAt       *time.Time
	PeriodStart       time.Time
	PeriodEnd         time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Version           int
}

func toSubscriptionRow(v *resellers.Subscription) *subscriptionRow {
	sched := v.Scheduled
	if sched == nil {
		sched = []resellers.Amount{}
	}
	return &subscriptionRow{ID: v.ID, PartnerID: v.PartnerID, ClientID: v.ClientID, ServiceID: v.ServiceID, PlanID: v.PlanID,
		ProviderID: v.ProviderID, ServiceName: v.ServiceName, PlanName: v.PlanName, Currency: v.Currency, BillingPeriod: string(v.BillingPeriod),
		DecreaseAtRenewal: v.DecreaseAtRenewal, AutoRenew: v.AutoRenew, Status: string(v.Status), Resources: toJSON(v.Resources), Scheduled: toJSON(sched),
		TrialEndsAt: v.TrialEndsAt, PeriodStart: v.PeriodStart, PeriodEnd: v.PeriodEnd, CreatedAt: v.CreatedAt,
		UpdatedAt: v.UpdatedAt, Version: v.Version}
}

func (r *subscriptionRow) toDomain() (resellers.Subscription, error) {
	const op = "bunstore.subscriptionRow"
	res, err := fromJSON[[]resellers.Amount](op, r.Resources)
	if err != nil {
		return resellers.Subscription{}, err
	}
	sched, err := fromJSON[[]resellers.Amount](op, r.Scheduled)
	if len(sched) == 0 {
		sched = nil
	}
	return resellers.Subscription{ID: r.ID, PartnerID: r.PartnerID, ClientID: r.ClientID, ServiceID: r.ServiceID, PlanID: r.PlanID,
		ProviderID: r.ProviderID, ServiceName: r.ServiceName, PlanName: r.PlanName, Currency: r.Currency, BillingPeriod: resellers.BillingPeriod(r.BillingPeriod),
		DecreaseAtRenewal: r.DecreaseAtRenewal, AutoRenew: r.AutoRenew, Status: resellers.Status(r.Status), Resources: res, Scheduled: sched,
		TrialEndsAt: utc(r.TrialEndsAt), PeriodStart: r.PeriodStart.UTC(), PeriodEnd: r.PeriodEnd.UTC(),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}, err
}

// CreateSubscription implements resellers.Store.
func (s *Store) CreateSubscription(ctx context.Context, v *resellers.Subscription) error {
	_, err := s.conn(ctx).NewInsert().Model(toSubscriptionRow(v)).Exec(ctx)
	return sqldb.Internal("bunstore.CreateSubscription", err)
}

// GetSubscription implements resellers.Store.
func (s *Store) GetSubscription(ctx context.Context, id string) (*resellers.Subscription, error) {
	var r subscriptionRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("sb.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("subscription", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetSubscription", err)
	}
	v, err := r.toDomain()
	return &v, err
}

// UpdateSubscription implements resellers.Store.
func (s *Store) UpdateSubscription(ctx context.Context, v *resellers.Subscription) error {
	const op = "bunstore.UpdateSubscription"
	res, err := s.conn(ctx).NewUpdate().Model(toSubscriptionRow(v)).
		ExcludeColumn("id", "partner_id", "client_id", "service_id", "provider_id", "created_at", "version").
		Set("version = version + 1").WherePK().Where("version = ?", v.Version).Exec(ctx)
	if err := sqldb.CheckVersioned(ctx, op, res, err, "subscription", v.ID, func() error {
		_, err := s.GetSubscription(ctx, v.ID)
		return err
	}); err != nil {
		return err
	}
	v.Version++
	return nil
}

// ListSubscriptions implements resellers.Store.
func (s *Store) ListSubscriptions(ctx context.Context, q resellers.SubscriptionQuery) ([]resellers.Subscription, int, error) {
	var rows []subscriptionRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("sb.partner_id = ?", q.PartnerID)
	if q.ClientID != "" {
		sel = sel.Where("sb.client_id = ?", q.ClientID)
	}
	if q.ServiceID != "" {
		sel = sel.Where("sb.service_id = ?", q.ServiceID)
	}
	if q.Status != "" {
		sel = sel.Where("sb.status = ?", string(q.Status))
	}
	if !q.EndsBy.IsZero() {
		sel = sel.Where("sb.period_end <= ?", q.EndsBy)
	}
	sel = sel.OrderExpr(sqldb.OrderBy(resellers.SubscriptionOrder.Resolve(q.Sort), map[string]string{"created_at": "sb.created_at"}, "sb.id"))
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal("bunstore.ListSubscriptions", err)
	}
	out := make([]resellers.Subscription, len(rows))
	for i := range rows {
		if out[i], err = rows[i].toDomain(); err != nil {
			return nil, 0, err
		}
	}
	return out, int(total), nil
}

// DueSubscriptions implements resellers.Store, on the index of active
// subscriptions by period end.
func (s *Store) DueSubscriptions(ctx context.Context, q resellers.DueQuery) ([]resellers.Subscription, error) {
	var rows []subscriptionRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("sb.status = ?", string(resellers.StatusActive)).
		Where("sb.period_end <= ?", q.EndsBy)
	if q.AfterID != "" {
		sel = sel.Where("(sb.period_end > ? OR (sb.period_end = ? AND sb.id > ?))", q.AfterEnd, q.AfterEnd, q.AfterID)
	}
	sel = sqldb.Page(sel.OrderExpr("sb.period_end, sb.id"), q.Limit, 0)
	if err := sel.Scan(ctx); err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal("bunstore.DueSubscriptions", err)
	}
	out := make([]resellers.Subscription, len(rows))
	for i := range rows {
		var err error
		if out[i], err = rows[i].toDomain(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type eventRow struct {
	bun.BaseModel `bun:"table:reseller_subscription_events,alias:se"`

	ID             string `bun:"id,pk"`
	SubscriptionID string
	PartnerID      string
	Seq            int
	Type           string
	FromStatus     string
	ToStatus       string
	Resources      string
	Actor          string
	At             time.Time
}

// AppendEvent implements resellers.Store.
func (s *Store) AppendEvent(ctx context.Context, e *resellers.Event) error {
	r := &eventRow{ID: e.ID, SubscriptionID: e.SubscriptionID, PartnerID: e.PartnerID, Seq: e.Seq, Type: string(e.Type),
		FromStatus: string(e.From), ToStatus: string(e.To), Resources: toJSON(e.Resources), Actor: e.Actor, At: e.At}
	_, err := s.conn(ctx).NewInsert().Model(r).Exec(ctx)
	return sqldb.Internal("bunstore.AppendEvent", err)
}

// Events implements resellers.Store.
func (s *Store) Events(ctx context.Context, q resellers.EventQuery) ([]resellers.Event, error) {
	const op = "bunstore.Events"
	var rows []eventRow
	sel := s.conn(ctx).NewSelect().Model(&rows)
	if q.PartnerID != "" {
		sel = sel.Where("se.partner_id = ?", q.PartnerID)
	}
	if q.SubscriptionID != "" {
		sel = sel.Where("se.subscription_id = ?", q.SubscriptionID)
	}
	if !q.Before.IsZero() {
		sel = sel.Where("se.at < ?", q.Before)
	}
	if err := sel.OrderExpr("se.at, se.seq, se.id").Scan(ctx); err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal(op, err)
	}
	out := make([]resellers.Event, len(rows))
	for i, r := range rows {
		res, err := fromJSON[[]resellers.Amount](op, r.Resources)
		if err != nil {
			return nil, err
		}
		out[i] = resellers.Event{ID: r.ID, SubscriptionID: r.SubscriptionID, PartnerID: r.PartnerID, Seq: r.Seq,
			Type: resellers.EventType(r.Type), From: resellers.Status(r.FromStatus), To: resellers.Status(r.ToStatus),
			Resources: res, Actor: r.Actor, At: r.At.UTC()}
	}
	return out, nil
}

type chargeRow struct {
	bun.BaseModel `bun:"table:reseller_charges,alias:ch"`

	ID             string `bun:"id,pk"`
	PartnerID      string
	ClientID       string
	SubscriptionID string
	ServiceID      string
	Kind           string
	Resource       string
	Unit           string
	Quantity       decimal.Decimal
	UnitPrice      decimal.Decimal
	Fraction       decimal.Decimal
	Amount         decimal.Decimal
	Currency       string
	PeriodStart    time.Time
	PeriodEnd      time.Time
	Description    string
	CreatedAt      time.Time
}

// AppendCharge implements resellers.Store.
func (s *Store) AppendCharge(ctx context.Context, c *resellers.Charge) error {
	r := &chargeRow{ID: c.ID, PartnerID: c.PartnerID, ClientID: c.ClientID, SubscriptionID: c.SubscriptionID, ServiceID: c.ServiceID,
		Kind: string(c.Kind), Resource: c.Resource, Unit: c.Unit, Quantity: c.Quantity, UnitPrice: c.UnitPrice, Fraction: c.Fraction,
		Amount: c.Amount, Currency: c.Currency, PeriodStart: c.PeriodStart, PeriodEnd: c.PeriodEnd, Description: c.Description, CreatedAt: c.CreatedAt}
	_, err := s.conn(ctx).NewInsert().Model(r).Exec(ctx)
	return sqldb.Internal("bunstore.AppendCharge", err)
}

// ListCharges implements resellers.Store.
func (s *Store) ListCharges(ctx context.Context, q resellers.ChargeQuery) ([]resellers.Charge, int, error) {
	var rows []chargeRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("ch.partner_id = ?", q.PartnerID)
	if q.SubscriptionID != "" {
		sel = sel.Where("ch.subscription_id = ?", q.SubscriptionID)
	}
	if q.ClientID != "" {
		sel = sel.Where("ch.client_id = ?", q.ClientID)
	}
	if !q.From.IsZero() {
		sel = sel.Where("ch.created_at >= ?", q.From)
	}
	if !q.To.IsZero() {
		sel = sel.Where("ch.created_at < ?", q.To)
	}
	sort := resellers.ChargeListOrder.Resolve(q.Sort)
	tie := "ch.period_start ASC, ch.id"
	if sort.Desc() {
		tie = "ch.period_start DESC, ch.id"
	}
	sel = sel.OrderExpr(sqldb.OrderBy(sort, map[string]string{"created_at": "ch.created_at"}, tie))
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal("bunstore.ListCharges", err)
	}
	out := make([]resellers.Charge, len(rows))
	for i, r := range rows {
		out[i] = resellers.Charge{ID: r.ID, PartnerID: r.PartnerID, ClientID: r.ClientID, SubscriptionID: r.SubscriptionID,
			ServiceID: r.ServiceID, Kind: resellers.ChargeKind(r.Kind), Resource: r.Resource, Unit: r.Unit,
			Quantity: r.Quantity, UnitPrice: r.UnitPrice, Fraction: r.Fraction, Amount: r.Amount, Currency: r.Currency,
			PeriodStart: r.PeriodStart.UTC(), PeriodEnd: r.PeriodEnd.UTC(), Description: r.Description, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, int(total), nil
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
