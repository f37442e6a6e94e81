package reports

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// Definition is one report: where it goes in the workbook, how its columns
// look, and the query that produces its rows.
type Definition struct {
	Name    string   // from "-- report:", unique; also the CSV file's base name
	Sheet   string   // from "-- sheet:", at most 31 characters
	Title   string   // from "-- title:", optional; shown above the header
	Columns []Column // from "-- column:" lines, in the query's column order
	Chart   *Chart   // from "-- chart:", optional
	// Zone ("-- zone: last parameter") passes the query the name of the
	// zone its report is shown in (Options.Location) after the caller's
	// arguments, for times it writes into text, which no cell format shows
	// in a zone.
	Zone  bool
	Query string // everything after the header
}

// Column describes one column of a report: its SQL name, its title and how
// its values are shown.
type Column struct {
	Key         string  // the query's column name
	Title       string  // the header text
	Format      Format  // how values are shown
	CurrencyKey string  // for FormatMoney: the column holding the currency code
	Width       float64 // in Excel character widths
	Total       bool    // add this column to the totals row
	// TotalIfKnown ("total if known", money only) reads a blank amount as
	// one not known rather than none: its currency's total is left blank,
	// because a sum without it would read as the full amount.
	TotalIfKnown bool
}

// Chart asks for a chart of one column against another, placed beside the data.
type Chart struct {
	Kind  ChartKind
	Title string
	// Categories are the keys of the columns labelling the categories (x
	// axis), adjacent and in order: several label each category by all of
	// them (a multi-level axis), where one alone repeats (a profile per
	// environment).
	Categories []string
	Value      string // key of the numeric column giving the values
}

// Format says how a column's values are shown.
type Format string

// The formats a "-- column:" line may name. Money is written "money:<key>".
const (
	FormatText     Format = "text"
	FormatInt      Format = "int"
	FormatMoney    Format = "money"
	FormatPercent  Format = "percent"
	FormatDate     Format = "date"     // a calendar date (DuckDB DATE), shown as given, never shifted by a zone
	FormatDateTime Format = "datetime" // an instant, shown in Options.Location
	FormatKey      Format = "key"      // the name side of a manifest; shown as text
	FormatValue    Format = "value"    // the value side of a manifest; shown as text
)

// ChartKind is the kind of chart a "-- chart:" line asks for.
type ChartKind string

// The chart kinds a "-- chart:" line may name.
const (
	ChartColumn ChartKind = "column"
	ChartBar    ChartKind = "bar"
	ChartLine   ChartKind = "line"
	ChartPie    ChartKind = "pie"
)

// DefinitionError reports a malformed definition file, naming file and line.
type DefinitionError struct {
	File string
	Line int // 0 when the problem is the file as a whole
	Msg  string
}

func (e *DefinitionError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("report definition %s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("report definition %s:%d: %s", e.File, e.Line, e.Msg)
}

// LoadDefinitions parses every *.sql file at the root of fsys, in name order
// (prefix them 10-, 20-, ... to order the sheets). Any malformed header, a
// duplicate report or sheet name, or an empty query is an error naming the
// file and line, so that a broken definition stops start-up.
func LoadDefinitions(fsys fs.FS) ([]Definition, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read report definitions: %w", err)
	}
	var defs []Definition
	for _, e := range entries { // ReadDir sorts by name
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read report definition %s: %w", e.Name(), err)
		}
		d, err := ParseDefinition(e.Name(), string(b))
		if err != nil {
			return nil, err
		}
		if err := checkUnique(defs, d, e.Name()); err != nil {
			return nil, err
		}
		defs = append(defs, d)
	}
	return defs, nil
}

func checkUnique(defs []Definition, d Definition, file string) error {
	for _, o := range defs {
		if o.Name == d.Name {
			return &DefinitionError{File: file, Msg: fmt.Sprintf("report %q is already defined", d.Name)}
		}
		if strings.EqualFold(o.Sheet, d.Sheet) { // Excel compares sheet names without case
			return &DefinitionError{File: file, Msg: fmt.Sprintf("sheet %q is already used by report %q", d.Sheet, o.Name)}
		}
	}
	return nil
}

