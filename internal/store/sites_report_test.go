package store_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/google/go-cmp/cmp"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// TestSitesSheetDescribesURLOnlyRowsAsClassifyDoes: declines that name their
// site by URL alone are on the Sites sheet under their registered site's
// descriptor, by which classify compares them with their orders: only the
// order filed under another descriptor (D2's, a descriptor_mismatch) is
// drift. The sheet put the declines under no descriptor, and both orders
// showed as drift. A descriptor changed in the registry after the run does
// not move its rows.
func TestSitesSheetDescribesURLOnlyRowsAsClassifyDoes(t *testing.T) {
	ctx := context.Background()
	urlOnly := func(t *tx) { t.descriptor = "" }
	d := func(id string) tx { return row(id, keyed, urlOnly) }
	db := classify(t, scenario{rows: []tx{d("D1"), d("D2")},
		orders: []store.Order{order(d("D1"), "F1", 7), order(d("D2"), "F2", 7, func(o *store.Order) { o.Descriptor = "OTHER*DESC" })}})
	if err := db.KeepOrderSites(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := db.KeepSiteDescriptors(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, db, "SELECT transaction_id FROM findings WHERE run_id = 1 AND category = 'descriptor_mismatch'"); len(got) != 1 || got[0][0] != "D2" {
		t.Fatalf("descriptor_mismatch findings: %v, want D2's alone", got)
	}
	want := [][]string{ // site, descriptor, ledger transactions, ledger evaluated, FlexCharge orders, drift
		{siteURL, siteDesc, "2", "2", "1", "-1"},
		{siteURL, "OTHER*DESC", "0", "0", "1", "1"},
	}
	if diff := cmp.Diff(want, sitesSheet(t, db)); diff != "" {
		t.Errorf("Sites sheet of two URL-only declines, D2's order under OTHER*DESC (-want +got):\n%s", diff)
	}
	renamed := registryM1()
	renamed[0].Sites[0].Descriptor = "ONE*RENAMED"
	if err := db.SeedRegistry(ctx, renamed, longAgo); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sitesSheet(t, db)); diff != "" {
		t.Errorf("Sites sheet once the registry renamed the site's descriptor (-want +got):\n%s", diff)
	}
}

// sitesSheet is run 1's Sites sheet, every merchant's, by the report's own
// query: site, descriptor, ledger transactions and evaluated, FlexCharge
// orders, drift.
func sitesSheet(t *testing.T, db *store.DB) [][]string {
	t.Helper()
	report, err := fs.ReadFile(flexrecon.SQL(), "reports/40-sites.sql")
	if err != nil {
		t.Fatal(err)
	}
	return dump(t, db, "SELECT site, descriptor, ledger_transactions, ledger_evaluated, fc_orders, drift FROM (\n"+string(report)+"\n)", 1, "")
}

// TestSitesSheetKeepsARunWithoutRegisteredSites: a run made while the
// registry had no sites kept no descriptors, and classify gave its URL-only
// rows none; a site registered after the run does not put them under its
// descriptor (the sheet read the registry as it is now for such a run, and
// its rows moved with every change to it).
func TestSitesSheetKeepsARunWithoutRegisteredSites(t *testing.T) {
	ctx := context.Background()
	unsited := registryM1()
	unsited[0].Sites = nil
	d := row("D1", keyed, func(t *tx) { t.descriptor = "" })
	db := classify(t, scenario{registry: unsited, rows: []tx{d}, orders: []store.Order{order(d, "F1", 7)}})
	if err := db.KeepOrderSites(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := db.KeepSiteDescriptors(ctx, 1); err != nil {
		t.Fatal(err)
	}
	want := sitesSheet(t, db)
	if len(want) == 0 || want[0][1] != "" {
		t.Fatalf("Sites sheet of a URL-only decline, no site registered: %v; want it under no descriptor", want)
	}
	if err := db.SeedRegistry(ctx, registryM1(), longAgo); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sitesSheet(t, db)); diff != "" {
		t.Errorf("Sites sheet once a site was registered after the run (-want +got):\n%s", diff)
	}
}
