package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrUnavailable is wrapped by the errors Classify recognises as "the database cannot be reached
// right now": the caller may retry the same request later, unchanged. The edge maps it to
// Unavailable (HTTP 503) with a retry hint, never to Internal.
var ErrUnavailable = errors.New("storage: database unavailable")

// Classify returns err wrapped with ErrUnavailable when it is a connection failure: a PostgreSQL
// server that refuses or drops the connection (SQLSTATE class 08, 57P0x admin or crash shutdown,
// "cannot connect now" while it starts, 53300 too many connections), a dial or network error, a
// connection closed under the query, or SQLite still busy when its busy timeout ran out. Other
// errors, and the caller's own context ending, are returned unchanged.
func Classify(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) || !isUnavailable(err) {
		return err
	}
	return &unavailableError{err: err}
}

type unavailableError struct{ err error }

func (e *unavailableError) Error() string   { return e.err.Error() }
func (e *unavailableError) Unwrap() []error { return []error{ErrUnavailable, e.err} }

func isUnavailable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false // the caller gave up: its own outcome, not the database's
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P0") || pgErr.Code == "53300"
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		return sqliteErr.Code()&0xff == sqlite3.SQLITE_BUSY
	}
	var netErr net.Error
	switch {
	case errors.As(err, &netErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), errors.Is(err, driver.ErrBadConn):
		return true
	}
	// pgconn marks the errors that happened before anything reached the server (a closed or busy
	// connection): the request never ran.
	return pgconn.SafeToRetry(err)
}

// contextError is err with the context's own error beside it when ctx has ended: a statement
// interrupted by the caller's deadline fails with the driver's words ("interrupted", "transaction
// has already been committed or rolled back"), which errors.Is would not read as the deadline.
func contextError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return errors.Join(ctxErr, err)
	}
	return err
}
