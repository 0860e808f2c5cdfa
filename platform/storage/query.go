package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/resource"
)

// Querier is what both a DB and a transaction (*sql.Tx) offer for reading, so that one read
// helper serves a plain read and the read inside a read-modify-write.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Scanner is what both *sql.Row and *sql.Rows offer, so that one scan function reads a row of a
// single-row lookup and each row of a list.
type Scanner interface {
	Scan(dest ...any) error
}

// Collect runs query with args on q and scans every row with scan, in the order the query
// gives. No rows is a nil slice and no error.
func Collect[T any](ctx context.Context, q Querier, query string, args []any, scan func(Scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Limit returns the LIMIT clause that bounds a query to n rows, with its leading space; n <= 0
// gives "", which reads every row. n is formatted, not bound: it is an int the caller computed,
// never text from outside, and a literal limit lets both planners see it.
func Limit(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" LIMIT %d", n)
}

// GetByID reads the row of table whose id is id (columns, with scan), or resource.ErrNotFound
// when there is none. lock is the row lock of a read-modify-write ("" for a plain read; see
// DB.Lock).
func GetByID[T any](ctx context.Context, q Querier, table, columns, id, lock string, scan func(Scanner) (T, error)) (T, error) {
	v, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM `+table+` WHERE id = $1`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, resource.ErrNotFound
	}
	return v, err
}
