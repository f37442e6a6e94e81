package store_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

// jsonRecord is a canonical JSON Lines record of transaction tx; amount is
// JSON text (a number, or a string with its quotes).
func jsonRecord(tx, amount, currency string) string {
	return `{"partner_merchant_id":"M1","order_id":"O-` + tx + `","transaction_id":"` + tx +
		`","processed_at":"2026-11-23T10:00:00Z","amount":` + amount + `,"currency":"` + currency +
		`","status":"approved","initiator":"CIT","site_url":"https://a"}`
}

// loadRecord loads record, alone, as a JSON Lines file named name, mapped
// by m, into a new database, and returns what query finds there.
func loadRecord(t *testing.T, name, record string, m ledger.Mapping, query string) [][]string {
	t.Helper()
	db := MustOpenDB(t)
	if _, err := loadMapped(t, db, writeFile(t, name, record+"\n"), m); err != nil {
		t.Fatal(err)
	}
	return dump(t, db, query)
}

// TestIngestMalformedJSONLines: a JSON Lines line that is not JSON, or is
// JSON but no object, is quarantined whole on its line, column (record),
// as a CSV record of the wrong number of fields is, and the rest of the
// file loads on its lines, plain or gzipped. A check says the same.
func TestIngestMalformedJSONLines(t *testing.T) {
	body := jsonRecord("T1", `"1.00"`, "USD") + "\n" + // line 1
		`{"partner_merchant_id":"M1", oops}` + "\n" + // line 2
		"\n" + // line 3, blank
		"[1,2]\n" + // line 4
		`"a string"` + "\n" + // line 5
		`{"partner_merchant_id":"M1","order_id":"O-T9"` + "\n" + // line 6: a record cut short, not the file
		jsonRecord("T2", `"ten"`, "USD") + "\n" + // line 7
		jsonRecord("T3", `"3.00"`, "USD") + "\n" // line 8
	want := []store.Problem{
		{Line: 2, Column: "(record)", Reason: "malformed JSON: invalid character 'o' looking for beginning of object key string (byte 30 of the line)"},
		{Line: 4, Column: "(record)", Reason: "not a JSON object"},
		{Line: 5, Column: "(record)", Reason: "not a JSON object"},
		{Line: 6, Column: "(record)", Reason: "malformed JSON: unexpected end of JSON input (byte 45 of the line)"},
		{Line: 7, Column: "amount", Reason: `"ten" is not an amount in the source's unit (at most 2 decimals in major units, whole numbers in minor)`},
	}
	checkThenLoadJSON(t, "malformed_2026-11-23.jsonl", body, jsonOutcome{
		records: 7, quarantined: 5, problems: want, stored: [][]string{{"1", "T1"}, {"8", "T3"}}})
}

// jsonOutcome is what checking and loading a JSON Lines file give: its
// records, those quarantined and their problems, and the lines and
// transaction ids of the rows stored.
type jsonOutcome struct {
	records, quarantined int64
	problems             []store.Problem
	stored               [][]string
}

// checkThenLoadJSON writes body to name, plain and gzipped, and checks,
// then loads, it: both must come out as want, the rest of the file loading.
func checkThenLoadJSON(t *testing.T, name, body string, want jsonOutcome) {
	t.Helper()
	for _, name := range []string{name, name + ".gz"} {
		t.Run(name, func(t *testing.T) {
			path := writeText(t, name, body)
			db := MustOpenDB(t)
			c, err := db.CheckFile(t.Context(), loadFileFor(t, path, ledger.Mapping{}))
			if err != nil || c.Rejected != "" || c.Records != want.records || c.Quarantined != want.quarantined {
				t.Errorf("check %s: %d records, %d quarantined, rejected %q, %v; want %d records, %d quarantined",
					name, c.Records, c.Quarantined, c.Rejected, err, want.records, want.quarantined)
			}
			if diff := cmp.Diff(want.problems, c.Problems); diff != "" {
				t.Errorf("check %s: problems (-want +got):\n%s", name, diff)
			}
			out, err := loadFile(t, db, path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.problems, out.Problems); diff != "" {
				t.Errorf("load %s: problems (-want +got):\n%s", name, diff)
			}
			got := dump(t, db, "SELECT line, transaction_id FROM ledger_tx ORDER BY line")
			if diff := cmp.Diff(want.stored, got); diff != "" {
				t.Errorf("load %s: rows stored (-want +got):\n%s", name, diff)
			}
		})
	}
}

