// Package bunstore is the SQL capacity.Store on Bun (SQLite and
// PostgreSQL). Open the database with partners/bunstore.Open, which migrates
// every domain's tables.
package bunstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// Store is a capacity.Store on a Bun database.
type Store struct {
	db *bun.DB
	// hot runs the ingestion path's lookups as prepared statements.
	hot *sqldb.Prepared

	mu          sync.Mutex
	sampleStmts map[int]*sql.Stmt // prepared sample inserts by row count
}

var _ capacity.Store = (*Store)(nil)

// New returns a Store on a migrated db. It refuses a database the stores
// cannot work on (see partners/bunstore.New).
func New(db *bun.DB) (*Store, error) {
	if err := sqldb.Check(context.Background(), db); err != nil {
		return nil, fmt.Errorf("capacity/bunstore: %w", err)
	}
	// The deletion blockers this domain owns.
	for _, c := range []sqldb.AccountCount{
		{Name: capacity.KindStorageAccounts, SQL: `(SELECT count(*) FROM storage_accounts WHERE partner_id = {account})`},
		{Name: capacity.KindAllocations, SQL: `(SELECT count(*) FROM allocations WHERE partner_id = {account})`},
		{Name: capacity.KindDeals, SQL: `(SELECT count(*) FROM deals WHERE partner_id = {account} OR owner_id = {account})`},
		{Name: capacity.KindUsageHistory, SQL: `(SELECT count(*) FROM usage_partner_daily WHERE partner_id = {account})`},
	} {
		sqldb.RegisterDependent(db, c)
	}
	return &Store{db: db, hot: sqldb.NewPrepared(db)}, nil
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqldb.InTx(ctx, s.db, fn)
}

func (s *Store) conn(ctx context.Context) bun.IDB { return sqldb.Conn(ctx, s.db) }

type termsRow struct {
	bun.BaseModel `bun:"table:capacity_terms,alias:ct"`

	ContractID       string `bun:"contract_id,pk"`
	ReservedTB       decimal.Decimal
	BillingModel     string
	PricePerTB       decimal.Decimal
	ExcessPricePerTB decimal.Decimal
	Currency         string
	AlertThresholds  string
	UpdatedAt        time.Time
}

func (r *termsRow) toDomain() capacity.Terms {
	return capacity.Terms{ContractID: r.ContractID, ReservedTB: r.ReservedTB, BillingModel: capacity.BillingModel(r.BillingModel),
		PricePerTB: r.PricePerTB, ExcessPricePerTB: r.ExcessPricePerTB, Currency: r.Currency,
		AlertThresholds: thresholdsFromText(r.AlertThresholds), UpdatedAt: r.UpdatedAt.UTC()}
}

// thresholdsToText and thresholdsFromText keep a contract's alert
// thresholds as a JSON list ("[80,90,100]").
func thresholdsToText(ts []int) string {
	if ts == nil {
		ts = []int{}
	}
	b, _ := json.Marshal(ts)
	return string(b)
}

func thresholdsFromText(text string) []int {
	ts := []int{}
	if err := json.Unmarshal([]byte(text), &ts); err != nil {
		return []int{} // unreadable thresholds alert nothing, as none would
	}
	return ts
}

// PutTerms implements capacity.Store.
func (s *Store) PutTerms(ctx context.Context, t *capacity.Terms) error {
	r := &termsRow{ContractID: t.ContractID, ReservedTB: t.ReservedTB, BillingModel: string(t.BillingModel),
		PricePerTB: t.PricePerTB, ExcessPricePerTB: t.ExcessPricePerTB, Currency: t.Currency,
		AlertThresholds: thresholdsToText(t.AlertThresholds), UpdatedAt: t.UpdatedAt}
	_, err := s.conn(ctx).NewInsert().Model(r).On("CONFLICT (contract_id) DO UPDATE").
		Set("reserved_tb = EXCLUDED.reserved_tb, billing_model = EXCLUDED.billing_model").
		Set("price_per_tb = EXCLUDED.price_per_tb, excess_price_per_tb = EXCLUDED.excess_price_per_tb").
		Set("currency = EXCLUDED.currency, alert_thresholds = EXCLUDED.alert_thresholds, updated_at = EXCLUDED.updated_at").Exec(ctx)
	return sqldb.Internal("bunstore.PutTerms", err)
}

func (s *Store) getTerms(ctx context.Context, contractID string, lock bool) (*capacity.Terms, error) {
	var r termsRow
	q := s.conn(ctx).NewSelect().Model(&r).Where("ct.contract_id = ?", contractID)
	if lock && sqldb.IsPostgres(s.db) {
		q = q.For("UPDATE")
	}
	err := q.Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("capacity terms of contract", contractID)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetTerms", err)
	}
	t := r.toDomain()
	return &t, nil
}

