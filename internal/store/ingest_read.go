package store

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/recon"
)

// plan is a LoadFile with what reading it takes worked out: its format, its
// columns and which of them feeds each canonical column.
type plan struct {
	LoadFile
	format ledger.Format
	header []string
	fields []ledger.Field
	delim  rune
	zone   *time.Location
	line   int64 // the line card-columns looks at
	shifts []ledger.LineShift
	// misfits: the CSV has records with other numbers of fields than its
	// header; extra names the columns its longest ones have beyond it;
	// serial: DuckDB must read it on one thread (restage)
	misfits, serial bool
	extra           []string
	// guard, trim and nul: whether DuckDB must look for card numbers, trim
	// values and look for NUL bytes in them, or the file's screen cleared
	// it of them (screenedCSV)
	guard, trim, nul bool
	// unmarked is a copy of a JSON Lines file without the BOM it begins
	// with, which DuckDB reads in its place (unmarkJSON); "" for most files
	unmarked string
	// respelt: a JSON Lines file's keys that only ever appear beside
	// another spelling of themselves (readHeader); keys: every key of it,
	// as it spells them, which a record may name twice
	respelt []respelling
	keys    []string
}

// plan reads the file's columns and maps them; a file that cannot be read
// or lacks required columns is rejected here, before anything is staged.
func (db *DB) plan(ctx context.Context, conn *sqlx.Conn, lf LoadFile) (p plan, err error) {
	p.LoadFile = lf
	if p.format, err = ledger.FormatOf(string(lf.Format), lf.File.Name); err != nil {
		return p, err
	}
	if p.delim, err = lf.Mapping.Delim(); err != nil {
		return p, err
	}
	zone := lf.Zone
	if zone == nil {
		zone = time.UTC
	}
	if p.zone, err = lf.Mapping.Location(zone); err != nil {
		return p, err
	}
	if err = db.unmarkJSON(&p); err != nil {
		return p, err
	}
	if p.header, p.keys, p.respelt, err = db.readHeader(ctx, conn, p); err != nil {
		return p, err
	}
	p.fields, err = lf.Mapping.Map(p.header)
	screened := p.screenedCSV()
	p.guard = !screened || lf.File.Screen.MayHoldCard()
	p.trim = !screened || lf.File.Screen.MayNeedTrim(byte(p.delim))
	p.nul = !screened || lf.File.Screen.MayHoldNUL()
	return p, err
}

// unmarkJSON has DuckDB read a JSON Lines file that begins with a UTF-8
// BOM, as Windows tools write one, from a copy without it: its JSON reader
// reads the first line as malformed, and has no option to pass over the
// mark, which DuckDB's CSV reader does. The copy goes beside the database,
// on the disk sized for the data (the OS's temporary folder may be memory),
// unless the database is only read (ingest --check, whose user may not
// write there), and the caller removes it (removeCopy). Go's readers pass over the mark
// themselves and read the file, whose lines the copy keeps; its name and
// hash are the file's.
func (db *DB) unmarkJSON(p *plan) (err error) {
	if p.format != ledger.JSONL {
		return nil
	}
	dir, pattern := "", "flexrecon-nobom-*"
	if db.path != "" && !db.readOnly {
		dir, pattern = filepath.Dir(db.path), filepath.Base(db.path)+bomless+"*"
	}
	p.unmarked, err = ledger.WithoutBOM(p.File.Path, dir, pattern)
	return err
}

// bomless marks, after the database's own name, the copies unmarkJSON
// makes beside it: a process killed during a load leaves its copy, which the
// next Open of the database removes (sweepCopies); no other process writes
// the database meanwhile.
const bomless = ".nobom-"

// sweepCopies removes what loads of the database at path left of their
// BOM-less copies (unmarkJSON): killed before they could, each left the
// whole text of a file, which a rejection may have kept from the database.
func sweepCopies(path string) error {
	dir, prefix := filepath.Dir(path), filepath.Base(path)+bomless
	entries, err := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			err = errors.Join(err, os.Remove(filepath.Join(dir, e.Name())))
		}
	}
	return err
}

// removeCopy removes the copy DuckDB read of the file, if it read one.
func (p plan) removeCopy() {
	if p.unmarked != "" {
		os.Remove(p.unmarked)
	}
}

// source is the file DuckDB reads, and how it is compressed: the file, or
// its copy without a BOM (unmarkJSON), never gzipped.
func (p plan) source() (path, compressed string) {
	if p.unmarked != "" {
		return p.unmarked, "uncompressed"
	}
	return p.File.Path, compression(p.File.Name)
}

// screenedCSV says whether the hash's screen read the bytes DuckDB reads as
// the values: a CSV (a JSON value's escapes may spell digits) not gzipped,
// with a one-byte delimiter, and settled, so not written since it was read.
// stage checks after reading that it still is what was hashed.
func (p plan) screenedCSV() bool {
	return p.format == ledger.CSV && !ledger.Compressed(p.File.Name) && p.delim < 0x80 && p.File.Settled()
}

