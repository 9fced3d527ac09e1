// Package httpsender is the webhooks.Sender that POSTs deliveries over
// HTTP. Its dialer refuses loopback, private, link-local and metadata
// addresses at connect time — after DNS resolution, so a host that
// resolved to a public address when the endpoint was saved and to
// 127.0.0.1 now (DNS rebinding) is refused too — unless AllowPrivate.
// It follows no redirects (a 3xx is a failed attempt), uses no proxy from
// the environment, and reads at most webhooks.ResponseSnippet bytes of an
// answer.
package httpsender

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/partnerkit/partnerkit/webhooks"
)

// Options configure a Sender.
type Options struct {
	// AllowPrivate lets requests reach private and loopback addresses
	// (PARTNERKIT_WEBHOOK_ALLOW_PRIVATE=1: development and tests).
	AllowPrivate bool
	// Timeout bounds one request (default webhooks.DeliveryTimeout).
	Timeout time.Duration
}

// Sender POSTs webhook deliveries.
type Sender struct {
	client *http.Client
}

// ErrBlockedAddress is the error of a request to a refused address.
var ErrBlockedAddress = errors.New("the address is loopback, private, link-local or metadata: refused")

// New returns a Sender.
func New(o Options) *Sender {
	if o.Timeout <= 0 {
		o.Timeout = webhooks.DeliveryTimeout
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !o.AllowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("connect to %s: %w", address, ErrBlockedAddress)
			}
			if webhooks.AddressBlocked(ap.Addr()) {
				return fmt.Errorf("connect to %s: %w", ap.Addr().Unmap(), ErrBlockedAddress)
			}
			return nil
		}
	}
	transport := &http.Transport{
		Proxy:             nil,
		DialContext:       dialer.DialContext,
		ForceAttemptHTTP2: true,
		// Keep the connections of a burst of POSTs to one receiver
		// (AttemptParallelism per job, several jobs at once): with 4, a
		// burst closed most of its connections and dialled them again
		// (in BenchmarkOnboarding/store=sqlite/webhooks=one's CPU profile,
		// dialling was a quarter of the deliveries' CPU).
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: maxConnsPerHost,
		// At most that many connections to one receiver: a backlog worked
		// by many jobs at once waits for a free connection instead of
		// opening hundreds (and closing all but the idle limit when the
		// burst ends, to dial them again at the next one). It is also
		// what a receiver expects from a well-behaved sender.
		MaxConnsPerHost:       maxConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: o.Timeout,
	}
	return &Sender{client: &http.Client{
		Transport: transport,
		Timeout:   o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Send implements webhooks.Sender.
func (s *Sender) Send(ctx context.Context, r webhooks.Request) (webhooks.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return webhooks.Response{}, fmt.Errorf("the URL cannot be requested: %w", err)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return webhooks.Response{Latency: time.Since(start)}, cleanError(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, webhooks.ResponseSnippet))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	return webhooks.Response{StatusCode: resp.StatusCode, Body: body, Latency: time.Since(start)}, nil
}

// maxConnsPerHost bounds the connections, open and idle, to one receiver.
const maxConnsPerHost = 32

// cleanError keeps the reason of a failed request and drops Go's wrapping
// ("Post \"https://…\": dial tcp …: …").
func cleanError(err error) error {
	switch {
	case errors.Is(err, ErrBlockedAddress):
		return ErrBlockedAddress
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return fmt.Errorf("%s: %v", op.Op, op.Err)
	}
	return err
}
