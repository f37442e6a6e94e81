package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// MustOpenDB opens a fresh database file in a temporary folder, migrated.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "test.duckdb"), flexrecon.SQL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "twice.duckdb")
	for range 2 {
		db, err := store.Open(context.Background(), path, flexrecon.SQL())
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		db.Close()
	}
}

// A file in DuckDB's older storage format cannot take the migrations, which
// name the new format's compression: it is refused, with the reason, and
// left as it was.
func TestOpenRefusesAnOlderStorageFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.duckdb")
	old, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec("CREATE TABLE kept AS SELECT 42 AS answer"); err != nil {
		t.Fatal(err)
	}
	old.Close()

	_, err = store.Open(context.Background(), path, flexrecon.SQL())
	if err == nil || !strings.Contains(err.Error(), "storage format") {
		t.Fatalf("open of a 1.0-format file: %v, want a storage format error", err)
	}
	old, err = sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	var answer int
	if err := old.QueryRow("SELECT answer FROM kept").Scan(&answer); err != nil || answer != 42 {
		t.Fatalf("the refused file lost its table: %d, %v", answer, err)
	}
}
