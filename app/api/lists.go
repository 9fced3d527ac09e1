package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/partnerkit/partnerkit"
)

// pageOf parses the limit and offset query parameters.
func pageOf(r *http.Request) (partnerkit.Page, error) {
	var p partnerkit.Page
	for _, f := range []struct {
		name string
		dst  *int
	}{{"limit", &p.Limit}, {"offset", &p.Offset}} {
		if v := r.URL.Query().Get(f.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return p, partnerkit.FieldError(f.name, "must be a whole number")
			}
			*f.dst = n
		}
	}
	return p.Normalize()
}

// wantsCSV reports whether the caller asked for CSV (?format=csv or Accept: text/csv).
func wantsCSV(r *http.Request) bool {
	return r.URL.Query().Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv")
}

// startCSV sets the headers of a CSV download named name.
func startCSV(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// writeList writes a page as {"items", "total"} with its Content-Range header.
func writeList[T any](w http.ResponseWriter, page partnerkit.Page, list partnerkit.List[T]) error {
	if len(list.Items) > 0 {
		w.Header().Set("Content-Range", fmt.Sprintf("items %d-%d/%d", page.Offset, page.Offset+len(list.Items)-1, list.Total))
	} else {
		w.Header().Set("Content-Range", fmt.Sprintf("items */%d", list.Total))
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// writeItems writes a whole list as {"items", "total"}.
func writeItems[T any](w http.ResponseWriter, items []T) error {
	if items == nil {
		items = []T{}
	}
	return writeList(w, partnerkit.Page{}, partnerkit.List[T]{Items: items, Total: len(items)})
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
