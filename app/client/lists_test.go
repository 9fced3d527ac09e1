//go:build !js

package client_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/app/client/nethttp"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
)

// TestListsSortAndPageThroughClient: Page.Sort reaches the API, the small
// lists take a page too, and a bad sort comes back as invalid naming "sort".
func TestListsSortAndPageThroughClient(t *testing.T) {
	ctx := context.Background()
	cfg := server.Memory(server.Options{Hasher: storetest.CheapHasher})
	cfg.Logger = slog.New(slog.DiscardHandler)
	if _, _, err := cfg.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "root@provider.example", AdminPassword: "Sup3r-secret"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(cfg))
	defer srv.Close()
	c := client.New(srv.URL, nethttp.New())
	if _, err := c.SignIn(ctx, "root@provider.example", "Sup3r-secret"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"Bravo", "Alpha", "Charlie"} {
		if _, err := c.CreateAPIKey(ctx, n, "viewer", nil); err != nil {
			t.Fatal(err)
		}
	}
	all, err := c.APIKeys(ctx)
	if err != nil || all.Total != 3 || len(all.Items) != 3 || all.Items[0].Description != "Charlie" {
		t.Fatalf("default: %+v %v", all, err)
	}
	page, err := c.APIKeys(ctx, client.Page{Sort: "description", Limit: 1, Offset: 1})
	if err != nil || page.Total != 3 || len(page.Items) != 1 || page.Items[0].Description != "Bravo" {
		t.Fatalf("sorted page: %+v %v", page, err)
	}
	dir, err := c.Partners(ctx, client.DirectoryQuery{Page: client.Page{Sort: "-created_at"}})
	if err != nil || dir.Total != 0 {
		t.Fatalf("directory: %+v %v", dir, err)
	}
	_, err = c.Marketplaces(ctx, client.Page{Sort: "size"})
	if partnerkit.ErrorCode(err) != partnerkit.CodeInvalid || partnerkit.ErrorFields(err)["sort"] == "" {
		t.Fatalf("bad sort: %v", err)
	}
}
