//go:build !js

package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/shopspring/decimal"
)

// uxSite is realistic data for issue 16's checks: a distributor (Mick)
// with 30 partners with contacts, contracts in every state, a 100 TB
// reserved contract (and a newer pay-per-use one) with allocations and 30
// days of usage in odd byte counts; and a reseller of the provider's
// catalog with two subscriptions.
type uxSite struct {
	url, resellerID, customerID string
	srv                         *httptest.Server
	mu                          sync.Mutex
	notFound                    []string // API paths answered 404
}

func newUXSite(t *testing.T) *uxSite {
	t.Helper()
	ctx := context.Background()
	w := newWorld(t, "Impossible Cloud")
	svc, provider, check := w.svc, w.provider, w.check
	dist, mick := w.partnerWithAdmin(provider, partners.TypeDistributor, "Mighty Mick's LLC", "mick@mighty.example", "Mick")
	capAgr, err := svc.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeCapacity, Name: "Capacity 2026"})
	check(err)
	contract := func(by partnerkit.Actor, partnerID, agreementID string, moves ...string) *contracts.Contract {
		c, err := svc.Contracts.Create(ctx, by, contracts.CreateInput{PartnerID: partnerID, AgreementID: agreementID})
		check(err)
		for _, m := range moves {
			switch m {
			case "sign":
				c, err = svc.Contracts.Sign(ctx, by, c.ID)
			case "activate":
				c, err = svc.Contracts.Activate(ctx, by, c.ID)
			case "terminate":
				c, err = svc.Contracts.Terminate(ctx, by, c.ID)
			case "reject":
				c, err = svc.Contracts.Reject(ctx, by, c.ID)
			}
			check(err)
		}
		return c
	}
	reserved := contract(provider, dist.ID, capAgr.ID, "sign", "activate")
	_, err = svc.Capacity.SetTerms(ctx, provider, reserved.ID, capacity.TermsInput{ReservedTB: decimal.NewFromInt(100),
		BillingModel: capacity.BillingReserved, PricePerTB: decimal.RequireFromString("5.5"), ExcessPricePerTB: decimal.NewFromInt(8), Currency: "USD"})
	check(err)
	ppuAgr, err := svc.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeCapacity, Name: "Capacity on demand"})
	check(err)
	ppu := contract(provider, dist.ID, ppuAgr.ID, "sign", "activate") // newer: first in the list, yet not the default
	_, err = svc.Capacity.SetTerms(ctx, provider, ppu.ID, capacity.TermsInput{ReservedTB: decimal.NewFromInt(0),
		BillingModel: capacity.BillingPayPerUse, PricePerTB: decimal.NewFromInt(9), ExcessPricePerTB: decimal.NewFromInt(9), Currency: "USD"})
	check(err)

	program, err := svc.Agreements.Create(ctx, mick, agreements.CreateInput{Type: agreements.TypeProgram, Name: "Reseller program 2026"})
	check(err)
	s := &uxSite{}
	states := [][]string{{}, {"sign"}, {"sign", "activate"}, {"sign", "activate", "terminate"}, {"reject"}}
	for i := range 30 {
		typ := partners.TypeReseller
		if i%4 == 3 {
			typ = partners.TypeVendor
		}
		name := fmt.Sprintf("Partner %02d Storage Solutions", i)
		if i == 0 {
			name = "Acme Reseller"
		}
		p, err := svc.Partners.CreatePartner(ctx, mick, partners.CreatePartnerInput{Type: typ, Name: name, ExternalID: fmt.Sprintf("ERP-%04d", 1000+i),
			BusinessContact:  partners.Contact{Name: "Barbara Business-Contact", Email: fmt.Sprintf("barbara.business%02d@partner-company.example", i)},
			TechnicalContact: partners.Contact{Name: "Terry Technical", Email: fmt.Sprintf("terry.tech%02d@partner-company.example", i)}})
		check(err)
		if i == 0 {
			s.resellerID = p.ID
		}
		if i < 10 {
			contract(mick, p.ID, program.ID, states[i%len(states)]...)
		}
		if i < 4 && typ == partners.TypeReseller {
			_, err = svc.Capacity.SetAllocation(ctx, mick, p.ID, capacity.AllocationInput{ContractID: reserved.ID,
				AllocatedTB: decimal.RequireFromString("12.5").Add(decimal.NewFromInt(int64(i)))})
			check(err)
		}
	}
	// 30 days of usage of an odd size on Acme's storage account.
	acct, err := svc.Capacity.CreateStorageAccount(ctx, mick, capacity.StorageAccountInput{PartnerID: s.resellerID, Name: "Acme backups",
		QuotaTB: decimal.RequireFromString("10")})
	check(err)
	var samples []capacity.Sample
	// The last sample is an hour into a day that began at least an hour
	// ago, so none is in the future whenever the test runs (at 00:30 UTC
	// too).
	day := time.Now().UTC().Add(-time.Hour).Truncate(24*time.Hour).AddDate(0, 0, -29)
	for d := range 30 {
		samples = append(samples, capacity.Sample{StorageAccountID: acct.ID, Timestamp: day.AddDate(0, 0, d).Add(time.Hour),
			Bytes: 7_868_999_999_994 + int64(d)*123_456_789})
	}
	if _, err := svc.Capacity.IngestUsage(ctx, provider, samples); err != nil {
		_, err = svc.Capacity.IngestUsage(ctx, mick, samples)
		check(err)
	}

	// The reseller store: a reseller of the provider with subscriptions.
	res, resActor := w.partnerWithAdmin(provider, partners.TypeReseller, "Cloud Reseller", "manager@reseller.example", "Manager")
	s.customerID = res.ID
	storeAgr, err := svc.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeService, Name: "Reseller Store"})
	check(err)
	contract(provider, res.ID, storeAgr.ID, "sign", "activate")
	mail, err := svc.Resellers.CreateService(ctx, provider, resellers.ServiceInput{Name: "Cloud Mail", Description: "Business mail",
		Plans: []resellers.PlanInput{{Name: "Business", BillingPeriod: resellers.Monthly, Resources: []resellers.PlanResource{
			{Name: "mailboxes", Unit: "user", UnitPrice: decimal.RequireFromString("4.5"), Min: decimal.NewFromInt(1), Max: decimal.NewFromInt(100)},
			{Name: "devices", Unit: "device", UnitPrice: decimal.RequireFromString("1.25"), Min: decimal.NewFromInt(0), Max: decimal.NewFromInt(50)},
		}}}})
	check(err)
	for _, client := range []string{"Globex Corporation International", "Initech"} {
		_, err = svc.Resellers.Order(ctx, resActor, resellers.OrderInput{NewClient: &resellers.ClientInput{Name: client},
			ServiceID: mail.ID, PlanID: mail.Plans[0].ID, Resources: []resellers.AmountInput{
				{Name: "mailboxes", Amount: decimal.NewFromInt(12)}, {Name: "devices", Amount: decimal.NewFromInt(7)}}})
		check(err)
	}

	// The real server, with every API answer of 404 noted.
	h := server.Handler(w.svc, w.db, os.DirFS(webDir))
	s.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: rw, status: 200}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusNotFound && strings.HasPrefix(r.URL.Path, "/api/") {
			s.mu.Lock()
			s.notFound = append(s.notFound, r.URL.Path)
			s.mu.Unlock()
		}
	}))
	t.Cleanup(s.srv.Close)
	s.url = s.srv.URL
	return s
}

