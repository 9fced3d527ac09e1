// Package smtpsender is the mail.Sender that sends over SMTP with go-mail
// (github.com/wneessen/go-mail), configured from one URL
// (PARTNERKIT_SMTP_URL):
//
//	smtp://[user:password@]host[:port][?starttls=required|opportunistic]
//	smtps://[user:password@]host[:port]
//
// smtp:// connects in plain text (port 587 unless given) and upgrades with
// STARTTLS: by default it is required, and a server that does not offer
// it is an error; starttls=opportunistic upgrades when the server offers
// it and sends in plain text otherwise (a mail catcher on the same
// machine). smtps:// speaks TLS from the first byte (implicit TLS, port
// 465 unless given). Certificates are verified against the system's roots
// (Options.TLSConfig may give others), unless insecure_skip_verify=1: for
// tests only. With a user the client authenticates (the strongest
// mechanism the server offers; PLAIN and LOGIN only over TLS); percent-
// encode special characters of the user and the password.
//
// Each Send opens one connection, sends one message and closes it; the
// whole dialogue is bounded by Options.Timeout. The server's answer
// decides what an error is: a 5xx answer to RCPT TO, DATA or the end of
// the data means the server refused the address or the message for good
// (mail.Permanent: the message is marked refused); everything else — no
// connection, a timeout, a 4xx answer, a TLS or authentication failure,
// a 5xx answer to MAIL FROM (the server refuses the sender: a setting to
// fix) — is temporary and retried.
package smtpsender

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/mail/internal/message"
)

// DefaultTimeout bounds one send: connecting, TLS and the SMTP dialogue.
const DefaultTimeout = 30 * time.Second

// DefaultFrom is the sender when Options.From is empty.
const DefaultFrom = message.DefaultFrom

// Options configure a Sender.
type Options struct {
	// URL is the server (see the package comment).
	URL string
	// From is the sender ("Partnerkit <noreply@example.com>";
	// PARTNERKIT_MAIL_FROM); empty means DefaultFrom.
	From string
	// Timeout bounds one send; 0 means DefaultTimeout.
	Timeout time.Duration
	// TLSConfig, when set, is the base of the TLS configuration (its
	// RootCAs trust a private server); the server name comes from the URL.
	TLSConfig *tls.Config
	// Now is the clock of the Date header (nil: time.Now).
	Now func() time.Time
}

// Sender sends mail over SMTP.
type Sender struct {
	host    string
	server  string // the URL without its password
	addr    string // host:port, for errors
	from    string
	now     func() time.Time
	options []gomail.Option
}

var _ mail.Sender = (*Sender)(nil)

// New returns a Sender for o.URL. It returns an error naming what is wrong
// with the URL or the sender address; it does not connect.
func New(o Options) (*Sender, error) {
	u, err := url.Parse(o.URL)
	if err != nil {
		return nil, fmt.Errorf("smtp URL: %v", redactErr(err))
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return nil, fmt.Errorf("smtp URL %s: the scheme must be smtp or smtps", u.Redacted())
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return nil, fmt.Errorf("smtp URL %s: must be smtp://[user:password@]host[:port]", u.Redacted())
	}
	s := &Sender{host: u.Hostname(), server: u.Redacted(), from: o.From, now: o.Now}
	if s.from == "" {
		s.from = DefaultFrom
	}
	if _, err := message.CheckFrom(s.from); err != nil {
		return nil, err
	}
	if s.now == nil {
		s.now = time.Now
	}
	port := map[string]int{"smtp": 587, "smtps": 465}[u.Scheme]
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("smtp URL %s: bad port %q", u.Redacted(), p)
		}
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.TLSConfig != nil {
		tc = o.TLSConfig.Clone()
	}
	tc.ServerName = s.host
	q := u.Query()
	for k := range q {
		if k != "starttls" && k != "insecure_skip_verify" {
			return nil, fmt.Errorf("smtp URL %s: unknown parameter %q (starttls, insecure_skip_verify)", u.Redacted(), k)
		}
	}
	switch v := q.Get("insecure_skip_verify"); v {
	case "", "0", "false":
	case "1", "true":
		tc.InsecureSkipVerify = true
	default:
		return nil, fmt.Errorf("smtp URL %s: insecure_skip_verify must be 1 or 0", u.Redacted())
	}
	s.addr = net.JoinHostPort(s.host, strconv.Itoa(port))
	s.options = []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(timeout), gomail.WithTLSConfig(tc)}
	if u.Scheme == "smtps" {
		if q.Has("starttls") {
			return nil, fmt.Errorf("smtp URL %s: starttls is for smtp://; smtps:// is TLS from the start", u.Redacted())
		}
		s.options = append(s.options, gomail.WithSSL())
	} else {
		switch v := q.Get("starttls"); v {
		case "", "required":
			s.options = append(s.options, gomail.WithTLSPolicy(gomail.TLSMandatory))
		case "opportunistic":
			s.options = append(s.options, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
		default:
			return nil, fmt.Errorf("smtp URL %s: starttls must be required or opportunistic, not %q", u.Redacted(), v)
		}
	}
	if u.User != nil && u.User.Username() != "" {
		password, _ := u.User.Password()
		s.options = append(s.options, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(password))
	}
	if _, err := gomail.NewClient(s.host, s.options...); err != nil {
		return nil, fmt.Errorf("smtp URL %s: %w", u.Redacted(), err)
	}
	return s, nil
}

// redactErr drops the URL (which may hold the password) from a parse
// error.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Server is the server's URL without its password.
func (s *Sender) Server() string { return s.server }

// Send implements mail.Sender.
func (s *Sender) Send(ctx context.Context, m mail.Message) error {
	msg, err := message.Build(s.from, m, s.now(), false)
	if err != nil {
		return mail.Permanent(err)
	}
	c, err := gomail.NewClient(s.host, s.options...)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", s.addr, err)
	}
	err = c.DialAndSendWithContext(ctx, msg)
	if err == nil || msg.IsDelivered() {
		return nil // delivered, whatever closing the connection said
	}
	return classify(s.addr, err)
}

// classify marks the server's refusals of the address or the message as
// permanent.
func classify(server string, err error) error {
	err = fmt.Errorf("smtp %s: %w", server, err)
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return err
	}
	code := se.ErrorCode()
	switch se.Reason {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose, gomail.ErrWriteContent:
		if code >= 500 && code <= 599 {
			return mail.Permanent(err)
		}
	}
	return err
}
