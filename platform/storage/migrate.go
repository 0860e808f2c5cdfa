package storage

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// Migrate applies the migrations in fsys to db. fsys holds one directory per dialect, "sqlite"
// and "postgres", with goose SQL files; versionTable keeps track of what was applied, one table
// per migration set so that the platform's tables (the outbox) and a service's evolve apart.
// On PostgreSQL, replicas starting together (as Kubernetes starts them) take turns: each holds a
// session advisory lock while it migrates, and the next finds the work done.
func Migrate(ctx context.Context, db *DB, fsys fs.FS, versionTable string) error {
	dir := string(db.Dialect)
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return fmt.Errorf("storage: migrations for %s: %w", dir, err)
	}
	gooseDialect := database.DialectSQLite3
	if db.Dialect == Postgres {
		gooseDialect = database.DialectPostgres
	}
	store, err := database.NewStore(gooseDialect, versionTable)
	if err != nil {
		return fmt.Errorf("storage: migration store: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithStore(store)}
	if db.Dialect == Postgres {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("storage: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	provider, err := goose.NewProvider("", db.DB, sub, opts...)
	if err != nil {
		return fmt.Errorf("storage: migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("storage: migrate %s: %w", versionTable, err)
	}
	return nil
}
