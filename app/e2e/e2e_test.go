//go:build !js

// Package e2e drives the PWA in headless Chromium (Debian's chromium
// package) with chromedp against the real server on SQLite. Run it with
// `make test-e2e`, which builds app.wasm first; it skips unless
// PARTNERKIT_E2E is set.
package e2e_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/app/ui"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/shopspring/decimal"
)

func TestMain(m *testing.M) {
	ui.Register() // the server prerenders the same routes as the browser
	os.Exit(m.Run())
}

// site is the real server with a distributor that holds a 100 TB capacity
// contract and has a reseller with a 10 TB allocation.
type site struct {
	url, resellerID string
	srv             *httptest.Server
}

func newSite(t *testing.T) *site {
	t.Helper()
	ctx := context.Background()
	w := newWorld(t, "Impossible Cloud")
	svc, provider, check := w.svc, w.provider, w.check
	dist, distActor := w.partnerWithAdmin(provider, partners.TypeDistributor, "Mighty Mick's LLC", "mick@mighty.example", "Mick")
	agr, err := svc.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeCapacity, Name: "Capacity 2026"})
	check(err)
	c, err := svc.Contracts.Create(ctx, provider, contracts.CreateInput{PartnerID: dist.ID, AgreementID: agr.ID})
	check(err)
	_, err = svc.Contracts.Sign(ctx, provider, c.ID)
	check(err)
	_, err = svc.Contracts.Activate(ctx, provider, c.ID)
	check(err)
	_, err = svc.Capacity.SetTerms(ctx, provider, c.ID, capacity.TermsInput{ReservedTB: decimal.NewFromInt(100),
		BillingModel: capacity.BillingReserved, PricePerTB: decimal.NewFromInt(5), ExcessPricePerTB: decimal.NewFromInt(8), Currency: "USD"})
	check(err)
	res, err := svc.Partners.CreatePartner(ctx, distActor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Acme Reseller"})
	check(err)
	_, err = svc.Capacity.SetAllocation(ctx, distActor, res.ID, capacity.AllocationInput{ContractID: c.ID, AllocatedTB: decimal.NewFromInt(10)})
	check(err)
	srv := w.serve()
	return &site{url: srv.URL, resellerID: res.ID, srv: srv}
}

// browser starts headless Chromium with a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserSized(t, 1280, 900)
}

// browserSized starts headless Chromium with a fresh profile and a window
// of the given size.
func browserSized(t *testing.T, width, height int) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: apt-get install -y chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	watchSecurityPolicy(t, ctx)
	return ctx
}

// watchSecurityPolicy fails the test when the page breaks the server's
// Content-Security-Policy (an inline style or script, a foreign origin):
// every screen of every browser test runs under the real policy.
func watchSecurityPolicy(t *testing.T, ctx context.Context) {
	t.Helper()
	var mu sync.Mutex
	var violations []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Content-Security-Policy") {
				mu.Lock()
				violations = append(violations, m.Text)
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { // runs before the browser closes (cleanups run last first)
		mu.Lock()
		defer mu.Unlock()
		for _, v := range violations {
			t.Errorf("Content-Security-Policy violation: %s", v)
		}
	})
}

// shots saves screenshots into a folder the test prints.
type shots struct {
	t   *testing.T
	dir string
}

func newShots(t *testing.T) *shots {
	dir := os.Getenv("PARTNERKIT_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "partnerkit-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s", dir)
	return &shots{t: t, dir: dir}
}

func (s *shots) take(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		buf, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(s.dir, name+".png"), buf, 0o644)
	})
}

// load navigates and waits until the WebAssembly app has taken over the
// prerendered page (go-app removes its loader then).
func load(url string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Navigate(url), until(`document.getElementById('app-wasm-loader') === null`))
}

// until polls a JavaScript condition every 50 ms until it holds.
func until(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			ok, err := chromedp.Evaluate[bool](cond)(ctx, t)
			if err != nil || ok {
				return err
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", cond, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// run runs steps in a browser and, when one fails, saves what the page
// looked like as name-failure.png.
func (s *shots) run(ctx context.Context, name string, steps ...chromedp.Action[chromedp.Void]) error {
	stepCtx, cancelSteps := context.WithTimeout(ctx, time.Minute)
	defer cancelSteps()
	err := chromedp.Do(stepCtx, steps...)
	if err != nil {
		shotCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		_ = chromedp.Do(shotCtx, s.take(name+"-failure"))
		var text string
		_ = chromedp.Do(shotCtx, textOf(&text, "body"))
		s.t.Logf("page text at failure:\n%s", text)
	}
	return err
}

// into runs an action that returns a string and keeps the string.
func into(dst *string, a chromedp.Action[string]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		v, err := a(ctx, t)
		*dst = v
		return err
	})
}

