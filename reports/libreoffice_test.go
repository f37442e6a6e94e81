package reports

import (
	"fmt"
	"strings"
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

// checkFormulas compares every formula cell's stored value with
// LibreOffice's recalculated one.
func checkFormulas(t *testing.T, data []byte, sheet string, cached, lo [][]string) int {
	t.Helper()
	return libreoffice.CheckFormulas(t, sheet, cached, lo, func(r, c int) (string, bool) {
		ref := cellName(c, r+1)
		return ref, cellFormula(t, data, sheet, ref) != ""
	})
}

// TestLibreOfficeTotalsKeepCurrenciesApart: a currency's total, recalculated,
// adds only that currency's amounts, whatever codes FlexCharge sends. SUMIF
// matches without regard to case and reads ? and * as wildcards, so "usd"
// (a code flexrecon does not know, shown in minor units) went into "USD"'s
// total, and "US?" took both.
func TestLibreOfficeTotalsKeepCurrenciesApart(t *testing.T) {
	soffice := libreoffice.Find(t)
	def := mustParse(t, `-- report: codes
-- sheet: Codes
-- column: c | Currency | text | 5
-- column: m | Amount | money:c | 12 | total
SELECT * FROM (VALUES ('USD', 1999), ('usd', 500), ('US?', 7), ('EUR', 100), ('<>EUR', 3)) t(c, m)`)
	data := writeTestWorkbook(t, openDuck(t), []Definition{def}, Options{})
	dir := t.TempDir()
	libreoffice.Convert(t, soffice, dir, map[string][]byte{"codes.xlsx": data})
	if checked := checkFormulas(t, data, "Codes", cellValues(t, data)["Codes"], libreoffice.Sheet(t, dir, "codes.xlsx", "Codes")); checked != 5 {
		t.Errorf("checked %d totals, want one per currency: 5", checked)
	}
}

// TestLibreOfficeShowsAnyCurrency: an amount shows in LibreOffice with its
// currency text as it is, whatever FlexCharge sends as one. A '"' in it
// ended the format's quoted code early and LibreOffice dropped the format
// ("7", no code); text a format cannot show (a line break), or too long for
// one, leaves the code out, the row's Currency cell naming it.
func TestLibreOfficeShowsAnyCurrency(t *testing.T) {
	soffice := libreoffice.Find(t)
	codes := []struct {
		code  string
		minor int
		shown string
	}{
		{"USD", 1999, "19.99 USD"}, {`US"D`, 7, `7 US"D`}, {`"`, 5, `5 "`}, {"[Red]", 7, "7 [Red]"}, {"0.0%", 100, "100 0.0%"},
		{"a;b", 5, "5 a;b"}, {`x\y`, 6, `6 x\y`}, {"@_*", 8, "8 @_*"}, {"€", 10, "10 €"},
		{"a\nb", 11, "11"}, {strings.Repeat("X", 300), 12, "12"},
	}
	var values []string
	for i, c := range codes {
		values = append(values, fmt.Sprintf("(%d, '%s', %d)", i, strings.ReplaceAll(c.code, "'", "''"), c.minor))
	}
	def := mustParse(t, `-- report: codes
-- sheet: Codes
-- column: c | Currency | text | 5
-- column: m | Amount | money:c | 12
SELECT c, m FROM (VALUES `+strings.Join(values, ", ")+`) t(i, c, m) ORDER BY i`)
	data := writeTestWorkbook(t, openDuck(t), []Definition{def}, Options{})
	dir := t.TempDir()
	libreoffice.ConvertShown(t, soffice, dir, map[string][]byte{"codes.xlsx": data})
	shown := libreoffice.Sheet(t, dir, "codes.xlsx", "Codes")
	for i, c := range codes {
		if got := shown[i+1]; len(got) < 2 || got[0] != c.code || got[1] != c.shown {
			t.Errorf("currency %.20q: LibreOffice shows %.60q, want %q beside it", c.code, got, c.shown)
		}
	}
}
