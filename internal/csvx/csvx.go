// Package csvx writes CSV for spreadsheets: RFC 4180 via encoding/csv, with
// cells that a spreadsheet would run as a formula neutralised.
package csvx

import (
	"encoding/csv"
	"io"
)

// Writer writes rows of text cells.
type Writer struct {
	w *csv.Writer
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one row. A cell that starts with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe, so a spreadsheet shows it as
// text instead of running it (CSV formula injection); numbers that start
// with - or + are left alone.
func (w *Writer) Write(cells ...string) error {
	for i, c := range cells {
		cells[i] = Neutralise(c)
	}
	return w.w.Write(cells)
}

// Flush writes buffered rows and returns any error so far.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// Neutralise prefixes a cell that a spreadsheet would take for a formula.
func Neutralise(c string) string {
	if c == "" {
		return c
	}
	switch c[0] {
	case '=', '@', '\t', '\r':
		return "'" + c
	case '+', '-':
		if isNumber(c[1:]) {
			return c
		}
		return "'" + c
	}
	return c
}

// isNumber reports whether s is digits with at most one decimal point.
func isNumber(s string) bool {
	digits, dots := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}
