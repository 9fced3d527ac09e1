package partners

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// TestAccountJSONMatchesEncodingJSON checks that appendAccountJSON writes
// what json.Marshal writes, on accounts with every kind of string
// encoding/json escapes and with omitted fields.
func TestAccountJSONMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 2, 15, 4, 5, 123456000, time.UTC)
	tricky := []string{"", "Acme", `quote " backslash \ slash /`, "<script>&amp;</script>", "tab\tnewline\nreturn\r",
		"\b\f\x00\x01\x1f\x7f", "héllo wörld ✓ 日本", "line\u2028sep\u2029", "bad \xff\xfe utf-8 \xc3", "emoji 🚀"}
	var accounts []Account
	for i, s := range tricky {
		accounts = append(accounts, Account{ID: "PA-" + s, Type: TypeVendor, Name: s, LegalName: s, ExternalID: s,
			Status: StatusActive, ManagerID: s, Path: "/x/", BusinessContact: Contact{Name: s, Email: s, Phone: s},
			TechnicalContact: Contact{Name: s}, CreatedAt: at.Add(time.Duration(i) * time.Second),
			UpdatedAt: at.In(time.FixedZone("x", 3600)), Version: i * 1000})
	}
	accounts = append(accounts, Account{}, Account{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		Account{CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC)})
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		accounts = append(accounts, Account{Name: string(b), Version: r.Int(), CreatedAt: at.Add(time.Duration(r.Int64())),
			UpdatedAt: at})
	}
	for _, a := range accounts {
		want, wantErr := json.Marshal(a)
		got, err := appendAccountJSON([]byte("prefix"), &a)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%+v: error %v, encoding/json's %v", a, err, wantErr)
		}
		if err == nil && !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Fatalf("%+v:\n got %s\nwant prefix%s", a, got, want)
		}
	}
}
