package reports

import (
	"strconv"
	"testing"

	"github.com/flexcharge/flexrecon/internal/libreoffice"
)

// TestLibreOfficeRecalculates opens the workbook in LibreOffice Calc, forces
// a full recalculation, and checks every formula's result against the cached
// value we wrote. A stale canary workbook proves the recalculation happened.
func TestLibreOfficeRecalculates(t *testing.T) {
	soffice := libreoffice.Find(t)
	dir := t.TempDir()
	db := openDuck(t, "seed.sql")
	defs := loadTestDefs(t)
	books := map[string][]byte{
		"small.xlsx":    writeTestWorkbook(t, db, defs, Options{Location: newYork(t)}, 7),
		"overflow.xlsx": writeTestWorkbook(t, db, defs, Options{Location: newYork(t), SheetRowLimit: 6}, 7),
		"empty.xlsx":    writeTestWorkbook(t, db, defs, Options{}, 99),
		"canary.xlsx":   staleCanary(t),
	}
	libreoffice.Convert(t, soffice, dir, books)
	checked := 0
	for name, data := range books {
		if name == "canary.xlsx" {
			continue
		}
		for sheet, rows := range cellValues(t, data) {
			checked += checkFormulas(t, data, sheet, rows, libreoffice.Sheet(t, dir, name, sheet))
		}
	}
	if checked < 10 {
		t.Errorf("checked %d formulas, want every totals cell of the three workbooks", checked)
	}
	if got := libreoffice.Sheet(t, dir, "canary.xlsx", "Sheet1"); got[2][0] != "3" {
		t.Fatalf("canary A3 after LibreOffice = %q, want the recalculated 3 (stale cache 999): recalculation is not forced", got[2][0])
	}
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
