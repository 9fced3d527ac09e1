package webhooks_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/webhooks"
)

// keptJobs is a webhooks.Scheduler that keeps the attempts it is given, so
// the test runs them itself.
type keptJobs struct {
	mu   sync.Mutex
	jobs []webhooks.AttemptJob
}

func (k *keptJobs) ScheduleAttempt(_ context.Context, job webhooks.AttemptJob) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.jobs = append(k.jobs, job)
	return nil
}

func (k *keptJobs) take() []webhooks.AttemptJob {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := k.jobs
	k.jobs = nil
	return out
}

// TestAttemptAll runs the first attempts of several deliveries to two
// endpoints together, as the job engine does for one change: each POST is
// signed with its endpoint's secret, each outcome recorded (a success, a
// 500 with its retry scheduled), and running the same attempts again
// sends nothing.
func TestAttemptAll(t *testing.T) {
	ctx := context.Background()
	kept := &keptJobs{}
	svc, admin := setup(t, webhooks.WithScheduler(kept))
	var okSecret, failSecret string
	ok := &receiver{t: t, secret: func() string { return okSecret }}
	failing := &receiver{t: t, secret: func() string { return failSecret }, script: []int{http.StatusInternalServerError}}
	okSrv, failSrv := httptest.NewServer(ok), httptest.NewServer(failing)
	defer okSrv.Close()
	defer failSrv.Close()
	a, err := svc.Webhooks.CreateEndpoint(ctx, admin, webhooks.EndpointInput{URL: okSrv.URL + "/hook", EventTypes: []string{"partner.created"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.Webhooks.CreateEndpoint(ctx, admin, webhooks.EndpointInput{URL: failSrv.URL + "/hook", EventTypes: []string{"partner.created"}})
	if err != nil {
		t.Fatal(err)
	}
	okSecret, failSecret = a.Secret, b.Secret
	for _, name := range []string{"Acme", "Globex", "Initech"} {
		if _, err := svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	first := kept.take()
	if len(first) != 6 {
		t.Fatalf("%d first attempts scheduled, want 6 (3 partners × 2 endpoints)", len(first))
	}
	if err := svc.Webhooks.AttemptAll(ctx, first); err != nil {
		t.Fatal(err)
	}
	if n, m := len(ok.received()), len(failing.received()); n != 3 || m != 3 {
		t.Fatalf("received %d and %d POSTs, want 3 each", n, m)
	}
	retries := kept.take()
	if len(retries) != 3 {
		t.Fatalf("%d retries scheduled, want 3 (the failing endpoint's)", len(retries))
	}
	for _, ep := range []struct {
		id     string
		status webhooks.DeliveryStatus
	}{{a.ID, webhooks.DeliverySucceeded}, {b.ID, webhooks.DeliveryPending}} {
		list, err := svc.Webhooks.Deliveries(ctx, admin, ep.id, webhooks.DeliveryFilter{})
		if err != nil || len(list.Items) != 3 {
			t.Fatalf("deliveries of %s: %+v, %v", ep.id, list, err)
		}
		for _, d := range list.Items {
			if d.Status != ep.status || d.Attempts != 1 {
				t.Errorf("delivery %s of %s: %s after %d attempts, want %s after 1", d.ID, ep.id, d.Status, d.Attempts, ep.status)
			}
		}
	}
	for _, r := range retries {
		if r.Number != 2 {
			t.Errorf("retry %+v, want attempt 2", r)
		}
	}
	// The same attempts again (the job ran twice): nothing is sent.
	if err := svc.Webhooks.AttemptAll(ctx, first); err != nil {
		t.Fatal(err)
	}
	if n, m := len(ok.received()), len(failing.received()); n != 3 || m != 3 || len(kept.take()) != 0 {
		t.Fatalf("running the attempts again sent %d and %d POSTs in all, want 3 each and no new retry", n, m)
	}
}
