package agreements

import (
	"cmp"
	"context"
	"strings"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements/rules"
	"github.com/partnerkit/partnerkit/internal/validate"
)

// Store persists agreements, versions and documents. It only stores; the
// rules live in Service. Every implementation must pass storetest.
// Errors: not_found for missing rows; conflict on a stale Version; conflict
// when deleting a version that a contract uses; internal otherwise.
//
// # Concurrency
//
// Every rule of Service that reads, then writes holds under concurrent
// calls from many processes sharing one database (the memory store
// serialises its transactions, SQLite its write transactions; PostgreSQL,
// under READ COMMITTED, relies on these guarantees):
//   - versions are numbered 1, 2, 3 … without gaps or twins: the primary key
//     (agreement_id, number) and the agreement's optimistic version
//     (UpdateAgreement writes WHERE version = ?), so of concurrent publishes
//     one wins and the others get conflict.
//   - If-Match on an agreement (partnerkit.IfVersion): the service checks
//     the version it loaded, and UpdateAgreement's WHERE version = ? holds
//     it to the commit (the later of two changes conditioned on one version
//     gets precondition_failed, partnerkit.StaleVersion).
//   - a version bound to a contract is not deleted: the contracts' foreign
//     key to (agreement_id, number); DeleteVersion returns conflict.
type Store interface {
	partnerkit.Transactor

	// CreateAgreement inserts a.
	CreateAgreement(ctx context.Context, a *Agreement) error
	// GetAgreement returns an agreement or not_found.
	GetAgreement(ctx context.Context, id string) (*Agreement, error)
	// UpdateAgreement writes a if the stored version equals a.Version, then
	// increments a.Version. Returns not_found or conflict.
	UpdateAgreement(ctx context.Context, a *Agreement) error
	// ListAgreements returns one page of the agreements q selects, by name,
	// and how many it selects in all.
	ListAgreements(ctx context.Context, q Query) ([]Agreement, int, error)

	// CreateVersion inserts v with the file's bytes (nil for no file).
	CreateVersion(ctx context.Context, v *Version, content []byte) error
	// GetVersion returns version n of an agreement, or not_found.
	GetVersion(ctx context.Context, agreementID string, n int) (*Version, error)
	// ListVersions returns every version of an agreement, oldest first.
	ListVersions(ctx context.Context, agreementID string) ([]Version, error)
	// DocumentContent returns the bytes of version n's file, or not_found.
	DocumentContent(ctx context.Context, agreementID string, n int) ([]byte, error)
	// DeleteVersion removes version n and its file. Returns not_found, or
	// conflict when a contract is bound to it.
	DeleteVersion(ctx context.Context, agreementID string, n int) error
}

// Query selects agreements for a Store.
type Query struct {
	// OwnerID keeps the agreements of one account.
	OwnerID string
	// Type keeps one type; empty keeps all.
	Type Type
	// NameContains keeps names whose lower-case form contains it (already lower case).
	NameContains string
	// Sort orders the page (ListOrder.Resolve: by name unless created_at is asked for).
	Sort partnerkit.Sort
	// Limit and Offset select the page.
	Limit, Offset int
}

// ListOrder is how agreements sort: by name (the default) or creation time.
var ListOrder = partnerkit.Order{Fields: []string{"name", "created_at"}, Default: "name"}

