package storage

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
)

// Migrate applies the migrations in fsys to db. fsys holds one directory per dialect, "sqlite"
// and "postgres", with goose SQL files; versionTable keeps track of what was applied, one table
// per migration set so that the platform's tables (the outbox) and a service's evolve apart.
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
	provider, err := goose.NewProvider("", db.DB, sub, goose.WithStore(store))
	if err != nil {
		return fmt.Errorf("storage: migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("storage: migrate %s: %w", versionTable, err)
	}
	return nil
}
