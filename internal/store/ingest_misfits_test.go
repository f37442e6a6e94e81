package store_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

// TestIngestMisfits: a record with another number of fields than the
// header is quarantined as a whole, on its line, never loaded with its
// values under other columns' names, and the rest of the file loads as the
// canonical file does. A check says the same. Each case changes the
// canonical file's line 3 (TX-2), whose last two fields are empty.
func TestIngestMisfits(t *testing.T) {
	body, err := os.ReadFile(canonical)
	if err != nil {
		t.Fatal(err)
	}
	const line3 = "ACME*SHOP,,production,400000,3184,,\n"
	if !strings.Contains(string(body), line3) {
		t.Fatalf("%s has no %q", canonical, line3)
	}
	ref := MustOpenDB(t)
	if _, err := loadFile(t, ref, canonical); err != nil {
		t.Fatal(err)
	}
	others := dump(t, ref, "SELECT * EXCLUDE (file_id) FROM ledger_tx WHERE line <> 3 ORDER BY line, occurrence")
	tests := []struct {
		name, tail, reason string
	}{
		// Read as 21 fields, it would store campaign_id INC,
		// fc_transmit_key 3184 and fc_order_id K1.
		{"a field too many, empty", "ACME*SHOP,INC,,,,3184,K1,\n", "22 fields, the header has 21"},
		{"a field too many", "ACME*SHOP,,production,400000,3184,,,EXTRA\n", "22 fields, the header has 21"},
		{"fields too many, empty", "ACME*SHOP,,production,400000,3184,,,,,\n", "24 fields, the header has 21"},
		{"fields too many", "ACME*SHOP,,production,400000,3184,,,X,Y,\"Z\"\n", "24 fields, the header has 21"},
		{"a field short", "ACME*SHOP,,production,400000,3184,\n", "20 fields, the header has 21"},
		{"fields short", "ACME*SHOP\n", "15 fields, the header has 21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "misfit_2026-11-23.csv", strings.Replace(string(body), line3, tt.tail, 1))
			want := []store.Problem{{Line: 3, Column: "(record)", Reason: tt.reason},
				{Line: 5, Column: "amount", Reason: `"12.345" is not an amount in the source's unit (at most 2 decimals in major units, whole numbers in minor)`},
				{Line: 5, Column: "processed_at", Reason: `"not-a-time" is not an RFC 3339 time or a time in the source's zone`}}
			db := MustOpenDB(t)
			c, err := db.CheckFile(context.Background(), loadFileFor(t, path, ledger.Mapping{}))
			if err != nil || c.Rejected != "" || c.Records != 5 || c.Quarantined != 2 {
				t.Errorf("check %s: %d records, %d quarantined, rejected %q, %v; want 5 records, 2 quarantined", tt.name, c.Records, c.Quarantined, c.Rejected, err)
			}
			if diff := cmp.Diff(want, c.Problems); diff != "" {
				t.Errorf("check %s: problems (-want +got):\n%s", tt.name, diff)
			}
			out, err := loadFile(t, db, path)
			if err != nil {
				t.Fatal(err)
			}
			if out.Rows != 3 || out.Quarantined != 2 {
				t.Errorf("load %s: %d rows, %d quarantined; want 3, 2", tt.name, out.Rows, out.Quarantined)
			}
			if diff := cmp.Diff(want, out.Problems); diff != "" {
				t.Errorf("load %s: problems (-want +got):\n%s", tt.name, diff)
			}
			got := dump(t, db, "SELECT line, column_name, reason FROM quarantine WHERE line = 3")
			if diff := cmp.Diff([][]string{{"3", "(record)", tt.reason}}, got); diff != "" {
				t.Errorf("load %s: quarantine of line 3 (-want +got):\n%s", tt.name, diff)
			}
			if diff := cmp.Diff(others, dump(t, db, ledgerRows)); diff != "" {
				t.Errorf("load %s: rows stored (-canonical without line 3 +got):\n%s", tt.name, diff)
			}
		})
	}
}

