package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/store"
)

// TestExplainMidWindowSwitch: explain shows which switch judged the morning
// and the afternoon MIT declines, and the verdicts they led to.
func TestExplainMidWindowSwitch(t *testing.T) {
	c := midWindowCase()
	db := classify(t, c.s)
	type judged struct{ Switch, Reason, Transmit, Outcome string }
	for id, want := range map[string]judged{
		"AM": {"off", "MIT paused", "not_expected", ""},
		"PM": {"production", "MIT live at noon", "untransmitted", "missed_evaluate"},
	} {
		e, err := db.Explain(context.Background(), store.ExplainQuery{TransactionID: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Ledger) != 1 || len(e.Results) != 1 || e.RunID != 1 {
			t.Fatalf("explain %s: %d ledger rows, %d results in run %d; want 1, 1, run 1", id, len(e.Ledger), len(e.Results), e.RunID)
		}
		var got judged
		for _, s := range e.Switches {
			if s.Won {
				got.Switch, got.Reason = s.State, s.Reason
			}
		}
		got.Transmit, got.Outcome = e.Results[0].TransmitState, e.Results[0].OutcomeState
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("explain %s (-want +got):\n%s", id, diff)
		}
	}
}

// TestExplainByOrder finds the ledger rows of a FlexCharge order and the
// order's findings.
func TestExplainByOrder(t *testing.T) {
	c := fieldCase("amount_mismatch", func(o *store.Order) { o.Amount = new(int64(1200)) })
	db := classify(t, c.s)
	e, err := db.Explain(context.Background(), store.ExplainQuery{OrderID: "F1"})
	if err != nil {
		t.Fatal(err)
	}
	got := []int{len(e.Ledger), len(e.Orders), len(e.Results), len(e.Findings)}
	if diff := cmp.Diff([]int{1, 1, 1, 1}, got); diff != "" {
		t.Fatalf("ledger rows, orders, results, findings of order F1 (-want +got):\n%s", diff)
	}
	f := e.Findings[0]
	if f.Category != "amount_mismatch" || f.LedgerValue != "10.00" || f.FCValue != "12.00" {
		t.Errorf("finding of order F1: got %+v, want amount_mismatch 10.00 vs 12.00 (1000 and 1200 cents)", f)
	}
}

