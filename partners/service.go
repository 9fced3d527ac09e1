package partners

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/partners/rules"
)

// Service is the partners API for Go programs: every rule of accounts,
// users, roles and tenancy is enforced here, whatever the store.
type Service struct {
	store  Store
	clock  partnerkit.Clock
	hasher PasswordHasher
	audit  partnerkit.Auditor
	// auditLog stores (and publishes) the service's audit events: the
	// store unless WithAuditLog says otherwise.
	auditLog partnerkit.BatchAuditLog
	// slots bounds the password hashes that run at once; slotWait is how
	// long a check waits for one (see WithPasswordSlots).
	slots    chan struct{}
	slotWait time.Duration
	// touches batches the last-use times of sessions and API keys.
	touches touchBuffer
	// sec holds the mail queue, delivery status and secret key of
	// passwords, sessions and two-factor sign-in (security.go).
	sec securityConfig
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock used for timestamps.
func WithClock(c partnerkit.Clock) Option { return func(s *Service) { s.clock = c } }

// WithPasswordHasher sets the password hashing parameters (tests use cheap ones).
func WithPasswordHasher(h PasswordHasher) Option { return func(s *Service) { s.hasher = h } }

// WithAuditLog sets where the service's audit events go (the wiring passes
// a partnerkit.PublishingLog over the store, so that each is also
// published as a domain event); the default is the store.
func WithAuditLog(l partnerkit.BatchAuditLog) Option { return func(s *Service) { s.auditLog = l } }

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) *Service {
	s := &Service{store: store, hasher: DefaultPasswordHasher}
	for _, o := range opts {
		o(s)
	}
	if s.slots == nil {
		WithPasswordSlots(DefaultPasswordSlots(s.hasher), DefaultPasswordWait)(s)
	}
	if s.auditLog == nil {
		s.auditLog = store
	}
	s.audit = partnerkit.Auditor{Log: s.auditLog, Clock: s.clock}
	return s
}

// Clock returns the service's clock.
func (s *Service) Clock() partnerkit.Clock { return s.clock }

// Hasher returns the service's password hasher.
func (s *Service) Hasher() PasswordHasher { return s.hasher }

// Limits on text fields, in characters (see partners/rules, which the PWA
// shares).
const (
	MaxNameLength       = rules.MaxNameLength
	MaxExternalIDLength = rules.MaxExternalIDLength
)

// BootstrapInput creates the root account of a fresh installation and its
// first admin.
type BootstrapInput struct {
	// AccountName is the name of the root account.
	AccountName string `json:"account_name" validate:"required,max=100"`
	// AccountType is the root account's type; empty means provider.
	AccountType AccountType `json:"account_type"`
	// AdminEmail is the first admin's login.
	AdminEmail string `json:"admin_email" validate:"required,email,max=254"`
	// AdminFullName is the first admin's name.
	AdminFullName string `json:"admin_full_name" validate:"max=100"`
	// AdminPassword is the first admin's password; it must meet the policy.
	AdminPassword string `json:"admin_password"`
}

// Bootstrap creates a root account (no manager) and its first admin user in
// one transaction. It returns conflict when any account exists already.
func (s *Service) Bootstrap(ctx context.Context, in BootstrapInput) (*Account, *User, error) {
	const op = "partners.Bootstrap"
	in.AccountName = strings.TrimSpace(in.AccountName)
	in.AdminEmail = NormalizeEmail(in.AdminEmail)
	if in.AccountType == "" {
		in.AccountType = TypeProvider
	}
	if err := validate.All(validate.Struct(in), checkType("account_type", in.AccountType),
		CheckPasswordPolicy(in.AdminPassword)); err != nil {
		return nil, nil, partnerkit.WithOp(op, err)
	}
	var acct *Account
	var user *User
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		n, err := s.store.CountAccounts(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return partnerkit.Errorf(partnerkit.CodeConflict, "the database already has accounts")
		}
		now := s.clock.Now()
		id := partnerkit.NewID(partnerkit.PrefixAccount)
		acct = &Account{ID: id, Type: in.AccountType, Name: in.AccountName, Status: StatusActive,
			Path: "/" + id + "/", CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.store.CreateAccount(ctx, acct); err != nil {
			return err
		}
		user, err = s.createUserAndMembership(ctx, acct.ID, in.AdminEmail, in.AdminFullName, in.AdminPassword, partnerkit.RoleAdmin)
		if err != nil {
			return err
		}
		system := partnerkit.Actor{AccountID: acct.ID, UserID: user.ID, Role: partnerkit.RoleAdmin}
		return s.audit.Record(ctx, system, acct.ID, "partner.created", "partner", acct.ID, nil, acct)
	})
	if err != nil {
		return nil, nil, partnerkit.WithOp(op, err)
	}
	return acct, user, nil
}

