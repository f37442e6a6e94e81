package reports

import (
	"archive/zip"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/xuri/excelize/v2"
)

// WriteWorkbook runs every definition's query with args and writes one sheet
// per report, in order, to w as an .xlsx workbook. Every sheet is streamed,
// so memory stays flat however long the lists are; a list longer than a sheet
// continues on "Sheet (2)", "Sheet (3)", ... each with its own header.
// Rows go to temporary files first: nothing reaches w unless every query
// succeeds, so an HTTP handler can still answer with an error.
func WriteWorkbook(ctx context.Context, w io.Writer, q Querier, defs []Definition, opt Options, args ...any) (err error) {
	if len(defs) == 0 {
		return errors.New("write workbook: no report definitions")
	}
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil { // Close removes stream temp files
			err = fmt.Errorf("write workbook: %w", cerr)
		}
	}()
	b := &book{f: f, opt: opt, styles: map[string]int{}}
	for i := range defs {
		if err := b.report(ctx, q, &defs[i], args); err != nil {
			return fmt.Errorf("write report %q: %w", defs[i].Name, err)
		}
	}
	f.SetActiveSheet(0)
	if err := save(f, w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// save zips the workbook straight into w. excelize's Write would first build
// the whole zip in a bytes.Buffer (100 MB and more at a million rows) and
// compress at the default level, which took 40 % of the time; BestSpeed
// costs about a third more bytes. The zip writer handed to excelize writes
// to w and ignores the buffer excelize offers, which then stays empty.
// excelize only patches that buffer for parts over 4 GB (zip64), far beyond
// a sheet of a million rows.
func save(f *excelize.File, w io.Writer) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zw })
	return f.Write(io.Discard)
}

// book is a workbook being written, with its styles created once each.
type book struct {
	f      *excelize.File
	opt    Options
	styles map[string]int
	sheets int
	err    error // the first failure to create a style
}

// report streams one report onto one or more sheets.
func (b *book) report(ctx context.Context, q Querier, def *Definition, args []any) error {
	r, err := openReader(ctx, q, def, b.opt, args)
	if err != nil {
		return err
	}
	defer r.Close()
	rw, err := b.newReportWriter(def)
	if err != nil {
		return err
	}
	tot := newTotals(def)
	for r.Next() {
		if err := tot.add(r.vals); err != nil {
			return err
		}
		if err := rw.data(r.vals); err != nil {
			return err
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	if err := rw.finish(tot); err != nil {
		return err
	}
	return b.err
}

// reportWriter places a report's rows on sheets, starting a new sheet when
// one is full.
type reportWriter struct {
	b       *book
	def     *Definition
	limit   int // rows per sheet
	reserve int // rows each sheet keeps free for totals
	p       *part
	spans   []span
	cells   []excelize.Cell
	row     []any
}

// part is one sheet of a report.
type part struct {
	sw       *excelize.StreamWriter
	name     string
	n        int
	header   int // header row
	row      int // last row written
	dataLast int // last data row; header when there is none
}

func (b *book) newReportWriter(def *Definition) (*reportWriter, error) {
	rw := &reportWriter{b: b, def: def, limit: b.opt.rowLimit()}
	if newTotals(def).wanted() {
		rw.reserve = 1
	}
	if min := rw.headerRow() + 1 + rw.reserve; rw.limit < min {
		return nil, fmt.Errorf("sheet row limit %d leaves no room for data (want at least %d)", rw.limit, min)
	}
	rw.cells = make([]excelize.Cell, len(def.Columns))
	rw.row = make([]any, len(def.Columns))
	return rw, rw.startPart(1)
}

func (rw *reportWriter) headerRow() int {
	if rw.def.Title != "" {
		return 2
	}
	return 1
}

// startPart creates sheet n of the report and writes its title and header.
func (rw *reportWriter) startPart(n int) error {
	name := partName(rw.def.Sheet, n)
	sw, err := rw.b.newSheet(name)
	if err != nil {
		return err
	}
	h := rw.headerRow()
	rw.p = &part{sw: sw, name: name, n: n, header: h, row: h, dataLast: h}
	// excelize puts each new <col> before the earlier ones; setting widths
	// last to first keeps them ascending, which Excel insists on.
	for i := len(rw.def.Columns) - 1; i >= 0; i-- {
		c := rw.def.Columns[i]
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return fmt.Errorf("set width of column %q: %w", c.Key, err)
		}
	}
	if err := sw.SetPanes(freezeBelow(h)); err != nil {
		return fmt.Errorf("freeze header of sheet %q: %w", name, err)
	}
	return rw.writeHeading(n)
}

func freezeBelow(header int) *excelize.Panes {
	top := cellName(0, header+1)
	return &excelize.Panes{
		Freeze: true, YSplit: header, TopLeftCell: top, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}},
	}
}

