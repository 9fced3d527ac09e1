package webhooks_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/webhooks"
)

// outcomes records what the observer is told.
type outcomes struct {
	mu  sync.Mutex
	got []webhooks.AttemptOutcome
}

func (o *outcomes) AttemptRecorded(out webhooks.AttemptOutcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, out)
}

// TestObserver: the observer is told of each attempt's outcome once it is
// recorded: retrying while another attempt follows, then succeeded, or
// failed after the last (three, with the test's retry schedule).
func TestObserver(t *testing.T) {
	for name, tc := range map[string]struct {
		script []int
		want   []webhooks.AttemptOutcome
	}{
		"Succeeded": {[]int{500, 200}, []webhooks.AttemptOutcome{webhooks.OutcomeRetrying, webhooks.OutcomeSucceeded}},
		"Failed":    {[]int{500}, []webhooks.AttemptOutcome{webhooks.OutcomeRetrying, webhooks.OutcomeRetrying, webhooks.OutcomeFailed}},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			obs := &outcomes{}
			svc, admin := setup(t, webhooks.WithObserver(obs))
			var secret string
			rc := &receiver{t: t, secret: func() string { return secret }, script: tc.script}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			ep, err := svc.Webhooks.CreateEndpoint(ctx, admin, webhooks.EndpointInput{URL: srv.URL + "/hook", EventTypes: []string{"partner.created"}})
			if err != nil {
				t.Fatal(err)
			}
			secret = ep.Secret
			if _, err := svc.Partners.CreatePartner(ctx, admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Acme"}); err != nil {
				t.Fatal(err)
			}
			idle(t, svc)
			obs.mu.Lock()
			defer obs.mu.Unlock()
			if !slices.Equal(obs.got, tc.want) {
				t.Fatalf("outcomes %v, want %v", obs.got, tc.want)
			}
		})
	}
}