// EnsureRoot returns the root account of the database, creating it and its
// first admin with Bootstrap when the database is empty: starting an
// embedding server twice on one database (or several instances at once)
// bootstraps once. created says whether this call made it; admin is nil
// when it did not.
func (s *Service) EnsureRoot(ctx context.Context, in BootstrapInput) (root *Account, admin *User, created bool, err error) {
	const op = "partners.EnsureRoot"
	if root, err = s.store.RootAccount(ctx); err == nil {
		return root, nil, false, nil
	}
	if partnerkit.ErrorCode(err) != partnerkit.CodeNotFound {
		return nil, nil, false, partnerkit.WithOp(op, err)
	}
	root, admin, err = s.Bootstrap(ctx, in)
	if partnerkit.ErrorCode(err) == partnerkit.CodeConflict { // another instance was first
		if root, err = s.store.RootAccount(ctx); err == nil {
			return root, nil, false, nil
		}
	}
	if err != nil {
		return nil, nil, false, partnerkit.WithOp(op, err)
	}
	return root, admin, true, nil
}

// User returns a user by ID (no tenancy: users are shared by accounts; the
// caller is the user, or holds their membership), or not_found.
func (s *Service) User(ctx context.Context, id string) (*User, error) {
	if err := partnerkit.CheckID("user_id", id); err != nil {
		return nil, partnerkit.WithOp("partners.User", err)
	}
	u, err := s.store.GetUser(ctx, id)
	return u, partnerkit.WithOp("partners.User", err)
}

// Memberships returns a user's memberships, oldest first.
func (s *Service) Memberships(ctx context.Context, userID string) ([]Membership, error) {
	if err := partnerkit.CheckID("user_id", userID); err != nil {
		return nil, partnerkit.WithOp("partners.Memberships", err)
	}
	ms, err := s.store.UserMemberships(ctx, userID)
	return ms, partnerkit.WithOp("partners.Memberships", err)
}

// CreatePartnerInput describes a new partner.
type CreatePartnerInput struct {
	// Type is the partner's type; the actor's account type limits it
	// (a provider may create distributors, vendors and resellers; a
	// distributor vendors and resellers; a reseller customers).
	Type AccountType `json:"type"`
	// Name is the display name (1 to 100 characters; rules.NameProblem).
	Name string `json:"name"`
	// ExternalID is the manager's own ID for the partner; optional, unique
	// per manager, at most 64 characters (rules.ExternalIDProblem).
	ExternalID string `json:"external_id"`
	// Status is active (the default) or invited.
	Status Status `json:"status"`
	// BusinessContact is who to reach for business matters.
	BusinessContact Contact `json:"business_contact"`
	// TechnicalContact is who to reach for technical matters.
	TechnicalContact Contact `json:"technical_contact"`
}

// CreatePartner creates a partner managed by the actor's account.
//
// Returns forbidden for a viewer, invalid naming each bad field, and
// conflict on "external_id" when the manager already uses it.
func (s *Service) CreatePartner(ctx context.Context, actor partnerkit.Actor, in CreatePartnerInput) (*Account, error) {
	const op = "partners.CreatePartner"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	in, err := checkNewPartner(in)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var acct *Account
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		manager, err := s.store.GetAccount(ctx, actor.AccountID)
		if err != nil {
			return err
		}
		if !manager.Type.CanManage(in.Type) {
			return partnerkit.FieldError("type", managedTypesProblem(manager.Type))
		}
		acct = newPartner(manager, in, s.clock.Now())
		if err := s.store.CreateAccount(ctx, acct); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, acct.ID, "partner.created", "partner", acct.ID, nil, acct)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return acct, nil
}

