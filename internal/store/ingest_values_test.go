package store_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

// inFormats writes the CSV body as the file name (a .csv), gzipped (a
// .csv.gz, which no screen reads), and as a JSON Lines and a Parquet file of
// the same name, each holding the body's values as text, and returns the
// four paths.
func inFormats(t *testing.T, name, body string) []string {
	t.Helper()
	csvPath := writeFile(t, name+".csv", body)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	if _, err := w.Write([]byte(body)); err != nil || w.Close() != nil {
		t.Fatalf("gzip %s: %v", name, err)
	}
	paths := []string{csvPath, writeFile(t, name+".csv.gz", gz.String())}
	db := MustOpenDB(t)
	for ext, opts := range map[string]string{".jsonl": "FORMAT json", ".parquet": "FORMAT parquet"} {
		path := filepath.Join(t.TempDir(), name+ext)
		dump(t, db, fmt.Sprintf("COPY (SELECT * FROM read_csv('%s', all_varchar = true)) TO '%s' (%s)", csvPath, path, opts))
		paths = append(paths, path)
	}
	return paths
}

// TestIngestCurrencyCase: an ISO 4217 code is read without regard to case,
// in every format, and stored in upper case ("usd" is USD, with USD's two
// decimals), so it compares equal to FlexCharge's, which are upper-cased
// as they are pulled. A value map may map a currency as it maps an enum
// column; what it maps to is upper-cased too. Only ASCII letters are
// raised: a dotless ı does not spell INR.
func TestIngestCurrencyCase(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n"
	body := header
	for tx, currency := range map[string]string{"T1": "usd", "T2": " Eur ", "T3": "jpy", "T4": "US Dollar", "T5": "$", "T6": "ınr"} {
		body += fmt.Sprintf("M1,O-%s,%s,2026-11-23T10:00:00Z,100,%s,approved,CIT,https://a.example\n", tx, tx, currency)
	}
	m := ledger.Mapping{Values: map[string]map[string]string{"currency": {"US Dollar": "USD", "$": "usd"}}}
	want := [][]string{{"T1", "USD", "10000"}, {"T2", "EUR", "10000"}, {"T3", "JPY", "100"}, {"T4", "USD", "10000"}, {"T5", "USD", "10000"}}
	for _, path := range inFormats(t, "currencies_2026-11-23", body) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			db := MustOpenDB(t)
			out, err := loadMapped(t, db, path, m)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, dump(t, db, "SELECT transaction_id, currency, amount FROM ledger_tx ORDER BY ALL")); diff != "" {
				t.Errorf("load %s: rows stored (-want +got):\n%s", path, diff)
			}
			if len(out.Problems) != 1 || out.Problems[0].Column != "currency" {
				t.Errorf("load %s: problems %+v, want one, of the currency ınr", path, out.Problems)
			}
		})
	}
}

// TestIngestNULByte: a value holding a NUL byte (a CSV's raw byte, a JSON
// \u0000, a Parquet string's) quarantines its row, naming the column, in
// every format, where it was stored: no id or descriptor holds one, and a
// reader taking it as a C string sees it cut short. A CSV written well
// before it is read is screened, and the screen must not clear it.
func TestIngestNULByte(t *testing.T) {
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n"
	body := header + "M1,O-1,T1,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a\x00b\n" +
		"M1,O-\x002,T2,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a\n" +
		"M1,O-3,T3,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a\n"
	paths := inFormats(t, "nul_2026-11-23", body)
	aged := writeFile(t, "aged_2026-11-23.csv", body)
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(aged, old, old); err != nil {
		t.Fatal(err)
	}
	for _, path := range append(paths, aged) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			first := int64(1)
			if strings.Contains(path, ".csv") {
				first = 2
			}
			db := MustOpenDB(t)
			out, err := loadFile(t, db, path)
			if err != nil {
				t.Fatal(err)
			}
			want := []store.Problem{{Line: first, Column: "site_url", Reason: "contains a NUL byte"},
				{Line: first + 1, Column: "order_id", Reason: "contains a NUL byte"}}
			if diff := cmp.Diff(want, out.Problems); diff != "" {
				t.Errorf("load %s: problems (-want +got):\n%s", path, diff)
			}
			if got := dump(t, db, "SELECT transaction_id FROM ledger_tx"); !cmp.Equal(got, [][]string{{"T3"}}) {
				t.Errorf("load %s: stored %q, want T3 alone", path, got)
			}
		})
	}
}

// TestValueMapFoldsAsDuckDB: a value map's file values are folded in Go
// (ledger.FoldValue: the check refusing two spellings, ingest --check
// showing the map) and the file's in DuckDB on load (lower(trim())); the
// two must agree on every character, or an entry the check accepts would
// never match. Go's strings.TrimSpace also trimmed tabs, line ends and
// U+0085, U+2028, U+2029, which DuckDB's trim() keeps: an entry "OK\t"
// (for a file writing OK and a tab) became "ok", and matched no value.
func TestValueMapFoldsAsDuckDB(t *testing.T) {
	db := MustOpenDB(t)
	rows, err := db.Query(t.Context(), `SELECT s, lower(trim(s)) FROM (
		SELECT chr(r) || 'Ab' || chr(r) || 'ΣΑΣ' || chr(r) AS s
		FROM (SELECT CAST(range AS INTEGER) AS r FROM range(1, 1114112)) WHERE r NOT BETWEEN 55296 AND 57343)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var differ [][]string
	for rows.Next() && len(differ) < 10 {
		var s, folded string
		if err := rows.Scan(&s, &folded); err != nil {
			t.Fatal(err)
		}
		if folded != ledger.FoldValue(s) {
			differ = append(differ, []string{s, folded, ledger.FoldValue(s)})
		}
	}
	if len(differ) > 0 {
		t.Errorf("DuckDB's lower(trim()) and FoldValue differ on (text, DuckDB, Go): %q", differ)
	}
	const header = "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n"
	path := writeFile(t, "tabbed_2026-11-23.csv", header+"M1,O1,T1,2026-11-23T10:00:00Z,1.00,USD,\"OK\t\",CIT,https://a.example\n")
	m := ledger.Mapping{Values: map[string]map[string]string{"status": {"OK\t": "approved"}}}
	c, err := db.CheckFile(t.Context(), loadFileFor(t, path, m))
	if err != nil {
		t.Fatal(err)
	}
	var check strings.Builder
	c.Write(&check)
	if want := `values "ok\t"→approved`; !strings.Contains(check.String(), want) {
		t.Errorf("check shows the map entry \"OK\\t\" as\n%s\nwant %s (a tab among the check's columns hid it)", check.String(), want)
	}
	if out, err := loadMapped(t, db, path, m); err != nil || out.Rows != 1 {
		t.Fatalf("load with status \"OK\\t\" mapped: %+v, %v; want 1 row", out, err)
	}
	if got := dump(t, db, "SELECT status FROM ledger_tx"); !cmp.Equal(got, [][]string{{"approved"}}) {
		t.Errorf("status stored: %q, want approved", got)
	}
}
