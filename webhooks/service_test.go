package webhooks_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/partnerkit/partnerkit/webhooks/httpsender"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
)

// receiver is a real HTTP endpoint that checks every signature and answers
// from a script of status codes (the last repeats).
type receiver struct {
	t      *testing.T
	secret func() string
	mu     sync.Mutex
	script []int
	got    []received
	hang   bool
}

type received struct {
	eventID, deliveryID string
	event               partnerkit.Event
	signed              bool
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if rc.hang {
		<-r.Context().Done()
		return
	}
	var ev partnerkit.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		rc.t.Errorf("the body is not an event: %v", err)
	}
	signed := webhooks.Verify(rc.secret(), r.Header.Get(webhooks.SignatureHeader), body, 0) == nil
	if !signed {
		rc.t.Errorf("delivery %s: the signature does not verify", r.Header.Get(webhooks.DeliveryIDHeader))
	}
	if r.Header.Get(webhooks.EventIDHeader) != ev.ID {
		rc.t.Errorf("Partnerkit-Event-Id %q, body id %q", r.Header.Get(webhooks.EventIDHeader), ev.ID)
	}
	rc.mu.Lock()
	rc.got = append(rc.got, received{eventID: ev.ID, deliveryID: r.Header.Get(webhooks.DeliveryIDHeader), event: ev, signed: signed})
	status := http.StatusOK
	if len(rc.script) > 0 {
		status = rc.script[0]
		if len(rc.script) > 1 {
			rc.script = rc.script[1:]
		}
	}
	rc.mu.Unlock()
	w.WriteHeader(status)
	_, _ = io.WriteString(w, http.StatusText(status))
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// setup builds the services on the memory stores with a real HTTP sender
// and returns them with the root's admin.
func setup(t *testing.T, opts ...webhooks.Option) (*wiring.Services, partnerkit.Actor) {
	t.Helper()
	o := append([]webhooks.Option{webhooks.AllowPrivateAddresses(true),
		webhooks.WithSender(httpsender.New(httpsender.Options{AllowPrivate: true})),
		webhooks.WithRetrySchedule([]time.Duration{20 * time.Millisecond, 20 * time.Millisecond})}, opts...)
	svc := wiring.MustNew(stores.Memory(), wiring.Options{Webhooks: o,
		Hasher: partners.PasswordHasher{Time: 1, MemoryKiB: 8, Threads: 1}})
	t.Cleanup(svc.Close)
	root, admin, _, err := svc.Partners.EnsureRoot(context.Background(), partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "admin@example.com", AdminFullName: "Admin", AdminPassword: "Correct-horse-7"})
	if err != nil {
		t.Fatal(err)
	}
	return svc, partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
}

func idle(t *testing.T, svc *wiring.Services) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.WebhookScheduler.Idle(ctx); err != nil {
		t.Fatal("deliveries still running:", err)
	}
}

func TestDeliveryRetriedUntilItSucceeds(t *testing.T) {
	ctx := context.Background()
	svc, admin := setup(t)
	var secret string
	rc := &receiver{t: t, secret: func() string { return secret }, script: []int{500, 200}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	ep, err := svc.Webhooks.CreateEndpoint(ctx, admin, webhooks.EndpointInput{URL: srv.URL + "/hook", EventTypes: []string{"partner.created"}})
	if err != nil {
		t.Fatal(err)
	}
	secret = ep.Secret
	p, err := svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	idle(t, svc)
	got := rc.received()
	if len(got) != 2 || got[0].eventID != got[1].eventID || got[0].event.Type != "partner.created" || got[0].event.Data.EntityID != p.ID {
		t.Fatalf("received %+v, want partner.created for %s twice (500, then 200)", got, p.ID)
	}
	list, err := svc.Webhooks.Deliveries(ctx, admin, ep.ID, webhooks.DeliveryFilter{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("deliveries %+v, %v", list, err)
	}
	d, err := svc.Webhooks.Delivery(ctx, admin, list.Items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != webhooks.DeliverySucceeded || d.Attempts != 2 || len(d.AttemptLog) != 2 ||
		d.AttemptLog[0].StatusCode != 500 || d.AttemptLog[0].Error == "" || d.AttemptLog[1].StatusCode != 200 ||
		d.AttemptLog[1].Response != "OK" || d.AttemptLog[0].Response != "Internal Server Error" {
		t.Fatalf("delivery %+v: want succeeded after a 500 and a 200, both in the log", d)
	}
	// Only the endpoint's types: the endpoint's own creation was not sent.
	for _, r := range got {
		if r.event.Type != "partner.created" {
			t.Errorf("received %s, which the endpoint did not ask for", r.event.Type)
		}
	}
}

func TestEndpointFailingForTheWholeScheduleIsDisabled(t *testing.T) {
	ctx := context.Background()
	svc, admin := setup(t, webhooks.WithDeliveryTimeout(50*time.Millisecond))
	rc := &receiver{t: t, secret: func() string { return "" }, hang: true}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	ep, err := svc.Webhooks.CreateEndpoint(ctx, admin, webhooks.EndpointInput{URL: srv.URL, EventTypes: []string{"partner.created"}})
	if err != nil {
		t.Fatal(err)
	}
	var disabled []partnerkit.Event
	var mu sync.Mutex
	stop := svc.Events.Subscribe([]string{"webhook.disabled"}, func(_ context.Context, e partnerkit.Event) error {
		mu.Lock()
		defer mu.Unlock()
		disabled = append(disabled, e)
		return nil
	})
	defer stop()
	if _, err := svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	idle(t, svc)
	e, err := svc.Webhooks.Endpoint(ctx, admin, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Enabled || e.DisabledReason != webhooks.DisabledFailing {
		t.Fatalf("endpoint %+v: want disabled as failing after %d attempts", e, svc.Webhooks.MaxAttempts())
	}
	list, _ := svc.Webhooks.Deliveries(ctx, admin, ep.ID, webhooks.DeliveryFilter{})
	d, _ := svc.Webhooks.Delivery(ctx, admin, list.Items[0].ID)
	if d.Status != webhooks.DeliveryFailed || d.Attempts != 3 || d.AttemptLog[2].Error == "" {
		t.Fatalf("delivery %+v: want failed after 3 attempts that got no answer", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(disabled) != 1 || disabled[0].Data.EntityID != ep.ID || disabled[0].AccountID != admin.AccountID || disabled[0].Data.Actor != "system" {
		t.Fatalf("webhook.disabled events %+v: want one for the endpoint, to its account", disabled)
	}
	// A later event is not delivered to the disabled endpoint.
	if _, err := svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Beta"}); err != nil {
		t.Fatal(err)
	}
	idle(t, svc)
	if list, _ := svc.Webhooks.Deliveries(ctx, admin, ep.ID, webhooks.DeliveryFilter{}); list.Total != 1 {
		t.Fatalf("%d deliveries to a disabled endpoint, want the first only", list.Total)
	}
}