// TestIngestJSONAmountsExact: DuckDB reads a JSON number as a double, which
// keeps some 15 digits; an amount written as a number is judged by the
// digits the file has, as a CSV's text is, so one the currency cannot hold
// is quarantined, never rounded into one it can. An amount written as a
// string, or a number that a double holds, loads exactly.
func TestIngestJSONAmountsExact(t *testing.T) {
	tests := []struct {
		name, record string
		m            ledger.Mapping
		want         string // the amount stored, or "quarantined"
	}{
		{"a number", jsonRecord("T", "19.99", "USD"), ledger.Mapping{}, "1999"},
		{"a number of 14 digits", jsonRecord("T", "12345678901.234", "KWD"), ledger.Mapping{}, "12345678901234"},
		{"a number of 15 digits, the most", jsonRecord("T", "123456789012.345", "KWD"), ledger.Mapping{}, "123456789012345"},
		{"a negative number", jsonRecord("T", "-0.50", "USD"), ledger.Mapping{}, "-50"},
		{"a number with places the currency lacks", jsonRecord("T", "19.9900000000000001", "USD"), ledger.Mapping{}, "quarantined"},
		{"a number a double rounds up to 20.0", jsonRecord("T", "19.999999999999999999", "USD"), ledger.Mapping{}, "quarantined"},
		{"a string with places the currency lacks", jsonRecord("T", `"19.9900000000000001"`, "USD"), ledger.Mapping{}, "quarantined"},
		{"a string of 14 digits", jsonRecord("T", `"12345678901.234"`, "KWD"), ledger.Mapping{}, "12345678901234"},
		{"an exponent, as in a CSV", jsonRecord("T", "1e2", "USD"), ledger.Mapping{}, "quarantined"},
		{"minor units with a fraction", jsonRecord("T", "1999.0000000000000001", "USD"), ledger.Mapping{AmountUnit: "minor"}, "quarantined"},
		{"minor units", jsonRecord("T", "1999", "USD"), ledger.Mapping{AmountUnit: "minor"}, "1999"},
		{"a nested amount before the record's", strings.Replace(jsonRecord("T", "19.9900000000000001", "USD"), `{`, `{"refund":{"amount":19.99},`, 1),
			ledger.Mapping{}, "quarantined"},
		{"a nested amount after the record's", strings.Replace(jsonRecord("T", "19.99", "USD"), `}`, `,"refund":{"amount":5.5}}`, 1),
			ledger.Mapping{}, "1999"},
		{"the key escaped", strings.Replace(jsonRecord("T", "19.9900000000000001", "USD"), `"amount"`, `"am\u006funt"`, 1),
			ledger.Mapping{}, "quarantined"},
		{"the key escaped, with a nested amount", strings.Replace(strings.Replace(jsonRecord("T", "19.99", "USD"), `"amount"`, `"am\u006funt"`, 1), `{`, `{"x":{"amount":5.5},`, 1),
			ledger.Mapping{}, "1999"},
		{"slashes escaped, as some exporters write them", strings.Replace(jsonRecord("T", "19.9900000000000001", "USD"), "https://a", `https:\/\/a`, 1),
			ledger.Mapping{}, "quarantined"},
		{"NaN", jsonRecord("T", "NaN", "USD"), ledger.Mapping{}, "quarantined"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadRecord(t, fmt.Sprintf("amount%d_2026-11-23.jsonl", i), tt.record, tt.m,
				"SELECT CAST(amount AS VARCHAR) FROM ledger_tx UNION ALL SELECT 'quarantined' FROM quarantine WHERE column_name = 'amount'")
			if len(got) != 1 || got[0][0] != tt.want {
				t.Errorf("load %s: stored %q, want %q", tt.record, got, tt.want)
			}
		})
	}
}

