package dirsender_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/smtptest"
	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/mail/dirsender"
)

// TestWritesEML: the file is a message that a mail parser reads back with
// its headers and both parts, and the log names the file only.
func TestWritesEML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "partnerkit-mail")
	var logs bytes.Buffer
	s, err := dirsender.New(dirsender.Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Now: func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.Render(partnerkit.Mail{Kind: partnerkit.MailPasswordReset, To: "ada@example.com",
		Data: map[string]string{"reset_path": "/reset-password/tok_secret", "full_name": "Ada Lovelace"}}, "http://localhost:8080")
	if err != nil {
		t.Fatal(err)
	}
	m.ID = partnerkit.NewID(mail.PrefixMessage)
	if err := s.Send(context.Background(), *m); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) != 1 {
		t.Fatalf("files %v, %v", files, err)
	}
	if !strings.Contains(filepath.Base(files[0]), "20260304T050607.000Z-password_reset-"+m.ID) {
		t.Errorf("file name %s", files[0])
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, %v; want 0600", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".partnerkit-mail-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	p, err := smtptest.Parse(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if p.Subject != "Reset your Partnerkit password" || !strings.Contains(p.Header.Get("To"), "ada@example.com") ||
		!strings.Contains(p.Header.Get("From"), "partnerkit@localhost") || p.Header.Get("Date") == "" {
		t.Errorf("headers %v", p.Header)
	}
	for part, body := range map[string]string{"text": p.Text, "html": p.HTML} {
		if !strings.Contains(body, "http://localhost:8080/reset-password/tok_secret") || !strings.Contains(body, "Ada Lovelace") {
			t.Errorf("%s part:\n%s", part, body)
		}
	}
	if !strings.Contains(string(data), "\nhttp://localhost:8080/reset-password/tok_secret\n") {
		t.Errorf("the link is not on a line of its own in the file:\n%s", data)
	}
	if !strings.Contains(logs.String(), files[0]) || strings.Contains(logs.String(), "tok_secret") || strings.Contains(logs.String(), "ada@") {
		t.Errorf("log: %s", logs.String())
	}
}

func TestNewRefuses(t *testing.T) {
	if _, err := dirsender.New(dirsender.Options{}); err == nil {
		t.Error("no folder accepted")
	}
	if _, err := dirsender.New(dirsender.Options{Dir: t.TempDir(), From: "nobody"}); err == nil {
		t.Error("a bad From accepted")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := dirsender.New(dirsender.Options{Dir: file}); err == nil {
		t.Error("a file accepted as the folder")
	}
	s, err := dirsender.New(dirsender.Options{Dir: filepath.Join(file, "sub")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{ID: "ML-1", Kind: "password_reset", To: "ada@example.com"}); err == nil || mail.IsPermanent(err) {
		t.Errorf("a folder under a file: err = %v, want a temporary failure", err)
	}
}
