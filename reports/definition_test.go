package reports

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestLoadDefinitions(t *testing.T) {
	defs := loadTestDefs(t)
	var got []string
	for _, d := range defs {
		got = append(got, d.Name+"/"+d.Sheet)
	}
	want := []string{"exceptions/Exceptions", "by_category/By category", "manifest/Manifest"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("definitions in name order (-want +got):\n%s", diff)
	}
	wantCol := Column{Key: "amount", Title: "Amount", Format: FormatMoney, CurrencyKey: "currency", Width: 16, Total: true}
	if diff := cmp.Diff(wantCol, defs[0].Columns[2]); diff != "" {
		t.Errorf("exceptions column 3 (-want +got):\n%s", diff)
	}
	wantChart := &Chart{Kind: ChartColumn, Title: "Exceptions by category", Categories: []string{"category"}, Value: "findings"}
	if diff := cmp.Diff(wantChart, defs[1].Chart); diff != "" {
		t.Errorf("by_category chart (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(defs[0].Query, "SELECT category,") {
		t.Errorf("exceptions query = %q, want it to start after the header", defs[0].Query)
	}
}

const goodHeader = "-- report: r\n-- sheet: S\n-- column: a | A | text | 10\n"

func TestParseDefinitionErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"unknown key", goodHeader + "-- colum: b | B | int | 5\nSELECT 1", "x.sql:4: unknown header \"colum\""},
		{"bad format", goodHeader + "-- column: b | B | mony | 5\nSELECT 1", "x.sql:4: column \"b\": unknown format \"mony\""},
		{"bad width", goodHeader + "-- column: b | B | int | wide\nSELECT 1", "x.sql:4: column \"b\": width \"wide\""},
		{"few fields", goodHeader + "-- column: b | B | int\nSELECT 1", "x.sql:4: column wants"},
		{"total on text", goodHeader + "-- column: b | B | text | 5 | total\nSELECT 1", "x.sql:4: column \"b\": only int and money"},
		{"bad option", goodHeader + "-- column: b | B | int | 5 | sum\nSELECT 1", "x.sql:4: column \"b\": unknown option \"sum\""},
		{"total if known on int", goodHeader + "-- column: b | B | int | 5 | total if known\nSELECT 1", "x.sql:4: column \"b\": only money columns can have a total if known"},
		{"duplicate column", goodHeader + "-- column: a | B | int | 5\nSELECT 1", "x.sql:4: column \"a\" given twice"},
		{"twice", goodHeader + "-- sheet: T\nSELECT 1", "x.sql:4: sheet given twice"},
		{"no report", "-- sheet: S\n-- column: a | A | text | 10\nSELECT 1", "x.sql: missing \"-- report:\""},
		{"no query", goodHeader, "x.sql: no query after the header"},
		{"no columns", "-- report: r\n-- sheet: S\nSELECT 1", "x.sql: no \"-- column:\" lines"},
		{"long sheet", strings.Replace(goodHeader, "S\n", strings.Repeat("s", 32)+"\n", 1) + "SELECT 1", "longer than 31"},
		{"bad sheet", strings.Replace(goodHeader, "S\n", "a/b\n", 1) + "SELECT 1", "character Excel refuses"},
		{"money currency", goodHeader + "-- column: m | M | money:cur | 5\nSELECT 1", "currency column \"cur\" is not a text column"},
		{"zone elsewhere", goodHeader + "-- zone: first parameter\nSELECT 1", `x.sql:4: zone "first parameter": want "last parameter"`},
		{"zone named", goodHeader + "-- zone: Europe/Berlin\nSELECT 1", `x.sql:4: zone "Europe/Berlin": want "last parameter"`},
		{"zone twice", goodHeader + "-- zone: last parameter\n-- zone: last parameter\nSELECT 1", "x.sql:5: zone given twice"},
		{"chart kind", goodHeader + "-- chart: donut | T | a | a\nSELECT 1", "x.sql:4: unknown chart kind \"donut\""},
		{"chart value", goodHeader + "-- chart: pie | T | a | a\nSELECT 1", "x.sql:4: chart value column \"a\" is not an int"},
		{"chart category", goodHeader + "-- column: n | N | int | 5\n-- chart: pie | T | z | n\nSELECT 1", "x.sql:5: chart category column \"z\""},
		{"chart categories apart", goodHeader + "-- column: n | N | int | 5\n-- column: b | B | text | 5\n-- chart: pie | T | a, b | n\nSELECT 1",
			"x.sql:6: chart category column \"b\" does not follow \"a\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDefinition("x.sql", tt.text)
			var de *DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("ParseDefinition(%q) error = %v, want a *DefinitionError", tt.text, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseDefinition(%q) error = %q, want it to contain %q", tt.text, err, tt.want)
			}
		})
	}
}

// TestParseZoneHeader: "-- zone: last parameter" asks for the zone's name
// after the caller's arguments; without it a query gets none.
func TestParseZoneHeader(t *testing.T) {
	for text, want := range map[string]bool{
		goodHeader + "-- zone: last parameter\nSELECT $1": true,
		goodHeader + "SELECT 1":                           false,
	} {
		def, err := ParseDefinition("x.sql", text)
		if err != nil || def.Zone != want || !strings.HasPrefix(def.Query, "SELECT") {
			t.Errorf("ParseDefinition(%q): zone %t, query %q, %v; want zone %t and the query after the header", text, def.Zone, def.Query, err, want)
		}
	}
}

func TestLoadDefinitionsDuplicates(t *testing.T) {
	tests := []struct{ name, second, want string }{
		{"report", "-- report: r\n-- sheet: Other\n-- column: a | A | text | 1\nSELECT 1", `20-b.sql: report "r" is already defined`},
		{"sheet", "-- report: q\n-- sheet: s\n-- column: a | A | text | 1\nSELECT 1", `20-b.sql: sheet "s" is already used by report "r"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"10-a.sql":   {Data: []byte(goodHeader + "SELECT 1")},
				"20-b.sql":   {Data: []byte(tt.second)},
				"README.txt": {Data: []byte("not a definition")},
			}
			_, err := LoadDefinitions(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadDefinitions error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestPartName(t *testing.T) {
	tests := []struct {
		base string
		n    int
		want string
	}{
		{"Exceptions", 1, "Exceptions"},
		{"Exceptions", 2, "Exceptions (2)"},
		{"Sites and descriptors by merch", 12, "Sites and descriptors by m (12)"},
		{strings.Repeat("x", 31), 1, strings.Repeat("x", 31)},
	}
	for _, tt := range tests {
		got := partName(tt.base, tt.n)
		if got != tt.want || len([]rune(got)) > maxSheetName {
			t.Errorf("partName(%q, %d) = %q, want %q (at most 31 characters)", tt.base, tt.n, got, tt.want)
		}
	}
}

func TestColName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := colName(i); got != want {
			t.Errorf("colName(%d) = %q, want %q", i, got, want)
		}
	}
}