// statusRecorder notes the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// uxSignIn signs a user in from the sign-in page.
func uxSignIn(url, email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(load(url+"/signin"), waitFor("#signin-form"), typeIn("#email", email), typeIn("#password", "Sup3r-secret"),
		click("#signin"), until(`location.pathname !== '/signin'`), until(`!!document.querySelector('main h1')`))
}

// page is one screen the checks visit: its path, what shows it has
// loaded, and its name in the screenshots.
type page struct{ path, ready, name string }

// TestBrowserUX checks issue 16's figures at 375×812 and 1280×800: no
// page wider than the screen, the directory's count columns on screen,
// names instead of IDs, formatted figures, the navigation by account type
// with the current page marked and the menu's state, forms that mark and
// focus their first problem, the wizard's summary before Create, deep
// links through sign-in, the app's own 404 page and not-found states, no
// 404 asked for a partner without an allocation, and offline reloads of
// deep links, offline search and offline submits.
func TestBrowserUX(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	s := newUXSite(t)
	shot := newShots(t)
	mickPages := []page{
		{"/", "tr.partner-row", "directory"},
		{"/?q=zzzz", "#no-match", "directory-no-match"},
		{"/partners/" + s.resellerID, "#partner-general", "partner"},
		{"/partners/" + s.resellerID + "?tab=contracts", "#partner-contracts", "partner-contracts"},
		{"/partners/" + s.resellerID + "?tab=contacts", "#partner-contacts", "partner-contacts"},
		{"/partners/" + s.resellerID + "?tab=capacity", "#partner-capacity", "partner-capacity"},
		{"/contracts", "tr.contract-row", "contracts"},
		{"/capacity", "tr.allocation-row", "capacity"},
		{"/storage?partner=" + s.resellerID, "tr.storage-row", "storage"},
		{"/deals", "#deal-form", "deals"},
		{"/agreements", "tr.agreement-row", "agreements"},
		{"/products", "#product-form", "products"},
		{"/team", "#api-key-form", "team"},
		{"/partners/new", "#partner-name", "wizard"},
		{"/partners/PA-doesnotexist", "#page-not-found", "partner-not-found"},
		{"/no/such/page", "#page-not-found", "not-found"},
	}
	resellerPages := []page{
		{"/catalog", ".catalog-service", "catalog"},
		{"/subscriptions", "tr.subscription-row", "subscriptions"},
		{"/clients", "tr.client-row", "clients"},
		{"/analytics", "#analytics-table", "analytics"},
	}
	for _, vp := range []struct{ w, h int }{{375, 812}, {1280, 800}} {
		size := fmt.Sprintf("%d", vp.w)
		t.Run(size, func(t *testing.T) {
			b := uxBrowser(t, vp.w, vp.h)
			visit := func(who string, pages []page) {
				for _, p := range pages {
					var width, view int
					var text string
					err := shot.run(b, "ux-"+size+"-"+p.name,
						load(s.url+p.path), waitFor(p.ready),
						chromedp.Sleep(150*time.Millisecond), // fonts and late rows
						into(&text, chromedp.Evaluate[string](`document.querySelector('main').innerText`)),
						intoInt(&width, `document.documentElement.scrollWidth`),
						intoInt(&view, `window.innerWidth`),
						shot.take("ux-"+size+"-"+p.name),
					)
					if err != nil {
						t.Errorf("%s %s: %v", who, p.path, err)
						continue
					}
					if width > view {
						t.Errorf("%s at %d px is %d px wide", p.path, view, width)
					}
					if m := longDecimal.FindString(text); m != "" {
						t.Errorf("%s shows an unformatted figure %q", p.path, m)
					}
					if m := rawID.FindString(text); m != "" && p.name != "team" {
						t.Errorf("%s shows a raw ID %q", p.path, m)
					}
				}
			}
			if err := shot.run(b, "ux-"+size+"-signin", uxSignIn(s.url, "mick@mighty.example")); err != nil {
				t.Fatal(err)
			}
			visit("mick", mickPages)
			checkMick(t, b, s, shot, size, vp.w)

			r := uxBrowser(t, vp.w, vp.h)
			if err := shot.run(r, "ux-"+size+"-reseller-signin", uxSignIn(s.url, "manager@reseller.example")); err != nil {
				t.Fatal(err)
			}
			b = r
			visit("reseller", resellerPages)
			checkReseller(t, r, s, shot, size)
		})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.notFound {
		if strings.HasSuffix(p, "/allocation") {
			t.Errorf("a page asked for %s and got 404", p)
		}
	}

	// Offline, last: the server goes.
	checkOffline(t, s, shot)
}

// longDecimal is a figure with more than 4 decimals; rawID an API ID.
var (
	longDecimal = regexp.MustCompile(`\d\.\d{5,}`)
	rawID       = regexp.MustCompile(`\b(CTR|PA|AGR|MP)-[A-Za-z0-9]{6,}`)
)

// uxBrowser is a browser whose viewport is width × height CSS pixels (a
// phone's below 700): headless Chromium's windows are at least 500 wide.
func uxBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	b := browserSized(t, max(width, 500), height)
	err := chromedp.Do(b, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: int64(width), Height: int64(height), DeviceScaleFactor: 1, Mobile: width < 700})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// intoInt keeps the number a JavaScript expression gives.