// TestIngestEscapedCardInJSONValueThatIsNoObject: a JSON Lines line that
// DuckDB reads as JSON but not as an object (an array, a string) and that
// spells a card number with a \u escape must reject the file as not
// PCI-safe, as the same line unescaped does (TestIngestRejects "card number
// in a JSON line that is no object") and as an escaped card number in an
// object or in a malformed line does. json-guard (ingest.sql) decodes only
// json_keys(json) and json_extract_string(json, '$.*'), both empty for a
// value that is no object: the line was quarantined as "not a JSON
// object" and the rest of the file loaded.
func TestIngestEscapedCardInJSONValueThatIsNoObject(t *testing.T) {
	good := jsonRecord("T1", `"1.00"`, "USD") + "\n"
	for name, line := range map[string]string{
		"an array":           `["4111\u003111111111111"]`,
		"a string":           `"4111\u003111111111111"`,
		"a nested array":     `[["4111\u003111111111111"]]`,
		"control: unescaped": `["4111111111111111"]`,
		"spaces escaped":     `["4111\u00201111\u00201111\u00201111"]`,
	} {
		for _, file := range []string{"nonobject_2026-11-23.jsonl", "nonobject_2026-11-23.jsonl.gz"} {
			t.Run(name+" in "+file, func(t *testing.T) {
				db := MustOpenDB(t)
				path := writeText(t, file, good+line+"\n")
				_, err := loadFile(t, db, path)
				checkRejection(t, db, path, err, []string{"line 2", "column (record)", "full card number", "not PCI-safe"})
				if n := dump(t, db, "SELECT count(*) FROM ledger_tx"); n[0][0] != "0" {
					t.Errorf("rows stored from a file with a card number: %s", n[0][0])
				}
			})
		}
	}
}

// TestIngestJSONLinesAfterBOM: a JSON Lines file that begins with a UTF-8
// byte order mark, as PowerShell and many Windows exporters write one, loads
// its first record on line 1, plain or gzipped, a file of one record too;
// the lines after it keep their numbers, a malformed one is quarantined on
// its own, and a card number in the first record still rejects the file.
// A check says the same, and neither leaves the copy DuckDB reads behind.
// DuckDB's JSON reader read the first line as malformed: it was
// quarantined, and a file of that line alone rejected.
func TestIngestJSONLinesAfterBOM(t *testing.T) {
	const bom = "\ufeff"
	tests := []struct {
		name, body string
		stored     [][]string
		problems   []store.Problem
		rejected   []string // what a rejection says; nil when the file loads
	}{
		{"one record", bom + jsonRecord("T1", `"1.00"`, "USD") + "\n", [][]string{{"1", "T1"}}, nil, nil},
		{"a malformed second line", bom + jsonRecord("T1", `"1.00"`, "USD") + "\n" +
			`{"partner_merchant_id":"M1", oops}` + "\n" + "\n" + jsonRecord("T4", `"4.00"`, "USD") + "\n",
			[][]string{{"1", "T1"}, {"4", "T4"}},
			[]store.Problem{{Line: 2, Column: "(record)", Reason: "malformed JSON: invalid character 'o' looking for beginning of object key string (byte 30 of the line)"}}, nil},
		{"a BOM on the second line too", bom + jsonRecord("T1", `"1.00"`, "USD") + "\n" + bom + jsonRecord("T2", `"2.00"`, "USD") + "\n",
			[][]string{{"1", "T1"}},
			[]store.Problem{{Line: 2, Column: "(record)", Reason: "malformed JSON: the line begins with a byte order mark (U+FEFF)"}}, nil},
		{"a card number in the first record", bom + strings.Replace(jsonRecord("T1", `"1.00"`, "USD"), `"https://a"`, `"4111 1111 1111 1111"`, 1) + "\n" +
			jsonRecord("T2", `"2.00"`, "USD") + "\n", nil, nil, []string{"line 1", "column site_url", "not PCI-safe"}},
		{"a card number in a first record that is no object", bom + `["4111\u003111111111111"]` + "\n" + jsonRecord("T2", `"2.00"`, "USD") + "\n",
			nil, nil, []string{"line 1", "column (record)", "not PCI-safe"}},
		{"a malformed only record", bom + `{"a": oops}` + "\n", nil, nil,
			[]string{"line 1: malformed JSON: invalid character 'o'", "no record of the file is a JSON object"}},
		{"a file cut off in its last record", bom + jsonRecord("T1", `"1.00"`, "USD") + "\n" + `{"partner_merchant_id":"M0`, nil, nil,
			[]string{"line 2", "the last record stops short", "cut off"}},
	}
	for _, tt := range tests {
		for _, name := range []string{"bom_2026-11-23.jsonl", "bom_2026-11-23.jsonl.gz"} {
			t.Run(tt.name+" in "+name, func(t *testing.T) {
				db := MustOpenDB(t)
				path := writeText(t, name, tt.body)
				copies := db.Path() + ".nobom-*"
				c, err := db.CheckFile(t.Context(), loadFileFor(t, path, ledger.Mapping{}))
				if err != nil || (c.Rejected != "") != (tt.rejected != nil) || !cmp.Equal(tt.problems, c.Problems) {
					t.Errorf("check %s: problems %v, rejected %q, %v; want problems %v, rejected for %q", name, c.Problems, c.Rejected, err, tt.problems, tt.rejected)
				}
				if left, _ := filepath.Glob(copies); len(left) > 0 {
					t.Errorf("check %s: the copy without the BOM is left: %q", name, left)
				}
				out, err := loadFile(t, db, path)
				if left, _ := filepath.Glob(copies); len(left) > 0 {
					t.Errorf("load %s: the copy without the BOM is left: %q", name, left)
				}
				if tt.rejected != nil {
					checkRejection(t, db, path, err, tt.rejected)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.problems, out.Problems); diff != "" {
					t.Errorf("load %s: problems (-want +got):\n%s", name, diff)
				}
				got := dump(t, db, "SELECT line, transaction_id FROM ledger_tx ORDER BY line")
				if diff := cmp.Diff(tt.stored, got); diff != "" {
					t.Errorf("load %s: rows stored (-want +got):\n%s", name, diff)
				}
			})
		}
	}
}

