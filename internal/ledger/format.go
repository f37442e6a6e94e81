package ledger

import (
	"fmt"
	"strings"
)

// Format is how a file's records are written.
type Format string

// The formats DuckDB reads; each may be gzipped (name ending in .gz).
const (
	CSV     Format = "csv"
	JSONL   Format = "jsonl"
	Parquet Format = "parquet"
)

// FormatOf is the declared format, or the one the file name's extension
// says when declared is empty ("auto").
func FormatOf(declared, name string) (Format, error) {
	switch Format(declared) {
	case CSV, JSONL, Parquet:
		return Format(declared), nil
	case "ndjson", "json":
		return JSONL, nil
	case "", "auto":
		return formatFromName(name)
	}
	return "", fmt.Errorf("unsupported format %q (want csv, jsonl or parquet)", declared)
}

func formatFromName(name string) (Format, error) {
	base := strings.TrimSuffix(strings.ToLower(name), ".gz")
	switch {
	case strings.HasSuffix(base, ".csv"), strings.HasSuffix(base, ".txt"), strings.HasSuffix(base, ".tsv"):
		return CSV, nil
	case strings.HasSuffix(base, ".jsonl"), strings.HasSuffix(base, ".ndjson"), strings.HasSuffix(base, ".json"):
		return JSONL, nil
	case strings.HasSuffix(base, ".parquet"):
		return Parquet, nil
	}
	return "", fmt.Errorf("cannot tell the format of %q from its name (.csv, .tsv, .txt, .jsonl, .ndjson, .json, .parquet, .gz too): "+
		"the source's format = \"csv\", \"jsonl\" or \"parquet\" in the configuration declares it", name)
}

// Compressed reports whether a file is gzipped, by its name.
func Compressed(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".gz") }
