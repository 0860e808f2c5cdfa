package storage

import (
	"context"
	"database/sql"
)

// ExecTx runs query in tx. On SQLite the statement is prepared once per connection and kept
// (SQLite otherwise parses it at every call, a sixth of a small insert's time); PostgreSQL's
// driver (pgx) already caches the statements it prepares, so there it is tx.ExecContext. Use it
// for the statements of hot writes, whose text is a constant.
//
// On SQLite a done ctx stops the statement before it runs, not while it runs: the driver would
// start a goroutine per statement to interrupt it (a tenth of a create's time in its
// transaction, where writers queue), and a hot write inside a transaction, which already holds
// the write lock (_txlock=immediate), waits for no lock and runs for microseconds. The
// transaction still ends with ctx: database/sql rolls it back and its commit fails.
func (db *DB) ExecTx(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if db.Dialect != SQLite {
		return tx.ExecContext(ctx, query, args...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	if s, ok := db.stmts.Load(query); ok {
		if stmt, ok := s.(*sql.Stmt); ok {
			// StmtContext reuses the statement already prepared on tx's connection, or prepares it
			// there once and keeps it for the next transaction on that connection.
			return tx.StmtContext(ctx, stmt).ExecContext(ctx, args...)
		}
		return tx.ExecContext(ctx, query, args...) // being prepared
	}
	db.prepareSoon(query)
	return tx.ExecContext(ctx, query, args...)
}

// preparing marks a query whose statement is being prepared.
type preparing struct{}

// prepareSoon prepares query in the background, once. Not in the caller's goroutine: it holds a
// transaction, and preparing takes another connection of the pool, which the writers queued
// behind that transaction may all hold.
func (db *DB) prepareSoon(query string) {
	if _, loaded := db.stmts.LoadOrStore(query, preparing{}); loaded {
		return
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return
	}
	db.preparing.Add(1)
	go func() {
		defer db.preparing.Done()
		stmt, err := db.PrepareContext(context.Background(), query)
		if err != nil {
			db.stmts.Delete(query) // tried again at the next call (the database may be closed)
			return
		}
		db.stmts.Store(query, stmt)
	}()
}

// QueryPrepared runs query on db, outside any transaction. On SQLite the statement is prepared
// once per connection and kept, as ExecTx does; elsewhere it is db.QueryContext. Use it for the
// reads a loop repeats (the outbox relay's), whose text is a constant.
func (db *DB) QueryPrepared(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.Dialect == SQLite {
		s, ok := db.stmts.Load(query)
		if !ok {
			db.prepareSoon(query)
		} else if stmt, ok := s.(*sql.Stmt); ok {
			return stmt.QueryContext(ctx, args...)
		}
	}
	return db.QueryContext(ctx, query, args...)
}
