package reports

import (
	"bytes"
	"context"
	"io"
	"testing"
)

func TestCSVGolden(t *testing.T) {
	db := openDuck(t, "seed.sql")
	for _, def := range loadTestDefs(t)[:2] {
		t.Run(def.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(context.Background(), &buf, db, def, Options{Location: newYork(t)}, 7); err != nil {
				t.Fatal(err)
			}
			golden(t, def.Name+".csv", buf.String())
		})
	}
}

// TestUnknownCurrencyShowsMinorUnits: an amount in a currency flexrecon does
// not know (a FlexCharge order may carry any code) is written as the minor
// units given, beside known ones, and its totals row keeps it apart.
func TestUnknownCurrencyShowsMinorUnits(t *testing.T) {
	def := mustParse(t, `-- report: mixed
-- sheet: S
-- column: m | M | money:c | 5 | total
-- column: c | C | text | 5
SELECT * FROM (VALUES (4851, 'XYZ'), (1999, 'USD'), (50000, 'PHP')) t(m, c) ORDER BY c`)
	var buf bytes.Buffer
	if err := WriteCSV(context.Background(), &buf, openDuck(t), def, Options{}); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "M,C\r\n500.00,PHP\r\n19.99,USD\r\n4851,XYZ\r\n"; got != want {
		t.Errorf("CSV = %q, want %q", got, want)
	}
	if err := WriteWorkbook(context.Background(), io.Discard, openDuck(t), []Definition{def}, Options{}); err != nil {
		t.Errorf("workbook with an unknown currency: %v", err)
	}
	if got, want := moneyFormat("XYZ"), `#,##0 "XYZ"`; got != want {
		t.Errorf("moneyFormat(XYZ) = %q, want %q", got, want)
	}
}

func TestInert(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil.example/","x")`: `'=HYPERLINK("http://evil.example/","x")`,
		"+1 555":                                 "'+1 555", "@SUM(A1)": "'@SUM(A1)", "-2+3": "'-2+3",
		"-12.50": "-12.50", "ACME*SHOP": "ACME*SHOP", "": "",
	} {
		if got := inert(in); got != want {
			t.Errorf("inert(%q) = %q, want %q", in, got, want)
		}
	}
}