// eval runs JavaScript for its effect.
func eval(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](expr)(ctx, t)
		return err
	})
}

// The page is driven through JavaScript: go-app replaces the prerendered
// DOM when the WebAssembly app starts, which leaves node-based queries
// waiting on nodes that are gone.

// waitFor waits until an element matching sel is rendered and visible.
func waitFor(sel string) chromedp.Action[chromedp.Void] {
	return until(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.offsetParent !== null })()`, sel))
}

// click clicks the element matching sel.
// atActivationStep waits until the activation page shows the step named
// name (a click on Next re-renders the form: the next click waits for it).
func atActivationStep(name string) chromedp.Action[chromedp.Void] {
	return until(`((document.querySelector('.steps li.current') || {}).textContent || '').trim() === '` + name + `'`)
}

func click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(waitFor(sel), eval(fmt.Sprintf(`document.querySelector(%q).click()`, sel)))
}

// typeIn appends text to an input, firing the input event as typing does.
func typeIn(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(waitFor(sel), eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus();
		e.value = e.value + %q; e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`, sel, text)))
}

// textOf reads an element's text (value for inputs).
func textOf(dst *string, sel string) chromedp.Action[chromedp.Void] {
	return into(dst, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const e = document.querySelector(%q);
		return e.value !== undefined && e.tagName === 'INPUT' ? e.value : e.innerText })()`, sel)))
}

// loadFrom loads the URL that *url holds when the step runs (an earlier
// step of the same run reads it).
func loadFrom(url *string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := load(*url)(ctx, t)
		return err
	})
}

// choose sets a select's value and fires its change event, as a user does.
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	return eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q;
		e.dispatchEvent(new Event('change', {bubbles: true})); return true })()`, sel, value))
}

