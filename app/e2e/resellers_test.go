//go:build !js

package e2e_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/shopspring/decimal"
)

// newResellerSite is the real server with a provider (ops@provider.example
// signs in) and a reseller that holds an active contract with it; the
// reseller's manager signs in as manager@reseller.example. With seed, the
// provider already offers a "Cloud Mail" service in the catalog.
func newResellerSite(t *testing.T, seed bool) string {
	t.Helper()
	ctx := context.Background()
	w := newWorld(t, "ActivePlatform")
	svc, provider, check := w.svc, w.provider, w.check
	res, _ := w.partnerWithAdmin(provider, partners.TypeReseller, "Cloud Reseller", "manager@reseller.example", "Manager")
	agr, err := svc.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeService, Name: "Reseller Store"})
	check(err)
	c, err := svc.Contracts.Create(ctx, provider, contracts.CreateInput{PartnerID: res.ID, AgreementID: agr.ID})
	check(err)
	_, err = svc.Contracts.Sign(ctx, provider, c.ID)
	check(err)
	_, err = svc.Contracts.Activate(ctx, provider, c.ID)
	check(err)
	if seed {
		_, err = svc.Resellers.CreateService(ctx, provider, resellers.ServiceInput{Name: "Cloud Mail", Description: "Business mail",
			Plans: []resellers.PlanInput{{Name: "Business", BillingPeriod: resellers.Monthly, Resources: []resellers.PlanResource{
				{Name: "mailboxes", Unit: "user", UnitPrice: decimal.RequireFromString("4.50"), Min: decimal.NewFromInt(1), Max: decimal.NewFromInt(100)},
			}}}})
		check(err)
	}
	srv := w.serve()
	return srv.URL
}

