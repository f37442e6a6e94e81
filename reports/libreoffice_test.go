package reports

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

// recalcAlways makes LibreOffice recalculate every formula when it loads an
// .xlsx (its default is to trust the cached values), so that the export
// shows LibreOffice's own totals.
const recalcAlways = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`

// TestLibreOfficeRecalculates opens the workbook in LibreOffice Calc, forces
// a full recalculation, and checks every formula's result against the cached
// value we wrote. A stale canary workbook proves the recalculation happened.
func TestLibreOfficeRecalculates(t *testing.T) {
	soffice := findSoffice(t)
	dir := t.TempDir()
	db := openDuck(t, "seed.sql")
	defs := loadTestDefs(t)
	books := map[string][]byte{
		"small.xlsx":    writeTestWorkbook(t, db, defs, Options{Location: newYork(t)}, 7),
		"overflow.xlsx": writeTestWorkbook(t, db, defs, Options{Location: newYork(t), SheetRowLimit: 6}, 7),
		"empty.xlsx":    writeTestWorkbook(t, db, defs, Options{}, 99),
		"canary.xlsx":   staleCanary(t),
	}
	convertAll(t, soffice, dir, books)
	checked := 0
	for name, data := range books {
		if name == "canary.xlsx" {
			continue
		}
		for sheet, rows := range cellValues(t, data) {
			checked += checkFormulas(t, data, sheet, rows, readExport(t, dir, name, sheet))
		}
	}
	if checked < 10 {
		t.Errorf("checked %d formulas, want every totals cell of the three workbooks", checked)
	}
	if got := readExport(t, dir, "canary.xlsx", "Sheet1"); got[2][0] != "3" {
		t.Fatalf("canary A3 after LibreOffice = %q, want the recalculated 3 (stale cache 999): recalculation is not forced", got[2][0])
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

// convertAll writes the workbooks and converts them in one soffice run with
// a private profile, so that parallel test runs do not share a lock.
func convertAll(t *testing.T, soffice, dir string, books map[string][]byte) {
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

func readExport(t *testing.T, dir, book, sheet string) [][]string {
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

// checkFormulas compares, for every cell holding a formula, LibreOffice's
// recalculated number with the cached value in the file, as float64s.
func checkFormulas(t *testing.T, data []byte, sheet string, cached, lo [][]string) (checked int) {
	t.Helper()
	for r, row := range cached {
		for c, raw := range row {
			ref := cellName(c, r+1)
			if cellFormula(t, data, sheet, ref) == "" {
				continue
			}
			checked++
			got := ""
			if r < len(lo) && c < len(lo[r]) {
				got = lo[r][c]
			}
			want, err1 := strconv.ParseFloat(raw, 64)
			have, err2 := strconv.ParseFloat(got, 64)
			if err1 != nil || err2 != nil || want != have {
				t.Errorf("%s!%s: LibreOffice recalculated %q, cached value %q", sheet, ref, got, raw)
			}
		}
	}
	return checked
}
