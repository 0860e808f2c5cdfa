package storage

import "context"

// ReadPage reads one page of a list that pages by key (AIP-158): the total of the rows w selects,
// counted before the page's resume condition so that every page reports the same total, then
// the rows of table after the resume key in order, at most limit of them (limit <= 0 reads every
// row). resume adds the condition that starts the page after the last key the previous page
// gave, and nothing on the first page; an error from it (a malformed resume key) is returned
// after the count. order must name columns that are unique together, so that no row is skipped
// or read twice across pages.
//
// The count and the rows are two statements: outside a transaction, a write that commits between
// them may be counted and not listed, or the reverse.
func ReadPage[T any](ctx context.Context, q Querier, table, columns string, w *Where, resume func(*Where) error,
	order string, limit int, scan func(Scanner) (T, error)) ([]T, int, error) {
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+w.String(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if err := resume(w); err != nil {
		return nil, 0, err
	}
	query := `SELECT ` + columns + ` FROM ` + table + w.String() + ` ORDER BY ` + order + Limit(limit)
	out, err := Collect(ctx, q, query, w.Args(), scan)
	return out, total, err
}

// After returns the resume condition of a list ordered by one column: the rows whose column is
// greater than key, or every row when key is "" (the first page).
func After(column, key string) func(*Where) error {
	return func(w *Where) error {
		if key != "" {
			w.Add(column+" > ?", key)
		}
		return nil
	}
}

// ReadPageByID is ReadPage of a list that only filters by column (Where.AddFilters: filters as
// the API names them, columns the keys the list allows) and is ordered and resumed by id: the
// list of most resources.
func ReadPageByID[T any](ctx context.Context, q Querier, table, columns string, filters map[string]string, allowed map[string]FilterColumn,
	after string, limit int, scan func(Scanner) (T, error)) ([]T, int, error) {
	var w Where
	if err := w.AddFilters(table, filters, allowed); err != nil {
		return nil, 0, err
	}
	return ReadPage(ctx, q, table, columns, &w, After("id", after), "id", limit, scan)
}
