package ledger

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Mapping turns one partner's export shape into the canonical columns. The
// zero Mapping reads a canonical comma-separated file.
type Mapping struct {
	// Delimiter separates CSV fields: one character, "," when empty, "\t" for tab.
	Delimiter string `toml:"delimiter"`
	// Columns renames: canonical column → the file's column (case-insensitive).
	Columns map[string]string `toml:"columns"`
	// Values maps the file's values of an enum column (status, initiator,
	// channel, environment, is_recurring, currency) to canonical ones,
	// case-insensitively. Values not listed pass through and are validated
	// as they are (a currency in upper case: "usd" is USD).
	Values map[string]map[string]string `toml:"values"`
	// AmountUnit is "major" (19.99, the default) or "minor" (1999 cents).
	AmountUnit string `toml:"amount_unit"`
	// TimeLayout is how processed_at is written when it is not RFC 3339:
	// "MM/DD/YYYY HH:MM" style, or a strptime format with %.
	TimeLayout string `toml:"time_layout"`
	// Zone is the IANA zone of naive times; the configuration's zone when empty.
	Zone string `toml:"zone"`
	// RowsEndInDelimiter says the exporter ends each CSV row, not the
	// header, in a delimiter: a row of one empty field more than the header
	// is whole. Without it such a row is a misfit, as a delimiter unquoted
	// in a value over an empty last column would make it: only the source
	// can tell the two apart.
	RowsEndInDelimiter bool `toml:"rows_end_in_delimiter"`
}

// ValueColumns are the columns a Mapping may map values of.
var ValueColumns = []string{"status", "initiator", "channel", "environment", "is_recurring", "currency"}

// Validate reports every problem of the mapping at once.
func (m Mapping) Validate() error {
	var errs []error
	if _, err := m.Delim(); err != nil {
		errs = append(errs, err)
	}
	for canon := range m.Columns {
		if !isColumn(canon) {
			errs = append(errs, fmt.Errorf("columns: %q is not a canonical column", canon))
		}
	}
	for canon, values := range m.Values {
		if !isValueColumn(canon) {
			errs = append(errs, fmt.Errorf("values: %q is not one of %s", canon, strings.Join(ValueColumns, ", ")))
		}
		if err := oneValueEach(canon, values); err != nil {
			errs = append(errs, err)
		}
	}
	if m.AmountUnit != "" && m.AmountUnit != "major" && m.AmountUnit != "minor" {
		errs = append(errs, fmt.Errorf("amount_unit: %q is not major or minor", m.AmountUnit))
	}
	if _, err := m.Location(time.UTC); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// oneValueEach refuses a value map with two spellings of one file value
// (matched trimmed and without regard to case, as ValuePairs lists them)
// mapped to different values: which one a row gets would depend on Go's map
// order, and change from one run to the next.
func oneValueEach(canon string, values map[string]string) error {
	pairs := valuePairs(values)
	var clashes []string
	for i := 1; i < len(pairs); i++ {
		if pairs[i].From == pairs[i-1].From && pairs[i].To != pairs[i-1].To {
			clashes = append(clashes, fmt.Sprintf("%q", pairs[i].From))
		}
	}
	if len(clashes) == 0 {
		return nil
	}
	return fmt.Errorf("values: %s: %s mapped to different values in different spellings (file values match without regard to case and spaces)",
		canon, strings.Join(slices.Compact(clashes), ", "))
}

// Delim is the CSV delimiter as one rune.
func (m Mapping) Delim() (rune, error) {
	switch m.Delimiter {
	case "":
		return ',', nil
	case `\t`, "tab":
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(m.Delimiter)
	if n != len(m.Delimiter) || r == '"' || r == '\n' || r == '\r' {
		return 0, fmt.Errorf("delimiter: %q is not one character other than a quote or newline", m.Delimiter)
	}
	return r, nil
}

// Location is the zone of naive times: Zone, else def.
func (m Mapping) Location(def *time.Location) (*time.Location, error) {
	if m.Zone == "" {
		return def, nil
	}
	loc, err := time.LoadLocation(m.Zone)
	if err != nil {
		return nil, fmt.Errorf("zone: unknown time zone %q", m.Zone)
	}
	return loc, nil
}

// MinorUnits reports whether amounts are written in minor units.
func (m Mapping) MinorUnits() bool { return m.AmountUnit == "minor" }

// Strptime is TimeLayout as a DuckDB strptime format, "" for RFC 3339.
func (m Mapping) Strptime() string {
	if m.TimeLayout == "" || strings.Contains(m.TimeLayout, "%") {
		return m.TimeLayout
	}
	return strptime(m.TimeLayout)
}

// layoutTokens are matched longest first; MM is the month unless the token
// before it (a separator between them or not: "HH:MM", "HHMMSS") is an
// hour, where it can only mean minutes.
var layoutTokens = []struct{ token, format string }{
	{"YYYY", "%Y"}, {"YY", "%y"}, {"DD", "%d"}, {"HH", "%H"}, {"hh", "%I"},
	{"mm", "%M"}, {"SS", "%S"}, {"ss", "%S"}, {"AM", "%p"}, {"PM", "%p"}, {"MM", "%m"},
}

func strptime(layout string) string {
	var b strings.Builder
	prev := ""
	for i := 0; i < len(layout); {
		tok, f := matchToken(layout[i:])
		switch {
		case tok == "":
			tok, f = layout[i:i+1], layout[i:i+1]
		case tok == "MM" && (prev == "HH" || prev == "hh"):
			f = "%M"
			fallthrough
		default:
			prev = tok
		}
		b.WriteString(f)
		i += len(tok)
	}
	return b.String()
}

func matchToken(s string) (string, string) {
	for _, t := range layoutTokens {
		if strings.HasPrefix(s, t.token) {
			return t.token, t.format
		}
	}
	return "", ""
}

// ValuePair is one entry of a value map, the file's value folded (FoldValue).
type ValuePair struct{ From, To string }

// ValuePairs lists the value map of a canonical column in a stable order.
func (m Mapping) ValuePairs(canon string) []ValuePair { return valuePairs(m.Values[canon]) }

func valuePairs(values map[string]string) []ValuePair {
	var pairs []ValuePair
	for from, to := range values {
		pairs = append(pairs, ValuePair{FoldValue(from), to})
	}
	sort.Slice(pairs, func(i, j int) bool {
		return pairs[i].From < pairs[j].From || pairs[i].From == pairs[j].From && pairs[i].To < pairs[j].To
	})
	return pairs
}

// FoldValue is a value as a value map matches it: lower case, without the
// spaces around it. The load matches a file's values in DuckDB, by
// lower(trim(value)) (the "field" template of ingest.sql), and the entries
// folded here must be folded alike, or an entry the check accepts (and
// ingest --check shows) would never match: so the spaces are those trim()
// strips, the Unicode space separators, not strings.TrimSpace's (which also
// strips tabs, line ends, U+0085, U+2028 and U+2029: an entry "OK\t" became
// "ok", and matched neither OK nor OK and a tab). Go's ToLower and DuckDB's
// lower() agree on every character (TestValueMapFoldsAsDuckDB).
func FoldValue(s string) string {
	return strings.ToLower(strings.TrimFunc(s, func(r rune) bool { return unicode.Is(unicode.Zs, r) }))
}

func isColumn(name string) bool {
	for _, c := range Columns {
		if c.Name == name {
			return true
		}
	}
	return false
}

func isValueColumn(name string) bool {
	for _, c := range ValueColumns {
		if c == name {
			return true
		}
	}
	return false
}
