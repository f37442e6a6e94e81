package ledger_test

import (
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// TestDateFromName: a date in a name is a whole run of eight digits or a
// year-month-day joined by dashes, with no digit beside it; a date inside
// a longer run of digits (a batch number before it, a time after it) is
// none, and the file is then dated by its rows; a name spelling two
// different days (a range, a rerun) could be of either, and alone dates
// nothing (its rows choose between them: TestIngestNameSpellingTwoDays).
func TestDateFromName(t *testing.T) {
	for name, want := range map[string]string{
		"ledger_2026-11-23.csv":                "2026-11-23",
		"gw20261123.csv.gz":                    "2026-11-23",
		"20261123.csv":                         "2026-11-23",
		"export_20240115":                      "2024-01-15",
		"M20240115_export.csv":                 "2024-01-15",
		"batch7_2026-11-23.csv":                "2026-11-23",
		"20261123T0200.csv":                    "2026-11-23",
		"export_20261123_20261124.csv":         "",
		"export_2026-11-22_to_2026-11-23.csv":  "",
		"ledger_20261123_rerun_20261124.csv":   "",
		"ledger_20261123_rerun_2026-11-23.csv": "2026-11-23",
		"2026-11-23_2026-11-23.csv":            "2026-11-23",
		"2026-02-30_2026-11-23.csv":            "2026-11-23",
		"export_1202401155.csv":                "",
		"export_120240115.csv":                 "",
		"export_202401155.csv":                 "",
		"batch_00420261123.csv":                "",
		"202611230200.csv":                     "",
		"2026-11-2301.csv":                     "",
		"12026-11-23.csv":                      "",
		"2026-1123.csv":                        "",
		"202611-23.csv":                        "",
		"2026-02-30.csv":                       "",
		"2026-13-01.csv":                       "",
		"none.csv":                             "",
		"export_1202401155_2026-11-23.csv":     "2026-11-23",
	} {
		got := ""
		if d := ledger.DateFromName(name); !d.IsZero() {
			got = d.Format(time.DateOnly)
		}
		if got != want {
			t.Errorf("DateFromName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestNameDateSaysWhyTwoDaysDateNothing: a name spelling two different days
// dates nothing alone, and says how the file is dated, with both days, so
// that the file's notice can.
func TestNameDateSaysWhyTwoDaysDateNothing(t *testing.T) {
	d, note := ledger.NameDate("export_2026-11-22_to_2026-11-23.csv")
	if want := "its name spells 2 days, 2026-11-22 and 2026-11-23: the one of these its rows give, else the first"; !d.IsZero() || note != want {
		t.Errorf("NameDate(export_2026-11-22_to_2026-11-23.csv) = %v, %q; want no date, %q", d, note, want)
	}
	if d, note := ledger.NameDate("ledger_20261123_rerun_2026-11-23.csv"); d.IsZero() || note != "" {
		t.Errorf("NameDate(ledger_20261123_rerun_2026-11-23.csv) = %v, %q; want 2026-11-23, no note", d, note)
	}
}