// setValue replaces an input's value and fires the input event, as a user
// who selects the text and types over it does.
func setValue(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(waitFor(sel), eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus();
		e.value = %q; e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`, sel, text)))
}

// createCloudMail signs the provider in and, in the catalog editor, creates
// "Cloud Mail" with a monthly Business plan (mailboxes at 4.50 per user,
// 1 to 100) and an annual plan with a trial: it adds and removes resource
// rows and plans, gets the API's field error for a too long trial, fixes
// it, then edits the service's description in the prefilled form.
func createCloudMail(t *testing.T, url string, shot *shots) {
	t.Helper()
	b := browser(t)
	var provided, name, trial, decrease string
	err := shot.run(b, "catalog-editor",
		load(url+"/signin"),
		waitFor("#signin-form"),
		typeIn("#email", "ops@provider.example"),
		typeIn("#password", "Sup3r-secret"),
		click("#signin"),
		waitFor("tr.partner-row, main"),
		load(url+"/catalog"),
		click("#new-service"),
		typeIn("#service-name", "Cloud Mail"),
		typeIn("#service-description", "Business mail"),
		typeIn("#plan-name-0", "Business"),
		typeIn("#res-name-0-0", "mailboxes"),
		typeIn("#res-unit-0-0", "user"),
		typeIn("#res-unit-price-0-0", "4.50"),
		setValue("#res-min-0-0", "1"),
		setValue("#res-max-0-0", "100"),
		// A second resource row, then removed again.
		click(`.add-resource[data-plan="0"]`),
		typeIn("#res-name-0-1", "archive"),
		click(`.remove-resource[data-plan="0"][data-res="1"]`),
		until(`document.querySelector('#res-name-0-1') === null && document.querySelector('#res-name-0-0').value === 'mailboxes'`),
		// A scratch plan, then an annual plan with a trial the API refuses;
		// removing the scratch plan moves the annual one up.
		click("#add-plan"),
		typeIn("#plan-name-1", "Scratch"),
		click("#add-plan"),
		typeIn("#plan-name-2", "Business annual"),
		choose("#plan-period-2", "annual"),
		typeIn("#plan-trial-2", "400"),
		click("#plan-decrease-2"),
		typeIn("#res-name-2-0", "mailboxes"),
		typeIn("#res-unit-2-0", "user"),
		typeIn("#res-unit-price-2-0", "45"),
		setValue("#res-min-2-0", "1"),
		click(`.remove-plan[data-plan="1"]`),
		until(`document.querySelector('#plan-name-2') === null && document.querySelector('#plan-name-1').value === 'Business annual' &&
			document.querySelector('#plan-period-1').value === 'annual' && document.querySelector('#plan-trial-1').value === '400' &&
			document.querySelector('#plan-decrease-1').checked && document.querySelector('#res-unit-price-1-0').value === '45'`),
		shot.take("catalog-01-new-service"),
		click("#save-service"),
		waitFor(`.field-error[data-field="plans[1].trial_days"]`),
		shot.take("catalog-02-field-error"),
		setValue("#plan-trial-1", "30"),
		click("#save-service"),
		waitFor("tr.provided-service"),
		until(`document.querySelector('#service-form') === null`),
		// Edit: the same form, prefilled.
		click("tr.provided-service .edit-service"),
		waitFor("#service-form"),
		textOf(&name, "#service-name"),
		textOf(&trial, "#plan-trial-1"),
		into(&decrease, chromedp.Evaluate[string](`String(document.querySelector('#plan-decrease-1').checked)`)),
		setValue("#service-description", "Business mail and calendars"),
		shot.take("catalog-03-edit"),
		click("#save-service"),
		waitFor("#service-saved"),
		until(`document.querySelector('#provided').innerText.includes('calendars')`),
		textOf(&provided, "#provided"),
		shot.take("catalog-04-saved"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if name != "Cloud Mail" || trial != "30" || decrease != "true" {
		t.Errorf("edit form prefilled with name %q, trial %q, decrease %s", name, trial, decrease)
	}
	for _, want := range []string{"Cloud Mail", "Business mail and calendars", "Business (monthly)", "Business annual (annual)"} {
		if !strings.Contains(provided, want) {
			t.Errorf("provided services %q: want %q", provided, want)
		}
	}
}

// TestBrowserResellers has the provider create a catalog service in the
// browser's catalog editor, then the reseller order a subscription of it
// for a new client, download the charges, and find the client and its cost
// in Analytics.
func TestBrowserResellers(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	url := newResellerSite(t, false)
	shot := newShots(t)
	createCloudMail(t, url, shot)
	b := browser(t) // a fresh browser: the reseller's manager
	var chart, table, status, charges string
	err := shot.run(b, "resellers",
		load(url+"/signin"),
		waitFor("#signin-form"),
		typeIn("#email", "manager@reseller.example"),
		typeIn("#password", "Sup3r-secret"),
		click("#signin"),
		waitFor("tr.partner-row, main"),
		load(url+"/catalog"),
		waitFor(".catalog-service"),
		shot.take("resellers-01-catalog"),
		click(".catalog-service a.button"),
		waitFor("#order-new-client"),
		typeIn("#order-new-client", "Globex Corp"),
		eval(`(() => { const e = document.querySelector('#order-amount-0'); e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`),
		typeIn("#order-amount-0", "12"),
		shot.take("resellers-02-order"),
		click("#order-submit"),
		waitFor("tr.subscription-row"),
		until(`document.querySelector('tr.subscription-row').innerText.includes('Globex Corp')`),
		textOf(&status, "tr.subscription-row .status"),
		waitFor("#charges-csv"),
		into(&charges, chromedp.Evaluate[string](`(() => { const x = new XMLHttpRequest();
			x.open('GET', document.querySelector('#charges-csv').getAttribute('href'), false); x.send();
			return x.status + ' ' + x.getResponseHeader('Content-Type') + '\n' + x.responseText })()`)),
		shot.take("resellers-03-subscriptions"),
		load(url+"/analytics"),
		waitFor("#analytics-table"),
		until(`document.querySelector('#analytics-table').innerText.includes('Globex Corp')`),
		textOf(&table, "#analytics-table"),
		textOf(&chart, "#analytics-chart"),
		waitFor("#analytics-csv"),
		shot.take("resellers-04-analytics"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(charges, "200 text/csv") || !strings.Contains(charges, "\nid,partner_id,") ||
		!strings.Contains(charges, ",order,mailboxes,user,12,4.5,1,54.00,") {
		t.Errorf("charges CSV:\n%s", charges)
	}
	if status != "active" {
		t.Errorf("status = %q, want active", status)
	}
	// 12 mailboxes × 4.50 = 54 this month.
	if !strings.Contains(table, "Globex Corp") || !strings.Contains(table, "54") || !strings.Contains(chart, "54") {
		t.Errorf("analytics table %q, chart %q: want Globex Corp costing 54", table, chart)
	}
}
