package reports

import (
	"bytes"
	"context"
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
