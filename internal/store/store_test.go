package store_test

import (
	"context"
	"path/filepath"
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
