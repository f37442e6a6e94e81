package store_test

import (
	"context"
	"database/sql"
	"io/fs"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// TestTransmitCoverageLeavesOutRefunds: a refund under a live switch, or
// test traffic under a production one, is not expected at /transmit, so it
// neither lowers nor raises the transmit coverage of the Summary and
// Transmit sheets, whether it carries a key or not.
func TestTransmitCoverageLeavesOutRefunds(t *testing.T) {
	for _, c := range []struct {
		name string
		rows []tx
		want float64
	}{
		{"a refund without a key", []tx{row("T1", approved, keyed), row("T2", status("refunded"))}, 1},
		{"a refund with a key", []tx{row("T1", approved, keyed), row("T2", approved), row("T3", status("refunded"), keyed)}, 0.5},
		{"test traffic with a key", []tx{row("T1", approved, keyed), row("T2", approved), row("T3", approved, keyed, sandboxRow)}, 0.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := classify(t, scenario{rows: c.rows})
			for report, column := range map[string]string{"reports/10-summary.sql": "transmit_coverage", "reports/30-transmit.sql": "coverage"} {
				if got := coverage(t, db, report, column); len(got) != 1 || got[0] != c.want {
					t.Errorf("%s %s: got %v, want [%v] (only what is expected counts)", report, column, got, c.want)
				}
			}
		})
	}
}

// coverage is the report's column, of its rows that have one (a row whose
// transactions none is expected has none).
func coverage(t *testing.T, db *store.DB, report, column string) []float64 {
	t.Helper()
	query, err := fs.ReadFile(flexrecon.SQL(), report)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(context.Background(), "SELECT "+column+" FROM ("+string(query)+")", 1, "")
	if err != nil {
		t.Fatalf("%s: %v", report, err)
	}
	defer rows.Close()
	var got []float64
	for rows.Next() {
		var c sql.NullFloat64
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		if c.Valid {
			got = append(got, c.Float64)
		}
	}
	return got
}

// TestSheetsKeepTestTrafficApart: a production recovery (D1, 10.00) and a
// sandbox test recovery (D2, 5.00, its order in sandbox) of the same
// merchant, site and profile: the test amount is no production money, so
// every sheet of money or rates gives each environment its own row.
func TestSheetsKeepTestTrafficApart(t *testing.T) {
	sandboxOrder := func(o *store.Order) {
		o.Environment, o.MID, o.SiteID, o.Amount = "sandbox", "S1", "sid-s", new(int64(500))
	}
	db := classify(t, scenario{rows: []tx{row("D1", keyed), row("D2", sandboxRow, func(t *tx) { t.amount = "5.00" })},
		orders: []store.Order{order(row("D1"), "F1", 7), order(row("D2"), "F2", 7, sandboxOrder)}})
	if err := db.KeepOrderSites(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if err := db.KeepSiteDescriptors(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		report, columns string
		want            [][]string
	}{
		{"reports/10-summary.sql", "environment, recovered, recovered_amount, recovery_rate",
			[][]string{{"production", "1", "1000", "1"}, {"sandbox", "1", "500", "1"}}},
		{"reports/20-recovery.sql", "environment, eligible, recovered, net_amount, recovery_rate",
			[][]string{{"production", "1", "1", "1000", "1"}, {"sandbox", "1", "1", "500", "1"}}},
		{"reports/25-recovery-by-profile.sql", "environment, eligible, recovered",
			[][]string{{"production", "1", "1"}, {"sandbox", "1", "1"}}},
		{"reports/30-transmit.sql", "environment, processed, not_expected",
			[][]string{{"production", "1", "0"}, {"sandbox", "1", "1"}}},
		{"reports/40-sites.sql", "environment, ledger_amount, ledger_evaluated, fc_orders, fc_amount, drift",
			[][]string{{"production", "1000", "1", "1", "1000", "0"}, {"sandbox", "500", "1", "1", "500", "0"}}},
	} {
		query, err := fs.ReadFile(flexrecon.SQL(), c.report)
		if err != nil {
			t.Fatal(err)
		}
		got := dump(t, db, "SELECT "+c.columns+" FROM ("+string(query)+") ORDER BY environment", 1, "")
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (%s) of a production and a sandbox test recovery (-want +got):\n%s", c.report, c.columns, diff)
		}
	}
}

