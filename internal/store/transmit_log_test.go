package store_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

const logHeader = "partner_merchant_id,Transaction_ID,transmit_key,transmitted_at,note\n"

func loadLog(t *testing.T, db *store.DB, name, body string) (store.LoadOutcome, error) {
	t.Helper()
	return loadLogFile(t, db, writeText(t, name, body))
}

func loadLogFile(t *testing.T, db *store.DB, path string) (store.LoadOutcome, error) {
	t.Helper()
	return db.IngestTransmitLog(context.Background(), logFile(t, path, ledger.Mapping{}))
}

// logFile is the log at path, read with mapping m, in run 1.
func logFile(t *testing.T, path string, m ledger.Mapping) store.LoadFile {
	t.Helper()
	f, err := ledger.Describe("log", path)
	if err != nil {
		t.Fatal(err)
	}
	return store.LoadFile{File: f, Mapping: m, RunID: 1}
}

// TestTransmitLog: keys a transmit log holds make their transactions
// transmitted (late when logged over 24 h after processing), and are not
// pushed; the same log again is a no-op.
func TestTransmitLog(t *testing.T) {
	db := classify(t, scenario{rows: []tx{row("T1", approved), row("T2", approved), row("T3", approved)}, unjudged: true})
	log := logHeader + "M1,T1,LK-1,2026-11-23T10:30:00Z,\n" + "M1,T2,LK-2,2026-11-24T12:00:00+01:00,\n" + "M9,T3,LK-9,2026-11-23T10:30:00Z,other merchant\n" +
		"M1,T1,OLD-1,2024-11-23T10:30:00Z,a year before: outside any run of the day\n"
	out, err := loadLog(t, db, "keys_2026-11-23.csv", log)
	if err != nil || out.Outcome != "loaded" || out.Rows != 4 {
		t.Fatalf("load log: %+v, %v; want 4 rows loaded", out, err)
	}
	if again, err := loadLog(t, db, "keys_copy.csv", log); err != nil || again.Outcome != "duplicate" {
		t.Errorf("the same log again: %+v, %v; want a duplicate", again, err)
	}
	got := classifiedTransmitStates(t, db)
	want := map[string]string{"T1": "transmitted", "T2": "transmitted_late", "T3": "untransmitted"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("transmit states (-want +got):\n%s", diff)
	}
	keys := dump(t, db, "SELECT transaction_id, transmit_key FROM results WHERE run_id = 1 AND transmit_key IS NOT NULL ORDER BY 1")
	if diff := cmp.Diff([][]string{{"T1", "LK-1"}, {"T2", "LK-2"}}, keys); diff != "" {
		t.Errorf("keys in the run's results (-want +got):\n%s", diff)
	}
	e, err := db.Explain(context.Background(), store.ExplainQuery{TransactionID: "T1", RunID: 1})
	if err != nil || len(e.Results) != 1 || e.Results[0].KeySource != "transmit log" || e.Results[0].LoggedAt == nil ||
		!e.Results[0].LoggedAt.Equal(at("10:30")) {
		t.Errorf("explain T1: %+v, %v; want its key from the transmit log, logged at 10:30", e.Results, err)
	}
}

