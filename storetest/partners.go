package storetest

import (
	"context"
	"errors"
	"fmt"
	"github.com/partnerkit/partnerkit/events"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/partnerkit/partnerkit/wiring"
)

// partnersEnv is a fresh database with a root provider and its admin actor,
// and the services of every domain on it.
type partnersEnv struct {
	stores    Stores
	store     partners.Store
	svc       *partners.Service
	agr       *agreements.Service
	con       *contracts.Service
	cap       *capacity.Service
	lst       *listings.Service
	rs        *resellers.Service
	root      *partners.Account
	admin     partnerkit.Actor
	advance   func(time.Duration)
	adminUser *partners.User
	// clock is the services' clock, for a second instance on the same
	// stores (a second server).
	clock partnerkit.Clock
	// bus is the services' in-process event bus (Subscribe).
	bus *events.Bus
}

func newPartnersEnv(t *testing.T, h Harness) *partnersEnv {
	t.Helper()
	stores := h.MakeStores(t)
	st := stores.Partners
	clock, advance := AdjustableClock(Epoch)
	services := wired(t, stores, wiring.Options{Clock: clock, Hasher: CheapHasher})
	svc := services.Partners
	root, user, err := svc.Bootstrap(context.Background(), partners.BootstrapInput{
		AccountName: "Root Provider", AdminEmail: "admin@root.example", AdminFullName: "Root Admin",
		AdminPassword: "Sup3r-secret",
	})
	noErr(t, err)
	return &partnersEnv{stores: stores, store: st, svc: svc, root: root, advance: advance, adminUser: user, clock: clock, bus: services.Events,
		admin: partnerkit.Actor{AccountID: root.ID, UserID: user.ID, Role: partnerkit.RoleAdmin},
		agr:   services.Agreements, con: services.Contracts, cap: services.Capacity, lst: services.Listings, rs: services.Resellers}
}

func (e *partnersEnv) create(t *testing.T, actor partnerkit.Actor, in partners.CreatePartnerInput) *partners.Account {
	t.Helper()
	a, err := e.svc.CreatePartner(context.Background(), actor, in)
	noErr(t, err)
	return a
}

func (e *partnersEnv) count(t *testing.T) int {
	t.Helper()
	n, err := e.store.CountAccounts(context.Background())
	noErr(t, err)
	return n
}

