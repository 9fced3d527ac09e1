//go:build !js

package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
)

// Every list route reads limit, offset and sort the same way (listParams)
// and answers {"items", "total"} with a Content-Range header. A list a
// service pages (the directory, contracts, ...) is sorted by its store's
// query with an ID tie-break; a list a service returns whole (team, API
// keys, marketplaces, ...) is small, and is sorted and paged here by the
// same rule (writeWhole). listOrders names each list route's order, for the
// handlers and the OpenAPI document alike.
var listOrders = map[string]partnerkit.Order{
	"GET /partners":                            partners.DirectoryOrder,
	"GET /partners/{id}/users":                 memberOrder.Order,
	"GET /team":                                memberOrder.Order,
	"GET /api-keys":                            apiKeyOrder.Order,
	"GET /audit":                               partners.AuditOrder,
	"GET /agreements":                          agreements.ListOrder,
	"GET /agreements/{id}/versions":            versionOrder.Order,
	"GET /marketplaces":                        marketplaceOrder.Order,
	"GET /contracts":                           contracts.ListOrder,
	"GET /invitations":                         contracts.InvitationOrder,
	"GET /contracts/{id}/events":               contractEventOrder.Order,
	"GET /capacity/contracts":                  capacityContractOrder.Order,
	"GET /capacity/contracts/{id}/allocations": allocationOrder.Order,
	"GET /partners/{id}/allocations":           partnerAllocationOrder.Order,
	"GET /storage-accounts":                    capacity.StorageOrder,
	"GET /deals":                               capacity.DealOrder,
	"GET /products":                            listings.ProductOrder,
	"GET /listings":                            listings.ListingOrder,
	"GET /catalog/services":                    resellers.ServiceOrder,
	"GET /catalog":                             resellers.ServiceOrder,
	"GET /clients":                             resellers.ClientOrder,
	"GET /subscriptions":                       resellers.SubscriptionOrder,
	"GET /subscriptions/{id}/history":          subscriptionEventOrder.Order,
	"GET /charges":                             resellers.ChargeListOrder,
}

// listParams parses the limit, offset and sort query parameters of a list
// route. An explicit limit must be 1 to MaxLimit (leave it out for the
// default; limit=0 is refused, like limit=-5), an offset 0 to MaxOffset,
// and sort one of order's values (empty: its default). Every problem is an
// invalid error naming its parameter.
func listParams(r *http.Request, order partnerkit.Order) (partnerkit.Page, partnerkit.Sort, error) {
	q := r.URL.Query()
	var p partnerkit.Page
	var errs []error
	for _, f := range []struct {
		name, problem string
		dst           *int
		lo, hi        int
	}{{"limit", partnerkit.LimitProblem, &p.Limit, 1, partnerkit.MaxLimit},
		{"offset", partnerkit.OffsetProblem, &p.Offset, 0, partnerkit.MaxOffset}} {
		if !q.Has(f.name) {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(q.Get(f.name)))
		switch {
		case err != nil && errors.Is(err, strconv.ErrRange), err == nil && (n < f.lo || n > f.hi):
			errs = append(errs, partnerkit.FieldError(f.name, f.problem))
		case err != nil:
			errs = append(errs, partnerkit.FieldError(f.name, "must be a whole number"))
		default:
			*f.dst = n
		}
	}
	sort, sortErr := order.Check(partnerkit.Sort(q.Get("sort")))
	errs = append(errs, sortErr)
	if err := validate.All(errs...); err != nil {
		return p, sort, err
	}
	page, err := p.Normalize()
	return page, sort, err
}

// wholeOrder sorts a list a service returns whole: its Order, each
// field's ascending comparison, and the ID that breaks ties.
type wholeOrder[T any] struct {
	partnerkit.Order
	keys map[string]func(a, b T) int
	id   func(T) string
}

// sort orders items by s as a store's ORDER BY does: by the field, ties by
// ID, a descending sort reversing both.
func (o wholeOrder[T]) sort(items []T, s partnerkit.Sort) {
	by := o.keys[o.Resolve(s).Field()]
	cmp := func(a, b T) int {
		if c := by(a, b); c != 0 {
			return c
		}
		return strings.Compare(o.id(a), o.id(b))
	}
	if o.Resolve(s).Desc() {
		slices.SortFunc(items, func(a, b T) int { return cmp(b, a) })
	} else {
		slices.SortFunc(items, cmp)
	}
}

