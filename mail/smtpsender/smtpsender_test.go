package smtpsender_test

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/smtptest"
	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/mail/smtpsender"
)

const link = "https://partners.example.com/activate/tok_123"

func invitation(t *testing.T, to string) mail.Message {
	t.Helper()
	m, err := mail.Render(partnerkit.Mail{Kind: partnerkit.MailPartnerInvitation, To: to, Data: map[string]string{
		"inviter_name": "Root Provider", "partner_name": "Acme Résumés", "activation_path": "/activate/tok_123"}},
		"https://partners.example.com")
	if err != nil {
		t.Fatal(err)
	}
	m.ID = partnerkit.NewID(mail.PrefixMessage)
	return *m
}

func newSender(t *testing.T, o smtpsender.Options) *smtpsender.Sender {
	t.Helper()
	if o.From == "" {
		o.From = "Partnerkit <noreply@partners.example.com>"
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	s, err := smtpsender.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// received waits for one message and reads it back as a mail client would.
func received(t *testing.T, srv *smtptest.Server) (smtptest.Received, *smtptest.Parsed) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := srv.Wait(ctx, 1)
	if err != nil {
		t.Fatalf("no message arrived: %v", err)
	}
	p, err := smtptest.Parse(got[0].Data)
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, got[0].Data)
	}
	return got[0], p
}

// checkMessage checks the headers and both parts of a received invitation.
func checkMessage(t *testing.T, r smtptest.Received, p *smtptest.Parsed, m mail.Message) {
	t.Helper()
	if r.From != "noreply@partners.example.com" || len(r.To) != 1 || r.To[0] != m.To {
		t.Errorf("envelope from %q to %q", r.From, r.To)
	}
	if got := p.Header.Get("From"); !strings.Contains(got, "noreply@partners.example.com") || !strings.Contains(got, "Partnerkit") {
		t.Errorf("From: %q", got)
	}
	if got := p.Header.Get("To"); !strings.Contains(got, m.To) {
		t.Errorf("To: %q", got)
	}
	if p.Subject != "Root Provider invites Acme Résumés to Partnerkit" {
		t.Errorf("Subject: %q", p.Subject)
	}
	if got := p.Header.Get("Message-Id"); got != "<"+m.ID+"@partners.example.com>" {
		t.Errorf("Message-ID: %q", got)
	}
	if p.Header.Get("Auto-Submitted") != "auto-generated" || p.Header.Get("Date") == "" {
		t.Errorf("headers: %v", p.Header)
	}
	if !strings.Contains(p.Text, link) || !strings.Contains(p.Text, "Acme Résumés") {
		t.Errorf("text part:\n%s", p.Text)
	}
	if !strings.Contains(p.HTML, `href="`+link+`"`) || !strings.Contains(p.HTML, "Acme Résumés") {
		t.Errorf("HTML part:\n%s", p.HTML)
	}
}

func TestSendPlain(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	s := newSender(t, smtpsender.Options{URL: "smtp://" + srv.Addr + "?starttls=opportunistic"})
	m := invitation(t, "ada@example.com")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	r, p := received(t, srv)
	if r.TLS {
		t.Error("a server without STARTTLS was reached over TLS?")
	}
	checkMessage(t, r, p, m)
}

func TestSendStartTLS(t *testing.T) {
	t.Run("InsecureSkipVerify", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{StartTLS: true, User: "mailer", Password: "p@ss:word/1"})
		s := newSender(t, smtpsender.Options{URL: "smtp://mailer:p%40ss%3Aword%2F1@" + srv.Addr + "?insecure_skip_verify=1"})
		m := invitation(t, "ada@example.com")
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		r, p := received(t, srv)
		if !r.TLS || r.Authed != "mailer" {
			t.Errorf("TLS %v, authenticated as %q", r.TLS, r.Authed)
		}
		checkMessage(t, r, p, m)
		if strings.Contains(s.Server(), "p%40ss") || strings.Contains(s.Server(), "word") {
			t.Errorf("Server() shows the password: %s", s.Server())
		}
	})
	t.Run("TrustedRoot", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{StartTLS: true})
		s := newSender(t, smtpsender.Options{URL: "smtp://" + srv.Addr, TLSConfig: &tls.Config{RootCAs: srv.CertPool}})
		m := invitation(t, "ada@example.com")
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		if r, p := received(t, srv); !r.TLS {
			t.Error("not sent over TLS")
		} else {
			checkMessage(t, r, p, m)
		}
	})
	t.Run("ErrUntrustedCertificate", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{StartTLS: true})
		err := newSender(t, smtpsender.Options{URL: "smtp://" + srv.Addr}).Send(context.Background(), invitation(t, "ada@example.com"))
		if err == nil || mail.IsPermanent(err) {
			t.Fatalf("err = %v, want a temporary failure", err)
		}
		if len(srv.Received()) != 0 {
			t.Fatal("sent to a server whose certificate is not trusted")
		}
	})
	t.Run("ErrRequiredButNotOffered", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{})
		err := newSender(t, smtpsender.Options{URL: "smtp://" + srv.Addr}).Send(context.Background(), invitation(t, "ada@example.com"))
		if err == nil || mail.IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("err = %v, want a temporary failure about STARTTLS", err)
		}
		if len(srv.Received()) != 0 {
			t.Fatal("sent in plain text though STARTTLS is required")
		}
	})
}

func TestSendImplicitTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Implicit: true, User: "mailer", Password: "secret"})
	s := newSender(t, smtpsender.Options{URL: "smtps://mailer:secret@" + srv.Addr, TLSConfig: &tls.Config{RootCAs: srv.CertPool}})
	m := invitation(t, "ada@example.com")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	r, p := received(t, srv)
	if !r.TLS || r.Authed != "mailer" {
		t.Errorf("TLS %v, authenticated as %q", r.TLS, r.Authed)
	}
	checkMessage(t, r, p, m)
}

func TestErrorClasses(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Refuse: map[string]*smtp.SMTPError{
		"gone@example.com": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"},
		"full@example.com": {Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "Mailbox full, try later"},
	}, User: "mailer", Password: "secret", StartTLS: true})
	base := "smtp://mailer:secret@" + srv.Addr + "?insecure_skip_verify=1"
	for _, tc := range []struct {
		name, url, to string
		permanent     bool
		text          string
	}{
		{"PermanentOn550", base, "gone@example.com", true, "550"},
		{"TemporaryOn452", base, "full@example.com", false, "452"},
		{"TemporaryOnBadPassword", "smtp://mailer:wrong@" + srv.Addr + "?insecure_skip_verify=1", "ada@example.com", false, "535"},
		{"TemporaryWhenDown", "smtp://127.0.0.1:1?starttls=opportunistic", "ada@example.com", false, "dial"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := newSender(t, smtpsender.Options{URL: tc.url}).Send(context.Background(), invitation(t, tc.to))
			if err == nil || mail.IsPermanent(err) != tc.permanent || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v (permanent %v), want permanent %v mentioning %q", err, mail.IsPermanent(err), tc.permanent, tc.text)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "wrong") || strings.Contains(err.Error(), "tok_123") {
				t.Fatalf("the error shows a secret: %v", err)
			}
		})
	}
	if n := len(srv.Received()); n != 0 {
		t.Fatalf("%d messages accepted", n)
	}
	t.Run("ErrPlainPasswordWithoutTLS", func(t *testing.T) {
		plain := smtptest.Start(t, smtptest.Options{User: "mailer", Password: "secret"})
		err := newSender(t, smtpsender.Options{URL: "smtp://mailer:secret@" + plain.Addr + "?starttls=opportunistic"}).
			Send(context.Background(), invitation(t, "ada@example.com"))
		if err == nil || mail.IsPermanent(err) || len(plain.Received()) != 0 {
			t.Fatalf("a password went over plain text: err = %v", err)
		}
	})
}

func TestNewRefuses(t *testing.T) {
	for _, bad := range []string{
		"", "mail.example.com", "http://mail.example.com", "smtp://", "smtp://host:0", "smtp://host:99999",
		"smtp://host?starttls=never", "smtps://host?starttls=required", "smtp://host?insecure_skip_verify=maybe",
		"smtp://host?tls=1", "smtp://host/path",
	} {
		if _, err := smtpsender.New(smtpsender.Options{URL: bad}); err == nil {
			t.Errorf("New accepted %q", bad)
		}
	}
	if _, err := smtpsender.New(smtpsender.Options{URL: "smtp://host", From: "not an address"}); err == nil {
		t.Error("New accepted a bad From")
	}
	_, err := smtpsender.New(smtpsender.Options{URL: "smtp://user:hunter2@host:bad"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a bad URL's error shows its password: %v", err)
	}
}
