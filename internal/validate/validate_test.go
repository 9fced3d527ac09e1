package validate_test

import (
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
)

type item struct {
	Name string `json:"name" validate:"required"`
	Note string `json:"note" text:"multiline"`
}

type embedded struct {
	Q string `json:"q"`
}

type input struct {
	Name        string            `json:"name" validate:"required,max=100"`
	Rename      *string           `json:"rename" validate:"omitnil,required"`
	Description string            `json:"description" text:"multiline"`
	Items       []item            `json:"items"`
	Tags        map[string]string `json:"tags"`
	IDs         []string          `json:"ids"`
	Content     []byte            `json:"content"`
	Skipped     item              `json:"skipped" validate:"-"`
	NoTag       string
	embedded
}

func ptr(s string) *string { return &s }

func TestStruct(t *testing.T) {
	ok := input{Name: "Acme", Description: "one\ntwo\tthree\r\n", Items: []item{{Name: "a", Note: "x\ny"}}, Content: []byte{0, 1, 2}}
	tests := []struct {
		name  string
		edit  func(*input)
		field string
		want  string
	}{
		{"OK", func(*input) {}, "", ""},
		{"ErrNUL", func(in *input) { in.Name = "a\x00b" }, "name", partnerkit.ProblemControl},
		{"ErrRequired", func(in *input) { in.Name = "" }, "name", "is required"},
		{"ErrBlankRequired", func(in *input) { in.Name = "\u200b\ufeff\u00a0" }, "name", "is required"},
		{"ErrBlankRequiredPointer", func(in *input) { in.Rename = ptr("\u2060") }, "rename", "is required"},
		{"ErrNewlineSingleLine", func(in *input) { in.Name = "a\nb" }, "name", partnerkit.ProblemControl},
		{"ErrNULMultiline", func(in *input) { in.Description = "a\x00" }, "description", partnerkit.ProblemControlMultiline},
		{"ErrNestedPath", func(in *input) { in.Items = append(in.Items, item{Name: "b\x01"}) }, "items[1].name", partnerkit.ProblemControl},
		// Like validator, tags do not apply inside a slice without "dive":
		// the service checks its items by hand (with partnerkit.IsBlank).
		{"OKNoTagsInsideSlices", func(in *input) { in.Items = append(in.Items, item{Name: "\u200b"}) }, "", ""},
		{"ErrNestedMultiline", func(in *input) { in.Items[0].Note = "\x1b" }, "items[0].note", partnerkit.ProblemControlMultiline},
		{"ErrMapValue", func(in *input) { in.Tags = map[string]string{"colour": "\xff"} }, "tags.colour", partnerkit.ProblemUTF8},
		{"ErrMapKey", func(in *input) { in.Tags = map[string]string{"\x00": "x"} }, "tags", "has a key that " + partnerkit.ProblemControl},
		{"ErrSliceOfStrings", func(in *input) { in.IDs = []string{"a", "b", "c\x00"} }, "ids[2]", partnerkit.ProblemControl},
		{"ErrSkippedByTagsStillText", func(in *input) { in.Skipped.Name = "\x00" }, "skipped.name", partnerkit.ProblemControl},
		{"ErrUntagged", func(in *input) { in.NoTag = "\x00" }, "NoTag", partnerkit.ProblemControl},
		{"ErrEmbeddedPromoted", func(in *input) { in.Q = "\x00" }, "q", partnerkit.ProblemControl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			in.Items = append([]item(nil), ok.Items...)
			tt.edit(&in)
			err := validate.Struct(in)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			if got := partnerkit.ErrorFields(err)[tt.field]; got != tt.want {
				t.Fatalf("fields %v, want %s: %q", partnerkit.ErrorFields(err), tt.field, tt.want)
			}
		})
	}
}

func TestTextAlone(t *testing.T) {
	// Text applies the text rule only: not the tags, not the blank rule.
	if err := validate.Text("", input{}); err != nil {
		t.Fatalf("Text checked the tags: %v", err)
	}
	err := validate.Text("samples", []item{{Name: "ok"}, {Name: "\x00"}})
	if _, ok := partnerkit.ErrorFields(err)["samples[1].name"]; !ok {
		t.Fatalf("fields %v", partnerkit.ErrorFields(err))
	}
}

func TestFieldsMessage(t *testing.T) {
	one := validate.Fields(map[string]string{"name": "is required"})
	if partnerkit.ErrorMessage(one) != "name: is required" || one.Error() != "invalid: name: is required" {
		t.Fatalf("one field: %q / %q", partnerkit.ErrorMessage(one), one.Error())
	}
	three := validate.Fields(map[string]string{"name": "is required", "type": "is bad", "email": "is bad"})
	msg := partnerkit.ErrorMessage(three)
	if msg != "email: is bad (and 2 more fields)" {
		t.Fatalf("message %q", msg)
	}
	// The log form tells every field once.
	if got := three.Error(); strings.Count(got, "email") != 1 || !strings.Contains(got, "name: is required") || !strings.Contains(got, "type: is bad") {
		t.Fatalf("Error() = %q", got)
	}
	if validate.Fields(nil) != nil {
		t.Fatal("no fields, no error")
	}
}
