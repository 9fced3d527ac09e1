package contracts

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts/rules"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/partners"
)

// Service is the contracts API for Go programs: marketplaces, contracts and
// their lifecycle, and onboarding.
//
// Build the partners, agreements and contracts stores on one database (one
// memstore DB, or one *bun.DB) so that multi-domain operations are atomic.
type Service struct {
	store         Store
	partners      Partners
	agreements    Agreements
	audit         partnerkit.Auditor
	clock         partnerkit.Clock
	invitationTTL time.Duration
	linkBase      string
	mail          partnerkit.MailQueue
	mailStatus    partnerkit.MailStatuses
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock used for timestamps.
func WithClock(c partnerkit.Clock) Option { return func(s *Service) { s.clock = c } }

// WithInvitationTTL sets how long invitation links stay valid (default 14 days).
func WithInvitationTTL(d time.Duration) Option { return func(s *Service) { s.invitationTTL = d } }

// WithActivationLinkBase sets the start of activation links, such as
// "https://partners.example.com"; the default makes site-relative links.
func WithActivationLinkBase(base string) Option {
	return func(s *Service) { s.linkBase = strings.TrimSuffix(base, "/") }
}

// DefaultInvitationTTL is how long an invitation link works by default.
const DefaultInvitationTTL = 14 * 24 * time.Hour

// NewService returns a Service over store that asks the partners and
// agreements domains only for what it uses (Partners, Agreements) and
// records audit events in audit. wiring.New builds it with the others.
func NewService(store Store, p Partners, a Agreements, audit partnerkit.AuditLog, opts ...Option) *Service {
	s := &Service{store: store, partners: p, agreements: a, invitationTTL: DefaultInvitationTTL}
	for _, o := range opts {
		o(s)
	}
	s.audit = partnerkit.Auditor{Log: audit, Clock: s.clock}
	return s
}

// --- marketplaces ---

// MarketplaceInput describes a new marketplace.
type MarketplaceInput struct {
	// Name is 1 to 100 characters, unique per owner.
	Name string `json:"name" validate:"required,max=100"`
	// Currency is an ISO 4217 code such as USD.
	Currency string `json:"currency" validate:"required"`
	// External marks another company's marketplace.
	External bool `json:"external"`
}

// CreateMarketplace creates a marketplace owned by the actor's account.
// Returns conflict on "name" when the account has one of that name.
func (s *Service) CreateMarketplace(ctx context.Context, actor partnerkit.Actor, in MarketplaceInput) (*Marketplace, error) {
	const op = "contracts.CreateMarketplace"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	in.Name = strings.TrimSpace(in.Name)
	in.Currency = rules.NormalizeCurrency(in.Currency)
	var curErr error
	if in.Currency != "" {
		curErr = rules.CheckCurrency("currency", in.Currency)
	}
	if err := validate.All(validate.Struct(in), curErr); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	m := &Marketplace{ID: partnerkit.NewID(partnerkit.PrefixMarketplace), OwnerID: actor.AccountID, Name: in.Name,
		Currency: in.Currency, External: in.External, CreatedAt: s.clock.Now()}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateMarketplace(ctx, m); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, m.OwnerID, "marketplace.created", "marketplace", m.ID, nil, m)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return m, nil
}

// Marketplaces lists the marketplaces of the actor's account by name.
func (s *Service) Marketplaces(ctx context.Context, actor partnerkit.Actor) ([]Marketplace, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	ms, err := s.store.ListMarketplaces(ctx, actor.AccountID)
	return ms, partnerkit.WithOp("contracts.Marketplaces", err)
}