// TestBrowserStory is issue 6's story in a real browser: sign in, run the
// wizard to an invitation, activate in a fresh browser, see the partner
// active in the directory, and see the error of an allocation above the
// reservation.
func TestBrowserStory(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	s := newSite(t)
	shot := newShots(t)
	mick := browser(t)

	var link string
	err := shot.run(mick, "mick",
		load(s.url+"/signin"),
		waitFor("#signin-form"),
		shot.take("01-signin"),
		typeIn("#email", "mick@mighty.example"),
		typeIn("#password", "Sup3r-secret"),
		click("#signin"),
		waitFor("tr.partner-row"),
		shot.take("02-directory"),

		click("#create-partner"),
		waitFor("#partner-name"),
		choose("#partner-type", "reseller"),
		typeIn("#partner-name", "Champions"),
		click("#create-agreement"),
		shot.take("03-wizard-details"),
		click("#next"),
		waitFor("#agreement-name"),
		typeIn("#agreement-name", "Reseller program"),
		typeIn("#agreement-description", "Sell and support our storage."),
		shot.take("04-wizard-agreement"),
		click("#next"),
		waitFor("#action-invite"),
		click("#action-invite"),
		shot.take("05-wizard-action"),
		click("#next"),
		waitFor("#wizard-review"), // the choices, before anything is created
		click("#create"),
		waitFor("#activation-link"),
		textOf(&link, "#activation-link"),
		shot.take("06-wizard-summary"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(link, "/activate/") {
		t.Fatalf("activation link %q", link)
	}

	champ := browser(t) // a fresh browser: no session, no cookies
	err = shot.run(champ, "champ",
		load(link),
		waitFor("#activation-form"),
		shot.take("07-activation-review"),
		typeIn("#email", "coach@champions.example"),
		click("#activation-next"),
		waitFor(`.field-error[data-field="accept_agreement"]`), // must accept first
		click("#accept"),
		click("#activation-next"),
		waitFor("#full-name"),
		typeIn("#full-name", "Coach Carter"),
		typeIn("#new-password", "Sup3r-secret"),
		click("#activation-next"),
		waitFor("#legal-name"),
		typeIn("#legal-name", "Champions"), // no entity type: the server says so
		click("#activation-next"),
		click("#activation-next"),
		waitFor(`.field-error[data-field="legal_name"]`),
		shot.take("08-activation-error"),
		typeIn("#legal-name", " Corp"),
		click("#activation-next"),
		atActivationStep("Activate"),
		click("#activation-next"),
		waitFor("#activated"),
		shot.take("09-activated"),
		load(link),
		waitFor("#link-error"),
		shot.take("10-used-link"),
	)
	if err != nil {
		t.Fatal(err)
	}

	var status, allocationError string
	err = shot.run(mick, "mick2",
		load(s.url+"/?q=Champions"),
		waitFor(`tr.partner-row .status-active`),
		textOf(&status, `tr.partner-row .status`),
		shot.take("11-directory-active"),
		load(s.url+"/capacity"),
		waitFor(`tr.allocation-row[data-partner="`+s.resellerID+`"] .change-allocation`),
		waitFor("#w-allocation-excess"), // the two excess figures, each under its own name
		waitFor("#w-reservation-excess"),
		shot.take("12-capacity"),
		click(`tr.allocation-row[data-partner="`+s.resellerID+`"] .change-allocation`),
		waitFor("#allocation-tb"),
		eval(`document.querySelector('#allocation-tb').value = ''`),
		typeIn("#allocation-tb", "150"),
		click("#save-allocation"),
		waitFor(`.field-error[data-field="allocated_tb"]`),
		textOf(&allocationError, `.field-error[data-field="allocated_tb"]`),
		shot.take("13-allocation-error"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if status != "active" {
		t.Fatalf("Champions is %q in the directory", status)
	}
	if !strings.Contains(allocationError, "reservation") {
		t.Fatalf("allocation error %q should speak of the reservation", allocationError)
	}
}

// TestBrowserFirstRow measures the time from navigation to the directory's
// first rendered row, five times, and reports the median.
func TestBrowserFirstRow(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	s := newSite(t)
	ctx := browser(t)
	if err := chromedp.Do(ctx,
		load(s.url+"/signin"),
		waitFor("#signin-form"),
		typeIn("#email", "mick@mighty.example"),
		typeIn("#password", "Sup3r-secret"),
		click("#signin"),
		waitFor("tr.partner-row"),
	); err != nil {
		t.Fatal(err)
	}
	var times []time.Duration
	for range 5 {
		start := time.Now()
		if err := chromedp.Do(ctx, load(s.url+"/"), waitFor("tr.partner-row")); err != nil {
			t.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	t.Logf("navigation to first directory row: median %v of %v", times[2].Round(time.Millisecond), times)
}

// TestBrowserScreens walks the other screens: agreements and a new
// version, contracts, storage accounts and scheduled deletion, a deal, a
// team invitation and an API key, a partner's capacity tab, and the
// directory at phone width.
func TestBrowserScreens(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	s := newSite(t)
	shot := newShots(t)
	mick := browser(t)
	var versions, contractsText, storageStatus, dealStatus, inviteLink, apiKey string
	closeDate := time.Now().AddDate(0, 2, 0).Format(time.DateOnly)
	err := shot.run(mick, "screens",
		load(s.url+"/signin"),
		typeIn("#email", "mick@mighty.example"),
		typeIn("#password", "Sup3r-secret"),
		click("#signin"),
		waitFor("tr.partner-row"),

		load(s.url+"/agreements"),
		click("#new-agreement"),
		typeIn("#agreement-name", "Service terms"),
		typeIn("#agreement-description", "How we work together."),
		click("#save-agreement"),
		waitFor("#publish-form"),
		choose("#document-source", "url"),
		typeIn("#document-url", "https://mighty.example/terms-v2.pdf"),
		click("#publish"),
		until(`document.querySelectorAll('#versions tbody tr').length === 2`),
		textOf(&versions, "#versions"),
		shot.take("20-agreement-versions"),

		load(s.url+"/contracts"),
		waitFor("#contracts"),
		textOf(&contractsText, "#contracts"),
		shot.take("21-contracts"),

		load(s.url+"/storage?partner="+s.resellerID),
		typeIn("#storage-name", "Acme backups"),
		typeIn("#storage-quota", "2.5"),
		click("#create-storage"),
		waitFor("#storage-accounts button.danger"),
		click("#storage-accounts button.danger"),
		until(`document.querySelector('#storage-accounts').innerText.includes('Deletion scheduled')`),
		textOf(&storageStatus, "#storage-accounts"),
		shot.take("22-storage-accounts"),

		load(s.url+"/deals"),
		typeIn("#deal-customer", "Globex"),
		typeIn("#deal-tb", "40"),
		eval(`(() => { const e = document.querySelector('#deal-close'); e.value = '`+closeDate+`';
			e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`),
		click("#register-deal"),
		waitFor("#deals tbody tr"),
		textOf(&dealStatus, "#deals"),
		shot.take("23-deals"),

		load(s.url+"/team"),
		typeIn("#invite-email", "new.colleague@mighty.example"),
		click("#invite"),
		waitFor("#invitation-link"),
		textOf(&inviteLink, "#invitation-link"),
		typeIn("#key-description", "usage collector"),
		click("#create-key"),
		waitFor("#new-key-value"),
		textOf(&apiKey, "#new-key-value"),
		shot.take("24-team"),

		loadFrom(&inviteLink),
		waitFor("#join-form"),
		typeIn("#full-name", "New Colleague"),
		typeIn("#join-password", "Sup3r-secret"),
		click("#join"),
		waitFor("#joined"),
		shot.take("25-joined"),

		load(s.url+"/partners/"+s.resellerID+"?tab=capacity"),
		waitFor("#partner-capacity"),
		shot.take("26-partner-capacity"),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ what, got, want string }{
		{"versions", versions, "terms-v2.pdf"},
		{"contracts", contractsText, "active"},
		{"storage", storageStatus, "Deletion scheduled"},
		{"deal", dealStatus, "Submitted"},
		{"invitation link", inviteLink, "/join/"},
		{"API key", apiKey, "pk_"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s: %q does not contain %q", c.what, c.got, c.want)
		}
	}

	phone := browserSized(t, 390, 844)
	if err := shot.run(phone, "phone",
		load(s.url+"/signin"),
		typeIn("#email", "mick@mighty.example"),
		typeIn("#password", "Sup3r-secret"),
		click("#signin"),
		waitFor("tr.partner-row"),
		shot.take("27-phone-directory"),
		click(".menu-toggle"),
		waitFor(".nav.open"),
		shot.take("28-phone-menu"),
	); err != nil {
		t.Fatal(err)
	}
}

// offline makes the page's network offline (navigator.onLine false, with
// the offline event).
func offline() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	})
}

// TestBrowserOffline loads the directory and a partner, then loses the
// server and the network: the app says it is offline and still shows the
// last loaded directory and partner details (the client's offline copies).
func TestBrowserOffline(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	s := newSite(t)
	shot := newShots(t)
	ctx := browser(t)
	var directoryText, partnerText string
	if err := shot.run(ctx, "offline-setup",
		load(s.url+"/signin"),
		typeIn("#email", "mick@mighty.example"),
		typeIn("#password", "Sup3r-secret"),
		click("#signin"),
		waitFor("tr.partner-row"),
		load(s.url+"/partners/"+s.resellerID),
		waitFor("#partner-general"),
		load(s.url+"/"),
		waitFor("tr.partner-row"),
	); err != nil {
		t.Fatal(err)
	}
	s.srv.CloseClientConnections()
	s.srv.Close()
	if err := shot.run(ctx, "offline",
		offline(),
		waitFor(".offline"),
		click(`tr.partner-row a`),
		waitFor("#partner-general"),
		textOf(&partnerText, "body"),
		shot.take("30-offline-partner"),
		click(`.nav a[href="/"]`),
		waitFor("tr.partner-row"),
		until(`document.body.innerText.includes('Offline copy')`),
		textOf(&directoryText, "body"),
		shot.take("31-offline-directory"),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(directoryText, "Acme Reseller") || !strings.Contains(directoryText, "Offline copy") {
		t.Fatalf("offline directory:\n%s", directoryText)
	}
	if !strings.Contains(partnerText, "Acme Reseller") {
		t.Fatalf("offline partner:\n%s", partnerText)
	}
}
