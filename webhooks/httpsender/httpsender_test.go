package httpsender_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit/webhooks"
	"github.com/partnerkit/partnerkit/webhooks/httpsender"
)

// receiver is an httptest server on 127.0.0.1 that counts the requests
// that reached it and answers with handle.
type receiver struct {
	*httptest.Server
	hits atomic.Int64
}

func newReceiver(t *testing.T, handle http.HandlerFunc) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.hits.Add(1)
		handle(w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func request(u string) webhooks.Request {
	return webhooks.Request{URL: u, Header: map[string]string{"Content-Type": "application/json",
		webhooks.SignatureHeader: "t=1,v1=00"}, Body: []byte(`{"id":"EV-1"}`)}
}

// TestPrivateAddresses: a loopback receiver (by address, or by a host name
// that resolves to loopback — the DNS-rebinding case, which the URL check
// at save time cannot see) is refused at connect time, before any byte is
// sent, unless the sender allows private addresses.
func TestPrivateAddresses(t *testing.T) {
	var got struct {
		method, sig, body string
	}
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.method, got.sig, got.body = r.Method, r.Header.Get(webhooks.SignatureHeader), string(b)
		w.WriteHeader(http.StatusNoContent)
	})
	u, _ := url.Parse(rc.URL)
	byName := "http://localhost:" + u.Port() + "/hook"
	tests := []struct {
		name         string
		url          string
		allowPrivate bool
		wantBlocked  bool
	}{
		{"ErrBlockedLoopbackAddress", rc.URL + "/hook", false, true},
		{"ErrBlockedHostResolvingToLoopback", byName, false, true},
		{"OKLoopbackAllowed", rc.URL + "/hook", true, false},
		{"OKHostResolvingToLoopbackAllowed", byName, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rc.hits.Load()
			s := httpsender.New(httpsender.Options{AllowPrivate: tt.allowPrivate, Timeout: 5 * time.Second})
			res, err := s.Send(context.Background(), request(tt.url))
			hits := rc.hits.Load() - before
			if tt.wantBlocked {
				if !errors.Is(err, httpsender.ErrBlockedAddress) {
					t.Fatalf("Send = %+v, %v: want ErrBlockedAddress", res, err)
				}
				if !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "loopback") {
					t.Errorf("error %q does not say the address is blocked", err)
				}
				if hits != 0 {
					t.Errorf("the receiver got %d requests: want none (refused at connect)", hits)
				}
				return
			}
			if err != nil || res.StatusCode != http.StatusNoContent {
				t.Fatalf("Send = %+v, %v: want 204", res, err)
			}
			if hits != 1 || got.method != http.MethodPost || got.sig != "t=1,v1=00" || got.body != `{"id":"EV-1"}` {
				t.Errorf("the receiver got %d requests, last %+v: want one POST with the headers and body", hits, got)
			}
			if res.Latency <= 0 {
				t.Errorf("latency %v: want it measured", res.Latency)
			}
		})
	}
}

// TestRedirectNotFollowed: a 3xx is the attempt's answer; its target is
// never asked (it could be an internal address).
func TestRedirectNotFollowed(t *testing.T) {
	target := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			from := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target.URL+"/elsewhere", code)
			})
			s := httpsender.New(httpsender.Options{AllowPrivate: true})
			res, err := s.Send(context.Background(), request(from.URL))
			if err != nil || res.StatusCode != code {
				t.Fatalf("Send = %+v, %v: want the %d itself", res, err, code)
			}
			if n := target.hits.Load(); n != 0 {
				t.Fatalf("the redirect target got %d requests: want none", n)
			}
		})
	}
}

// TestResponseSnippet: at most webhooks.ResponseSnippet bytes of an answer
// are kept, however long it is.
func TestResponseSnippet(t *testing.T) {
	tests := []struct {
		name string
		size int
		want int
	}{
		{"OKShort", 10, 10},
		{"OKExact", webhooks.ResponseSnippet, webhooks.ResponseSnippet},
		{"CutLong", webhooks.ResponseSnippet + 1, webhooks.ResponseSnippet},
		{"CutHuge", 4 << 20, webhooks.ResponseSnippet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusOK)
				_, _ = io.WriteString(w, strings.Repeat("x", tt.size))
			})
			s := httpsender.New(httpsender.Options{AllowPrivate: true})
			res, err := s.Send(context.Background(), request(rc.URL))
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("Send = %d, %v: want 200", res.StatusCode, err)
			}
			if len(res.Body) != tt.want {
				t.Fatalf("body of %d bytes: want %d", len(res.Body), tt.want)
			}
		})
	}
}

