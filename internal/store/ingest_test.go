package store_test

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

const canonical = "../../testdata/ledger/canonical_2026-11-23.csv"

func loadFile(t *testing.T, db *store.DB, path string) (store.LoadOutcome, error) {
	t.Helper()
	return loadMapped(t, db, path, ledger.Mapping{})
}

func loadMapped(t *testing.T, db *store.DB, path string, m ledger.Mapping) (store.LoadOutcome, error) {
	t.Helper()
	return db.IngestFile(context.Background(), loadFileFor(t, path, m))
}

func loadFileFor(t *testing.T, path string, m ledger.Mapping) store.LoadFile {
	t.Helper()
	f, err := ledger.Describe("test", path)
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	lf, err := store.NewLoadFile(f, "", m, ny)
	if err != nil {
		t.Fatal(err)
	}
	return lf
}

// dump reads a table back as text, for comparing stored data.
func dump(t *testing.T, db *store.DB, query string, args ...any) [][]string {
	t.Helper()
	rows, err := db.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	return out
}

// ledgerRows are the stored rows without the file they came from.
const ledgerRows = "SELECT * EXCLUDE (file_id) FROM ledger_tx ORDER BY line, occurrence"

// stored is everything a load may change except the record of files.
func stored(t *testing.T, db *store.DB) [][][]string {
	return [][][]string{
		dump(t, db, "SELECT * FROM ledger_tx ORDER BY ALL"),
		dump(t, db, "SELECT * FROM quarantine ORDER BY ALL"),
		dump(t, db, "SELECT * EXCLUDE (loaded_at) FROM ledger_files WHERE outcome <> 'rejected' ORDER BY id"),
	}
}

// writeText writes body to a file named name, gzipped when the name ends
// in .gz.
func writeText(t *testing.T, name, body string) string {
	t.Helper()
	if strings.HasSuffix(name, ".gz") {
		body = gzipped(t, body)
	}
	return writeFile(t, name, body)
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIngestCanonical(t *testing.T) {
	db := MustOpenDB(t)
	out, err := loadFile(t, db, canonical)
	if err != nil {
		t.Fatal(err)
	}
	want := store.LoadOutcome{FileID: out.FileID, Outcome: "loaded", Rows: 4, Quarantined: 1, Duplicates: 1,
		Problems: []store.Problem{
			{Line: 5, Column: "amount", Reason: `"12.345" is not an amount in the source's unit (at most 2 decimals in major units, whole numbers in minor)`},
			{Line: 5, Column: "processed_at", Reason: `"not-a-time" is not an RFC 3339 time or a time in the source's zone`},
		}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("load %s (-want +got):\n%s", canonical, diff)
	}
	stored := dump(t, db, "SELECT file_id, line, column_name FROM quarantine ORDER BY ALL")
	if diff := cmp.Diff([][]string{{"1", "5", "amount"}, {"1", "5", "processed_at"}}, stored); diff != "" {
		t.Errorf("quarantine table (-want +got):\n%s", diff)
	}
}

// TestIngestIdenticalRows: both copies of TX-1 are kept, told apart by occurrence.
func TestIngestIdenticalRows(t *testing.T) {
	db := MustOpenDB(t)
	if _, err := loadFile(t, db, canonical); err != nil {
		t.Fatal(err)
	}
	got := dump(t, db, "SELECT transaction_id, line, occurrence FROM ledger_tx WHERE transaction_id = 'TX-1' ORDER BY line")
	want := [][]string{{"TX-1", "2", "1"}, {"TX-1", "6", "2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("identical rows of %s (-want +got):\n%s", canonical, diff)
	}
}

func TestIngestSameFileTwiceIsNoOp(t *testing.T) {
	db := MustOpenDB(t)
	first, err := loadFile(t, db, canonical)
	if err != nil {
		t.Fatal(err)
	}
	before := stored(t, db)
	again, err := loadFile(t, db, canonical)
	if err != nil {
		t.Fatal(err)
	}
	if again.Outcome != "duplicate" || again.FileID != first.FileID {
		t.Errorf("second load of %s: got outcome %q file %d, want duplicate of file %d", canonical, again.Outcome, again.FileID, first.FileID)
	}
	if diff := cmp.Diff(before, stored(t, db)); diff != "" {
		t.Errorf("stored data changed by a second load (-before +after):\n%s", diff)
	}
}

func TestIngestCorrectedFileReplaces(t *testing.T) {
	db := MustOpenDB(t)
	first, err := loadFile(t, db, canonical)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(canonical)
	fixed := strings.Replace(string(body), "not-a-time,12.345", "2026-11-23T13:00:00Z,12.34", 1)
	second, err := loadFile(t, db, writeFile(t, "canonical_20261123_v2.csv", fixed))
	if err != nil {
		t.Fatal(err)
	}
	if earlierOf(second) != first.FileID || second.Rows != 5 || second.Quarantined != 0 {
		t.Errorf("corrected file: got %+v, want 5 rows, none quarantined, replacing file %d", second, first.FileID)
	}
	files := dump(t, db, "SELECT id, name, outcome, replaced_by FROM ledger_files ORDER BY id")
	want := [][]string{
		{fmt.Sprint(first.FileID), "canonical_2026-11-23.csv", "replaced", fmt.Sprint(second.FileID)},
		{fmt.Sprint(second.FileID), "canonical_20261123_v2.csv", "loaded", "<nil>"},
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("ledger_files (-want +got):\n%s", diff)
	}
	inForce := dump(t, db, "SELECT DISTINCT file_id FROM ledger_tx")
	if diff := cmp.Diff([][]string{{fmt.Sprint(second.FileID)}}, inForce); diff != "" {
		t.Errorf("files whose rows are in force (-want +got):\n%s", diff)
	}
	// The replaced file's rows stay for the runs that judged them.
	kept := dump(t, db, "SELECT DISTINCT file_id FROM ledger_rows ORDER BY 1")
	if diff := cmp.Diff([][]string{{fmt.Sprint(first.FileID)}, {fmt.Sprint(second.FileID)}}, kept); diff != "" {
		t.Errorf("files with stored rows (-want +got):\n%s", diff)
	}
}

// TestIngestEmptyCorrectionRejected: a header-only file, or one whose every
// row is quarantined (a partner's changed time format), does not replace the
// day's file, whose rows stay in force; a header-only file does not replace
// one whose every row was quarantined either, whose findings stay.
func TestIngestEmptyCorrectionRejected(t *testing.T) {
	body, _ := os.ReadFile(canonical)
	header, _, _ := strings.Cut(string(body), "\n")
	quarantined := header + "\nM1,,O1,T1,11/23/2026 10:00,1.00,USD,approved,00,nmi,CIT,web,false,https://a,,,production,,,,\n"
	for _, tt := range []struct{ name, first, correction string }{
		{"header only", canonical, header + "\n"},
		{"every row quarantined", canonical, quarantined},
		{"header only, after a file of quarantined rows", writeFile(t, "canonical_2026-11-23.csv", quarantined), header + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			if _, err := loadFile(t, db, tt.first); err != nil {
				t.Fatal(err)
			}
			before := stored(t, db)
			path := writeFile(t, "canonical_2026-11-23_v2.csv", tt.correction)
			_, err := loadFile(t, db, path)
			checkRejection(t, db, path, err, []string{"no records", "earlier file of 2026-11-23", "out of force"})
			if diff := cmp.Diff(before, stored(t, db)); diff != "" {
				t.Errorf("stored data changed by an empty correction (-before +after):\n%s", diff)
			}
		})
	}
}

// TestIngestCorrectionKeepsAFirstOccurrence: a transaction in two days'
// files, whose first file is then corrected, is numbered again: the next
// day's row becomes the first, the corrected one the second.
func TestIngestCorrectionKeepsAFirstOccurrence(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n"
	const tx1 = "M001,ORD-1,TX-1,2026-11-23T10:00:00Z,1.00,USD,declined,CIT,https://a.example\n"
	db := MustOpenDB(t)
	for _, f := range []struct{ name, body string }{
		{"ledger_2026-11-23.csv", header + tx1},
		{"ledger_2026-11-24.csv", header + "M001,ORD-2,TX-2,2026-11-24T10:00:00Z,1.00,USD,approved,CIT,https://a.example\n" + tx1},
		{"ledger_2026-11-23_v2.csv", header + tx1 + "M001,ORD-3,TX-3,2026-11-23T11:00:00Z,1.00,USD,approved,CIT,https://a.example\n"},
	} {
		if _, err := loadFile(t, db, writeFile(t, f.name, f.body)); err != nil {
			t.Fatal(err)
		}
	}
	got := dump(t, db, "SELECT f.name, l.occurrence FROM ledger_tx l JOIN ledger_files f ON f.id = l.file_id WHERE l.transaction_id = 'TX-1' ORDER BY 2")
	want := [][]string{{"ledger_2026-11-24.csv", "1"}, {"ledger_2026-11-23_v2.csv", "2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TX-1's occurrences in force (-want +got):\n%s", diff)
	}
}

// TestIngestCorrectionDroppingARepeat: a transaction's first row, at 10:00,
// whose file is corrected without it, leaves its repeat at 12:00 in the
// next day's file as the first occurrence in force.
func TestIngestCorrectionDroppingARepeat(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n"
	// TX-2 is in both versions of 2026-11-23: a correction restates the day.
	const tx2 = "M001,ORD-2,TX-2,2026-11-23T09:00:00Z,1.00,USD,approved,CIT,https://a.example\n"
	db := MustOpenDB(t)
	for _, f := range []struct{ name, body string }{
		{"ledger_2026-11-23.csv", header + tx2 + "M001,ORD-1,TX-1,2026-11-23T10:00:00Z,1.00,USD,declined,CIT,https://a.example\n"},
		{"ledger_2026-11-24.csv", header + "M001,ORD-1,TX-1,2026-11-23T12:00:00Z,1.00,USD,declined,CIT,https://a.example\n"},
		{"ledger_2026-11-23_v2.csv", header + tx2 + "M001,ORD-3,TX-3,2026-11-23T11:00:00Z,1.00,USD,approved,CIT,https://a.example\n"},
	} {
		if _, err := loadFile(t, db, writeFile(t, f.name, f.body)); err != nil {
			t.Fatal(err)
		}
	}
	got := dump(t, db, "SELECT f.name, l.occurrence FROM ledger_tx l JOIN ledger_files f ON f.id = l.file_id WHERE l.transaction_id = 'TX-1'")
	if diff := cmp.Diff([][]string{{"ledger_2026-11-24.csv", "1"}}, got); diff != "" {
		t.Errorf("TX-1's occurrences in force (-want +got):\n%s", diff)
	}
}

// TestIngestForeignFormat loads a partner's own shape through a mapping and
// must store exactly what the canonical file stores.
func TestIngestForeignFormat(t *testing.T) {
	var m ledger.Mapping
	if _, err := toml.DecodeFile("../../testdata/ledger/foreign.toml", &m); err != nil {
		t.Fatal(err)
	}
	want := MustOpenDB(t)
	if _, err := loadFile(t, want, canonical); err != nil {
		t.Fatal(err)
	}
	got := MustOpenDB(t)
	foreign := "../../testdata/ledger/foreign_2026-11-23.csv"
	if _, err := loadMapped(t, got, foreign, m); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dump(t, want, ledgerRows), dump(t, got, ledgerRows)); diff != "" {
		t.Errorf("rows stored from %s (-canonical +foreign):\n%s", foreign, diff)
	}
	q := "SELECT line, column_name FROM quarantine ORDER BY ALL"
	if diff := cmp.Diff(dump(t, want, q), dump(t, got, q)); diff != "" {
		t.Errorf("quarantine of %s (-canonical +foreign):\n%s", foreign, diff)
	}
}

