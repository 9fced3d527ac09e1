package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
)

var seedTypes = []partners.AccountType{partners.TypeVendor, partners.TypeReseller, partners.TypeDistributor}

// SeedDirectory creates, in one transaction, a root provider managing n
// partners of three types (vendor, reseller, distributor in turn) with
// names that do not follow insertion order, and returns the root's admin
// actor. Benchmarks use it to fill a directory.
func SeedDirectory(tb testing.TB, st partners.Store, n int) partnerkit.Actor {
	tb.Helper()
	ctx := context.Background()
	root := partnerkit.NewID(partnerkit.PrefixAccount)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := st.InTx(ctx, func(ctx context.Context) error {
		if err := st.CreateAccount(ctx, &partners.Account{ID: root, Type: partners.TypeProvider, Name: "Root",
			Status: partners.StatusActive, Path: "/" + root + "/", CreatedAt: start, UpdatedAt: start, Version: 1}); err != nil {
			return err
		}
		for i := range n {
			id := partnerkit.NewID(partnerkit.PrefixAccount)
			at := start.Add(time.Duration(i) * time.Second)
			if err := st.CreateAccount(ctx, &partners.Account{
				ID: id, Type: seedTypes[i%len(seedTypes)],
				Name:       fmt.Sprintf("Partner %05d %s", (i*7919)%n, id[3:7]),
				ExternalID: fmt.Sprintf("EXT-%d", i), Status: partners.StatusActive,
				ManagerID: root, Path: "/" + root + "/" + id + "/",
				BusinessContact:  partners.Contact{Name: "Business", Email: fmt.Sprintf("biz%d@example.com", i)},
				TechnicalContact: partners.Contact{Name: "Tech", Email: fmt.Sprintf("tech%d@example.com", i)},
				CreatedAt:        at, UpdatedAt: at, Version: 1,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return partnerkit.Actor{AccountID: root, Role: partnerkit.RoleAdmin}
}
