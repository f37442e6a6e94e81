package store_test

import (
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
	for _, name := range []string{"malformed_2026-11-23.jsonl", "malformed_2026-11-23.jsonl.gz"} {
		t.Run(name, func(t *testing.T) {
			file := body
			if strings.HasSuffix(name, ".gz") {
				file = gzipped(t, body)
			}
			path := writeFile(t, name, file)
			db := MustOpenDB(t)
			c, err := db.CheckFile(t.Context(), loadFileFor(t, path, ledger.Mapping{}))
			if err != nil || c.Rejected != "" || c.Records != 7 || c.Quarantined != 5 {
				t.Errorf("check %s: %d records, %d quarantined, rejected %q, %v; want 7 records, 5 quarantined", name, c.Records, c.Quarantined, c.Rejected, err)
			}
			if diff := cmp.Diff(want, c.Problems); diff != "" {
				t.Errorf("check %s: problems (-want +got):\n%s", name, diff)
			}
			out, err := loadFile(t, db, path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, out.Problems); diff != "" {
				t.Errorf("load %s: problems (-want +got):\n%s", name, diff)
			}
			got := dump(t, db, "SELECT line, transaction_id FROM ledger_tx ORDER BY line")
			if diff := cmp.Diff([][]string{{"1", "T1"}, {"8", "T3"}}, got); diff != "" {
				t.Errorf("load %s: rows stored (-want +got):\n%s", name, diff)
			}
		})
	}
}
