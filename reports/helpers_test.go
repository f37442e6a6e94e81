package reports

import (
	"context"
	"database/sql"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // the tests show datetimes in New York on any machine

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// duck runs report queries on an in-memory DuckDB, as the store does.
type duck struct{ db *sql.DB }

func (d duck) QueryReport(ctx context.Context, query string, args ...any) (Rows, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err // never a typed nil inside the interface
	}
	return rows, nil
}

// openDuck opens an in-memory DuckDB and runs the given SQL files on it.
func openDuck(tb testing.TB, seeds ...string) duck {
	tb.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one in-memory database, not one per connection
	tb.Cleanup(func() { db.Close() })
	for _, s := range seeds {
		b, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := db.Exec(string(b)); err != nil {
			tb.Fatalf("run %s: %v", s, err)
		}
	}
	return duck{db: db}
}

func loadTestDefs(tb testing.TB) []Definition {
	tb.Helper()
	defs, err := LoadDefinitions(os.DirFS("testdata/defs"))
	if err != nil {
		tb.Fatal(err)
	}
	return defs
}

func newYork(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}
