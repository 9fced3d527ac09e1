package partnerkit_test

import (
	"context"
	"testing"

	"github.com/partnerkit/partnerkit"
)

func TestIfVersion(t *testing.T) {
	bg := context.Background()
	if err := partnerkit.CheckIfVersion(bg, "partner", "PA-1", 3); err != nil || partnerkit.HasIfVersion(bg, "PA-1") {
		t.Fatalf("no precondition: %v", err)
	}
	if code := partnerkit.ErrorCode(partnerkit.StaleVersion(bg, "partner", "PA-1")); code != partnerkit.CodeConflict {
		t.Fatalf("a stale version without a precondition: %s, want conflict", code)
	}
	ctx := partnerkit.IfVersion(bg, "PA-1", 3, 5)
	if !partnerkit.HasIfVersion(ctx, "PA-1") || partnerkit.HasIfVersion(ctx, "PA-2") {
		t.Fatal("HasIfVersion names the wrong resource")
	}
	if err := partnerkit.CheckIfVersion(ctx, "partner", "PA-2", 1); err != nil || partnerkit.IfVersionChecked(ctx) {
		t.Fatalf("another resource is not conditioned: %v", err)
	}
	if code := partnerkit.ErrorCode(partnerkit.CheckIfVersion(ctx, "partner", "PA-1", 4)); code != partnerkit.CodePreconditionFailed {
		t.Fatalf("version 4 of 3, 5: %s", code)
	}
	if partnerkit.IfVersionChecked(ctx) {
		t.Fatal("a failed check counts as checked")
	}
	if err := partnerkit.CheckIfVersion(ctx, "partner", "PA-1", 5); err != nil || !partnerkit.IfVersionChecked(ctx) {
		t.Fatalf("version 5 of 3, 5: %v", err)
	}
	if code := partnerkit.ErrorCode(partnerkit.StaleVersion(ctx, "partner", "PA-1")); code != partnerkit.CodePreconditionFailed {
		t.Fatalf("a stale version under a precondition: %s", code)
	}
	if code := partnerkit.ErrorCode(partnerkit.CheckIfVersion(partnerkit.IfVersion(bg, "PA-1"), "partner", "PA-1", 1)); code != partnerkit.CodePreconditionFailed {
		t.Fatalf("no version allowed: %s", code)
	}
}
