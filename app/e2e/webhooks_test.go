//go:build !js

package e2e_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/partnerkit/partnerkit/webhooks/httpsender"
)

// newWebhookWorld is newWorld as the server runs with
// PARTNERKIT_WEBHOOK_ALLOW_PRIVATE=1: the job engine (River on the SQLite
// file) publishes events and runs webhook attempts, whose HTTP sender and
// URL rules allow loopback addresses, so an httptest receiver gets them.
func newWebhookWorld(t *testing.T, rootName string) *world {
	t.Helper()
	if _, err := os.Stat(filepath.Join(webDir, "app.wasm")); err != nil {
		t.Fatal("app.wasm is not built: run `make test-e2e` (or `make wasm` first)")
	}
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	engine, err := jobs.New(db, jobs.Config{Logger: slog.New(slog.DiscardHandler), PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	svc := server.SQL(db, server.Options{Hasher: storetest.CheapHasher, Publisher: engine, Webhooks: []webhooks.Option{
		webhooks.WithScheduler(engine),
		webhooks.WithSender(httpsender.New(httpsender.Options{AllowPrivate: true})),
		webhooks.AllowPrivateAddresses(true),
	}})
	svc.Logger = slog.New(slog.DiscardHandler)
	if err := engine.Start(ctx, &svc.Services); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // before the database closes (cleanups run last first)
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = engine.Stop(stopCtx)
	})
	w := &world{t: t, svc: svc, db: db}
	root, rootUser, err := svc.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: rootName,
		AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	w.check(err)
	w.provider = partnerkit.Actor{AccountID: root.ID, UserID: rootUser.ID, Role: partnerkit.RoleAdmin}
	return w
}

// receiver is an httptest webhook receiver that keeps what it got.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []receivedHook
	seen chan struct{}
}

type receivedHook struct {
	signature, eventType string
	body                 []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{seen: make(chan struct{}, 64)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, receivedHook{req.Header.Get(webhooks.SignatureHeader), req.Header.Get(webhooks.EventTypeHeader), body})
		r.mu.Unlock()
		r.seen <- struct{}{}
		_, _ = io.WriteString(w, `{"received":true}`)
	}))
	t.Cleanup(r.Close)
	return r
}

// ofType returns the requests of an event type received so far.
func (r *receiver) ofType(typ string) []receivedHook {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []receivedHook
	for _, h := range r.got {
		if h.eventType == typ {
			out = append(out, h)
		}
	}
	return out
}

// noSideways fails when the page is wider than the window: at any width
// only a table's own container may scroll sideways.
func noSideways(what string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		w, err := chromedp.Evaluate[string](`document.documentElement.scrollWidth + ' > ' + window.innerWidth`)(ctx, t)
		if err != nil {
			return err
		}
		var page, window int
		fmt.Sscanf(w, "%d > %d", &page, &window)
		if page > window {
			return fmt.Errorf("%s: the page scrolls sideways (%s px)", what, w)
		}
		return nil
	})
}

// viewport makes the page's viewport width × height CSS pixels, as a
// phone's: a headless window is never narrower than 500 px.
func viewport(width, height int64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: width, Height: height, DeviceScaleFactor: 1, Mobile: true})
		return err
	})
}

// signIn signs ops@provider.example in.
func signIn(url string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		load(url+"/signin"),
		waitFor("#signin-form"),
		typeIn("#email", "ops@provider.example"),
		typeIn("#password", "Sup3r-secret"),
		click("#signin"),
		until(`!!document.querySelector(".topbar .nav a[href='/webhooks']")`), // admins see Webhooks (in the folded menu on a phone)
	)
}