// partnersSuite is the table of partners.Store's conformance tests.
func partnersSuite() suite {
	ctx := context.Background()
	return suite{tests: []test{
		{name: "CreateGetRoundTrip", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			in := partners.CreatePartnerInput{
				Type: partners.TypeDistributor, Name: "  Mighty Mick's LLC ", ExternalID: "MM-1",
				BusinessContact:  partners.Contact{Name: "Mick", Email: "Mick@Mighty.example", Phone: "+1 555 0100"},
				TechnicalContact: partners.Contact{Name: "Tech", Email: "tech@mighty.example"},
			}
			a := e.create(t, e.admin, in)
			got := must[*partners.Account](t)(e.store.GetAccount(ctx, a.ID))
			if !reflect.DeepEqual(got, a) {
				t.Fatalf("stored account differs:\n got %+v\nwant %+v", got, a)
			}
			if got.Name != "Mighty Mick's LLC" || got.BusinessContact.Email != "mick@mighty.example" {
				t.Fatalf("name or email not normalized: %+v", got)
			}
			if got.Path != e.root.Path+a.ID+"/" || got.ManagerID != e.root.ID || got.Status != partners.StatusActive {
				t.Fatalf("tree fields wrong: %+v", got)
			}
			if !partnerkit.HasPrefix(a.ID, partnerkit.PrefixAccount) {
				t.Fatalf("ID %q lacks prefix", a.ID)
			}
		}},

		{name: "ErrNotFound", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			_, err := e.store.GetAccount(ctx, "PA-nope")
			wantCode(t, err, partnerkit.CodeNotFound)
			_, err = e.store.GetUser(ctx, "UR-nope")
			wantCode(t, err, partnerkit.CodeNotFound)
			_, err = e.store.GetUserByEmail(ctx, "nobody@example.com")
			wantCode(t, err, partnerkit.CodeNotFound)
			err = e.store.UpdateAccount(ctx, &partners.Account{ID: "PA-nope", Version: 1})
			wantCode(t, err, partnerkit.CodeNotFound)
		}},

		{name: "ErrExternalIDTaken", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			dist := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "D", ExternalID: "X-1"})
			before := e.count(t)
			_, err := e.svc.CreatePartner(ctx, e.admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "V", ExternalID: "X-1"})
			wantField(t, err, partnerkit.CodeConflict, "external_id")
			if n := e.count(t); n != before {
				t.Fatalf("a failed create wrote an account: %d -> %d", before, n)
			}
			// The same external ID under another manager is fine, and so are many empty ones.
			distActor := partnerkit.Actor{AccountID: dist.ID, Role: partnerkit.RoleStaff}
			e.create(t, distActor, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "V", ExternalID: "X-1"})
			e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "no ext 1"})
			e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "no ext 2"})
			// Renaming an external ID onto a taken one conflicts too.
			other := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "R", ExternalID: "X-2"})
			taken := "X-1"
			_, err = e.svc.UpdatePartner(ctx, e.admin, other.ID, partners.UpdatePartnerInput{ExternalID: &taken})
			wantField(t, err, partnerkit.CodeConflict, "external_id")
			got := must[*partners.Account](t)(e.store.GetAccount(ctx, other.ID))
			if got.ExternalID != "X-2" || got.Version != other.Version {
				t.Fatalf("failed update changed the account: %+v", got)
			}
			// Releasing an external ID frees it.
			free := "X-3"
			must[*partners.Account](t)(e.svc.UpdatePartner(ctx, e.admin, other.ID, partners.UpdatePartnerInput{ExternalID: &free}))
			e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "reuses X-2", ExternalID: "X-2"})
		}},

		{name: "UpdateVersioning", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			a := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Before"})
			name := "After"
			up := must[*partners.Account](t)(e.svc.UpdatePartner(ctx, e.admin, a.ID, partners.UpdatePartnerInput{Name: &name, Version: a.Version}))
			if up.Version != a.Version+1 || up.Name != "After" || !up.UpdatedAt.After(a.UpdatedAt) {
				t.Fatalf("update: %+v", up)
			}
			got := must[*partners.Account](t)(e.store.GetAccount(ctx, a.ID))
			if !reflect.DeepEqual(got, up) {
				t.Fatalf("stored after update:\n got %+v\nwant %+v", got, up)
			}
			// A stale version is a conflict at the service and at the store.
			_, err := e.svc.UpdatePartner(ctx, e.admin, a.ID, partners.UpdatePartnerInput{Name: &name, Version: a.Version})
			wantCode(t, err, partnerkit.CodeConflict)
			stale := *a
			wantCode(t, e.store.UpdateAccount(ctx, &stale), partnerkit.CodeConflict)
		}},

		{name: "SuspendReactivate", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			a := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "R"})
			s := must[*partners.Account](t)(e.svc.SuspendPartner(ctx, e.admin, a.ID))
			if s.Status != partners.StatusSuspended {
				t.Fatalf("status %s", s.Status)
			}
			_, err := e.svc.SuspendPartner(ctx, e.admin, a.ID)
			wantCode(t, err, partnerkit.CodeConflict)
			if msg := partnerkit.ErrorMessage(err); !strings.Contains(msg, "suspended") {
				t.Fatalf("message %q should name the states", msg)
			}
			r := must[*partners.Account](t)(e.svc.ReactivatePartner(ctx, e.admin, a.ID))
			if r.Status != partners.StatusActive {
				t.Fatalf("status %s", r.Status)
			}
			_, err = e.svc.SuspendPartner(ctx, e.admin, e.root.ID)
			wantCode(t, err, partnerkit.CodeForbidden)
		}},

		{name: "Delete", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			dist := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "D", ExternalID: "D-1"})
			distActor := partnerkit.Actor{AccountID: dist.ID, Role: partnerkit.RoleAdmin}
			res := e.create(t, distActor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "R"})
			u := must[*partners.User](t)(e.svc.CreateUser(ctx, distActor, partners.CreateUserInput{AccountID: res.ID,
				Email: "r@example.com", FullName: "R", Password: "Passw0rd!", Role: partnerkit.RoleAdmin}))
			err := e.svc.DeletePartner(ctx, e.admin, dist.ID)
			wantCode(t, err, partnerkit.CodeConflict)
			if !strings.Contains(partnerkit.ErrorMessage(err), "1 partners") {
				t.Fatalf("message %q should name what remains", partnerkit.ErrorMessage(err))
			}
			wantCode(t, e.svc.DeletePartner(ctx, e.admin, res.ID), partnerkit.CodeForbidden) // not its manager
			wantCode(t, e.svc.DeletePartner(ctx, distActor, dist.ID), partnerkit.CodeForbidden)
			noErr(t, e.svc.DeletePartner(ctx, distActor, res.ID))
			_, err = e.svc.GetPartner(ctx, distActor, res.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			if ms := must[[]partners.Membership](t)(e.store.UserMemberships(ctx, u.ID)); len(ms) != 0 {
				t.Fatalf("memberships left: %+v", ms)
			}
			noErr(t, e.svc.DeletePartner(ctx, e.admin, dist.ID))
			// Its external ID is free again.
			e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "D again", ExternalID: "D-1"})
		}},

		{name: "Tenancy", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			distA := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "A"})
			distB := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "B"})
			actorA := partnerkit.Actor{AccountID: distA.ID, Role: partnerkit.RoleAdmin}
			actorB := partnerkit.Actor{AccountID: distB.ID, Role: partnerkit.RoleAdmin}
			resA := e.create(t, actorA, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "A's reseller"})
			custA := e.create(t, partnerkit.Actor{AccountID: resA.ID, Role: partnerkit.RoleAdmin},
				partners.CreatePartnerInput{Type: partners.TypeCustomer, Name: "A's customer"})

			// Down the tree: own account, direct and indirect partners.
			for _, id := range []string{distA.ID, resA.ID, custA.ID} {
				must[*partners.Account](t)(e.svc.GetPartner(ctx, actorA, id))
			}
			must[*partners.Account](t)(e.svc.GetPartner(ctx, e.admin, custA.ID))
			// Sideways and up: not found, never forbidden.
			name := "hijacked"
			for _, id := range []string{resA.ID, custA.ID, e.root.ID, "PA-unknown"} {
				_, err := e.svc.GetPartner(ctx, actorB, id)
				wantCode(t, err, partnerkit.CodeNotFound)
				_, err = e.svc.UpdatePartner(ctx, actorB, id, partners.UpdatePartnerInput{Name: &name})
				wantCode(t, err, partnerkit.CodeNotFound)
				_, err = e.svc.SuspendPartner(ctx, actorB, id)
				wantCode(t, err, partnerkit.CodeNotFound)
			}
			_, err := e.svc.Directory(ctx, actorB, partners.DirectoryFilter{ManagerID: distA.ID})
			wantCode(t, err, partnerkit.CodeNotFound)
			list := must[partnerkit.List[partners.DirectoryEntry]](t)(e.svc.Directory(ctx, actorA, partners.DirectoryFilter{ManagerID: resA.ID}))
			if list.Total != 1 || list.Items[0].ID != custA.ID {
				t.Fatalf("A's view of its reseller's partners: %+v", list)
			}
			// A viewer reads but never writes.
			viewer := partnerkit.Actor{AccountID: distA.ID, Role: partnerkit.RoleViewer}
			must[*partners.Account](t)(e.svc.GetPartner(ctx, viewer, resA.ID))
			_, err = e.svc.UpdatePartner(ctx, viewer, resA.ID, partners.UpdatePartnerInput{Name: &name})
			wantCode(t, err, partnerkit.CodeForbidden)
			_, err = e.svc.CreatePartner(ctx, viewer, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "x"})
			wantCode(t, err, partnerkit.CodeForbidden)
			// Types follow the tree: a distributor creates no distributors.
			_, err = e.svc.CreatePartner(ctx, actorA, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "x"})
			wantField(t, err, partnerkit.CodeInvalid, "type")
		}},

		{name: "BadInputWritesNothing", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			before := e.count(t)
			cases := []struct {
				name  string
				in    partners.CreatePartnerInput
				field string
			}{
				{"ErrNameRequired", partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "   "}, "name"},
				{"ErrNameTooLong", partners.CreatePartnerInput{Type: partners.TypeVendor, Name: strings.Repeat("n", 101)}, "name"},
				{"ErrTypeUnknown", partners.CreatePartnerInput{Type: "wizard", Name: "x"}, "type"},
				{"ErrStatusUnknown", partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "x", Status: "gone"}, "status"},
				{"ErrExternalIDTooLong", partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "x", ExternalID: strings.Repeat("e", 65)}, "external_id"},
				{"ErrContactEmail", partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "x",
					BusinessContact: partners.Contact{Email: "not-an-email"}}, "business_contact.email"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					_, err := e.svc.CreatePartner(ctx, e.admin, c.in)
					wantField(t, err, partnerkit.CodeInvalid, c.field)
				})
			}
			if n := e.count(t); n != before {
				t.Fatalf("bad input wrote accounts: %d -> %d", before, n)
			}
		}},

		{name: "Directory", needs: forPartners, fn: testDirectory},
		{name: "DirectoryTotalsFollowChanges", needs: forPartners, fn: testDirectoryTotals},

		{name: "Users", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			u := must[*partners.User](t)(e.svc.CreateUser(ctx, e.admin, partners.CreateUserInput{
				Email: " Ann@Example.COM ", FullName: "Ann", Password: "Passw0rd!", Role: partnerkit.RoleStaff}))
			if u.Email != "ann@example.com" {
				t.Fatalf("email not normalized: %q", u.Email)
			}
			got := must[*partners.User](t)(e.store.GetUserByEmail(ctx, "ann@example.com"))
			if !reflect.DeepEqual(got, u) {
				t.Fatalf("stored user differs:\n got %+v\nwant %+v", got, u)
			}
			// Duplicate email: conflict naming email; nothing written.
			_, err := e.svc.CreateUser(ctx, e.admin, partners.CreateUserInput{
				Email: "ann@example.com", FullName: "Ann 2", Password: "Passw0rd!", Role: partnerkit.RoleViewer})
			wantField(t, err, partnerkit.CodeConflict, "email")
			members := must[[]partners.Member](t)(e.svc.Members(ctx, e.admin, e.root.ID))
			if len(members) != 2 || members[1].User.Email != "ann@example.com" || members[1].Role != partnerkit.RoleStaff {
				t.Fatalf("members: %+v", members)
			}
			for _, c := range []struct {
				name  string
				in    partners.CreateUserInput
				field string
			}{
				{"ErrWeakPassword", partners.CreateUserInput{Email: "b@example.com", FullName: "B", Password: "password", Role: partnerkit.RoleStaff}, "password"},
				{"ErrShortPassword", partners.CreateUserInput{Email: "b@example.com", FullName: "B", Password: "Aa1!", Role: partnerkit.RoleStaff}, "password"},
				{"ErrEmail", partners.CreateUserInput{Email: "b@", FullName: "B", Password: "Passw0rd!", Role: partnerkit.RoleStaff}, "email"},
				{"ErrRole", partners.CreateUserInput{Email: "b@example.com", FullName: "B", Password: "Passw0rd!", Role: "owner"}, "role"},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, err := e.svc.CreateUser(ctx, e.admin, c.in)
					wantField(t, err, partnerkit.CodeInvalid, c.field)
				})
			}
			if _, err := e.store.GetUserByEmail(ctx, "b@example.com"); partnerkit.ErrorCode(err) != partnerkit.CodeNotFound {
				t.Fatalf("bad input wrote a user: %v", err)
			}
			// A second membership; duplicate membership conflicts.
			dist := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "D"})
			must[*partners.Membership](t)(e.svc.AddMember(ctx, e.admin, dist.ID, u.ID, partnerkit.RoleAdmin))
			_, err = e.svc.AddMember(ctx, e.admin, dist.ID, u.ID, partnerkit.RoleViewer)
			wantField(t, err, partnerkit.CodeConflict, "user_id")
			// Authenticate returns the memberships, oldest first.
			au, ms, err := e.svc.Authenticate(ctx, "ANN@example.com", "Passw0rd!", "")
			noErr(t, err)
			if au.ID != u.ID || len(ms) != 2 || ms[0].AccountID != e.root.ID || ms[1].AccountID != dist.ID {
				t.Fatalf("authenticate: %+v %+v", au, ms)
			}
			_, _, err = e.svc.Authenticate(ctx, "ann@example.com", "wrong", "")
			wantCode(t, err, partnerkit.CodeUnauthorized)
			_, _, err = e.svc.Authenticate(ctx, "nobody@example.com", "Passw0rd!", "")
			wantCode(t, err, partnerkit.CodeUnauthorized)
			// Only admins manage users.
			_, err = e.svc.CreateUser(ctx, partnerkit.Actor{AccountID: e.root.ID, Role: partnerkit.RoleStaff},
				partners.CreateUserInput{Email: "c@example.com", FullName: "C", Password: "Passw0rd!", Role: partnerkit.RoleStaff})
			wantCode(t, err, partnerkit.CodeForbidden)
		}},

		{name: "Bootstrap", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			_, _, err := e.svc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Again", AdminEmail: "x@example.com", AdminPassword: "Passw0rd!"})
			wantCode(t, err, partnerkit.CodeConflict)
			stores := h.MakeStores(t)
			st, svc := stores.Partners, wired(t, stores, wiring.Options{Hasher: CheapHasher}).Partners
			_, _, err = svc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Root", AdminEmail: "x@example.com", AdminPassword: "weak"})
			wantField(t, err, partnerkit.CodeInvalid, "password")
			if n := must[int](t)(st.CountAccounts(ctx)); n != 0 {
				t.Fatalf("failed bootstrap wrote %d accounts", n)
			}
		}},

		{name: "Transactions", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			boom := errors.New("boom")
			var gone, kept, inner *partners.Account
			err := e.store.InTx(ctx, func(ctx context.Context) error {
				gone = must[*partners.Account](t)(e.svc.CreatePartner(ctx, e.admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "gone"}))
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx returned %v", err)
			}
			_, err = e.store.GetAccount(ctx, gone.ID)
			wantCode(t, err, partnerkit.CodeNotFound)

			// Nested: a failed inner call rolls back only its own work.
			err = e.store.InTx(ctx, func(ctx context.Context) error {
				kept = must[*partners.Account](t)(e.svc.CreatePartner(ctx, e.admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "kept"}))
				innerErr := e.store.InTx(ctx, func(ctx context.Context) error {
					inner = must[*partners.Account](t)(e.svc.CreatePartner(ctx, e.admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "inner"}))
					return boom
				})
				if !errors.Is(innerErr, boom) {
					return fmt.Errorf("inner InTx returned %v", innerErr)
				}
				// Reads in the transaction see its own writes.
				_, err := e.store.GetAccount(ctx, kept.ID)
				return err
			})
			noErr(t, err)
			must[*partners.Account](t)(e.store.GetAccount(ctx, kept.ID))
			_, err = e.store.GetAccount(ctx, inner.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
		}},
	}}
}

