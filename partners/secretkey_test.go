package partners_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/memstore"
	"github.com/pquerna/otp/totp"
)

// A secret sealed under one key fails under another with an error that
// says so (ErrWrongSecretKey), at the start check and at sign-in, while
// recovery codes still sign in.
func TestWrongSecretKeyIsClear(t *testing.T) {
	ctx := context.Background()
	st := memstore.New(nil)
	svc := partners.NewService(st, partners.WithPasswordHasher(cheap), partners.WithSecretKey(bytes.Repeat([]byte{1}, 32)))
	root, u, err := svc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "P", AdminEmail: "a@p.example", AdminPassword: "Sup3r-secret"})
	if err != nil {
		t.Fatal(err)
	}
	actor := partnerkit.Actor{AccountID: root.ID, UserID: u.ID, Role: partnerkit.RoleAdmin}
	en, err := svc.BeginTwoFactor(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(en.Secret, time.Now())
	recovery, err := svc.ConfirmTwoFactor(ctx, actor, code, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CheckSecretKey(ctx); err != nil {
		t.Fatalf("the right key: %v", err)
	}

	for _, c := range []struct {
		name string
		opts []partners.Option
		want error
	}{
		{"WrongKey", []partners.Option{partners.WithSecretKey(bytes.Repeat([]byte{2}, 32))}, partners.ErrWrongSecretKey},
		{"NoKey", nil, partners.ErrNoSecretKey},
	} {
		t.Run(c.name, func(t *testing.T) {
			other := partners.NewService(st, append([]partners.Option{partners.WithPasswordHasher(cheap)}, c.opts...)...)
			err := other.CheckSecretKey(ctx)
			if !errors.Is(err, c.want) || partnerkit.ErrorCode(err) != partnerkit.CodeInternal {
				t.Fatalf("CheckSecretKey: %v, want %v", err, c.want)
			}
			res, err := other.BeginSignIn(ctx, partners.SignInInput{Email: "a@p.example", Password: "Sup3r-secret"})
			if err != nil {
				t.Fatal(err)
			}
			next, _ := totp.GenerateCode(en.Secret, time.Now().Add(partners.TOTPPeriod))
			_, err = other.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: res.Challenge, Code: next})
			if !errors.Is(err, c.want) || partnerkit.ErrorCode(err) != partnerkit.CodeInternal {
				t.Fatalf("sign-in with a code: %v, want %v", err, c.want)
			}
			rc := recovery[0]
			if c.name == "NoKey" {
				rc = recovery[1]
			}
			if _, err := other.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: res.Challenge, RecoveryCode: rc}); err != nil {
				t.Fatalf("a recovery code: %v", err)
			}
		})
	}
}
