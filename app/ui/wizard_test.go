package ui

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/partnerkit/partnerkit"
	agreementrules "github.com/partnerkit/partnerkit/agreements/rules"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	partnerrules "github.com/partnerkit/partnerkit/partners/rules"
)

// optionValue finds the values of a rendered select's options.
var optionValue = regexp.MustCompile(`<option[^>]* value="([^"]*)"`)

// The wizard's first step offers each manager exactly the partner types
// the server creates for it (contracts/rules.OnboardingTypes): a reseller,
// which the old copy offered vendors and resellers, is offered none.
func TestWizardOffersTheServersTypes(t *testing.T) {
	tests := []struct {
		manager partnerrules.AccountType
		want    []string
		initial partnerrules.AccountType
	}{
		{partnerrules.TypeProvider, []string{"distributor", "vendor", "reseller"}, partnerrules.TypeReseller},
		{partnerrules.TypeDistributor, []string{"vendor", "reseller"}, partnerrules.TypeReseller},
		{partnerrules.TypeReseller, nil, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.manager), func(t *testing.T) {
			c := &wizard{step: 1}
			c.setAccountType(tt.manager)
			html := app.HTMLString(c.body())
			var got []string
			for _, m := range optionValue.FindAllStringSubmatch(html, -1) {
				got = append(got, m[1])
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("options %v, want %v", got, tt.want)
			}
			var fromRules []string
			for _, typ := range contractrules.OnboardingTypes(tt.manager) {
				fromRules = append(fromRules, string(typ))
			}
			if !slices.Equal(got, fromRules) {
				t.Fatalf("options %v, rules %v", got, fromRules)
			}
			if c.typ != tt.initial {
				t.Errorf("starts with %q, want %q", c.typ, tt.initial)
			}
			if hint := strings.Contains(html, `id="no-partner-types"`); hint != (len(tt.want) == 0) {
				t.Errorf("no-types hint shown: %v", hint)
			}
		})
	}
}

// The wizard's checks are the server's functions: lengths in characters
// (60 "é" are 120 bytes and fit 100), the types a manager may create, the
// agreement and document rules — with the server's words.
func TestWizardChecksWithTheServersRules(t *testing.T) {
	sixty := strings.Repeat("é", 60)
	tests := []struct {
		name  string
		setup func(c *wizard)
		want  map[string]string
	}{
		{"OKSixtyAccents", func(c *wizard) { c.name, c.externalID = sixty, strings.Repeat("é", 64) }, nil},
		{"ErrNameTooLong", func(c *wizard) { c.name = strings.Repeat("é", 101) },
			fields(partnerrules.CheckNewPartner("partner.", strings.Repeat("é", 101), ""))},
		{"ErrNameBlank", func(c *wizard) { c.name = " \u200b " }, map[string]string{"partner.name": partnerkit.ProblemRequired}},
		{"ErrExternalIDTooLong", func(c *wizard) { c.name, c.externalID = "Champions", strings.Repeat("x", 65) },
			map[string]string{"partner.external_id": "must be at most 64 characters"}},
		{"ErrTypeTheManagerMayNotCreate", func(c *wizard) {
			c.setAccountType(partnerrules.TypeReseller)
			c.typ, c.name = partnerrules.TypeVendor, "Acme"
		},
			map[string]string{"partner.type": partnerrules.ManagedTypesProblem(partnerrules.TypeReseller)}},
		{"ErrNoAgreement", func(c *wizard) { c.step = 2 }, fields(contractrules.CheckAgreementChoice(false, ""))},
		{"OKNewAgreementSixtyAccents", func(c *wizard) { c.step, c.createAgreement, c.agrName = 2, true, sixty }, nil},
		{"ErrDocumentURL", func(c *wizard) {
			c.step, c.createAgreement, c.agrName = 2, true, "Program"
			c.doc = documentForm{source: agreementrules.DocumentURL, url: "ftp://example.com/terms"}
		}, map[string]string{"new_agreement.document.url": "must be an absolute http or https URL of at most 2048 characters"}},
		{"ErrDocumentFileType", func(c *wizard) {
			c.step, c.createAgreement, c.agrName = 2, true, "Program"
			c.doc = documentForm{source: agreementrules.DocumentFile, fileName: "terms.exe", content: []byte{0, 1}}
		}, map[string]string{"new_agreement.document.content": "type is not allowed: upload a PDF, plain text or Markdown file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &wizard{step: 1}
			c.setAccountType(partnerrules.TypeDistributor)
			tt.setup(c)
			got := partnerkit.ErrorFields(c.check())
			if len(got) != len(tt.want) {
				t.Fatalf("fields %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func fields(err error) map[string]string { return partnerkit.ErrorFields(err) }