// GetTerms implements capacity.Store.
func (s *Store) GetTerms(ctx context.Context, contractID string) (*capacity.Terms, error) {
	return s.getTerms(ctx, contractID, false)
}

// LockTerms implements capacity.Store: SELECT ... FOR UPDATE on PostgreSQL;
// SQLite's write transactions (BEGIN IMMEDIATE) are serialized already.
func (s *Store) LockTerms(ctx context.Context, contractID string) (*capacity.Terms, error) {
	return s.getTerms(ctx, contractID, true)
}

// ListTerms implements capacity.Store.
func (s *Store) ListTerms(ctx context.Context, contractIDs []string) ([]capacity.Terms, error) {
	if len(contractIDs) == 0 {
		return nil, nil
	}
	var rows []termsRow
	if err := s.conn(ctx).NewSelect().Model(&rows).Where("ct.contract_id IN (?)", bun.List(contractIDs)).Scan(ctx); err != nil {
		return nil, sqldb.Internal("bunstore.ListTerms", err)
	}
	out := make([]capacity.Terms, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

type allocationRow struct {
	bun.BaseModel `bun:"table:allocations,alias:al"`

	PartnerID      string `bun:"partner_id,pk"`
	ContractID     string
	AllocatedTB    decimal.Decimal `bun:"allocated_tb"`
	AllowOverdraft bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (r *allocationRow) toDomain() capacity.Allocation {
	return capacity.Allocation{PartnerID: r.PartnerID, ContractID: r.ContractID, AllocatedTB: r.AllocatedTB,
		AllowOverdraft: r.AllowOverdraft, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// GetAllocation implements capacity.Store.
func (s *Store) GetAllocation(ctx context.Context, partnerID string) (*capacity.Allocation, error) {
	return s.getAllocation(ctx, partnerID, false)
}

// LockAllocation implements capacity.Store: SELECT … FOR UPDATE on
// PostgreSQL; SQLite's write transactions are serialized already.
func (s *Store) LockAllocation(ctx context.Context, partnerID string) (*capacity.Allocation, error) {
	return s.getAllocation(ctx, partnerID, true)
}

func (s *Store) getAllocation(ctx context.Context, partnerID string, lock bool) (*capacity.Allocation, error) {
	var r allocationRow
	q := s.conn(ctx).NewSelect().Model(&r).Where("al.partner_id = ?", partnerID)
	if lock && sqldb.IsPostgres(s.db) {
		q = q.For("UPDATE")
	}
	err := q.Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("allocation of partner", partnerID)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetAllocation", err)
	}
	a := r.toDomain()
	return &a, nil
}

// ContractAllocations implements capacity.Store.
func (s *Store) ContractAllocations(ctx context.Context, contractID string) ([]capacity.Allocation, error) {
	var rows []allocationRow
	err := s.conn(ctx).NewSelect().Model(&rows).Where("al.contract_id = ?", contractID).OrderExpr("al.partner_id").Scan(ctx)
	if err != nil {
		return nil, sqldb.Internal("bunstore.ContractAllocations", err)
	}
	out := make([]capacity.Allocation, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// PutAllocation implements capacity.Store.
func (s *Store) PutAllocation(ctx context.Context, a *capacity.Allocation) error {
	r := &allocationRow{PartnerID: a.PartnerID, ContractID: a.ContractID, AllocatedTB: a.AllocatedTB,
		AllowOverdraft: a.AllowOverdraft, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	_, err := s.conn(ctx).NewInsert().Model(r).On("CONFLICT (partner_id) DO UPDATE").
		Set("contract_id = EXCLUDED.contract_id, allocated_tb = EXCLUDED.allocated_tb").
		Set("allow_overdraft = EXCLUDED.allow_overdraft, updated_at = EXCLUDED.updated_at").Exec(ctx)
	return sqldb.Internal("bunstore.PutAllocation", err)
}

type historyRow struct {
	bun.BaseModel `bun:"table:allocation_history,alias:ah"`

	ID          string `bun:"id,pk"`
	PartnerID   string
	ContractID  string
	AllocatedTB decimal.Decimal `bun:"allocated_tb"`
	EffectiveAt time.Time
}

// AppendAllocationChange implements capacity.Store.
func (s *Store) AppendAllocationChange(ctx context.Context, c *capacity.AllocationChange) error {
	_, err := s.conn(ctx).NewInsert().Model(&historyRow{ID: c.ID, PartnerID: c.PartnerID, ContractID: c.ContractID,
		AllocatedTB: c.AllocatedTB, EffectiveAt: c.EffectiveAt}).Exec(ctx)
	return sqldb.Internal("bunstore.AppendAllocationChange", err)
}

// AllocationHistory implements capacity.Store, as a prepared statement
// (every ingested batch reads its partners' history; see padded).
func (s *Store) AllocationHistory(ctx context.Context, partnerIDs []string) ([]capacity.AllocationChange, error) {
	const op = "bunstore.AllocationHistory"
	var out []capacity.AllocationChange
	for chunk := range slices.Chunk(partnerIDs, sqldb.MaxListed) {
		args := sqldb.PaddedIDs(chunk)
		rows, err := s.hot.Query(ctx, `SELECT id, partner_id, contract_id, allocated_tb, effective_at FROM allocation_history
			WHERE partner_id IN (`+sqldb.Placeholders(len(args), 1, true)+`) ORDER BY effective_at, id`, args...)
		if err != nil {
			return nil, sqldb.Internal(op, err)
		}
		for rows.Next() {
			var c capacity.AllocationChange
			if err := rows.Scan(&c.ID, &c.PartnerID, &c.ContractID, &c.AllocatedTB, &c.EffectiveAt); err != nil {
				rows.Close()
				return nil, sqldb.Internal(op, err)
			}
			c.EffectiveAt = c.EffectiveAt.UTC()
			out = append(out, c)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, sqldb.Internal(op, err)
		}
	}
	if len(partnerIDs) > sqldb.MaxListed { // oldest first across the chunks too
		slices.SortStableFunc(out, func(a, b capacity.AllocationChange) int {
			if c := a.EffectiveAt.Compare(b.EffectiveAt); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	return out, nil
}

type storageRow struct {
	bun.BaseModel `bun:"table:storage_accounts,alias:sa"`

	ID         string `bun:"id,pk"`
	PartnerID  string
	Name       string
	SearchName string
	QuotaTB    decimal.Decimal `bun:"quota_tb"`
	Status     string
	DeleteAt   *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

func toStorageRow(a *capacity.StorageAccount) *storageRow {
	return &storageRow{ID: a.ID, PartnerID: a.PartnerID, Name: a.Name, SearchName: strings.ToLower(strings.TrimSpace(a.Name)),
		QuotaTB: a.QuotaTB, Status: string(a.Status), DeleteAt: a.DeleteAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		Version: a.Version}
}

func (r *storageRow) toDomain() capacity.StorageAccount {
	a := capacity.StorageAccount{ID: r.ID, PartnerID: r.PartnerID, Name: r.Name, QuotaTB: r.QuotaTB,
		Status: capacity.StorageStatus(r.Status), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.DeleteAt != nil {
		t := r.DeleteAt.UTC()
		a.DeleteAt = &t
	}
	return a
}

const nameTaken = "the partner already has a storage account of this name"

// CreateStorageAccount implements capacity.Store.
func (s *Store) CreateStorageAccount(ctx context.Context, a *capacity.StorageAccount) error {
	_, err := s.conn(ctx).NewInsert().Model(toStorageRow(a)).Exec(ctx)
	if _, dup := sqldb.UniqueViolation(err); dup {
		return partnerkit.ConflictField("name", nameTaken)
	}
	return sqldb.Internal("bunstore.CreateStorageAccount", err)
}

// removedAccount is the error of a batch whose storage account was purged
// between its check and its insert.
const removedAccount = "name a storage account that was removed while the batch was stored"

// StorageAccountOwners implements capacity.Store, as prepared statements
// (every ingested batch reads its accounts' partners; see
// sqldb.PaddedIDs).
func (s *Store) StorageAccountOwners(ctx context.Context, ids []string) (map[string]string, error) {
	const op = "bunstore.StorageAccountOwners"
	out := make(map[string]string, len(ids))
	for chunk := range slices.Chunk(ids, sqldb.MaxListed) {
		args := sqldb.PaddedIDs(chunk)
		rows, err := s.hot.Query(ctx, `SELECT id, partner_id FROM storage_accounts WHERE id IN (`+sqldb.Placeholders(len(args), 1, true)+`)`, args...)
		if err != nil {
			return nil, sqldb.Internal(op, err)
		}
		for rows.Next() {
			var id, partnerID string
			if err := rows.Scan(&id, &partnerID); err != nil {
				rows.Close()
				return nil, sqldb.Internal(op, err)
			}
			out[id] = partnerID
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, sqldb.Internal(op, err)
		}
	}
	return out, nil
}

// GetStorageAccount implements capacity.Store.
func (s *Store) GetStorageAccount(ctx context.Context, id string) (*capacity.StorageAccount, error) {
	var r storageRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("sa.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("storage account", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetStorageAccount", err)
	}
	a := r.toDomain()
	return &a, nil
}

// UpdateStorageAccount implements capacity.Store.
func (s *Store) UpdateStorageAccount(ctx context.Context, a *capacity.StorageAccount) error {
	const op = "bunstore.UpdateStorageAccount"
	res, err := s.conn(ctx).NewUpdate().Model(toStorageRow(a)).
		ExcludeColumn("id", "partner_id", "created_at", "version").
		Set("version = version + 1").WherePK().Where("version = ?", a.Version).Exec(ctx)
	if _, dup := sqldb.UniqueViolation(err); dup {
		return partnerkit.ConflictField("name", nameTaken)
	}
	if err := sqldb.CheckVersioned(ctx, op, res, err, "storage account", a.ID, func() error {
		_, err := s.GetStorageAccount(ctx, a.ID)
		return err
	}); err != nil {
		return err
	}
	a.Version++
	return nil
}

// ListStorageAccounts implements capacity.Store.
func (s *Store) ListStorageAccounts(ctx context.Context, q capacity.StorageQuery) ([]capacity.StorageAccount, int, error) {
	var rows []storageRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("sa.partner_id = ?", q.PartnerID)
	if q.Status != "" {
		sel = sel.Where("sa.status = ?", string(q.Status))
	}
	if q.NameContains != "" {
		sel = sel.Where(`sa.search_name LIKE ? ESCAPE '\'`, "%"+sqldb.EscapeLike(q.NameContains)+"%")
	}
	sel = sel.OrderExpr(sqldb.OrderBy(capacity.StorageOrder.Resolve(q.Sort),
		map[string]string{"name": "sa.search_name", "created_at": "sa.created_at"}, "sa.id"))
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal("bunstore.ListStorageAccounts", err)
	}
	out := make([]capacity.StorageAccount, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, int(total), nil
}

// PurgeStorageAccounts implements capacity.Store with one DELETE …
// RETURNING (of concurrent purges, each row is returned by the one that
// deleted it); usage rows go with their account (ON DELETE CASCADE).
func (s *Store) PurgeStorageAccounts(ctx context.Context, dueBy time.Time) ([]capacity.StorageAccount, error) {
	var rows []storageRow
	err := s.InTx(ctx, func(ctx context.Context) error {
		rows = nil
		_, err := s.conn(ctx).NewDelete().Model(&rows).
			Where("status = ? AND delete_at <= ?", string(capacity.StorageDeletionScheduled), dueBy).
			Returning("*").Exec(ctx)
		return sqldb.Internal("bunstore.PurgeStorageAccounts", err)
	})
	if err != nil {
		return nil, err
	}
	out := make([]capacity.StorageAccount, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	slices.SortFunc(out, func(a, b capacity.StorageAccount) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// allocationUsageRow is one row of AllocationUsage's query.
type allocationUsageRow struct {
	PartnerID       string
	ContractID      string
	AllocatedTB     decimal.Decimal
	AlertThresholds string
	Day             int
	AvgBytes        int64
}

// AllocationUsage implements capacity.Store: every allocation joined with
// its contract's terms and its partner's newest rollup on that contract
// (found on the rollups' primary key).
func (s *Store) AllocationUsage(ctx context.Context, from capacity.Day) ([]capacity.AllocationUsage, error) {
	var rows []allocationUsageRow
	err := s.conn(ctx).NewRaw(`SELECT a.partner_id, a.contract_id, a.allocated_tb, t.alert_thresholds, d.day, d.avg_bytes
		FROM allocations AS a
		JOIN capacity_terms AS t ON t.contract_id = a.contract_id
		JOIN usage_partner_daily AS d ON d.partner_id = a.partner_id AND d.contract_id = a.contract_id
		WHERE d.day = (SELECT max(d2.day) FROM usage_partner_daily AS d2
			WHERE d2.partner_id = a.partner_id AND d2.contract_id = a.contract_id AND d2.day >= ?)
		ORDER BY a.partner_id`, int(from)).Scan(ctx, &rows)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal("bunstore.AllocationUsage", err)
	}
	out := make([]capacity.AllocationUsage, len(rows))
	for i, r := range rows {
		out[i] = capacity.AllocationUsage{PartnerID: r.PartnerID, ContractID: r.ContractID, AllocatedTB: r.AllocatedTB,
			AlertThresholds: thresholdsFromText(r.AlertThresholds), Day: capacity.Day(r.Day), AvgBytes: r.AvgBytes}
	}
	return out, nil
}

type usageAlertRow struct {
	bun.BaseModel `bun:"table:usage_alerts,alias:ua"`

	PartnerID   string          `bun:"partner_id,pk"`
	ContractID  string          `bun:"contract_id,pk"`
	Month       string          `bun:"month,pk"`
	Threshold   int             `bun:"threshold,pk"`
	UsedTB      decimal.Decimal `bun:"used_tb"`
	AllocatedTB decimal.Decimal `bun:"allocated_tb"`
}

// UsageAlerts implements capacity.Store.
func (s *Store) UsageAlerts(ctx context.Context, month string) ([]capacity.UsageAlert, error) {
	var rows []usageAlertRow
	err := s.conn(ctx).NewSelect().Model(&rows).Where("ua.month = ?", month).
		OrderExpr("ua.partner_id, ua.contract_id, ua.threshold").Scan(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal("bunstore.UsageAlerts", err)
	}
	out := make([]capacity.UsageAlert, len(rows))
	for i, r := range rows {
		out[i] = capacity.UsageAlert{PartnerID: r.PartnerID, ContractID: r.ContractID, Threshold: r.Threshold,
			UsedTB: r.UsedTB, AllocatedTB: r.AllocatedTB, Month: r.Month}
	}
	return out, nil
}

// InsertUsageAlert implements capacity.Store with INSERT … ON CONFLICT DO
// NOTHING: of concurrent inserts of one key, one inserts the row.
func (s *Store) InsertUsageAlert(ctx context.Context, a *capacity.UsageAlert) (bool, error) {
	r := &usageAlertRow{PartnerID: a.PartnerID, ContractID: a.ContractID, Month: a.Month, Threshold: a.Threshold,
		UsedTB: a.UsedTB, AllocatedTB: a.AllocatedTB}
	res, err := s.conn(ctx).NewInsert().Model(r).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return false, sqldb.Internal("bunstore.InsertUsageAlert", err)
	}
	n, err := res.RowsAffected()
	return n == 1, sqldb.Internal("bunstore.InsertUsageAlert", err)
}

// sampleChunk bounds one INSERT statement.
const sampleChunk = 1000

// InsertSamples implements capacity.Store with prepared multi-row
// INSERT ... ON CONFLICT DO NOTHING statements (the ingestion hot path, so
// it skips the query builder): stored samples are skipped.
func (s *Store) InsertSamples(ctx context.Context, samples []capacity.Sample) (int, error) {
	n := 0
	insert := func(ctx context.Context) error {
		args := make([]any, 0, 3*min(len(samples), sampleChunk))
		for chunk := range slices.Chunk(samples, sampleChunk) {
			stmt, err := s.sampleStmt(ctx, len(chunk))
			if err != nil {
				return sqldb.Internal("bunstore.InsertSamples", err)
			}
			args = args[:0]
			for _, x := range chunk {
				args = append(args, x.StorageAccountID, x.Timestamp.Unix(), x.Bytes)
			}
			if tx, ok := sqldb.Conn(ctx, s.db).(bun.Tx); ok {
				stmt = tx.Tx.StmtContext(ctx, stmt)
			}
			res, err := stmt.ExecContext(ctx, args...)
			if sqldb.ForeignKeyViolation(err) { // purged after the batch was checked
				return partnerkit.FieldError("samples", removedAccount)
			}
			if err != nil {
				return sqldb.Internal("bunstore.InsertSamples", err)
			}
			affected, err := res.RowsAffected()
			if err != nil {
				return sqldb.Internal("bunstore.InsertSamples", err)
			}
			n += int(affected)
		}
		return nil
	}
	if len(samples) <= sampleChunk { // one statement is atomic already
		return n, insert(ctx)
	}
	return n, s.InTx(ctx, insert)
}

// sampleStmt returns the prepared insert of n samples, preparing it once.
func (s *Store) sampleStmt(ctx context.Context, n int) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if stmt, ok := s.sampleStmts[n]; ok {
		return stmt, nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO usage_samples (storage_account_id, ts, bytes) VALUES ")
	pg := sqldb.IsPostgres(s.db)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		if pg {
			fmt.Fprintf(&b, "($%d, $%d, $%d)", 3*i+1, 3*i+2, 3*i+3)
		} else {
			b.WriteString("(?, ?, ?)")
		}
	}
	b.WriteString(" ON CONFLICT DO NOTHING")
	stmt, err := s.db.DB.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, err
	}
	if s.sampleStmts == nil {
		s.sampleStmts = map[int]*sql.Stmt{}
	}
	s.sampleStmts[n] = stmt
	return stmt, nil
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

type accountDailyRow struct {
	bun.BaseModel `bun:"table:usage_account_daily,alias:ud"`

	StorageAccountID string `bun:"storage_account_id,pk"`
	Day              int64  `bun:"day,pk"`
	PartnerID        string
	PeakBytes        int64
	SumBytes         int64
	Samples          int
	LastTS           int64 `bun:"last_ts"`
}

// AddAccountDaily implements capacity.Store with multi-row upserts that
// merge into existing rollups, prepared, in statements of power-of-two
// sizes so that few texts serve every batch (Bun wrote the values into the
// SQL, which SQLite parsed for every batch). On SQLite a batch is one
// statement, padded to its size with rows of NULLs that its WHERE leaves
// out (as statements of 32, 16 and 2 rows, 50 accounts cost 2 % more of an
// ingestion: BenchmarkIngestUsage); on PostgreSQL, where each padded value
// would need a cast, the rows go in statements of the powers of two that
// add up to the batch.
func (s *Store) AddAccountDaily(ctx context.Context, rows []capacity.AccountDaily) error {
	const insert = `INSERT INTO usage_account_daily AS ud (storage_account_id, day, partner_id, peak_bytes, sum_bytes, samples, last_ts) `
	set := ` ON CONFLICT (storage_account_id, day) DO UPDATE SET peak_bytes = max(ud.peak_bytes, EXCLUDED.peak_bytes),
			sum_bytes = ud.sum_bytes + EXCLUDED.sum_bytes, samples = ud.samples + EXCLUDED.samples,
			last_ts = max(ud.last_ts, EXCLUDED.last_ts)`
	pg := sqldb.IsPostgres(s.db)
	if pg { // SQLite's two-argument max is PostgreSQL's GREATEST
		set = strings.ReplaceAll(set, "max(", "GREATEST(")
	}
	for len(rows) > 0 {
		n := min(len(rows), sqldb.MaxListed)
		if pg {
			n = 1 << (bits.Len(uint(n)) - 1) // the largest power of two in n
		}
		size := sqldb.PaddedSize(n)
		args := make([]any, 0, 7*size)
		for _, r := range rows[:n] {
			args = append(args, r.StorageAccountID, int64(r.Day), r.PartnerID, r.PeakBytes, r.SumBytes, r.Samples, r.LastTimestamp)
		}
		rows = rows[n:]
		query := insert + `VALUES ` + sqldb.Placeholders(n, 7, false) + set
		if !pg {
			args = append(args, make([]any, 7*(size-n))...) // NULLs
			query = insert + `SELECT * FROM (VALUES ` + sqldb.Placeholders(size, 7, false) + `) WHERE column1 IS NOT NULL` + set
		}
		if _, err := s.hot.Exec(ctx, query, args...); err != nil {
			return sqldb.Internal("bunstore.AddAccountDaily", err)
		}
	}
	return nil
}

// RecomputeAccountDaily implements capacity.Store.
func (s *Store) RecomputeAccountDaily(ctx context.Context, keys []capacity.AccountDaily) error {
	const op = "bunstore.RecomputeAccountDaily"
	if len(keys) == 0 {
		return nil
	}
	partnerOf := map[capacity.AccountDay]string{}
	ids := map[string]bool{}
	lo, hi := keys[0].Day, keys[0].Day
	for _, k := range keys {
		partnerOf[capacity.AccountDay{StorageAccountID: k.StorageAccountID, Day: k.Day}] = k.PartnerID
		ids[k.StorageAccountID] = true
		lo, hi = min(lo, k.Day), max(hi, k.Day)
	}
	var agg []accountDailyRow
	err := s.conn(ctx).NewSelect().TableExpr("usage_samples").
		ColumnExpr("storage_account_id, ts / ? AS day, max(bytes) AS peak_bytes, sum(bytes) AS sum_bytes", capacity.SecondsPerDay).
		ColumnExpr("count(*) AS samples, max(ts) AS last_ts").
		Where("storage_account_id IN (?)", bun.List(keysOf(ids))).
		Where("ts >= ? AND ts < ?", int64(lo)*capacity.SecondsPerDay, int64(hi+1)*capacity.SecondsPerDay).
		GroupExpr("storage_account_id, ts / ?", capacity.SecondsPerDay).Scan(ctx, &agg)
	if err != nil {
		return sqldb.Internal(op, err)
	}
	rows := agg[:0]
	for _, r := range agg {
		if p, ok := partnerOf[capacity.AccountDay{StorageAccountID: r.StorageAccountID, Day: capacity.Day(r.Day)}]; ok {
			r.PartnerID = p
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err = s.conn(ctx).NewInsert().Model(&rows).On("CONFLICT (storage_account_id, day) DO UPDATE").
		Set("partner_id = EXCLUDED.partner_id, peak_bytes = EXCLUDED.peak_bytes, sum_bytes = EXCLUDED.sum_bytes").
		Set("samples = EXCLUDED.samples, last_ts = EXCLUDED.last_ts").Exec(ctx)
	return sqldb.Internal(op, err)
}

// SumAccountDaily implements capacity.Store, as a prepared statement
// (every ingested batch sums its partners' days; see padded).
func (s *Store) SumAccountDaily(ctx context.Context, keys []capacity.PartnerDay) ([]capacity.PartnerDaily, error) {
	const op = "bunstore.SumAccountDaily"
	if len(keys) == 0 {
		return nil, nil
	}
	wanted := map[capacity.PartnerDay]bool{}
	ids := map[string]bool{}
	lo, hi := keys[0].Day, keys[0].Day
	for _, k := range keys {
		wanted[k] = true
		ids[k.PartnerID] = true
		lo, hi = min(lo, k.Day), max(hi, k.Day)
	}
	var out []capacity.PartnerDaily
	for chunk := range slices.Chunk(keysOf(ids), sqldb.MaxListed) {
		args := append(sqldb.PaddedIDs(chunk), int64(lo), int64(hi))
		rows, err := s.hot.Query(ctx, `SELECT partner_id, day, sum(peak_bytes), sum(sum_bytes / samples), max(last_ts)
			FROM usage_account_daily WHERE partner_id IN (`+sqldb.Placeholders(len(args)-2, 1, true)+`) AND day >= ? AND day <= ?
			GROUP BY partner_id, day`, args...)
		if err != nil {
			return nil, sqldb.Internal(op, err)
		}
		for rows.Next() {
			var r capacity.PartnerDaily
			var day int64
			if err := rows.Scan(&r.PartnerID, &day, &r.PeakBytes, &r.AvgBytes, &r.LastTimestamp); err != nil {
				rows.Close()
				return nil, sqldb.Internal(op, err)
			}
			r.Day = capacity.Day(day)
			if wanted[capacity.PartnerDay{PartnerID: r.PartnerID, Day: r.Day}] {
				out = append(out, r)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, sqldb.Internal(op, err)
		}
	}
	return out, nil
}

type partnerDailyRow struct {
	bun.BaseModel `bun:"table:usage_partner_daily,alias:pd"`

	PartnerID   string `bun:"partner_id,pk"`
	Day         int64  `bun:"day,pk"`
	ContractID  string
	PeakBytes   int64
	AvgBytes    int64
	AllocatedTB decimal.Decimal `bun:"allocated_tb"`
	LastTS      int64           `bun:"last_ts"`
}

// PutPartnerDaily implements capacity.Store with multi-row upserts,
// prepared in power-of-two sizes as AddAccountDaily's.
func (s *Store) PutPartnerDaily(ctx context.Context, rows []capacity.PartnerDaily) error {
	for len(rows) > 0 {
		n := 1
		for n*2 <= min(len(rows), sqldb.MaxListed) {
			n *= 2
		}
		args := make([]any, 0, 7*n)
		for _, r := range rows[:n] {
			args = append(args, r.PartnerID, int64(r.Day), r.ContractID, r.PeakBytes, r.AvgBytes, r.AllocatedTB, r.LastTimestamp)
		}
		_, err := s.hot.Exec(ctx, `INSERT INTO usage_partner_daily (partner_id, day, contract_id, peak_bytes, avg_bytes, allocated_tb, last_ts)
			VALUES `+sqldb.Placeholders(n, 7, false)+`
			ON CONFLICT (partner_id, day) DO UPDATE SET contract_id = EXCLUDED.contract_id, peak_bytes = EXCLUDED.peak_bytes,
			avg_bytes = EXCLUDED.avg_bytes, allocated_tb = EXCLUDED.allocated_tb, last_ts = EXCLUDED.last_ts`, args...)
		if err != nil {
			return sqldb.Internal("bunstore.PutPartnerDaily", err)
		}
		rows = rows[n:]
	}
	return nil
}

// PartnerDaily implements capacity.Store.
func (s *Store) PartnerDaily(ctx context.Context, q capacity.DailyQuery) ([]capacity.PartnerDaily, error) {
	var rows []partnerDailyRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("pd.day >= ? AND pd.day <= ?", int64(q.From), int64(q.To))
	if len(q.PartnerIDs) > 0 {
		sel = sel.Where("pd.partner_id IN (?)", bun.List(q.PartnerIDs))
	}
	if q.ContractID != "" {
		sel = sel.Where("pd.contract_id = ?", q.ContractID)
	}
	if err := sel.OrderExpr("pd.day, pd.partner_id").Scan(ctx); err != nil {
		return nil, sqldb.Internal("bunstore.PartnerDaily", err)
	}
	out := make([]capacity.PartnerDaily, len(rows))
	for i, r := range rows {
		out[i] = capacity.PartnerDaily{PartnerID: r.PartnerID, Day: capacity.Day(r.Day), ContractID: r.ContractID,
			PeakBytes: r.PeakBytes, AvgBytes: r.AvgBytes, AllocatedTB: r.AllocatedTB, LastTimestamp: r.LastTS}
	}
	return out, nil
}

type dealRow struct {
	bun.BaseModel `bun:"table:deals,alias:dl"`

	ID            string `bun:"id,pk"`
	PartnerID     string
	OwnerID       string
	CustomerName  string
	ExpectedTB    decimal.NullDecimal `bun:"expected_tb"`
	ExpectedValue decimal.NullDecimal
	Currency      string
	CloseDate     string
	Note          string
	Status        string
	Reason        string
	DecidedBy     string
	DecidedAt     *time.Time
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

func toDealRow(d *capacity.Deal) *dealRow {
	return &dealRow{ID: d.ID, PartnerID: d.PartnerID, OwnerID: d.OwnerID, CustomerName: d.CustomerName,
		ExpectedTB: d.ExpectedTB, ExpectedValue: d.ExpectedValue, Currency: d.Currency, CloseDate: d.CloseDate, Note: d.Note,
		Status: string(d.Status), Reason: d.Reason, DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt, CreatedBy: d.CreatedBy,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Version: d.Version}
}

func (r *dealRow) toDomain() capacity.Deal {
	d := capacity.Deal{ID: r.ID, PartnerID: r.PartnerID, OwnerID: r.OwnerID, CustomerName: r.CustomerName,
		ExpectedTB: r.ExpectedTB, ExpectedValue: r.ExpectedValue, Currency: r.Currency, CloseDate: r.CloseDate, Note: r.Note,
		Status: capacity.DealStatus(r.Status), Reason: r.Reason, DecidedBy: r.DecidedBy, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.DecidedAt != nil {
		t := r.DecidedAt.UTC()
		d.DecidedAt = &t
	}
	return d
}

// CreateDeal implements capacity.Store.
func (s *Store) CreateDeal(ctx context.Context, d *capacity.Deal) error {
	_, err := s.conn(ctx).NewInsert().Model(toDealRow(d)).Exec(ctx)
	return sqldb.Internal("bunstore.CreateDeal", err)
}

// GetDeal implements capacity.Store.
func (s *Store) GetDeal(ctx context.Context, id string) (*capacity.Deal, error) {
	var r dealRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("dl.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("deal", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetDeal", err)
	}
	d := r.toDomain()
	return &d, nil
}

// LockDeals implements capacity.Store: SELECT … FOR SHARE on PostgreSQL;
// SQLite's write transactions are serialized already.
func (s *Store) LockDeals(ctx context.Context, partnerID string, statuses ...capacity.DealStatus) ([]capacity.Deal, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	names := make([]string, len(statuses))
	for i, st := range statuses {
		names[i] = string(st)
	}
	var rows []dealRow
	q := s.conn(ctx).NewSelect().Model(&rows).Where("dl.partner_id = ?", partnerID).
		Where("dl.status IN (?)", bun.List(names)).OrderExpr("dl.id")
	if sqldb.IsPostgres(s.db) {
		q = q.For("SHARE")
	}
	if err := q.Scan(ctx); err != nil && !sqldb.IsNoRows(err) {
		return nil, sqldb.Internal("bunstore.LockDeals", err)
	}
	out := make([]capacity.Deal, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// LockPartnerUsage implements capacity.Store: the partners' account rows,
// in ID order, FOR NO KEY UPDATE on PostgreSQL (foreign-key checks of
// other writers are not blocked); SQLite's write transactions are
// serialized already.
func (s *Store) LockPartnerUsage(ctx context.Context, partnerIDs []string) error {
	if len(partnerIDs) == 0 || !sqldb.IsPostgres(s.db) {
		return nil
	}
	ids := slices.Sorted(slices.Values(partnerIDs))
	var locked []string
	err := s.conn(ctx).NewSelect().TableExpr("accounts").Column("id").Where("id IN (?)", bun.List(ids)).
		OrderExpr("id").For("NO KEY UPDATE").Scan(ctx, &locked)
	if err != nil && !sqldb.IsNoRows(err) {
		return sqldb.Internal("bunstore.LockPartnerUsage", err)
	}
	return nil
}

// UpdateDeal implements capacity.Store.
func (s *Store) UpdateDeal(ctx context.Context, d *capacity.Deal) error {
	const op = "bunstore.UpdateDeal"
	res, err := s.conn(ctx).NewUpdate().Model(toDealRow(d)).
		ExcludeColumn("id", "partner_id", "owner_id", "created_by", "created_at", "version").
		Set("version = version + 1").WherePK().Where("version = ?", d.Version).Exec(ctx)
	if err := sqldb.CheckVersioned(ctx, op, res, err, "deal", d.ID, func() error {
		_, err := s.GetDeal(ctx, d.ID)
		return err
	}); err != nil {
		return err
	}
	d.Version++
	return nil
}

// ListDeals implements capacity.Store.
func (s *Store) ListDeals(ctx context.Context, q capacity.DealQuery) ([]capacity.Deal, int, error) {
	var rows []dealRow
	sel := s.conn(ctx).NewSelect().Model(&rows)
	if q.AccountID != "" {
		sel = sel.Where("(dl.partner_id = ? OR dl.owner_id = ?)", q.AccountID, q.AccountID)
	}
	if q.PartnerID != "" {
		sel = sel.Where("dl.partner_id = ?", q.PartnerID)
	}
	if q.Status != "" {
		sel = sel.Where("dl.status = ?", string(q.Status))
	}
	sel = sel.OrderExpr(sqldb.OrderBy(capacity.DealOrder.Resolve(q.Sort), map[string]string{"created_at": "dl.created_at"}, "dl.id"))
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal("bunstore.ListDeals", err)
	}
	out := make([]capacity.Deal, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, int(total), nil
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