// ParseDefinition parses one definition file's text; file names it in errors.
func ParseDefinition(file, text string) (Definition, error) {
	p := parser{file: file}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	i := 0
	for ; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(line, "--") {
			break
		}
		if err := p.header(i+1, line); err != nil {
			return Definition{}, err
		}
	}
	p.def.Query = strings.TrimSpace(strings.Join(lines[i:], "\n"))
	if err := p.finish(); err != nil {
		return Definition{}, err
	}
	return p.def, nil
}

type parser struct {
	file      string
	def       Definition
	chartLine int
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &DefinitionError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// header parses one "-- key: value" line. A comment line that does not look
// like "-- word:" is allowed, but an unknown lowercase key is an error, so
// that a typo such as "-- colum:" does not silently drop a column.
func (p *parser) header(n int, line string) error {
	body := strings.TrimSpace(strings.TrimPrefix(line, "--"))
	key, value, ok := strings.Cut(body, ":")
	if !ok || !isHeaderKey(key) {
		return nil
	}
	value = strings.TrimSpace(value)
	switch key {
	case "report":
		return p.single(n, &p.def.Name, key, value)
	case "sheet":
		return p.single(n, &p.def.Sheet, key, value)
	case "title":
		return p.single(n, &p.def.Title, key, value)
	case "column":
		return p.column(n, value)
	case "chart":
		return p.chart(n, value)
	case "zone":
		return p.zone(n, value)
	}
	return p.errorf(n, "unknown header %q (want report, sheet, title, column, chart or zone)", key)
}

// zone reads "-- zone: last parameter", the one place the zone's name goes.
func (p *parser) zone(n int, value string) error {
	if p.def.Zone {
		return p.errorf(n, "zone given twice")
	}
	if value != "last parameter" {
		return p.errorf(n, "zone %q: want \"last parameter\"", value)
	}
	p.def.Zone = true
	return nil
}

func isHeaderKey(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

func (p *parser) single(n int, dst *string, key, value string) error {
	if *dst != "" {
		return p.errorf(n, "%s given twice", key)
	}
	if value == "" {
		return p.errorf(n, "%s is empty", key)
	}
	*dst = value
	return nil
}

// column parses "key | Title | format | width [| total | total if known]".
func (p *parser) column(n int, value string) error {
	f := splitFields(value)
	if len(f) != 4 && len(f) != 5 {
		return p.errorf(n, "column wants \"key | Title | format | width [| total | total if known]\", got %d fields", len(f))
	}
	c := Column{Key: f[0], Title: f[1]}
	if c.Key == "" || c.Title == "" {
		return p.errorf(n, "column key and title must not be empty")
	}
	if p.def.column(c.Key) >= 0 {
		return p.errorf(n, "column %q given twice", c.Key)
	}
	var err error
	if c.Format, c.CurrencyKey, err = parseFormat(f[2]); err != nil {
		return p.errorf(n, "column %q: %v", c.Key, err)
	}
	w, err := strconv.ParseFloat(f[3], 64)
	if err != nil || w <= 0 || w > 255 {
		return p.errorf(n, "column %q: width %q is not a number between 0 and 255", c.Key, f[3])
	}
	c.Width = w
	if len(f) == 5 {
		if err := c.setTotal(f[4]); err != nil {
			return p.errorf(n, "column %q: %v", c.Key, err)
		}
	}
	p.def.Columns = append(p.def.Columns, c)
	return nil
}

// setTotal applies a column's option: "total", or "total if known".
func (c *Column) setTotal(option string) error {
	switch {
	case option == "total" && (c.Format == FormatInt || c.Format == FormatMoney):
	case option == "total":
		return fmt.Errorf("only int and money columns can have a total")
	case option == "total if known" && c.Format == FormatMoney:
		c.TotalIfKnown = true
	case option == "total if known":
		return fmt.Errorf("only money columns can have a total if known")
	default:
		return fmt.Errorf("unknown option %q (want total or total if known)", option)
	}
	c.Total = true
	return nil
}

func parseFormat(s string) (Format, string, error) {
	if cur, ok := strings.CutPrefix(s, "money:"); ok {
		if cur == "" {
			return "", "", fmt.Errorf("money wants its currency column: money:<key>")
		}
		return FormatMoney, cur, nil
	}
	switch f := Format(s); f {
	case FormatText, FormatInt, FormatPercent, FormatDate, FormatDateTime, FormatKey, FormatValue:
		return f, "", nil
	}
	return "", "", fmt.Errorf("unknown format %q (want text, int, money:<key>, percent, date, datetime, key or value)", s)
}

// chart parses "kind | title | category columns | value column", the
// category columns separated by commas.
func (p *parser) chart(n int, value string) error {
	if p.def.Chart != nil {
		return p.errorf(n, "chart given twice")
	}
	f := splitFields(value)
	if len(f) != 4 {
		return p.errorf(n, "chart wants \"kind | title | category column | value column\", got %d fields", len(f))
	}
	c := &Chart{Kind: ChartKind(f[0]), Title: f[1], Categories: strings.Split(f[2], ","), Value: f[3]}
	for i := range c.Categories {
		c.Categories[i] = strings.TrimSpace(c.Categories[i])
	}
	switch c.Kind {
	case ChartColumn, ChartBar, ChartLine, ChartPie:
	default:
		return p.errorf(n, "unknown chart kind %q (want column, bar, line or pie)", f[0])
	}
	p.def.Chart, p.chartLine = c, n
	return nil
}

func splitFields(s string) []string {
	f := strings.Split(s, "|")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	return f
}

// finish checks what only the whole header can tell: required lines, and
// references from money and chart to other columns.
func (p *parser) finish() error {
	d := &p.def
	switch {
	case d.Name == "":
		return p.errorf(0, "missing \"-- report:\" line")
	case d.Sheet == "":
		return p.errorf(0, "missing \"-- sheet:\" line")
	case len(d.Columns) == 0:
		return p.errorf(0, "no \"-- column:\" lines")
	case d.Query == "":
		return p.errorf(0, "no query after the header")
	}
	if err := checkSheetName(d.Sheet); err != nil {
		return p.errorf(0, "%v", err)
	}
	for _, c := range d.Columns {
		if c.Format != FormatMoney {
			continue
		}
		i := d.column(c.CurrencyKey)
		if i < 0 || !isTextual(d.Columns[i].Format) {
			return p.errorf(0, "column %q: currency column %q is not a text column of this report", c.Key, c.CurrencyKey)
		}
	}
	return p.checkChart()
}

func (p *parser) checkChart() error {
	c := p.def.Chart
	if c == nil {
		return nil
	}
	first := p.def.column(c.Categories[0])
	for i, key := range c.Categories {
		switch at := p.def.column(key); {
		case at < 0:
			return p.errorf(p.chartLine, "chart category column %q is not a column of this report", key)
		case at != first+i:
			return p.errorf(p.chartLine, "chart category column %q does not follow %q: a chart's categories are one range", key, c.Categories[i-1])
		}
	}
	i := p.def.column(c.Value)
	if i < 0 || !isNumeric(p.def.Columns[i].Format) {
		return p.errorf(p.chartLine, "chart value column %q is not an int, money or percent column of this report", c.Value)
	}
	return nil
}

func isTextual(f Format) bool { return f == FormatText || f == FormatKey || f == FormatValue }

func isNumeric(f Format) bool { return f == FormatInt || f == FormatMoney || f == FormatPercent }

// column returns the index of the column with key, or -1.
func (d *Definition) column(key string) int {
	for i, c := range d.Columns {
		if c.Key == key {
			return i
		}
	}
	return -1
}

// maxSheetName is Excel's limit on the length of a sheet name.
const maxSheetName = 31

func checkSheetName(s string) error {
	if len([]rune(s)) > maxSheetName {
		return fmt.Errorf("sheet name %q is longer than %d characters", s, maxSheetName)
	}
	if strings.ContainsAny(s, `[]:*?/\`) || strings.HasPrefix(s, "'") || strings.HasSuffix(s, "'") {
		return fmt.Errorf("sheet name %q contains a character Excel refuses", s)
	}
	return nil
}