// TestIngestJSONKeyTwice: a JSON Lines record that names a key twice (any
// key, mapped or not, the same or spelt otherwise in case, as a CSV's
// header names are matched) is quarantined whole on its line, naming the
// key: DuckDB reads such a key by its first value, other readers by their
// last, so which one the exporter meant is not known. The rest of the file
// loads, plain or gzipped, and a check says the same. The record was
// loaded by its first value, and a key spelt otherwise in one record
// rejected the whole file as a header naming a column twice, at line 1.
func TestIngestJSONKeyTwice(t *testing.T) {
	record := func(tx, extra string) string {
		return strings.TrimSuffix(jsonRecord(tx, `"1.00"`, "USD"), "}") + extra + "}\n"
	}
	body := record("T1", "") + // line 1
		record("T2", `,"amount":"100.00"`) + // line 2
		"\n" + // line 3, blank
		record("T4", `,"status":"declined","status":"error"`) + // line 4
		record("T5", `,"Amount":"100.00"`) + // line 5
		record("T6", `,"note":"a","note":"b"`) + // line 6
		record("T7", `,"note":"c"`) // line 7
	want := []store.Problem{
		{Line: 2, Column: "amount", Reason: `key "amount" appears twice`},
		{Line: 4, Column: "status", Reason: `key "status" appears 3 times`},
		{Line: 5, Column: "amount", Reason: `key "amount" appears twice, as "amount" and "Amount" (keys are matched without regard to case)`},
		{Line: 6, Column: "note", Reason: `key "note" appears twice`},
	}
	checkThenLoadJSON(t, "twice_2026-11-23.jsonl", body, jsonOutcome{
		records: 6, quarantined: 4, problems: want, stored: [][]string{{"1", "T1"}, {"7", "T7"}}})
}

// TestIngestJSONKeysInTheirOrder: a JSON Lines file's keys are its columns
// in the order the file first has them, within a record too: of two
// spellings of a key that only ever appear together, the first written is
// the one the reason names as the key. The keys of one record came in the
// order DuckDB grouped them in, which changed from one run to the next.
func TestIngestJSONKeysInTheirOrder(t *testing.T) {
	body := `{"AMOUNT":"5.00",` + strings.TrimPrefix(jsonRecord("T1", `"1.00"`, "USD"), "{") + "\n"
	want := []store.Problem{{Line: 1, Column: "AMOUNT", Reason: `key "AMOUNT" appears twice, as "AMOUNT" and "amount" (keys are matched without regard to case)`}}
	for i := range 4 {
		db := MustOpenDB(t)
		path := writeText(t, fmt.Sprintf("order%d_2026-11-23.jsonl", i), body)
		out, err := loadFile(t, db, path)
		if err != nil {
			t.Fatalf("load %s: %v", body, err)
		}
		if diff := cmp.Diff(want, out.Problems); diff != "" {
			t.Fatalf("load %s, time %d: problems (-want +got):\n%s", body, i+1, diff)
		}
	}
}

