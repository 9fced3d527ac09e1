package main

import (
	"context"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/internal/testdb"
)

func TestRunOnPostgres(t *testing.T) {
	dsn := testdb.CreatePostgresDatabase(t, testdb.PostgresDSN(t))
	var out strings.Builder
	if err := run(context.Background(), dsn, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "reseller Champions Corp active\n" {
		t.Fatalf("output %q", out.String())
	}
}
