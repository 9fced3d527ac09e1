package partnerkit

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// The text rule: every text a service or the API accepts — a JSON field, a
// query or path parameter, an ID — is valid UTF-8 without NUL or other
// control characters (C0, DEL and C1). Multi-line fields (descriptions,
// notes, reasons) may also hold tabs and line breaks (\n, or \r\n). No
// store ever sees a value that breaks it, so none can fail on one.
// Replaced bytes (U+FFFD) and format characters are valid text; a name made
// only of spaces and invisible characters is blank (see IsBlank).

// Problems the text rule reports, as field error messages.
const (
	ProblemUTF8    = "must be valid UTF-8 text"
	ProblemControl = "must not contain control characters"
	// ProblemControlMultiline is the problem of a multi-line field.
	ProblemControlMultiline = "must not contain control characters other than tabs and line breaks"
	// ProblemIDTooLong is the problem of an ID over MaxIDLength bytes.
	ProblemIDTooLong = "is too long to be an ID"
)

// MaxIDLength is the longest ID or token, in bytes, that CheckID accepts.
// Generated IDs are 30 bytes or so and tokens under 100.
const MaxIDLength = 256

// TextProblem returns what is wrong with s under the text rule (one of the
// Problem constants), or "" when s is valid text. multiline allows tabs
// and line breaks.
func TextProblem(s string, multiline bool) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				if !multiline || !(c == '\t' || c == '\n' || c == '\r' && i+1 < len(s) && s[i+1] == '\n') {
					return controlProblem(multiline)
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return ProblemUTF8
		}
		if r >= 0x80 && r <= 0x9f { // C1 controls
			return controlProblem(multiline)
		}
		i += size
	}
	return ""
}

func controlProblem(multiline bool) string {
	if multiline {
		return ProblemControlMultiline
	}
	return ProblemControl
}

// CheckText returns an invalid error naming field when s breaks the text
// rule, and nil otherwise.
func CheckText(field, s string, multiline bool) error {
	if p := TextProblem(s, multiline); p != "" {
		return FieldError(field, p)
	}
	return nil
}

// CheckID returns an invalid error naming field unless id is valid
// single-line text of at most MaxIDLength bytes. Every service method that
// takes an ID or a token calls it first, so no store looks one up that no
// store could hold. An empty id passes: whether it is required is the
// caller's rule.
func CheckID(field, id string) error {
	if len(id) > MaxIDLength {
		return FieldError(field, ProblemIDTooLong)
	}
	return CheckText(field, id, false)
}

// CheckIDs applies CheckID to each id, naming the first bad one
// field[index] ("marketplace_ids[2]").
func CheckIDs(field string, ids []string) error {
	for i, id := range ids {
		if err := CheckID(field+"["+strconv.Itoa(i)+"]", id); err != nil {
			return err
		}
	}
	return nil
}

// IsBlank reports whether s holds nothing a person can read: it is empty or
// made only of Unicode spaces, control characters and invisible characters
// (zero-width spaces and joiners, the byte-order mark, word joiners, bidi
// marks, soft hyphens, Hangul fillers, the blank Braille pattern). A required
// name that is blank is missing.
func IsBlank(s string) bool {
	for _, r := range s {
		if !invisible(r) {
			return false
		}
	}
	return true
}

// invisible reports whether r shows nothing on its own.
func invisible(r rune) bool {
	switch {
	case unicode.IsSpace(r), unicode.IsControl(r), unicode.Is(unicode.Cf, r):
		return true // spaces, controls, format characters (U+200B–U+200F, U+2060–U+2064, U+FEFF, U+00AD, ...)
	}
	switch r {
	case 0x115f, 0x1160, 0x3164, 0xffa0, // Hangul fillers
		0x2800, // Braille pattern blank
		0x034f, // combining grapheme joiner
		0x180e: // Mongolian vowel separator
		return true
	}
	return false
}

// ProblemRequired is the problem of a required text that is blank (see
// IsBlank).
const ProblemRequired = "is required"

// LengthProblem returns "must be at most max characters" when s holds more
// than max characters, and "" otherwise. Characters are runes, as
// validator's max counts them, never bytes: every length limit a service
// and the PWA apply to text goes through here, so a name of 60 "é" (120
// bytes) fits a limit of 100 on both sides.
func LengthProblem(s string, max int) string {
	if utf8.RuneCountInString(s) > max {
		return "must be at most " + strconv.Itoa(max) + " characters"
	}
	return ""
}

// TextFieldProblem returns the first problem of a text field of at most max
// characters: the text rule's (multiline allows tabs and line breaks),
// ProblemRequired when required and s is blank, or LengthProblem's; "" when
// s is fine. Callers trim s first when the field is stored trimmed.
func TextFieldProblem(s string, required, multiline bool, max int) string {
	if p := TextProblem(s, multiline); p != "" {
		return p
	}
	if required && IsBlank(s) {
		return ProblemRequired
	}
	return LengthProblem(s, max)
}