// TestTimeouts: a receiver that never answers fails the attempt when the
// caller's context ends, or when the sender's own Timeout does, whichever
// comes first.
func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // runs before rc.Close
	tests := []struct {
		name    string
		ctx     time.Duration // 0: no deadline
		timeout time.Duration
	}{
		{"ContextDeadline", 150 * time.Millisecond, time.Minute},
		{"SenderTimeout", 0, 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctx)
				defer cancel()
			}
			s := httpsender.New(httpsender.Options{AllowPrivate: true, Timeout: tt.timeout})
			began := time.Now()
			res, err := s.Send(ctx, request(rc.URL))
			took := time.Since(began)
			if err == nil {
				t.Fatalf("Send = %+v: want a timeout", res)
			}
			if tt.ctx > 0 && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %v: want context.DeadlineExceeded", err)
			}
			if took > 3*time.Second {
				t.Errorf("Send took %s: want about 150ms", took)
			}
		})
	}
	t.Run("ContextCanceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		s := httpsender.New(httpsender.Options{AllowPrivate: true})
		began := time.Now()
		_, err := s.Send(ctx, request(rc.URL))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v: want context.Canceled", err)
		}
		if took := time.Since(began); took > 3*time.Second {
			t.Errorf("Send took %s after the cancel", took)
		}
	})
}

// TestBadURL: a URL the HTTP client cannot request is an error, not a panic.
func TestBadURL(t *testing.T) {
	s := httpsender.New(httpsender.Options{})
	for _, u := range []string{"://nothing", "ftp://example.com/x"} {
		if _, err := s.Send(context.Background(), request(u)); err == nil {
			t.Errorf("Send(%q) succeeded", u)
		}
	}
}

// TestNoProxyFromEnvironment: HTTP_PROXY is ignored, so a proxy cannot
// carry a delivery to where the dialer would refuse to go.
func TestNoProxyFromEnvironment(t *testing.T) {
	proxy := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	// AllowPrivate, or the dialer would refuse the proxy on 127.0.0.1 and
	// the test would prove nothing. A public address (TEST-NET-3: reserved
	// and unrouted, so the dial fails fast or times out) would go to the
	// proxy if the sender used one.
	s := httpsender.New(httpsender.Options{AllowPrivate: true})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, _ = s.Send(ctx, request("http://203.0.113.7/hook"))
	if n := proxy.hits.Load(); n != 0 {
		t.Fatalf("the proxy got %d requests: want none", n)
	}
}

// TestConnectionsPerReceiverBounded sends a burst far wider than the
// connection limit to one receiver, twice: the receiver sees at most the
// limit's connections, reused by the second burst (none dialled anew).
func TestConnectionsPerReceiverBounded(t *testing.T) {
	const limit, burst = 32, 200
	var open, opened atomic.Int64
	var peak atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond) // long enough for the burst to pile up
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			opened.Add(1)
			n := open.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	s := httpsender.New(httpsender.Options{AllowPrivate: true})
	for round := range 2 {
		var wg sync.WaitGroup
		for range burst {
			wg.Go(func() {
				res, err := s.Send(context.Background(), request(srv.URL))
				if err != nil || res.StatusCode != http.StatusNoContent {
					t.Errorf("round %d: %v, %d", round, err, res.StatusCode)
				}
			})
		}
		wg.Wait()
	}
	if p := peak.Load(); p > limit {
		t.Errorf("%d connections open at once to one receiver, want at most %d", p, limit)
	}
	if n := opened.Load(); n > limit {
		t.Errorf("%d connections opened over two bursts, want at most %d (the second burst reuses the first's)", n, limit)
	}
}
