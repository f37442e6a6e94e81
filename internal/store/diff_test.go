package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/store"
)

// run records and classifies one run of the scenario day.
func run(t *testing.T, db *store.DB) int64 {
	t.Helper()
	ctx := context.Background()
	r, err := db.StartRun(ctx, store.Run{Kind: "adhoc", WindowFrom: day, WindowTo: day, AsOf: asOf, QueuedAt: asOf, ConfigHash: "h", Version: "v"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Classify(ctx, r.ID, window, asOf); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, r.ID, asOf, nil); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// pushIn records that run runID pushed each transaction (of M1), as the push
// step does: the intent, the key, and the run's verdict pushed.
func pushIn(t *testing.T, db *store.DB, runID int64, ids ...string) {
	t.Helper()
	ctx := context.Background()
	var ps []store.PushRecord
	for _, id := range ids {
		p := push(id, "pushed", asOf)
		p.RunID = runID
		ps = append(ps, p)
	}
	if err := db.RecordPushes(ctx, nil, ps); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordPushes(ctx, ps, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyPushes(ctx, runID); err != nil {
		t.Fatal(err)
	}
}

// TestRunDiff: between two runs, a missed decline gets its order, a pending
// one settles, a good one breaks, a push is made; a third run confirms it.
func TestRunDiff(t *testing.T) {
	ctx := context.Background()
	d1, d2, d3 := row("D1", keyed), row("D2", keyed), row("D3", keyed)
	db := classify(t, scenario{rows: []tx{d1, d2, d3, row("T1", approved)},
		orders: []store.Order{order(d1, "F1", 4), order(d3, "F3", 7)}, unjudged: true})
	first := run(t, db)
	pullOrders(t, db, asOf, order(d1, "F1", 7), order(d2, "F2", 2),
		order(d3, "F3", 7, func(o *store.Order) { o.Amount = new(int64(999)) }))
	second := run(t, db)
	pushIn(t, db, second, "T1")
	third := run(t, db)

	prev, err := db.SameWindowRunBefore(ctx, second)
	if err != nil || prev != first {
		t.Fatalf("run before %d: got %d, %v; want %d", second, prev, err, first)
	}
	got, err := db.Diff(ctx, first, second, time.UTC, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Change{
		{"newly_broken", "M1", "D3", 1, "transmitted/recovered", "transmitted/recovered (amount_mismatch)", 1},
		{"newly_matched", "M1", "D2", 1, "transmitted/missed_evaluate", "transmitted/not_recovered", 2},
		{"newly_matched", "M1", "T1", 1, "untransmitted", "pushed", 2},
		{"pending_settled", "M1", "D1", 1, "transmitted/pending", "transmitted/recovered", 1},
		{"pushed", "M1", "T1", 1, "", "PK-T1", 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff of runs %d and %d (-want +got):\n%s", first, second, diff)
	}
	// A sample of one of each kind still counts its kind whole: the run
	// page's link asks for a sample of a night that may change millions.
	if got, err = db.Diff(ctx, first, second, time.UTC, 1); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(slices.Delete(want, 2, 3), got); diff != "" {
		t.Errorf("diff of runs %d and %d, one of each kind (-want +got):\n%s", first, second, diff)
	}
	got, err = db.Diff(ctx, second, third, time.UTC, 0)
	if err != nil {
		t.Fatal(err)
	}
	want = []store.Change{{"confirmed", "M1", "T1", 1, "pushed in run 2", "transmitted", 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff of runs %d and %d (-want +got):\n%s", second, third, diff)
	}
	// Confirmed once: the next diff has nothing new to say of run 2's push.
	fourth := run(t, db)
	if got, err = db.Diff(ctx, third, fourth, time.UTC, 0); err != nil || len(got) != 0 {
		t.Errorf("diff of runs %d and %d: %v, %v; want no change", third, fourth, got, err)
	}
}

// TestRunDiffConfirmsEveryPushHeld: a push the next run holds the key of is
// confirmed even when the transaction stays broken for another reason (a
// decline with no order, an order whose amount differs, as the demo's
// pushes were), so the confirmed add up to the pushed; the state after names
// what breaks it.
func TestRunDiffConfirmsEveryPushHeld(t *testing.T) {
	d1, d2, t1 := row("D1"), row("D2"), row("T1", approved)
	db := classify(t, scenario{rows: []tx{d1, d2, t1}, unjudged: true,
		orders: []store.Order{order(d2, "F2", 7, func(o *store.Order) { o.Amount = new(int64(999)) })}})
	first := run(t, db)
	pushIn(t, db, first, "D1", "D2", "T1")
	second := run(t, db)
	got, err := db.Diff(context.Background(), first, second, time.UTC, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Change{
		{"confirmed", "M1", "D1", 1, "pushed in run 1", "transmitted/missed_evaluate", 3},
		{"confirmed", "M1", "D2", 1, "pushed in run 1", "transmitted/recovered (amount_mismatch)", 3},
		{"confirmed", "M1", "T1", 1, "pushed in run 1", "transmitted", 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff of runs %d and %d (-want +got):\n%s", first, second, diff)
	}
}

// TestRunDiffConfirmsAPushTheLedgerCarries: a push a later export of the
// day confirms in its own fc_transmit_key column is confirmed, as one the
// push record alone holds is.
func TestRunDiffConfirmsAPushTheLedgerCarries(t *testing.T) {
	t1 := row("T1", approved)
	db := classify(t, scenario{rows: []tx{t1}, unjudged: true})
	first := run(t, db)
	pushIn(t, db, first, "T1")
	t1.key = "PK-T1"
	if _, err := loadFile(t, db, writeLedger(t, []tx{t1}, nil)); err != nil {
		t.Fatal(err)
	}
	second := run(t, db)
	got, err := db.Diff(context.Background(), first, second, time.UTC, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Change{{"confirmed", "M1", "T1", 1, "pushed in run 1", "transmitted", 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff of runs %d and %d (-want +got):\n%s", first, second, diff)
	}
}

// TestRunDiffListsEveryPushLost: a push whose key the later run does not
// hold (a correction's row carries the gateway's own key) is push_lost,
// naming both keys, whether the transaction was broken already (a lost
// rescue, which no other kind lists) or matched before and after.
func TestRunDiffListsEveryPushLost(t *testing.T) {
	d1, t1 := row("D1"), row("T1", approved)
	db := classify(t, scenario{rows: []tx{d1, t1}, unjudged: true})
	first := run(t, db)
	pushIn(t, db, first, "D1", "T1")
	if _, err := loadFile(t, db, writeLedger(t, []tx{row("D1", keyed), row("T1", approved, keyed)}, nil)); err != nil {
		t.Fatal(err)
	}
	second := run(t, db)
	got, err := db.Diff(context.Background(), first, second, time.UTC, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Change{
		{"push_lost", "M1", "D1", 1, "pushed in run 1 as PK-D1", "transmitted/missed_evaluate as K-D1", 2},
		{"push_lost", "M1", "T1", 1, "pushed in run 1 as PK-T1", "transmitted as K-T1", 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff of runs %d and %d (-want +got):\n%s", first, second, diff)
	}
}

// TestRunDiffSeesRowsComeAndGo: a correction of the day that adds a decline
// FlexCharge never saw and takes a transaction away shows both in the diff.
func TestRunDiffSeesRowsComeAndGo(t *testing.T) {
	ctx := context.Background()
	d1, t1, d9 := row("D1", keyed), row("T1", approved, keyed), row("D9", keyed)
	db := classify(t, scenario{rows: []tx{d1, t1}, orders: []store.Order{order(d1, "F1", 7)}, unjudged: true})
	first := run(t, db)
	if _, err := loadFile(t, db, writeLedger(t, []tx{d1, d9}, nil)); err != nil {
		t.Fatal(err)
	}
	second := run(t, db)
	got, err := db.Diff(ctx, first, second, time.UTC, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Change{
		{"newly_broken", "M1", "D9", 1, "", "transmitted/missed_evaluate", 1},
		{"removed", "M1", "T1", 1, "transmitted", "", 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff of runs %d and %d (-want +got):\n%s", first, second, diff)
	}
}

// adhocRun is an ad-hoc run of the scenarios' day, to record.
var adhocRun = store.Run{Kind: "adhoc", WindowFrom: day, WindowTo: day, AsOf: asOf, QueuedAt: asOf, ConfigHash: "h", Version: "v"}

// TestAbandonedRunEndsWhenLastSeen: a run a dead process left running is
// failed, ending when its last stage was seen at work, and says when it was
// found on the partner's clock with its offset.
func TestAbandonedRunEndsWhenLastSeen(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	r, err := db.StartRun(ctx, adhocRun)
	if err != nil {
		t.Fatal(err)
	}
	lastSeen := asOf.Add(3 * time.Minute)
	if err := db.StartStage(ctx, r.ID, "classify", lastSeen); err != nil {
		t.Fatal(err)
	}
	found := asOf.Add(5 * time.Hour)
	kolkata, err := time.LoadLocation("Asia/Kolkata") // half an hour off the hour
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AbandonRunning(ctx, found, kolkata); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetRun(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Found on the partner's clock, as the run page shows the rest of the run.
	want := "(found at 2026-11-24 13:00:00 +05:30)"
	if got.Status != "failed" || got.FinishedAt == nil || !got.FinishedAt.Equal(lastSeen) || !strings.HasSuffix(got.Error, want) {
		t.Errorf("abandoned run: status %q, finished %v, error %q; want failed, finished %v, the error ending %q",
			got.Status, got.FinishedAt, got.Error, lastSeen, want)
	}
}

// TestAbandonedQueuedRunNeverStarted: a run a dead process left queued is
// failed, saying it never started; it has no start, and ends when it was
// queued (last seen).
func TestAbandonedQueuedRunNeverStarted(t *testing.T) {
	ctx, db := context.Background(), MustOpenDB(t)
	r, err := db.QueueRun(ctx, adhocRun)
	if err == nil {
		err = db.AbandonRunning(ctx, asOf.Add(time.Hour), time.UTC)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.GetRun(ctx, r.ID); err != nil || got.Status != "failed" || !strings.Contains(got.Error, "stopped before it started") ||
		got.StartedAt != nil || got.FinishedAt == nil || !got.FinishedAt.Equal(asOf) {
		t.Errorf("abandoned queued run: %+v, %v; want failed, saying it never started, no start and ended %v", got, err, asOf)
	}
}

// TestNightlyDiffComparesTheDaysBothJudged: a night is compared with the
// night before, whose window overlaps it; the days only one of them judged
// are no change.
func TestNightlyDiffComparesTheDaysBothJudged(t *testing.T) {
	ctx := context.Background()
	d1 := row("D1", keyed)
	db := classify(t, scenario{rows: []tx{d1}, unjudged: true, extra: []string{
		"M1,O-E1,E1,2026-11-22T10:00:00Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-E1",
		"M1,O-F1,F1,2026-11-24T10:00:00Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-F1",
	}})
	night := func(first time.Time) int64 {
		last := first.AddDate(0, 0, 1)
		r, err := db.StartRun(ctx, store.Run{Kind: "nightly", WindowFrom: first, WindowTo: last, AsOf: asOf, QueuedAt: asOf, ConfigHash: "h", Version: "v"})
		if err != nil {
			t.Fatal(err)
		}
		w := store.Window{Start: first, End: last.AddDate(0, 0, 1), FirstDay: first, LastDay: last}
		if _, err := db.Classify(ctx, r.ID, w, asOf); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishRun(ctx, r.ID, asOf, nil); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	first := night(day.AddDate(0, 0, -1))
	pullOrders(t, db, asOf, order(d1, "F1", 7))
	second := night(day)
	if prev, err := db.SameWindowRunBefore(ctx, second); err != nil || prev != first {
		t.Fatalf("night before run %d: %d, %v; want run %d", second, prev, err, first)
	}
	got, err := db.Diff(ctx, first, second, time.UTC, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Change{
		{"newly_broken", "M1", "F1", 1, "", "transmitted/missed_evaluate", 1}, // the new day's news
		{"newly_matched", "M1", "D1", 1, "transmitted/missed_evaluate", "transmitted/recovered", 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff of nights %d and %d (-want +got):\n%s", first, second, diff)
	}
}

// TestDiffComparesTheMerchantsBothCovered: a run of one merchant compared
// with a run of all lists no other merchant's transactions as removed.
func TestDiffComparesTheMerchantsBothCovered(t *testing.T) {
	ctx := context.Background()
	d1, x1 := row("D1", keyed), row("X1", keyed, func(t *tx) { t.merchant = "M2" })
	db := classify(t, scenario{rows: []tx{d1, x1}, unjudged: true})
	scoped := func(merchant string) int64 {
		r, err := db.StartRun(ctx, store.Run{Kind: "adhoc", WindowFrom: day, WindowTo: day, AsOf: asOf, Merchant: merchant, QueuedAt: asOf, ConfigHash: "h", Version: "v"})
		if err != nil {
			t.Fatal(err)
		}
		w := window
		w.Merchant = merchant
		if _, err := db.Classify(ctx, r.ID, w, asOf); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	all := scoped("")
	pullOrders(t, db, asOf, order(d1, "F1", 7))
	m1 := scoped("M1")
	got, err := db.Diff(ctx, all, m1, time.UTC, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Change{{"newly_matched", "M1", "D1", 1, "transmitted/missed_evaluate", "transmitted/recovered", 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff of run %d (all merchants) and run %d (M1) (-want +got):\n%s", all, m1, diff)
	}
}