// GetPartner returns an account the actor may see: its own or one it
// manages. Any other ID, existing or not, is not_found.
func (s *Service) GetPartner(ctx context.Context, actor partnerkit.Actor, id string) (*Account, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp("partners.GetPartner", err)
	}
	a, err := s.visible(ctx, actor, id)
	return a, partnerkit.WithOp("partners.GetPartner", err)
}

// visible loads an account and applies the tenancy rule.
func (s *Service) visible(ctx context.Context, actor partnerkit.Actor, id string) (*Account, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, err
	}
	a, err := s.store.GetAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.VisibleTo(actor.AccountID) {
		return nil, partnerkit.NotFound("partner", id)
	}
	return a, nil
}

// UpdatePartnerInput changes some fields of an account; nil fields stay.
type UpdatePartnerInput struct {
	// Name renames the account (rules.NameProblem).
	Name *string `json:"name"`
	// LegalName sets the legal company name.
	LegalName *string `json:"legal_name" validate:"omitnil,max=200"`
	// ExternalID changes the manager's ID for it ("" clears it;
	// rules.ExternalIDProblem).
	ExternalID *string `json:"external_id"`
	// BusinessContact replaces the business contact.
	BusinessContact *Contact `json:"business_contact"`
	// TechnicalContact replaces the technical contact.
	TechnicalContact *Contact `json:"technical_contact"`
	// Version, when not zero, must equal the stored version (optimistic locking).
	Version int `json:"version"`
}

// UpdatePartner changes an account the actor may see.
//
// Returns not_found outside the actor's tenancy, forbidden for a viewer,
// invalid naming each bad field, conflict on "external_id" or on a stale Version.
func (s *Service) UpdatePartner(ctx context.Context, actor partnerkit.Actor, id string, in UpdatePartnerInput) (*Account, error) {
	const op = "partners.UpdatePartner"
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	trimPtr(in.Name)
	trimPtr(in.LegalName)
	trimPtr(in.ExternalID)
	fields := map[string]string{}
	if in.Name != nil {
		if p := rules.NameProblem(*in.Name); p != "" {
			fields["name"] = p
		}
	}
	if in.ExternalID != nil {
		if p := rules.ExternalIDProblem(*in.ExternalID); p != "" {
			fields["external_id"] = p
		}
	}
	if err := validate.All(validate.Struct(in), partnerkit.FieldErrors(fields)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	a, err := s.change(ctx, actor, id, in.Version, "partner.updated", func(a *Account) error {
		setIf(&a.Name, in.Name)
		setIf(&a.LegalName, in.LegalName)
		if in.ExternalID != nil {
			if a.ManagerID == "" && *in.ExternalID != "" {
				return partnerkit.FieldError("external_id", "a root account has no manager to hold an external ID")
			}
			a.ExternalID = *in.ExternalID
		}
		if in.BusinessContact != nil {
			a.BusinessContact = normalizeContact(*in.BusinessContact)
		}
		if in.TechnicalContact != nil {
			a.TechnicalContact = normalizeContact(*in.TechnicalContact)
		}
		return nil
	})
	return a, partnerkit.WithOp(op, err)
}

// SuspendPartner suspends an active partner the actor manages. An actor
// cannot suspend its own account. Returns conflict naming both states when
// the partner is not active.
func (s *Service) SuspendPartner(ctx context.Context, actor partnerkit.Actor, id string) (*Account, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp("partners.SuspendPartner", err)
	}
	a, err := s.transition(ctx, actor, id, rules.MoveSuspend.From(), rules.MoveSuspend.To())
	return a, partnerkit.WithOp("partners.SuspendPartner", err)
}

// ReactivatePartner makes a suspended partner active again.
func (s *Service) ReactivatePartner(ctx context.Context, actor partnerkit.Actor, id string) (*Account, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp("partners.ReactivatePartner", err)
	}
	a, err := s.transition(ctx, actor, id, rules.MoveReactivate.From(), rules.MoveReactivate.To())
	return a, partnerkit.WithOp("partners.ReactivatePartner", err)
}