// readHeader lists the file's columns: a CSV's header line, read in Go; the
// keys of a JSON Lines file or the schema of a Parquet file, read by DuckDB.
// Its names as the file spells them come too, before any is a column's.
// A JSON Lines key that only ever appears beside another spelling of it is
// no column but a respelling, whose records are quarantined.
func (db *DB) readHeader(ctx context.Context, conn *sqlx.Conn, p plan) (names, keys []string, respelt []respelling, err error) {
	cols, err := db.readColumns(ctx, conn, p)
	if err != nil {
		return nil, nil, nil, err
	}
	// A name is read before any value is guarded, and names are quoted in
	// messages and check's output: one that holds a card number rejects the
	// file unquoted. Names match case-insensitively, so two that differ only
	// in case would leave it open which column a value comes from. A column
	// without a name (a delimiter ending every line, as some exports write)
	// is named by its place, and is not mapped unless a mapping names it so.
	spellings := map[string][]string{}
	seen := map[string]int{}
	for i, c := range cols {
		c = columnName(i, c)
		if ledger.CardLike(c) {
			place, err := db.namePlace(ctx, conn, p, c, i+1)
			return nil, nil, nil, cmp.Or(err, cardNameRejection(place))
		}
		key := strings.ToLower(strings.TrimSpace(c))
		first, ok := seen[key]
		switch {
		case !ok:
			seen[key] = i + 1
			names = append(names, c)
		case p.format != ledger.JSONL:
			return nil, nil, nil, fmt.Errorf("%w: line 1 column %d: the name %q is column %d's already (names are matched without regard to case)", ErrRejected, i+1, c, first)
		}
		spellings[key] = append(spellings[key], c)
	}
	for i, c := range names {
		s := spellings[strings.ToLower(strings.TrimSpace(c))]
		if len(s) < 2 {
			continue
		}
		column, r, err := db.respell(ctx, conn, p, s)
		if err != nil {
			return nil, nil, nil, err
		}
		names[i], respelt = column, append(respelt, r...)
	}
	return names, cols, respelt, nil
}

// columnName is the name of the file's column or key i (from 0), named
// name: its place (column 3) when it has none or only spaces, which no
// message could show apart from another (key " " and key "  ").
func columnName(i int, name string) string {
	if strings.TrimSpace(name) == "" {
		return fmt.Sprintf("column %d", i+1)
	}
	return name
}

// keyText is how a reason names the file's key i (from 0): quoted as Go
// does, or by its place when it has no name (columnName).
func keyText(i int, key string) string {
	if column := columnName(i, key); column != key {
		return column
	}
	return "key " + strconv.Quote(key)
}

// namePlace is where the file names its column (counted from 1): a CSV's
// or Parquet file's header, line 1; a JSON Lines file has none, and names
// a key in the first record that has it.
func (db *DB) namePlace(ctx context.Context, conn *sqlx.Conn, p plan, name string, column int) (string, error) {
	if p.format == ledger.JSONL {
		return db.jsonKeyPlace(ctx, conn, p, name)
	}
	return fmt.Sprintf("line 1 column %d", column), nil
}

func (db *DB) readColumns(ctx context.Context, conn *sqlx.Conn, p plan) ([]string, error) {
	if p.format == ledger.CSV {
		return ledger.ReadHeader(p.File.Path, p.delim)
	}
	query, err := p.render(db.q, "columns")
	if err != nil {
		return nil, err
	}
	var cols []string
	if err := conn.SelectContext(ctx, &cols, query); err != nil {
		return nil, cleanCSVError(err, p.fileLine)
	}
	switch {
	case len(cols) > 0:
		return cols, nil
	case p.format == ledger.JSONL:
		return nil, noJSONObject(p)
	}
	return nil, errNoRecords
}

var errNoRecords = errors.New("file is empty: no records")

// readTemplate is what the reading templates of ingest.sql see. Every value
// reaching the SQL is quoted by literal, ident or jsonKey, never spliced raw.
type readTemplate struct {
	Format                      ledger.Format
	Path, Delim, Zone, Strptime string
	ColumnTypes                 string
	Compression                 string   // by the file's name, which DuckDB reads case-sensitively
	Columns                     []string // the file's columns, every one card-checked
	Misfits, Serial             bool     // a CSV has records of other lengths (plan.misfits, plan.serial)
	Minor, Layout, ZonedLayout  bool
	Guard                       bool // look for card numbers (a CSV's screen may spare it)
	NUL                         bool // look for NUL bytes in values (likewise)
	Fields                      []stageField
	Currencies                  []currencyDigits
	Line                        int64
	// JSONPaths lists, as a SQL list, the JSON path of each mapped key
	// (stageField.JSONIndex); Respelt the keys a JSON Lines record may not
	// have (plan.respelt); Keys every key it may name twice (plan.keys).
	JSONPaths string
	Respelt   []respelling
	Keys      []string
}

// currencyDigits is one known currency and its minor digits.
type currencyDigits struct {
	Code   string
	Digits int
}

