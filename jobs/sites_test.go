package jobs_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
)

// TestSitesUnknownAmountLeavesTotalBlank: a run with one completed order
// whose amount FlexCharge did not give shows that order's row on the Sites
// sheet with a blank amount and its currency's total blank too, with no
// formula a spreadsheet would recalculate to the other orders' sum; the count
// of unknown amounts says why. Summary and Recovery sum the ledger's amounts,
// so the order's decline still counts as recovered with its own.
func TestSitesUnknownAmountLeavesTotalBlank(t *testing.T) {
	var unknown flexcharge.SeedOrder
	env, plan, err := editedChain(gen.Options{Rows: 300, Seed: 42, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Out: t.TempDir()},
		func(o *flexcharge.SeedOrder) {
			if unknown.ID == "" && o.Status == flexcharge.StatusCompleted {
				o.Amount = nil
				unknown = *o
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.DB.Close() })
	run, err := env.Reconcile(t.Context(), planRequest("adhoc", plan))
	if err != nil {
		t.Fatal(err)
	}
	book, err := os.ReadFile(run.Workbook)
	if err != nil {
		t.Fatal(err)
	}
	f := openBook(t, book)
	sites := readTable(t, f, "Sites and descriptors")
	for _, row := range sites.rows {
		if sites.cell(t, row, "FlexCharge amounts unknown") == "0" {
			continue
		}
		if got := sites.cell(t, row, "FlexCharge amount"); got != "" || sites.cell(t, row, "Site") != unknown.SiteURL {
			t.Errorf("row %q: FlexCharge amount %q, want blank on the row of %s", row, got, unknown.SiteURL)
		}
	}
	checkUnknownTotal(t, f, sites, unknown.CurrencyCode)
	var recovered int
	rows, err := env.DB.Query(t.Context(), "SELECT count(*) FROM results WHERE run_id = $1 AND fc_order_id = $2 AND outcome_state = 'recovered' AND amount > 0",
		run.ID, unknown.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() || rows.Scan(&recovered) != nil || recovered != 1 {
		t.Errorf("declines of order %s recovered with their ledger amount: %d, want 1", unknown.ID, recovered)
	}
}

// checkUnknownTotal checks the Sites sheet's totals: one amount unknown in
// all, and the FlexCharge amount of currency cur blank, without a formula.
func checkUnknownTotal(t *testing.T, f *excelize.File, sites table, cur string) {
	t.Helper()
	label := "Total " + cur
	if len(sites.totals) == 1 { // one currency: its total is the Total row's
		label = "Total"
	}
	col := sites.cols["FlexCharge amount"]
	for i, row := range sheetRows(t, f, "Sites and descriptors", true) {
		if len(row) == 0 || !strings.HasPrefix(row[0], "Total") {
			continue
		}
		if row[0] == "Total" && sites.cell(t, row, "FlexCharge amounts unknown") != "1" {
			t.Errorf("Total row %q: FlexCharge amounts unknown %q, want 1", row, sites.cell(t, row, "FlexCharge amounts unknown"))
		}
		if row[0] != label {
			continue
		}
		ref, _ := excelize.CoordinatesToCellName(col+1, i+1)
		formula, err := f.GetCellFormula("Sites and descriptors", ref)
		if got := sites.cell(t, row, "FlexCharge amount"); got != "" || formula != "" || err != nil {
			t.Errorf("%s row: FlexCharge amount %q, formula %q (%v); want blank, no formula", label, got, formula, err)
		}
		return
	}
	t.Errorf("Sites sheet has no %q row", label)
}
