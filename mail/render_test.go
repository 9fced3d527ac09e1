package mail_test

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/mail"
)

const testURL = "https://partners.example.com/console"

// sample returns a value for a field of a kind that its checks accept.
func sample(k *mail.Kind, field string) string {
	if v, ok := k.Values[field]; ok {
		return v[0]
	}
	switch {
	case strings.HasSuffix(field, "_path"):
		return "/" + strings.TrimSuffix(field, "_path") + "/tok_" + field
	case strings.HasSuffix(field, "_at") || field == "at":
		return "2026-03-04T05:06:07Z"
	}
	return "value of " + field
}

func TestKindsCoverEveryKind(t *testing.T) {
	var names []string
	for _, k := range mail.Kinds {
		names = append(names, k.Name)
		for _, f := range k.Fields() {
			if base, ok := strings.CutSuffix(f, "_path"); ok && slices.Contains(k.Fields(), base+"_url") {
				t.Errorf("%s: field %s_url clashes with the link of %s", k.Name, base, f)
			}
		}
	}
	if !slices.Equal(names, partnerkit.MailKinds) {
		t.Fatalf("Kinds %v, want partnerkit.MailKinds %v", names, partnerkit.MailKinds)
	}
}

// TestRenderEveryKind renders each kind with its required fields only and
// with every field: a subject on one line, both bodies, every link
// absolute in both, nothing missing.
func TestRenderEveryKind(t *testing.T) {
	for _, k := range mail.Kinds {
		for _, all := range []bool{false, true} {
			name := k.Name + map[bool]string{false: "/Required", true: "/All"}[all]
			t.Run(name, func(t *testing.T) {
				fields := k.Required
				if all {
					fields = k.Fields()
				}
				data := map[string]string{}
				for _, f := range fields {
					data[f] = sample(&k, f)
				}
				m, err := mail.Render(partnerkit.Mail{Kind: k.Name, To: "ada@example.com", Data: data}, testURL+"/")
				if err != nil {
					t.Fatal(err)
				}
				if m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") {
					t.Errorf("subject %q", m.Subject)
				}
				for part, body := range map[string]string{"text": m.Text, "html": m.HTML} {
					if strings.Contains(body, "no value") || strings.Contains(body, "{{") {
						t.Errorf("%s body has a hole:\n%s", part, body)
					}
					if !strings.Contains(body, "ada@example.com") {
						t.Errorf("%s body does not name the recipient", part)
					}
					for f, v := range data {
						if strings.HasSuffix(f, "_path") && !strings.Contains(body, testURL+v) {
							t.Errorf("%s body lacks the absolute link %s%s:\n%s", part, testURL, v, body)
						}
					}
				}
				if !strings.HasPrefix(m.HTML, "<!DOCTYPE html>") || !strings.Contains(m.HTML, `href="`+testURL) {
					t.Errorf("HTML body:\n%s", m.HTML)
				}
				if all && slices.Contains(fields, "expires_at") && !strings.Contains(m.Text, "4 March 2026, 05:06 UTC") {
					t.Errorf("times are not shown for a reader:\n%s", m.Text)
				}
			})
		}
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	m, err := mail.Render(partnerkit.Mail{Kind: partnerkit.MailPartnerInvitation, To: "ada@example.com", Data: map[string]string{
		"inviter_name": `<script>alert(1)</script>`, "partner_name": "Tom & Jerry", "activation_path": "/activate/a\"b<c"}}, testURL)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "Tom &amp; Jerry") || strings.Contains(m.HTML, `a"b<c`) {
		t.Fatalf("HTML not escaped:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, "<script>alert(1)</script>") || !strings.Contains(m.Subject, "Tom & Jerry") {
		t.Fatalf("the text part and subject are text: %q\n%s", m.Subject, m.Text)
	}
}