func intoInt(dst *int, expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		v, err := chromedp.Evaluate[float64](expr)(ctx, t)
		*dst = int(v)
		return err
	})
}

// js evaluates a JavaScript expression to a string in the browser.
func js(b context.Context, expr string) string {
	v, err := chromedp.Run(b, chromedp.Evaluate[string](expr))
	if err != nil {
		return "error: " + err.Error()
	}
	return v
}

func checkMick(t *testing.T, b context.Context, s *uxSite, shot *shots, size string, width int) {
	t.Helper()
	// The directory: its count columns on screen at 1280, the nav.
	if err := shot.run(b, "ux-"+size+"-checks", load(s.url+"/"), waitFor("tr.partner-row")); err != nil {
		t.Fatal(err)
	}
	if got := js(b, `document.querySelector('.nav a[aria-current="page"]')?.getAttribute('href') ?? 'none'`); got != "/" {
		t.Errorf("current page in the navigation: %s, want /", got)
	}
	if width >= 1280 {
		if got := js(b, `String([...document.querySelectorAll('#directory th')].every(th => th.getBoundingClientRect().right <= innerWidth))`); got != "true" {
			t.Errorf("directory columns off screen at 1280: %s", js(b, `[...document.querySelectorAll('#directory th')].map(th => th.innerText + '@' + Math.round(th.getBoundingClientRect().right)).join(', ')`))
		}
		if got := js(b, `String(document.querySelector('.topbar').getBoundingClientRect().height <= 64)`); got != "true" {
			t.Errorf("top bar is %s px high at 1280: two rows", js(b, `String(document.querySelector('.topbar').getBoundingClientRect().height)`))
		}
		if got := js(b, `document.querySelector('#directory thead').innerText`); !strings.Contains(got, "Signed contracts") || !strings.Contains(got, "Listings") {
			t.Errorf("directory head %q", got)
		}
	} else {
		if got := js(b, `document.querySelector('.menu-toggle').getAttribute('aria-expanded')`); got != "false" {
			t.Errorf("menu aria-expanded %s before opening", got)
		}
		if err := shot.run(b, "ux-375-menu", click(".menu-toggle"), waitFor(".nav.open"), shot.take("ux-375-menu")); err != nil {
			t.Error(err)
		}
		if got := js(b, `document.querySelector('.menu-toggle').getAttribute('aria-expanded')`); got != "true" {
			t.Errorf("menu aria-expanded %s once open", got)
		}
	}
	// Names and figures.
	if err := shot.run(b, "ux-"+size+"-capacity-checks", load(s.url+"/capacity"), waitFor("tr.allocation-row")); err != nil {
		t.Fatal(err)
	}
	if got := js(b, `document.querySelector('#select-contract').selectedOptions[0].text`); !strings.Contains(got, "Capacity 2026") || !strings.Contains(got, "reserved") {
		t.Errorf("capacity picker starts on %q, want the reserved contract by name", got)
	}
	if got := js(b, `document.querySelector('#select-contract').innerText`); !strings.Contains(got, "pay-per-use") || strings.Contains(got, "pay_per_use") {
		t.Errorf("capacity picker options %q", got)
	}
	for _, id := range []string{"w-reserved", "w-allocated", "w-used"} {
		if got := js(b, `document.querySelector('#`+id+` strong').innerText`); !tbFigure.MatchString(got) {
			t.Errorf("%s shows %q", id, got)
		}
	}
	if got := js(b, `document.querySelector('#w-allocation-excess strong').innerText`); !strings.HasPrefix(got, "USD ") || !moneyFigure.MatchString(got) {
		t.Errorf("excess fee %q", got)
	}
	if err := shot.run(b, "ux-"+size+"-contracts-names", load(s.url+"/contracts"), waitFor("tr.contract-row")); err != nil {
		t.Fatal(err)
	}
	if got := js(b, `document.querySelector('#contracts').innerText`); !strings.Contains(got, "Acme Reseller") || !strings.Contains(got, "Reseller program 2026") {
		t.Errorf("contracts list names: %q", got)
	}
	// A bad submit marks the field and moves the focus to it; Enter twice
	// after step 2 reaches the summary, not Create.
	err := shot.run(b, "ux-"+size+"-wizard",
		load(s.url+"/partners/new"), waitFor("#partner-name"),
		eval(`document.querySelector('#wizard').requestSubmit()`),
		waitFor(`#partner-name[aria-invalid="true"]`),
		until(`document.activeElement && document.activeElement.id === 'partner-name'`),
		shot.take("ux-"+size+"-wizard-invalid"),
		typeIn("#partner-name", "Champions"),
		eval(`document.querySelector('#wizard').requestSubmit()`),
		waitFor("#agreement"),
		until(`[...document.querySelectorAll('#agreement option')].some(o => o.text.startsWith('Reseller program 2026'))`),
		chooseByText("#agreement", "Reseller program 2026"),
		eval(`document.querySelector('#wizard').requestSubmit()`),
		waitFor("#action-invite"),
		eval(`document.querySelector('#wizard').requestSubmit()`),
		waitFor("#wizard-review"),
		until(`document.activeElement && document.activeElement.id === 'step-title'`),
		shot.take("ux-"+size+"-wizard-review"),
	)
	if err != nil {
		t.Error(err)
	} else if got := js(b, `String(!!document.querySelector('#summary'))`); got != "false" {
		t.Errorf("the wizard created the partner without its summary")
	}
	// A deep link survives sign-in.
	fresh := browserSized(t, 1280, 800)
	err = shot.run(fresh, "ux-"+size+"-deeplink",
		load(s.url+"/capacity"), until(`location.pathname === '/signin'`), waitFor("#signin-form"),
		typeIn("#email", "mick@mighty.example"), typeIn("#password", "Sup3r-secret"), click("#signin"),
		until(`location.pathname === '/capacity'`), waitFor("tr.allocation-row"))
	if err != nil {
		t.Errorf("deep link through sign-in: %v (at %s)", err, js(fresh, `location.href`))
	}
	// The 404 page is the app's, in its shell, with status 404.
	if err := shot.run(b, "ux-"+size+"-404", load(s.url+"/no/such/page"), waitFor("#page-not-found"), waitFor(".topbar")); err != nil {
		t.Error(err)
	}
	if got := js(b, `document.title`); !strings.Contains(got, "Page not found") {
		t.Errorf("404 page title %q", got)
	}
	if res, err := http.Get(s.url + "/no/such/page"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /no/such/page: %v %v", res.StatusCode, err)
	}
	if err := shot.run(b, "ux-"+size+"-partner-missing", load(s.url+"/partners/PA-doesnotexist"), waitFor("#page-not-found")); err != nil {
		t.Error(err)
	} else if got := js(b, `document.querySelector('main').innerText`); strings.Contains(got, "0001") || strings.Contains(got, "Created") {
		t.Errorf("unknown partner shows %q", got)
	}
}