// TestBrowserWebhooks is issue 14's story in a real browser: an admin
// gets the URL's field error, adds an endpoint for partner.created at an
// httptest receiver, sees its signing secret once, sends a test event and
// sees it delivered with 200 in the log, opens the delivery's attempts and
// redelivers it, then finds the partner.created event of a partner made
// meanwhile in the Activity screen, filters by it and follows its link to
// the partner. At phone width it edits, rotates and deletes the endpoint.
// Neither width scrolls sideways; screenshots at 1280 and 375 px.
func TestBrowserWebhooks(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	w := newWebhookWorld(t, "Impossible Cloud")
	hooks := newReceiver(t)
	srv := w.serve()
	shot := newShots(t)
	b := browser(t)

	var secret, afterSecret, endpointURL string
	err := shot.run(b, "webhooks",
		signIn(srv.URL),
		load(srv.URL+"/webhooks"),
		waitFor("#webhook-form"),
		shot.take("webhooks-01-empty"),
		typeIn("#webhook-url", "ftp://erp.example/partnerkit"),
		click("#create-webhook"),
		waitFor(`.field-error[data-field="url"]`),
		shot.take("webhooks-02-url-error"),
		setValue("#webhook-url", hooks.URL+"/partnerkit"),
		typeIn("#webhook-description", "ERP sync"),
		click("#webhook-types-some"),
		waitFor(`details[data-entity="partner"] summary`),
		click(`details[data-entity="partner"] summary`),
		click(`#webhook-types input[value="partner.created"]`),
		until(`document.querySelector('#webhook-types-chosen').innerText.includes('1 chosen: partner.created')`),
		shot.take("webhooks-03-form"),
		click("#create-webhook"),
		waitFor("#webhook-secret-value"),
		textOf(&secret, "#webhook-secret-value"),
		click("#webhook-secret-copy"),
		until(`document.querySelector('#webhook-secret-copy').innerText === 'Copied'`),
		waitFor("tr.webhook-row"),
		shot.take("webhooks-04-secret-once"),
		noSideways("webhooks at 1280"),
		click("#webhook-secret-done"),
		until(`document.querySelector('#webhook-secret') === null`),
		load(srv.URL+"/webhooks"),
		waitFor("tr.webhook-row"),
		textOf(&afterSecret, "body"),
		textOf(&endpointURL, "tr.webhook-row a.url"),

		click("tr.webhook-row a.url"),
		waitFor("#send-test"),
		click("#send-test"),
		waitFor(`tr.delivery-row[data-status="succeeded"] .last-status`),
		until(`document.querySelector('tr.delivery-row[data-status="succeeded"] .last-status').innerText === '200'`),
		shot.take("webhooks-05-test-delivered"),
		noSideways("endpoint at 1280"),
		click(`tr.delivery-row[data-status="succeeded"] a.open-delivery`),
		waitFor(".attempt"),
		until(`document.querySelector('.attempt .attempt-status').innerText.startsWith('200')`),
		click("#redeliver"),
		until(`document.querySelectorAll('.attempt').length === 2`),
		shot.take("webhooks-06-delivery-attempts"),
		noSideways("delivery at 1280"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	if strings.Contains(afterSecret, secret) {
		t.Fatal("the signing secret is shown again after the page is reloaded")
	}
	if endpointURL != hooks.URL+"/partnerkit" {
		t.Fatalf("endpoint URL %q", endpointURL)
	}
	tests := hooks.ofType(partnerkit.TestEventType)
	if len(tests) != 2 {
		t.Fatalf("the receiver got %d test events, want 2 (test and redelivery)", len(tests))
	}
	if err := webhooks.Verify(secret, tests[0].signature, tests[0].body, time.Minute); err != nil {
		t.Fatalf("the secret shown does not verify the delivery: %v", err)
	}

	// A partner made now: its partner.created event goes to the endpoint
	// and into the activity feed.
	p, err := w.svc.Partners.CreatePartner(context.Background(), w.provider, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Champions"})
	w.check(err)
	var objectText, heading, filtered string
	err = shot.run(b, "activity",
		load(srv.URL+"/activity"),
		waitFor(`tr.event-row[data-type="partner.created"]`),
		textOf(&objectText, `tr.event-row[data-type="partner.created"] a.event-object`),
		shot.take("activity-01-feed"),
		noSideways("activity at 1280"),
		choose("#activity-type", "partner.created"),
		click("#apply-filters"),
		until(`location.search.includes('type=partner.created') && document.querySelectorAll('tr.event-row').length === 2 &&
			[...document.querySelectorAll('tr.event-row')].every(r => r.dataset.type === 'partner.created')`),
		textOf(&filtered, "#activity"),
		shot.take("activity-02-filtered"),
		click(`tr.event-row[data-type="partner.created"] a.event-object`),
		waitFor("#partner-general"),
		until(`location.pathname === '/partners/`+p.ID+`'`),
		textOf(&heading, "main h1"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(objectText, "Champions") || !strings.Contains(filtered, "Partner created") || heading != "Champions" {
		t.Fatalf("activity row %q, filtered %q, partner page %q", objectText, filtered, heading)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(hooks.ofType("partner.created")) == 0 && time.Now().Before(deadline) {
		select {
		case <-hooks.seen:
		case <-time.After(time.Second):
		}
	}
	if len(hooks.ofType("partner.created")) != 1 {
		t.Fatal("the receiver got no partner.created event")
	}

	phone := browserSized(t, 375, 812)
	var rotated, status string
	var phoneWidth string
	err = shot.run(phone, "webhooks-phone",
		viewport(375, 812),
		signIn(srv.URL),
		into(&phoneWidth, chromedp.Evaluate[string](`String(window.innerWidth)`)),
		load(srv.URL+"/webhooks"),
		waitFor("tr.webhook-row"),
		shot.take("webhooks-phone-01-list"),
		noSideways("webhooks at 375"),
		click("tr.webhook-row a.url"),
		waitFor(`tr.delivery-row[data-status="succeeded"]`),
		until(`document.querySelectorAll('tr.delivery-row').length === 2`), // the test and partner.created
		shot.take("webhooks-phone-02-endpoint"),
		noSideways("endpoint at 375"),
		click("#edit-webhook"),
		waitFor("#webhook-edit-form"),
		click("#edit-enabled"),
		shot.take("webhooks-phone-03-edit"),
		noSideways("edit form at 375"),
		click("#save-webhook"),
		until(`document.querySelector('#webhook-status').innerText.includes('disabled')`),
		textOf(&status, "#webhook-status"),
		click("#rotate-secret"),
		waitFor("#overlap-hours"),
		setValue("#overlap-hours", "2"),
		click("#rotate"),
		waitFor("#rotated-secret-value"),
		textOf(&rotated, "#rotated-secret-value"),
		shot.take("webhooks-phone-04-rotated"),
		noSideways("rotated secret at 375"),
		click(`tr.delivery-row a.open-delivery`),
		waitFor(".attempt"),
		shot.take("webhooks-phone-05-delivery"),
		noSideways("delivery at 375"),
		load(srv.URL+"/activity"),
		waitFor(`tr.event-row[data-type="partner.created"]`),
		shot.take("webhooks-phone-06-activity"),
		noSideways("activity at 375"),
		load(srv.URL+"/webhooks"),
		click("tr.webhook-row a.url"),
		click("#delete-webhook"),
		waitFor("#confirm-delete"),
		shot.take("webhooks-phone-07-delete-confirm"),
		click("#confirm-delete"),
		until(`location.pathname === '/webhooks' && document.body.innerText.includes('No endpoints yet')`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if phoneWidth != "375" {
		t.Fatalf("the phone's viewport is %s px wide, want 375", phoneWidth)
	}
	if status != "disabled" || !strings.HasPrefix(rotated, "whsec_") || rotated == secret {
		t.Fatalf("status %q, rotated secret %q", status, rotated)
	}
}