func TestRenderRefuses(t *testing.T) {
	inv := func(change func(m *partnerkit.Mail)) partnerkit.Mail {
		m := partnerkit.Mail{Kind: partnerkit.MailPasswordReset, To: "ada@example.com", Data: map[string]string{"reset_path": "/reset-password/x"}}
		change(&m)
		return m
	}
	for _, tc := range []struct {
		name, field string
		m           partnerkit.Mail
	}{
		{"ErrKindUnknown", "kind", inv(func(m *partnerkit.Mail) { m.Kind = "newsletter" })},
		{"ErrToRequired", "to", inv(func(m *partnerkit.Mail) { m.To = " " })},
		{"ErrToDisplayName", "to", inv(func(m *partnerkit.Mail) { m.To = "Ada <ada@example.com>" })},
		{"ErrToList", "to", inv(func(m *partnerkit.Mail) { m.To = "ada@example.com, bob@example.com" })},
		{"ErrToHeaderInjection", "to", inv(func(m *partnerkit.Mail) { m.To = "ada@example.com\r\nBcc: eve@example.com" })},
		{"ErrToTooLong", "to", inv(func(m *partnerkit.Mail) { m.To = strings.Repeat("a", 250) + "@example.com" })},
		{"ErrRequiredField", "data.reset_path", inv(func(m *partnerkit.Mail) { m.Data = nil })},
		{"ErrBlankField", "data.reset_path", inv(func(m *partnerkit.Mail) { m.Data["reset_path"] = " " })},
		{"ErrUnknownField", "data.token", inv(func(m *partnerkit.Mail) { m.Data["token"] = "x" })},
		{"ErrPathIsURL", "data.reset_path", inv(func(m *partnerkit.Mail) { m.Data["reset_path"] = "https://evil.example/x" })},
		{"ErrPathProtocolRelative", "data.reset_path", inv(func(m *partnerkit.Mail) { m.Data["reset_path"] = "//evil.example/x" })},
		{"ErrFieldControl", "data.full_name", inv(func(m *partnerkit.Mail) { m.Data["full_name"] = "a\x00b" })},
		{"ErrFieldTooLong", "data.full_name", inv(func(m *partnerkit.Mail) { m.Data["full_name"] = strings.Repeat("é", 2001) })},
		{"ErrDedupeKeyTooLong", "dedupe_key", inv(func(m *partnerkit.Mail) { m.DedupeKey = strings.Repeat("k", 257) })},
		{"ErrValue", "data.decision", partnerkit.Mail{Kind: partnerkit.MailDealDecided, To: "ada@example.com",
			Data: map[string]string{"customer_name": "Acme", "decision": "maybe", "deal_path": "/deals"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mail.Render(tc.m, "")
			if partnerkit.ErrorCode(err) != partnerkit.CodeInvalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			if _, ok := partnerkit.ErrorFields(err)[tc.field]; !ok {
				t.Fatalf("fields %v, want %q", partnerkit.ErrorFields(err), tc.field)
			}
		})
	}
}

func TestParsePublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080":           "http://127.0.0.1:8080",
		"https://partners.example.com/":   "https://partners.example.com",
		"https://example.com/partnerkit/": "https://example.com/partnerkit",
	} {
		if got, err := mail.ParsePublicURL(in); err != nil || got != want {
			t.Errorf("ParsePublicURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "example.com", "ftp://example.com", "https://example.com/?a=1", "https://u:p@example.com", "https://example.com/#x"} {
		if _, err := mail.ParsePublicURL(bad); err == nil {
			t.Errorf("ParsePublicURL(%q) accepted", bad)
		}
	}
}

// TestMessageFormatsWithoutBodies: a Message logged or printed by mistake
// shows no body and no link.
func TestMessageFormatsWithoutBodies(t *testing.T) {
	m := mail.Message{ID: "ML-1", Kind: partnerkit.MailPasswordReset, To: "ada@example.com", Subject: "s",
		Text: "secret-token-text", HTML: "secret-token-html"}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "message", m)
	out := fmt.Sprintf("%v %+v %#v %s", m, m, m, m) + b.String()
	if strings.Contains(out, "secret-token") {
		t.Fatalf("a message formats with its body: %s", out)
	}
	if !strings.Contains(out, "ML-1") {
		t.Fatalf("a message formats without its ID: %s", out)
	}
}

func ExampleRender() {
	m, err := mail.Render(partnerkit.Mail{Kind: partnerkit.MailPasswordReset, To: "ada@example.com",
		Data: map[string]string{"reset_path": "/reset-password/t0ken", "full_name": "Ada"}}, "https://partners.example.com")
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Subject)
	fmt.Println(strings.Contains(m.Text, "https://partners.example.com/reset-password/t0ken"))
	// Output:
	// Reset your Partnerkit password
	// true
}
