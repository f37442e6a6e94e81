// Package libreoffice lets tests open workbooks in a real spreadsheet
// program: LibreOffice Calc, headless, recalculating every formula on load,
// exporting each sheet as CSV to compare with what flexrecon wrote.
package libreoffice

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
)

// csvFilter exports every sheet (last token -1) as UTF-8 CSV with raw rather
// than formatted numbers (token 9 false), one file "<name>-<sheet>.csv" each.
const csvFilter = `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1`

// shownFilter is csvFilter exporting each cell as it is shown, in its number
// format (token 9 true).
const shownFilter = `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1`

// recalcAlways makes LibreOffice recalculate every formula when it loads an
// .xlsx (its default is to trust the cached values), so that the export
// shows LibreOffice's own totals.
const recalcAlways = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`

// Find returns soffice's path. Without it the test fails when CI is set (CI
// must install it) and is skipped elsewhere.
func Find(t testing.TB) string {
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

// Convert writes the workbooks (name → contents) into dir and converts them
// in one soffice run with a private profile, so parallel runs share no lock.
func Convert(t testing.TB, soffice, dir string, books map[string][]byte) {
	t.Helper()
	convert(t, soffice, dir, csvFilter, books)
}

// ConvertShown is Convert exporting each cell's text as LibreOffice shows
// it, in its number format, rather than its value.
func ConvertShown(t testing.TB, soffice, dir string, books map[string][]byte) {
	t.Helper()
	convert(t, soffice, dir, shownFilter, books)
}

func convert(t testing.TB, soffice, dir, filter string, books map[string][]byte) {
	t.Helper()
	profile := filepath.Join(dir, "profile")
	if err := os.MkdirAll(filepath.Join(profile, "user"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(profile, "user", "registrymodifications.xcu"), []byte(recalcAlways), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-env:UserInstallation=file://" + profile, "--headless", "--calc",
		"--convert-to", filter, "--outdir", filepath.Join(dir, "out")}
	for name, data := range books {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, soffice, args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Sheet reads one sheet of a converted workbook as LibreOffice computed it.
func Sheet(t testing.TB, dir, book, sheet string) [][]string {
	t.Helper()
	path := filepath.Join(dir, "out", strings.TrimSuffix(book, ".xlsx")+"-"+sheet+".csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("LibreOffice did not export sheet %q of %s: %v", sheet, book, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows
}

// CheckFormulas compares, for every cell formula reports as holding a
// formula (and its reference), LibreOffice's recalculated number in lo with
// the value the file stored in cached, as numbers. It returns how many it checked.
func CheckFormulas(t testing.TB, sheet string, cached, lo [][]string, formula func(row, col int) (ref string, ok bool)) (checked int) {
	t.Helper()
	for r, row := range cached {
		for c, stored := range row {
			ref, ok := formula(r, c)
			if !ok {
				continue
			}
			checked++
			got := ""
			if r < len(lo) && c < len(lo[r]) {
				got = lo[r][c]
			}
			want, err1 := strconv.ParseFloat(stored, 64)
			have, err2 := strconv.ParseFloat(got, 64)
			if err1 != nil || err2 != nil || want != have {
				t.Errorf("%s!%s: LibreOffice recalculated %q, stored %q", sheet, ref, got, stored)
			}
		}
	}
	return checked
}
