package reports

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWorkbookGolden(t *testing.T) {
	db := openDuck(t, "seed.sql")
	var buf bytes.Buffer
	opt := Options{Location: newYork(t)}
	if err := WriteWorkbook(context.Background(), &buf, db, loadTestDefs(t), opt, 7); err != nil {
		t.Fatal(err)
	}
	golden(t, "workbook.golden", dumpWorkbook(t, buf.Bytes()))
}

func writeTestWorkbook(t *testing.T, db duck, defs []Definition, opt Options, args ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteWorkbook(context.Background(), &buf, db, defs, opt, args...); err != nil {
		t.Fatalf("WriteWorkbook: %v", err)
	}
	return buf.Bytes()
}

// With 6 rows a sheet (title, header, 3 data rows, 1 kept for totals) the 7
// findings take three sheets, and the four totals rows spill onto a fourth.
func TestWorkbookOverflow(t *testing.T) {
	db := openDuck(t, "seed.sql")
	defs := loadTestDefs(t)[:1]
	data := writeTestWorkbook(t, db, defs, Options{Location: newYork(t), SheetRowLimit: 6}, 7)
	golden(t, "overflow.golden", dumpWorkbook(t, data))
}

func TestWorkbookEmpty(t *testing.T) {
	db := openDuck(t, "seed.sql")
	data := writeTestWorkbook(t, db, loadTestDefs(t), Options{}, 99)
	golden(t, "empty.golden", dumpWorkbook(t, data))
}

// Summing 0.10 and 0.20 as floats a thousand times each drifts away from
// 300; the cached total must be exactly 300, as must the cell values.
func TestWorkbookMoneyExact(t *testing.T) {
	db := openDuck(t, "seed.sql")
	def := mustParse(t, `-- report: cents
-- sheet: Cents
-- column: amount | Amount | money:currency | 12 | total
-- column: currency | Currency | text | 5
SELECT CASE WHEN i % 2 = 0 THEN 10 ELSE 20 END AS amount, 'EUR' AS currency FROM range(2000) t(i)`)
	data := writeTestWorkbook(t, db, []Definition{def}, Options{})
	rows := cellValues(t, data)["Cents"]
	if got, want := rows[1][0], "0.1"; got != want {
		t.Errorf("A2 = %q, want %q", got, want)
	}
	if got, want := rows[2001][0], "300"; got != want {
		t.Errorf("total A2002 = %q, want %q", got, want)
	}
	if got, want := cellFormula(t, data, "Cents", "A2002"), "SUM('Cents'!$A$2:$A$2001)"; got != want {
		t.Errorf("A2002 formula = %q, want %q", got, want)
	}
}

// A blank amount in a "total if known" column is not known, so its
// currency's total must not look like a full sum: no value, no formula that
// a spreadsheet would recalculate to the known part. Other currencies keep
// theirs.
func TestWorkbookTotalIfKnown(t *testing.T) {
	const header = `-- report: orders
-- sheet: Orders
-- column: currency | Currency | text | 9
-- column: amount | Amount | money:currency | 12 | total if known
`
	tests := []struct {
		name, values string
		want         map[string]string // shown total per total row, "" for blank
	}{
		{"only unknown", `('USD', NULL)`, map[string]string{"Total": ""}},
		{"known and unknown", `('USD', 250), ('USD', NULL)`, map[string]string{"Total": ""}},
		{"currencies apart", `('EUR', 100), ('USD', 250), ('USD', NULL), ('USD', 50)`,
			map[string]string{"Total": "", "Total EUR": "1", "Total USD": ""}},
	}
	db := openDuck(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := mustParse(t, header+"SELECT * FROM (VALUES "+tt.values+") t(currency, amount)")
			data := writeTestWorkbook(t, db, []Definition{def}, Options{})
			got := map[string]string{}
			for i, row := range cellValues(t, data)["Orders"] {
				if strings.HasPrefix(row[0], "Total") {
					got[row[0]] = strings.Join(row[1:], "")
					if f := cellFormula(t, data, "Orders", cellName(1, i+1)); tt.want[row[0]] == "" && f != "" {
						t.Errorf("%s: formula %q, want none", row[0], f)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("totals of %s (-want +got):\n%s", tt.values, diff)
			}
		})
	}
}

func mustParse(t *testing.T, text string) Definition {
	t.Helper()
	d, err := ParseDefinition("test.sql", text)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestWorkbookErrors(t *testing.T) {
	tests := []struct{ name, def, want string }{
		{"column count", `-- report: short
-- sheet: S
-- column: a | A | int | 5
-- column: b | B | int | 5
SELECT 1 AS a`, `write report "short": query returns 1 columns, header declares 2`},
		{"column name", `-- report: renamed
-- sheet: S
-- column: a | A | int | 5
SELECT 1 AS b`, `write report "renamed": query column 1 is "b", header declares "a"`},
		{"hugeint", `-- report: huge
-- sheet: S
-- column: n | N | int | 5
SELECT CAST(1 AS HUGEINT) AS n UNION ALL SELECT CAST(170141183460469231731687303715884105727 AS HUGEINT)
ORDER BY n`, `write report "huge": row 2: column "n": HUGEINT 170141183460469231731687303715884105727 does not fit in 64 bits`},
		{"float money", `-- report: floaty
-- sheet: S
-- column: m | M | money:c | 5
-- column: c | C | text | 5
SELECT 0.1::DOUBLE AS m, 'USD' AS c`, `write report "floaty": row 1: column "m": got float64 0.1, want an integer`},
		{"bad sql", `-- report: broken
-- sheet: S
-- column: a | A | int | 5
SELEC 1`, `write report "broken": run query:`},
	}
	db := openDuck(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteWorkbook(context.Background(), io.Discard, db, []Definition{mustParse(t, tt.def)}, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WriteWorkbook error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestWorkbookRowLimitTooSmall(t *testing.T) {
	db := openDuck(t, "seed.sql")
	err := WriteWorkbook(context.Background(), io.Discard, db, loadTestDefs(t)[:1], Options{SheetRowLimit: 3}, 7)
	if want := "sheet row limit 3 leaves no room"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("WriteWorkbook error = %v, want it to contain %q", err, want)
	}
}