// TestIngestJSONKeySpeltOtherwiseFirst: which spelling of a key is the
// column is decided by the records that have one alone, not by which the
// file names first: a record naming "Note" and then "note", before records
// that have "note" alone, is the key named twice, quarantined, and the rest
// of the file loads. The file was refused at line 2, as if "note" were the
// key "Note" of earlier records spelt otherwise.
func TestIngestJSONKeySpeltOtherwiseFirst(t *testing.T) {
	record := func(tx, extra string) string {
		return strings.TrimSuffix(jsonRecord(tx, `"1.00"`, "USD"), "}") + extra + "}\n"
	}
	tests := []struct {
		name, body, key, reason string
	}{
		{"after it in the record", record("T1", `,"Note":"a","note":"b"`) + record("T2", `,"note":"c"`), "note",
			`key "note" appears twice, as "note" and "Note" (keys are matched without regard to case)`},
		{"first in the record", `{"AMOUNT":"5.00",` + strings.TrimPrefix(record("T1", ""), "{") + record("T2", ""), "amount",
			`key "amount" appears twice, as "amount" and "AMOUNT" (keys are matched without regard to case)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkThenLoadJSON(t, "first_2026-11-23.jsonl", tt.body, jsonOutcome{records: 2, quarantined: 1,
				problems: []store.Problem{{Line: 1, Column: tt.key, Reason: tt.reason}}, stored: [][]string{{"2", "T2"}}})
		})
	}
}

// TestIngestJSONKeyRejectionsNameTheirRecord: a JSON Lines file has no
// header line, so a key that refuses the file (one that looks like a card
// number, one spelt in some records as another key is in others but for
// case) is named by the line of the first record that has it, after blank
// lines too, and by its place among that record's keys, never quoted when
// it holds a card number. Both said "line 1 column N", N the key's place
// among the file's keys, wherever the record was.
func TestIngestJSONKeyRejectionsNameTheirRecord(t *testing.T) {
	good := jsonRecord("T1", `"1.00"`, "USD") + "\n"
	withKey := func(tx, key string) string {
		return strings.TrimSuffix(jsonRecord(tx, `"1.00"`, "USD"), "}") + `,"` + key + `":"x"}` + "\n"
	}
	tests := []struct {
		name, body string
		want       []string
	}{
		{"a key that looks like a card number", good + good + "\n" + withKey("T4", "4111 1111 1111 1111"),
			[]string{"line 4 key 10: the name looks like a full card number", "not PCI-safe"}},
		{"a key that spells a card number in escapes", good + withKey("T2", `4111\u003111111111111`),
			[]string{"line 2 key 10: the name looks like a full card number"}},
		{"a key spelt otherwise in a later record", good + "\n" + strings.Replace(good, `"amount"`, `"Amount"`, 1),
			[]string{`line 3 key 5: the key "Amount" is the key "amount" of earlier records, spelt otherwise`}},
		{"a key spelt otherwise in a later record, beside it in another", good + withKey("T2", "AMOUNT") + strings.Replace(good, `"amount"`, `" amount"`, 1),
			[]string{`line 3 key 5: the key " amount" is the key "amount" of earlier records, spelt otherwise`}},
	}
	for _, tt := range tests {
		for _, name := range []string{"keys_2026-11-23.jsonl", "keys_2026-11-23.jsonl.gz"} {
			t.Run(tt.name+" in "+name, func(t *testing.T) {
				db := MustOpenDB(t)
				path := writeText(t, name, tt.body)
				c, err := db.CheckFile(t.Context(), loadFileFor(t, path, ledger.Mapping{}))
				if err != nil || !strings.Contains(c.Rejected, tt.want[0]) {
					t.Errorf("check %s: rejected %q, %v; want rejected for %q", name, c.Rejected, err, tt.want[0])
				}
				_, err = loadFile(t, db, path)
				checkRejection(t, db, path, err, tt.want)
			})
		}
	}
}

// TestIngestJSONTextAsWritten: a text column (an id, a code) written as a
// JSON number is stored as the file writes it, as a CSV's is, not as the
// double DuckDB reads it as (1000.0 for 1e3, 12.5 for 12.50, some 15
// digits of a long fraction). A number not in plain digits (an exponent,
// NaN) is a float's print, whose digits may be lost before it was written:
// the record is quarantined, naming the key and the number as written,
// rather than stored under an id that matches nothing and could be pushed.
// So is a JSON object or array, whose JSON text ({"id":"O-T"}) was stored.
func TestIngestJSONTextAsWritten(t *testing.T) {
	const unwritten = `, not written in plain digits: a float's print, which may have lost digits; write it as a string`
	const noValue = `, not a value: its JSON text is no id or code; map the key that holds the value`
	const flag = `, not text: a flag is no id, code or descriptor; map the key that holds the value`
	withOrder := func(order string) string {
		return strings.Replace(jsonRecord("T", `"1.00"`, "USD"), `"O-T"`, order, 1)
	}
	tests := []struct {
		name, record string
		m            ledger.Mapping
		want         string // the order_id stored, or the reason the record is quarantined
	}{
		{"a fraction with a zero at its end", withOrder("12.50"), ledger.Mapping{}, "12.50"},
		{"a fraction longer than a double keeps", withOrder("1234567890.12345678901"), ledger.Mapping{}, "1234567890.12345678901"},
		{"an integer of 64 bits, unsigned", withOrder("12345678901234567890"), ledger.Mapping{}, "12345678901234567890"},
		{"an integer beyond 64 bits", withOrder("123456789012345678901234"), ledger.Mapping{}, "123456789012345678901234"},
		{"an integer beyond 64 bits, the key escaped", strings.Replace(withOrder("-123456789012345678901234"), `"order_id"`, `"order_\u0069d"`, 1),
			ledger.Mapping{}, "-123456789012345678901234"},
		{"an integer", withOrder("-5"), ledger.Mapping{}, "-5"},
		{"zero with a sign", withOrder("-0"), ledger.Mapping{}, "-0"},
		{"zero", withOrder("0"), ledger.Mapping{}, "0"},
		{"zero, a -0 elsewhere in the record", strings.Replace(withOrder("0"), `{`, `{"refund":-0,`, 1), ledger.Mapping{}, "0"},
		{"zero as a string", withOrder(`"0"`), ledger.Mapping{}, "0"},
		{"a fraction of zero with a sign", withOrder("-0.0"), ledger.Mapping{}, "-0.0"},
		{"a fraction, the key escaped", strings.Replace(withOrder("12.50"), `"order_id"`, `"order_\u0069d"`, 1), ledger.Mapping{}, "12.50"},
		{"a fraction, the key named again in a nested object", strings.Replace(withOrder("12.50"), `{`, `{"refund":{"order_id":7.0},`, 1), ledger.Mapping{}, "12.50"},
		{"an exponent", withOrder("1e3"), ledger.Mapping{}, `key "order_id" holds the number 1e3` + unwritten},
		{"an exponent, in a mapped key", strings.Replace(withOrder("1.5E+3"), `"order_id"`, `"OrderRef"`, 1),
			ledger.Mapping{Columns: map[string]string{"order_id": "orderref"}}, `key "OrderRef" holds the number 1.5E+3` + unwritten},
		{"NaN", withOrder("NaN"), ledger.Mapping{}, `key "order_id" holds the number NaN` + unwritten},
		{"an object", withOrder(`{"id":"O-T"}`), ledger.Mapping{}, `key "order_id" holds a JSON object` + noValue},
		{"an array, in a mapped key", strings.Replace(withOrder(`["O-T"]`), `"order_id"`, `"Orders"`, 1),
			ledger.Mapping{Columns: map[string]string{"order_id": "orders"}}, `key "Orders" holds a JSON array` + noValue},
		{"a boolean", withOrder("true"), ledger.Mapping{}, `key "order_id" holds the JSON boolean true` + flag},
		{"a boolean, in a mapped key", strings.Replace(withOrder("false"), `"order_id"`, `"Ref"`, 1),
			ledger.Mapping{Columns: map[string]string{"order_id": "ref"}}, `key "Ref" holds the JSON boolean false` + flag},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadRecord(t, fmt.Sprintf("text%d_2026-11-23.jsonl", i), tt.record, tt.m,
				"SELECT order_id FROM ledger_tx UNION ALL SELECT reason FROM quarantine WHERE line = 1 AND starts_with(reason, format('key \"{}\" ', column_name))")
			if len(got) != 1 || got[0][0] != tt.want {
				t.Errorf("load %s: got %q, want %q", tt.record, got, tt.want)
			}
		})
	}
}