// TestExplainJudgesByTheRunsSwitches: a switch recorded after a run
// classified does not show as the one that judged its rows.
func TestExplainJudgesByTheRunsSwitches(t *testing.T) {
	db := classify(t, midWindowCase().s)
	ctx := context.Background()
	if err := db.StartStage(ctx, 1, "classify", time.Now().Add(-time.Minute).UTC()); err != nil {
		t.Fatal(err)
	}
	later := store.Switch{MerchantID: "M1", Profile: "mit", Scope: "merchant", State: "production", EffectiveAt: day.Add(time.Hour),
		Actor: "ops", Reason: "on after the run", RecordedAt: time.Now().UTC(), Origin: "cli"}
	if _, err := db.RecordSwitch(ctx, later); err != nil {
		t.Fatal(err)
	}
	e, err := db.Explain(ctx, store.ExplainQuery{TransactionID: "AM", RunID: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range e.Switches {
		if s.Won && s.Reason != "MIT paused" {
			t.Errorf("explain AM of run 1: switch %q won, want the run's own (MIT paused)", s.Reason)
		}
	}
}

// TestExplainDefaultsToThePublishedRun: with no run named, explain shows the
// latest run that succeeded, not a later dry or failed one whose verdicts
// nobody was given.
func TestExplainDefaultsToThePublishedRun(t *testing.T) {
	s := midWindowCase().s
	s.unjudged = true
	db := classify(t, s)
	ctx := context.Background()
	finish := func(dry bool, err error) int64 {
		r, startErr := db.StartRun(ctx, store.Run{Kind: "adhoc", WindowFrom: day, WindowTo: day, AsOf: asOf,
			DryRun: dry, QueuedAt: time.Now().UTC(), ConfigHash: "h", Version: "test"})
		if startErr != nil {
			t.Fatal(startErr)
		}
		if _, cerr := db.Classify(ctx, r.ID, window, asOf); cerr != nil {
			t.Fatal(cerr)
		}
		if ferr := db.FinishRun(ctx, r.ID, time.Now().UTC(), err); ferr != nil {
			t.Fatal(ferr)
		}
		return r.ID
	}
	published := finish(false, nil)
	finish(true, nil)
	failed := finish(false, errors.New("tie-out failed"))
	for _, tt := range []struct {
		run, want int64
	}{{0, published}, {failed, failed}} {
		e, err := db.Explain(ctx, store.ExplainQuery{TransactionID: "PM", RunID: tt.run})
		if err != nil {
			t.Fatal(err)
		}
		if e.RunID != tt.want {
			t.Errorf("explain PM, run %d asked: explained run %d, want %d", tt.run, e.RunID, tt.want)
		}
	}
}

// TestExplainGivesTheRunsPushError: a push the run decided against without a
// call (no credentials) leaves the row untransmitted, and explain has the
// reason the run recorded.
func TestExplainGivesTheRunsPushError(t *testing.T) {
	db := classify(t, scenario{rows: []tx{row("T1", approved)}})
	p := push("T1", "failed", at("10:30"))
	p.RunID, p.Local, p.Error = 1, true, "no production credentials or endpoint for merchant M1"
	ctx := context.Background()
	if err := db.RecordPushes(ctx, []store.PushRecord{p}, nil); err != nil {
		t.Fatal(err)
	}
	if r := appliedAndExplained(t, db); r.TransmitState != "untransmitted" || r.RunPush != "failed" || r.RunPushError != p.Error {
		t.Errorf("T1: %s, run's push %q %q; want untransmitted, failed, %q", r.TransmitState, r.RunPush, r.RunPushError, p.Error)
	}
}

// TestExplainGivesAFailedPushInDoubt: a push that lost an answer and then
// failed (retryable) is in doubt, which no run retries; explain has both, so
// it can say why the next run will not send it.
func TestExplainGivesAFailedPushInDoubt(t *testing.T) {
	db := classify(t, scenario{rows: []tx{row("T1", approved)}})
	p := push("T1", "failed", at("10:30"))
	p.RunID, p.InDoubt, p.Retryable, p.Error = 1, true, true, "503 service unavailable"
	intent := p
	intent.Outcome, intent.Error, intent.InDoubt, intent.Retryable = "", "", false, false
	ctx := context.Background()
	if err := db.RecordPushes(ctx, nil, []store.PushRecord{intent}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordPushes(ctx, []store.PushRecord{p}, nil); err != nil {
		t.Fatal(err)
	}
	if r := appliedAndExplained(t, db); r.TransmitState != "push_failed" || !r.PushInDoubt || !r.PushRetryable {
		t.Errorf("T1: %s, push in doubt %v, retryable %v; want push_failed, true, true", r.TransmitState, r.PushInDoubt, r.PushRetryable)
	}
}

// orphanCase has a decline with its order, and an order no decline claims:
// FX, for merchant order O-X1 and attempt X1, which the ledger lacks.
func orphanCase() scenario {
	return scenario{rows: []tx{row("D1")}, orders: []store.Order{order(row("D1"), "F1", 7), order(row("X1"), "FX", 7)}}
}

// TestExplainOrphanOrder: an orphan order is found by the ids the Exceptions
// sheet shows for it (its merchant order id and the attempt it names) as by
// its FlexCharge id, and with no run named, explain shows the run that
// found it an orphan, and that finding.
func TestExplainOrphanOrder(t *testing.T) {
	db := classify(t, orphanCase())
	for _, q := range []store.ExplainQuery{{OrderID: "O-X1"}, {TransactionID: "X1"}, {OrderID: "FX"}} {
		e, err := db.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		type explained struct {
			Run            int64
			Ledger         int
			Orders         []string
			Findings       []string
			OrderMerchants []string
		}
		got := explained{Run: e.RunID, Ledger: len(e.Ledger)}
		for _, o := range e.Orders {
			got.Orders, got.OrderMerchants = append(got.Orders, o.ID), append(got.OrderMerchants, o.Merchant)
		}
		for _, f := range e.Findings {
			got.Findings = append(got.Findings, f.Category+" "+f.FCOrderID)
		}
		want := explained{Run: 1, Orders: []string{"FX"}, Findings: []string{"orphan_order FX"}, OrderMerchants: []string{"M1"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("explain %+v (-want +got):\n%s", q, diff)
		}
	}
}

// TestExplainUndatedOrphanOrder: an order FlexCharge gave no date, naming
// an attempt the ledger lacks, is an orphan though a decline of its order
// id is in the run; that decline is not too far in time from it (an undated
// order has no rule of time: mayPair read its year-1 date as 2,000 years
// before the decline), and the order is known to be undated.
func TestExplainUndatedOrphanOrder(t *testing.T) {
	undated := func(o *store.Order) { o.TransactionID, o.PlacedAt, o.CreatedOn = "X9", time.Time{}, time.Time{} }
	db := classify(t, scenario{rows: []tx{row("D1")}, orders: []store.Order{order(row("D1"), "FU", 7, undated)}})
	e, err := db.Explain(context.Background(), store.ExplainQuery{OrderID: "FU"})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Findings) != 1 || e.Findings[0].Category != "orphan_order" || len(e.OrphanDeclines) != 1 {
		t.Fatalf("explain FU: findings %+v, declines %+v; want its orphan_order and D1", e.Findings, e.OrphanDeclines)
	}
	if d := e.OrphanDeclines[0]; d.TooFar || !d.Undated {
		t.Errorf("explain FU's decline D1: too far %v, undated %v; want false, true", d.TooFar, d.Undated)
	}
}

// TestExplainOrphanOrderSwitches: the switches of an orphan order are those
// of its mid's merchant and its profile when it was made, its site known by
// its FlexCharge siteId: cit_web in sandbox on the site from 09:00 wins over
// the merchant's production; the MIT switch is not the order's.
func TestExplainOrphanOrderSwitches(t *testing.T) {
	s := orphanCase()
	s.registry = registryM1(store.Switch{Profile: "cit_web", Scope: "site", ScopeValue: siteURL, State: "sandbox",
		EffectiveAt: at("09:00"), Actor: "ops", Reason: "site in test", Origin: "config"})
	s.orders[1].SiteURL, s.orders[1].Descriptor = "", ""
	db := classify(t, s)
	e, err := db.Explain(context.Background(), store.ExplainQuery{OrderID: "O-X1"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sw := range e.Switches {
		got = append(got, fmt.Sprintf("%s %s %s %s %s won=%t", sw.FCOrderID, sw.ProcessedAt.Format(time.TimeOnly), sw.Profile, sw.Scope, sw.State, sw.Won))
	}
	want := []string{"FX 10:01:00 cit_web site sandbox won=true", "FX 10:01:00 cit_web merchant production won=false"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("switches of orphan FX (-want +got):\n%s", diff)
	}
	// F1 names D1, and D1's verdict holds it: D1's switches judged both.
	if e, err = db.Explain(context.Background(), store.ExplainQuery{TransactionID: "D1"}); err != nil {
		t.Fatal(err)
	}
	for _, sw := range e.Switches {
		if sw.FCOrderID != "" {
			t.Errorf("explain D1: a switch line for order %s, which D1's verdict holds", sw.FCOrderID)
		}
	}
}

// TestExplainOrphanOrderSiteWithoutSiteID: an orphan order that gives no
// siteId is of the site its URL names, not of any site registered without
// a siteId: its site's sandbox switch won.
func TestExplainOrphanOrderSiteWithoutSiteID(t *testing.T) {
	const two = "https://two.example"
	s := orphanCase()
	s.registry = registryM1(store.Switch{Profile: "cit_web", Scope: "site", ScopeValue: two, State: "sandbox",
		EffectiveAt: at("09:00"), Actor: "ops", Reason: "site two in test", Origin: "config"})
	s.registry[0].Sites[0].SiteIDProd = ""
	s.registry[0].Sites = append(s.registry[0].Sites, store.Site{URL: two, Descriptor: "TWO*SHOP"})
	s.orders[1].SiteID, s.orders[1].SiteURL, s.orders[1].Descriptor = "", two, "TWO*SHOP"
	db := classify(t, s)
	e, err := db.Explain(context.Background(), store.ExplainQuery{OrderID: "FX"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sw := range e.Switches {
		got = append(got, fmt.Sprintf("%s %s %s %s won=%t", sw.RegSiteURL, sw.Scope, sw.ScopeValue, sw.State, sw.Won))
	}
	want := []string{two + " site " + two + " sandbox won=true", two + " merchant  production won=false"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("switches of orphan FX (-want +got):\n%s", diff)
	}
}

// TestExplainWhyAnOrphan: an order no decline claimed although its merchant
// order has declines lists them with what kept each from claiming it: one
// processed over an hour after the order was made, which names another
// attempt; one the day before, outside the run's window and over an hour
// before the order was made. Asked by the
// attempt the order names, which the ledger lacks, explain shows the
// order's merchant order's rows.
func TestExplainWhyAnOrphan(t *testing.T) {
	late, before := row("D1", func(t *tx) { t.at = "14:00" }), row("D0")
	orphan := func(d tx) store.Order {
		return order(d, "FX", 7, func(o *store.Order) { o.TransactionID, o.PlacedAt, o.CreatedOn = "X1", at("10:00"), at("10:00") })
	}
	for _, tt := range []struct {
		name   string
		s      scenario
		q      store.ExplainQuery
		want   string
		ledger []string
	}{
		{"a decline three hours later", scenario{rows: []tx{late}, orders: []store.Order{orphan(late)}},
			store.ExplainQuery{OrderID: "O-D1"}, "D1 declined names=false in_run=true last=1 too_far=true", []string{"D1"}},
		{"asked by the attempt the order names", scenario{rows: []tx{late}, orders: []store.Order{orphan(late)}},
			store.ExplainQuery{TransactionID: "X1"}, "D1 declined names=false in_run=true last=1 too_far=true", []string{"D1"}},
		{"asked by a decline beside it", scenario{rows: []tx{late}, orders: []store.Order{orphan(late)}},
			store.ExplainQuery{TransactionID: "D1"}, "D1 declined names=false in_run=true last=1 too_far=true", []string{"D1"}},
		{"a decline the day before", scenario{rows: []tx{row("D2")}, orders: []store.Order{orphan(before)},
			extra: []string{"M1,O-D0,D0,2026-11-22T21:00:00Z,10.00,USD,declined,CIT,web,https://one.example,ONE*SHOP,,production,K-D0"}},
			store.ExplainQuery{OrderID: "FX"}, "D0 declined names=false in_run=false last=0 too_far=true", []string{"D0"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := classify(t, tt.s).Explain(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var ledger, declines, findings []string
			for _, l := range e.Ledger {
				ledger = append(ledger, l.TransactionID)
			}
			for _, d := range e.OrphanDeclines {
				declines = append(declines, fmt.Sprintf("%s %s names=%t in_run=%t last=%d too_far=%t",
					d.TransactionID, d.Status, d.NamesAttempt, d.InRun, d.LastRun, d.TooFar))
			}
			for _, f := range e.Findings {
				if f.Category == "orphan_order" {
					findings = append(findings, f.FCOrderID)
				}
			}
			if diff := cmp.Diff(tt.ledger, ledger); diff != "" {
				t.Errorf("explain %+v: ledger rows (-want +got):\n%s", tt.q, diff)
			}
			if diff := cmp.Diff([]string{"FX"}, findings); diff != "" {
				t.Errorf("explain %+v: orphan findings (-want +got):\n%s", tt.q, diff)
			}
			if diff := cmp.Diff([]string{tt.want}, declines); diff != "" {
				t.Errorf("explain %+v: the declines of orphan FX (-want +got):\n%s", tt.q, diff)
			}
		})
	}
}

// TestExplainDeclineShowsItsDoubleChargeRisk: the risk is the approved
// retry's finding (field rescue), and explaining the decline, or its
// FlexCharge order, shows it, though the retry is not among the rows
// explained. It is found by the decline the finding records (its ledger
// value), not by its detail's wording: reworded here, it is found still.
func TestExplainDeclineShowsItsDoubleChargeRisk(t *testing.T) {
	d := func(id string, mods ...func(*tx)) tx { return row(id, append([]func(*tx){keyed}, mods...)...) }
	retry := d("A1", approved, func(t *tx) { t.order, t.at = "O-D1", "12:00" })
	db := classify(t, scenario{rows: []tx{d("D1"), retry, d("D2")},
		orders: []store.Order{order(d("D1"), "F1", 7, func(o *store.Order) { o.TransactionID = "" }), order(d("D2"), "F2", 7)}})
	dump(t, db, "UPDATE findings SET detail = 'charged twice: rescued, then the retry approved' WHERE category = 'double_charge_risk'")
	for _, q := range []store.ExplainQuery{{TransactionID: "D1"}, {OrderID: "F1"}, {OrderID: "O-D1"}} {
		e, err := db.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range e.Findings {
			got = append(got, f.Category+" on "+f.TransactionID+" order "+f.FCOrderID)
		}
		if diff := cmp.Diff([]string{"double_charge_risk on A1 order F1"}, got); diff != "" {
			t.Errorf("explain %+v: findings (-want +got):\n%s", q, diff)
		}
	}
}

// TestExplainDeclineShowsTheRiskOfAnyOfItsOrders: the risk names the least
// completed order of the decline's pairs, F1 here, while the decline's
// primary order is F2 (the latest): explaining the decline shows it still.
func TestExplainDeclineShowsTheRiskOfAnyOfItsOrders(t *testing.T) {
	d := func(id string, mods ...func(*tx)) tx { return row(id, append([]func(*tx){keyed}, mods...)...) }
	unnamed := func(o *store.Order) { o.TransactionID = "" }
	db := classify(t, scenario{rows: []tx{d("D1"), d("A1", approved, func(t *tx) { t.order, t.at = "O-D1", "12:00" })},
		orders: []store.Order{order(d("D1"), "F1", 7, unnamed),
			order(d("D1"), "F2", 7, unnamed, func(o *store.Order) { o.CreatedOn = o.CreatedOn.Add(5 * time.Minute) })}})
	if got := dump(t, db, "SELECT fc_order_id FROM results WHERE transaction_id = 'D1'"); !cmp.Equal(got, [][]string{{"F2"}}) {
		t.Fatalf("D1's primary order: got %v, want F2 (the scenario needs a primary that is not the least key)", got)
	}
	e, err := db.Explain(context.Background(), store.ExplainQuery{TransactionID: "D1"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range e.Findings {
		got = append(got, f.Category+" on "+f.TransactionID+" order "+f.FCOrderID)
	}
	if diff := cmp.Diff([]string{"double_charge_risk on A1 order F1", "duplicate_evaluate on D1 order F2"}, got); diff != "" {
		t.Errorf("explain D1 (orders F2 primary, F1 the risk's): findings (-want +got):\n%s", diff)
	}
}

// TestExplainDeclineShowsNoRiskOfAnotherDecline: a merchant order id reused
// (a rebill) has a decline per attempt, each with its own orders. D1's
// order F1 was completed and A1 approved after it: the risk is D1's alone.
// D2, declined later on the same order id and rescued by F2 with no retry
// after, shows none, though F1 carries its order id.
func TestExplainDeclineShowsNoRiskOfAnotherDecline(t *testing.T) {
	d := func(id, at string, mods ...func(*tx)) tx {
		return row(id, append([]func(*tx){keyed, func(t *tx) { t.order, t.at = "O-R", at }}, mods...)...)
	}
	d1, d2 := d("D1", "08:00"), d("D2", "12:00")
	db := classify(t, scenario{rows: []tx{d1, d("A1", "09:00", approved), d2},
		orders: []store.Order{order(d1, "F1", 7), order(d2, "F2", 7)}})
	for q, want := range map[string][]string{"D1": {"double_charge_risk on A1 order F1"}, "D2": nil} {
		e, err := db.Explain(context.Background(), store.ExplainQuery{TransactionID: q})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range e.Findings {
			got = append(got, f.Category+" on "+f.TransactionID+" order "+f.FCOrderID)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("explain %s: findings (-want +got):\n%s", q, diff)
		}
	}
}

// appliedAndExplained is T1 as explain gives it in run 1, the pushes
// recorded applied.
func appliedAndExplained(t *testing.T, db *store.DB) store.ExplainedResult {
	t.Helper()
	if err := db.ApplyPushes(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	e, err := db.Explain(t.Context(), store.ExplainQuery{TransactionID: "T1", RunID: 1})
	if err != nil {
		t.Fatal(err)
	}
	return e.Results[0]
}

// TestExplainRefusesARunNeverMade: a run asked for that has neither a
// record nor verdicts is refused, naming it; it explained "Verdicts of run
// 999:" over nothing. A run with verdicts (run 1, whose record the
// scenario never made) and one recorded before judging anything are
// explained.
func TestExplainRefusesARunNeverMade(t *testing.T) {
	c := midWindowCase()
	db := classify(t, c.s)
	ctx := context.Background()
	recorded, err := db.StartRun(ctx, adhocRun)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{1, recorded.ID} {
		if _, err := db.Explain(ctx, store.ExplainQuery{TransactionID: "AM", RunID: id}); err != nil {
			t.Errorf("explain AM in run %d: %v, want it explained", id, err)
		}
	}
	_, err = db.Explain(ctx, store.ExplainQuery{TransactionID: "AM", RunID: 999})
	if want := "no run 999: it has neither a record nor verdicts"; !errors.Is(err, store.ErrNoRun) || err.Error() != want {
		t.Errorf("explain AM in run 999: %v, want %q", err, want)
	}
}
