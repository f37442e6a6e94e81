package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/store"
)

// TestOrderWriterKeepsOneRowPerOrder pulls twice over overlapping windows,
// the second time fetching one order twice (pages shift between requests),
// then reruns the second pull: every (environment, id) keeps one row, with
// its latest fetched values, and an order not fetched again keeps its own.
func TestOrderWriterKeepsOneRowPerOrder(t *testing.T) {
	db := MustOpenDB(t)
	first := time.Date(2026, 11, 23, 2, 30, 0, 0, time.UTC)
	second := first.Add(24 * time.Hour)
	sandboxTwin := benchOrder(0, first)
	sandboxTwin.Environment = "sandbox"
	pullOrders(t, db, first, withStatus(0, first, 2), sandboxTwin, withStatus(1, first, 2))
	again := []store.Order{withStatus(0, second, 7), withStatus(2, second, 2), withStatus(0, second, 4)}
	pullOrders(t, db, second, again...)
	pullOrders(t, db, second, again...)

	got := dump(t, db, `SELECT environment, external_order_id, status, CAST(epoch(fetched_at) AS BIGINT)
		FROM fc_orders ORDER BY ALL`)
	want := [][]string{
		{"production", "O00000000", "4", unix(second)},
		{"production", "O00000001", "2", unix(first)},
		{"production", "O00000002", "2", unix(second)},
		{"sandbox", "O00000000", "7", unix(first)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fc_orders after two pulls and a rerun (-want +got):\n%s", diff)
	}
}

func withStatus(i int, fetched time.Time, status int) store.Order {
	o := benchOrder(i, fetched)
	o.Status = status
	return o
}

func unix(t time.Time) string { return fmt.Sprint(t.Unix()) }

// pullOrders stores orders as one pull fetched at fetched.
func pullOrders(t *testing.T, db *store.DB, fetched time.Time, orders ...store.Order) {
	t.Helper()
	w, err := db.NewOrderWriter(context.Background(), fetched)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orders {
		if err := w.Write(o); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatalf("store %d orders fetched at %s: %v", len(orders), fetched, err)
	}
}

// TestPullKeepsFresherWebhookStatus: an order.completed applied while a
// pull ran is not undone by the pull's older copy of the order.
func TestPullKeepsFresherWebhookStatus(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	o := withStatus(0, asOf.Add(-48*time.Hour), 4)
	pullOrders(t, db, asOf.Add(-24*time.Hour), o) // yesterday's pull: PROCESSING
	w, err := db.NewOrderWriter(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(o); err != nil { // tonight's pull still sees PROCESSING
		t.Fatal(err)
	}
	ev := store.WebhookEvent{DedupeKey: "k1", Environment: "production", Event: "order.completed", OrderID: o.ID,
		EventAt: asOf.Add(25 * time.Minute), Body: "{}", ReceivedAt: asOf.Add(25 * time.Minute), Status: 7, StatusName: "COMPLETED"}
	if _, err := db.StoreWebhookEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := db.OrderStatus(ctx, "production", o.ID); st != 7 {
		t.Errorf("order completed by a webhook during the pull: stored as %d after the merge, want 7", st)
	}
}

// TestWebhooksDuringMerge: webhooks updating orders while a pull merges
// them neither fail nor make the merge fail (DuckDB refuses one of two
// transactions updating one row; the store serializes them).
func TestWebhooksDuringMerge(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	const n = 200_000
	orders := make([]store.Order, n)
	for i := range orders {
		orders[i] = withStatus(i, asOf, 4)
	}
	pullOrders(t, db, asOf.Add(-time.Hour), orders...)
	w, err := db.NewOrderWriter(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orders {
		if err := w.Write(o); err != nil {
			t.Fatal(err)
		}
	}
	stop, hooks := make(chan struct{}), make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				hooks <- nil
				return
			default:
			}
			when := asOf.Add(time.Duration(i+1) * time.Second)
			if _, err := db.StoreWebhookEvent(ctx, store.WebhookEvent{DedupeKey: fmt.Sprint("k", i), Environment: "production",
				Event: "order.completed", OrderID: orders[(i*7919)%n].ID, EventAt: when, Body: "{}", ReceivedAt: when,
				Status: 7, StatusName: "COMPLETED"}); err != nil {
				hooks <- err
				return
			}
		}
	}()
	mergeErr := w.Close(ctx)
	close(stop)
	if err := <-hooks; err != nil || mergeErr != nil {
		t.Errorf("webhooks during a merge: webhook error %v, merge error %v; want neither", err, mergeErr)
	}
}
