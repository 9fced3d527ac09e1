package storetest

import (
	"fmt"
	"strings"
	"testing"
)

// Harness makes the stores the conformance tests run on; a store of your
// own implements it in a _test.go file (go-cloud's drivertest pattern).
// The kit makes one Harness per test (see HarnessMaker) and closes it when
// the test and its clean-ups are done.
type Harness interface {
	// MakeStores returns a new set of stores on a new, empty database,
	// registering its clean-up with t (t.Cleanup). A test may call it more
	// than once; each call is a database of its own. Leave a field nil for
	// a store you do not have: the tests that need it skip, saying so
	// ("needs a contracts store: give Stores.Contracts").
	MakeStores(t *testing.T) Stores
	// Capabilities says what the stores guarantee by construction.
	Capabilities() Capabilities
	// Close releases what the harness holds, after the test's clean-ups.
	Close()
}

// HarnessMaker returns the Harness of one test; it may fail or skip t.
type HarnessMaker func(t *testing.T) Harness

// Capabilities are what a Harness declares about its stores.
type Capabilities struct {
	// Name names the stores in the tests' logs ("memory", "sqlite").
	Name string
	// SerializesWrites says the stores run one writing transaction at a
	// time (the memory store; SQLite with immediate transactions). The
	// Concurrent… tests run on every store; where writes are serialised
	// they check each invariant without exercising the guarantee (a lock,
	// a constraint, an atomic statement) that keeps it when writers run
	// at once, as on PostgreSQL, and they log which.
	SerializesWrites bool
}

// need is a set of the stores a test needs.
type need uint16

const (
	needPartners need = 1 << iota
	needAgreements
	needContracts
	needCapacity
	needListings
	needResellers
	needWebhooks
	needMail
)

// The stores each fixture builds on; every service needs the ones before it.
const (
	forPartners   = needPartners
	forAgreements = forPartners | needAgreements
	forContracts  = forAgreements | needContracts
	forCapacity   = forContracts | needCapacity
	forListings   = forContracts | needListings
	forResellers  = forContracts | needResellers
	forWebhooks   = forPartners | needWebhooks
	forMail       = forPartners | needMail
	forEverything = forCapacity | forListings | forResellers
)

// missing names the stores of n that s lacks, as the skip message says them.
func (n need) missing(s Stores) (stores, fields []string) {
	for _, x := range []struct {
		need    need
		present bool
		name    string
	}{
		{needPartners, s.Partners != nil, "Partners"},
		{needAgreements, s.Agreements != nil, "Agreements"},
		{needContracts, s.Contracts != nil, "Contracts"},
		{needCapacity, s.Capacity != nil, "Capacity"},
		{needListings, s.Listings != nil, "Listings"},
		{needResellers, s.Resellers != nil, "Resellers"},
		{needWebhooks, s.Webhooks != nil, "Webhooks"},
		{needMail, s.Mail != nil, "Mail"},
	} {
		if n&x.need != 0 && !x.present {
			stores, fields = append(stores, strings.ToLower(x.name)), append(fields, "Stores."+x.name)
		}
	}
	return stores, fields
}

// skipMessage says which stores a test needs and how to give them.
func skipMessage(stores, fields []string) string {
	if len(stores) == 1 {
		article := "a"
		if strings.ContainsRune("aeiou", rune(stores[0][0])) {
			article = "an"
		}
		return fmt.Sprintf("needs %s %s store: give %s", article, stores[0], fields[0])
	}
	and := func(s []string) string { return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1] }
	return fmt.Sprintf("needs %s stores: give %s", and(stores), and(fields))
}

// checked is the Harness a test receives: MakeStores skips the test when a
// store it needs is missing.
type checked struct {
	Harness
	needs need
}

// MakeStores implements Harness.
func (c checked) MakeStores(t *testing.T) Stores {
	t.Helper()
	s := c.Harness.MakeStores(t)
	if stores, fields := c.needs.missing(s); len(stores) > 0 {
		t.Skip(skipMessage(stores, fields))
	}
	return s
}

