package api_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/shopspring/decimal"
)

// GET /capacity/contracts and GET /contracts/{id} describe one contract
// alike, derived fields included: after a new agreement version, both say
// version 2 is the latest and awaits the partner's signature.
func TestCapacityContractsAgreeWithContracts(t *testing.T) {
	onEveryStore(t, func(t *testing.T, s *server, root partnerkit.Actor) {
		ctx := context.Background()
		check := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		dist, err := s.cfg.Partners.CreatePartner(ctx, root, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Distributor"})
		check(err)
		agr, err := s.cfg.Agreements.Create(ctx, root, agreements.CreateInput{Type: agreements.TypeCapacity, Name: "Capacity"})
		check(err)
		con, err := s.cfg.Contracts.Create(ctx, root, contracts.CreateInput{PartnerID: dist.ID, AgreementID: agr.ID})
		check(err)
		_, err = s.cfg.Contracts.Sign(ctx, root, con.ID)
		check(err)
		_, err = s.cfg.Contracts.Activate(ctx, root, con.ID)
		check(err)
		_, err = s.cfg.Capacity.SetTerms(ctx, root, con.ID, capacity.TermsInput{ReservedTB: decimal.NewFromInt(100),
			BillingModel: capacity.BillingReserved, PricePerTB: decimal.NewFromInt(5), ExcessPricePerTB: decimal.NewFromInt(8), Currency: "USD"})
		check(err)
		admin := s.signIn("root@provider.example", "Sup3r-secret")

		for _, c := range []struct {
			name    string
			before  func()
			latest  float64
			pending bool
		}{
			{"FirstVersion", func() {}, 1, false},
			{"NewerVersionAwaitsSignature", func() {
				_, err := s.cfg.Agreements.Publish(ctx, root, agr.ID, agreements.DocumentInput{Kind: agreements.DocumentNone})
				check(err)
			}, 2, true},
		} {
			t.Run(c.name, func(t *testing.T) {
				c.before()
				var list struct {
					Items []map[string]any `json:"items"`
				}
				admin.must(http.MethodGet, "/capacity/contracts", nil, http.StatusOK, &list)
				var one map[string]any
				admin.must(http.MethodGet, "/contracts/"+con.ID, nil, http.StatusOK, &one)
				if len(list.Items) != 1 {
					t.Fatalf("%d capacity contracts, want 1", len(list.Items))
				}
				item := maps.Clone(list.Items[0])
				delete(item, "terms")
				if !reflect.DeepEqual(item, one) {
					a, _ := json.Marshal(item)
					b, _ := json.Marshal(one)
					t.Fatalf("GET /capacity/contracts item\n%s\nGET /contracts/{id}\n%s", a, b)
				}
				if one["latest_agreement_version"] != c.latest || one["update_pending"] != c.pending {
					t.Fatalf("latest version %v, update pending %v; want %v, %v", one["latest_agreement_version"], one["update_pending"], c.latest, c.pending)
				}
			})
		}
	})
}