// TestIngestReadsValues: values that are easy to misread are read as written
// (times in the source's zone, New York here) or quarantined, never misread;
// a BOM before a quoted header is no quote mid-field.
func TestIngestReadsValues(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n"
	row := func(at, amount string) string {
		return header + "M001,ORD-1,TX-1," + at + "," + amount + ",USD,approved,CIT,https://a.example\n"
	}
	tests := []struct {
		name, body string
		m          ledger.Mapping
		want       string // processed_at|amount stored, or the quarantined column
	}{
		{"a date alone is midnight in the zone", row("2026-11-23", "1.00"), ledger.Mapping{}, "2026-11-23 05:00:00+00|100"},
		{"a time in UTC", row("2026-11-23 10:00:00 UTC", "1.00"), ledger.Mapping{}, "2026-11-23 10:00:00+00|100"},
		{"a time in utc, lower case", row("2026-11-23 10:00:00 utc", "1.00"), ledger.Mapping{}, "2026-11-23 10:00:00+00|100"},
		{"an offset", row("2026-11-23T10:00:00+01:00", "1.00"), ledger.Mapping{}, "2026-11-23 09:00:00+00|100"},
		{"an offset with seconds", row("2026-11-23T10:00:00-05:00:00", "1.00"), ledger.Mapping{}, "2026-11-23 15:00:00+00|100"},
		{"a compact layout: MM after HH is the minutes", row("20261123100530", "1.00"), ledger.Mapping{TimeLayout: "YYYYMMDDHHMMSS", Zone: "UTC"},
			"2026-11-23 10:05:30+00|100"},
		{"a naive time", row("2026-11-23 10:00:00", "1.00"), ledger.Mapping{}, "2026-11-23 15:00:00+00|100"},
		{"an amount too large is quarantined", row("2026-11-23", "10000000000000.00"), ledger.Mapping{}, "quarantined amount"},
		{"a BOM and a quoted header", "\ufeff" + quoted(strings.ReplaceAll(row("2026-11-23", "1.50"), ",", ";")),
			ledger.Mapping{Delimiter: ";"}, "2026-11-23 05:00:00+00|150"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			path := writeFile(t, "values_2026-11-23.csv", tt.body)
			if _, err := loadMapped(t, db, path, tt.m); err != nil {
				t.Fatal(err)
			}
			got := dump(t, db, "SELECT strftime(processed_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S+00') || '|' || amount FROM ledger_tx "+
				"UNION ALL SELECT 'quarantined ' || column_name FROM quarantine")
			if len(got) != 1 || got[0][0] != tt.want {
				t.Errorf("stored %q, want %q", got, tt.want)
			}
		})
	}
}