// declared fails t when st lacks a store of n: a fixture that needs it was
// used by a test whose table entry does not say so (a bug of the kit; the
// entry's needs make the test skip before).
func declared(t *testing.T, st Stores, n need) {
	t.Helper()
	if stores, _ := n.missing(st); len(stores) > 0 {
		t.Fatalf("storetest: the test needs %s but its table entry does not say so", strings.Join(stores, ", "))
	}
}

// test is one named conformance test and the stores it needs.
type test struct {
	name  string
	needs need
	fn    func(t *testing.T, h Harness)
}

// suite is one domain's table of tests.
type suite struct {
	tests []test
	// setup, when set, runs once on one harness (its stores needing
	// setupNeeds) before the tests, which then share what it made and run
	// in order: the Hostile suite makes one fixture for dozens of one-call
	// cases.
	setup      func(t *testing.T, h Harness)
	setupNeeds need
}

// run runs a suite's tests as subtests of t, each on a harness of its own
// (or, with a setup, all on the suite's).
func run(t *testing.T, newHarness HarnessMaker, s suite) {
	t.Helper()
	if s.setup != nil {
		h := newHarness(t)
		t.Cleanup(h.Close)
		shared := checked{Harness: h, needs: s.setupNeeds}
		s.setup(t, shared)
		for _, tc := range s.tests {
			t.Run(tc.name, func(t *testing.T) { tc.fn(t, shared) })
		}
		return
	}
	for _, tc := range s.tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			t.Cleanup(h.Close)
			tc.fn(t, checked{Harness: h, needs: tc.needs})
		})
	}
}

// domains lists every domain's suite, in the order RunConformanceTests runs
// them; the names are the subtests'.
var domains = []struct {
	name  string
	suite func() suite
}{
	{"Partners", partnersSuite},
	{"Auth", authSuite},
	{"Agreements", agreementsSuite},
	{"Contracts", contractsSuite},
	{"Onboarding", onboardingSuite},
	{"Capacity", capacitySuite},
	{"Listings", listingsSuite},
	{"Resellers", resellersSuite},
	{"EventsFeed", eventsFeedSuite},
	{"Events", eventsSuite},
	{"Webhooks", webhooksSuite},
	{"Mail", mailSuite},
	{"Security", securitySuite},
	{"AccountSecurity", accountSecuritySuite},
	{"Concurrency", concurrencySuite},
	{"Hostile", hostileSuite},
}

// RunConformanceTests runs every domain's conformance tests on the stores
// that newHarness makes, one subtest per domain (Partners, Auth,
// Agreements, Contracts, Onboarding, Capacity, Listings, Resellers,
// EventsFeed, Webhooks, Mail, Security, AccountSecurity, Concurrency, Hostile), each test on a new
// database. A test that needs a store the harness does not give skips,
// saying which.
func RunConformanceTests(t *testing.T, newHarness HarnessMaker) {
	for _, d := range domains {
		t.Run(d.name, func(t *testing.T) { run(t, newHarness, d.suite()) })
	}
}

// RunPartnersTests runs the conformance tests of partners.Store: accounts,
// users, memberships, the directory, transactions. They need a partners
// store only.
func RunPartnersTests(t *testing.T, newHarness HarnessMaker) { run(t, newHarness, partnersSuite()) }

// RunAuthTests runs the conformance tests of sessions, sign-in throttling,
// API keys, team invitations and roles. They need a partners store only.
func RunAuthTests(t *testing.T, newHarness HarnessMaker) { run(t, newHarness, authSuite()) }

// RunAgreementsTests runs the conformance tests of agreements.Store. They
// need the partners and agreements stores.
func RunAgreementsTests(t *testing.T, newHarness HarnessMaker) {
	run(t, newHarness, agreementsSuite())
}

// RunContractsTests runs the conformance tests of contracts.Store. They
// need the partners, agreements and contracts stores.
func RunContractsTests(t *testing.T, newHarness HarnessMaker) { run(t, newHarness, contractsSuite()) }

