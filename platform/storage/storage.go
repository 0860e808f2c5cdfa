// Package storage opens the relational database a service keeps its state in: SQLite (a file, for
// the embedded default) or PostgreSQL (for the distributed shape), behind one database/sql handle.
//
// Both engines accept the same SQL text with $1-style placeholders, so repositories write each
// query once; each migration is written once too, in PostgreSQL's dialect, and rewritten for
// SQLite as it is applied (Migrate).
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a database handle that knows its dialect.
type DB struct {
	*sql.DB
	Dialect Dialect
	stmts   sync.Map // query -> *sql.Stmt, for ExecTx

	mu        sync.Mutex // guards closed and the Add of preparing
	closed    bool
	preparing sync.WaitGroup // the statements prepareSoon is preparing

	// writer is SQLite's one write lock as this process sees it (a semaphore of one, see InTx);
	// nil on PostgreSQL, whose writers run side by side. queued counts the writers waiting for
	// it (see writeTurn).
	writer chan struct{}
	queued atomic.Int32
}

// Close waits for the statements being prepared in the background (each takes a connection of
// its own), closes the prepared ones, then the database: once it returns, nothing of it is open
// and its files may be removed.
func (db *DB) Close() error {
	db.mu.Lock()
	db.closed = true
	db.mu.Unlock()
	db.preparing.Wait()
	db.stmts.Range(func(_, s any) bool {
		if stmt, ok := s.(*sql.Stmt); ok {
			stmt.Close()
		}
		return true
	})
	return db.DB.Close()
}

// Open opens the database that dsn names: a postgres:// or postgresql:// URL (or key=value DSN
// starting with "host=") opens PostgreSQL; anything else is a SQLite file path, optionally
// prefixed with "sqlite:" or "file:". The SQLite file's directory is created when missing.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("storage: empty database DSN")
	}
	var db *DB
	if isPostgres(dsn) {
		conn, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("storage: open postgres: %w", err)
		}
		conn.SetMaxOpenConns(20)
		db = &DB{DB: conn, Dialect: Postgres}
	} else {
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("storage: create %s: %w", dir, err)
			}
		}
		conn, err := sql.Open("sqlite", sqliteDSN(path))
		if err != nil {
			return nil, fmt.Errorf("storage: open sqlite: %w", err)
		}
		// WAL lets readers run beside the one writer; a few connections are plenty, and
		// _txlock=immediate makes every transaction take the write lock up front, so two writers
		// queue on busy_timeout instead of failing with SQLITE_BUSY half-way.
		conn.SetMaxOpenConns(4)
		db = &DB{DB: conn, Dialect: SQLite, writer: make(chan struct{}, 1)}
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: connect to %s database: %w", db.Dialect, Classify(err))
	}
	return db, nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") ||
		strings.HasPrefix(dsn, "host=")
}

func sqliteDSN(path string) string {
	return "file:" + path + "?_txlock=immediate" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(ON)"
}

// InTx runs fn in a transaction and commits it when fn returns nil; any error or panic rolls it
// back, so a change and the events written beside it land together or not at all. A connection
// failure wraps ErrUnavailable; when ctx ends first, the error wraps ctx's error (the database
// rolls the transaction back: nothing of it is written).
//
// On SQLite, whose writers take turns, the process's transactions queue for their turn in Go
// before they begin: a turn passes to the next writer as soon as the last one ends, where
// SQLite's busy handler would let the writers that found the lock taken sleep and try again
// (a millisecond, then more), and each try costs the lock's system calls. ExecContext, a write
// outside a transaction, takes its turn too. Writers of other processes on the same file still
// queue on busy_timeout.
//
// On SQLite the transaction does not watch ctx while it runs: database/sql and the driver would
// each start a goroutine for it (one for the transaction, one for BEGIN, one for COMMIT), inside
// the turn where the other writers wait: 2 to 3 % of the creations a second (docs/performance.md).
// ctx is checked before the turn, before each ExecTx statement and before the commit: a caller
// whose ctx ends while fn runs still gets its error, and nothing of the transaction is written.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	release, err := db.writeTurn(ctx)
	if err != nil {
		return fmt.Errorf("storage: begin: %w", err)
	}
	defer release()
	txCtx := ctx
	if db.writer != nil { // SQLite: see above
		txCtx = context.WithoutCancel(ctx)
	}
	tx, err := db.BeginTx(txCtx, nil)
	if err != nil {
		return fmt.Errorf("storage: begin: %w", Classify(contextError(ctx, err)))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return contextError(ctx, err)
	}
	if err := ctx.Err(); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: commit: %w", Classify(contextError(ctx, err)))
	}
	return nil
}

// ExecContext runs a statement outside a transaction, as sql.DB's does; on SQLite it waits for
// its turn among the process's writers first (see InTx). Never call it inside InTx's fn: the
// transaction holds the turn (use the transaction's ExecContext, or ExecTx).
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	release, err := db.writeTurn(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return db.DB.ExecContext(ctx, query, args...)
}

// writeTurn waits for the writer's turn on SQLite (at once on PostgreSQL) and returns what ends
// it, or ctx's error when ctx ends first.
//
// A turn that ends while other writers wait yields the processor (runtime.Gosched): the writer
// that takes the turn next is readied on this processor, and would otherwise wait there until
// this goroutine blocks, after the rest of its call (its answer, its log line), the write lock
// idle meanwhile. With 16 creations in flight on 2 cores, the lock was idle a quarter of the
// time; yielding gave 15 % more creations a second (docs/performance.md).
func (db *DB) writeTurn(ctx context.Context) (func(), error) {
	if db.writer == nil {
		return func() {}, nil
	}
	select {
	case db.writer <- struct{}{}:
		return db.endTurn, nil
	default:
	}
	db.queued.Add(1)
	defer db.queued.Add(-1)
	select {
	case db.writer <- struct{}{}:
		return db.endTurn, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (db *DB) endTurn() {
	<-db.writer
	if db.queued.Load() > 0 {
		runtime.Gosched()
	}
}
