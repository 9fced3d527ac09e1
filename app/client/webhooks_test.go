//go:build !js

package client_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/app/client/nethttp"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/partnerkit/partnerkit/webhooks/httpsender"
)

// TestWebhooksThroughClient calls every event and webhook route with the
// typed client against the real API on the memory stores, whose webhook
// attempts run in process and POST to an httptest receiver: the catalogue,
// the feed and its filters, an endpoint's whole life (create with its
// secret, read, edit, rotate, test, the delivery log and one delivery's
// attempts, redeliver, delete) and the field errors of bad input.
func TestWebhooksThroughClient(t *testing.T) {
	ctx := context.Background()
	received := make(chan string, 16)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		received <- r.Header.Get(webhooks.SignatureHeader) + " " + string(body)
		_, _ = io.WriteString(w, "thanks")
	}))
	defer receiver.Close()
	cfg := server.Memory(server.Options{Hasher: storetest.CheapHasher, Webhooks: []webhooks.Option{
		webhooks.WithSender(httpsender.New(httpsender.Options{AllowPrivate: true})), webhooks.AllowPrivateAddresses(true)}})
	defer cfg.Close()
	cfg.Logger = slog.New(slog.DiscardHandler)
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	root, rootUser, err := cfg.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	check(err)
	provider := partnerkit.Actor{AccountID: root.ID, UserID: rootUser.ID, Role: partnerkit.RoleAdmin}
	srv := httptest.NewServer(api.New(cfg))
	defer srv.Close()
	ops := client.New(srv.URL, nethttp.New())
	_, err = ops.SignIn(ctx, "ops@provider.example", "Sup3r-secret")
	check(err)
	// idle waits for the attempts due and returns what the receiver got.
	idle := func() string {
		t.Helper()
		ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		check(cfg.WebhookScheduler.Idle(ictx))
		var got []string
		for len(received) > 0 {
			got = append(got, <-received)
		}
		return strings.Join(got, "\n")
	}

	// The catalogue is the kernel's.
	types, err := ops.EventTypes(ctx)
	check(err)
	if len(types.Items) != len(partnerkit.EventTypes) || types.Items[0].Name == "" || types.Items[0].Entity == "" {
		t.Fatalf("event types: %d, want %d: %+v", len(types.Items), len(partnerkit.EventTypes), types.Items[:1])
	}

	// Field errors come back naming the field.
	_, err = ops.CreateWebhookEndpoint(ctx, client.NewWebhookEndpoint{URL: "ftp://erp.example/hook", EventTypes: []string{"no.such"}})
	if f := partnerkit.ErrorFields(err); f["url"] == "" || f["event_types[0]"] == "" {
		t.Fatalf("bad endpoint: %v %v", err, f)
	}

	// Create: the secret is in this answer only.
	off := false
	ep, err := ops.CreateWebhookEndpoint(ctx, client.NewWebhookEndpoint{URL: receiver.URL + "/hook", Description: "ERP",
		EventTypes: []string{"partner.created"}, Enabled: &off})
	check(err)
	if !strings.HasPrefix(ep.Secret, "whsec_") || ep.Enabled || ep.DisabledReason != "manual" || !slices.Equal(ep.EventTypes, []string{"partner.created"}) {
		t.Fatalf("created: %+v", ep)
	}
	got, err := ops.WebhookEndpoint(ctx, ep.ID)
	check(err)
	if got.URL != receiver.URL+"/hook" || got.SecretHint == "" || !strings.HasSuffix(ep.Secret, strings.TrimLeft(got.SecretHint, "…")) {
		t.Fatalf("read: %+v (secret %s)", got, ep.Secret)
	}
	list, err := ops.WebhookEndpoints(ctx)
	check(err)
	if list.Total != 1 || list.Items[0].ID != ep.ID {
		t.Fatalf("list: %+v", list)
	}

	// Edit: enable it for every event type; a stale version conflicts.
	on, all := true, []string{}
	upd, err := ops.UpdateWebhookEndpoint(ctx, ep.ID, client.WebhookEndpointChanges{Enabled: &on, EventTypes: &all, Version: got.Version})
	check(err)
	if !upd.Enabled || len(upd.EventTypes) != 0 || upd.Description != "ERP" || upd.Version != got.Version+1 {
		t.Fatalf("updated: %+v", upd)
	}
	desc := "stale"
	_, err = ops.UpdateWebhookEndpoint(ctx, ep.ID, client.WebhookEndpointChanges{Description: &desc, Version: got.Version})
	if partnerkit.ErrorCode(err) != partnerkit.CodeConflict {
		t.Fatalf("stale version: %v", err)
	}

	// A new partner is an event in the feed (newest first, after the
	// root account's own), delivered to the endpoint.
	p, err := cfg.Partners.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Champions"})
	check(err)
	if body := idle(); !strings.Contains(body, "v1=") || !strings.Contains(body, `"partner.created"`) || !strings.Contains(body, `"webhook.updated"`) {
		t.Fatalf("delivery: %s", body)
	}
	feed, err := ops.Events(ctx, client.EventQuery{Types: []string{"partner.created"}, Page: client.Page{Limit: 10}})
	check(err)
	if len(feed.Items) != 2 || feed.Items[0].Data.EntityID != p.ID || feed.Items[0].Data.EntityType != "partner" ||
		feed.Items[0].Data.Actor != rootUser.ID || !strings.Contains(string(feed.Items[0].Data.Object), "Champions") {
		t.Fatalf("feed: %+v", feed)
	}
	since := feed.Items[0].CreatedAt
	later, err := ops.Events(ctx, client.EventQuery{EntityType: "partner", Since: since.Add(time.Second)})
	check(err)
	if len(later.Items) != 0 {
		t.Fatalf("since filter: %+v", later.Items)
	}
	_, err = ops.Events(ctx, client.EventQuery{Since: since, Until: since})
	if partnerkit.ErrorFields(err)["until"] == "" {
		t.Fatalf("empty range: %v", err)
	}

	// Send a test event, then read the log and the delivery's attempts.
	test, err := ops.SendTestWebhook(ctx, ep.ID)
	check(err)
	if !test.Test || test.EventType != partnerkit.TestEventType {
		t.Fatalf("test: %+v", test)
	}
	if body := idle(); !strings.Contains(body, partnerkit.TestEventType) {
		t.Fatalf("test delivery: %s", body)
	}
	log, err := ops.WebhookDeliveries(ctx, ep.ID, client.WebhookDeliveryQuery{Status: "succeeded"})
	check(err)
	if log.Total != 3 || // webhook.updated, partner.created and the test
		log.Items[0].ID != test.ID || log.Items[0].LastStatusCode != 200 {
		t.Fatalf("log: %+v", log)
	}
	d, err := ops.WebhookDelivery(ctx, test.ID)
	check(err)
	if len(d.AttemptLog) != 1 || d.AttemptLog[0].StatusCode != 200 || d.AttemptLog[0].Response != "thanks" || d.Status != "succeeded" {
		t.Fatalf("delivery: %+v", d)
	}
	_, err = ops.RedeliverWebhook(ctx, test.ID)
	check(err)
	if body := idle(); !strings.Contains(body, partnerkit.TestEventType) {
		t.Fatalf("redelivery: %s", body)
	}
	d, err = ops.WebhookDelivery(ctx, test.ID)
	check(err)
	if len(d.AttemptLog) != 2 || !d.AttemptLog[1].Manual {
		t.Fatalf("redelivered: %+v", d.AttemptLog)
	}

	// Rotate with an overlap, then delete.
	hour := 3600
	rot, err := ops.RotateWebhookSecret(ctx, ep.ID, client.WebhookSecretRotation{OverlapSeconds: &hour})
	check(err)
	if rot.Secret == ep.Secret || !strings.HasPrefix(rot.Secret, "whsec_") || rot.Endpoint.ID != ep.ID || rot.PreviousExpiresAt.IsZero() {
		t.Fatalf("rotated: %+v", rot)
	}
	tooLong := 8 * 24 * 3600
	_, err = ops.RotateWebhookSecret(ctx, ep.ID, client.WebhookSecretRotation{OverlapSeconds: &tooLong})
	if partnerkit.ErrorFields(err)["overlap_seconds"] == "" {
		t.Fatalf("long overlap: %v", err)
	}
	check(ops.DeleteWebhookEndpoint(ctx, ep.ID))
	if _, err := ops.WebhookEndpoint(ctx, ep.ID); partnerkit.ErrorCode(err) != partnerkit.CodeNotFound {
		t.Fatalf("deleted: %v", err)
	}
}
