package reports

// This file and xlsx.go are the only ones that import excelize: the tests
// read workbooks back through it rather than comparing zip bytes.

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// dumpWorkbook renders a workbook as text for golden files: per sheet its
// frozen pane, filter and widths, then every non-empty cell with its shown
// text, raw value, number format and formula, then the charts' references.
func dumpWorkbook(t *testing.T, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		dumpSheet(t, &b, f, sheet)
	}
	b.WriteString(dumpCharts(t, data))
	return b.String()
}

func dumpSheet(t *testing.T, b *strings.Builder, f *excelize.File, sheet string) {
	t.Helper()
	panes, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(b, "== %s: freeze=%v top=%s filter=%s\n", sheet, panes.Freeze, panes.TopLeftCell, filterOf(f, sheet))
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(b, "widths:%s\n", widths(t, f, sheet, rows))
	for r, row := range rows {
		for c, text := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if line := dumpCell(t, f, sheet, ref, text); line != "" {
				b.WriteString(line + "\n")
			}
		}
	}
}

func dumpCell(t *testing.T, f *excelize.File, sheet, ref, text string) string {
	t.Helper()
	formula, err := f.GetCellFormula(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if text == "" && formula == "" {
		return ""
	}
	raw, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	line := fmt.Sprintf("%s %q", ref, text)
	if raw != text {
		line += fmt.Sprintf(" raw=%s", raw)
	}
	if nf := numFmtOf(t, f, sheet, ref); nf != "" {
		line += " fmt=" + nf
	}
	if formula != "" {
		line += " =" + formula
	}
	return line
}

func numFmtOf(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil || id == 0 {
		return ""
	}
	s, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case s.CustomNumFmt != nil:
		return *s.CustomNumFmt
	case s.NumFmt != 0:
		return fmt.Sprintf("builtin:%d", s.NumFmt)
	}
	return ""
}

func filterOf(f *excelize.File, sheet string) string {
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" && d.Scope == sheet {
			return d.RefersTo
		}
	}
	return "none"
}

func widths(t *testing.T, f *excelize.File, sheet string, rows [][]string) string {
	t.Helper()
	n := 0
	for _, r := range rows {
		n = max(n, len(r))
	}
	var s string
	for c := 1; c <= n; c++ {
		name, _ := excelize.ColumnNumberToName(c)
		w, err := f.GetColWidth(sheet, name)
		if err != nil {
			t.Fatal(err)
		}
		s += fmt.Sprintf(" %s=%g", name, w)
	}
	return s
}

var chartRefs = regexp.MustCompile(`<f>([^<]*)</f>|<a:t>([^<]*)</a:t>`)

// dumpCharts lists each chart's title and the cell ranges it plots, read
// from the chart parts, since excelize has no API to read charts back.
func dumpCharts(t *testing.T, data []byte) string {
	t.Helper()
	var b strings.Builder
	parts := chartParts(t, data)
	for _, name := range slices.Sorted(maps.Keys(parts)) {
		fmt.Fprintf(&b, "== chart %s\n", name)
		for _, m := range chartRefs.FindAllStringSubmatch(parts[name], -1) {
			fmt.Fprintf(&b, "%s%s\n", html.UnescapeString(m[1]), m[2])
		}
	}
	return b.String()
}

// chartParts is the XML of each chart part, by part name.
func chartParts(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		x, _ := io.ReadAll(rc)
		rc.Close()
		parts[zf.Name] = string(x)
	}
	return parts
}

// cellValues reads every sheet's shown values, for tests that check
// content rather than layout.
func cellValues(t *testing.T, data []byte) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		out[sheet] = rows
	}
	return out
}

// cellFormula reads one cell's formula.
func cellFormula(t *testing.T, data []byte, sheet, ref string) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	defer f.Close()
	s, err := f.GetCellFormula(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// staleCanary is a workbook whose SUM has a deliberately wrong cached value
// (999 for 1+2): only a real recalculation shows 3.
func staleCanary(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []any{1, 2, excelize.Cell{Formula: "SUM(A1:A2)", Value: 999}} {
		if err := sw.SetRow(cellName(0, i+1), []any{v}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	catAxOrientation = regexp.MustCompile(`<(?:c:)?catAx>.*?<(?:c:)?orientation val="(\w+)"`)
	valAxLabels      = regexp.MustCompile(`<(?:c:)?valAx>.*?<(?:c:)?tickLblPos val="(\w+)"`)
)

// TestBarChartReadsTopDown: a bar chart draws its first category at the
// bottom, so its category axis is reversed (maxMin) for the bars to read
// top down in the sheet's order, the largest exceptions first; a column
// chart's categories run left to right as they are (minMax). Reversed, the
// value axis crosses at the top: its labels are put at the high end of the
// categories, the bottom, where a reader looks for a bar chart's scale.
func TestBarChartReadsTopDown(t *testing.T) {
	db := openDuck(t, "seed.sql")
	for kind, want := range map[ChartKind]string{ChartBar: "maxMin high", ChartColumn: "minMax nextTo"} {
		defs := loadTestDefs(t)
		for _, d := range defs {
			if d.Chart != nil {
				d.Chart.Kind = kind
			}
		}
		var got []string
		for _, x := range chartParts(t, writeTestWorkbook(t, db, defs, Options{Location: newYork(t)}, 7)) {
			if m, l := catAxOrientation.FindStringSubmatch(x), valAxLabels.FindStringSubmatch(x); m != nil && l != nil {
				got = append(got, m[1]+" "+l[1])
			}
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s chart: category axis orientation and value axis labels %q, want [%s]", kind, got, want)
		}
	}
}
