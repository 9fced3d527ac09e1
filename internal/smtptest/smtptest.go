// Package smtptest runs an SMTP server in a test (github.com/emersion/go-smtp)
// that keeps what it receives: plain, with STARTTLS or with implicit TLS
// on a self-signed certificate, with or without authentication, refusing
// the recipients a test names. Only tests import it.
package smtptest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a Server.
type Options struct {
	// Addr is the address to listen on ("127.0.0.1:0" when empty: a free
	// port); give a closed server's Addr to bring it back.
	Addr string
	// StartTLS offers STARTTLS with a self-signed certificate; Implicit
	// speaks TLS from the first byte.
	StartTLS, Implicit bool
	// User and Password, when set, are required (AUTH PLAIN).
	User, Password string
	// Refuse maps recipients to the answer to their RCPT TO (such as
	// &smtp.SMTPError{Code: 550, …}).
	Refuse map[string]*smtp.SMTPError
}

// Received is one message the server accepted.
type Received struct {
	From   string
	To     []string
	Data   []byte
	TLS    bool
	Authed string // the user who authenticated, if any
}

// Server is a running SMTP server.
type Server struct {
	// Addr is the address it listens on.
	Addr string
	// Certificate is its TLS certificate (self-signed); CertPool trusts it.
	Certificate tls.Certificate
	CertPool    *x509.CertPool

	opts Options
	srv  *smtp.Server
	ln   net.Listener
	done chan struct{}

	mu       sync.Mutex
	received []Received
	changed  chan struct{}
}

// Start starts a server and closes it when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	s, err := start(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Restart starts a server again on the address of a closed one, with the
// same certificate and options, keeping what it received; it closes it
// when the test ends.
func (s *Server) Restart(t testing.TB) *Server {
	t.Helper()
	o := s.opts
	o.Addr = s.Addr
	n, err := start(o, &s.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return n
}

func start(o Options, cert *tls.Certificate) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	s := &Server{opts: o, done: make(chan struct{}), changed: make(chan struct{})}
	if cert == nil {
		c, err := SelfSigned()
		if err != nil {
			return nil, err
		}
		cert = &c
	}
	s.Certificate = *cert
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil, err
	}
	s.CertPool = x509.NewCertPool()
	s.CertPool.AddCert(leaf)
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{srv: s, conn: c}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = !o.StartTLS && !o.Implicit
	srv.ErrorLog = quiet{}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
	if o.StartTLS || o.Implicit {
		srv.TLSConfig = tlsConfig
	}
	var ln net.Listener
	for try := 0; ; try++ { // a closed server's port may linger a moment
		ln, err = net.Listen("tcp", o.Addr)
		if err == nil || try == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	if o.Implicit {
		ln = tls.NewListener(ln, tlsConfig)
	}
	s.Addr = ln.Addr().String()
	s.srv, s.ln = srv, ln
	go func() {
		defer close(s.done)
		_ = srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server (its connections too); Close twice is fine.
func (s *Server) Close() {
	_ = s.srv.Close()
	_ = s.ln.Close() // in case Serve had not taken it yet
	<-s.done
}

// Received returns what the server accepted so far.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.received)
}

// Wait waits until the server accepted n messages, or ctx ends.
func (s *Server) Wait(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		got, changed := slices.Clone(s.received), s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
}

func (s *Server) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

type session struct {
	srv    *Server
	conn   *smtp.Conn
	authed string
	from   string
	to     []string
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

func (x *session) AuthMechanisms() []string {
	if x.srv.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, password string) error {
		if user != x.srv.opts.User || password != x.srv.opts.Password {
			return smtp.ErrAuthFailed
		}
		x.authed = user
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.srv.opts.User != "" && x.authed == "" {
		return errAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if e, ok := x.srv.opts.Refuse[to]; ok {
		return e
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := x.conn.TLSConnectionState()
	x.srv.add(Received{From: x.from, To: slices.Clone(x.to), Data: bytes.Clone(b), TLS: isTLS, Authed: x.authed})
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

type quiet struct{}

func (quiet) Printf(string, ...any) {}
func (quiet) Println(...any)        {}

// SelfSigned returns a new self-signed certificate for 127.0.0.1, ::1 and
// localhost, valid for a day.
func SelfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "smtptest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	if der == nil {
		return tls.Certificate{}, errors.New("smtptest: no certificate")
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
