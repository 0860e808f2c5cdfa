// Package csvexport writes CSV files meant to be opened in a spreadsheet, safe from CSV (formula)
// injection: a cell that a spreadsheet would read as a formula is neutralised as OWASP
// recommends (https://owasp.org/www-community/attacks/CSV_Injection), by prefixing it with a
// single quote, so that a name like `=HYPERLINK(…)` entered through the API is shown as text
// rather than run on the computer of whoever opens the export.
package csvexport

import (
	"encoding/csv"
	"io"
	"strings"
)

// formulaStarts are the first characters that make a spreadsheet read a cell as a formula:
// =, +, -, @, tab and carriage return.
const formulaStarts = "=+-@\t\r"

// Neutralise returns cell prefixed with a single quote when it starts with a character that would
// make it a formula, and cell unchanged otherwise.
func Neutralise(cell string) string {
	if cell != "" && strings.ContainsRune(formulaStarts, rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// Writer is a csv.Writer whose every cell is neutralised. Quoting of commas, quotes and line
// breaks is csv.Writer's (RFC 4180).
type Writer struct{ w *csv.Writer }

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, each cell neutralised.
func (w *Writer) Write(record []string) error {
	safe := make([]string, len(record))
	for i, c := range record {
		safe[i] = Neutralise(c)
	}
	return w.w.Write(safe)
}

// Flush writes any buffered data and returns the first error of any write or of the flush.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
