package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
)

// TestEveryListHasAnOrder: a route documented as a list has an order, so it
// reads sort like the others and the OpenAPI document lists its values; and
// every order names a documented list route.
func TestEveryListHasAnOrder(t *testing.T) {
	for key, d := range docs {
		if _, ok := listOrders[key]; d.list && !ok {
			t.Errorf("list route %s has no order in listOrders", key)
		}
	}
	for key, o := range listOrders {
		if !docs[key].list {
			t.Errorf("listOrders names %s, which is not a documented list", key)
		}
		if !o.Accepts(o.Default) {
			t.Errorf("%s: the default order %q is not one of its sorts", key, o.Default)
		}
	}
}

// TestMarshalList: the directory's fast path writes what encoding/json
// writes for the same page, counted or not.
func TestMarshalList(t *testing.T) {
	entry := func(name string, counts partners.Counts) partners.DirectoryEntry {
		return partners.DirectoryEntry{Account: partners.Account{ID: partnerkit.NewID(partnerkit.PrefixAccount), Type: partners.TypeReseller,
			Name: name, Status: partners.StatusActive, BusinessContact: partners.Contact{Email: "a@b.example"},
			CreatedAt: time.Date(2026, 12, 2, 6, 0, 0, 123456000, time.UTC), Version: 3}, Counts: counts}
	}
	items := []partners.DirectoryEntry{
		entry("Acme <&> \u2028 \"quoted\" ünïcode", partners.Counts{"signed_contracts": 2, "agreements": 1, "listings": 0}),
		entry("No counts", nil),
	}
	for _, tt := range []struct {
		name string
		list partnerkit.List[partners.DirectoryEntry]
	}{
		{"Counted", partnerkit.List[partners.DirectoryEntry]{Items: items, Total: 7}},
		{"NotCounted", partnerkit.List[partners.DirectoryEntry]{Items: items, Total: -1, HasMore: true}},
		{"NotCountedLast", partnerkit.List[partners.DirectoryEntry]{Items: items[:1], Total: -1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fast := httptest.NewRecorder()
			if err := writeList(fast, partnerkit.Page{Limit: 50}, tt.list); err != nil {
				t.Fatal(err)
			}
			slow := httptest.NewRecorder()
			if tt.list.Total < 0 {
				writeJSON(slow, http.StatusOK, struct {
					Items   []partners.DirectoryEntry `json:"items"`
					HasMore bool                      `json:"has_more"`
				}{tt.list.Items, tt.list.HasMore})
			} else {
				writeJSON(slow, http.StatusOK, tt.list)
			}
			if fast.Body.String() != slow.Body.String() {
				t.Fatalf("fast path wrote\n%s\nencoding/json writes\n%s", fast.Body, slow.Body)
			}
			if got := fast.Header().Get("Content-Type"); got != slow.Header().Get("Content-Type") {
				t.Fatalf("Content-Type %q", got)
			}
		})
	}
	if _, ok := marshalList(partnerkit.List[partners.Account]{Items: []partners.Account{items[0].Account}}); ok {
		t.Fatal("the fast path took items that do not encode themselves")
	}
}