// TestExceptionsSheetNamesTheEnvironment: each finding on the Exceptions
// sheet says its environment, as every sheet of money does: a production
// decline's amount mismatch (D1) is production; a sandbox test row under
// the production switch (D2) is sandbox, the one it was judged in; an
// orphan order (F9) is in the environment FlexCharge holds it in. The sheet
// had no such column, and a test row's findings read as production's.
func TestExceptionsSheetNamesTheEnvironment(t *testing.T) {
	sandboxOrder := func(o *store.Order) { o.Environment, o.MID, o.SiteID = "sandbox", "S1", "sid-s" }
	db := classify(t, scenario{rows: []tx{row("D1", keyed), row("D2", keyed, sandboxRow)},
		orders: []store.Order{order(row("D1"), "F1", 7, func(o *store.Order) { o.Amount = new(int64(1100)) }),
			order(row("D2"), "F2", 7, sandboxOrder), order(row("X9"), "F9", 7, sandboxOrder)}})
	if _, err := db.StartRun(context.Background(), adhocRun); err != nil { // the sheet ages findings by the run's clock
		t.Fatal(err)
	}
	query, err := fs.ReadFile(flexrecon.SQL(), "reports/50-exceptions.sql")
	if err != nil {
		t.Fatal(err)
	}
	got := dump(t, db, "SELECT category, transaction_id, fc_order_id, environment FROM ("+string(query)+")", 1, "")
	want := [][]string{
		{"amount_mismatch", "D1", "F1", "production"},
		{"environment_mismatch", "D2", "", "sandbox"},
		{"orphan_order", "X9", "F9", "sandbox"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Exceptions sheet (category, transaction, order, environment) (-want +got):\n%s", diff)
	}
}

// TestFindingsKeepTheirEnvironment: each finding stores the environment the
// Exceptions sheet names, so that the sheet need not join the run's
// results: a production decline's amount mismatch (D1); a sandbox test row
// under the production switch (D2); an orphan order in sandbox (F9); a
// quarantined row, judged in none; a push in doubt (T1); and, judged by a
// campaign's sandbox switch over rows the ledger says are production, a
// retry approved after a production rescue (A3) and a repeat whose first
// occurrence has no order (D4): no pair says their environment, their
// verdicts do.
func TestFindingsKeepTheirEnvironment(t *testing.T) {
	sandboxOrder := func(o *store.Order) { o.Environment, o.MID, o.SiteID = "sandbox", "S1", "sid-s" }
	inC9 := func(t *tx) { t.campaign = "C9" }
	p := push("T1", "pushed", at("10:30"))
	p.InDoubt = true
	db := classify(t, scenario{
		registry: registryM1(store.Switch{Profile: "cit_web", Scope: "campaign", ScopeValue: "C9", State: "sandbox",
			EffectiveAt: longAgo, Actor: "ops", Reason: "trial", Origin: "config"}),
		rows: []tx{row("D1", keyed), row("D2", keyed, sandboxRow), row("T1", approved),
			row("D3", keyed), row("A3", approved, keyed, inC9, func(t *tx) { t.order, t.at = "O-D3", "12:00" }),
			row("D4", keyed, inC9), row("D4", keyed, inC9, func(t *tx) { t.at = "11:00" })},
		extra: []string{"M1,O-Q1,Q1,2026-11-23T10:00:00Z,ten,USD,approved,CIT,web,https://one.example,ONE*SHOP,,production,K-Q1"},
		orders: []store.Order{order(row("D1"), "F1", 7, func(o *store.Order) { o.Amount = new(int64(1100)) }),
			order(row("D2"), "F2", 7, sandboxOrder), order(row("D3"), "F3", 7), order(row("X9"), "F9", 7, sandboxOrder)},
		pushes: []store.PushRecord{p}})
	if err := db.ApplyPushes(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	got := dump(t, db, "SELECT category, coalesce(transaction_id, ''), coalesce(environment, 'none') FROM findings WHERE run_id = 1 ORDER BY ALL")
	want := [][]string{
		{"amount_mismatch", "D1", "production"},
		{"double_charge_risk", "A3", "sandbox"},
		{"duplicate_row", "D4", "sandbox"},
		{"environment_mismatch", "D2", "sandbox"},
		{"orphan_order", "X9", "sandbox"},
		{"push_in_doubt", "T1", "production"},
		{"quarantined", "", "none"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (category, transaction, environment) (-want +got):\n%s", diff)
	}
}

// TestExceptionsByMerchantNamesNoFileForAnUnknownMid: an orphan order of a
// mid the registry does not hold has no merchant, as a quarantined row has
// none, but it is no file's: Exceptions by merchant put it under "(file)",
// where finance looks for the rows a file could not give.
func TestExceptionsByMerchantNamesNoFileForAnUnknownMid(t *testing.T) {
	db := classify(t, scenario{rows: []tx{row("D1", keyed)},
		extra:  []string{"M1,O-Q1,Q1,2026-11-23T10:00:00Z,ten,USD,approved,CIT,web,https://one.example,ONE*SHOP,,production,K-Q1"},
		orders: []store.Order{order(row("D1"), "F1", 7), order(row("X9"), "F9", 7, func(o *store.Order) { o.MID = "P9" })}})
	query, err := fs.ReadFile(flexrecon.SQL(), "reports/47-exceptions-by-merchant.sql")
	if err != nil {
		t.Fatal(err)
	}
	got := dump(t, db, "SELECT merchant, category FROM ("+string(query)+") ORDER BY ALL", 1, "")
	want := [][]string{{"(file)", "quarantined"}, {"(unknown mid)", "orphan_order"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Exceptions by merchant (merchant, category) (-want +got):\n%s", diff)
	}
}