// testDirectory checks filters, search, every sort, paging and totals
// against the same rules computed here.
func testDirectory(t *testing.T, h Harness) {
	ctx := context.Background()
	e := newPartnersEnv(t, h)
	names := []string{"alpha", "Beta", "gamma 50% off", "delta_one", "Alpha", "epsilon", "zeta", "eta", "THETA", "iota"}
	types := []partners.AccountType{partners.TypeVendor, partners.TypeReseller, partners.TypeDistributor}
	var all []*partners.Account
	for i, n := range names {
		a := e.create(t, e.admin, partners.CreatePartnerInput{Type: types[i%3], Name: n,
			TechnicalContact: partners.Contact{Name: "T " + n, Email: fmt.Sprintf("t%d@example.com", i)}})
		all = append(all, a)
	}
	must[*partners.Account](t)(e.svc.SuspendPartner(ctx, e.admin, all[1].ID))
	must[*partners.Account](t)(e.svc.SuspendPartner(ctx, e.admin, all[4].ID))
	for _, i := range []int{1, 4} {
		all[i] = must[*partners.Account](t)(e.store.GetAccount(ctx, all[i].ID))
	}
	// A partner of a partner is not in the root's directory.
	e.create(t, partnerkit.Actor{AccountID: all[2].ID, Role: partnerkit.RoleAdmin},
		partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "alpha grandchild"})

	expect := func(f partners.DirectoryFilter) ([]string, int) {
		var match []*partners.Account
		for _, a := range all {
			if (f.Type == "" || a.Type == f.Type) && (f.Status == "" || a.Status == f.Status) &&
				strings.Contains(strings.ToLower(a.Name), strings.ToLower(f.Q)) {
				match = append(match, a)
			}
		}
		slices.SortFunc(match, func(a, b *partners.Account) int {
			var c int
			switch strings.TrimPrefix(string(f.Sort), "-") {
			case "created_at":
				c = a.CreatedAt.Compare(b.CreatedAt)
			default:
				c = strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
			}
			if c == 0 {
				c = strings.Compare(a.ID, b.ID)
			}
			if strings.HasPrefix(string(f.Sort), "-") {
				c = -c
			}
			return c
		})
		limit := f.Limit
		if limit == 0 {
			limit = partnerkit.DefaultLimit
		}
		var ids []string
		for i := f.Offset; i < len(match) && i < f.Offset+limit; i++ {
			ids = append(ids, match[i].ID)
		}
		return ids, len(match)
	}

	cases := []struct {
		name string
		f    partners.DirectoryFilter
	}{
		{"All", partners.DirectoryFilter{}},
		{"SortNameDesc", partners.DirectoryFilter{Sort: partners.SortNameDesc}},
		{"SortCreatedAt", partners.DirectoryFilter{Sort: partners.SortCreatedAt}},
		{"SortCreatedAtDesc", partners.DirectoryFilter{Sort: partners.SortCreatedAtDesc}},
		{"Type", partners.DirectoryFilter{Type: partners.TypeVendor}},
		{"Status", partners.DirectoryFilter{Status: partners.StatusSuspended}},
		{"TypeAndStatus", partners.DirectoryFilter{Type: partners.TypeReseller, Status: partners.StatusActive}},
		{"SearchCaseInsensitive", partners.DirectoryFilter{Q: "ALPHA"}},
		{"SearchPercentIsLiteral", partners.DirectoryFilter{Q: "50%"}},
		{"SearchUnderscoreIsLiteral", partners.DirectoryFilter{Q: "a_o"}},
		{"SearchUnderscore", partners.DirectoryFilter{Q: "_"}},
		{"SearchNoMatch", partners.DirectoryFilter{Q: "zzz"}},
		{"Page1", partners.DirectoryFilter{Page: partnerkit.Page{Limit: 3}}},
		{"Page2", partners.DirectoryFilter{Page: partnerkit.Page{Limit: 3, Offset: 3}}},
		{"LastPartialPage", partners.DirectoryFilter{Sort: partners.SortCreatedAtDesc, Page: partnerkit.Page{Limit: 4, Offset: 8}}},
		{"PastTheEnd", partners.DirectoryFilter{Page: partnerkit.Page{Limit: 5, Offset: 50}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := must[partnerkit.List[partners.DirectoryEntry]](t)(e.svc.Directory(ctx, e.admin, c.f))
			wantIDs, wantTotal := expect(c.f)
			var gotIDs []string
			for _, it := range got.Items {
				gotIDs = append(gotIDs, it.ID)
				if slices.ContainsFunc(slices.Collect(maps.Values(it.Counts)), func(n int) bool { return n != 0 }) {
					t.Errorf("%s: counts %+v, want zero before any contract", it.Name, it.Counts)
				}
			}
			if !slices.Equal(gotIDs, wantIDs) || got.Total != wantTotal {
				t.Fatalf("got %v (total %d), want %v (total %d)", entryNames(got.Items), got.Total, wantIDs, wantTotal)
			}
		})
	}

	t.Run("EntryCarriesAccount", func(t *testing.T) {
		got := must[partnerkit.List[partners.DirectoryEntry]](t)(e.svc.Directory(ctx, e.admin, partners.DirectoryFilter{Q: "epsilon"}))
		if len(got.Items) != 1 || !reflect.DeepEqual(got.Items[0].Account, *all[5]) {
			t.Fatalf("entry %+v, want %+v", got.Items, all[5])
		}
	})

	for _, c := range []struct {
		name  string
		f     partners.DirectoryFilter
		field string
	}{
		{"ErrType", partners.DirectoryFilter{Type: "alien"}, "type"},
		{"ErrStatus", partners.DirectoryFilter{Status: "sleeping"}, "status"},
		{"ErrSort", partners.DirectoryFilter{Sort: "size"}, "sort"},
		{"ErrLimit", partners.DirectoryFilter{Page: partnerkit.Page{Limit: 501}}, "limit"},
		{"ErrOffset", partners.DirectoryFilter{Page: partnerkit.Page{Offset: -1}}, "offset"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Directory(ctx, e.admin, c.f)
			wantField(t, err, partnerkit.CodeInvalid, c.field)
		})
	}
}