// TestIngestJSONBooleansWhereFlagsGo: a JSON boolean is the value of a
// column a value map may cover (is_recurring, or status through its map),
// where it loads as its text, mapped and checked; in a text column it
// quarantines its record (TestIngestJSONTextAsWritten), but for a false in
// an optional one (TestIngestJSONFalseInAnOptionalTextIsNone).
func TestIngestJSONBooleansWhereFlagsGo(t *testing.T) {
	record := strings.Replace(jsonRecord("T", `"1.00"`, "USD"), `"status":"approved"`, `"status":true,"is_recurring":true`, 1)
	m := ledger.Mapping{Values: map[string]map[string]string{"status": {"true": "approved", "false": "declined"}}}
	got := loadRecord(t, "flags_2026-11-23.jsonl", record, m, "SELECT transaction_id, status, is_recurring FROM ledger_tx")
	if want := [][]string{{"T", "approved", "true"}}; !cmp.Equal(got, want) {
		t.Errorf("load %s: stored %q, want %q", record, got, want)
	}
}

// TestIngestJSONFalseInAnOptionalTextIsNone: a JSON false in an optional
// column stored as written (a campaign id, a gateway's key, the FlexCharge
// mid, a descriptor) is no value, as null is: the row loads without one,
// where the record was quarantined whole. A true there, or a false in a
// required column, still quarantines it, naming file, line and key.
func TestIngestJSONFalseInAnOptionalTextIsNone(t *testing.T) {
	const flag = `, not text: a flag is no id, code or descriptor; map the key that holds the value`
	with := func(extra string) string {
		return strings.Replace(jsonRecord("T", `"1.00"`, "USD"), `{`, `{`+extra+`,`, 1)
	}
	tests := []struct{ name, record, want string }{
		{"campaign_id", with(`"campaign_id":false`), "T <nil> <nil> <nil> https://a"},
		{"four optional texts", with(`"campaign_id":false,"fc_transmit_key":false,"mid":false,"descriptor":false`), "T <nil> <nil> <nil> https://a"},
		{"true in campaign_id", with(`"campaign_id":true`), `ledger_2026-11-23.jsonl, line 1: key "campaign_id" holds the JSON boolean true` + flag},
		{"false in order_id, required", strings.Replace(jsonRecord("T", `"1.00"`, "USD"), `"O-T"`, "false", 1),
			`ledger_2026-11-23.jsonl, line 1: key "order_id" holds the JSON boolean false` + flag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadRecord(t, "ledger_2026-11-23.jsonl", tt.record, ledger.Mapping{},
				`SELECT concat_ws(' ', transaction_id, coalesce(campaign_id, '<nil>'), coalesce(fc_transmit_key, '<nil>'), coalesce(mid, '<nil>'), coalesce(descriptor, site_url)) FROM ledger_tx
				UNION ALL SELECT f.name || ', line ' || q.line || ': ' || q.reason FROM quarantine q JOIN ledger_files f ON f.id = q.file_id`)
			if len(got) != 1 || got[0][0] != tt.want {
				t.Errorf("load %s: got %q, want %q", tt.record, got, tt.want)
			}
		})
	}
}

