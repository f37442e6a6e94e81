package ledger

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Field is a canonical column and the file's own name for it ("" when the
// file lacks an optional column).
type Field struct {
	Name   string
	Source string
}

// ErrMissingColumns rejects a file whose header lacks required columns.
var ErrMissingColumns = errors.New("header lacks required columns")

// ReadHeader reads the header line of a CSV file (a UTF-8 BOM is allowed).
func ReadHeader(path string, delim rune) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.Comma = delim
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("file is empty: no header line")
	}
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	return header, nil
}

// MapHeader matches a header to the canonical columns, case-insensitively.
// A missing required column rejects the file with every missing name.
func MapHeader(header []string) ([]Field, error) {
	byName := map[string]string{}
	for _, h := range header {
		byName[strings.ToLower(strings.TrimSpace(h))] = h
	}
	fields := make([]Field, len(Columns))
	var missing []string
	for i, c := range Columns {
		fields[i] = Field{Name: c.Name, Source: byName[c.Name]}
		if c.Required && fields[i].Source == "" {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("line 1: %w: %s", ErrMissingColumns, strings.Join(missing, ", "))
	}
	return fields, nil
}
