package partners_test

import (
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
)

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"OK_LowerUpperDigit", "Passw0rdx", true},
		{"OK_LowerDigitSymbol", "passw0rd!", true},
		{"OK_Unicode", "ÄÖÜäöü12", true},
		{"ErrTooShort", "Aa1!aaa", false},
		{"ErrTwoClasses", "password1", false},
		{"ErrOneClass", "abcdefghij", false},
		{"ErrTooLong", "Aa1!" + string(make([]byte, 200)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := partners.CheckPasswordPolicy(tt.pw)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckPasswordPolicy(%q) = %v, want ok=%v", tt.pw, err, tt.ok)
			}
			if err != nil {
				if _, named := partnerkit.ErrorFields(err)["password"]; !named {
					t.Fatalf("error does not name the field: %v", err)
				}
			}
		})
	}
}

func TestPasswordHasher(t *testing.T) {
	h := partners.PasswordHasher{Time: 1, MemoryKiB: 64, Threads: 1}
	enc := h.Hash("Corr3ct horse")
	if enc == h.Hash("Corr3ct horse") {
		t.Fatal("hashes must be salted")
	}
	if !h.Verify(enc, "Corr3ct horse") || h.Verify(enc, "corr3ct horse") {
		t.Fatal("verify mismatch")
	}
	// Parameters travel with the hash: another hasher still verifies it.
	if !partners.DefaultPasswordHasher.Verify(enc, "Corr3ct horse") {
		t.Fatal("hash made with other parameters should verify")
	}
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$v=19$m=1,t=1,p=1$AA$AA", enc[:len(enc)-3] + "!!!"} {
		if h.Verify(bad, "Corr3ct horse") {
			t.Fatalf("malformed hash %q verified", bad)
		}
	}
}

func TestAccountTypeCanManage(t *testing.T) {
	tests := []struct {
		manager, partner partners.AccountType
		ok               bool
	}{
		{partners.TypeProvider, partners.TypeDistributor, true},
		{partners.TypeDistributor, partners.TypeReseller, true},
		{partners.TypeDistributor, partners.TypeVendor, true},
		{partners.TypeDistributor, partners.TypeDistributor, false},
		{partners.TypeReseller, partners.TypeCustomer, true},
		{partners.TypeVendor, partners.TypeReseller, false},
		{partners.TypeCustomer, partners.TypeCustomer, false},
	}
	for _, tt := range tests {
		if got := tt.manager.CanManage(tt.partner); got != tt.ok {
			t.Errorf("%s.CanManage(%s) = %v, want %v", tt.manager, tt.partner, got, tt.ok)
		}
	}
}

func TestActorFor(t *testing.T) {
	ms := []partners.Membership{
		{UserID: "UR-1", AccountID: "PA-a", Role: partnerkit.RoleViewer},
		{UserID: "UR-1", AccountID: "PA-b", Role: partnerkit.RoleAdmin},
	}
	a, err := partners.ActorFor("UR-1", ms, "")
	if err != nil || a.AccountID != "PA-a" || a.Role != partnerkit.RoleViewer {
		t.Fatalf("default account: %+v %v", a, err)
	}
	a, err = partners.ActorFor("UR-1", ms, "PA-b")
	if err != nil || a.Role != partnerkit.RoleAdmin {
		t.Fatalf("chosen account: %+v %v", a, err)
	}
	if _, err := partners.ActorFor("UR-1", ms, "PA-c"); partnerkit.ErrorCode(err) != partnerkit.CodeForbidden {
		t.Fatalf("foreign account: %v", err)
	}
}