func (rw *reportWriter) writeHeading(n int) error {
	sw := rw.p.sw
	if t := rw.def.Title; t != "" {
		if n > 1 {
			t += " (continued)"
		}
		title := excelize.Cell{StyleID: rw.b.style("title"), Value: t}
		if err := sw.SetRow("A1", []any{title}, excelize.RowOpts{Height: 22}); err != nil {
			return fmt.Errorf("write title: %w", err)
		}
	}
	head := make([]any, len(rw.def.Columns))
	for i, c := range rw.def.Columns {
		head[i] = excelize.Cell{StyleID: rw.b.style("header"), Value: rw.b.heading(c)}
	}
	if err := sw.SetRow(cellName(0, rw.p.header), head); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	return nil
}

// heading is a column's header. A spreadsheet's time has no zone, so a
// datetime column's header names the one its times are shown in.
func (b *book) heading(c Column) string {
	if c.Format != FormatDateTime {
		return c.Title
	}
	return c.Title + " (" + b.opt.location().String() + ")"
}

// data writes one data row, moving to a new sheet when this one is full.
func (rw *reportWriter) data(vals []value) error {
	if rw.p.row >= rw.limit-rw.reserve {
		if err := rw.nextPart(); err != nil {
			return err
		}
	}
	for i, c := range rw.def.Columns {
		rw.row[i] = nil // a NULL is an empty cell
		if !vals[i].null {
			rw.cells[i] = rw.b.cell(c.Format, &vals[i])
			rw.row[i] = &rw.cells[i]
		}
	}
	rw.p.row++
	rw.p.dataLast = rw.p.row
	if err := rw.p.sw.SetRow(cellName(0, rw.p.row), rw.row); err != nil {
		return fmt.Errorf("write row to sheet %q: %w", rw.p.name, err)
	}
	return nil
}

func (rw *reportWriter) endData() {
	if p := rw.p; p.dataLast > p.header && (len(rw.spans) == 0 || rw.spans[len(rw.spans)-1].sheet != p.name) {
		rw.spans = append(rw.spans, span{sheet: p.name, first: p.header + 1, last: p.dataLast})
	}
}

func (rw *reportWriter) nextPart() error {
	rw.endData()
	if err := rw.closePart(); err != nil {
		return err
	}
	return rw.startPart(rw.p.n + 1)
}

// finish writes the note for an empty report, the totals rows, and closes
// the last sheet.
func (rw *reportWriter) finish(tot *totals) error {
	rw.endData()
	if len(rw.spans) == 0 {
		note := excelize.Cell{StyleID: rw.b.style("note"), Value: "No rows."}
		rw.p.row++
		if err := rw.p.sw.SetRow(cellName(0, rw.p.row), []any{note}); err != nil {
			return fmt.Errorf("write note: %w", err)
		}
	}
	if tot.wanted() {
		for _, tr := range tot.rows(rw.spans) {
			if err := rw.total(tr); err != nil {
				return err
			}
		}
	}
	return rw.closePart()
}

func (rw *reportWriter) total(tr totalRow) error {
	if rw.p.row >= rw.limit {
		if err := rw.nextPart(); err != nil {
			return err
		}
	}
	row := make([]any, len(rw.def.Columns))
	if tr.labelCol >= 0 {
		row[tr.labelCol] = excelize.Cell{StyleID: rw.b.style("total"), Value: tr.label}
	}
	for _, c := range tr.cells {
		row[c.col] = rw.b.totalCell(c)
	}
	rw.p.row++
	if err := rw.p.sw.SetRow(cellName(0, rw.p.row), row); err != nil {
		return fmt.Errorf("write totals to sheet %q: %w", rw.p.name, err)
	}
	return nil
}

// closePart adds the filter and chart, which must be set before Flush while
// the worksheet is still open, then flushes the sheet.
func (rw *reportWriter) closePart() error {
	p, f := rw.p, rw.b.f
	last := len(rw.def.Columns) - 1
	ref := cellName(0, p.header) + ":" + cellName(last, p.dataLast)
	if err := f.AutoFilter(p.name, ref, nil); err != nil {
		return fmt.Errorf("add filter to sheet %q: %w", p.name, err)
	}
	if c := rw.def.Chart; c != nil && p.n == 1 && len(rw.spans) > 0 {
		if err := f.AddChart(p.name, cellName(last+2, p.header), rw.chart(c, rw.spans[0])); err != nil {
			return fmt.Errorf("add chart to sheet %q: %w", p.name, err)
		}
	}
	if err := p.sw.Flush(); err != nil {
		return fmt.Errorf("flush sheet %q: %w", p.name, err)
	}
	return nil
}