// RunOnboardingTests runs the tests of the Create Partner wizard and
// invitation activation, which span partners, agreements and contracts and
// need those three stores.
func RunOnboardingTests(t *testing.T, newHarness HarnessMaker) {
	run(t, newHarness, onboardingSuite())
}

// RunCapacityTests runs the conformance tests of capacity.Store. They need
// the partners, agreements, contracts and capacity stores.
func RunCapacityTests(t *testing.T, newHarness HarnessMaker) { run(t, newHarness, capacitySuite()) }

// RunListingsTests runs the conformance tests of listings.Store. They need
// the partners, agreements, contracts and listings stores.
func RunListingsTests(t *testing.T, newHarness HarnessMaker) { run(t, newHarness, listingsSuite()) }

// RunResellersTests runs the conformance tests of resellers.Store. They
// need the partners, agreements, contracts and resellers stores.
func RunResellersTests(t *testing.T, newHarness HarnessMaker) {
	run(t, newHarness, resellersSuite())
}

// RunEventsFeedTests runs the conformance tests of the events feed of
// partners.Store (Events, AuditEventsByID): tenancy, filters, order,
// paging and totals. They need a partners store only.
func RunEventsFeedTests(t *testing.T, newHarness HarnessMaker) { run(t, newHarness, eventsFeedSuite()) }

// RunEventsTests runs the events tests: each operation emits exactly its
// domain events, whole, and a rolled-back change emits none.
func RunEventsTests(t *testing.T, newHarness HarnessMaker) { run(t, newHarness, eventsSuite()) }

// RunWebhooksTests runs the conformance tests of webhooks.Store: endpoints,
// secrets, deliveries and attempts, and one Concurrent… test per rule of
// its Concurrency section. They need the partners and webhooks stores.
func RunWebhooksTests(t *testing.T, newHarness HarnessMaker) { run(t, newHarness, webhooksSuite()) }

// RunMailTests runs the conformance tests of mail.Store: the outbox's
// messages, their dedupe keys and attempts, the mail service's send
// lifecycle on the store, and one Concurrent… test per rule of its
// Concurrency section. They need the partners and mail stores.
func RunMailTests(t *testing.T, newHarness HarnessMaker) { run(t, newHarness, mailSuite()) }

// RunSecurityTests runs the tests of the rules that keep one tenant out of
// another's business. They need a partners store only.
func RunSecurityTests(t *testing.T, newHarness HarnessMaker) { run(t, newHarness, securitySuite()) }

// RunAccountSecurityTests runs the tests of passwords (reset, change, the
// common list), sessions, two-factor sign-in (new recovery codes, secrets
// sealed under a key), account security settings and team invitation
// lists, with one Concurrent… test per rule of
// partners.Store's Concurrency section they add. They need a partners
// store only.
func RunAccountSecurityTests(t *testing.T, newHarness HarnessMaker) {
	run(t, newHarness, accountSecuritySuite())
}

// RunConcurrencyTests runs one Concurrent… test per rule that reads, then
// writes, each with the stores of its rule's domain. They run on every
// store; see Capabilities.SerializesWrites.
func RunConcurrencyTests(t *testing.T, newHarness HarnessMaker) {
	run(t, newHarness, concurrencySuite())
}

// RunHostileTests runs the boundary rule's tests (hostile input never
// reaches a store; every sort reaches it; huge pages never fail it), on
// one database with every domain's store.
func RunHostileTests(t *testing.T, newHarness HarnessMaker) { run(t, newHarness, hostileSuite()) }

// guarantee logs which guarantee a Concurrent… test exercises on h's
// stores, or that their serialised writes keep the invariant by themselves.
func guarantee(t *testing.T, h Harness, what string) {
	t.Helper()
	c := h.Capabilities()
	if c.SerializesWrites {
		t.Logf("%s serialises writes: the invariant is checked; its guarantee (%s) is exercised only where writers run at once", c.Name, what)
		return
	}
	t.Logf("%s runs writers at once: exercises %s", c.Name, what)
}