func lowerCompare(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }

// The orders of the lists that services return whole.
var (
	memberOrder = wholeOrder[partners.Member]{
		Order: partnerkit.Order{Fields: []string{"created_at", "full_name", "email"}, Default: "created_at"},
		keys: map[string]func(a, b partners.Member) int{
			"created_at": func(a, b partners.Member) int { return a.CreatedAt.Compare(b.CreatedAt) },
			"full_name":  func(a, b partners.Member) int { return lowerCompare(a.User.FullName, b.User.FullName) },
			"email":      func(a, b partners.Member) int { return strings.Compare(a.User.Email, b.User.Email) },
		},
		id: func(m partners.Member) string { return m.UserID },
	}
	apiKeyOrder = wholeOrder[partners.APIKey]{
		Order: partnerkit.Order{Fields: []string{"created_at", "description"}, Default: "-created_at"},
		keys: map[string]func(a, b partners.APIKey) int{
			"created_at":  func(a, b partners.APIKey) int { return a.CreatedAt.Compare(b.CreatedAt) },
			"description": func(a, b partners.APIKey) int { return lowerCompare(a.Description, b.Description) },
		},
		id: func(k partners.APIKey) string { return k.ID },
	}
	versionOrder = wholeOrder[agreements.Version]{
		Order: partnerkit.Order{Fields: []string{"number"}, Default: "number"},
		keys: map[string]func(a, b agreements.Version) int{
			"number": func(a, b agreements.Version) int { return cmp.Compare(a.Number, b.Number) },
		},
		id: func(v agreements.Version) string { return "" },
	}
	marketplaceOrder = wholeOrder[contracts.Marketplace]{
		Order: partnerkit.Order{Fields: []string{"name", "created_at"}, Default: "name"},
		keys: map[string]func(a, b contracts.Marketplace) int{
			"name":       func(a, b contracts.Marketplace) int { return lowerCompare(a.Name, b.Name) },
			"created_at": func(a, b contracts.Marketplace) int { return a.CreatedAt.Compare(b.CreatedAt) },
		},
		id: func(m contracts.Marketplace) string { return m.ID },
	}
	contractEventOrder = wholeOrder[contracts.Event]{
		Order: partnerkit.Order{Fields: []string{"at"}, Default: "at"},
		keys: map[string]func(a, b contracts.Event) int{
			"at": func(a, b contracts.Event) int { return a.At.Compare(b.At) },
		},
		id: func(e contracts.Event) string { return e.ID },
	}
	capacityContractOrder = wholeOrder[capacity.CapacityContract]{
		Order: partnerkit.Order{Fields: []string{"created_at"}, Default: "-created_at"},
		keys: map[string]func(a, b capacity.CapacityContract) int{
			"created_at": func(a, b capacity.CapacityContract) int { return a.CreatedAt.Compare(b.CreatedAt) },
		},
		id: func(c capacity.CapacityContract) string { return c.ID },
	}
	allocationOrder = wholeOrder[capacity.PartnerOverview]{
		Order: partnerkit.Order{Fields: []string{"partner_name", "allocated_tb", "used_tb"}, Default: "partner_name"},
		keys: map[string]func(a, b capacity.PartnerOverview) int{
			"partner_name": func(a, b capacity.PartnerOverview) int { return lowerCompare(a.PartnerName, b.PartnerName) },
			"allocated_tb": func(a, b capacity.PartnerOverview) int { return a.AllocatedTB.Cmp(b.AllocatedTB) },
			"used_tb":      func(a, b capacity.PartnerOverview) int { return a.UsedTB.Cmp(b.UsedTB) },
		},
		id: func(p capacity.PartnerOverview) string { return p.PartnerID },
	}
	partnerAllocationOrder = wholeOrder[capacity.Allocation]{
		Order: partnerkit.Order{Fields: []string{"created_at"}, Default: "created_at"},
		keys: map[string]func(a, b capacity.Allocation) int{
			"created_at": func(a, b capacity.Allocation) int { return a.CreatedAt.Compare(b.CreatedAt) },
		},
		id: func(a capacity.Allocation) string { return a.ContractID },
	}
	subscriptionEventOrder = wholeOrder[resellers.Event]{
		Order: partnerkit.Order{Fields: []string{"at"}, Default: "at"},
		keys: map[string]func(a, b resellers.Event) int{
			"at": func(a, b resellers.Event) int { return a.At.Compare(b.At) },
		},
		id: func(e resellers.Event) string { return e.ID },
	}
)

