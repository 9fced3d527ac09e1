package storetest_test

import (
	"testing"

	"github.com/partnerkit/partnerkit/internal/harness"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/storetest"
)

// TestConformance runs the one conformance suite on every store: memory,
// SQLite and (when PARTNERKIT_TEST_POSTGRES is set) PostgreSQL. Each store
// package's own tests run its domain's part of it too.
func TestConformance(t *testing.T) {
	for _, c := range []struct {
		name       string
		newHarness storetest.HarnessMaker
	}{
		{"memory", harness.Memory},
		{"sqlite", harness.SQLite},
		{"postgres", harness.Postgres},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "postgres" {
				testdb.PostgresDSN(t) // skip early when unset
			}
			t.Parallel()
			storetest.RunConformanceTests(t, c.newHarness)
		})
	}
}

// partial is the memory harness with some stores left out.
type partial struct {
	storetest.Harness
	drop func(*storetest.Stores)
}

func (p partial) MakeStores(t *testing.T) storetest.Stores {
	st := p.Harness.MakeStores(t)
	p.drop(&st)
	return st
}

// TestPartialStores: given only some stores, every test passes or skips
// saying which store it needs; none fails on a store it did not declare
// (TestMyStore gives a partners store only).
func TestPartialStores(t *testing.T) {
	for _, c := range []struct {
		name string
		drop func(*storetest.Stores)
	}{
		{"UpToAgreements", func(s *storetest.Stores) { s.Contracts, s.Capacity, s.Listings, s.Resellers = nil, nil, nil, nil }},
		{"UpToContracts", func(s *storetest.Stores) { s.Capacity, s.Listings, s.Resellers = nil, nil, nil }},
		{"NoCapacity", func(s *storetest.Stores) { s.Capacity = nil }},
		{"NoListings", func(s *storetest.Stores) { s.Listings = nil }},
		{"NoResellers", func(s *storetest.Stores) { s.Resellers = nil }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.RunConformanceTests(t, func(t *testing.T) storetest.Harness {
				return partial{Harness: harness.Memory(t), drop: c.drop}
			})
		})
	}
}