func entryNames(items []partners.DirectoryEntry) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID + " " + it.Name
	}
	return out
}

// testDirectoryTotals changes partners every way that moves them between
// the directory's filters — a batch, single creations, suspensions,
// reactivations, a deletion — and checks after each change that every
// filter's total is the number of partners it lists (a store may keep
// totals apart from the rows; they must never drift).
func testDirectoryTotals(t *testing.T, h Harness) {
	ctx := context.Background()
	e := newPartnersEnv(t, h)
	check := func(step string) {
		t.Helper()
		for _, typ := range []partners.AccountType{"", partners.TypeVendor, partners.TypeReseller} {
			for _, st := range []partners.Status{"", partners.StatusActive, partners.StatusSuspended, partners.StatusInvited} {
				f := partners.DirectoryFilter{Type: typ, Status: st, Page: partnerkit.Page{Limit: partnerkit.MaxLimit}}
				got := must[partnerkit.List[partners.DirectoryEntry]](t)(e.svc.Directory(ctx, e.admin, f))
				if got.Total != len(got.Items) {
					t.Fatalf("after %s: type %q status %q lists %d partners, total says %d", step, typ, st, len(got.Items), got.Total)
				}
			}
		}
	}
	batch := []partners.CreatePartnerInput{}
	for i := range 12 {
		in := partners.CreatePartnerInput{Type: partners.TypeVendor, Name: fmt.Sprintf("Batch %d", i)}
		if i%2 == 1 {
			in.Type = partners.TypeReseller
		}
		if i%3 == 0 {
			in.Status = partners.StatusInvited
		}
		batch = append(batch, in)
	}
	created := must[[]*partners.Account](t)(e.svc.CreatePartners(ctx, e.admin, batch))
	check("a batch")
	one := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Single"})
	check("a creation")
	must[*partners.Account](t)(e.svc.SuspendPartner(ctx, e.admin, one.ID))
	must[*partners.Account](t)(e.svc.SuspendPartner(ctx, e.admin, created[1].ID))
	check("suspensions")
	must[*partners.Account](t)(e.svc.ReactivatePartner(ctx, e.admin, one.ID))
	check("a reactivation")
	noErr(t, e.svc.DeletePartner(ctx, e.admin, created[4].ID))
	check("a deletion")
	errs := Race(16, func(i int) error { // concurrent changes never lose a count (an atomic upsert on SQL)
		if i%4 == 0 && i < 12 {
			_, err := e.svc.SuspendPartner(ctx, e.admin, created[i+2].ID) // the invited ones stay invited: conflict
			return err
		}
		_, err := e.svc.CreatePartner(ctx, e.admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: fmt.Sprintf("Racer %d", i)})
		return err
	})
	Outcomes(t, errs, partnerkit.CodeConflict) // an invited partner cannot be suspended
	check("concurrent changes")
	_, err := e.svc.CreatePartners(ctx, e.admin, []partners.CreatePartnerInput{{Type: partners.TypeVendor, Name: "Bad"}, {Type: "nope", Name: "X"}})
	wantField(t, err, partnerkit.CodeInvalid, "partners[1].type")
	check("a refused batch")
}