func checkReseller(t *testing.T, b context.Context, s *uxSite, shot *shots, size string) {
	t.Helper()
	if err := shot.run(b, "ux-"+size+"-reseller-nav", load(s.url+"/subscriptions"), waitFor("tr.subscription-row")); err != nil {
		t.Fatal(err)
	}
	for _, href := range []string{"/partners/new", "/capacity", "/products"} {
		if got := js(b, `String(!!document.querySelector('.nav a[href="`+href+`"]'))`); got != "false" {
			t.Errorf("a reseller's navigation links to %s", href)
		}
	}
	if got := js(b, `document.querySelector('#subscriptions').innerText`); !strings.Contains(got, "12 users") || !strings.Contains(got, "7 devices") || strings.Contains(got, "device devices") {
		t.Errorf("subscription amounts: %q", got)
	}
	// The Stop buttons and the figures are on screen.
	if got := js(b, `String([...document.querySelectorAll('tr.subscription-row button')].every(e => { const r = e.getBoundingClientRect(); return r.right <= innerWidth && r.left >= 0 }))`); got != "true" {
		t.Errorf("subscription buttons off screen")
	}
	if err := shot.run(b, "ux-"+size+"-catalog-checks", load(s.url+"/catalog"), waitFor(".catalog-service")); err != nil {
		t.Fatal(err)
	}
	if got := js(b, `document.querySelector('.catalog-service').innerText`); !strings.Contains(got, "4.50 per user per month") {
		t.Errorf("catalog prices: %q", got)
	}
}