// Marketplace returns a marketplace the actor may see: one of an account
// in its tenancy, or one where its account holds a contract. Any other ID
// is not_found.
func (s *Service) Marketplace(ctx context.Context, actor partnerkit.Actor, id string) (*Marketplace, error) {
	const op = "contracts.Marketplace"
	if err := actor.RequireAccount(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	m, err := s.store.GetMarketplace(ctx, id)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if s.partners.CheckVisible(ctx, actor, m.OwnerID) == nil {
		return m, nil
	}
	held, _, err := s.store.ListContracts(ctx, Query{AccountID: actor.AccountID})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	for _, c := range held {
		if c.MarketplaceID == id {
			return m, nil
		}
	}
	return nil, partnerkit.WithOp(op, partnerkit.NotFound("marketplace", id))
}

// --- contracts ---

// CreateInput describes a new contract.
type CreateInput struct {
	// PartnerID is the partner to bind; the actor's account must manage it.
	PartnerID string `json:"partner_id" validate:"required"`
	// AgreementID is an agreement of the actor's account; its current
	// version is bound.
	AgreementID string `json:"agreement_id" validate:"required"`
	// MarketplaceID is required for a distribution agreement and only then.
	MarketplaceID string `json:"marketplace_id"`
}

// Create creates a pending contract between the actor's account and a
// partner it manages. A distribution contract needs a vendor and a
// marketplace of the actor's account; a vendor has at most one open
// distribution contract per marketplace (conflict naming it).
func (s *Service) Create(ctx context.Context, actor partnerkit.Actor, in CreateInput) (*Contract, error) {
	const op = "contracts.Create"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := validate.Struct(in); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var c *Contract
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		partner, err := s.managedPartner(ctx, actor, in.PartnerID, "partner_id")
		if err != nil {
			return err
		}
		agr, err := s.ownAgreement(ctx, actor, in.AgreementID, "agreement_id")
		if err != nil {
			return err
		}
		c, err = s.createContract(ctx, actor, partner, agr, in.MarketplaceID, "marketplace_id")
		return err
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return c, nil
}

// managedPartner loads a partner managed directly by the actor's account;
// any other is an invalid field.
func (s *Service) managedPartner(ctx context.Context, actor partnerkit.Actor, id, field string) (*partners.Account, error) {
	p, err := s.partners.GetPartner(ctx, actor, id)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound || err == nil && p.ManagerID != actor.AccountID {
		return nil, partnerkit.FieldError(field, "is not a partner of your account")
	}
	return p, err
}

// ownAgreement loads an agreement owned by the actor's account.
func (s *Service) ownAgreement(ctx context.Context, actor partnerkit.Actor, id, field string) (*agreements.Agreement, error) {
	a, err := s.agreements.Get(ctx, actor, id)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound || err == nil && a.OwnerID != actor.AccountID {
		return nil, partnerkit.FieldError(field, "is not an agreement of your account")
	}
	return a, err
}

// createContract checks the distribution rules and inserts a pending
// contract with its "created" event. field names the marketplace input.
func (s *Service) createContract(ctx context.Context, actor partnerkit.Actor, partner *partners.Account,
	agr *agreements.Agreement, marketplaceID, field string) (*Contract, error) {
	if agr.Type == agreements.TypeDistribution {
		if partner.Type != partners.TypeVendor {
			return nil, partnerkit.FieldError("agreement_id", "a distribution agreement binds vendors only")
		}
		if marketplaceID == "" {
			return nil, partnerkit.FieldError(field, "is required for a distribution agreement")
		}
	} else if marketplaceID != "" {
		return nil, partnerkit.FieldError(field, "is only for distribution agreements")
	}
	marketplaceName := ""
	if marketplaceID != "" {
		mp, err := s.store.GetMarketplace(ctx, marketplaceID)
		if err == nil {
			marketplaceName = mp.Name
		}
		if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound || err == nil && mp.OwnerID != actor.AccountID {
			return nil, partnerkit.FieldError(field, "marketplace "+marketplaceID+" is not one of your marketplaces")
		}
		if err != nil {
			return nil, err
		}
		if err := s.checkNoDistribution(ctx, partner, mp, field); err != nil {
			return nil, err
		}
	}
	now := s.clock.Now()
	c := &Contract{ID: partnerkit.NewID(partnerkit.PrefixContract), OwnerID: actor.AccountID, PartnerID: partner.ID,
		AgreementID: agr.ID, AgreementVersion: agr.CurrentVersion, Type: agr.Type, MarketplaceID: marketplaceID,
		Status: StatusPending, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.store.CreateContract(ctx, c); err != nil {
		if partnerkit.ErrorCode(err) == partnerkit.CodeConflict && marketplaceID != "" {
			return nil, partnerkit.ConflictField(field, fmt.Sprintf("vendor %q already has a distribution contract on this marketplace", partner.Name))
		}
		return nil, err
	}
	if err := s.event(ctx, actor, c, EventCreated, ""); err != nil {
		return nil, err
	}
	setDerived(c, agr.CurrentVersion)
	err := s.audit.Record(ctx, actor, c.OwnerID, "contract.created", "contract", c.ID, nil, c)
	c.PartnerName, c.AgreementName, c.MarketplaceName = partner.Name, agr.Name, marketplaceName
	return c, err
}

// checkNoDistribution returns a conflict naming the marketplace when the
// vendor already has an open distribution contract on it.
func (s *Service) checkNoDistribution(ctx context.Context, vendor *partners.Account, mp *Marketplace, field string) error {
	existing, _, err := s.store.ListContracts(ctx, Query{PartnerID: vendor.ID, MarketplaceID: mp.ID, OpenOnly: true, Limit: 1})
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return partnerkit.ConflictField(field, fmt.Sprintf("vendor %q already has a distribution contract on marketplace %q", vendor.Name, mp.Name))
	}
	return nil
}

func (s *Service) event(ctx context.Context, actor partnerkit.Actor, c *Contract, typ EventType, from Status) error {
	principal := cmp.Or(actor.Principal(), "public")
	return s.store.AppendEvent(ctx, &Event{ID: partnerkit.NewID(partnerkit.PrefixEvent), ContractID: c.ID, Type: typ,
		FromStatus: from, ToStatus: c.Status, AgreementVersion: c.AgreementVersion, Actor: principal, At: c.UpdatedAt})
}

// Get returns a contract the actor may see: its partner's side (the partner
// and the accounts that manage it, including the owner). Others are not_found.
func (s *Service) Get(ctx context.Context, actor partnerkit.Actor, id string) (*Contract, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp("contracts.Get", err)
	}
	c, err := s.visible(ctx, actor, id)
	if err != nil {
		return nil, partnerkit.WithOp("contracts.Get", err)
	}
	return c, partnerkit.WithOp("contracts.Get", s.derive(ctx, []*Contract{c}))
}

