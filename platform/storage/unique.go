package storage

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// pgUniqueViolation is PostgreSQL's SQLSTATE for a unique or primary key violation.
const pgUniqueViolation = "23505"

// sqliteUniqueFailed starts the text of SQLite's unique violations, before the columns. The
// modernc driver reports them as text, e.g.
// "constraint failed: UNIQUE constraint failed: cessions.vehicle (2067)".
const sqliteUniqueFailed = "UNIQUE constraint failed: "

// IsUniqueViolation reports whether err is a unique or primary key violation, on either engine.
// A store that inserts a row with a caller's id or request id turns it into "already exists", or
// looks up the row that won the race. Which constraint was violated is not told: when a row
// repeats two keys PostgreSQL reports either one, so callers that care look up what they can
// (the request id) or ask UniqueKey.ViolatedBy.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == pgUniqueViolation
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "PRIMARY KEY constraint failed")
}

// UniqueKey names one unique constraint as each engine reports its violation: PostgreSQL by the
// constraint or index name (name them in the migrations), SQLite by the table.column list it
// covers, e.g. UniqueKey{Postgres: "vehicles_vin_key", SQLite: "vehicles.vin"}, or
// "reports.network, reports.period" for a key of two columns. A store declares one for each key
// whose violation tells its caller more than "already exists" (a VIN taken by another vehicle).
type UniqueKey struct {
	Postgres string
	SQLite   string
}

// ViolatedBy reports whether err is a violation of k.
func (k UniqueKey) ViolatedBy(err error) bool {
	if !IsUniqueViolation(err) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName == k.Postgres
	}
	_, after, ok := strings.Cut(err.Error(), sqliteUniqueFailed)
	if !ok {
		return false
	}
	cols, _, _ := strings.Cut(after, " (")
	return cols == k.SQLite
}