// Service is the agreements API for Go programs.
type Service struct {
	store   Store
	tenancy partnerkit.Tenancy
	audit   partnerkit.Auditor
	clock   partnerkit.Clock
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock used for timestamps.
func WithClock(c partnerkit.Clock) Option { return func(s *Service) { s.clock = c } }

// NewService returns a Service over store. tenancy decides which owners an
// actor may see (partners.Service); audit records every change (the
// partners store). Build the stores on one database so that changes and
// their audit records commit together.
func NewService(store Store, tenancy partnerkit.Tenancy, audit partnerkit.AuditLog, opts ...Option) *Service {
	s := &Service{store: store, tenancy: tenancy}
	for _, o := range opts {
		o(s)
	}
	s.audit = partnerkit.Auditor{Log: audit, Clock: s.clock}
	return s
}

// CreateInput describes a new agreement and its first version.
type CreateInput struct {
	// Type is program, service, distribution or capacity.
	Type Type `json:"type"`
	// Name is 1 to 100 characters (rules.NameProblem).
	Name string `json:"name"`
	// Description is shown to partners; at most 10,000 characters
	// (rules.DescriptionProblem).
	Description string `json:"description" text:"multiline"`
	// Document is version 1's document.
	Document DocumentInput `json:"document" validate:"-"`
}

// Check validates in as Create would, without writing anything. The
// onboarding wizard uses it to reject bad input before any step runs.
func (in CreateInput) Check() error {
	_, _, docErr := checkDocument("document", in.Document)
	return validate.All(validate.Struct(in), rules.CheckAgreement("", in.Type, in.Name, in.Description), docErr)
}

// Create creates an agreement owned by the actor's account, with version 1.
// Returns forbidden for a viewer and invalid (or too_large for an oversized
// file) naming each bad field.
func (s *Service) Create(ctx context.Context, actor partnerkit.Actor, in CreateInput) (*Agreement, error) {
	const op = "agreements.Create"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := in.Check(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	doc, content, _ := checkDocument("document", in.Document)
	now := s.clock.Now()
	a := &Agreement{ID: partnerkit.NewID(partnerkit.PrefixAgreement), OwnerID: actor.AccountID, Type: in.Type,
		Name: strings.TrimSpace(in.Name), Description: strings.TrimSpace(in.Description), CurrentVersion: 1,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	v := &Version{AgreementID: a.ID, Number: 1, Document: doc, CreatedBy: actor.Principal(), CreatedAt: now}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateAgreement(ctx, a); err != nil {
			return err
		}
		if err := s.store.CreateVersion(ctx, v, content); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, a.OwnerID, "agreement.created", "agreement", a.ID, nil,
			map[string]any{"agreement": a, "version": v})
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return a, nil
}

// Get returns an agreement the actor may see (owned by its account or an
// account it manages); any other is not_found.
func (s *Service) Get(ctx context.Context, actor partnerkit.Actor, id string) (*Agreement, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp("agreements.Get", err)
	}
	a, err := s.visible(ctx, actor, id)
	return a, partnerkit.WithOp("agreements.Get", err)
}

func (s *Service) visible(ctx context.Context, actor partnerkit.Actor, id string) (*Agreement, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, err
	}
	a, err := s.store.GetAgreement(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.tenancy.CheckVisible(ctx, actor, a.OwnerID); err != nil {
		return nil, partnerkit.NotFound("agreement", id)
	}
	return a, nil
}

// ListFilter selects agreements.
type ListFilter struct {
	// OwnerID lists another visible account's agreements; empty means the actor's.
	OwnerID string `json:"owner_id"`
	// Type keeps one type.
	Type Type `json:"type"`
	// Q searches names.
	Q string `json:"q" validate:"max=100"`
	// Sort is one of ListOrder's; empty means by name.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// List returns one page of agreements, by name unless f.Sort says
// otherwise, and the total.
func (s *Service) List(ctx context.Context, actor partnerkit.Actor, f ListFilter) (partnerkit.List[Agreement], error) {
	const op = "agreements.List"
	var out partnerkit.List[Agreement]
	if err := actor.RequireAccount(); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	page, pageErr := f.Page.Normalize()
	sort, sortErr := ListOrder.Check(f.Sort)
	var typeErr error
	if f.Type != "" && !f.Type.Valid() {
		typeErr = partnerkit.FieldError("type", "must be one of: "+TypeNames())
	}
	if err := validate.All(validate.Struct(f), pageErr, sortErr, typeErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	owner := cmp.Or(f.OwnerID, actor.AccountID)
	if err := s.tenancy.CheckVisible(ctx, actor, owner); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	items, total, err := s.store.ListAgreements(ctx, Query{OwnerID: owner, Type: f.Type,
		NameContains: strings.ToLower(strings.TrimSpace(f.Q)), Sort: sort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items == nil {
		items = []Agreement{}
	}
	return partnerkit.List[Agreement]{Items: items, Total: total}, nil
}

// UpdateInput changes an agreement's name or description; nil fields stay.
type UpdateInput struct {
	// Name renames the agreement (rules.NameProblem).
	Name *string `json:"name"`
	// Description replaces the description (rules.DescriptionProblem).
	Description *string `json:"description" text:"multiline"`
	// Version, when not zero, must equal the stored version.
	Version int `json:"version"`
}

// Update changes an agreement's name or description.
func (s *Service) Update(ctx context.Context, actor partnerkit.Actor, id string, in UpdateInput) (*Agreement, error) {
	const op = "agreements.Update"
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	for _, p := range []*string{in.Name, in.Description} {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
	fields := map[string]string{}
	if in.Name != nil {
		if p := rules.NameProblem(*in.Name); p != "" {
			fields["name"] = p
		}
	}
	if in.Description != nil {
		if p := rules.DescriptionProblem(*in.Description); p != "" {
			fields["description"] = p
		}
	}
	if err := validate.All(validate.Struct(in), partnerkit.FieldErrors(fields)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	a, err := s.change(ctx, actor, id, in.Version, "agreement.updated", func(_ context.Context, a *Agreement) (any, error) {
		if in.Name != nil {
			a.Name = *in.Name
		}
		if in.Description != nil {
			a.Description = *in.Description
		}
		return nil, nil
	})
	return a, partnerkit.WithOp(op, err)
}

// Publish adds a new version with its document and makes it current.
// Contracts stay on the version they were bound to and show that an update
// awaits their signature.
func (s *Service) Publish(ctx context.Context, actor partnerkit.Actor, id string, doc DocumentInput) (*Version, error) {
	const op = "agreements.Publish"
	if err := validate.All(partnerkit.CheckID("id", id), validate.Text("document", doc)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	d, content, err := checkDocument("document", doc)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var v *Version
	_, err = s.change(ctx, actor, id, 0, "agreement.version_published", func(ctx context.Context, a *Agreement) (any, error) {
		a.CurrentVersion++
		v = &Version{AgreementID: a.ID, Number: a.CurrentVersion, Document: d, CreatedBy: actor.Principal(), CreatedAt: s.clock.Now()}
		if err := s.store.CreateVersion(ctx, v, content); err != nil {
			return nil, err
		}
		return v, nil
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return v, nil
}

// change loads a visible agreement in a transaction, applies edit (which
// gets the transaction's context), stores it and records action; edit may
// return an extra summary for the audit trail.
func (s *Service) change(ctx context.Context, actor partnerkit.Actor, id string, version int, action string,
	edit func(ctx context.Context, a *Agreement) (any, error)) (*Agreement, error) {
	if err := actor.RequireWriter(); err != nil {
		return nil, err
	}
	var out *Agreement
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		a, err := s.visible(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := partnerkit.CheckIfVersion(ctx, "agreement", a.ID, a.Version); err != nil {
			return err // If-Match: UpdateAgreement's version check holds it to the commit
		}
		if version != 0 && version != a.Version {
			return partnerkit.Errorf(partnerkit.CodeConflict, "agreement %s changed since version %d (now %d)", id, version, a.Version)
		}
		before := *a
		extra, err := edit(ctx, a)
		if err != nil {
			return err
		}
		a.UpdatedAt = s.clock.Now()
		if err := s.store.UpdateAgreement(ctx, a); err != nil {
			return err
		}
		out = a
		after := any(a)
		if extra != nil {
			after = map[string]any{"agreement": a, "version": extra}
		}
		return s.audit.Record(ctx, actor, a.OwnerID, action, "agreement", a.ID, &before, after)
	})
	return out, err
}

// Versions lists an agreement's versions, oldest first.
func (s *Service) Versions(ctx context.Context, actor partnerkit.Actor, id string) ([]Version, error) {
	const op = "agreements.Versions"
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if _, err := s.visible(ctx, actor, id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	vs, err := s.store.ListVersions(ctx, id)
	return vs, partnerkit.WithOp(op, err)
}

// Document returns version n's document and, for a file, its bytes.
func (s *Service) Document(ctx context.Context, actor partnerkit.Actor, id string, n int) (*Version, []byte, error) {
	const op = "agreements.Document"
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, nil, partnerkit.WithOp(op, err)
	}
	if _, err := s.visible(ctx, actor, id); err != nil {
		return nil, nil, partnerkit.WithOp(op, err)
	}
	return VersionDocument(ctx, s.store, id, n)
}

// VersionDocument reads version n and its file's bytes from store, with no
// tenancy check: for callers that already checked access another way (a
// contract's partner, an invitation link).
func VersionDocument(ctx context.Context, store Store, id string, n int) (*Version, []byte, error) {
	const op = "agreements.VersionDocument"
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, nil, partnerkit.WithOp(op, err)
	}
	v, err := store.GetVersion(ctx, id, n)
	if err != nil {
		return nil, nil, partnerkit.WithOp(op, err)
	}
	if v.Document.Kind != DocumentFile {
		return v, nil, nil
	}
	content, err := store.DocumentContent(ctx, id, n)
	if err != nil {
		return nil, nil, partnerkit.WithOp(op, err)
	}
	return v, content, nil
}

// DeleteVersion removes a version that is neither current nor bound to a
// contract (either is a conflict).
func (s *Service) DeleteVersion(ctx context.Context, actor partnerkit.Actor, id string, n int) error {
	const op = "agreements.DeleteVersion"
	if err := partnerkit.CheckID("id", id); err != nil {
		return partnerkit.WithOp(op, err)
	}
	_, err := s.change(ctx, actor, id, 0, "agreement.version_deleted", func(ctx context.Context, a *Agreement) (any, error) {
		if n == a.CurrentVersion {
			return nil, partnerkit.Errorf(partnerkit.CodeConflict, "version %d is the current version of agreement %s and cannot be deleted", n, id)
		}
		if err := s.store.DeleteVersion(ctx, id, n); err != nil {
			return nil, err
		}
		return map[string]int{"deleted_version": n}, nil
	})
	return partnerkit.WithOp(op, err)
}

// TypeNames lists the types for messages.
func TypeNames() string { return rules.TypeNames() }

// Lookup returns an agreement with no tenancy check: for other domains that
// checked access another way (a contract's partner, an invitation link).
// Returns not_found.
func (s *Service) Lookup(ctx context.Context, id string) (*Agreement, error) {
	if err := partnerkit.CheckID("agreement_id", id); err != nil {
		return nil, partnerkit.WithOp("agreements.Lookup", err)
	}
	a, err := s.store.GetAgreement(ctx, id)
	return a, partnerkit.WithOp("agreements.Lookup", err)
}

// LookupVersion returns version n of an agreement with no tenancy check
// (see Lookup). Returns not_found.
func (s *Service) LookupVersion(ctx context.Context, id string, n int) (*Version, error) {
	if err := partnerkit.CheckID("agreement_id", id); err != nil {
		return nil, partnerkit.WithOp("agreements.LookupVersion", err)
	}
	v, err := s.store.GetVersion(ctx, id, n)
	return v, partnerkit.WithOp("agreements.LookupVersion", err)
}

// VersionDocument returns version n's document and, for a file, its bytes,
// with no tenancy check (see Lookup).
func (s *Service) VersionDocument(ctx context.Context, id string, n int) (*Version, []byte, error) {
	return VersionDocument(ctx, s.store, id, n)
}
