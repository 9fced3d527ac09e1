package csvx_test

import (
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/internal/csvx"
)

func TestNeutralise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Acme", "Acme"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"-12.5", "-12.5"},
		{"+7", "+7"},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := csvx.Neutralise(tt.in); got != tt.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriterQuotes(t *testing.T) {
	var b strings.Builder
	w := csvx.NewWriter(&b)
	if err := w.Write("name, with comma", "=1+1", "line\nbreak"); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "\"name, with comma\",'=1+1,\"line\nbreak\"\n"; b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}
