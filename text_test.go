package partnerkit_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
)

func TestTextProblem(t *testing.T) {
	tests := []struct {
		name      string
		s         string
		multiline bool
		want      string
	}{
		{"OK", "Mighty Mick's LLC — Zürich 東京 🚀", false, ""},
		{"OKEmpty", "", false, ""},
		{"OKReplacementChar", "a\uFFFDb", false, ""},
		{"OKZeroWidth", "a\u200bb", false, ""},
		{"ErrNUL", "Bad\x00Name", false, partnerkit.ProblemControl},
		{"ErrNULMultiline", "Bad\x00Name", true, partnerkit.ProblemControlMultiline},
		{"ErrTabSingleLine", "a\tb", false, partnerkit.ProblemControl},
		{"ErrNewlineSingleLine", "a\nb", false, partnerkit.ProblemControl},
		{"OKTabNewlineMultiline", "a\tb\nc\r\nd", true, ""},
		{"ErrLoneCRMultiline", "a\rb", true, partnerkit.ProblemControlMultiline},
		{"ErrCRAtEnd", "a\r", true, partnerkit.ProblemControlMultiline},
		{"ErrEscape", "\x1b[31mred", false, partnerkit.ProblemControl},
		{"ErrDEL", "a\x7f", false, partnerkit.ProblemControl},
		{"ErrC1", "a\u0085b", true, partnerkit.ProblemControlMultiline},
		{"ErrInvalidUTF8", "Bad\xffName", false, partnerkit.ProblemUTF8},
		{"ErrTruncatedUTF8", "caf\xc3", true, partnerkit.ProblemUTF8},
		{"ErrSurrogateBytes", "\xed\xa0\x80", false, partnerkit.ProblemUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := partnerkit.TextProblem(tt.s, tt.multiline); got != tt.want {
				t.Fatalf("TextProblem(%q) = %q, want %q", tt.s, got, tt.want)
			}
			err := partnerkit.CheckText("name", tt.s, tt.multiline)
			if (err == nil) != (tt.want == "") || err != nil && partnerkit.ErrorFields(err)["name"] != tt.want {
				t.Fatalf("CheckText = %v", err)
			}
		})
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		name, id, want string
	}{
		{"OK", partnerkit.NewID(partnerkit.PrefixAccount), ""},
		{"OKEmpty", "", ""},
		{"OKMaxLength", strings.Repeat("a", partnerkit.MaxIDLength), ""},
		{"ErrTooLong", strings.Repeat("a", partnerkit.MaxIDLength+1), partnerkit.ProblemIDTooLong},
		{"ErrNUL", "PA-\x00", partnerkit.ProblemControl},
		{"ErrNewline", "PA-1\n", partnerkit.ProblemControl},
		{"ErrInvalidUTF8", "PA-\xff", partnerkit.ProblemUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := partnerkit.CheckID("id", tt.id)
			if got := partnerkit.ErrorFields(err)["id"]; got != tt.want || (err == nil) != (tt.want == "") {
				t.Fatalf("CheckID(%q) = %v, want %q", tt.id, err, tt.want)
			}
			if err != nil && partnerkit.ErrorCode(err) != partnerkit.CodeInvalid {
				t.Fatalf("code %q", partnerkit.ErrorCode(err))
			}
		})
	}
	if _, ok := partnerkit.ErrorFields(partnerkit.CheckIDs("user_ids", []string{"UR-1", "UR-\x00"}))["user_ids[1]"]; !ok {
		t.Fatal("CheckIDs does not name the bad element")
	}
}

func TestIsBlank(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want bool
	}{
		{"Empty", "", true},
		{"Spaces", " \t\n\u00a0\u3000\u2003", true},
		{"ZeroWidth", "\u200b\u200c\u200d\ufeff\u2060", true},
		{"BidiMarks", "\u200e\u200f\u202a", true},
		{"SoftHyphen", "\u00ad", true},
		{"HangulFiller", "\u3164\u115f", true},
		{"BrailleBlank", "\u2800", true},
		{"Controls", "\x00\x07", true},
		{"Letter", "\u200bA\u200b", false},
		{"ReplacementChar", "\uFFFD", false},
		{"Emoji", "🚀", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := partnerkit.IsBlank(tt.s); got != tt.want {
				t.Fatalf("IsBlank(%q) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestPageBounds(t *testing.T) {
	tests := []struct {
		name      string
		in        partnerkit.Page
		wantField string
	}{
		{"MaxOffset", partnerkit.Page{Offset: partnerkit.MaxOffset}, ""},
		{"ErrOffsetTooLarge", partnerkit.Page{Offset: partnerkit.MaxOffset + 1}, "offset"},
		{"ErrOffsetMaxInt", partnerkit.Page{Offset: math.MaxInt}, "offset"},
		{"ErrLimitMaxInt", partnerkit.Page{Limit: math.MaxInt}, "limit"},
		{"ErrLimitMinInt", partnerkit.Page{Limit: math.MinInt}, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.in.Normalize()
			if _, ok := partnerkit.ErrorFields(err)[tt.wantField]; tt.wantField != "" && !ok || tt.wantField == "" && err != nil {
				t.Fatalf("Normalize(%+v) = %v, want field %q", tt.in, err, tt.wantField)
			}
		})
	}
}

func TestWindowNeverPanics(t *testing.T) {
	items := []int{1, 2, 3, 4, 5}
	tests := []struct {
		name string
		page partnerkit.Page
		want []int
	}{
		{"All", partnerkit.Page{}, items},
		{"Middle", partnerkit.Page{Limit: 2, Offset: 1}, []int{2, 3}},
		{"PastTheEnd", partnerkit.Page{Limit: 2, Offset: 9}, []int{}},
		{"HugeLimit", partnerkit.Page{Limit: math.MaxInt, Offset: 3}, []int{4, 5}},
		{"HugeBoth", partnerkit.Page{Limit: math.MaxInt, Offset: math.MaxInt}, []int{}},
		{"Negative", partnerkit.Page{Limit: -1, Offset: math.MinInt}, items},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := partnerkit.Window(items, tt.page); !slices.Equal(got, tt.want) {
				t.Fatalf("Window(%+v) = %v, want %v", tt.page, got, tt.want)
			}
		})
	}
}

