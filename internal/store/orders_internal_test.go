package store

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	flexrecon "github.com/flexcharge/flexrecon"
)

// TestOrderWriterAfterAFailedDiscard: a listing read in part that could not
// be taken back from the stage must not be merged as if whole (the pull's
// failure path merged the stage whatever the discard's fate, and ignored
// the merge's error), and the stage is emptied all the same: it is a
// temporary table of the writer's pooled connection, and left full its
// orders stayed in memory until a later pull drew that connection again.
func TestOrderWriterAfterAFailedDiscard(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "f.duckdb"), flexrecon.SQL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.db.SetMaxOpenConns(1) // the queries below get the writer's connection
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
	for table, what := range map[string]string{"fc_orders": "merged", "temp.main.fc_orders_stage": "left staged"} {
		var n int
		if err := db.db.Get(&n, "SELECT count(*) FROM "+table); err != nil || n != 0 {
			t.Errorf("%d orders %s (%v) after Close, want none of the listing read in part", n, what, err)
		}
	}
}
