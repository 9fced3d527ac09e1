//go:build !js

package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/mail/dirsender"
	"github.com/partnerkit/partnerkit/mail/smtpsender"
)

func TestMailSettings(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	t.Run("DefaultWritesEMLNextToTheDatabase", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "data", "pk.db")
		cfg, err := parseConfig(nil, env("PARTNERKIT_DB", db, "PARTNERKIT_ADDR", "0.0.0.0:9090"))
		if err != nil {
			t.Fatal(err)
		}
		o, err := mailOptions(cfg, false, nil, quiet)
		if err != nil {
			t.Fatal(err)
		}
		s, ok := o.Sender.(*dirsender.Sender)
		if !ok || s.Dir() != filepath.Join(filepath.Dir(db), "partnerkit-mail") || o.PublicURL != "http://localhost:9090" {
			t.Fatalf("sender %T %v, public URL %q", o.Sender, o.Sender, o.PublicURL)
		}
		m, err := mail.Render(partnerkit.Mail{Kind: partnerkit.MailPasswordReset, To: "ada@example.com",
			Data: map[string]string{"reset_path": "/reset-password/x"}}, o.PublicURL)
		if err != nil {
			t.Fatal(err)
		}
		m.ID = "ML-test"
		if err := s.Send(context.Background(), *m); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(s.Dir(), "*.eml"))
		if len(files) != 1 {
			t.Fatalf("files %v", files)
		}
		b, _ := os.ReadFile(files[0])
		if !strings.Contains(string(b), "http://localhost:9090/reset-password/x") {
			t.Fatalf("the link is not absolute:\n%s", b)
		}
	})
	t.Run("SMTPAndPublicURLFromTheEnvironment", func(t *testing.T) {
		cfg, err := parseConfig(nil, env("PARTNERKIT_SMTP_URL", "smtps://mailer:secret@mail.example.com",
			"PARTNERKIT_MAIL_FROM", "Partners <noreply@example.com>", "PARTNERKIT_PUBLIC_URL", "https://partners.example.com/"))
		if err != nil {
			t.Fatal(err)
		}
		o, err := mailOptions(cfg, false, nil, quiet)
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := o.Sender.(*smtpsender.Sender); !ok || s.Server() != "smtps://mailer:xxxxx@mail.example.com" || o.PublicURL != "https://partners.example.com" {
			t.Fatalf("sender %T, public URL %q", o.Sender, o.PublicURL)
		}
	})
	t.Run("Flags", func(t *testing.T) {
		cfg, err := parseConfig([]string{"-smtp-url", "smtp://127.0.0.1:2525?starttls=opportunistic", "-mail-from", "noreply@example.com",
			"-public-url", "https://p.example.com"}, env())
		if err != nil {
			t.Fatal(err)
		}
		if cfg.smtpURL != "smtp://127.0.0.1:2525?starttls=opportunistic" || cfg.mailFrom != "noreply@example.com" || cfg.publicURL != "https://p.example.com" {
			t.Fatalf("config %+v", cfg)
		}
		if _, err := mailOptions(cfg, true, nil, quiet); err != nil {
			t.Fatal(err)
		}
	})
	for name, kv := range map[string][]string{
		"ErrSMTPWithoutFrom": {"PARTNERKIT_SMTP_URL", "smtp://mail.example.com"},
		"ErrBadSMTPURL":      {"PARTNERKIT_SMTP_URL", "mail.example.com", "PARTNERKIT_MAIL_FROM", "noreply@example.com"},
		"ErrBadPublicURL":    {"PARTNERKIT_PUBLIC_URL", "partners.example.com"},
		"ErrBadFrom":         {"PARTNERKIT_MAIL_FROM", "nobody"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg, err := parseConfig(nil, env(append(kv, "PARTNERKIT_DB", filepath.Join(t.TempDir(), "pk.db"))...))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := mailOptions(cfg, false, nil, quiet); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if got := defaultPublicURL("127.0.0.1:8080", true); got != "https://127.0.0.1:8080" {
		t.Errorf("defaultPublicURL = %q", got)
	}
	if got := defaultPublicURL(":8080", false); got != "http://localhost:8080" {
		t.Errorf("defaultPublicURL = %q", got)
	}
	if got := mailDir("postgres://u@h/db"); got != "partnerkit-mail" {
		t.Errorf("mailDir = %q", got)
	}
	if got := mailDir("file:/srv/pk.db?_pragma=x"); got != "/srv/partnerkit-mail" {
		t.Errorf("mailDir = %q", got)
	}
}