func TestOrder(t *testing.T) {
	o := partnerkit.Order{Fields: []string{"name", "created_at"}, Default: "name"}
	if got := o.Sorts(); !slices.Equal(got, []partnerkit.Sort{"name", "created_at", "-name", "-created_at"}) {
		t.Fatalf("Sorts = %v", got)
	}
	tests := []struct {
		name    string
		in      partnerkit.Sort
		want    partnerkit.Sort
		wantErr bool
	}{
		{"Default", "", "name", false},
		{"Asc", "created_at", "created_at", false},
		{"Desc", "-created_at", "-created_at", false},
		{"ErrUnknown", "bogus", "name", true},
		{"ErrDashOnly", "-", "name", true},
		{"ErrDoubleDash", "--name", "name", true},
		{"ErrNUL", "name\x00", "name", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := o.Check(tt.in)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("Check(%q) = %q, %v", tt.in, got, err)
			}
			if tt.wantErr && !strings.Contains(partnerkit.ErrorFields(err)["sort"], "-created_at") {
				t.Fatalf("the error does not list the values: %v", err)
			}
			if o.Resolve(tt.in) != tt.want {
				t.Fatalf("Resolve(%q) = %q", tt.in, o.Resolve(tt.in))
			}
		})
	}
	if s := partnerkit.Sort("-created_at"); s.Field() != "created_at" || !s.Desc() {
		t.Fatal("Field/Desc")
	}
}

// TestErrorStringDoesNotRepeatFields: the log form of a field error tells
// each field once ("invalid: name: is required", not "...; name: is required").
func TestErrorStringDoesNotRepeatFields(t *testing.T) {
	err := partnerkit.FieldError("name", "is required")
	if got := err.Error(); got != "invalid: name: is required" {
		t.Fatalf("Error() = %q", got)
	}
	multi := &partnerkit.Error{Code: partnerkit.CodeInvalid, Message: "name: is required (and 1 more field)",
		Fields: map[string]string{"name": "is required", "type": "is bad"}}
	if got := multi.Error(); got != "invalid: name: is required (and 1 more field); type: is bad" {
		t.Fatalf("Error() = %q", got)
	}
}

// Length limits count characters (runes), never bytes: 60 "é" are 120
// bytes and fit a limit of 100.
func TestTextFieldProblem(t *testing.T) {
	tests := []struct {
		name      string
		s         string
		required  bool
		multiline bool
		max       int
		want      string
	}{
		{"OK", "Champions Corp", true, false, 100, ""},
		{"OKSixtyAccents", strings.Repeat("é", 60), true, false, 100, ""},
		{"OKAtLimitInRunes", strings.Repeat("東", 100), true, false, 100, ""},
		{"ErrOverLimitInRunes", strings.Repeat("é", 101), true, false, 100, "must be at most 100 characters"},
		{"OKOptionalEmpty", "", false, false, 64, ""},
		{"ErrRequiredEmpty", "", true, false, 100, partnerkit.ProblemRequired},
		{"ErrRequiredInvisible", "\u200b \u00a0", true, false, 100, partnerkit.ProblemRequired},
		{"ErrTextRuleFirst", strings.Repeat("x", 200) + "\x00", true, false, 100, partnerkit.ProblemControl},
		{"OKMultiline", "line 1\nline 2", false, true, 100, ""},
		{"ErrNewlineSingleLine", "line 1\nline 2", false, false, 100, partnerkit.ProblemControl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := partnerkit.TextFieldProblem(tt.s, tt.required, tt.multiline, tt.max); got != tt.want {
				t.Fatalf("TextFieldProblem(%q) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}
