package jobs_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/riverqueue/river"
)

// TestOneChangesAttemptsAreOneJob checks that a change costs one job on
// both databases: the wizard's deliveries are created with it, and its
// events (partner, agreement, contract, invitation) for an endpoint of
// every type give one fan_out job carrying their four first attempts and
// the events the in-process mail notifier takes; every delivery arrives
// signed (the hook checks). The endpoint's own webhook.created, a change of
// one event that no subscription takes, is the one single-attempt job.
func TestOneChangesAttemptsAreOneJob(t *testing.T) {
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			in := start(t, d.open(t), jobs.Config{Rules: []jobs.Rule{}})
			svc := in.svc
			admin := rootAdmin(t, svc)
			h, srv := newHook(t, 200)
			ep, err := svc.Webhooks.CreateEndpoint(ctx, admin, webhooks.EndpointInput{URL: srv.URL + "/all"})
			if err != nil {
				t.Fatal(err)
			}
			h.mu.Lock()
			h.secret = ep.Secret
			h.mu.Unlock()
			_, err = svc.Contracts.Onboard(ctx, admin, contracts.OnboardingInput{
				Partner: partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Acme"},
				NewAgreement: &agreements.CreateInput{Type: agreements.TypeProgram, Name: "Program",
					Document: agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https://example.com/terms.pdf"}},
				Action: contracts.ActionInvite})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the wizard's four events", func() bool { return len(h.events()) >= 4 })
			res, err := in.engine.Client().JobList(ctx, river.NewJobListParams().First(100))
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			for _, j := range res.Jobs {
				kinds[j.Kind]++
				if j.Kind != jobs.KindFanOut {
					continue
				}
				var args jobs.FanOutArgs
				if err := json.Unmarshal(j.EncodedArgs, &args); err != nil {
					t.Fatal(err)
				}
				if !args.DeliveriesCreated || len(args.Attempts) != 4 || len(args.EventIDs) == 0 {
					t.Errorf("the wizard's fan_out job %+v: want its deliveries created, their 4 first attempts, and the notifier's events", args)
				}
			}
			if len(res.Jobs) != 2 || kinds[jobs.KindFanOut] != 1 || kinds[jobs.KindAttempt] != 1 {
				t.Fatalf("jobs by kind %v: want one %s job (the wizard's) and one %s job (webhook.created)", kinds, jobs.KindFanOut, jobs.KindAttempt)
			}
		})
	}
}
