package partnerkit_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
)

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want partnerkit.Code
	}{
		{"Nil", nil, ""},
		{"Foreign", errors.New("disk on fire"), partnerkit.CodeInternal},
		{"Direct", partnerkit.NotFound("partner", "PA-1"), partnerkit.CodeNotFound},
		{"Wrapped", fmt.Errorf("context: %w", partnerkit.FieldError("name", "is required")), partnerkit.CodeInvalid},
		{"WithOp", partnerkit.WithOp("op", partnerkit.ErrConflict), partnerkit.CodeConflict},
		{"WithOpForeign", partnerkit.WithOp("op", errors.New("boom")), partnerkit.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := partnerkit.ErrorCode(tt.err); got != tt.want {
				t.Fatalf("ErrorCode = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorIsMatchesCode(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", partnerkit.NotFound("partner", "PA-1"))
	if !errors.Is(err, partnerkit.ErrNotFound) || errors.Is(err, partnerkit.ErrConflict) {
		t.Fatal("errors.Is should match by code only")
	}
}

func TestErrorMessageHidesInternals(t *testing.T) {
	internal := partnerkit.WithOp("store.Get", errors.New("pq: password authentication failed"))
	if got := partnerkit.ErrorMessage(internal); got != "internal error" {
		t.Fatalf("internal message leaked: %q", got)
	}
	if !strings.Contains(internal.Error(), "store.Get") || !strings.Contains(internal.Error(), "pq:") {
		t.Fatalf("log form should keep op and cause: %q", internal.Error())
	}
	inv := partnerkit.FieldError("name", "is required")
	if got := partnerkit.ErrorMessage(inv); got != "name: is required" {
		t.Fatalf("message %q", got)
	}
}

func TestPageNormalize(t *testing.T) {
	tests := []struct {
		name      string
		in        partnerkit.Page
		want      partnerkit.Page
		wantField string
	}{
		{"Default", partnerkit.Page{}, partnerkit.Page{Limit: 50}, ""},
		{"Max", partnerkit.Page{Limit: 500, Offset: 7}, partnerkit.Page{Limit: 500, Offset: 7}, ""},
		{"ErrLimitTooLarge", partnerkit.Page{Limit: 501}, partnerkit.Page{}, "limit"},
		{"ErrLimitNegative", partnerkit.Page{Limit: -1}, partnerkit.Page{}, "limit"},
		{"ErrOffsetNegative", partnerkit.Page{Offset: -1}, partnerkit.Page{}, "offset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.Normalize()
			if tt.wantField != "" {
				if _, ok := partnerkit.ErrorFields(err)[tt.wantField]; !ok {
					t.Fatalf("want field error %q, got %v", tt.wantField, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := partnerkit.NewID(partnerkit.PrefixAccount)
		if !partnerkit.HasPrefix(id, partnerkit.PrefixAccount) || seen[id] {
			t.Fatalf("bad or repeated ID %q", id)
		}
		seen[id] = true
	}
	if partnerkit.HasPrefix("PA-short", partnerkit.PrefixAccount) {
		t.Fatal("HasPrefix accepted a malformed ID")
	}
}

func TestClock(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.FixedZone("X", 3600))
	got := partnerkit.FixedClock(at).Now()
	if got.Location() != time.UTC || got.Nanosecond()%1000 != 0 || !got.Equal(at.Truncate(time.Microsecond)) {
		t.Fatalf("Now = %v", got)
	}
	if partnerkit.Clock(nil).Now().IsZero() {
		t.Fatal("nil clock should be the system clock")
	}
}

func TestActorRoles(t *testing.T) {
	tests := []struct {
		role         partnerkit.Role
		write, admin bool
	}{
		{partnerkit.RoleAdmin, true, true},
		{partnerkit.RoleStaff, true, false},
		{partnerkit.RoleViewer, false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			a := partnerkit.Actor{AccountID: "PA-x", Role: tt.role}
			if (a.RequireWrite() == nil) != tt.write || (a.RequireAdmin() == nil) != tt.admin {
				t.Fatalf("write=%v admin=%v", a.RequireWrite(), a.RequireAdmin())
			}
		})
	}
	if err := (partnerkit.Actor{Role: partnerkit.RoleAdmin}).RequireAccount(); partnerkit.ErrorCode(err) != partnerkit.CodeUnauthorized {
		t.Fatalf("actor without account: %v", err)
	}
}

func TestHTTPStatusRoundTrip(t *testing.T) {
	for _, c := range partnerkit.Codes() {
		if got := partnerkit.CodeForStatus(partnerkit.HTTPStatus(c)); got != c {
			t.Errorf("%s → %d → %s", c, partnerkit.HTTPStatus(c), got)
		}
	}
	if partnerkit.HTTPStatus("nonsense") != 500 || partnerkit.CodeForStatus(418) != partnerkit.CodeInternal {
		t.Error("unknown codes and statuses are internal")
	}
}