// transition moves a managed account from one status to another.
func (s *Service) transition(ctx context.Context, actor partnerkit.Actor, id string, from, to Status) (*Account, error) {
	action := map[Status]string{StatusSuspended: "partner.suspended", StatusActive: "partner.reactivated"}[to]
	return s.change(ctx, actor, id, 0, action, func(a *Account) error {
		if a.ID == actor.AccountID {
			return partnerkit.Errorf(partnerkit.CodeForbidden, "an account cannot change its own status")
		}
		if a.Status != from {
			return partnerkit.Errorf(partnerkit.CodeConflict, "cannot change status from %s to %s", a.Status, to)
		}
		a.Status = to
		return nil
	})
}

// change loads a visible account in a transaction, applies edit, stores it
// and records action in the audit trail.
func (s *Service) change(ctx context.Context, actor partnerkit.Actor, id string, version int, action string, edit func(*Account) error) (*Account, error) {
	if err := actor.RequireWriter(); err != nil {
		return nil, err
	}
	var out *Account
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		a, err := s.visible(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := partnerkit.CheckIfVersion(ctx, "partner", a.ID, a.Version); err != nil {
			return err // If-Match: UpdateAccount's version check holds it to the commit
		}
		if version != 0 && version != a.Version {
			return partnerkit.Errorf(partnerkit.CodeConflict, "partner %s changed since version %d (now %d)", id, version, a.Version)
		}
		before := *a
		if err := edit(a); err != nil {
			return err
		}
		a.UpdatedAt = s.clock.Now()
		if err := s.store.UpdateAccount(ctx, a); err != nil {
			return err
		}
		out = a
		return s.audit.Record(ctx, actor, a.ID, action, "partner", a.ID, &before, a)
	})
	return out, err
}

// DeletePartner removes a partner the actor's account manages, with its
// memberships. A partner that still has partners of its own, or anything a
// later domain registered as a dependent (contracts, storage accounts,
// allocations, deals, usage history, products, catalog services, reseller
// clients, subscriptions), cannot be deleted: the conflict names what
// remains (suspend it instead, or remove those first).
func (s *Service) DeletePartner(ctx context.Context, actor partnerkit.Actor, id string) error {
	const op = "partners.DeletePartner"
	if err := partnerkit.CheckID("id", id); err != nil {
		return partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return partnerkit.WithOp(op, err)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		a, err := s.visible(ctx, actor, id)
		if err != nil {
			return err
		}
		if partnerkit.HasIfVersion(ctx, a.ID) { // If-Match: lock the row, so no change slips in before the removal
			if a, err = s.store.LockAccount(ctx, a.ID); err != nil {
				return err
			}
			if err := partnerkit.CheckIfVersion(ctx, "partner", a.ID, a.Version); err != nil {
				return err
			}
		}
		if a.ID == actor.AccountID || a.ManagerID != actor.AccountID {
			return partnerkit.Errorf(partnerkit.CodeForbidden, "only the managing account deletes a partner")
		}
		deps, err := s.store.Dependents(ctx, a.ID)
		if err != nil {
			return err
		}
		var remaining []string
		for _, kind := range dependentOrder(deps) {
			if n := deps[kind]; n > 0 {
				remaining = append(remaining, fmt.Sprintf("%d %s", n, kind))
			}
		}
		if len(remaining) > 0 {
			return partnerkit.Errorf(partnerkit.CodeConflict,
				"partner %q still has %s: remove them first, or suspend the partner instead", a.Name, strings.Join(remaining, ", "))
		}
		if err := s.store.DeleteAccount(ctx, a.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, a.ManagerID, "partner.deleted", "partner", a.ID, a, nil)
	})
	return partnerkit.WithOp(op, err)
}

// KindPartners is the dependents kind of an account's own partners.
const KindPartners = "partners"

// dependentOrder lists the kinds of deps in the order errors name them: the
// account's own partners first, then the other kinds by name.
func dependentOrder(deps map[string]int) []string {
	kinds := slices.Sorted(maps.Keys(deps))
	if i := slices.Index(kinds, KindPartners); i > 0 {
		kinds = append([]string{KindPartners}, slices.Delete(kinds, i, i+1)...)
	}
	return kinds
}