var chartTypes = map[ChartKind]excelize.ChartType{
	ChartColumn: excelize.Col, ChartBar: excelize.Bar, ChartLine: excelize.Line, ChartPie: excelize.Pie,
}

// chartLabels is the colour of a chart's axis labels: Excel's own (excelize
// draws them in a grey at 85 % lightness, hardly readable on white).
var chartLabels = excelize.Font{Color: "595959"}

func (rw *reportWriter) chart(c *Chart, s span) *excelize.Chart {
	cat, val := rw.def.column(c.Categories[0]), rw.def.column(c.Value)
	legend := "none" // one series: its name is the title already
	if c.Kind == ChartPie {
		legend = "right" // a pie's legend names the slices
	}
	// One series is one measure, so one colour: a colour per bar without a
	// legend reads as a meaning the bars do not have. A pie's slices need
	// theirs. A bar's length is its value, so the value axis starts at zero:
	// left to choose, LibreOffice started the recovery rates' at 31 %, and a
	// rate of 39 % stood three times as tall as one of 34 %. A bar chart
	// draws its first category at the bottom: its categories are reversed so
	// the bars read top down in the sheet's order (the largest first). The
	// value axis then crosses at the first category, the top, and drew its
	// scale above the bars: its labels go to the categories' high end, the
	// bottom (excelize cannot make it cross at the last category instead).
	values := excelize.ChartAxis{Minimum: new(0.0), Font: chartLabels}
	if c.Kind == ChartBar {
		values.TickLabelPosition = excelize.ChartTickLabelHigh
	}
	if rw.def.Columns[val].Format == FormatPercent {
		values.NumFmt = excelize.ChartNumFmt{CustomNumFmt: "0%"} // as the sheet shows rates, not 0.35
	}
	return &excelize.Chart{
		Type: chartTypes[c.Kind],
		Series: []excelize.ChartSeries{{
			Name:       cellRef(s.sheet, val, s.first-1),
			Categories: columnsRef(s, cat, cat+len(c.Categories)-1),
			Values:     rangeRef(s, val),
		}},
		VaryColors: new(c.Kind == ChartPie),
		XAxis:      excelize.ChartAxis{Font: chartLabels, ReverseOrder: c.Kind == ChartBar},
		YAxis:      values,
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.Title}}},
		Legend:     excelize.ChartLegend{Position: legend},
		Dimension:  excelize.ChartDimension{Width: 640, Height: 360},
	}
}

// newSheet adds a sheet (renaming the new file's "Sheet1" for the first) and
// opens a stream writer on it.
func (b *book) newSheet(name string) (*excelize.StreamWriter, error) {
	if idx, _ := b.f.GetSheetIndex(name); idx >= 0 && b.sheets > 0 {
		return nil, fmt.Errorf("sheet name %q is already used", name)
	}
	var err error
	if b.sheets == 0 {
		err = b.f.SetSheetName("Sheet1", name)
	} else {
		_, err = b.f.NewSheet(name)
	}
	if err != nil {
		return nil, fmt.Errorf("add sheet %q: %w", name, err)
	}
	b.sheets++
	if err := printFit(b.f, name); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("stream sheet %q: %w", name, err)
	}
	return sw, nil
}

// printFit lays a sheet out to print landscape, one page wide: finance
// prints these tables, and a table split across pages by column is unreadable.
func printFit(f *excelize.File, sheet string) error {
	landscape, oneWide, anyTall := "landscape", 1, 0
	err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &oneWide, FitToHeight: &anyTall})
	if err == nil {
		fit := true
		err = f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
	}
	if err != nil {
		return fmt.Errorf("lay out sheet %q for print: %w", sheet, err)
	}
	return nil
}

// cell turns a converted value into a typed, styled cell: numbers stay
// numbers and dates become date serials, so that finance can sum and sort.
func (b *book) cell(f Format, v *value) excelize.Cell {
	switch f {
	case FormatInt:
		return excelize.Cell{StyleID: b.style("int"), Value: v.n}
	case FormatMoney:
		return excelize.Cell{StyleID: b.moneyStyle(v.currency, false), Value: v.major()}
	case FormatPercent:
		return excelize.Cell{StyleID: b.style("percent"), Value: v.f}
	case FormatDate:
		return excelize.Cell{StyleID: b.style("date"), Value: serial(v.t)}
	case FormatDateTime:
		return excelize.Cell{StyleID: b.style("datetime"), Value: serial(v.t)}
	}
	return excelize.Cell{Value: v.text}
}

