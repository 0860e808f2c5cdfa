package storage

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// Migrate applies the goose SQL migrations at the root of fsys to db; versionTable keeps track
// of what was applied, one table per migration set so that the platform's tables (the outbox)
// and a service's evolve apart. On PostgreSQL, replicas starting together (as Kubernetes starts
// them) take turns: each holds a session advisory lock while it migrates, and the next finds the
// work done.
//
// A migration is written once, in PostgreSQL's dialect. On SQLite it is applied as SQLiteDialect
// rewrites it: the few types and clauses SQLite spells otherwise. The schema parity tests
// (storagetest.SchemaParity) check that both engines end with the same tables, columns, keys and
// indexes.
func Migrate(ctx context.Context, db *DB, fsys fs.FS, versionTable string) error {
	gooseDialect := database.DialectPostgres
	if db.Dialect == SQLite {
		gooseDialect, fsys = database.DialectSQLite3, sqliteFS{fsys}
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
	provider, err := goose.NewProvider("", db.DB, fsys, opts...)
	if err != nil {
		return fmt.Errorf("storage: migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("storage: migrate %s: %w", versionTable, err)
	}
	return nil
}

// sqliteRewrites are what SQLite spells otherwise than PostgreSQL, in the subset of SQL the
// migrations use. Keys take the C collation on PostgreSQL, so that ORDER BY and keyset pages
// follow byte order, which is SQLite's BINARY default; SQLite's INTEGER is 64-bit, and its
// INTEGER PRIMARY KEY AUTOINCREMENT is the identity column.
var sqliteRewrites = []struct {
	pattern *regexp.Regexp
	with    string
}{
	{regexp.MustCompile(`[ \t]+COLLATE "C"`), ""},
	{regexp.MustCompile(`\bBIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY\b`), "INTEGER PRIMARY KEY AUTOINCREMENT"},
	{regexp.MustCompile(`\bBIGINT\b`), "INTEGER"},
	{regexp.MustCompile(`\bTIMESTAMPTZ\b`), "TIMESTAMP"},
	{regexp.MustCompile(`\bBYTEA\b`), "BLOB"},
}

// SQLiteDialect returns the SQLite spelling of a migration written for PostgreSQL (Migrate).
// Comments are left as they are.
func SQLiteDialect(sql string) string {
	lines := strings.SplitAfter(sql, "\n")
	for i, line := range lines {
		code, comment, isComment := strings.Cut(line, "--")
		for _, r := range sqliteRewrites {
			code = r.pattern.ReplaceAllString(code, r.with)
		}
		if isComment {
			code += "--" + comment
		}
		lines[i] = code
	}
	return strings.Join(lines, "")
}

// sqliteFS serves the .sql files of an FS as SQLiteDialect rewrites them.
type sqliteFS struct{ fs.FS }

func (f sqliteFS) Open(name string) (fs.File, error) {
	file, err := f.FS.Open(name)
	if err != nil || !strings.HasSuffix(name, ".sql") {
		return file, err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(file)
	if err != nil {
		return nil, err
	}
	text := []byte(SQLiteDialect(string(b)))
	return &rewrittenFile{Reader: bytes.NewReader(text), info: rewrittenInfo{info, int64(len(text))}}, nil
}

type rewrittenFile struct {
	*bytes.Reader
	info rewrittenInfo
}

func (f *rewrittenFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *rewrittenFile) Close() error               { return nil }

type rewrittenInfo struct {
	fs.FileInfo
	size int64
}

func (i rewrittenInfo) Size() int64 { return i.size }
