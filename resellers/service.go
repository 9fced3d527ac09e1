package resellers

import (
	"cmp"
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/partnerkit/partnerkit"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/resellers/rules"
	"github.com/shopspring/decimal"
)

// Service is the Reseller Store API for Go programs. Build its store on the
// same database as the partners and contracts stores.
type Service struct {
	store     Store
	partners  Partners
	contracts Contracts
	audit     partnerkit.Auditor
	clock     partnerkit.Clock
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock used for timestamps and billing periods.
func WithClock(c partnerkit.Clock) Option { return func(s *Service) { s.clock = c } }

// NewService returns a Service over store that asks the partners and
// contracts domains only for what it uses (Partners for tenancy, Contracts
// for the providers a reseller buys from) and records audit events in
// audit. wiring.New builds it with the others.
func NewService(store Store, p Partners, c Contracts, audit partnerkit.AuditLog, opts ...Option) *Service {
	s := &Service{store: store, partners: p, contracts: c}
	for _, o := range opts {
		o(s)
	}
	s.audit = partnerkit.Auditor{Log: audit, Clock: s.clock}
	return s
}

// Limits of catalog input (see resellers/rules, which the PWA shares).
const (
	maxPlans     = rules.MaxPlans
	maxResources = rules.MaxResources
)

var (
	maxPrice  = rules.MaxPrice
	maxAmount = rules.MaxAmount
)

// ServiceInput creates or replaces a catalog service.
type ServiceInput struct {
	// Name is required, at most 200 characters.
	Name string `json:"name"`
	// Description is free text, at most 2000 characters.
	Description string `json:"description" text:"multiline"`
	// Currency is the prices' ISO 4217 code; empty keeps the service's
	// (DefaultCurrency for a new one).
	Currency string `json:"currency,omitempty"`
	// Plans are at least one plan. On update a plan that names an existing
	// plan ID keeps it; others get a new ID.
	Plans []PlanInput `json:"plans"`
	// Version must equal the stored version on update.
	Version int `json:"version,omitempty"`
}

// PlanInput is a plan of a ServiceInput.
type PlanInput struct {
	// ID keeps an existing plan's ID on update.
	ID string `json:"id,omitempty"`
	// Name is required.
	Name string `json:"name"`
	// BillingPeriod is monthly or annual.
	BillingPeriod BillingPeriod `json:"billing_period"`
	// TrialDays is the free trial length, 0 to 366.
	TrialDays int `json:"trial_days"`
	// DecreaseAtRenewal defers decreases to the next renewal.
	DecreaseAtRenewal bool `json:"decrease_at_renewal"`
	// AutoRenew renews the plan's subscriptions at their period end
	// instead of letting them expire.
	AutoRenew bool `json:"auto_renew"`
	// Resources are at least one priced resource.
	Resources []PlanResource `json:"resources"`
}

func checkDecimal(fields map[string]string, field string, d decimal.Decimal, limit decimal.Decimal) {
	if p := rules.DecimalProblem(d, limit); p != "" {
		fields[field] = p
	}
}

// setProblem records p as field's problem unless p is "".
func setProblem(fields map[string]string, field, p string) {
	if p != "" {
		fields[field] = p
	}
}

// check validates and normalises in; existing are the service's current
// plans (nil on create).
func (in *ServiceInput) check(existing []Plan) error {
	fields := map[string]string{}
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	setProblem(fields, "name", rules.TextProblem(in.Name, true, rules.MaxServiceNameLength))
	setProblem(fields, "description", rules.DescriptionProblem(in.Description))
	if in.Currency = contractrules.NormalizeCurrency(in.Currency); in.Currency != "" && !contractrules.ValidCurrency(in.Currency) {
		fields["currency"] = contractrules.CurrencyProblem
	}
	switch {
	case len(in.Plans) == 0:
		fields["plans"] = "give at least one plan"
	case len(in.Plans) > maxPlans:
		fields["plans"] = fmt.Sprintf("must be at most %d plans", maxPlans)
	}
	for i := range in.Plans {
		p := &in.Plans[i]
		f := fmt.Sprintf("plans[%d].", i)
		p.Name = strings.TrimSpace(p.Name)
		setProblem(fields, f+"name", rules.TextProblem(p.Name, true, rules.MaxPlanNameLength))
		if p.ID != "" && !slices.ContainsFunc(existing, func(e Plan) bool { return e.ID == p.ID }) {
			fields[f+"id"] = "is not a plan of this service"
		}
		if !p.BillingPeriod.Valid() {
			fields[f+"billing_period"] = "must be monthly or annual"
		}
		setProblem(fields, f+"trial_days", rules.TrialDaysProblem(p.TrialDays))
		switch {
		case len(p.Resources) == 0:
			fields[f+"resources"] = "give at least one resource"
		case len(p.Resources) > maxResources:
			fields[f+"resources"] = fmt.Sprintf("must be at most %d resources", maxResources)
		}
		seen := map[string]bool{}
		for j := range p.Resources {
			r := &p.Resources[j]
			rf := fmt.Sprintf("%sresources[%d].", f, j)
			r.Name, r.Unit = strings.TrimSpace(r.Name), strings.TrimSpace(r.Unit)
			setProblem(fields, rf+"name", rules.TextProblem(r.Name, true, rules.MaxResourceNameLength))
			if fields[rf+"name"] == "" && seen[strings.ToLower(r.Name)] {
				fields[rf+"name"] = "is used twice in this plan"
			}
			seen[strings.ToLower(r.Name)] = true
			setProblem(fields, rf+"unit", rules.TextProblem(r.Unit, true, rules.MaxUnitLength))
			checkDecimal(fields, rf+"unit_price", r.UnitPrice, maxPrice)
			checkDecimal(fields, rf+"min", r.Min, maxAmount)
			checkDecimal(fields, rf+"max", r.Max, maxAmount)
			if p := rules.RangeProblem(r.Min, r.Max); p != "" {
				fields[rf+"max"] = p
			}
		}
	}
	return validate.All(validate.Text("", in), validate.Fields(fields))
}

func (in *ServiceInput) plans() []Plan {
	out := make([]Plan, len(in.Plans))
	for i, p := range in.Plans {
		id := cmp.Or(p.ID, partnerkit.NewID(PrefixPlan))
		out[i] = Plan{ID: id, Name: p.Name, BillingPeriod: p.BillingPeriod, TrialDays: p.TrialDays,
			DecreaseAtRenewal: p.DecreaseAtRenewal, AutoRenew: p.AutoRenew, Resources: slices.Clone(p.Resources)}
	}
	return out
}

// CreateService adds a service to the catalog of the actor's account (the provider).
func (s *Service) CreateService(ctx context.Context, actor partnerkit.Actor, in ServiceInput) (*CatalogService, error) {
	const op = "resellers.CreateService"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := in.check(nil); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	now := s.clock.Now()
	svc := &CatalogService{ID: partnerkit.NewID(PrefixService), ProviderID: actor.AccountID, Name: in.Name,
		Description: in.Description, Currency: cmp.Or(in.Currency, DefaultCurrency), Plans: in.plans(),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateService(ctx, svc); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, svc.ProviderID, "catalog_service.created", "catalog_service", svc.ID, nil, svc)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return svc, nil
}

// UpdateService replaces a catalog service's name, description and plans.
// Only its provider may; in.Version must be the stored version.
func (s *Service) UpdateService(ctx context.Context, actor partnerkit.Actor, id string, in ServiceInput) (*CatalogService, error) {
	const op = "resellers.UpdateService"
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *CatalogService
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		svc, err := s.store.GetService(ctx, id)
		if err != nil {
			return err
		}
		if svc.ProviderID != actor.AccountID {
			if _, err := s.visibleService(ctx, actor, id, "id"); err != nil {
				return err
			}
			return partnerkit.Errorf(partnerkit.CodeForbidden, "only the provider of service %s changes it", id)
		}
		if err := partnerkit.CheckIfVersion(ctx, "catalog service", svc.ID, svc.Version); err != nil {
			return err // If-Match: UpdateService's version check holds it to the commit
		}
		if in.Version != 0 && in.Version != svc.Version {
			return partnerkit.ConflictField("version", fmt.Sprintf("is %d, the service is at version %d: reload it", in.Version, svc.Version))
		}
		if err := in.check(svc.Plans); err != nil {
			return err
		}
		before := *svc
		svc.Name, svc.Description, svc.Plans, svc.UpdatedAt = in.Name, in.Description, in.plans(), s.clock.Now()
		svc.Currency = cmp.Or(in.Currency, svc.Currency)
		if err := s.store.UpdateService(ctx, svc); err != nil {
			return err
		}
		out = svc
		return s.audit.Record(ctx, actor, svc.ProviderID, "catalog_service.updated", "catalog_service", svc.ID, &before, svc)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// providers returns the accounts whose services partnerID may buy: those
// that own an active contract with it.
func (s *Service) providers(ctx context.Context, partnerID string) ([]string, error) {
	return s.contracts.ActiveContractOwners(ctx, partnerID)
}

// CatalogService returns a service of the catalog the actor may see: one it
// provides, or one of a provider it holds an active contract with.
func (s *Service) CatalogService(ctx context.Context, actor partnerkit.Actor, id string) (*CatalogService, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp("resellers.CatalogService", err)
	}
	svc, err := s.visibleService(ctx, actor, id, "id")
	return svc, partnerkit.WithOp("resellers.CatalogService", err)
}

func (s *Service) visibleService(ctx context.Context, actor partnerkit.Actor, id, field string) (*CatalogService, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	if err := partnerkit.CheckID(field, id); err != nil {
		return nil, err
	}
	svc, err := s.store.GetService(ctx, id)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound && field != "id" {
		return nil, partnerkit.FieldError(field, "is not a service of your catalog")
	}
	if err != nil {
		return nil, err
	}
	if svc.ProviderID == actor.AccountID {
		return svc, nil
	}
	providers, err := s.providers(ctx, actor.AccountID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(providers, svc.ProviderID) {
		if field != "id" {
			return nil, partnerkit.FieldError(field, "is not a service of your catalog")
		}
		return nil, partnerkit.NotFound("catalog service", id)
	}
	return svc, nil
}

// ServiceFilter selects catalog services.
type ServiceFilter struct {
	// Sort is one of ServiceOrder's; empty means by name.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// ProvidedServices lists one page of the services the actor's account provides.
func (s *Service) ProvidedServices(ctx context.Context, actor partnerkit.Actor, f ServiceFilter) (partnerkit.List[CatalogService], error) {
	return s.listServices(ctx, "resellers.ProvidedServices", actor, f, func(context.Context) ([]string, error) {
		return []string{actor.AccountID}, nil
	})
}

// Catalog lists one page of the services the actor's account may buy: those
// of every provider it holds an active contract with, by name.
func (s *Service) Catalog(ctx context.Context, actor partnerkit.Actor, f ServiceFilter) (partnerkit.List[CatalogService], error) {
	return s.listServices(ctx, "resellers.Catalog", actor, f, func(ctx context.Context) ([]string, error) {
		return s.providers(ctx, actor.AccountID)
	})
}

func (s *Service) listServices(ctx context.Context, op string, actor partnerkit.Actor, f ServiceFilter,
	providers func(context.Context) ([]string, error)) (partnerkit.List[CatalogService], error) {
	out := partnerkit.List[CatalogService]{Items: []CatalogService{}}
	if err := actor.RequireAccount(); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	page, pageErr := f.Page.Normalize()
	sort, sortErr := ServiceOrder.Check(f.Sort)
	if err := validate.All(pageErr, sortErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	ids, err := providers(ctx)
	if err != nil || len(ids) == 0 {
		return out, partnerkit.WithOp(op, err)
	}
	items, total, err := s.store.ListServices(ctx, ServiceQuery{ProviderIDs: ids, Sort: sort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items != nil {
		out.Items = items
	}
	out.Total = total
	return out, nil
}

// ClientInput creates a client.
type ClientInput struct {
	// Name is required, at most 200 characters.
	Name string `json:"name"`
	// Email is optional; when given it must be an email address.
	Email string `json:"email"`
}

func (in *ClientInput) check(prefix string) error {
	fields := map[string]string{}
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	setProblem(fields, prefix+"name", rules.TextProblem(in.Name, true, rules.MaxClientNameLength))
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
			fields[prefix+"email"] = "must be an email address"
		}
	}
	return validate.All(validate.Text(strings.TrimSuffix(prefix, "."), in), validate.Fields(fields))
}

// CreateClient adds a client to the actor's account.
func (s *Service) CreateClient(ctx context.Context, actor partnerkit.Actor, in ClientInput) (*Client, error) {
	const op = "resellers.CreateClient"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := in.check(""); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Client
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.createClient(ctx, actor, in)
		out = c
		return err
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

func (s *Service) createClient(ctx context.Context, actor partnerkit.Actor, in ClientInput) (*Client, error) {
	now := s.clock.Now()
	c := &Client{ID: partnerkit.NewID(PrefixClient), PartnerID: actor.AccountID, Name: in.Name, Email: in.Email,
		Status: ClientActive, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.store.CreateClient(ctx, c); err != nil {
		return nil, err
	}
	return c, s.audit.Record(ctx, actor, c.PartnerID, "client.created", "client", c.ID, nil, c)
}

// visibleClient loads a client the actor may see: one of its own account or
// of an account it manages.
func (s *Service) visibleClient(ctx context.Context, actor partnerkit.Actor, id string) (*Client, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, err
	}
	c, err := s.store.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.PartnerID != actor.AccountID && s.partners.CheckVisible(ctx, actor, c.PartnerID) != nil {
		return nil, partnerkit.NotFound("client", id)
	}
	return c, nil
}

// Client returns a client the actor may see.
func (s *Service) Client(ctx context.Context, actor partnerkit.Actor, id string) (*Client, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp("resellers.Client", err)
	}
	c, err := s.visibleClient(ctx, actor, id)
	return c, partnerkit.WithOp("resellers.Client", err)
}

// ClientUpdate changes a client; nil fields stay as they are.
type ClientUpdate struct {
	// Name renames the client.
	Name *string `json:"name"`
	// Email changes the contact email ("" clears it).
	Email *string `json:"email"`
	// Status moves the client: active ↔ on_hold, or either → deleted
	// (final; refused while the client has active subscriptions).
	Status *ClientStatus `json:"status"`
	// Version, when not 0, must equal the stored version.
	Version int `json:"version"`
}

// UpdateClient changes a client of the actor's own account.
func (s *Service) UpdateClient(ctx context.Context, actor partnerkit.Actor, id string, in ClientUpdate) (*Client, error) {
	const op = "resellers.UpdateClient"
	if err := validate.All(partnerkit.CheckID("id", id), validate.Text("", in)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Client
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.visibleClient(ctx, actor, id)
		if err != nil {
			return err
		}
		if c.PartnerID != actor.AccountID {
			return partnerkit.Errorf(partnerkit.CodeForbidden, "only the reseller of client %s changes it", id)
		}
		// Read again under the client's lock (see Store: a deleted client
		// has no active subscription).
		if c, err = s.store.LockClient(ctx, id); err != nil {
			return err
		}
		if err := partnerkit.CheckIfVersion(ctx, "client", c.ID, c.Version); err != nil {
			return err // If-Match: UpdateClient's version check holds it to the commit
		}
		if in.Version != 0 && in.Version != c.Version {
			return partnerkit.ConflictField("version", fmt.Sprintf("is %d, the client is at version %d: reload it", in.Version, c.Version))
		}
		before := *c
		ci := ClientInput{Name: c.Name, Email: c.Email}
		if in.Name != nil {
			ci.Name = *in.Name
		}
		if in.Email != nil {
			ci.Email = *in.Email
		}
		if err := ci.check(""); err != nil {
			return err
		}
		c.Name, c.Email = ci.Name, ci.Email
		if in.Status != nil && *in.Status != c.Status {
			to := *in.Status
			if !to.Valid() {
				return partnerkit.FieldError("status", "must be active, on_hold or deleted")
			}
			if !rules.CanMoveClient(c.Status, to) {
				return partnerkit.ConflictField("status", fmt.Sprintf("client is %s and cannot become %s", c.Status, to))
			}
			if to == ClientDeleted {
				_, n, err := s.store.ListSubscriptions(ctx, SubscriptionQuery{PartnerID: c.PartnerID, ClientID: c.ID, Status: StatusActive, Limit: 1})
				if err != nil {
					return err
				}
				if n > 0 {
					return partnerkit.ConflictField("status", fmt.Sprintf("client has %d active subscriptions: stop them first", n))
				}
			}
			c.Status = to
		}
		c.UpdatedAt = s.clock.Now()
		if err := s.store.UpdateClient(ctx, c); err != nil {
			return err
		}
		out = c
		return s.audit.Record(ctx, actor, c.PartnerID, "client.updated", "client", c.ID, &before, c)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// ClientFilter selects clients.
type ClientFilter struct {
	// PartnerID lists a visible account's clients; empty means the actor's.
	PartnerID string `json:"partner_id"`
	// Status keeps one status.
	Status ClientStatus `json:"status"`
	// Q keeps names that contain it (case-insensitive).
	Q string `json:"q"`
	// Sort is one of ClientOrder's; empty means by name.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// Clients lists one page of clients, by name.
func (s *Service) Clients(ctx context.Context, actor partnerkit.Actor, f ClientFilter) (partnerkit.List[Client], error) {
	const op = "resellers.Clients"
	out := partnerkit.List[Client]{Items: []Client{}}
	if err := validate.Text("", f); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	sort, sortErr := ClientOrder.Check(f.Sort)
	partner, page, err := s.listScope(ctx, actor, f.PartnerID, f.Page)
	if err == nil && f.Status != "" && !f.Status.Valid() {
		err = partnerkit.FieldError("status", "must be active, on_hold or deleted")
	}
	if err = validate.All(err, sortErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	items, total, err := s.store.ListClients(ctx, ClientQuery{PartnerID: partner, Status: f.Status,
		NameContains: strings.ToLower(strings.TrimSpace(f.Q)), Sort: sort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items != nil {
		out.Items = items
	}
	out.Total = total
	return out, nil
}

// listScope checks the account and page of a list.
func (s *Service) listScope(ctx context.Context, actor partnerkit.Actor, partnerID string, p partnerkit.Page) (string, partnerkit.Page, error) {
	if err := actor.RequireAccount(); err != nil {
		return "", p, err
	}
	if err := partnerkit.CheckID("partner_id", partnerID); err != nil {
		return "", p, err
	}
	page, err := p.Normalize()
	if err != nil {
		return "", page, err
	}
	partner := cmp.Or(partnerID, actor.AccountID)
	if partner != actor.AccountID {
		if err := s.partners.CheckVisible(ctx, actor, partner); err != nil {
			return "", page, err
		}
	}
	return partner, page, nil
}
