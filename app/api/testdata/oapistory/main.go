// Command oapistory runs the seed-001 story — a distributor invites a
// reseller, which reviews and activates through the public invitation
// endpoints and signs in — against a live server, through a client that
// oapi-codegen generated from the server's OpenAPI document (package
// pkclient, generated beside this file by TestGeneratedClient). It exits
// non-zero naming the first step that went wrong.
//
//	oapistory -base http://127.0.0.1:8080 -email mick@mighty.example -password …
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"reflect"
	"strings"

	"oapistory/pkclient"
)

func main() {
	base := flag.String("base", "", "the server's URL")
	email := flag.String("email", "", "the distributor admin's email")
	password := flag.String("password", "", "the distributor admin's password")
	flag.Parse()
	if err := story(context.Background(), *base, *email, *password); err != nil {
		fmt.Fprintln(os.Stderr, "seed-001:", err)
		os.Exit(1)
	}
	fmt.Println("seed-001: the story ran through the generated client")
}

// newClient returns a client with its own session cookie jar, sending the
// server's origin (cookie-authenticated writes must come from it).
func newClient(base string) (*pkclient.ClientWithResponses, error) {
	jar, _ := cookiejar.New(nil)
	return pkclient.NewClientWithResponses(base,
		pkclient.WithHTTPClient(&http.Client{Jar: jar}),
		pkclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Origin", base)
			return nil
		}))
}

func key(k string) *pkclient.IdempotencyKey {
	v := pkclient.IdempotencyKey(k)
	return &v
}