// TestIngestMisfitLines: a misfit is named by the line it is on after a
// value spanning lines and a blank line (DuckDB pads records on one thread
// then), in a gzipped file, and as the file's last line without a line end.
func TestIngestMisfitLines(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n"
	const row = "M1,O%d,T%d,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a,A"
	tests := []struct {
		name, file, body string
		want             [][]string // what is stored and quarantined, by line
	}{
		{"after a value spanning lines", "spanning_2026-11-23.csv", header +
			"M1,O1,T1,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a,\"A\nB\nC\"\n" + "\n" + // lines 2-5
			fmt.Sprintf(row, 2, 2) + ",extra\n" + // line 6
			fmt.Sprintf(row, 3, 3) + "\n", // line 7
			[][]string{{"2", "T1"}, {"6", "(record) 11 fields, the header has 10"}, {"7", "T3"}}},
		{"gzipped, after a blank line", "blank_2026-11-23.csv.gz", header +
			fmt.Sprintf(row, 1, 1) + "\n\n" + // lines 2-3
			"M1,O2,T2\n" + // line 4
			fmt.Sprintf(row, 3, 3) + ",,\n", // line 5
			[][]string{{"2", "T1"}, {"4", "(record) 3 fields, the header has 10"}, {"5", "(record) 12 fields, the header has 10"}}},
		{"the last line, without a line end", "last_2026-11-23.csv", header +
			fmt.Sprintf(row, 1, 1) + "\n" + fmt.Sprintf(row, 2, 2) + ",extra",
			[][]string{{"2", "T1"}, {"3", "(record) 11 fields, the header has 10"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := loadBody(t, tt.file, tt.body)
			got := dump(t, db, "SELECT line, transaction_id FROM ledger_tx UNION ALL SELECT line, column_name || ' ' || reason FROM quarantine ORDER BY line")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("stored and quarantined (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIngestMisfitsAtScale: a file of many read batches with misfits is
// read again with its records padded, each still one row in the file's
// order: every stored row keeps its own line, on many threads and (a value
// spanning lines) on one.
func TestIngestMisfitsAtScale(t *testing.T) {
	const rows = 200_000
	misfits := map[int]string{5: ",A,x", 77_777: "", 150_001: ",,,", 199_999: ",y,z"}
	for _, spanning := range []bool{false, true} {
		t.Run(fmt.Sprintf("spanning %v", spanning), func(t *testing.T) {
			var b bytes.Buffer
			b.WriteString("partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n")
			for i := range rows {
				descriptor := ",A"
				if spanning && i == 3 {
					descriptor = ",\"TWO\nLINES\"" // record 3 is on lines 5-6
				}
				if extra, ok := misfits[i]; ok {
					descriptor = extra
				}
				fmt.Fprintf(&b, "M1,O%d,T%d,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a%s\n", i, i, descriptor)
			}
			db := MustOpenDB(t)
			out, err := loadFile(t, db, writeFile(t, "many_2026-11-23.csv", b.String()))
			if err != nil {
				t.Fatal(err)
			}
			shift := 0
			if spanning {
				shift = 1
			}
			// Record i is on line i+2 (the header is line 1), i+3 after the spanning one.
			want := []store.Problem{
				{Line: 7 + int64(shift), Column: "(record)", Reason: "11 fields, the header has 10"},
				{Line: 77_779 + int64(shift), Column: "(record)", Reason: "9 fields, the header has 10"},
				{Line: 150_003 + int64(shift), Column: "(record)", Reason: "12 fields, the header has 10"},
				{Line: 200_001 + int64(shift), Column: "(record)", Reason: "11 fields, the header has 10"},
			}
			if diff := cmp.Diff(want, out.Problems); diff != "" {
				t.Errorf("quarantined (-want +got):\n%s", diff)
			}
			got := dump(t, db, fmt.Sprintf("SELECT count(*) FILTER (WHERE line <> CAST(substr(transaction_id, 2) AS BIGINT) + 2 + (%d > 0 AND transaction_id NOT IN ('T0', 'T1', 'T2', 'T3'))::INT * %d), count(*) FROM ledger_tx", shift, shift))
			if diff := cmp.Diff([][]string{{"0", fmt.Sprint(rows - len(misfits))}}, got); diff != "" {
				t.Errorf("stored rows whose line is not their record's (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIngestRejectsACutGzip: a gzipped export cut off, between two records
// (at a flush of its writer: DuckDB reads the whole records) or inside one,
// is rejected as cut off, by the check as by the load, not loaded as half a
// day.
func TestIngestRejectsACutGzip(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n"
	const row = "M1,O%d,T%d,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a,A\n"
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	fmt.Fprint(zw, header)
	flushed := 0
	for i := range 20000 {
		fmt.Fprintf(zw, row, i, i)
		if i == 9999 {
			if err := zw.Flush(); err != nil {
				t.Fatal(err)
			}
			flushed = z.Len()
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, cut := range map[string]int{"between records": flushed, "inside one": z.Len() / 2} {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "cut_2026-11-23.csv.gz", string(z.Bytes()[:cut]))
			db := MustOpenDB(t)
			check, err := db.CheckFile(t.Context(), loadFileFor(t, path, ledger.Mapping{}))
			if err != nil {
				t.Fatal(err)
			}
			_, err = loadFile(t, db, path)
			if !errors.Is(err, store.ErrRejected) || !strings.Contains(err.Error(), "cut off") || !strings.Contains(check.Rejected, "cut off") {
				t.Errorf("load %v, check %q; want both to reject it as cut off", err, check.Rejected)
			}
			if got := dump(t, db, "SELECT count(*) FROM ledger_rows"); got[0][0] != "0" {
				t.Errorf("stored %v rows of a cut file", got)
			}
		})
	}
}

// TestIngestRowsEndInDelimiter: rows of one empty field more than the header
// are an exporter's style only where the source's mapping says so (a
// delimiter unquoted in a value over an empty last column looks the same):
// then they load whole, and a row of a field more than that is quarantined.
// Without the setting, a file of such rows only is rejected with the hint.
func TestIngestRowsEndInDelimiter(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n"
	const row = "M1,O%d,T%d,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a,A,\n"
	trailing := writeFile(t, "trailing_2026-11-23.csv", header+fmt.Sprintf(row, 1, 1)+fmt.Sprintf(row, 2, 2))
	if _, err := loadFile(t, MustOpenDB(t), trailing); !errors.Is(err, store.ErrRejected) || !strings.Contains(err.Error(), "set rows_end_in_delimiter = true") {
		t.Errorf("rows ending in a delimiter, unsaid: %v; want the file rejected with the hint", err)
	}
	shifted := writeFile(t, "shifted_2026-11-23.csv", header+fmt.Sprintf(row, 1, 1)+fmt.Sprintf(row, 2, 2)+
		"M1,O3,T3,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a,A,INC,\n")
	db := MustOpenDB(t)
	if _, err := db.IngestFile(t.Context(), loadFileFor(t, shifted, ledger.Mapping{RowsEndInDelimiter: true})); err != nil {
		t.Fatal(err)
	}
	got := dump(t, db, "SELECT line, transaction_id || ' ' || descriptor FROM ledger_tx UNION ALL SELECT line, column_name || ' ' || reason FROM quarantine ORDER BY line")
	want := [][]string{{"2", "T1 A"}, {"3", "T2 A"}, {"4", "(record) 12 fields, the header has 10"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored and quarantined (-want +got):\n%s", diff)
	}
}

// TestIngestMixedLineEnds: a ledger export with a \r\n blank line where
// its lines end in \n alone is rejected naming the line, by the load and
// by the check, where DuckDB said only that its parser "reached an invalid
// state".
func TestIngestMixedLineEnds(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n"
	const row = "M1,O%d,T%d,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a,A\n"
	const want = `line 4: a line end other than the header's (\n alone)`
	for _, name := range []string{"mixed_2026-11-23.csv", "mixed_2026-11-23.csv.gz"} {
		t.Run(name, func(t *testing.T) {
			path := writeText(t, name, header+fmt.Sprintf(row, 1, 1)+fmt.Sprintf(row, 2, 2)+"\r\n"+fmt.Sprintf(row, 3, 3))
			db := MustOpenDB(t)
			check, err := db.CheckFile(t.Context(), loadFileFor(t, path, ledger.Mapping{}))
			if err != nil || !strings.Contains(check.Rejected, want) {
				t.Errorf("check: rejected %q, %v; want %q", check.Rejected, err, want)
			}
			_, err = loadFile(t, db, path)
			checkRejection(t, db, name, err, []string{want})
			if got := dump(t, db, "SELECT count(*) FROM ledger_rows"); got[0][0] != "0" {
				t.Errorf("stored %v rows of a rejected file", got)
			}
		})
	}
}

// TestIngestLineEndAfterHeader: one byte of the other line end right after
// the header's (a \n after a \r\n header, a \r after a \n one), which
// DuckDB passes over, is no mixed line end: the export loads, its rows on
// their lines, as it did before mixed line ends were looked for; two such
// bytes are one too many for DuckDB, and reject it naming the line.
func TestIngestLineEndAfterHeader(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor"
	const row = "M1,O%d,T%d,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a,A"
	rows := func(end string) string { return fmt.Sprintf(row, 1, 1) + end + fmt.Sprintf(row, 2, 2) + end }
	for name, body := range map[string]string{
		"\\n after a \\r\\n header": header + "\r\n\n" + rows("\r\n"),
		"\\r\\n after a \\n header": header + "\n\r\n" + rows("\n"),
	} {
		t.Run(name, func(t *testing.T) {
			db := MustOpenDB(t)
			if _, err := loadFile(t, db, writeText(t, "after_2026-11-23.csv", body)); err != nil {
				t.Fatal(err)
			}
			got := dump(t, db, "SELECT transaction_id, line FROM ledger_tx ORDER BY line")
			if diff := cmp.Diff([][]string{{"T1", "3"}, {"T2", "4"}}, got); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
		})
	}
	db := MustOpenDB(t)
	_, err := loadFile(t, db, writeText(t, "twice_2026-11-23.csv", header+"\r\n\n\n"+rows("\r\n")))
	checkRejection(t, db, "twice_2026-11-23.csv", err, []string{`line 3: a line end other than the header's (\r\n)`})
}

// TestIngestRejectsACorruptGzip: a gzipped export whose bytes were damaged
// (a byte of its compressed data, or of its checksum, changed) is rejected
// as damaged, by the check as by the load: not as a misfit on a line of the
// garbage DuckDB decompressed, which no reader of the file could find.
func TestIngestRejectsACorruptGzip(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n"
	var body strings.Builder
	body.WriteString(header)
	for i := range 2000 {
		fmt.Fprintf(&body, "M1,O%d,T%d,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a,A\n", i, i)
	}
	z := []byte(gzipped(t, body.String()))
	for name, at := range map[string]int{"in the compressed data": len(z) / 2, "in the checksum": len(z) - 6} {
		t.Run(name, func(t *testing.T) {
			damaged := slices.Clone(z)
			damaged[at] ^= 0xff
			path := writeFile(t, "damaged_2026-11-23.csv.gz", string(damaged))
			db := MustOpenDB(t)
			check, err := db.CheckFile(t.Context(), loadFileFor(t, path, ledger.Mapping{}))
			if err != nil {
				t.Fatal(err)
			}
			_, err = loadFile(t, db, path)
			const want = "the gzip stream is damaged"
			if !errors.Is(err, store.ErrRejected) || !strings.Contains(err.Error(), want) || !strings.Contains(check.Rejected, want) {
				t.Errorf("load %v, check %q; want both to reject it: %s", err, check.Rejected, want)
			}
			if got := dump(t, db, "SELECT count(*) FROM ledger_rows"); got[0][0] != "0" {
				t.Errorf("stored %v rows of a damaged file", got)
			}
		})
	}
}