// DirectoryFilter selects and orders the partner directory.
type DirectoryFilter struct {
	// ManagerID lists the partners of this account; empty means the actor's
	// own account. It must be the actor's account or one it manages.
	ManagerID string `json:"manager_id"`
	// Q searches partner names (case-insensitive substring).
	Q string `json:"q" validate:"max=100"`
	// Type keeps one partner type.
	Type AccountType `json:"type"`
	// Status keeps one status.
	Status Status `json:"status"`
	// Sort is one of DirectoryOrder's: name, -name, created_at or
	// -created_at; empty means name.
	Sort Sort `json:"sort"`
	// SkipTotal skips counting the matches (a search over many partners
	// costs a scan): the list's Total is -1 and HasMore says whether more
	// follow the page.
	SkipTotal bool `json:"skip_total"`
	partnerkit.Page
}

// Directory returns one page of the partners an account manages, with the
// counts the directory shows, and the total that match.
//
// Returns invalid naming "type", "status", "sort", "limit" or "offset".
func (s *Service) Directory(ctx context.Context, actor partnerkit.Actor, f DirectoryFilter) (partnerkit.List[DirectoryEntry], error) {
	const op = "partners.Directory"
	var out partnerkit.List[DirectoryEntry]
	q, err := s.directoryQuery(ctx, actor, f)
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if f.SkipTotal {
		q.SkipTotal, q.Limit = true, q.Limit+1 // one more row tells whether more follow
	}
	items, total, err := s.store.Directory(ctx, q)
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items == nil {
		items = []DirectoryEntry{}
	}
	if f.SkipTotal {
		more := len(items) > q.Limit-1
		if more {
			items = items[:q.Limit-1]
		}
		return partnerkit.List[DirectoryEntry]{Items: items, Total: -1, HasMore: more}, nil
	}
	return partnerkit.List[DirectoryEntry]{Items: items, Total: total}, nil
}

func (s *Service) directoryQuery(ctx context.Context, actor partnerkit.Actor, f DirectoryFilter) (DirectoryQuery, error) {
	if err := actor.RequireAccount(); err != nil {
		return DirectoryQuery{}, err
	}
	page, pageErr := f.Page.Normalize()
	var typeErr, statusErr, sortErr error
	if f.Type != "" {
		typeErr = checkType("type", f.Type)
	}
	if f.Status != "" && !f.Status.Valid() {
		statusErr = partnerkit.FieldError("status", fmt.Sprintf("must be one of: %s", joinValues(Statuses())))
	}
	f.Sort, sortErr = DirectoryOrder.Check(f.Sort)
	if err := validate.All(validate.Struct(f), pageErr, typeErr, statusErr, sortErr); err != nil {
		return DirectoryQuery{}, err
	}
	manager := actor.AccountID
	if f.ManagerID != "" && f.ManagerID != manager {
		if _, err := s.visible(ctx, actor, f.ManagerID); err != nil {
			return DirectoryQuery{}, err
		}
		manager = f.ManagerID
	}
	return DirectoryQuery{
		ManagerID: manager, NameContains: SearchName(f.Q), Type: f.Type, Status: f.Status,
		Sort: f.Sort, Limit: page.Limit, Offset: page.Offset,
	}, nil
}

// CreateUserInput describes a new user and their first membership.
type CreateUserInput struct {
	// AccountID is the account to join; empty means the actor's account.
	AccountID string `json:"account_id"`
	// Email is the login; unique across all users.
	Email string `json:"email" validate:"required,email,max=254"`
	// FullName is the person's name.
	FullName string `json:"full_name" validate:"required,max=100"`
	// Password must meet the password policy.
	Password string `json:"password"`
	// Role is the role in AccountID.
	Role partnerkit.Role `json:"role"`
}