func (s *Service) visible(ctx context.Context, actor partnerkit.Actor, id string) (*Contract, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, err
	}
	c, err := s.store.GetContract(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.partners.CheckVisible(ctx, actor, c.PartnerID); err != nil {
		return nil, partnerkit.NotFound("contract", id)
	}
	return c, nil
}

// derive sets the derived fields: the agreement's current version, and the
// names of the partner, the agreement and the marketplace. It loads each
// agreement and marketplace once and the partners in one call. Every
// contract this service returns passes through it (or, just created,
// through setDerived); other domains read contracts through Get and
// ListAll, never through the store, so a contract reads the same on every
// path.
func (s *Service) derive(ctx context.Context, cs []*Contract) error {
	agrs := map[string]*agreements.Agreement{}
	markets := map[string]string{}
	partnerNames := map[string]string{}
	var partnerIDs []string
	for _, c := range cs {
		a, ok := agrs[c.AgreementID]
		if !ok {
			var err error
			if a, err = s.agreements.Lookup(ctx, c.AgreementID); err != nil {
				return err
			}
			agrs[c.AgreementID] = a
		}
		setDerived(c, a.CurrentVersion)
		c.AgreementName = a.Name
		if id := c.MarketplaceID; id != "" {
			name, ok := markets[id]
			if !ok {
				m, err := s.store.GetMarketplace(ctx, id)
				if err != nil {
					return err
				}
				name, markets[id] = m.Name, m.Name
			}
			c.MarketplaceName = name
		}
		if _, ok := partnerNames[c.PartnerID]; !ok {
			partnerNames[c.PartnerID] = ""
			partnerIDs = append(partnerIDs, c.PartnerID)
		}
	}
	if len(partnerIDs) == 0 {
		return nil
	}
	accounts, err := s.partners.AccountsByID(ctx, partnerIDs)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		partnerNames[a.ID] = a.Name
	}
	for _, c := range cs {
		c.PartnerName = partnerNames[c.PartnerID]
	}
	return nil
}

