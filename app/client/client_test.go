//go:build !js

package client_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/app/client/nethttp"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
)

// TestSeed001StoryThroughClient runs the reseller tutorial with the typed
// client against the real API on SQLite: Mighty Mick's LLC invites
// Champions Corp, which activates through the public endpoints and signs in.
func TestSeed001StoryThroughClient(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "client.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := server.SQL(db, server.Options{Hasher: storetest.CheapHasher})
	cfg.Logger = slog.New(slog.DiscardHandler)
	if _, _, err := cfg.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Mighty Mick's LLC",
		AccountType: partners.TypeDistributor, AdminEmail: "mick@mighty.example", AdminPassword: "Sup3r-secret"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(cfg))
	defer srv.Close()

	mick := client.New(srv.URL, nethttp.New())
	me, err := mick.SignIn(ctx, "mick@mighty.example", "Sup3r-secret")
	if err != nil || me.Memberships[0].AccountName != "Mighty Mick's LLC" {
		t.Fatalf("sign in: %+v %v", me, err)
	}
	// A field error comes back as a *partnerkit.Error naming the field.
	_, err = mick.Onboard(ctx, client.Onboarding{Partner: client.NewPartner{Type: "reseller"}, Action: "invite"})
	if partnerkit.ErrorCode(err) != partnerkit.CodeInvalid || partnerkit.ErrorFields(err)["partner.name"] == "" {
		t.Fatalf("bad wizard: %v", err)
	}
	res, err := mick.Onboard(ctx, client.Onboarding{
		Partner: client.NewPartner{Type: "reseller", Name: "Champions"},
		NewAgreement: &client.NewAgreement{Type: "program", Name: "Reseller program", Description: "Sell and support.",
			Document: client.DocumentInput{Kind: "file", FileName: "program.md", Content: []byte("# Reseller program\n")}},
		Action: "invite",
	})
	if err != nil || res.Partner.Status != "invited" || res.ActivationToken == "" {
		t.Fatalf("onboard: %+v %v", res, err)
	}

	champ := client.New(srv.URL, nethttp.New())
	review, err := champ.ReviewInvitation(ctx, res.ActivationToken)
	if err != nil || review.InviterName != "Mighty Mick's LLC" || review.Document.MediaType != "text/markdown; charset=utf-8" {
		t.Fatalf("review: %+v %v", review, err)
	}
	act, err := champ.ActivateInvitation(ctx, res.ActivationToken, client.Activation{Email: "coach@champions.example",
		AcceptAgreement: true, FullName: "Coach Carter", Password: "Sup3r-secret", LegalName: "Champions Corp"})
	if err != nil || act.Partner.Status != "active" || act.Contract.Status != "active" {
		t.Fatalf("activate: %+v %v", act, err)
	}
	_, err = champ.ActivateInvitation(ctx, res.ActivationToken, client.Activation{Email: "x@champions.example",
		AcceptAgreement: true, FullName: "X", Password: "Sup3r-secret", LegalName: "Champions Corp"})
	if partnerkit.ErrorCode(err) != partnerkit.CodeGone {
		t.Fatalf("reused link: %v", err)
	}
	coachMe, err := champ.SignIn(ctx, "coach@champions.example", "Sup3r-secret")
	if err != nil || coachMe.AccountID != res.Partner.ID || coachMe.Role != "admin" {
		t.Fatalf("coach signs in: %+v %v", coachMe, err)
	}
	mine, err := champ.Contracts(ctx, client.ContractQuery{})
	if err != nil || mine.Total != 1 || mine.Items[0].Status != "active" {
		t.Fatalf("coach's contracts: %+v %v", mine, err)
	}
	// The distributor's directory and CSV show Champions active.
	dir, err := mick.Partners(ctx, client.DirectoryQuery{Q: "champ"})
	if err != nil || dir.Total != 1 || dir.Items[0].Status != "active" || dir.Items[0].SignedContracts != 1 {
		t.Fatalf("directory: %+v %v", dir, err)
	}
	csv, err := mick.PartnersCSV(ctx, client.DirectoryQuery{})
	if err != nil || !strings.Contains(string(csv), "Champions") {
		t.Fatalf("csv: %s %v", csv, err)
	}
	// Another tenant's resource is not found; signed out is unauthorized.
	if _, err := champ.Partner(ctx, me.AccountID); partnerkit.ErrorCode(err) != partnerkit.CodeNotFound {
		t.Fatalf("champions reading mick: %v", err)
	}
	if err := champ.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := champ.Me(ctx); partnerkit.ErrorCode(err) != partnerkit.CodeUnauthorized {
		t.Fatalf("after sign-out: %v", err)
	}
}
