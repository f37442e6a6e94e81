package reports

import (
	"context"
	"errors"
	goparser "go/parser"
	"go/token"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the layout rules: reports never reaches the store, and
// xlsx.go (with its test) is the only excelize importer.
func TestImports(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		f, err := goparser.ParseFile(token.NewFileSet(), name, nil, goparser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasSuffix(path, "/internal/store") {
				t.Errorf("%s imports %s; reports takes a Querier instead", name, path)
			}
			if strings.Contains(path, "excelize") && name != "xlsx.go" && name != "xlsx_test.go" {
				t.Errorf("%s imports %s; only xlsx.go may", name, path)
			}
		}
	}
}

func TestWorkbookCanceled(t *testing.T) {
	db := openDuck(t)
	def := mustParse(t, "-- report: many\n-- sheet: S\n-- column: i | I | int | 5\nSELECT i FROM range(100000) t(i)")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := WriteWorkbook(ctx, io.Discard, db, []Definition{def}, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("WriteWorkbook with a canceled context: error = %v, want context.Canceled", err)
	}
}
