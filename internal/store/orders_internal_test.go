package store

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	flexrecon "github.com/flexcharge/flexrecon"
)

// TestOrderWriterMergesNothingAfterAFailedDiscard: a listing read in part
// that could not be taken back from the stage must not be merged as if
// whole. Before, the pull's failure path merged the stage whatever the
// discard's fate, and ignored the merge's error.
func TestOrderWriterMergesNothingAfterAFailedDiscard(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "f.duckdb"), flexrecon.SQL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	w, err := db.NewOrderWriter(t.Context(), at)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Order{Environment: "sandbox", ID: "o1", ExternalOrderID: "x1", MID: "m1", PlacedAt: at, CreatedOn: at}); err != nil {
		t.Fatal(err)
	}
	db.q.DiscardStagedOrders = "SELECT no_such_column FROM fc_orders_stage" // the database failing
	if err := w.Discard(t.Context(), "sandbox", "m1"); err == nil {
		t.Fatal("Discard with a failing query: no error")
	}
	if err := w.Close(t.Context()); err == nil || !strings.Contains(err.Error(), "not merged") {
		t.Errorf("Close after a failed Discard: %v, want the orders not merged", err)
	}
	var n int
	if err := db.db.Get(&n, "SELECT count(*) FROM fc_orders"); err != nil || n != 0 {
		t.Errorf("fc_orders holds %d orders (%v), want none of the listing read in part", n, err)
	}
}

// TestOrderWriterEmptiesTheStageAfterAFailedDiscard: the stage is a
// temporary table of the writer's pooled connection; left full after a
// failed discard, its orders stayed in memory until a later pull drew that
// connection again.
func TestOrderWriterEmptiesTheStageAfterAFailedDiscard(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "f.duckdb"), flexrecon.SQL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.db.SetMaxOpenConns(1) // the query below gets the writer's connection
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	w, err := db.NewOrderWriter(t.Context(), at)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Order{Environment: "sandbox", ID: "o1", ExternalOrderID: "x1", MID: "m1", PlacedAt: at, CreatedOn: at}); err != nil {
		t.Fatal(err)
	}
	db.q.DiscardStagedOrders = "SELECT no_such_column FROM fc_orders_stage" // the database failing
	if err := w.Discard(t.Context(), "sandbox", "m1"); err == nil {
		t.Fatal("Discard with a failing query: no error")
	}
	if err := w.Close(t.Context()); err == nil {
		t.Fatal("Close after a failed Discard: no error")
	}
	var n int
	if err := db.db.Get(&n, "SELECT count(*) FROM temp.main.fc_orders_stage"); err != nil || n != 0 {
		t.Errorf("the stage holds %d orders (%v) after Close, want none", n, err)
	}
}
