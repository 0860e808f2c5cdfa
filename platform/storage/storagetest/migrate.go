package storagetest

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"

	"github.com/vif71/vif/platform/storage"
)

// MigrateUpTo applies the migrations in fsys (the files of a migrations directory, as
// storage.Migrate takes them) to db up to version and no further, as an older release of the
// service left its database: an upgrade test writes rows there and then opens the store.
func MigrateUpTo(t testing.TB, db *storage.DB, fsys fs.FS, versionTable string, version int64) {
	t.Helper()
	if _, err := migrations(t, db, fsys, versionTable).UpTo(context.Background(), version); err != nil {
		t.Fatalf("migrate %s up to %d: %v", versionTable, version, err)
	}
}

// MigrateDownTo runs the Down migrations in fsys on db until it is at version.
func MigrateDownTo(t testing.TB, db *storage.DB, fsys fs.FS, versionTable string, version int64) {
	t.Helper()
	if _, err := migrations(t, db, fsys, versionTable).DownTo(context.Background(), version); err != nil {
		t.Fatalf("migrate %s down to %d: %v", versionTable, version, err)
	}
}

// migrations is a goose provider of fsys's migrations for db, in db's dialect as storage.Migrate
// applies them (storage.SQLiteDialect on SQLite).
func migrations(t testing.TB, db *storage.DB, fsys fs.FS, versionTable string) *goose.Provider {
	t.Helper()
	dialect := database.DialectPostgres
	if db.Dialect == storage.SQLite {
		dialect = database.DialectSQLite3
	}
	files, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	rewritten := fstest.MapFS{}
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		if db.Dialect == storage.SQLite {
			b = []byte(storage.SQLiteDialect(string(b)))
		}
		rewritten[name] = &fstest.MapFile{Data: b}
	}
	versions, err := database.NewStore(dialect, versionTable)
	if err != nil {
		t.Fatal(err)
	}
	provider, err := goose.NewProvider("", db.DB, rewritten, goose.WithStore(versions))
	if err != nil {
		t.Fatal(err)
	}
	return provider
}