func story(ctx context.Context, base, email, password string) error {
	mick, err := newClient(base)
	if err != nil {
		return err
	}
	signIn, err := mick.PostSessionWithResponse(ctx, &pkclient.PostSessionParams{},
		pkclient.PostSessionJSONRequestBody{Email: email, Password: password})
	if err != nil || signIn.JSON201 == nil {
		return fmt.Errorf("sign in: %v %s", err, body(signIn))
	}

	url := "https://mighty.example/program.pdf"
	kind := pkclient.AgreementsDocumentKind("url")
	onboarding := pkclient.PostOnboardingJSONRequestBody{
		Partner: pkclient.PartnersCreatePartnerInput{Type: pkclient.PartnersPartnerType("reseller"), Name: "Champions"},
		NewAgreement: &pkclient.AgreementsCreateInput{Type: pkclient.AgreementsType("program"), Name: "Reseller program",
			Description: ptr("Sell and support."), Document: &pkclient.AgreementsDocumentInput{Kind: &kind, Url: &url}},
		Action: pkclient.ContractsAction("invite"),
	}
	onboarded, err := mick.PostOnboardingWithResponse(ctx, &pkclient.PostOnboardingParams{IdempotencyKey: key("seed-001-onboarding")}, onboarding)
	if err != nil || onboarded.JSON201 == nil {
		return fmt.Errorf("onboarding: %v %s", err, body(onboarded))
	}
	res := onboarded.JSON201
	if res.Partner.Status != pkclient.PartnersStatus("invited") || res.ActivationToken == nil || res.ActivationLink == nil ||
		!strings.HasSuffix(*res.ActivationLink, *res.ActivationToken) {
		return fmt.Errorf("onboarding result %s", onboarded.Body)
	}
	if loc := onboarded.HTTPResponse.Header.Get("Location"); loc != "/api/v1/partners/"+res.Partner.Id {
		return fmt.Errorf("onboarding: Location %q", loc)
	}
	// A retry with the same Idempotency-Key answers the same partner.
	again, err := mick.PostOnboardingWithResponse(ctx, &pkclient.PostOnboardingParams{IdempotencyKey: key("seed-001-onboarding")}, onboarding)
	if err != nil || again.JSON201 == nil || again.JSON201.Partner.Id != res.Partner.Id {
		return fmt.Errorf("onboarding replay: %v %s", err, body(again))
	}
	token := *res.ActivationToken

	champ, err := newClient(base)
	if err != nil {
		return err
	}
	review, err := champ.GetInvitationsTokenWithResponse(ctx, token)
	if err != nil || review.JSON200 == nil {
		return fmt.Errorf("review: %v %s", err, body(review))
	}
	if review.JSON200.InviterName != "Mighty Mick's LLC" ||
		review.JSON200.AgreementName != "Reseller program" {
		return fmt.Errorf("review %s", review.Body)
	}
	// Bad input names the fields and uses nothing up.
	bad, err := champ.PostInvitationsTokenActivateWithResponse(ctx, token, &pkclient.PostInvitationsTokenActivateParams{},
		pkclient.PostInvitationsTokenActivateJSONRequestBody{Email: "coach@champions.example", AcceptAgreement: false,
			FullName: "Coach Carter", Password: "weak", LegalName: "Champions"})
	if err != nil || bad.JSON400 == nil || bad.JSON400.Error.Fields == nil {
		return fmt.Errorf("bad activation: %v %s", err, body(bad))
	}
	for _, f := range []string{"accept_agreement", "password", "legal_name"} {
		if (*bad.JSON400.Error.Fields)[f] == "" {
			return fmt.Errorf("the activation error does not name %s: %s", f, bad.Body)
		}
	}
	activation := pkclient.PostInvitationsTokenActivateJSONRequestBody{Email: "coach@champions.example", AcceptAgreement: true,
		FullName: "Coach Carter", Password: "Sup3r-secret", LegalName: "Champions Corp"}
	activated, err := champ.PostInvitationsTokenActivateWithResponse(ctx, token, &pkclient.PostInvitationsTokenActivateParams{}, activation)
	if err != nil || activated.JSON201 == nil {
		return fmt.Errorf("activation: %v %s", err, body(activated))
	}
	if activated.JSON201.Partner.Status != pkclient.PartnersStatus("active") || activated.JSON201.Contract.Status != pkclient.ContractsStatus("active") {
		return fmt.Errorf("activation %s", activated.Body)
	}
	reused, err := champ.PostInvitationsTokenActivateWithResponse(ctx, token, &pkclient.PostInvitationsTokenActivateParams{}, activation)
	if err != nil || reused.JSON410 == nil || !strings.Contains(reused.JSON410.Error.Message, "already been used") {
		return fmt.Errorf("a used link: %v %s", err, body(reused))
	}
	if missing, err := champ.GetInvitationsTokenWithResponse(ctx, "not-a-token"); err != nil || missing.JSON404 == nil {
		return fmt.Errorf("an unknown link: %v %s", err, body(missing))
	}

	// Champions Corp signs in and sees its own account and contract.
	coach, err := newClient(base)
	if err != nil {
		return err
	}
	if s, err := coach.PostSessionWithResponse(ctx, &pkclient.PostSessionParams{},
		pkclient.PostSessionJSONRequestBody{Email: "coach@champions.example", Password: "Sup3r-secret"}); err != nil || s.JSON201 == nil {
		return fmt.Errorf("coach sign in: %v %s", err, body(s))
	}
	me, err := coach.GetMeWithResponse(ctx)
	if err != nil || me.JSON200 == nil || me.JSON200.AccountId != res.Partner.Id || me.JSON200.Role != pkclient.PartnerkitRole("admin") ||
		len(me.JSON200.Memberships) == 0 || me.JSON200.Memberships[0].AccountName != "Champions" {
		return fmt.Errorf("me: %v %s", err, body(me))
	}
	mine, err := coach.GetContractsWithResponse(ctx, &pkclient.GetContractsParams{})
	if err != nil || mine.JSON200 == nil || mine.JSON200.Total != 1 || mine.JSON200.Items[0].Status != pkclient.ContractsStatus("active") {
		return fmt.Errorf("contracts: %v %s", err, body(mine))
	}
	// The distributor's directory shows it active with its signed contract.
	dir, err := mick.GetPartnersWithResponse(ctx, &pkclient.GetPartnersParams{Q: ptr("champ")})
	if err != nil || dir.JSON200 == nil || dir.JSON200.Total == nil || *dir.JSON200.Total != 1 {
		return fmt.Errorf("directory: %v %s", err, body(dir))
	}
	row := dir.JSON200.Items[0]
	if row.Status != pkclient.PartnersStatus("active") || row.SignedContracts != 1 || row.LegalName == nil || *row.LegalName != "Champions Corp" {
		return fmt.Errorf("directory row %s", dir.Body)
	}
	if cr := dir.HTTPResponse.Header.Get("Content-Range"); cr != "items 0-0/1" {
		return fmt.Errorf("directory Content-Range %q", cr)
	}
	// Signing out ends the session.
	if out, err := coach.DeleteSessionWithResponse(ctx); err != nil || out.StatusCode() != http.StatusNoContent {
		return fmt.Errorf("sign out: %v %s", err, body(out))
	}
	if after, err := coach.GetMeWithResponse(ctx); err != nil || after.JSON401 == nil {
		return fmt.Errorf("me after sign out: %v %s", err, body(after))
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// body describes a response for an error message: its status and body.
func body(r any) string {
	v := reflect.ValueOf(r)
	if !v.IsValid() || v.IsNil() {
		return "(no response)"
	}
	status := v.MethodByName("StatusCode").Call(nil)[0].Int()
	return fmt.Sprintf("%d %s", status, v.Elem().FieldByName("Body").Bytes())
}
