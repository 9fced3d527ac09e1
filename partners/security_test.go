package partners_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/memstore"
	"github.com/partnerkit/partnerkit/partners/rules"
	"github.com/pquerna/otp/totp"
)

var cheap = partners.PasswordHasher{Time: 1, MemoryKiB: 64, Threads: 1}

func TestDeviceName(t *testing.T) {
	for _, c := range []struct{ name, ua, want string }{
		{"FirefoxLinux", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"},
		{"ChromeWindows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", "Chrome on Windows"},
		{"EdgeWindows", "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0", "Edge on Windows"},
		{"SafariMac", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15", "Safari on macOS"},
		{"SafariIPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile/15E148 Safari/604.1", "Safari on iOS"},
		{"ChromeAndroid", "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36", "Chrome on Android"},
		{"Curl", "curl/8.5.0", "curl"},
		{"Empty", "", "Unknown device"},
		{"Gibberish", "xyz", "Unknown device"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := partners.DeviceName(c.ua); got != c.want {
				t.Fatalf("DeviceName(%q) = %q, want %q", c.ua, got, c.want)
			}
		})
	}
}

func TestCommonPasswords(t *testing.T) {
	for _, c := range []struct {
		pw     string
		common bool
	}{
		{"Password1", true}, {"QWERTY123", true}, {"Trustno1", true}, {"1q2w3e4R", true},
		{"Sup3r-secret", false}, {"Correct-horse-7", false}, {"password", true},
	} {
		if got := partners.IsCommonPassword(c.pw); got != c.common {
			t.Errorf("IsCommonPassword(%q) = %v", c.pw, got)
		}
	}
	err := partners.CheckPasswordPolicy("Password1")
	if partnerkit.ErrorFields(err)["password"] != rules.CommonPasswordProblem {
		t.Fatalf("policy: %v", err)
	}
	// The shared rule, as the PWA runs it, checks no list.
	if rules.PasswordProblem("Password1", nil) != "" || rules.PasswordProblem("short", nil) == "" {
		t.Fatal("rules.PasswordProblem without a list")
	}
}

func TestQRCodeSVG(t *testing.T) {
	svg, err := partners.QRCodeSVG("otpauth://totp/Partnerkit:a@b.example?secret=JBSWY3DPEHPK3PXP&issuer=Partnerkit")
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil || !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, `<path fill="#000" d="M`) {
		t.Fatalf("not an SVG QR code (%v): %.200s", err, svg)
	}
}

// A secret sealed with a key is unreadable in the store and still verifies.
func TestSecretKeySealsTOTPSecrets(t *testing.T) {
	ctx := context.Background()
	st := memstore.New(nil)
	key := bytes.Repeat([]byte{7}, 32)
	svc := partners.NewService(st, partners.WithPasswordHasher(cheap), partners.WithSecretKey(key))
	root, u, err := svc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "P", AdminEmail: "a@p.example", AdminPassword: "Sup3r-secret"})
	if err != nil {
		t.Fatal(err)
	}
	actor := partnerkit.Actor{AccountID: root.ID, UserID: u.ID, Role: partnerkit.RoleAdmin}
	en, err := svc.BeginTwoFactor(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := st.GetTwoFactor(ctx, u.ID)
	if err != nil || !strings.HasPrefix(tf.Secret, "aesgcm:") || strings.Contains(tf.Secret, en.Secret) {
		t.Fatalf("stored %+v (%v)", tf, err)
	}
	code, _ := totp.GenerateCode(en.Secret, time.Now())
	if _, err := svc.ConfirmTwoFactor(ctx, actor, code, ""); err != nil {
		t.Fatal(err)
	}
	// Without the key the sealed secret cannot be read.
	other := partners.NewService(st, partners.WithPasswordHasher(cheap))
	res, err := other.BeginSignIn(ctx, partners.SignInInput{Email: "a@p.example", Password: "Sup3r-secret"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: res.Challenge, Code: code})
	if partnerkit.ErrorCode(err) != partnerkit.CodeInternal {
		t.Fatalf("without the key: %v", err)
	}
}

// A login with two-factor sign-in signs in in two steps.
func ExampleService_CompleteSignIn() {
	ctx := context.Background()
	svc := partners.NewService(memstore.New(nil))
	root, admin, _ := svc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "admin@example.com", AdminPassword: "Sup3r-secret"})
	actor := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}

	enrolment, _ := svc.BeginTwoFactor(ctx, actor) // show enrolment.QRCodeSVG
	code, _ := totp.GenerateCode(enrolment.Secret, time.Now())
	recovery, _ := svc.ConfirmTwoFactor(ctx, actor, code, "")
	fmt.Println(len(recovery), "recovery codes")

	first, _ := svc.BeginSignIn(ctx, partners.SignInInput{Email: "admin@example.com", Password: "Sup3r-secret"})
	fmt.Println("code needed:", first.Challenge != "", "session:", first.Session != nil)
	done, err := svc.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: first.Challenge, RecoveryCode: recovery[0]})
	fmt.Println("signed in:", err == nil && done.Token != "")
	// Output:
	// 10 recovery codes
	// code needed: true session: false
	// signed in: true
}
