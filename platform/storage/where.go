package storage

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Where builds the WHERE clause of a query from conditions joined by AND. A condition marks its
// arguments with ?, which Add numbers $1, $2, … in the order conditions and arguments arrive
// (both engines take $n), so that a query assembled from optional filters never miscounts its
// placeholders. The zero Where is empty and selects every row.
type Where struct {
	conds []string
	args  []any
}

// Add appends cond, whose ? marks take args in order. A count of args other than the count of
// ? marks is a programming mistake, and panics.
func (w *Where) Add(cond string, args ...any) {
	if n := strings.Count(cond, "?"); n != len(args) {
		panic(fmt.Sprintf("storage: condition %q has %d ? marks for %d arguments", cond, n, len(args)))
	}
	var b strings.Builder
	for _, r := range cond {
		if r == '?' {
			w.args = append(w.args, args[0])
			args = args[1:]
			fmt.Fprintf(&b, "$%d", len(w.args))
			continue
		}
		b.WriteRune(r)
	}
	w.conds = append(w.conds, b.String())
}

// In appends "column IN (…)" over values, which must not be empty: IN () is not SQL, and the
// query fails. Keep values to a few hundred: each is a placeholder, and the engines limit how
// many a query may have.
func (w *Where) In(column string, values []string) {
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	w.Add(column+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")+")", args...)
}

// String returns the clause with its leading space, " WHERE a = $1 AND b = $2", or "" when
// there is no condition.
func (w *Where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Args returns the arguments of the placeholders, in order.
func (w *Where) Args() []any { return w.args }

// FilterColumn says which column a list's filter key compares, and whether the filter's value,
// decimal text, is compared as an integer (a year "2024" against an INTEGER column: PostgreSQL
// refuses to compare an integer with text).
type FilterColumn struct {
	Column  string
	Integer bool
}

// AddFilters adds "column = value" for each of filters, a list's column filters keyed as the API
// names them; columns maps each key the list allows to its column, and list names the list in
// errors. An empty value does not filter. An unknown key is an error rather than ignored: the
// edge validates filters against the same keys, so an unknown one is a mistake that must not
// widen a list silently; so is an integer filter whose value is not an int32.
//
// Filters are added in key order, so that a query has one SQL text whatever the map's order.
func (w *Where) AddFilters(list string, filters map[string]string, columns map[string]FilterColumn) error {
	for _, k := range slices.Sorted(maps.Keys(filters)) {
		col, ok := columns[k]
		if !ok {
			return fmt.Errorf("storage: %s cannot be filtered by %q", list, k)
		}
		v := filters[k]
		if v == "" {
			continue
		}
		if col.Integer {
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil {
				return fmt.Errorf("storage: %s filter %s = %q is not an integer", list, k, v)
			}
			w.Add(col.Column+" = ?", n)
			continue
		}
		w.Add(col.Column+" = ?", v)
	}
	return nil
}