// totalCell is a SUM formula with its exact cached value, so that a reader
// that does not recalculate still shows the right total. A total with an
// unknown amount in it is a blank cell without a formula: a spreadsheet that
// recalculated a SUM would show the partial sum after all.
func (b *book) totalCell(c totalCell) excelize.Cell {
	if c.unknown {
		return excelize.Cell{StyleID: b.moneyStyle(c.currency, true)}
	}
	if !c.money {
		return excelize.Cell{StyleID: b.style("total-int"), Formula: c.formula, Value: c.n}
	}
	v := value{n: c.n, currency: c.currency}
	if c.currency == "" { // no rows: nothing to format but zero
		return excelize.Cell{StyleID: b.moneyStyle("", true), Formula: c.formula, Value: 0}
	}
	return excelize.Cell{StyleID: b.moneyStyle(c.currency, true), Formula: c.formula, Value: v.major()}
}

func (b *book) moneyStyle(currency string, total bool) int {
	key := "money:" + currency
	if total {
		key = "total-" + key
	}
	return b.style(key)
}

// style returns the id of a named style, creating it on first use. Keys are
// "title", "header", "note", "total", "int", "percent", "date", "datetime",
// "money:USD", and "total-" before a number style for the totals row.
func (b *book) style(key string) int {
	if id, ok := b.styles[key]; ok {
		return id
	}
	id, err := b.f.NewStyle(styleFor(key))
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("create style %q: %w", key, err)
	}
	b.styles[key] = id
	return id
}

func styleFor(key string) *excelize.Style {
	base, total := strings.CutPrefix(key, "total-")
	s := &excelize.Style{}
	switch {
	case base == "title":
		s.Font = &excelize.Font{Bold: true, Size: 14}
	case base == "header":
		s.Font = &excelize.Font{Bold: true}
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}
		s.Border = []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}
		s.Alignment = &excelize.Alignment{WrapText: true, Vertical: "center"}
	case base == "note":
		s.Font = &excelize.Font{Italic: true, Color: "808080"}
	case base == "int":
		s.NumFmt = 3 // #,##0
	default:
		s.CustomNumFmt = numFmt(base)
	}
	if total || base == "total" {
		s.Font = &excelize.Font{Bold: true}
		s.Border = []excelize.Border{{Type: "top", Color: "000000", Style: 1}}
	}
	return s
}

// numFmt is the number format of a style key, nil for a plain cell.
func numFmt(base string) *string {
	var f string
	switch base {
	case "percent":
		f = "0.0%"
	case "date":
		f = "yyyy-mm-dd"
	case "datetime":
		f = "yyyy-mm-dd hh:mm:ss"
	default:
		cur, ok := strings.CutPrefix(base, "money:")
		if !ok {
			return nil
		}
		f = moneyFormat(cur)
	}
	return &f
}

// moneyFormat shows the currency's own number of minor digits and its ISO
// code, which reads the same in every locale (a "$" would not say which
// dollar). An unknown currency's amount is its minor units: no decimals.
func moneyFormat(currency string) string {
	digits, _ := recon.MinorDigits(currency)
	f := "#,##0"
	if digits > 0 {
		f += "." + strings.Repeat("0", digits)
	}
	if code, ok := formatLiteral(currency); ok && len(f)+1+len(code) <= maxNumFmt {
		f += " " + code
	}
	return f
}

// maxNumFmt is the longest number format Excel reads, in characters (here
// bytes, which are never fewer); a longer one has it repair the file.
const maxNumFmt = 255

// formatLiteral quotes text to show as it is in a number format. FlexCharge's
// currency is any text: a '"' in it ended the quoted code early, and the
// rest was read as format codes (LibreOffice dropped the whole format; Excel
// repairs the file). Inside quotes every other character is literal, and a
// '"' is closed, escaped and reopened. Text with characters a format cannot
// show (a line break, say), or none, is not shown: ok is false, and the
// row's currency column names it.
func formatLiteral(text string) (string, bool) {
	if text == "" || strings.IndexFunc(text, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "", false
	}
	return `"` + strings.ReplaceAll(text, `"`, `"\""`) + `"`, true
}
