// Package message builds the MIME message of a rendered mail.Message with
// go-mail (github.com/wneessen/go-mail), for the SMTP and directory
// senders: one multipart/alternative message, plain text first, HTML
// second, UTF-8, quoted-printable (8bit for files).
package message

import (
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/partnerkit/partnerkit/mail"
)

// DefaultFrom is the sender of a server with no PARTNERKIT_MAIL_FROM.
const DefaultFrom = "Partnerkit <partnerkit@localhost>"

// CheckFrom checks a From address ("Partnerkit <noreply@example.com>" or
// a bare address) and returns its domain.
func CheckFrom(from string) (string, error) {
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return "", fmt.Errorf("mail from %q: not an address such as \"Partnerkit <noreply@example.com>\": %w", from, err)
	}
	_, domain, ok := strings.Cut(a.Address, "@")
	if !ok || domain == "" {
		return "", fmt.Errorf("mail from %q: the address has no domain", from)
	}
	return domain, nil
}

// Build returns the message m from from, dated at. Its Message-ID is the
// outbox message's ID at from's domain, the same on every attempt, so a
// receiver can drop a copy sent twice. Its parts are quoted-printable,
// or, when readable, 8bit: a file a person reads, links unbroken.
func Build(from string, m mail.Message, at time.Time, readable bool) (*gomail.Msg, error) {
	domain, err := CheckFrom(from)
	if err != nil {
		return nil, err
	}
	opts := []gomail.MsgOption{gomail.WithNoDefaultUserAgent()}
	if readable {
		opts = append(opts, gomail.WithEncoding(gomail.NoEncoding))
	}
	g := gomail.NewMsg(opts...)
	if err := g.From(from); err != nil {
		return nil, fmt.Errorf("mail from: %w", err)
	}
	if err := g.To(m.To); err != nil {
		return nil, fmt.Errorf("mail to: %w", err)
	}
	g.Subject(m.Subject)
	g.SetDateWithValue(at)
	g.SetMessageIDWithValue(m.ID + "@" + domain)
	// Automatic mail (RFC 3834): no out-of-office answers.
	g.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	g.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	g.SetGenHeader(gomail.Header("X-Partnerkit-Kind"), m.Kind)
	g.SetBodyString(gomail.TypeTextPlain, m.Text)
	g.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return g, nil
}