// knownCurrencies lists the currencies the currencies table is seeded
// with, in order so that a file's queries render the same every time: the
// ones most exports are in first, since the CASE that finds a record's
// digits compares it with every code before its own (some 150 in all).
func knownCurrencies() []currencyDigits {
	var out []currencyDigits
	for code, digits := range recon.Currencies() {
		out = append(out, currencyDigits{code, digits})
	}
	rank := func(code string) int {
		if i := slices.Index(frequentCurrencies, code); i >= 0 {
			return i
		}
		return len(frequentCurrencies)
	}
	slices.SortFunc(out, func(a, b currencyDigits) int {
		return cmp.Or(cmp.Compare(rank(a.Code), rank(b.Code)), strings.Compare(a.Code, b.Code))
	})
	return out
}

// frequentCurrencies are tried first when an amount's digits are looked up.
var frequentCurrencies = []string{"USD", "EUR", "GBP", "CAD", "AUD"}

// stageField is a ledger.Field with the file's format, which decides how
// its value is taken from a record.
type stageField struct {
	ledger.Field
	Format ledger.Format
	Trim   bool // the file's screen found a space a value may begin or end with
	// JSONIndex is the field's place in JSONPaths, from 1; 0 for a field
	// the file lacks.
	JSONIndex int
}

func (p plan) params() readTemplate {
	columns := slices.Concat(p.header, p.extra)
	fields := make([]stageField, len(p.fields))
	var paths []string
	for i, f := range p.fields {
		fields[i] = stageField{Field: f, Format: p.format, Trim: p.trim}
		if f.Source != "" {
			paths = append(paths, jsonKey(f.Source))
			fields[i].JSONIndex = len(paths)
		}
	}
	layout := p.Mapping.Strptime()
	path, compressed := p.source()
	return readTemplate{
		Format: p.format, Path: literal(path), Delim: literal(string(p.delim)),
		Zone: literal(p.zone.String()), Strptime: literal(layout),
		Layout:      layout != "",
		ZonedLayout: strings.Contains(layout, "%z") || strings.Contains(layout, "%Z"),
		ColumnTypes: varcharColumns(columns), Minor: p.Mapping.MinorUnits(),
		Guard: p.guard, NUL: p.nul, Fields: fields, Currencies: knownCurrencies(), Line: p.line, Columns: columns, Misfits: p.misfits, Serial: p.serial,
		Compression: literal(compressed), JSONPaths: "[" + strings.Join(paths, ", ") + "]", Respelt: p.respelt, Keys: p.keys,
	}
}

// varcharColumns is read_csv's columns option reading each named column
// as text: with it, DuckDB does not sniff the file, whose failures say
// neither line nor reason ("Error when sniffing file").
func varcharColumns(names []string) string {
	types := make([]string, len(names))
	for i, n := range names {
		types[i] = literal(n) + ": 'VARCHAR'"
	}
	return "{" + strings.Join(types, ", ") + "}"
}

// compression is how DuckDB must read a file, by its name: told, not left
// to guess, since DuckDB's guess misses an upper-case ".GZ".
func compression(name string) string {
	if ledger.Compressed(name) {
		return "gzip"
	}
	return "uncompressed"
}

// render fills one of the reading templates defined in the stage-csv,
// shift-lines and card-columns queries of ingest.sql, which share their
// definitions.
func (p plan) render(q *Queries, name string) (string, error) {
	t := template.New("").Funcs(template.FuncMap{"ident": ident, "literal": literal, "jsonKey": jsonKey,
		"keyValuePattern": keyValuePattern, "keyEscape": keyEscape, "quote": quote, "columnName": columnName, "keyText": keyText})
	for _, body := range []string{q.StageCSV, q.ShiftLines, q.CardColumns} {
		if _, err := t.New(fmt.Sprint(len(t.Templates()))).Parse(body); err != nil {
			return "", fmt.Errorf("parse reading templates: %w", err)
		}
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, p.params()); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return b.String(), nil
}

// quote is how a quarantine's reason names a key or column, as a SQL
// literal: Go-quoted, as every message naming one does (respell, the card
// and header rejections), so that the reason says where the key begins and
// ends whatever it holds (a quote or backslash escaped, a line break as
// \n); the finding's column names it as the file spells it.
func quote(key string) string { return literal(strconv.Quote(key)) }

// jsonKey is the JSON path of one top-level key, as a SQL literal.
func jsonKey(key string) string {
	return literal(`$."` + strings.ReplaceAll(strings.ReplaceAll(key, `\`, `\\`), `"`, `\"`) + `"`)
}

// keyValuePattern is a regular expression, as a SQL literal, that finds key
// unescaped in a JSON record's text and captures the text of its value up
// to a space, comma or bracket: the whole of a number.
func keyValuePattern(key string) string {
	return literal(`"` + regexp.QuoteMeta(key) + `"\s*:\s*([^\s,}\]]*)`)
}

// keyEscape is what a JSON record's text holds, as a SQL literal, where key
// may be spelt in escapes in it: a backslash, for a key with a character
// JSON escapes by name (a quote, backslash, slash or control character);
// else \u, the escape that spells any other. A record with other escapes,
// such as the \/ some exporters write for every slash, still has key's own
// spelling.
func keyEscape(key string) string {
	if strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || strings.ContainsRune(`"\/`, r) }) {
		return literal(`\`)
	}
	return literal(`\u`)
}
