//go:build !js

// Package nethttp is the client.Transport of native Go programs: net/http
// with a cookie jar for the session, sending the base URL's origin so
// cookie-authenticated writes pass the server's CSRF check.
package nethttp

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/partnerkit/partnerkit/app/client"
)

// Transport sends client requests over net/http.
type Transport struct {
	// HTTP is the underlying client; its Jar keeps the session.
	HTTP *http.Client
}

// New returns a Transport with a fresh cookie jar.
func New() *Transport {
	jar, _ := cookiejar.New(nil)
	return &Transport{HTTP: &http.Client{Jar: jar}}
}

// Do implements client.Transport.
func (t *Transport) Do(ctx context.Context, r *client.Request) (*client.Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	if u, err := url.Parse(r.URL); err == nil {
		req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	}
	res, err := t.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	header := make(map[string]string, len(res.Header))
	for k, v := range res.Header {
		header[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	return &client.Response{Status: res.StatusCode, Header: header, Body: body}, nil
}
