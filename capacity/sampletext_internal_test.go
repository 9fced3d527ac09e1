package capacity

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
)

// TestSampleTextFields checks that checkSampleText finds what validate.Text
// finds in a batch: Sample's only string field is StorageAccountID (a new
// one must be checked there too), and the two name the same fields.
func TestSampleTextFields(t *testing.T) {
	typ := reflect.TypeFor[Sample]()
	for i := range typ.NumField() {
		if f := typ.Field(i); f.Type.Kind() == reflect.String && f.Name != "StorageAccountID" {
			t.Fatalf("Sample.%s is text: checkSampleText must check it", f.Name)
		}
	}
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	batches := [][]Sample{
		nil,
		{{StorageAccountID: "SA-ok", Timestamp: at, Bytes: 1}},
		{{StorageAccountID: "SA-\x00nul", Timestamp: at}, {StorageAccountID: "SA-ok"}, {StorageAccountID: "bad \xff utf-8"},
			{StorageAccountID: "line\nbreak"}, {StorageAccountID: "\u202eright-to-left"}},
	}
	for _, b := range batches {
		got, want := checkSampleText(b), validate.Text("samples", b)
		if !reflect.DeepEqual(fieldsOf(got), fieldsOf(want)) {
			t.Errorf("%+v: checkSampleText %v, validate.Text %v", b, got, want)
		}
	}
}

func fieldsOf(err error) map[string]string {
	if err == nil {
		return nil
	}
	var e *partnerkit.Error
	if !errors.As(err, &e) {
		return map[string]string{"": err.Error()}
	}
	return e.Fields
}
