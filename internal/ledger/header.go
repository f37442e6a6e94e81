package ledger

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Field is a canonical column, the file's own name for it ("" when the file
// lacks an optional column) and the value map applied to it.
type Field struct {
	Name   string
	Source string
	Values []ValuePair
}

// Mappable says whether a value map may cover the field's column: its
// values are a closed vocabulary (ValueColumns), checked once mapped, where
// any other column's text is stored as it is.
func (f Field) Mappable() bool { return isValueColumn(f.Name) }

// Required says whether every record must hold a value of the field.
func (f Field) Required() bool {
	return slices.ContainsFunc(Columns, func(c Column) bool { return c.Name == f.Name && c.Required })
}

// ErrMissingColumns rejects a file whose header lacks required columns.
var ErrMissingColumns = errors.New("header lacks required columns")

// ReadHeader reads the header line of a CSV file, gzipped when its name ends
// in .gz; a UTF-8 BOM is allowed.
func ReadHeader(path string, delim rune) ([]string, error) {
	in, err := openText(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	return readCSVHeader(in, delim)
}

// readCSVHeader reads the first record of a file's text, which openText
// has passed a BOM over: a quoted first name after one is no quote
// mid-field.
func readCSVHeader(in io.Reader, delim rune) ([]string, error) {
	r := csv.NewReader(in)
	r.Comma = delim
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("file is empty: no header line")
	}
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	// Go's reader passes over blank lines and keeps a lone CR inside a
	// field; DuckDB would read both otherwise, so neither gets that far.
	if line, _ := r.FieldPos(0); line != 1 {
		return nil, fmt.Errorf("line 1: blank: the header must be the file's first line (it is on line %d)", line)
	}
	if strings.ContainsRune(strings.Join(header, ""), '\r') {
		return nil, fmt.Errorf("line 1: lines end in a carriage return alone; a file's lines must end in LF or CRLF")
	}
	return header, nil
}

// MapHeader matches a header to the canonical columns, case-insensitively.
// A missing required column rejects the file with every missing name.
func MapHeader(header []string) ([]Field, error) { return Mapping{}.Map(header) }

// Map matches a header to the canonical columns through the mapping's
// renames, case-insensitively. A missing required column rejects the file
// with every missing name (and the file column it was mapped from).
func (m Mapping) Map(header []string) ([]Field, error) {
	byName := map[string]string{}
	for _, h := range header {
		byName[strings.ToLower(strings.TrimSpace(h))] = h
	}
	fields := make([]Field, len(Columns))
	var missing []string
	for i, c := range Columns {
		want := c.Name
		if r, ok := m.Columns[c.Name]; ok {
			want = r
		}
		fields[i] = Field{Name: c.Name, Source: byName[strings.ToLower(strings.TrimSpace(want))], Values: m.ValuePairs(c.Name)}
		if c.Required && fields[i].Source == "" {
			missing = append(missing, describeMissing(c.Name, want))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("line 1: %w: %s", ErrMissingColumns, strings.Join(missing, ", "))
	}
	return fields, nil
}

func describeMissing(canon, want string) string {
	if canon == want {
		return canon
	}
	return fmt.Sprintf("%s (mapped from %q)", canon, want)
}