// TestIngestJSONRecordQuarantinedWholeDatesNothing: a JSON Lines record
// quarantined whole (a key named twice, a text written as a float's print)
// has values in doubt, as a CSV misfit's are: its processing time is no
// business date for a file without one in its name. The record that names
// processed_at twice dated the file by DuckDB's first value, 2026-11-01,
// and the load replaced that day's file of the source.
func TestIngestJSONRecordQuarantinedWholeDatesNothing(t *testing.T) {
	at := func(tx, extra string) string {
		return strings.Replace(jsonRecord(tx, `"1.00"`, "USD"), `"processed_at":"2026-11-23T10:00:00Z"`, extra, 1) + "\n"
	}
	tests := []struct{ name, record string }{
		{"processed_at twice", at("T0", `"processed_at":"2026-11-01T10:00:00Z","processed_at":"2026-11-23T10:00:00Z"`)},
		{"processed_at twice, spelt otherwise", at("T0", `"processed_at":"2026-11-01T10:00:00Z","Processed_At":"2026-11-23T10:00:00Z"`)},
		{"an id as a float's print", strings.Replace(at("T0", `"processed_at":"2026-11-01T10:00:00Z"`), `"O-T0"`, "1e3", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			if _, err := loadFile(t, db, writeText(t, "early.jsonl", at("E1", `"processed_at":"2026-11-01T10:00:00Z"`))); err != nil {
				t.Fatal(err)
			}
			body := tt.record + at("T1", `"processed_at":"2026-11-23T11:00:00Z"`)
			out, err := loadFile(t, db, writeText(t, "nodate.jsonl", body))
			if err != nil || out.Quarantined != 1 || out.Rows != 1 {
				t.Fatalf("load %s: %+v, %v; want 1 row, 1 quarantined", body, out, err)
			}
			got := dump(t, db, "SELECT name, CAST(business_date AS VARCHAR), outcome FROM ledger_files ORDER BY id")
			want := [][]string{{"early.jsonl", "2026-11-01", "loaded"}, {"nodate.jsonl", "2026-11-23", "loaded"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("load %s: files (-want +got):\n%s", body, diff)
			}
		})
	}
}

// TestIngestJSONKeyTwiceNamesItWhole: a record quarantined for a key named
// twice names that key as its column whole, whatever it spells: a key with
// a quote and a space in it was cut at them (column `note` for the key
// `note" b`), a key the export does not have.
func TestIngestJSONKeyTwiceNamesItWhole(t *testing.T) {
	body := jsonRecord("T1", `"1.00"`, "USD") + "\n" +
		strings.TrimSuffix(jsonRecord("T2", `"1.00"`, "USD"), "}") + `,"note\" b":"a","note\" b":"b"}` + "\n"
	want := []store.Problem{{Line: 2, Column: `note" b`, Reason: `key "note\" b" appears twice`}}
	checkThenLoadJSON(t, "quoted_2026-11-23.jsonl", body, jsonOutcome{
		records: 2, quarantined: 1, problems: want, stored: [][]string{{"1", "T1"}}})
}

// TestIngestJSONBlankKeyTwiceNamedByItsPlace: a record naming a key of
// spaces only twice is quarantined under the name the file's columns give
// that key, its place (column 10), which the check's unmapped columns and
// a mapping use too; it was named " ", which no one could tell from "  ".
func TestIngestJSONBlankKeyTwiceNamedByItsPlace(t *testing.T) {
	body := jsonRecord("T1", `"1.00"`, "USD") + "\n" +
		strings.TrimSuffix(jsonRecord("T2", `"1.00"`, "USD"), "}") + `," ":"a"," ":"b"}` + "\n"
	want := []store.Problem{{Line: 2, Column: "column 10", Reason: "column 10 appears twice"}}
	checkThenLoadJSON(t, "blank_2026-11-23.jsonl", body, jsonOutcome{
		records: 2, quarantined: 1, problems: want, stored: [][]string{{"1", "T1"}}})
}

// TestIngestJSONOddKeysNamedWhole: a record quarantined whole for one key
// names that key as its column whole and as the file spells it, whatever
// it holds (a quote, a space, a backslash), whichever reason quarantines
// it. The column was read back out of the reason's text, which quotes a
// spelling of the key escaped: such a key spelt twice was named
// `Pay \"Ref\" \\x`, a key the export does not have. Every reason quotes
// the key as Go does, the respelt one's way: the one named twice and the
// flag's wrote it raw (key "Pay "Ref" \x"), where it ends unclear.
func TestIngestJSONOddKeysNamedWhole(t *testing.T) {
	const key, quoted = `Pay "Ref" \x`, `"Pay \"Ref\" \\x"`
	record := func(tx, extra string) string {
		return strings.TrimSuffix(jsonRecord(tx, `"1.00"`, "USD"), "}") + extra + "}\n"
	}
	tests := []struct {
		name, body string
		m          ledger.Mapping
		reason     string
	}{
		{"named twice", record("T1", `,"Pay \"Ref\" \\x":"a","Pay \"Ref\" \\x":"b"`), ledger.Mapping{},
			"key " + quoted + " appears twice"},
		{"spelt otherwise beside it", record("T1", `,"Pay \"Ref\" \\x":"a","pay \"ref\" \\x":"b"`), ledger.Mapping{},
			"key " + quoted + " appears twice, as " + quoted + ` and "pay \"ref\" \\x" (keys are matched without regard to case)`},
		{"a flag where text goes", strings.Replace(record("T1", ""), `"order_id":"O-T1"`, `"Pay \"Ref\" \\x":true`, 1),
			ledger.Mapping{Columns: map[string]string{"order_id": key}},
			"key " + quoted + " holds the JSON boolean true, not text: a flag is no id, code or descriptor; map the key that holds the value"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			out, err := loadMapped(t, db, writeText(t, fmt.Sprintf("odd%d_2026-11-23.jsonl", i), tt.body), tt.m)
			if err != nil {
				t.Fatal(err)
			}
			want := []store.Problem{{Line: 1, Column: key, Reason: tt.reason}}
			if diff := cmp.Diff(want, out.Problems); diff != "" {
				t.Errorf("load %s: problems (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}