// quoted puts every field of a ';'-separated CSV between quotes.
func quoted(csv string) string {
	var lines []string
	for line := range strings.Lines(csv) {
		lines = append(lines, `"`+strings.ReplaceAll(strings.TrimSuffix(line, "\n"), ";", `";"`)+`"`+"\n")
	}
	return strings.Join(lines, "")
}

// TestIngestTrailingDelimiter: an export ending every line with its
// delimiter has a column without a name; it loads, the column unmapped.
func TestIngestTrailingDelimiter(t *testing.T) {
	db := MustOpenDB(t)
	path := writeFile(t, "trailing_2026-11-23.csv", "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,\n"+
		"M001,ORD-1,TX-1,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example,\n")
	out, err := loadFile(t, db, path)
	if err != nil || out.Rows != 1 {
		t.Fatalf("load %s: %+v, %v; want 1 row stored", path, out, err)
	}
}

// TestIngestFormats: the canonical rows as gzipped CSV, JSON Lines (plain and
// gzipped) and Parquet store the same rows as the CSV, whatever the case of
// the file's extension.
func TestIngestFormats(t *testing.T) {
	ref := MustOpenDB(t)
	if _, err := loadFile(t, ref, canonical); err != nil {
		t.Fatal(err)
	}
	const rows = "SELECT * EXCLUDE (file_id, line) FROM ledger_tx ORDER BY transaction_id, occurrence"
	want := dump(t, ref, rows)
	dir := t.TempDir()
	for name, opts := range map[string]string{
		"x_2026-11-23.csv.gz": "FORMAT csv, COMPRESSION gzip", "x_2026-11-23.jsonl": "FORMAT json",
		"x_2026-11-23.jsonl.gz": "FORMAT json, COMPRESSION gzip", "x_2026-11-23.parquet": "FORMAT parquet",
		"X_2026-11-23.CSV.GZ": "FORMAT csv, COMPRESSION gzip", "X_2026-11-23.JSONL.GZ": "FORMAT json, COMPRESSION gzip",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			dump(t, ref, fmt.Sprintf("COPY (SELECT * FROM read_csv('%s', all_varchar = true)) TO '%s' (%s)", canonical, path, opts))
			db := MustOpenDB(t)
			out, err := loadFile(t, db, path)
			if err != nil {
				t.Fatal(err)
			}
			if out.Rows != 4 || out.Quarantined != 1 {
				t.Errorf("load %s: got %d rows, %d quarantined; want 4, 1", name, out.Rows, out.Quarantined)
			}
			if diff := cmp.Diff(want, dump(t, db, rows)); diff != "" {
				t.Errorf("rows stored from %s (-csv +%s):\n%s", name, name, diff)
			}
		})
	}
}

// TestIngestRejects: a file refused whole names itself, the line, the column
// and the reason, and leaves stored data as it was.
func TestIngestRejects(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n"
	const good = "M001,ORD-9,TX-9,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example,A\n"
	const card = "4111 1111 1111 1111"
	jsonGood := jsonRecord("T", `"1.00"`, "USD") + "\n"
	tests := []struct {
		name, file, body string
		want             []string
	}{
		{"missing columns", "missing_2026-11-23.csv", "partner_merchant_id,transaction_id,processed_at,amount,currency,initiator,site_url\nM001,TX-9,2026-11-23T10:00:00Z,1.00,USD,CIT,a\n",
			[]string{"line 1", "header lacks required columns", "order_id", "status"}},
		{"card number", "card_2026-11-23.csv", header + good + "M001,ORD-8,TX-8,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example,\"PAY " + card + "\"\n",
			[]string{"line 3", "column descriptor", "full card number", "not PCI-safe"}},
		{"unterminated quote", "quote_2026-11-23.csv", header + good + "M001,ORD-8,\"TX-8,2026-11-23T10:00:00Z,1.00,USD,approved,CIT," + card + ",A\n",
			[]string{"line 3", "unterminated quote"}},
		{"card number in a record of a field too many", "count_2026-11-23.csv", header + good + "M001,ORD-8,TX-8,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,a," + card + ",extra\n",
			[]string{"line 3", "column descriptor", "full card number"}},
		{"card number in a field beyond the header's", "beyond_2026-11-23.csv", header + good + "M001,ORD-8,TX-8,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,a,B,x,\"" + card + "\",\n",
			[]string{"line 3", "column 12", "full card number"}},
		{"a single row of a field too many", "single_2026-11-23.csv", header + strings.TrimSuffix(good, "\n") + ",\n",
			[]string{"line 2", "every record has another number of fields than the header's 10 (this one 11)"}},
		{"every row short of the header", "short_2026-11-23.csv", header + "M001,ORD-8,TX-8\nM001,ORD-9,TX-9\n",
			[]string{"line 2", "every record has another number of fields than the header's 10 (this one 3)"}},
		{"a file cut off in its last record", "cut_2026-11-23.csv", header + good + "M001,ORD-8,TX-8,2026-11-23T10:0",
			[]string{"line 3", "the last record stops short", "cut off"}},
		{"a record of too many fields", "long_2026-11-23.csv", header + good + strings.TrimSuffix(good, "\n") + strings.Repeat(",x", 1001) + "\n",
			[]string{"line 3", "1011 fields, the header has 10", "too many to read"}},
		{"card number in JSON Lines", "card_2026-11-23.jsonl", `{"partner_merchant_id":"M001","order_id":"O","transaction_id":"T","processed_at":"2026-11-23T10:00:00Z","amount":"1.00","currency":"USD","status":"approved","initiator":"CIT","site_url":"a"}` + "\n" + `{"partner_merchant_id":"M001","order_id":"O","transaction_id":"T2","processed_at":"2026-11-23T10:00:00Z","amount":"1.00","currency":"USD","status":"approved","initiator":"CIT","site_url":"a","note":"` + card + `"}` + "\n",
			[]string{"line 2", "column note", "full card number"}},
		{"card number beside other digits", "beside_2026-11-23.csv", header + good + "M001,ORD-8,TX-8,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example,\"CARD " + card + " 123\"\n",
			[]string{"line 3", "column descriptor", "full card number"}},
		{"card number in JSON Lines after a blank line", "cardblank_2026-11-23.jsonl", `{"partner_merchant_id":"M001","order_id":"O","transaction_id":"T","processed_at":"2026-11-23T10:00:00Z","amount":"1.00","currency":"USD","status":"approved","initiator":"CIT","site_url":"a"}` + "\n\n" + `{"partner_merchant_id":"M001","order_id":"O","transaction_id":"T2","processed_at":"2026-11-23T10:00:00Z","amount":"1.00","currency":"USD","status":"approved","initiator":"CIT","site_url":"a","note":"` + card + `"}` + "\n",
			[]string{"line 3", "column note", "full card number"}},
		{"card number in JSON escapes", "escaped_2026-11-23.jsonl", `{"partner_merchant_id":"M001","order_id":"O","transaction_id":"T","processed_at":"2026-11-23T10:00:00Z","amount":"1.00","currency":"USD","status":"approved","initiator":"CIT","site_url":"a","descriptor":"4111\u003111111111111"}` + "\n",
			[]string{"line 1", "column descriptor", "full card number"}},
		{"card number as a column name", "named_2026-11-23.csv", strings.TrimSuffix(header, "\n") + "," + card + "\n" + strings.TrimSuffix(good, "\n") + ",x\n",
			[]string{"line 1", "column 11", "name looks like a full card number"}},
		{"card number in a header quoted by DuckDB", "dupname_2026-11-23.csv", strings.TrimSuffix(header, "\n") + ",4111111111111111x,4111111111111111x\n" + good,
			[]string{"line 1", "column 11"}},
		{"a column name twice", "twice_2026-11-23.csv", strings.TrimSuffix(header, "\n") + ",Amount\n" + strings.TrimSuffix(good, "\n") + ",2.00\n",
			[]string{"line 1", "column 11", `"Amount" is column 5's already`}},
		{"card number in a malformed JSON line", "bad_2026-11-23.jsonl", jsonGood + `{"order_id": "` + card + `", oops}` + "\n",
			[]string{"line 2", "column (record)", "full card number", "not PCI-safe"}},
		{"card number escaped in a malformed JSON line", "badesc_2026-11-23.jsonl", jsonGood + `{"order_id": "4111\u003111111111111", oops}` + "\n",
			[]string{"line 2", "column (record)", "full card number"}},
		{"card number in a JSON line that is no object", "array_2026-11-23.jsonl", jsonGood + `["` + card + `"]` + "\n",
			[]string{"line 2", "column (record)", "full card number"}},
		{"a JSON Lines file cut off in its last record", "cut_2026-11-23.jsonl", jsonGood + "\n" + `{"partner_merchant_id":"M0`,
			[]string{"line 3", "the last record stops short", "cut off"}},
		{"a JSON Lines file cut off in its only record", "cutone_2026-11-23.jsonl", `{"partner_merchant_id":"M0`,
			[]string{"line 1", "the last record stops short", "cut off"}},
		{"no JSON object in JSON Lines", "noobject_2026-11-23.jsonl", "\n[1,2]\n[3]\n",
			[]string{"line 2", "not a JSON object", "no record of the file is a JSON object"}},
		{"nothing but blank lines in JSON Lines", "blanks_2026-11-23.jsonl", "\n \n", []string{"file is empty"}},
		{"empty file", "empty_2026-11-23.csv", "", []string{"file is empty"}},
		{"no business date", "nodate.csv", header + "M001,ORD-8,TX-8,yesterday,1.00,USD,approved,CIT,https://a.example,A\n",
			[]string{"no business date", "no row has a valid processed_at"}},
		{"corrupt gzip", "gz_2026-11-23.csv.gz", header + good, []string{"line 1", "not gzip data"}},
		{"a blank line before the header", "blank_2026-11-23.csv", "\n" + header + good, []string{"line 1", "header must be the file's first line"}},
		{"lines ending in CR alone", "cr_2026-11-23.csv", strings.ReplaceAll(header+good, "\n", "\r"), []string{"line 1", "carriage return alone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			if _, err := loadFile(t, db, canonical); err != nil {
				t.Fatal(err)
			}
			before := stored(t, db)
			path := writeFile(t, tt.file, tt.body)
			_, err := loadFile(t, db, path)
			checkRejection(t, db, path, err, append(tt.want, path))
			if diff := cmp.Diff(before, stored(t, db)); diff != "" {
				t.Errorf("stored data changed by rejected %s (-before +after):\n%s", tt.file, diff)
			}
		})
	}
}