// wantsCSV reports whether the caller asked for CSV (?format=csv or Accept: text/csv).
func wantsCSV(r *http.Request) bool {
	return r.URL.Query().Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv")
}

// startCSV sets the headers of a CSV download named name.
func startCSV(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", contentDisposition("attachment", name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// contentDisposition builds a Content-Disposition header with
// mime.FormatMediaType, which quotes and escapes the file name (RFC 2231
// encoding for names that are not plain ASCII), so no name can add a
// parameter of its own. A name it cannot encode is left out.
func contentDisposition(disposition, fileName string) string {
	if v := mime.FormatMediaType(disposition, map[string]string{"filename": fileName}); v != "" {
		return v
	}
	return disposition
}

// writeList writes a page as {"items", "total"} with its Content-Range
// header; a list not counted (Total -1, ?total=false) is {"items",
// "has_more"} and its range's length is "*".
func writeList[T any](w http.ResponseWriter, page partnerkit.Page, list partnerkit.List[T]) error {
	total := strconv.Itoa(list.Total)
	if list.Total < 0 {
		total = "*"
	}
	if len(list.Items) > 0 {
		w.Header().Set("Content-Range", fmt.Sprintf("items %d-%d/%s", page.Offset, page.Offset+len(list.Items)-1, total))
	} else {
		w.Header().Set("Content-Range", "items */"+total)
	}
	if body, ok := marshalList(list); ok {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		return nil
	}
	if list.Total < 0 {
		writeJSON(w, http.StatusOK, struct {
			Items   []T  `json:"items"`
			HasMore bool `json:"has_more"`
		}{list.Items, list.HasMore})
		return nil
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// marshalList writes what writeJSON would for a page of items that encode
// themselves (the directory's entries, with their counts): each item's
// MarshalJSON output is copied as it is, where encoding/json would parse
// and compact it a second time (measured: a third of the directory page's
// encoding). The items' encoders are this module's, built on json.Marshal:
// their output is compact, valid and HTML-escaped already
// (TestMarshalList compares the two). It reports false for items of other
// types, and when an item fails to encode (writeJSON then reports it as
// encoding/json does).
func marshalList[T any](list partnerkit.List[T]) ([]byte, bool) {
	if _, ok := any(*new(T)).(json.Marshaler); !ok || len(list.Items) == 0 {
		return nil, false
	}
	buf := make([]byte, 0, 512*len(list.Items))
	buf = append(buf, `{"items":[`...)
	for i := range list.Items {
		b, err := any(list.Items[i]).(json.Marshaler).MarshalJSON()
		if err != nil {
			return nil, false
		}
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, b...)
	}
	buf = append(buf, ']')
	if list.Total < 0 {
		buf = append(buf, `,"has_more":`...)
		buf = strconv.AppendBool(buf, list.HasMore)
	} else {
		buf = append(buf, `,"total":`...)
		buf = strconv.AppendInt(buf, int64(list.Total), 10)
		if list.HasMore {
			buf = append(buf, `,"has_more":true`...)
		}
	}
	return append(buf, '}', '\n'), true
}

// writeWhole sorts and pages a list a service returned whole, by the
// request's limit, offset and sort and the list's order, and writes the
// page as {"items", "total"}.
func writeWhole[T any](w http.ResponseWriter, r *http.Request, items []T, order wholeOrder[T]) error {
	page, sort, err := listParams(r, order.Order)
	if err != nil {
		return err
	}
	items = slices.Clone(items)
	order.sort(items, sort)
	return writeList(w, page, partnerkit.List[T]{Items: append([]T{}, partnerkit.Window(items, page)...), Total: len(items)})
}

// ok writes v as JSON with status 200.
func ok(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusOK, v)
	return nil
}

// created writes v as JSON with status 201.
func created(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// noContent writes status 204.
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// reply writes v as JSON, or err.
func reply(w http.ResponseWriter, v any, err error) error {
	if err != nil {
		return err
	}
	return ok(w, v)
}

func itoa(n int) string { return strconv.Itoa(n) }