// TestTransmitLogRejects: a log refused whole names the line, column and
// reason (for a card number, the columns that hold one, by the header's
// names), never a card number, and adds no key.
func TestTransmitLogRejects(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"missing column", "partner_merchant_id,transaction_id,transmitted_at\nM1,T1,2026-11-23T10:30:00Z\n", []string{"line 1", "transmit_key"}},
		{"card number", logHeader + "M1,T1,LK-1,2026-11-23T10:30:00Z,\nM1,T2,LK-2,2026-11-23T10:30:00Z,PAN 4111 1111 1111 1111\n", []string{"line 3 column note", "full card number"}},
		{"no key", logHeader + "M1,T1,,2026-11-23T10:30:00Z,\n", []string{"line 2", "column transmit_key", "required value missing"}},
		{"naive time", logHeader + "M1,T1,LK-1,2026-11-23 10:30:00,\n", []string{"line 2", "column transmitted_at", "RFC 3339"}},
		{"a NUL byte in a key", logHeader + "M1,T1,LK-1,2026-11-23T10:30:00Z,\nM1,T2,LK\x002,2026-11-23T10:30:00Z,\n", []string{"line 3", "column transmit_key", "NUL byte"}},
		{"a NUL byte in a transaction id", logHeader + "M1,T\x001,LK-1,2026-11-23T10:30:00Z,\n", []string{"line 2", "column transaction_id", "NUL byte"}},
		{"a column named twice", "partner_merchant_id,transaction_id,transmit_key,transmitted_at,Transmit_Key\nM1,T1,LK-1,2026-11-23T10:30:00Z,LK-9\n",
			[]string{"line 1 column 5", `"transmit_key" is named twice`}},
		{"a card number in a column named rowid", logHeader[:len(logHeader)-1] + ",rowid\nM1,T1,LK-1,2026-11-23T10:30:00Z,,4111111111111111\n",
			[]string{"line 2 column rowid", "full card number"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			path := fmt.Sprintf("log_%d.csv", i)
			_, err := loadLog(t, db, path, tt.body)
			checkRejection(t, db, path, err, tt.want)
			if n := dump(t, db, "SELECT count(*) FROM transmit_log"); n[0][0] != "0" {
				t.Errorf("keys stored from a rejected log: %s", n[0][0])
			}
		})
	}
}

