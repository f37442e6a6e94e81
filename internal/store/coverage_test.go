package store_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/flexcharge/flexrecon"
)

// TestTransmitCoverageLeavesOutRefunds: a refund under a live switch is not
// expected at /transmit, so it does not lower the transmit coverage of the
// Summary and Transmit sheets: one approval transmitted, beside a refund,
// is full coverage.
func TestTransmitCoverageLeavesOutRefunds(t *testing.T) {
	db := classify(t, scenario{rows: []tx{row("T1", approved, keyed), row("T2", status("refunded"))}})
	for report, column := range map[string]string{"reports/10-summary.sql": "transmit_coverage", "reports/30-transmit.sql": "coverage"} {
		query, err := fs.ReadFile(flexrecon.SQL(), report)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(context.Background(), "SELECT "+column+" FROM ("+string(query)+")", 1, "")
		if err != nil {
			t.Fatalf("%s: %v", report, err)
		}
		var got []float64
		for rows.Next() {
			var c float64
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			got = append(got, c)
		}
		rows.Close()
		if len(got) != 1 || got[0] != 1 {
			t.Errorf("%s %s: got %v, want [1] (the refund is not expected)", report, column, got)
		}
	}
}
