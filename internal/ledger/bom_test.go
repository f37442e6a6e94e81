package ledger

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWithoutBOM: a file whose text begins with a BOM, plain or gzipped,
// is copied without it, plainly, in the folder asked for; one with a BOM
// further on only is not copied at all.
func TestWithoutBOM(t *testing.T) {
	tests := []struct{ body, want string }{
		{"\ufeff{\"a\":1}\n\ufeff{\"a\":2}\n", "{\"a\":1}\n\ufeff{\"a\":2}\n"},
		{"\ufeff", ""},
		{"{\"a\":1}\n\ufeff{\"a\":2}\n", "(no copy)"},
		{"", "(no copy)"},
	}
	for _, tt := range tests {
		for _, path := range plainAndZipped(t, tt.body) {
			dir := t.TempDir()
			copied, err := WithoutBOM(path, dir, "copy-*")
			if err != nil {
				t.Fatal(err)
			}
			got := "(no copy)"
			if copied != "" {
				if filepath.Dir(copied) != dir {
					t.Errorf("%q in %s: copied to %s, want a file in %s", tt.body, filepath.Base(path), copied, dir)
				}
				text, err := os.ReadFile(copied)
				if err != nil {
					t.Fatal(err)
				}
				got = string(text)
			}
			if got != tt.want {
				t.Errorf("%q in %s: copy %q, want %q", tt.body, filepath.Base(path), got, tt.want)
			}
		}
	}
}
