package jobs_test

import (
	"context"
	"os"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/flexcharge/flexrecon/internal/libreoffice"
	"github.com/flexcharge/flexrecon/jobs"
)

// TestLibreOfficeOpensRunWorkbook opens a real run's workbook, and one
// merchant's, in LibreOffice Calc headless: every sheet must come out (a
// file Calc had to repair loses sheets or fails to convert), and every
// totals formula, recalculated by Calc, must equal the value we stored.
func TestLibreOfficeOpensRunWorkbook(t *testing.T) {
	soffice := libreoffice.Find(t)
	d := realRun(t)
	dir := t.TempDir()
	paths, err := jobs.WriteMerchantWorkbooks(context.Background(), d.env, d.run.ID, dir)
	if err != nil || len(paths) == 0 {
		t.Fatalf("WriteMerchantWorkbooks = %v, %v", paths, err)
	}
	books := map[string][]byte{"run.xlsx": d.workbook, "merchant.xlsx": readFile(t, paths[0])}
	libreoffice.Convert(t, soffice, dir, books)
	checked := 0
	for name, data := range books {
		f := openBook(t, data)
		for _, sheet := range f.GetSheetList() {
			checked += compareFormulas(t, f, sheet, libreoffice.Sheet(t, dir, name, sheet))
		}
	}
	if checked < 20 {
		t.Errorf("checked %d formulas, want every totals cell of both workbooks", checked)
	}
}

// compareFormulas checks every formula cell's stored value against Calc's
// recalculated one.
func compareFormulas(t *testing.T, f *excelize.File, sheet string, lo [][]string) int {
	t.Helper()
	return libreoffice.CheckFormulas(t, sheet, sheetRows(t, f, sheet, true), lo, func(r, c int) (string, bool) {
		ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
		formula, _ := f.GetCellFormula(sheet, ref)
		return ref, formula != ""
	})
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