// checkOffline reloads deep links with the server gone: the service
// worker serves the app's shell, and the partner and /capacity show their
// last data under the offline banner (the client's copy of every read);
// a search never made online and an offline submit say they need the
// connection.
func checkOffline(t *testing.T, s *uxSite, shot *shots) {
	t.Helper()
	b := browserSized(t, 1280, 800)
	err := shot.run(b, "ux-offline-setup",
		uxSignIn(s.url, "mick@mighty.example"),
		waitFor("tr.partner-row"),
		load(s.url+"/partners/"+s.resellerID), waitFor("#partner-general"),
		load(s.url+"/capacity"), waitFor("tr.allocation-row"),
		load(s.url+"/deals"), waitFor("#deal-form"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error { // the service worker holds the shell
			for {
				ok, err := chromedp.Evaluate[bool](`navigator.serviceWorker.ready.then(() => caches.match('/')).then(r => !!r && !!navigator.serviceWorker.controller)`,
					chromedp.EvalAwaitPromise)(ctx, tg)
				if err != nil || ok {
					return err
				}
				time.Sleep(200 * time.Millisecond)
			}
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	s.srv.CloseClientConnections()
	s.srv.Close()
	var partner, capacityText, search, submit, kept string
	err = shot.run(b, "ux-offline",
		typeIn("#deal-customer", "Globex"), typeIn("#deal-tb", "40"),
		eval(`(() => { const e = document.querySelector('#deal-close'); e.value = '`+time.Now().AddDate(0, 2, 0).Format(time.DateOnly)+`';
			e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`),
		click("#register-deal"),
		until(`document.body.innerText.includes('You are offline')`),
		textOf(&submit, "#deal-form"),
		textOf(&kept, "#deal-customer"),
		shot.take("ux-offline-submit"),
		load(s.url+"/partners/"+s.resellerID), waitFor("#partner-general"),
		textOf(&partner, "main"),
		shot.take("ux-offline-partner"),
		load(s.url+"/capacity"), waitFor(".topbar"), until(`document.body.innerText.includes('Offline copy')`),
		waitFor("tr.allocation-row"), // its last data, as on every visited screen
		textOf(&capacityText, "body"),
		shot.take("ux-offline-capacity"),
		load(s.url+"/?q=Partner+07"), waitFor("#directory-offline"),
		textOf(&search, "main"),
		shot.take("ux-offline-search"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(partner, "Acme Reseller") {
		t.Errorf("offline partner page:\n%s", partner)
	}
	if strings.Contains(submit, "internal error") || kept != "Globex" {
		t.Errorf("offline submit: %q, customer field %q", submit, kept)
	}
	if strings.Contains(search, "Partner 01") {
		t.Errorf("offline search shows the unfiltered list:\n%s", search)
	}
}

// tbFigure is a TB figure with two decimals; moneyFigure an amount.
var (
	tbFigure    = regexp.MustCompile(`^(< )?\d[\d,]*\.\d\d TB$`)
	moneyFigure = regexp.MustCompile(`\d\.\d\d$`)
)

// chooseByText selects the option of a select whose text is text.
func chooseByText(sel, text string) chromedp.Action[chromedp.Void] {
	return eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); const o = [...e.options].find(o => o.text.startsWith(%q));
		e.value = o.value; e.dispatchEvent(new Event('change', {bubbles: true})); return true })()`, sel, text))
}