// CreateUser creates a user who is a member of an account the actor
// administers. Returns forbidden unless the actor is an admin, invalid
// naming each bad field, and conflict on "email" when the email is taken.
func (s *Service) CreateUser(ctx context.Context, actor partnerkit.Actor, in CreateUserInput) (*User, error) {
	const op = "partners.CreateUser"
	if err := actor.RequireAccount(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireAdmin(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	in.Email = NormalizeEmail(in.Email)
	in.FullName = strings.TrimSpace(in.FullName)
	if in.AccountID == "" {
		in.AccountID = actor.AccountID
	}
	if err := validate.All(validate.Struct(in), checkRole(in.Role), CheckPasswordPolicy(in.Password)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var user *User
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.visible(ctx, actor, in.AccountID); err != nil {
			return err
		}
		var err error
		user, err = s.createUserAndMembership(ctx, in.AccountID, in.Email, in.FullName, in.Password, in.Role)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, in.AccountID, "user.created", "user", user.ID, nil,
			map[string]any{"user": user, "account_id": in.AccountID, "role": in.Role})
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return user, nil
}

func (s *Service) createUserAndMembership(ctx context.Context, accountID, email, fullName, password string, role partnerkit.Role) (*User, error) {
	now := s.clock.Now()
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	u := &User{ID: partnerkit.NewID(partnerkit.PrefixUser), Email: email, FullName: strings.TrimSpace(fullName),
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	m := &Membership{UserID: u.ID, AccountID: accountID, Role: role, CreatedAt: now}
	if err := s.store.CreateMembership(ctx, m); err != nil {
		return nil, err
	}
	return u, nil
}

// AddMember makes an existing user a member of an account the actor
// administers. Returns conflict on "user_id" when already a member.
func (s *Service) AddMember(ctx context.Context, actor partnerkit.Actor, accountID, userID string, role partnerkit.Role) (*Membership, error) {
	const op = "partners.AddMember"
	if err := partnerkit.CheckID("account_id", accountID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := partnerkit.CheckID("user_id", userID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireAdmin(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := checkRole(role); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var m *Membership
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.visible(ctx, actor, accountID); err != nil {
			return err
		}
		if _, err := s.store.GetUser(ctx, userID); err != nil {
			if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
				return partnerkit.FieldError("user_id", "no such user")
			}
			return err
		}
		m = &Membership{UserID: userID, AccountID: accountID, Role: role, CreatedAt: s.clock.Now()}
		if err := s.store.CreateMembership(ctx, m); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, accountID, "membership.created", "user", userID, nil, m)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return m, nil
}

// Members lists the members of an account the actor may see.
func (s *Service) Members(ctx context.Context, actor partnerkit.Actor, accountID string) ([]Member, error) {
	const op = "partners.Members"
	if err := partnerkit.CheckID("id", accountID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if _, err := s.visible(ctx, actor, accountID); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	ms, err := s.store.AccountMembers(ctx, accountID)
	return ms, partnerkit.WithOp(op, err)
}

// AuditTrail returns one page of the audit events of an entity (a partner,
// user, agreement, contract, ...) oldest first: Audit with that entity and page.
func (s *Service) AuditTrail(ctx context.Context, actor partnerkit.Actor, entityID string, page partnerkit.Page) (partnerkit.List[partnerkit.AuditEvent], error) {
	return s.Audit(ctx, actor, AuditFilter{EntityID: entityID, Page: page})
}

// AuditFilter selects and orders the audit trail of one entity.
type AuditFilter struct {
	// EntityID is the entity (a partner, user, agreement, contract, ...).
	EntityID string `json:"entity_id"`
	// Sort is one of AuditOrder's: at (oldest first, the default) or -at.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// Audit returns one page of the audit events of an entity that the actor
// may see: each event belongs to one account and is visible only within
// that account's tenancy (the account and its managers). An entity with no
// event the actor may see is not_found.
//
// Returns invalid naming "entity_id", "sort", "limit" or "offset".
func (s *Service) Audit(ctx context.Context, actor partnerkit.Actor, f AuditFilter) (partnerkit.List[partnerkit.AuditEvent], error) {
	const op = "partners.AuditTrail"
	var out partnerkit.List[partnerkit.AuditEvent]
	entityID := f.EntityID
	if err := actor.RequireAccount(); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	var entityErr error
	if entityID == "" {
		entityErr = partnerkit.FieldError("entity_id", "is required")
	}
	page, pageErr := f.Page.Normalize()
	sort, sortErr := AuditOrder.Check(f.Sort)
	if err := validate.All(partnerkit.CheckID("entity_id", entityID), entityErr, validate.Struct(f), pageErr, sortErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	// Each event is visible only within its own account's tenancy: an
	// entity shared by tenants (a user who is a member of two accounts)
	// shows each tenant its own events only.
	events, total, err := s.store.AuditTrail(ctx, AuditQuery{EntityID: entityID, VisibleTo: actor.AccountID,
		Sort: sort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	notFound := partnerkit.WithOp(op, partnerkit.NotFound("entity", entityID))
	if total == 0 { // unknown, or none of its events is the actor's to see
		return out, notFound
	}
	return partnerkit.List[partnerkit.AuditEvent]{Items: events, Total: total}, nil
}

// Authenticate checks an email and password coming from address (the
// caller's network address; "" when there is none, as for a Go program).
// It returns the user and their memberships, or unauthorized without
// saying which of the two was wrong. The check is throttled like every
// password check (see PairAttempts): rate_limited when a count refuses it,
// unavailable when every password-hash slot stays busy.
func (s *Service) Authenticate(ctx context.Context, email, password, address string) (*User, []Membership, error) {
	u, ms, _, err := s.authenticate(ctx, email, password, address)
	return u, ms, err
}

var dummyHash = DefaultPasswordHasher.Hash("not a real password")

// ActorFor returns the actor for a user acting in an account, or forbidden
// when the user is not a member of it. An empty accountID picks the user's
// oldest membership.
func ActorFor(userID string, memberships []Membership, accountID string) (partnerkit.Actor, error) {
	for _, m := range memberships {
		if m.UserID == userID && (accountID == "" || m.AccountID == accountID) {
			return partnerkit.Actor{AccountID: m.AccountID, UserID: userID, Role: m.Role}, nil
		}
	}
	return partnerkit.Actor{}, partnerkit.Errorf(partnerkit.CodeForbidden, "not a member of account %q", accountID)
}

// --- validation helpers ---

func checkType(field string, t AccountType) error {
	if p := rules.TypeProblem(t); p != "" {
		return partnerkit.FieldError(field, p)
	}
	return nil
}

func checkNewStatus(st Status) error {
	if p := rules.NewStatusProblem(st); p != "" {
		return partnerkit.FieldError("status", p)
	}
	return nil
}

func checkRole(r partnerkit.Role) error {
	if !r.Valid() {
		return partnerkit.FieldError("role", "must be one of: "+joinValues(partnerkit.Roles()))
	}
	return nil
}

func managedTypesProblem(t AccountType) string { return rules.ManagedTypesProblem(t) }

func normalizeContact(c Contact) Contact {
	return Contact{Name: strings.TrimSpace(c.Name), Email: NormalizeEmail(c.Email), Phone: strings.TrimSpace(c.Phone)}
}

func joinValues[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func trimPtr(p *string) {
	if p != nil {
		*p = strings.TrimSpace(*p)
	}
}

func setIf(dst *string, src *string) {
	if src != nil {
		*dst = *src
	}
}

// CheckVisible implements partnerkit.Tenancy.
func (s *Service) CheckVisible(ctx context.Context, actor partnerkit.Actor, accountID string) error {
	if err := partnerkit.CheckID("account_id", accountID); err != nil {
		return err
	}
	_, err := s.visible(ctx, actor, accountID)
	return err
}

// LookupAccount returns an account with no tenancy check: for other
// domains that checked access another way (an invitation link's holder has
// no actor yet). Returns not_found.
func (s *Service) LookupAccount(ctx context.Context, id string) (*Account, error) {
	if err := partnerkit.CheckID("account_id", id); err != nil {
		return nil, partnerkit.WithOp("partners.LookupAccount", err)
	}
	a, err := s.store.GetAccount(ctx, id)
	return a, partnerkit.WithOp("partners.LookupAccount", err)
}

// AccountsByID returns the accounts among ids that exist, in no order, with
// no tenancy check: for other domains' batch work (usage ingestion checks
// visibility itself with Account.VisibleTo).
func (s *Service) AccountsByID(ctx context.Context, ids []string) ([]Account, error) {
	if err := partnerkit.CheckIDs("ids", ids); err != nil {
		return nil, partnerkit.WithOp("partners.AccountsByID", err)
	}
	as, err := s.store.AccountsByID(ctx, ids)
	return as, partnerkit.WithOp("partners.AccountsByID", err)
}