// setDerived sets a contract's derived fields from its agreement's current
// version: the one place they are computed.
func setDerived(c *Contract, latest int) {
	c.LatestAgreementVersion = latest
	c.UpdatePending = rules.UpdatePending(c.Status, c.AgreementVersion, latest)
}

// ListFilter selects contracts.
type ListFilter struct {
	// AccountID lists the contracts this visible account owns or is the
	// partner of; empty means the actor's account.
	AccountID string `json:"account_id"`
	// PartnerID keeps one partner's contracts.
	PartnerID string `json:"partner_id"`
	// AgreementID keeps one agreement's contracts.
	AgreementID string `json:"agreement_id"`
	// Status keeps one status.
	Status Status `json:"status"`
	// Sort is one of ListOrder's; empty means newest first.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// List returns one page of contracts, newest first unless f.Sort says
// otherwise, and the total.
func (s *Service) List(ctx context.Context, actor partnerkit.Actor, f ListFilter) (partnerkit.List[Contract], error) {
	const op = "contracts.List"
	var out partnerkit.List[Contract]
	if err := actor.RequireAccount(); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	page, pageErr := f.Page.Normalize()
	var statusErr error
	if f.Status != "" && !f.Status.Valid() {
		statusErr = partnerkit.FieldError("status", "must be one of: pending, signed, active, rejected, terminated")
	}
	sort, sortErr := ListOrder.Check(f.Sort)
	if err := validate.All(validate.Struct(f), pageErr, sortErr, statusErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	account := cmp.Or(f.AccountID, actor.AccountID)
	if err := s.partners.CheckVisible(ctx, actor, account); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	// An ID in a filter must name something the actor may see (404
	// otherwise), like every list filter of the API.
	if f.PartnerID != "" {
		if err := s.partners.CheckVisible(ctx, actor, f.PartnerID); err != nil {
			return out, partnerkit.WithOp(op, err)
		}
	}
	if f.AgreementID != "" {
		if _, err := s.agreements.Get(ctx, actor, f.AgreementID); err != nil {
			return out, partnerkit.WithOp(op, err)
		}
	}
	items, total, err := s.store.ListContracts(ctx, Query{AccountID: account, PartnerID: f.PartnerID,
		AgreementID: f.AgreementID, Status: f.Status, Sort: sort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	ptrs := make([]*Contract, len(items))
	for i := range items {
		ptrs[i] = &items[i]
	}
	if err := s.derive(ctx, ptrs); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items == nil {
		items = []Contract{}
	}
	return partnerkit.List[Contract]{Items: items, Total: total}, nil
}

// ListAll returns every contract of an account the actor may see (the
// actor's own when accountID is empty) — those it owns or is the partner
// of — newest first, with the derived fields Get and List set. Other domains
// list contracts through it rather than through the store. Returns
// not_found for an account the actor may not see.
func (s *Service) ListAll(ctx context.Context, actor partnerkit.Actor, accountID string) ([]Contract, error) {
	const op = "contracts.ListAll"
	if err := partnerkit.CheckID("account_id", accountID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireAccount(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	account := cmp.Or(accountID, actor.AccountID)
	if err := s.partners.CheckVisible(ctx, actor, account); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	items, _, err := s.store.ListContracts(ctx, Query{AccountID: account})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	ptrs := make([]*Contract, len(items))
	for i := range items {
		ptrs[i] = &items[i]
	}
	if err := s.derive(ctx, ptrs); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return items, nil
}

// Sign moves a pending contract to signed.
func (s *Service) Sign(ctx context.Context, actor partnerkit.Actor, id string) (*Contract, error) {
	return s.apply(ctx, actor, id, "sign")
}

// Activate moves a signed contract to active.
func (s *Service) Activate(ctx context.Context, actor partnerkit.Actor, id string) (*Contract, error) {
	return s.apply(ctx, actor, id, "activate")
}

// Reject moves a pending contract to rejected.
func (s *Service) Reject(ctx context.Context, actor partnerkit.Actor, id string) (*Contract, error) {
	return s.apply(ctx, actor, id, "reject")
}

// Terminate ends a signed or active contract.
func (s *Service) Terminate(ctx context.Context, actor partnerkit.Actor, id string) (*Contract, error) {
	return s.apply(ctx, actor, id, "terminate")
}

// apply runs one state-machine action. An illegal one is a conflict naming
// both states.
func (s *Service) apply(ctx context.Context, actor partnerkit.Actor, id, action string) (*Contract, error) {
	return s.update(ctx, actor, id, "contracts."+action, func(ctx context.Context, c *Contract) (*Contract, error) {
		return s.transition(ctx, actor, c, action)
	})
}

// update loads a visible contract in a transaction for a writer, lets
// change act on it with the transaction's context, and derives the result's
// agreement fields.
func (s *Service) update(ctx context.Context, actor partnerkit.Actor, id, op string,
	change func(ctx context.Context, c *Contract) (*Contract, error)) (*Contract, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Contract
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.visible(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := partnerkit.CheckIfVersion(ctx, "contract", c.ID, c.Version); err != nil {
			return err // If-Match: UpdateContract's version check holds it to the commit
		}
		out, err = change(ctx, c)
		return err
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, partnerkit.WithOp(op, s.derive(ctx, []*Contract{out}))
}

// transition applies a state-machine action to c, with its event and audit.
func (s *Service) transition(ctx context.Context, actor partnerkit.Actor, c *Contract, action string) (*Contract, error) {
	to, event, ok := rules.Transition(rules.Move(action), c.Status)
	if !ok {
		return nil, partnerkit.Errorf(partnerkit.CodeConflict,
			"cannot %s contract %s: it is %s, and %s → %s is not allowed", action, c.ID, c.Status, c.Status, rules.Move(action).Target())
	}
	before := *c
	now := s.clock.Now()
	c.Status, c.UpdatedAt = to, now
	switch to {
	case StatusSigned:
		c.SignedAt = &now
	case StatusActive:
		c.ActivatedAt = &now
	case StatusTerminated, StatusRejected:
		c.TerminatedAt = &now
	}
	if err := s.store.UpdateContract(ctx, c); err != nil {
		return nil, err
	}
	if err := s.event(ctx, actor, c, event, before.Status); err != nil {
		return nil, err
	}
	return c, s.audit.Record(ctx, actor, c.OwnerID, "contract."+string(event), "contract", c.ID, &before, c)
}

// SignUpdate binds an open contract to its agreement's current version, from
// the partner's side: the actor must act in the partner's own account.
// Returns conflict when no newer version awaits.
func (s *Service) SignUpdate(ctx context.Context, actor partnerkit.Actor, id string) (*Contract, error) {
	return s.update(ctx, actor, id, "contracts.SignUpdate", func(ctx context.Context, c *Contract) (*Contract, error) {
		if actor.AccountID != c.PartnerID {
			return nil, partnerkit.Errorf(partnerkit.CodeForbidden, "only the partner signs a new agreement version")
		}
		if err := s.derive(ctx, []*Contract{c}); err != nil {
			return nil, err
		}
		if !c.UpdatePending {
			return nil, partnerkit.Errorf(partnerkit.CodeConflict,
				"contract %s is %s on version %d of %d: no update awaits signature", c.ID, c.Status, c.AgreementVersion, c.LatestAgreementVersion)
		}
		before := *c
		now := s.clock.Now()
		c.AgreementVersion, c.UpdatedAt, c.SignedAt = c.LatestAgreementVersion, now, &now
		if err := s.store.UpdateContract(ctx, c); err != nil {
			return nil, err
		}
		if err := s.event(ctx, actor, c, EventResigned, before.Status); err != nil {
			return nil, err
		}
		return c, s.audit.Record(ctx, actor, c.OwnerID, "contract.resigned", "contract", c.ID, &before, c)
	})
}

// Events returns the history of a contract the actor may see, oldest first.
func (s *Service) Events(ctx context.Context, actor partnerkit.Actor, id string) ([]Event, error) {
	const op = "contracts.Events"
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if _, err := s.visible(ctx, actor, id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	es, err := s.store.Events(ctx, id)
	return es, partnerkit.WithOp(op, err)
}

// Document returns the agreement version a visible contract is bound to,
// with the file's bytes when it has one: what the partner reviews.
func (s *Service) Document(ctx context.Context, actor partnerkit.Actor, id string) (*agreements.Version, []byte, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, nil, partnerkit.WithOp("contracts.Document", err)
	}
	c, err := s.visible(ctx, actor, id)
	if err != nil {
		return nil, nil, partnerkit.WithOp("contracts.Document", err)
	}
	return s.agreements.VersionDocument(ctx, c.AgreementID, c.AgreementVersion)
}

// LookupMarketplace returns a marketplace with no tenancy check: for other
// domains that check access their own way (a listing needs the vendor's
// active distribution contract there). Returns not_found.
func (s *Service) LookupMarketplace(ctx context.Context, id string) (*Marketplace, error) {
	if err := partnerkit.CheckID("marketplace_id", id); err != nil {
		return nil, partnerkit.WithOp("contracts.LookupMarketplace", err)
	}
	m, err := s.store.GetMarketplace(ctx, id)
	return m, partnerkit.WithOp("contracts.LookupMarketplace", err)
}

// HasActiveDistribution reports whether a vendor holds an active
// distribution contract on a marketplace.
func (s *Service) HasActiveDistribution(ctx context.Context, vendorID, marketplaceID string) (bool, error) {
	const op = "contracts.HasActiveDistribution"
	if err := partnerkit.CheckIDs("ids", []string{vendorID, marketplaceID}); err != nil {
		return false, partnerkit.WithOp(op, err)
	}
	cs, _, err := s.store.ListContracts(ctx, Query{PartnerID: vendorID, MarketplaceID: marketplaceID, Status: StatusActive})
	if err != nil {
		return false, partnerkit.WithOp(op, err)
	}
	for _, c := range cs {
		if c.Type == agreements.TypeDistribution {
			return true, nil
		}
	}
	return false, nil
}

// ActiveContractOwners returns the accounts that hold an active contract
// with a partner (the providers whose catalog a reseller buys from), each
// once.
func (s *Service) ActiveContractOwners(ctx context.Context, partnerID string) ([]string, error) {
	const op = "contracts.ActiveContractOwners"
	if err := partnerkit.CheckID("partner_id", partnerID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	cs, _, err := s.store.ListContracts(ctx, Query{PartnerID: partnerID, Status: StatusActive})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out []string
	for _, c := range cs {
		if !slices.Contains(out, c.OwnerID) {
			out = append(out, c.OwnerID)
		}
	}
	return out, nil
}
