package jobs_test

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/flexcharge/flexrecon/jobs"
)

// csvFilter exports every sheet (last token -1) as UTF-8 CSV with raw
// numbers (token 9 false), one "<book>-<sheet>.csv" per sheet.
const csvFilter = `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1`

// recalcAlways makes LibreOffice recalculate every formula on load rather
// than trust the cached values, so the export shows its own totals.
const recalcAlways = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`

// TestLibreOfficeOpensRunWorkbook opens a real run's workbook, and one
// merchant's, in LibreOffice Calc headless: every sheet must come out (a
// file Calc had to repair loses sheets or fails to convert), and every
// totals formula, recalculated by Calc, must equal the value we stored.
func TestLibreOfficeOpensRunWorkbook(t *testing.T) {
	soffice := findSoffice(t)
	d := realRun(t)
	dir := t.TempDir()
	paths, err := jobs.WriteMerchantWorkbooks(context.Background(), d.env, d.run.ID, dir)
	if err != nil || len(paths) == 0 {
		t.Fatalf("WriteMerchantWorkbooks = %v, %v", paths, err)
	}
	books := map[string]string{"run.xlsx": d.run.Workbook, "merchant.xlsx": paths[0]}
	convert(t, soffice, dir, books)
	checked := 0
	for name, path := range books {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f := openBook(t, data)
		for _, sheet := range f.GetSheetList() {
			checked += compareFormulas(t, f, sheet, readExport(t, dir, name, sheet))
		}
	}
	if checked < 20 {
		t.Errorf("checked %d formulas, want every totals cell of both workbooks", checked)
	}
}

func findSoffice(t *testing.T) string {
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("LibreOffice (soffice) is not on PATH, and CI is set: install libreoffice-calc-nogui")
	}
	t.Skip("LibreOffice (soffice) is not on PATH; set CI to make this a failure")
	return ""
}

// convert copies the workbooks into dir under their test names and converts
// them in one soffice run with a private profile, so parallel runs share no lock.
func convert(t *testing.T, soffice, dir string, books map[string]string) {
	t.Helper()
	profile := filepath.Join(dir, "profile")
	if err := os.MkdirAll(filepath.Join(profile, "user"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(profile, "user", "registrymodifications.xcu"), []byte(recalcAlways), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-env:UserInstallation=file://" + profile, "--headless", "--calc",
		"--convert-to", csvFilter, "--outdir", filepath.Join(dir, "out")}
	for name, src := range books {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, filepath.Join(dir, name))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, soffice, args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func readExport(t *testing.T, dir, book, sheet string) [][]string {
	t.Helper()
	path := filepath.Join(dir, "out", strings.TrimSuffix(book, ".xlsx")+"-"+sheet+".csv")
	fh, err := os.Open(path)
	if err != nil {
		t.Fatalf("LibreOffice did not export sheet %q of %s: %v", sheet, book, err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows
}

// compareFormulas checks every formula cell's cached value against Calc's
// recalculated one, as numbers.
func compareFormulas(t *testing.T, f *excelize.File, sheet string, lo [][]string) (checked int) {
	t.Helper()
	for r, row := range sheetRows(t, f, sheet, true) {
		for c, cached := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if formula, _ := f.GetCellFormula(sheet, ref); formula == "" {
				continue
			}
			checked++
			got := ""
			if r < len(lo) && c < len(lo[r]) {
				got = lo[r][c]
			}
			want, err1 := strconv.ParseFloat(cached, 64)
			have, err2 := strconv.ParseFloat(got, 64)
			if err1 != nil || err2 != nil || want != have {
				t.Errorf("%s!%s: LibreOffice recalculated %q, stored %q", sheet, ref, got, cached)
			}
		}
	}
	return checked
}