// checkRejection asserts the error and the recorded reason say what they
// must and never carry a card number.
func checkRejection(t *testing.T, db *store.DB, path string, err error, want []string) {
	t.Helper()
	if !errors.Is(err, store.ErrRejected) {
		t.Fatalf("load %s: got error %v, want ErrRejected", path, err)
	}
	recorded := dump(t, db, "SELECT reason FROM ledger_files WHERE outcome = 'rejected'")
	if len(recorded) != 1 {
		t.Fatalf("load %s: got rejected files %q, want one", path, recorded)
	}
	for _, msg := range []string{err.Error(), recorded[0][0]} {
		if strings.Contains(strings.ReplaceAll(msg, " ", ""), "4111111111111111") {
			t.Errorf("load %s: message carries the card number: %s", path, msg)
		}
	}
	for _, w := range want {
		if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(w)) {
			t.Errorf("load %s: error %q lacks %q", path, err, w)
		}
	}
}

// TestIngestLinesOfMultiLineRecords: after a value spanning two lines and a
// blank line, a quarantined row, a stored row and a card number are named by
// the lines they are on in the file, not by their record numbers.
func TestIngestLinesOfMultiLineRecords(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n"
	const prefix = header + // line 1
		"M001,ORD-1,TX-1,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example,\"TWO\nLINES\"\n" + // lines 2-3
		"\n" // line 4
	db := MustOpenDB(t)
	_, err := loadFile(t, db, writeFile(t, "multi_2026-11-23.csv", prefix+
		"M001,ORD-2,TX-2,2026-11-23T10:00:00Z,ten,USD,approved,CIT,https://a.example,A\n"+ // line 5
		"M001,ORD-3,TX-3,2026-11-23T10:00:00Z,3.00,USD,approved,CIT,https://a.example,A\n")) // line 6
	if err != nil {
		t.Fatal(err)
	}
	got := dump(t, db, "SELECT transaction_id, line FROM ledger_tx UNION ALL SELECT column_name, line FROM quarantine ORDER BY 2")
	want := [][]string{{"TX-1", "2"}, {"amount", "5"}, {"TX-3", "6"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines stored (-want +got):\n%s", diff)
	}
	path := writeFile(t, "card_2026-11-24.csv", prefix+"M001,ORD-4,TX-4,2026-11-24T10:00:00Z,1.00,USD,approved,CIT,https://a.example,PAY 4111111111111111\n")
	_, err = loadFile(t, db, path)
	checkRejection(t, db, path, err, []string{"line 5", "column descriptor"})

	// A quote inside an unquoted value is text: the record still ends with its line.
	inches := MustOpenDB(t)
	_, err = loadFile(t, inches, writeFile(t, "inches_2026-11-25.csv", header+
		"M001,ORD-1,TX-1,2026-11-25T10:00:00Z,1.00,USD,approved,CIT,https://a.example,5\" FRAME\n"+ // line 2
		"M001,ORD-2,TX-2,2026-11-25T10:00:00Z,1.00,USD,approved,CIT,https://a.example,7\" FRAME\n"+ // line 3
		"\n"+ // line 4
		"M001,ORD-3,TX-3,2026-11-25T10:00:00Z,ten,USD,approved,CIT,https://a.example,A\n"+ // line 5
		"M001,ORD-4,TX-4,2026-11-25T10:00:00Z,4.00,USD,approved,CIT,https://a.example,A\n")) // line 6
	if err != nil {
		t.Fatal(err)
	}
	got = dump(t, inches, "SELECT transaction_id, line FROM ledger_tx UNION ALL SELECT column_name, line FROM quarantine ORDER BY 2")
	want = [][]string{{"TX-1", "2"}, {"TX-2", "3"}, {"amount", "5"}, {"TX-4", "6"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines stored with quotes inside values (-want +got):\n%s", diff)
	}
}

// TestIngestQuarantinedLines: a quarantined row is named by the line it is
// on in the file after a doubled quote ending a line inside a quoted value,
// and after a blank line in a gzipped CSV and in JSON Lines.
func TestIngestQuarantinedLines(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n"
	const row = "M1,O%d,T%d,2026-11-23T10:00:00Z,%s,USD,approved,CIT,https://a,A\n"
	const record = `{"partner_merchant_id":"M1","order_id":"O%d","transaction_id":"T%d","processed_at":"2026-11-23T10:00:00Z","amount":"%s","currency":"USD","status":"approved","initiator":"CIT","site_url":"a"}` + "\n"
	tests := []struct {
		name, file, body string
		line             string
	}{
		{"doubled quote before a line end", "esc_2026-11-23.csv", header +
			"M1,O1,T1,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a,\"5\"\" FRAME\nSECOND\"\n" + // lines 2-3
			fmt.Sprintf(row, 2, 2, "ten"), "4"},
		{"gzipped CSV with a blank line", "blank_2026-11-23.csv.gz", header + fmt.Sprintf(row, 1, 1, "1.00") + "\n" +
			fmt.Sprintf(row, 2, 2, "ten"), "4"},
		{"JSON Lines with a blank line", "blank_2026-11-23.jsonl", fmt.Sprintf(record, 1, 1, "1.00") + "\n" +
			fmt.Sprintf(record, 2, 2, "ten"), "3"},
		{"JSON Lines with lines of a form feed and a vertical tab", "ff_2026-11-23.jsonl", fmt.Sprintf(record, 1, 1, "1.00") + "\f\n\v \n" +
			fmt.Sprintf(record, 2, 2, "ten"), "4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := loadBody(t, tt.file, tt.body)
			got := dump(t, db, "SELECT line, column_name FROM quarantine")
			if diff := cmp.Diff([][]string{{tt.line, "amount"}}, got); diff != "" {
				t.Errorf("quarantine (-want +got):\n%s", diff)
			}
		})
	}
}

func gzipped(t *testing.T, body string) string {
	t.Helper()
	var b strings.Builder
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestIngestLinesAtScale: the stage is read on every thread, so line numbers
// come from its order; bad rows far into a file of many read batches still
// name their own line, and the good rows keep theirs.
func TestIngestLinesAtScale(t *testing.T) {
	const rows = 300_000
	bad := map[int]bool{7: true, 123_457: true, 299_999: true}
	var b strings.Builder
	b.WriteString("partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n")
	for i := range rows {
		amount := "1.00"
		if bad[i] {
			amount = "x"
		}
		fmt.Fprintf(&b, "M1,O%d,T%d,2026-11-23T10:00:00Z,%s,USD,approved,CIT,https://a.example\n", i, i, amount)
	}
	db := MustOpenDB(t)
	out, err := loadFile(t, db, writeFile(t, "many_2026-11-23.csv", b.String()))
	if err != nil {
		t.Fatal(err)
	}
	var lines []int64
	for _, p := range out.Problems {
		lines = append(lines, p.Line)
	}
	// Record i is on line i+2: the header is line 1.
	if diff := cmp.Diff([]int64{9, 123_459, 300_001}, lines); diff != "" {
		t.Errorf("quarantined lines (-want +got):\n%s", diff)
	}
	got := dump(t, db, "SELECT count(*) FILTER (WHERE line <> CAST(substr(transaction_id, 2) AS BIGINT) + 2), count(*) FROM ledger_tx")
	if diff := cmp.Diff([][]string{{"0", fmt.Sprint(rows - len(bad))}}, got); diff != "" {
		t.Errorf("stored rows whose line is not their record's (-want +got):\n%s", diff)
	}
}

// TestIngestScreenedFile: a CSV written well before it is read is screened
// as it is hashed, and DuckDB skips the card guard and the trimming the
// screen clears it of. Each file stores the same rows, or meets the same
// rejection, as when it is read the moment it is written (never screened).
func TestIngestScreenedFile(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n"
	for name, body := range map[string]string{
		"clean":  header + "M001,ORD-1,TX-1,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example,ACME STORE\nM001,ORD-2,TX-2,2026-11-23T11:00:00Z,2.00,USD,declined,MIT,,\"ACME, \"\"PHONE\"\"\"\n",
		"padded": header + "M001,ORD-1, TX-1 ,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example,\" ACME STORE\"\n M002,ORD-2,TX-2,2026-11-23T11:00:00Z,2.00 ,USD,declined,MIT,,x \n",
		"card":   header + "M001,ORD-1,TX-1,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example,PAY 4111-1111-1111-1111\n",
	} {
		t.Run(name, func(t *testing.T) {
			fresh, aged := MustOpenDB(t), MustOpenDB(t)
			path := writeFile(t, name+"_2026-11-23.csv", body)
			_, freshErr := loadFile(t, fresh, path)
			old := time.Now().Add(-time.Hour)
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			_, agedErr := loadFile(t, aged, path)
			if fmt.Sprint(freshErr) != fmt.Sprint(agedErr) {
				t.Errorf("load %s: read at once: %v; screened: %v", path, freshErr, agedErr)
			}
			if diff := cmp.Diff(dump(t, fresh, ledgerRows), dump(t, aged, ledgerRows)); diff != "" {
				t.Errorf("rows stored from %s (-read at once +screened):\n%s", path, diff)
			}
		})
	}
}

// TestIngestFileChangedAfterHash: a file written again between its hash
// and its reading is rejected; the hash would not describe what was read.
func TestIngestFileChangedAfterHash(t *testing.T) {
	db := MustOpenDB(t)
	path := writeFile(t, "late_2026-11-23.csv", "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n")
	lf := loadFileFor(t, path, ledger.Mapping{})
	appended := "M001,ORD-1,TX-1,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example\n"
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(appended); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = db.IngestFile(context.Background(), lf)
	checkRejection(t, db, path, err, []string{"changed while it was read"})
	if got := dump(t, db, "SELECT count(*) FROM ledger_tx"); got[0][0] != "0" {
		t.Errorf("load %s: stored %s rows of a file that changed", path, got[0][0])
	}
}

// TestIngestMemoryLimit: a load runs under the ingest memory limit and
// gives DuckDB back the limit of all work when done.
func TestIngestMemoryLimit(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.SetMemoryLimit(ctx, "1GB"); err != nil {
		t.Fatal(err)
	}
	db.SetIngestMemoryLimit("512MB")
	limit := func() string { return dump(t, db, "SELECT current_setting('memory_limit')")[0][0] }
	work := limit()
	var during []string
	lf := loadFileFor(t, canonical, ledger.Mapping{})
	lf.Progress = func(string) { during = append(during, limit()) }
	if _, err := db.IngestFile(ctx, lf); err != nil {
		t.Fatal(err)
	}
	if len(during) == 0 || slices.Contains(during, work) {
		t.Errorf("memory limit while loading: %q; want none of the work limit %q", during, work)
	}
	if got := limit(); got != work {
		t.Errorf("memory limit after loading: %q, want %q back", got, work)
	}
}

// TestIngestAmountsEndingInZeros: zeros that end a fraction add no places,
// so an exact amount loads whatever its text (a typed Parquet column writes
// every currency with the column's scale), and only a digit the currency
// cannot hold is quarantined.
func TestIngestAmountsEndingInZeros(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n"
	row := func(tx, amount, currency string) string {
		return "M001,O-" + tx + "," + tx + ",2026-11-23T10:00:00Z," + amount + "," + currency + ",approved,CIT,https://a.example,A\n"
	}
	amounts := "SELECT transaction_id, amount FROM ledger_tx ORDER BY transaction_id"
	major := writeFile(t, "major_2026-11-23.csv", header+row("T1", "19.990", "USD")+row("T2", "1000.000", "JPY")+
		row("T3", "1.2340", "KWD")+row("T4", "12.3450", "USD")+row("T5", "10.", "USD"))
	minor := writeFile(t, "minor_2026-11-23.csv", header+row("T1", "1999.0", "USD")+row("T2", "1999.5", "USD")+row("T3", "-5.00", "USD"))
	parquet := filepath.Join(t.TempDir(), "typed_2026-11-23.parquet")
	dump(t, MustOpenDB(t), fmt.Sprintf("COPY (SELECT * REPLACE (CAST(amount AS DECIMAL(18, 3)) AS amount) FROM read_csv('%s', all_varchar = true) WHERE transaction_id IN ('T1', 'T2', 'T3')) TO '%s' (FORMAT parquet)", major, parquet))
	tests := []struct {
		name, path, unit string
		want             [][]string
		quarantined      int64
	}{
		{"major units", major, "", [][]string{{"T1", "1999"}, {"T2", "1000"}, {"T3", "1234"}}, 2},
		{"minor units", minor, "minor", [][]string{{"T1", "1999"}, {"T3", "-5"}}, 1},
		{"parquet DECIMAL(18, 3)", parquet, "", [][]string{{"T1", "1999"}, {"T2", "1000"}, {"T3", "1234"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			out, err := loadMapped(t, db, tt.path, ledger.Mapping{AmountUnit: tt.unit})
			if err != nil {
				t.Fatal(err)
			}
			if out.Quarantined != tt.quarantined {
				t.Errorf("quarantined %d rows (%+v), want %d", out.Quarantined, out.Problems, tt.quarantined)
			}
			if diff := cmp.Diff(tt.want, dump(t, db, amounts)); diff != "" {
				t.Errorf("stored amounts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCorrectionLeavesEarlierRunsAsTheyWere: the renumbering a correction
// brings to another file's repeat does not change what an earlier run
// judged that row as.
func TestCorrectionLeavesEarlierRunsAsTheyWere(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n"
	const tx1 = "M001,ORD-1,TX-1,2026-11-23T10:00:00Z,1.00,USD,declined,CIT,https://a.example\n"
	// TX-0 is in both versions of 2026-11-23: a correction restates the day.
	const tx0 = "M001,ORD-0,TX-0,2026-11-23T09:00:00Z,1.00,USD,approved,CIT,https://a.example\n"
	ctx := context.Background()
	db := MustOpenDB(t)
	load := func(name, body string) {
		if _, err := loadFile(t, db, writeFile(t, name, body)); err != nil {
			t.Fatal(err)
		}
	}
	load("ledger_2026-11-23.csv", header+tx0+tx1)
	load("ledger_2026-11-24.csv", header+"M001,ORD-2,TX-2,2026-11-24T10:00:00Z,1.00,USD,approved,CIT,https://a.example\n"+tx1)
	first := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	w := store.Window{Start: first, End: first.AddDate(0, 0, 2), FirstDay: first, LastDay: first.AddDate(0, 0, 1)}
	if _, err := db.Classify(ctx, 1, w, w.End); err != nil {
		t.Fatal(err)
	}
	run1 := "SELECT f.name, r.occurrence FROM results r JOIN ledger_files f ON f.id = r.file_id WHERE r.run_id = 1 ORDER BY ALL"
	before := dump(t, db, run1)
	load("ledger_2026-11-23_v2.csv", header+tx0+"M001,ORD-3,TX-3,2026-11-23T11:00:00Z,1.00,USD,approved,CIT,https://a.example\n")
	if diff := cmp.Diff(before, dump(t, db, run1)); diff != "" {
		t.Errorf("run 1's rows after a later correction (-before +after):\n%s", diff)
	}
}

// loadBody loads body as a file named name (gzipped when the name ends in
// .gz) into a new database.
func loadBody(t *testing.T, name, body string) *store.DB {
	t.Helper()
	db := MustOpenDB(t)
	if _, err := loadFile(t, db, writeText(t, name, body)); err != nil {
		t.Fatal(err)
	}
	return db
}

// earlierOf is the file a load replaced; 0 for none.
func earlierOf(out store.LoadOutcome) int64 {
	if out.Replacement == nil {
		return 0
	}
	return out.Replacement.EarlierID
}

// parquetDecline is the select list of a valid Parquet decline, T1, T2,
// ... by a column tx, for a test to add the column it is about.
const parquetDecline = `'M001' AS partner_merchant_id, 'O-' || tx AS order_id, tx AS transaction_id,
		TIMESTAMPTZ '2026-11-23 10:00:00+00' AS processed_at, '19.99' AS amount, 'USD' AS currency, 'declined' AS status,
		'CIT' AS initiator, 'https://a.example' AS site_url`

// loadParquet writes what query selects into a Parquet file of name, as
// an exporter would, and loads it into a new database.
func loadParquet(t *testing.T, name, query string) (string, *store.DB, store.LoadOutcome) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	dump(t, MustOpenDB(t), fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet)", query, path))
	db := MustOpenDB(t)
	out, err := loadFile(t, db, path)
	if err != nil {
		t.Fatal(err)
	}
	return path, db, out
}

// TestIngestParquetFloatText: a Parquet column of floats (FLOAT, DOUBLE)
// has no text as the exporter wrote it, only DuckDB's print of the float:
// a campaign id of 12345 in a column pandas made DOUBLE for a missing value
// was stored as "12345.0", a response code 05 as "5.0", ids and codes that
// match nothing. Such a value of a text column quarantines its record,
// naming the column, as a JSON number not in plain digits does; a NULL in
// it, an integer column and a float amount (judged by its digits) load.
func TestIngestParquetFloatText(t *testing.T) {
	path, db, out := loadParquet(t, "floats_2026-11-23.parquet", `SELECT 'M001' AS partner_merchant_id, CAST(7 AS BIGINT) AS mid, 'O-' || tx AS order_id, tx AS transaction_id,
		TIMESTAMPTZ '2026-11-23 10:00:00+00' AS processed_at, CAST(19.99 AS DOUBLE) AS amount, 'USD' AS currency, 'declined' AS status,
		CAST(code AS FLOAT) AS response_code, 'CIT' AS initiator, 'https://a.example' AS site_url, CAST(campaign AS DOUBLE) AS campaign_id
		FROM (VALUES ('T1', 12345, NULL), ('T2', NULL, 5), ('T3', NULL, NULL)) v(tx, campaign, code)`)
	const why = `: a float's print, which may have lost digits; write the column as text`
	want := []store.Problem{
		{Line: 1, Column: "campaign_id", Reason: `column "campaign_id" holds the float 12345.0` + why},
		{Line: 2, Column: "response_code", Reason: `column "response_code" holds the float 5.0` + why},
	}
	if diff := cmp.Diff(want, out.Problems); diff != "" {
		t.Errorf("load %s: problems (-want +got):\n%s", path, diff)
	}
	stored := [][]string{{"T3", "7", "<nil>", "<nil>", "1999"}}
	if diff := cmp.Diff(stored, dump(t, db, "SELECT transaction_id, mid, response_code, campaign_id, amount FROM ledger_tx")); diff != "" {
		t.Errorf("load %s: rows stored (-want +got):\n%s", path, diff)
	}
}

// TestIngestParquetNestedText: a Parquet column of nested values (a
// struct, a list, a map) holds no value of a text column, as a JSON object
// or array does not: its record is quarantined, naming the column, where
// DuckDB's print of it ({'id': O-1}) was stored as the id.
func TestIngestParquetNestedText(t *testing.T) {
	path, db, out := loadParquet(t, "nested_2026-11-23.parquet", `SELECT `+parquetDecline+`, campaign AS campaign_id, codes AS response_code
		FROM (VALUES ('T1', {'id': 'C-1'}, NULL), ('T2', NULL, ['05']), ('T3', NULL, NULL)) v(tx, campaign, codes)`)
	const why = `, not a value of the column: its print is no id or code; map the column that holds the value`
	want := []store.Problem{
		{Line: 1, Column: "campaign_id", Reason: `column "campaign_id" holds a STRUCT(id VARCHAR)` + why},
		{Line: 2, Column: "response_code", Reason: `column "response_code" holds a VARCHAR[]` + why},
	}
	if diff := cmp.Diff(want, out.Problems); diff != "" {
		t.Errorf("load %s: problems (-want +got):\n%s", path, diff)
	}
	if got := dump(t, db, "SELECT transaction_id FROM ledger_tx"); !cmp.Equal(got, [][]string{{"T3"}}) {
		t.Errorf("load %s: stored %q, want T3 alone", path, got)
	}
}

// TestIngestParquetOddColumnNamedWhole: a Parquet record quarantined for
// a column with a quote, a space and a backslash in its name names that
// column as it is spelt, and quotes it in the reason as Go does, as every
// reason naming a key does; it was written raw (column "Pay "Ref" \x").
func TestIngestParquetOddColumnNamedWhole(t *testing.T) {
	const name = `Pay "Ref" \x`
	path := filepath.Join(t.TempDir(), "odd_2026-11-23.parquet")
	dump(t, MustOpenDB(t), fmt.Sprintf(`COPY (SELECT %s, CAST(12345 AS DOUBLE) AS "Pay ""Ref"" \x" FROM (VALUES ('T1')) v(tx)) TO '%s' (FORMAT parquet)`, parquetDecline, path))
	out, err := loadMapped(t, MustOpenDB(t), path, ledger.Mapping{Columns: map[string]string{"campaign_id": name}})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Problem{{Line: 1, Column: name,
		Reason: `column "Pay \"Ref\" \\x" holds the float 12345.0: a float's print, which may have lost digits; write the column as text`}}
	if diff := cmp.Diff(want, out.Problems); diff != "" {
		t.Errorf("load %s: problems (-want +got):\n%s", path, diff)
	}
}

// TestIngestParquetBooleanText: a Parquet BOOLEAN column is a flag, no
// text: mapped to a text column (a descriptor) it quarantines each record
// holding a value, naming the column, where "true" was stored as the
// descriptor; as is_recurring it loads.
func TestIngestParquetBooleanText(t *testing.T) {
	path, db, out := loadParquet(t, "flags_2026-11-23.parquet", `SELECT `+parquetDecline+`, flag AS descriptor, flag AS is_recurring
		FROM (VALUES ('T1', true), ('T2', NULL)) v(tx, flag)`)
	want := []store.Problem{{Line: 1, Column: "descriptor",
		Reason: `column "descriptor" holds the boolean true, not text: a flag is no id, code or descriptor; map the column that holds the value`}}
	if diff := cmp.Diff(want, out.Problems); diff != "" {
		t.Errorf("load %s: problems (-want +got):\n%s", path, diff)
	}
	if got := dump(t, db, "SELECT transaction_id, descriptor, is_recurring FROM ledger_tx"); !cmp.Equal(got, [][]string{{"T2", "<nil>", "false"}}) {
		t.Errorf("load %s: stored %q, want T2 alone, without a descriptor", path, got)
	}
}

// TestIngestOutOfMemoryIsNoRejection: a load that runs out of memory fails
// as the machine's failing, not as a file rejected: nothing is recorded of
// the file, so a run fails rather than succeed without its rows, and the
// file loads once there is memory.
func TestIngestOutOfMemoryIsNoRejection(t *testing.T) {
	path := manyRows(t, 200_000)
	db := MustOpenDB(t)
	db.SetIngestMemoryLimit("16MB")
	if _, err := loadFile(t, db, path); err == nil || errors.Is(err, store.ErrRejected) {
		t.Fatalf("load under 16MB: %v; want it failed, not rejected", err)
	}
	if got := dump(t, db, "SELECT count(*) FROM ledger_files"); got[0][0] != "0" {
		t.Errorf("files recorded after a load ran out of memory: %s, want none", got[0][0])
	}
	db.SetIngestMemoryLimit("1GB")
	if out, err := loadFile(t, db, path); err != nil || out.Rows != 200_000 {
		t.Errorf("load with memory: %+v, %v; want 200000 rows", out, err)
	}
}

// TestIngestDatelessFileDatedByRowsThatLoad: a file whose name has no date
// is dated by its rows that load: a quarantined straggler
// from the day before does not date it a day early (where it would replace
// that day's file). A file of quarantined rows alone is dated by them.
func TestIngestDatelessFileDatedByRowsThatLoad(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n"
	for name, tt := range map[string]struct{ body, want string }{
		"a straggler quarantined": {header +
			"M1,O1,T1,2026-11-22T10:00:00Z,not money,USD,approved,CIT,https://a.example\n" +
			"M1,O2,T2,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example\n", "2026-11-23"},
		"every row quarantined": {header +
			"M1,O1,T1,2026-11-22T10:00:00Z,not money,USD,approved,CIT,https://a.example\n", "2026-11-22"},
	} {
		t.Run(name, func(t *testing.T) {
			db := MustOpenDB(t)
			if _, err := loadFile(t, db, writeFile(t, "export.csv", tt.body)); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, db, "SELECT strftime(business_date, '%Y-%m-%d') FROM ledger_files"); got[0][0] != tt.want {
				t.Errorf("business date: got %s, want %s", got[0][0], tt.want)
			}
		})
	}
}

// manyRows writes an export of n good rows, more than a small memory limit
// takes in, and returns its path.
func manyRows(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n")
	for i := range n {
		fmt.Fprintf(&b, "M1,O%d,T%d,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example\n", i, i)
	}
	return writeFile(t, "many_2026-11-23.csv", b.String())
}

// TestIngestDatelessFileDatedByMostRows: a file whose name has no date is of
// the day holding most of its rows that load, the later day on a tie, so
// that a late-settled row of the day before does not date a nightly export
// early: dated by its earliest row, export.csv of 2026-11-23 holding one
// row of 2026-11-22 was that day's file, and replaced ledger_2026-11-22.csv
// (T0 left the files in force). A quarantined row breaks no tie: counted as
// a tie-break, one of 2026-11-22 dated the file so again.
func TestIngestDatelessFileDatedByMostRows(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n"
	rowAt := func(tx, at string) string {
		return fmt.Sprintf("M1,O-%s,%s,%s,1.00,USD,approved,CIT,https://a.example\n", tx, tx, at)
	}
	const d22, d23 = "2026-11-22T15:00:00Z", "2026-11-23T15:00:00Z"
	for name, tt := range map[string]struct {
		body    string
		day     string
		inForce [][]string
	}{
		"a straggler": {rowAt("T1", d22) + rowAt("T2", d23) + rowAt("T3", d23), "2026-11-23",
			[][]string{{"T0"}, {"T1"}, {"T2"}, {"T3"}}},
		"one row each day": {rowAt("T1", d22) + rowAt("T2", d23), "2026-11-23",
			[][]string{{"T0"}, {"T1"}, {"T2"}}},
		"one row each day, a quarantined one the day before": {rowAt("T1", d22) + rowAt("T2", d23) +
			"M1,O-T9,T9,2026-11-22T16:00:00Z,not money,USD,approved,CIT,https://a.example\n", "2026-11-23",
			[][]string{{"T0"}, {"T1"}, {"T2"}}},
		"most rows the day before": {rowAt("T0", d22) + rowAt("T2", d22) + rowAt("T3", d23), "2026-11-22",
			[][]string{{"T0"}, {"T2"}, {"T3"}}}, // restating T0: a correction, not a file unlike the day's
	} {
		t.Run(name, func(t *testing.T) {
			db := MustOpenDB(t)
			if _, err := loadFile(t, db, writeFile(t, "ledger_2026-11-22.csv", header+rowAt("T0", d22))); err != nil {
				t.Fatal(err)
			}
			if _, err := loadFile(t, db, writeFile(t, "export.csv", header+tt.body)); err != nil {
				t.Fatal(err)
			}
			got := dump(t, db, "SELECT strftime(business_date, '%Y-%m-%d') FROM ledger_files WHERE name = 'export.csv'")
			if got[0][0] != tt.day {
				t.Errorf("export.csv of\n%sdated %s, want %s", tt.body, got[0][0], tt.day)
			}
			if diff := cmp.Diff(tt.inForce, dump(t, db, "SELECT transaction_id FROM ledger_tx ORDER BY ALL")); diff != "" {
				t.Errorf("export.csv of\n%srows in force (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

// TestIngestNameSpellingTwoDays: a file whose name spells two different
// days is of the one its rows give, else of the first, and the check, the
// file's record and the run's notices say why. Dated by its first date, a
// range of 2026-11-23's rows (export_2026-11-22_to_2026-11-23.csv) was
// 2026-11-22's file and replaced ledger_2026-11-22.csv; dated by its rows
// alone, a rerun named by its export day (ledger_20261124_rerun_20261125.csv
// of 2026-11-23's rows) stayed in force beside ledger_20261124.csv, its
// rows counted twice; and a file of no valid processed_at was rejected.
func TestIngestNameSpellingTwoDays(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n"
	const rows = header + "M1,O1,T1,2026-11-23T15:00:00Z,1.00,USD,approved,CIT,https://a.example\n"
	// The first file holds T1 too: a rerun restates its export's rows, so it
	// replaces it without ingest --replace.
	const earlier = rows + "M1,O0,T0,2026-11-23T09:00:00Z,1.00,USD,approved,CIT,https://a.example\n"
	for _, c := range []struct {
		name, first, second, rows string
		days, day                 string // the second file's name's, and its own
		replaces                  bool
	}{
		{"a range of its rows' day", "ledger_2026-11-22.csv", "export_2026-11-22_to_2026-11-23.csv", rows,
			"2026-11-22 and 2026-11-23", "2026-11-23", false},
		{"a rerun named by export day", "ledger_20261124.csv", "ledger_20261124_rerun_20261125.csv", rows,
			"2026-11-24 and 2026-11-25", "2026-11-24", true},
		{"rows of no valid time", "ledger_2026-11-21.csv", "export_2026-11-22_to_2026-11-23.csv",
			header + "M1,O2,T2,yesterday,1.00,USD,approved,CIT,https://a.example\n", "2026-11-22 and 2026-11-23", "2026-11-22", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := MustOpenDB(t)
			if _, err := loadFile(t, db, writeFile(t, c.first, earlier)); err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, c.second, c.rows)
			why := "its name spells 2 days, " + c.days + ": the one of these its rows give, else the first"
			chk, err := db.CheckFile(t.Context(), loadFileFor(t, path, ledger.Mapping{}))
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			chk.Write(&out)
			if want := c.day + " (" + why + ")"; !strings.Contains(out.String(), want) || (chk.Replaces != 0) != c.replaces {
				t.Errorf("check printed\n%s\nwant %q, replacing the first file %v (got file %d)", out.String(), want, c.replaces, chk.Replaces)
			}
			lf := loadFileFor(t, path, ledger.Mapping{})
			lf.RunID = 7
			if _, err := db.IngestFile(t.Context(), lf); err != nil {
				t.Fatal(err)
			}
			firstOutcome := map[bool]string{false: "loaded", true: "replaced"}[c.replaces]
			want := [][]string{{c.first, ledger.DateFromName(c.first).Format(time.DateOnly), firstOutcome, "<nil>"}, {c.second, c.day, "loaded", why}}
			if diff := cmp.Diff(want, dump(t, db, "SELECT name, strftime(business_date, '%Y-%m-%d'), outcome, reason FROM ledger_files ORDER BY id")); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			notices, err := db.FileNotices(t.Context(), 7)
			if err != nil {
				t.Fatal(err)
			}
			if want := "dated: " + c.second + " is of " + c.day + ": " + why; !slices.Contains(notices, want) {
				t.Errorf("run's file notices %q lack %q", notices, want)
			}
		})
	}
}
