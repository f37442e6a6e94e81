package store

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// TestMachineFailure: a full disk is the machine's failing whether DuckDB
// or Go's write of a file's copy (unmarkJSON) meets it; a file DuckDB or Go
// cannot read (not gzip, damaged, gone) is the file's, and rejected.
func TestMachineFailure(t *testing.T) {
	dir := t.TempDir()
	notGzip := filepath.Join(dir, "export.csv.gz")
	if err := os.WriteFile(notGzip, []byte("id\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	read := func(path string) error {
		_, err := conn.Exec(fmt.Sprintf("SELECT * FROM read_csv('%s', compression = 'gzip')", path))
		if err == nil {
			t.Fatalf("read %s: no error", path)
		}
		return err
	}
	full := &os.PathError{Op: "write", Path: filepath.Join(dir, "flexrecon.duckdb.nobom-1"), Err: syscall.ENOSPC}
	for name, tt := range map[string]struct {
		err  error
		want bool
	}{
		"disk full writing a copy": {fmt.Errorf("load ledger file x: %w", full), true},
		"not gzip (DuckDB)":        {read(notGzip), false},
		"gone (DuckDB)":            {read(filepath.Join(dir, "gone.csv.gz")), false},
		"damaged (Go)":             {fmt.Errorf("the gzip stream is damaged: %w", ledger.ErrDamaged), false},
	} {
		if got := machineFailure(tt.err); got != tt.want {
			t.Errorf("%s: machineFailure(%v) = %t, want %t", name, tt.err, got, tt.want)
		}
	}
}
