// Package storagetest gives tests real databases: a SQLite file in a temporary directory and,
// when VIF_TEST_POSTGRES_DSN points at a PostgreSQL server, a fresh PostgreSQL database dropped
// at the end of the test. Contract tests run their cases against every database it returns.
//
// The README's test command starts a private PostgreSQL and sets the variable. When
// VIF_REQUIRE_POSTGRES=1 (as in CI) a missing server fails the test instead of narrowing it to
// SQLite, so a green run always means both engines were exercised.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/vif71/vif/platform/storage"
)

// PostgresDSNEnv names the variable holding the DSN of a PostgreSQL server tests may create
// databases on (as a superuser or a role with CREATEDB).
const PostgresDSNEnv = "VIF_TEST_POSTGRES_DSN"

// Named is a database with the name of its engine, for subtests.
type Named struct {
	Name string
	DB   *storage.DB
}

// Databases returns one fresh, empty database per available engine.
func Databases(t testing.TB) []Named {
	t.Helper()
	dbs := []Named{{Name: "sqlite", DB: SQLite(t)}}
	if pg := Postgres(t); pg != nil {
		dbs = append(dbs, Named{Name: "postgres", DB: pg})
	}
	return dbs
}

// SQLite returns a fresh SQLite database in t's temporary directory.
func SQLite(t testing.TB) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Postgres returns a fresh PostgreSQL database, or nil when no server is configured (and
// VIF_REQUIRE_POSTGRES is not set).
func Postgres(t testing.TB) *storage.DB {
	t.Helper()
	dsn := PostgresDSN(t)
	if dsn == "" {
		return nil
	}
	ctx := context.Background()
	admin, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresDSNEnv, err)
	}
	defer admin.Close()
	name := "vif_test_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	db, err := storage.Open(ctx, withDatabase(t, dsn, name))
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() {
		db.Close()
		admin, err := storage.Open(context.Background(), dsn)
		if err != nil {
			t.Logf("drop %s: %v", name, err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})
	return db
}

// PostgresDSN returns the server DSN from the environment, failing t when it is required but
// missing.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresDSNEnv)
	if dsn == "" && os.Getenv("VIF_REQUIRE_POSTGRES") == "1" {
		t.Fatalf("%s is not set but VIF_REQUIRE_POSTGRES=1: start PostgreSQL with scripts/postgres.sh", PostgresDSNEnv)
	}
	return dsn
}

// NewPostgresDatabase creates a fresh database on the configured server and returns its DSN, for
// tests that hand a DSN to another process. It returns "" when no server is configured.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	dsn := PostgresDSN(t)
	if dsn == "" {
		return ""
	}
	db := Postgres(t)
	var name string
	if err := db.QueryRowContext(context.Background(), "SELECT current_database()").Scan(&name); err != nil {
		t.Fatalf("current_database: %v", err)
	}
	return withDatabase(t, dsn, name)
}

func withDatabase(t testing.TB, dsn, name string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL, got %q", PostgresDSNEnv, dsn)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
