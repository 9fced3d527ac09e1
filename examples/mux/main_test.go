package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMountedUnderPrefix(t *testing.T) {
	h, closeDB, err := newApp(context.Background(), t.TempDir(), "admin@example.com", "Sup3r-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) (int, string) {
		res, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/"); code != 200 || !strings.Contains(body, "my application") {
		t.Fatalf("own route: %d %s", code, body)
	}
	if code, _ := get("/partnerkit/healthz"); code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	res, err := c.Post(srv.URL+"/partnerkit/api/v1/session", "application/json",
		strings.NewReader(`{"email":"admin@example.com","password":"Sup3r-secret"}`))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("sign in: %v %v", err, res)
	}
	res.Body.Close()
	if code, body := get("/partnerkit/api/v1/partners"); code != 200 || !strings.Contains(body, `"total":0`) {
		t.Fatalf("partners: %d %s", code, body)
	}
	if code, _ := get("/partnerkit/api/v1/nothing"); code != 404 {
		t.Fatalf("unknown API route: %d", code)
	}
}