// TestTransmitLogChangedWhileRead: a log written again after it was found
// is rejected: its fields were counted, and its lines numbered, on other
// bytes than those DuckDB read.
func TestTransmitLogChangedWhileRead(t *testing.T) {
	db := MustOpenDB(t)
	path := writeFile(t, "log_late.csv", logHeader+"M1,T1,LK-1,2026-11-23T10:30:00Z,\n")
	f, err := ledger.Describe("log", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(logHeader+"M1,T1,LK-1,2026-11-23T10:30:00Z,\nM1,T2,LK-2,2026-11-23T10:31:00Z,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = db.IngestTransmitLog(context.Background(), store.LoadFile{File: f, RunID: 1})
	checkRejection(t, db, path, err, []string{"changed while it was read"})
	if n := dump(t, db, "SELECT count(*) FROM transmit_log"); n[0][0] != "0" {
		t.Errorf("keys stored from a log that changed: %s", n[0][0])
	}
}

// TestTransmitLogRejectsMisfits: a log with a record of another number of
// fields than its header, which read_csv could take with a value under
// another column's name, or a log cut off, is rejected whole, plain or
// gzipped, naming its line: none of it is stored and the keys stored before
// stay.
func TestTransmitLogRejectsMisfits(t *testing.T) {
	// With transmitted_at before transmit_key, a delimiter too many in a
	// value before the key shifts that value's tail under transmit_key
	// while the time still parses: T2 would be stored with the key "REF 7".
	const header = "transmitted_at,partner_merchant_id,transaction_id,transmit_key,note\n"
	const first, last = "2026-11-23T10:30:00Z,M1,T1,LK-1,\n", "2026-11-23T10:30:00Z,M1,T3,LK-3,\n"
	checkLogsRejected(t, []rejectedLog{
		{"a field too many", header + first + "2026-11-23T10:30:00Z,M1,T2,REF 7,LK-2,\n" + last, "line 3: 6 fields, the header has 5"},
		{"a field missing", header + first + "2026-11-23T10:30:00Z,M1,T2,LK-2\n" + last, "line 3: 4 fields, the header has 5"},
		{"the last record cut off", header + first + "2026-11-23T10:30:00Z,M1,T2,LK", "line 3: the last record stops short"},
	})
	t.Run("a gzip stream cut off", func(t *testing.T) {
		z := gzipped(t, header+first+last)
		checkLogFileRejected(t, logFile(t, writeFile(t, "keys.csv.gz", z[:len(z)-4]), ledger.Mapping{}), "the file is cut off")
	})
}

// TestTransmitLogLines: a row DuckDB finds wrong, or cannot read, is named
// by the line it begins on after a quoted value spanning lines or blank
// lines (which DuckDB skips), plain or gzipped, and a log that loads keeps
// those lines.
func TestTransmitLogLines(t *testing.T) {
	const twoLines = "M1,T1,LK-1,2026-11-23T10:30:00Z,\"two\nlines\"\n"
	checkLogsRejected(t, []rejectedLog{
		{"no key after a quoted line break", logHeader + twoLines + "M1,T2,,2026-11-23T10:30:00Z,\n",
			"line 4 column transmit_key: required value missing"},
		{"a card number after a quoted line break", logHeader + twoLines + "M1,T2,LK-2,2026-11-23T10:30:00Z,PAN 4111 1111 1111 1111\n",
			"line 4 column note: a value looks like a full card number"},
		{"a naive time after blank lines", logHeader + "M1,T1,LK-1,2026-11-23T10:30:00Z,\n\n\nM1,T2,LK-2,2026-11-23 10:30:00,\n",
			"line 5 column transmitted_at: not an RFC 3339 time"},
		// DuckDB's own error counts the blank line, not the quoted line end.
		{"bad UTF-8 after a quoted line break and a blank line", logHeader + twoLines + "\nM1,T2,LK-2,2026-11-23T10:30:00Z,\xff\n",
			"line 5: invalid unicode"},
		// The stage's line column must not hide the log's own.
		{"a card number in the log's own line column", "line," + logHeader + "1,M1,T1,LK-1,2026-11-23T10:30:00Z,\n\n4111111111111111,M1,T2,LK-2,2026-11-23T10:30:00Z,\n",
			"line 4 column line: a value looks like a full card number"},
	})
	t.Run("loaded", func(t *testing.T) {
		db := MustOpenDB(t)
		if _, err := loadLog(t, db, "keys.csv", logHeader+twoLines+"\nM1,T2,LK-2,2026-11-23T10:30:00Z,\n"); err != nil {
			t.Fatal(err)
		}
		lines := dump(t, db, "SELECT transaction_id, line FROM transmit_log ORDER BY 1")
		if diff := cmp.Diff([][]string{{"T1", "2"}, {"T2", "5"}}, lines); diff != "" {
			t.Errorf("lines stored (-want +got):\n%s", diff)
		}
	})
}

// rejectedLog is a log's text, and what its rejection must say.
type rejectedLog struct{ name, body, want string }

// checkLogsRejected checks each log as checkLogFileRejected does, plain as
// keys.csv and gzipped as keys.csv.gz, read with the zero mapping.
func checkLogsRejected(t *testing.T, logs []rejectedLog) {
	t.Helper()
	checkMappedLogsRejected(t, ledger.Mapping{}, logs)
}

// checkMappedLogsRejected is checkLogsRejected with the mapping m.
func checkMappedLogsRejected(t *testing.T, m ledger.Mapping, logs []rejectedLog) {
	t.Helper()
	for _, log := range logs {
		for _, name := range []string{"keys.csv", "keys.csv.gz"} {
			t.Run(log.name+" in "+name, func(t *testing.T) {
				checkLogFileRejected(t, logFile(t, writeText(t, name, log.body), m), log.want)
			})
		}
	}
}

// checkLogFileRejected loads a log after another, and checks that it is
// rejected naming its file and want, and that only the other's key is
// stored.
func checkLogFileRejected(t *testing.T, lf store.LoadFile, want string) {
	t.Helper()
	db := MustOpenDB(t)
	if _, err := loadLog(t, db, "earlier.csv", logHeader+"M1,T9,LK-9,2026-11-22T10:30:00Z,\n"); err != nil {
		t.Fatal(err)
	}
	_, err := db.IngestTransmitLog(t.Context(), lf)
	name := lf.File.Name
	checkRejection(t, db, name, err, []string{name, want})
	keys := dump(t, db, "SELECT transaction_id, transmit_key FROM transmit_log")
	if diff := cmp.Diff([][]string{{"T9", "LK-9"}}, keys); diff != "" {
		t.Errorf("keys stored after rejected %s (-want +got):\n%s", name, diff)
	}
}

// TestTransmitLogQuotedDelimiters: a delimiter or a line end inside quotes
// is no field of its own, and a last record whole without a line end is
// not cut off: such a log loads whole, plain or gzipped.
func TestTransmitLogQuotedDelimiters(t *testing.T) {
	body := logHeader + "M1,T1,LK-1,2026-11-23T10:30:00Z,\"ACME, INC\"\n" +
		"M1,T2,LK-2,2026-11-23T10:30:00Z,\"two\nlines, one comma\"\n" +
		"M1,T3,\"LK,3\",2026-11-23T10:30:00Z,"
	for _, name := range []string{"keys.csv", "keys.csv.gz"} {
		t.Run(name, func(t *testing.T) {
			db := MustOpenDB(t)
			out, err := loadLog(t, db, name, body)
			if err != nil || out.Outcome != "loaded" || out.Rows != 3 {
				t.Fatalf("load %s: %+v, %v; want 3 rows loaded", name, out, err)
			}
			keys := dump(t, db, "SELECT transaction_id, transmit_key FROM transmit_log ORDER BY 1")
			if diff := cmp.Diff([][]string{{"T1", "LK-1"}, {"T2", "LK-2"}, {"T3", "LK,3"}}, keys); diff != "" {
				t.Errorf("keys stored from %s (-want +got):\n%s", name, diff)
			}
		})
	}
}

// TestTransmitLateByTheFirstKey: a transaction is late when its first key
// came more than 24 h after processing, wherever that key is recorded: a
// push on time beats a late log, and a ledger row's key is late when a log
// gives that key a late time.
func TestTransmitLateByTheFirstKey(t *testing.T) {
	db := classify(t, scenario{rows: []tx{row("T1", approved), row("T2", approved, keyed), row("T3", approved, keyed)}, unjudged: true,
		pushes: []store.PushRecord{push("T1", "pushed", at("11:00"))}})
	log := logHeader + "M1,T1,LK-1,2026-11-24T12:00:00Z,\n" + "M1,T2,K-T2,2026-11-24T12:00:00Z,\n" + "M1,T3,LK-3,2026-11-24T12:00:00Z,another key\n"
	if _, err := loadLog(t, db, "keys_2026-11-23.csv", log); err != nil {
		t.Fatal(err)
	}
	got := classifiedTransmitStates(t, db)
	want := map[string]string{"T1": "transmitted", "T2": "transmitted_late", "T3": "transmitted"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("transmit states (-want +got):\n%s", diff)
	}
}

// classifiedTransmitStates classifies run 1 and gives each transaction's
// transmit state.
func classifiedTransmitStates(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	if _, err := db.Classify(context.Background(), 1, window, asOf); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for id, v := range verdicts(t, db) {
		got[id] = v.TransmitState
	}
	return got
}

// TestTransmitLogQuoteErrorNamesLine: a transmit log DuckDB cannot parse
// (a value with a quote closed before its end, as an exporter writing \"
// for a quote does) is rejected naming the line and the reason, as a ledger
// CSV is. With DuckDB sniffing the log, the error said only "Error when
// sniffing file".
func TestTransmitLogQuoteErrorNamesLine(t *testing.T) {
	for name, body := range map[string]string{
		"a backslash-escaped quote":  logHeader + "M1,T1,LK-1,2026-11-23T10:30:00Z,\nM1,T2,LK-2,2026-11-23T10:30:00Z,\"12\\\" PIZZA\"\n",
		"text after a closing quote": logHeader + "M1,T1,LK-1,2026-11-23T10:30:00Z,\nM1,T2,LK-2,2026-11-23T10:30:00Z,\"x\"y\n",
	} {
		for _, file := range []string{"keys.csv", "keys.csv.gz"} {
			t.Run(name+" in "+file, func(t *testing.T) {
				db := MustOpenDB(t)
				_, err := loadLog(t, db, file, body)
				checkRejection(t, db, file, err, []string{file, "line 3", "unterminated quote"})
			})
		}
	}
}

// TestTransmitLogHeaderNamesAsWritten: a log's header names are read as the
// header check reads them, not spliced into DuckDB's read as written: a
// delimiter ending every line (an unnamed column, or two), a required name
// in spaces or beside a no-break space, a NUL in a name the log does not
// need, a rowid column, and one named as a column's place would be.
func TestTransmitLogHeaderNamesAsWritten(t *testing.T) {
	const req = "partner_merchant_id,transaction_id,transmit_key,transmitted_at"
	const row = "M1,T1,LK-1,2026-11-23T10:30:00Z"
	for name, body := range map[string]string{
		"a delimiter ending every line":        req + ",\n" + row + ",\n",
		"two unnamed columns":                  req + ",,\n" + row + ",,\n",
		"a required name in spaces":            "partner_merchant_id,transaction_id, transmit_key ,transmitted_at\n" + row + "\n",
		"a required name and a no-break space": "partner_merchant_id,transaction_id,transmit_key\u00a0,transmitted_at\n" + row + "\n",
		"a NUL in an ignored name":             req + ",a\x00b\n" + row + ",x\n",
		"rowid and a place's name":             "rowid," + req + ",column 1\n1," + row + ",x\n",
	} {
		t.Run(name, func(t *testing.T) {
			db := MustOpenDB(t)
			out, err := loadLog(t, db, "keys.csv", body)
			if err != nil || out.Rows != 1 {
				t.Fatalf("load: %+v, %v; want 1 row loaded", out, err)
			}
			if diff := cmp.Diff([][]string{{"T1", "LK-1", "2"}}, dump(t, db, "SELECT transaction_id, transmit_key, line FROM transmit_log")); diff != "" {
				t.Errorf("keys stored (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTransmitLogMixedLineEnds: a line that ends otherwise than the
// header's (a \r\n blank line where lines end in \n alone, a \n alone where
// they end in \r\n), or has a carriage return outside quotes, rejects the
// log naming its line, plain or gzipped, where DuckDB said only that its
// parser "reached an invalid state". A line end inside quotes is text, and
// the other line end after a delimiter (an empty last field) is one DuckDB
// reads: such logs load.
func TestTransmitLogMixedLineEnds(t *testing.T) {
	const first, second = "M1,T1,LK-1,2026-11-23T10:30:00Z,", "M1,T2,LK-2,2026-11-23T10:30:00Z,"
	crlfHeader := strings.Replace(logHeader, "\n", "\r\n", 1)
	checkLogsRejected(t, []rejectedLog{
		{"a \\r\\n blank line where lines end in \\n", logHeader + first + "\n\r\n" + second + "\n",
			`line 3: a line end other than the header's (\n alone)`},
		{"a value ending in \\r\\n where lines end in \\n", logHeader + first + "\n" + second + "x\r\n",
			`line 3: a line end other than the header's (\n alone)`},
		{"a \\n blank line where lines end in \\r\\n", crlfHeader + first + "\r\n\n" + second + "\r\n",
			`line 3: a line end other than the header's (\r\n)`},
		{"a carriage return inside a value", logHeader + first + "\n" + second + "a\rb\n",
			`line 3: a carriage return (\r) outside quotes before the line's end (\n alone, as the header's)`},
	})
	for name, body := range map[string]string{
		"\\r\\n throughout, with a blank line":             crlfHeader + first + "\r\n\r\n" + second + "\r\n",
		"\\r\\n inside quotes":                             logHeader + first + "\"a\r\nb\"\n" + second + "\n",
		"\\r\\n after a delimiter, where lines end in \\n": logHeader + first + "\r\n" + second + "\r\n",
		// DuckDB passes over one byte of the other line end right after the header's.
		"\\n alone right after a \\r\\n header": crlfHeader + "\n" + first + "\r\n" + second + "\r\n",
		"\\r\\n right after a \\n header":       logHeader + "\r\n" + first + "\n" + second + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			db := MustOpenDB(t)
			if out, err := loadLog(t, db, "keys.csv", body); err != nil || out.Rows != 2 {
				t.Errorf("load: %+v, %v; want 2 rows loaded", out, err)
			}
		})
	}
}

// TestTransmitLogRowsEndInDelimiter: a log whose every row, not its header,
// ends in a delimiter loads as the ledger path loads such an export: where
// the source's mapping says so (rows_end_in_delimiter), since a delimiter
// unquoted in a value over an empty last column looks the same. Then every
// row must end so, with nothing after the delimiter; a row that does not
// rejects the log naming its line. Without the setting, the log is
// rejected with the ledger path's hint.
func TestTransmitLogRowsEndInDelimiter(t *testing.T) {
	const header = "partner_merchant_id,transaction_id,transmit_key,transmitted_at\n"
	const first, second = "M1,T1,LK-1,2026-11-23T10:30:00Z,\n", "M1,T2,LK-2,2026-11-23T10:31:00Z,"
	rowsEnd := ledger.Mapping{RowsEndInDelimiter: true}
	for name, body := range map[string]string{ // T2 on line 4
		"after a blank line": header + first + "\n" + second + "\n",
		"a quoted line end, an empty quoted last field, and \\r\\n": header + "M1,T1,\"LK\n1\",2026-11-23T10:30:00Z,\"\"\n" + second + "\r\n",
	} {
		for _, file := range []string{"keys.csv", "keys.csv.gz"} {
			t.Run(name+" in "+file, func(t *testing.T) {
				db := MustOpenDB(t)
				out, err := db.IngestTransmitLog(t.Context(), logFile(t, writeText(t, file, body), rowsEnd))
				if err != nil || out.Rows != 2 {
					t.Fatalf("load: %+v, %v; want 2 rows loaded", out, err)
				}
				got := dump(t, db, "SELECT transaction_id, line FROM transmit_log ORDER BY line")
				if diff := cmp.Diff([][]string{{"T1", "2"}, {"T2", "4"}}, got); diff != "" {
					t.Errorf("keys stored (-want +got):\n%s", diff)
				}
			})
		}
	}
	checkLogsRejected(t, []rejectedLog{{"every row ending in a delimiter, unsaid", header + first + second + "\n",
		"line 2: 5 fields, the header has 4: if the exporter ends each row in a delimiter, set rows_end_in_delimiter = true"}})
	checkMappedLogsRejected(t, rowsEnd, []rejectedLog{
		{"a value after the delimiter", header + first + second + "REF 7\n",
			"line 3: a value after the delimiter ending the row, where rows_end_in_delimiter says the field there is empty"},
		{"a card number after the delimiter", header + first + second + "4111111111111111\n", "line 3 column column 5: a value looks like a full card number"},
		{"a row without the delimiter", header + first + strings.TrimSuffix(second, ",") + "\n",
			"line 3: 4 fields, want 5: the header's 4 and an empty one after the delimiter ending the row (rows_end_in_delimiter)"},
		{"a row with a delimiter more", header + first + second + ",\n", "line 3: 6 fields, want 5"},
		{"the header ending in the delimiter too", strings.Replace(header, "\n", ",\n", 1) + first + second + "\n", "line 2: 5 fields, want 6"},
	})
}

// TestCheckTransmitLog: a check of a transmit log says what a load of it
// would do, and stores nothing, not even the file's record: the rows a
// load would store and the columns they are read from, or the load's own
// reason to reject the log; and that a log loaded already would be a
// no-op.
func TestCheckTransmitLog(t *testing.T) {
	const first = "M1,T1,LK-1,2026-11-23T10:30:00Z,\n"
	db := MustOpenDB(t)
	path := writeText(t, "keys.csv.gz", logHeader+first+"M1,T2,LK-2,2026-11-23T10:31:00Z,late\n")
	c, out := checkLogText(t, db, logFile(t, path, ledger.Mapping{}))
	if c.Rejected != "" || c.Records != 2 {
		t.Errorf("check: %d records, rejected %q; want 2 records, none rejected", c.Records, c.Rejected)
	}
	for _, want := range []string{"transaction_id ← Transaction_ID", "unmapped note (card-checked, not stored)",
		"records 2 read, 2 would load", "verdict would load"} {
		if !strings.Contains(out, want) {
			t.Errorf("check printed\n%s\nwant it to contain %q", out, want)
		}
	}
	if strings.Contains(out, "business date") {
		t.Errorf("check printed\n%s\nwant no business date: a transmit log has none", out)
	}
	if got := dump(t, db, "SELECT (SELECT count(*) FROM ledger_files) + (SELECT count(*) FROM transmit_log)"); got[0][0] != "0" {
		t.Errorf("a check stored %s files and keys, want none", got[0][0])
	}
	if _, err := loadLogFile(t, db, path); err != nil {
		t.Fatal(err)
	}
	if c, out := checkLogText(t, db, logFile(t, path, ledger.Mapping{})); c.Loaded == 0 || !strings.Contains(out, "a load would do nothing") {
		t.Errorf("check of a log loaded already printed\n%s\nwant it to say a load would do nothing", out)
	}
}

// TestCheckTransmitLogRejects: a check rejects a log for the reason a load
// does, on the same line, and records nothing.
func TestCheckTransmitLogRejects(t *testing.T) {
	const first = "M1,T1,LK-1,2026-11-23T10:30:00Z,\n"
	rowsEnd := ledger.Mapping{RowsEndInDelimiter: true}
	for _, tt := range []struct {
		name, body, want string
		m                ledger.Mapping
	}{
		{"a missing column", "partner_merchant_id,transaction_id,transmitted_at\nM1,T1,2026-11-23T10:30:00Z\n", "line 1: header lacks required columns: transmit_key", ledger.Mapping{}},
		{"no key", logHeader + first + "M1,T2,,2026-11-23T10:30:00Z,\n", "line 3 column transmit_key: required value missing", ledger.Mapping{}},
		{"a card number", logHeader + first + "M1,T2,LK-2,2026-11-23T10:30:00Z,4111 1111 1111 1111\n", "line 3 column note: a value looks like a full card number", ledger.Mapping{}},
		{"a field too many", logHeader + first + "M1,T2,LK-2,2026-11-23T10:30:00Z,,\n", "line 3: 6 fields, the header has 5", ledger.Mapping{}},
		{"a mixed line end", logHeader + first + "\r\n", `line 3: a line end other than the header's (\n alone)`, ledger.Mapping{}},
		{"a value after the delimiter ending the row", logHeader + "M1,T1,LK-1,2026-11-23T10:30:00Z,,\nM1,T2,LK-2,2026-11-23T10:30:00Z,,x\n",
			"line 3: a value after the delimiter ending the row", rowsEnd},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			lf := logFile(t, writeText(t, "keys.csv", tt.body), tt.m)
			c, out := checkLogText(t, db, lf)
			if !c.Refused() || !strings.HasPrefix(c.Rejected, tt.want) || !strings.Contains(out, "rejected whole, nothing would be loaded: "+tt.want) {
				t.Errorf("check: refused %v, rejected %q, printed\n%s\nwant it rejected: %q", c.Refused(), c.Rejected, out, tt.want)
			}
			if strings.Contains(strings.ReplaceAll(out, " ", ""), "4111111111111111") {
				t.Errorf("check printed the card number:\n%s", out)
			}
			if got := dump(t, db, "SELECT count(*) FROM ledger_files"); got[0][0] != "0" {
				t.Errorf("the check recorded %s files, want none", got[0][0])
			}
			_, err := db.IngestTransmitLog(t.Context(), lf)
			if err == nil || !strings.HasSuffix(err.Error(), "file rejected: "+c.Rejected) {
				t.Errorf("load: %v; want the check's reason, %q", err, c.Rejected)
			}
		})
	}
}

// checkLogText is the check of lf, and it as text, each run of spaces one.
func checkLogText(t *testing.T, db *store.DB, lf store.LoadFile) (store.Check, string) {
	t.Helper()
	c, err := db.CheckTransmitLog(t.Context(), lf)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	return c, strings.Join(strings.Fields(out.String()), " ")
}
