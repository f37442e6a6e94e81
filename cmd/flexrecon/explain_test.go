package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// TestExplainSaysWhichSwitchJudged: with MIT off in the morning and in
// production from noon, the text names the switch that won for each decline
// and why each was judged as it was.
func TestExplainSaysWhichSwitchJudged(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	off := store.SwitchInForce{TransactionID: "AM", Occurrence: 1, ProcessedAt: day.Add(9 * time.Hour), ID: 3,
		Profile: "mit", Scope: "merchant", State: "off", EffectiveAt: day, Actor: "ops", Reason: "MIT paused", Won: true}
	on := off
	on.TransactionID, on.ProcessedAt, on.ID, on.State, on.EffectiveAt, on.Reason = "PM", day.Add(15*time.Hour), 4, "production", day.Add(12*time.Hour), "MIT live at noon"
	e := store.Explanation{RunID: 1, Switches: []store.SwitchInForce{off, on}, Results: []store.ExplainedResult{
		{TransactionID: "AM", Occurrence: 1, Status: "declined", Profile: "mit", SwitchState: "off", SwitchID: 3, TransmitState: "not_expected"},
		{TransactionID: "PM", Occurrence: 1, Status: "declined", Profile: "mit", SwitchState: "production", SwitchID: 4,
			TransmitState: "untransmitted", OutcomeState: "missed_evaluate"},
	}}
	var buf bytes.Buffer
	writeExplanation(&buf, e, time.UTC)
	for _, want := range []string{
		"won AM #1 processed 2026-11-23 09:00:00 +00:00: switch #3 merchant mit → off, effective 2026-11-23 00:00:00 +00:00, by ops",
		"won PM #1 processed 2026-11-23 15:00:00 +00:00: switch #4 merchant mit → production, effective 2026-11-23 12:00:00 +00:00",
		"transmit not_expected: the mit switch in force (#3) was off",
		"no outcome: the mit switch in force (#3) was off, so FlexCharge was not meant to rescue it",
		"outcome missed_evaluate: declined while mit was production (switch #4), and no FlexCharge order is its evaluation",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("explanation lacks %q; got:\n%s", want, buf.String())
		}
	}
}

// TestExplainMissedEvaluateBesideOtherOrders: a lost rescue whose order id
// has FlexCharge orders (another attempt's, or last month's of a reused id)
// says why they are not its.
func TestExplainMissedEvaluateBesideOtherOrders(t *testing.T) {
	r := store.ExplainedResult{Status: "declined", Profile: "mit", SwitchState: "production", SwitchID: 4, OutcomeState: "missed_evaluate"}
	if got := whyOutcome(r, 0); strings.Contains(got, "orders listed") {
		t.Errorf("no orders listed: got %q", got)
	}
	if got := whyOutcome(r, 1); !strings.Contains(got, "never the evaluation of a decline over an hour after it, nor of one over an hour before it unless it names that attempt") {
		t.Errorf("an order listed: got %q", got)
	}
}

// TestExplainMissedEvaluateInTheOtherEnvironment: a production lost rescue
// whose order is a sandbox one names it and says why it rescued nothing.
func TestExplainMissedEvaluateInTheOtherEnvironment(t *testing.T) {
	r := store.ExplainedResult{Status: "declined", Profile: "cit_web", SwitchState: "production", SwitchID: 1,
		OutcomeState: "missed_evaluate", FCOrderID: "F1", FCStatus: 7}
	if got := whyOutcome(r, 1); !strings.Contains(got, "order F1 is a sandbox one") || strings.Contains(got, "no order for it") {
		t.Errorf("got %q", got)
	}
}

// TestExplainUntransmittedSaysWhatTheRunDid: an untransmitted transaction
// the run found too old is reported as such, not as about to be pushed.
func TestExplainUntransmittedSaysWhatTheRunDid(t *testing.T) {
	r := store.ExplainedResult{TransmitState: "untransmitted", Profile: "cit_web", SwitchID: 1, SwitchState: "production",
		Environment: "production", MID: "P1", Occurrence: 1}
	for push, want := range map[string]string{"": "to be pushed", "too_old": "too old to push without --backfill", "would_push": "a dry run"} {
		r.RunPush = push
		if got := whyTransmit(r, time.UTC); !strings.Contains(got, want) {
			t.Errorf("run's push %q: got %q, want it to say %q", push, got, want)
		}
	}
}

// TestExplainRefundNotExpected: a refund under a live switch is not expected
// because it is no payment attempt, not because of its switch.
func TestExplainRefundNotExpected(t *testing.T) {
	r := store.ExplainedResult{Status: "refunded", Profile: "cit_web", SwitchID: 1, SwitchState: "production", TransmitState: "not_expected"}
	if got := whyTransmit(r, time.UTC); !strings.Contains(got, "a refunded row is no payment attempt") {
		t.Errorf("got %q, want it to say a refund is no payment attempt", got)
	}
}

// TestExplainTestTrafficNotExpected: a sandbox row under a production
// switch is not expected because it is test traffic, not because it is no
// payment attempt.
func TestExplainTestTrafficNotExpected(t *testing.T) {
	r := store.ExplainedResult{Status: "approved", Profile: "cit_web", SwitchID: 1, SwitchState: "production", Environment: "sandbox", TransmitState: "not_expected"}
	if got := whyTransmit(r, time.UTC); !strings.Contains(got, "test traffic") || strings.Contains(got, "no payment attempt") {
		t.Errorf("got %q, want it to say test traffic is pushed nowhere", got)
	}
}

// TestExplainUntransmittedThatCannotBePushed: a row without a mid, a
// repeat, or one whose push got no answer (in doubt) is not one the push
// takes, and the text says why instead of "to be pushed".
func TestExplainUntransmittedThatCannotBePushed(t *testing.T) {
	r := store.ExplainedResult{TransmitState: "untransmitted", Profile: "cit_web", SwitchID: 1, SwitchState: "sandbox", Environment: "sandbox", Occurrence: 1}
	if got := whyTransmit(r, time.UTC); !strings.Contains(got, "no sandbox mid is registered for its merchant") {
		t.Errorf("without a mid: got %q", got)
	}
	r.MID, r.Occurrence = "S1", 2
	if got := whyTransmit(r, time.UTC); !strings.Contains(got, "only its first occurrence is pushed") {
		t.Errorf("a repeat: got %q", got)
	}
	r.Occurrence, r.PushState = 1, "intent" // a push that got no answer: in doubt, not sent again
	if got := whyTransmit(r, time.UTC); !strings.Contains(got, "no run sends it again on its own") || !strings.Contains(got, "--resend-in-doubt") {
		t.Errorf("a push that got no answer: got %q", got)
	}
}

// TestExplainFailedPushInDoubt: a push that failed after a lost answer is
// not retried by the next run as other retryable failures are (FlexCharge
// may hold it); explain said only that it failed, which reads as one the
// next run sends, and its push_in_doubt finding is only its first run's.
func TestExplainFailedPushInDoubt(t *testing.T) {
	r := store.ExplainedResult{TransmitState: "push_failed", PushState: "failed", PushError: "503", PushInDoubt: true, PushRetryable: true}
	if got := whyTransmit(r, time.UTC); !strings.Contains(got, "no run sends it again on its own") || !strings.Contains(got, "--resend-in-doubt") {
		t.Errorf("a retryable failure in doubt: got %q", got)
	}
	r.PushRetryable = false
	if got := whyTransmit(r, time.UTC); !strings.Contains(got, "it is not sent again") || strings.Contains(got, "--resend-in-doubt") {
		t.Errorf("a refusal in doubt: got %q", got)
	}
	r.PushInDoubt, r.PushRetryable = false, true
	if got := whyTransmit(r, time.UTC); strings.Contains(got, "in doubt") {
		t.Errorf("a retryable failure not in doubt: got %q", got)
	}
}

// TestExplainSaysWhatFlexChargeDidNotGive: an order without an amount or
// isMIT reads as unknown, not as 0.00 or a CIT order.
func TestExplainSaysWhatFlexChargeDidNotGive(t *testing.T) {
	var buf bytes.Buffer
	writeOrders(&buf, []store.ExplainedOrder{{Environment: "production", ID: "F1", StatusName: "COMPLETED", Status: 7}}, time.UTC)
	for _, want := range []string{"amount unknown", "mit=unknown"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("orders lack %q; got:\n%s", want, buf.String())
		}
	}
}

// TestExplainWithoutASwitch: a profile no switch was recorded for is off by
// default, and the text says so instead of naming a switch #0.
func TestExplainWithoutASwitch(t *testing.T) {
	r := store.ExplainedResult{Status: "declined", Profile: "cit_callcenter", SwitchState: "off", TransmitState: "not_expected"}
	for _, got := range []string{whyTransmit(r, time.UTC), whyNoOutcome(r)} {
		if strings.Contains(got, "#0") || !strings.Contains(got, "no cit_callcenter switch was recorded") {
			t.Errorf("got %q, want it to say no switch was recorded", got)
		}
	}
}

// TestExplainUntransmittedAfterAFailedPush: a push the run could not make
// (no credentials) is given with its reason.
func TestExplainUntransmittedAfterAFailedPush(t *testing.T) {
	r := store.ExplainedResult{TransmitState: "untransmitted", Profile: "cit_web", SwitchID: 1, SwitchState: "sandbox",
		RunPush: "failed", RunPushError: "no sandbox credentials for merchant M1"}
	if got := whyTransmit(r, time.UTC); !strings.HasSuffix(got, "the run could not push it: no sandbox credentials for merchant M1") {
		t.Errorf("got %q, want the push's reason", got)
	}
}

// TestExplainLateLedgerKey: a ledger row's key that a transmit log shows
// sent late is explained by the log's time, not as a push.
func TestExplainLateLedgerKey(t *testing.T) {
	logged := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	r := store.ExplainedResult{TransmitState: "transmitted_late", KeySource: "ledger", TransmitKey: "K-T2", LoggedAt: &logged}
	if got := whyTransmit(r, time.UTC); !strings.Contains(got, "the ledger row carries its key K-T2, which a transmit log says was transmitted at 2026-11-24 12:00:00 +00:00") {
		t.Errorf("got %q", got)
	}
}

// TestExplainOrderSwitch: a switch shown for an order names the order and
// when it was made, not an empty transaction.
func TestExplainOrderSwitch(t *testing.T) {
	made := time.Date(2026, 11, 24, 12, 18, 26, 0, time.UTC)
	var buf bytes.Buffer
	writeSwitches(&buf, []store.SwitchInForce{{FCOrderID: "F1", ProcessedAt: made, ID: 1, Profile: "cit_web", Scope: "merchant",
		State: "production", EffectiveAt: made.AddDate(0, -3, 0), Actor: "config", Origin: "config", Reason: "go-live", Won: true}}, time.UTC)
	if want := "won order F1 created 2026-11-24 12:18:26 +00:00: switch #1 merchant cit_web → production"; !strings.Contains(buf.String(), want) {
		t.Errorf("switches lack %q; got:\n%s", want, buf.String())
	}
}

// TestExplainWhyAnOrphan: an orphan order's finding says why no decline
// claimed it: none of its merchant order in the ledger, a mid no merchant
// has, or each decline of its order id with the rule that kept it out.
func TestExplainWhyAnOrphan(t *testing.T) {
	made := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	f := store.ExplainedFinding{Category: "orphan_order", TransactionID: "X1", FCOrderID: "FX", FCValue: "production"}
	fx := store.ExplainedOrder{Environment: "production", ID: "FX", ExternalOrderID: "O1", MID: "P1", Merchant: "M1", TransactionID: "X1", CreatedOn: made}
	run := &store.Run{ID: 1, WindowFrom: made.Truncate(24 * time.Hour), WindowTo: made.Truncate(24 * time.Hour)}
	late := store.OrphanDecline{FCOrderID: "FX", OrderCreatedOn: made, OrderTransactionID: "X1", TransactionID: "D1", Occurrence: 1,
		Status: "declined", ProcessedAt: made.Add(3*time.Hour + 12*time.Minute), InRun: true, LastRun: 1, TooFar: true}
	before := store.OrphanDecline{FCOrderID: "FX", OrderCreatedOn: made, OrderTransactionID: "X1", TransactionID: "D0", Occurrence: 1,
		Status: "declined", ProcessedAt: made.Add(-13 * time.Hour), TooFar: true}
	changed := store.OrphanDecline{FCOrderID: "FX", OrderCreatedOn: made, OrderTransactionID: "X1", TransactionID: "D2", Occurrence: 1,
		Status: "declined", ProcessedAt: made.Add(-10 * time.Minute)}
	unregistered := fx
	unregistered.Merchant = ""
	for _, tt := range []struct {
		name     string
		order    store.ExplainedOrder
		declines []store.OrphanDecline
		want     string
	}{
		{"no ledger row", fx, nil, "an orphan because the ledger has no row of merchant M1 with order id O1, so no decline could claim it"},
		{"a mid no merchant has", unregistered, nil, "its production mid P1 is registered for no merchant"},
		{"a decline too late", fx, []store.OrphanDecline{late},
			"D1 #1 (declined 2026-11-24 13:12:00 +00:00) was processed 3h12m after the order was made, and the order names another attempt (X1)"},
		{"a decline too early", fx, []store.OrphanDecline{before},
			"D0 #1 (declined 2026-11-23 21:00:00 +00:00) was processed 13h before the order was made, and the order names another attempt (X1)"},
		{"a decline that would claim it now", fx, []store.OrphanDecline{changed},
			"D2 #1 (declined 2026-11-24 09:50:00 +00:00) would claim it by the rules: the order, the ledger or the registry has changed since run 1 judged them"},
	} {
		e := store.Explanation{RunID: 1, Run: run, Orders: []store.ExplainedOrder{tt.order}, Findings: []store.ExplainedFinding{f}, OrphanDeclines: tt.declines}
		var buf bytes.Buffer
		writeVerdicts(&buf, e, time.UTC)
		if !strings.Contains(buf.String(), tt.want) {
			t.Errorf("%s: the verdicts lack %q; got:\n%s", tt.name, tt.want, buf.String())
		}
	}
}

// TestExplainUndatedOrphan: an order FlexCharge gave no date is an orphan
// of every run while no decline is the attempt it names (fbf94cb); explain
// said its decline "was processed 106751 days after the order was made"
// (the year-1 zero time, Sub saturated), and showed it created in year 1.
func TestExplainUndatedOrphan(t *testing.T) {
	processed := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	f := store.ExplainedFinding{Category: "orphan_order", TransactionID: "X1", FCOrderID: "FX", FCValue: "production"}
	fx := store.ExplainedOrder{Environment: "production", ID: "FX", ExternalOrderID: "O1", MID: "P1", Merchant: "M1", TransactionID: "X1"}
	d := store.OrphanDecline{FCOrderID: "FX", OrderTransactionID: "X1", TransactionID: "D1", Occurrence: 1,
		Status: "declined", ProcessedAt: processed, InRun: true, LastRun: 1, Undated: true}
	e := store.Explanation{RunID: 1, Orders: []store.ExplainedOrder{fx}, Findings: []store.ExplainedFinding{f}, OrphanDeclines: []store.OrphanDecline{d}}
	var buf bytes.Buffer
	writeVerdicts(&buf, e, time.UTC)
	writeOrders(&buf, e.Orders, time.UTC)
	got := buf.String()
	for _, want := range []string{"D1 #1 (declined 2026-11-24 10:00:00 +00:00) is not the attempt the order names (X1): an order FlexCharge gave no date", "created unknown"} {
		if !strings.Contains(got, want) {
			t.Errorf("explain of an undated orphan lacks %q; got:\n%s", want, got)
		}
	}
	if strings.Contains(got, "days after") || strings.Contains(got, "0001-01-01") {
		t.Errorf("explain of an undated orphan reads its missing date as year 1:\n%s", got)
	}
}

// TestExplainOrphanNamingItsTooLateAttempt: an order made over an hour
// before the decline it names is that decline's orphan, and explain says
// the order names this very attempt, not another.
func TestExplainOrphanNamingItsTooLateAttempt(t *testing.T) {
	made := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	d := store.OrphanDecline{FCOrderID: "FX", OrderCreatedOn: made, OrderTransactionID: "D1", TransactionID: "D1", Occurrence: 1,
		Status: "declined", ProcessedAt: made.Add(3*time.Hour + 12*time.Minute), NamesAttempt: true, InRun: true, LastRun: 1, TooFar: true}
	if got := whyNotClaimed(d, store.Explanation{RunID: 1}, time.UTC); !strings.Contains(got, "names this very attempt") || strings.Contains(got, "another attempt") {
		t.Errorf("got %q", got)
	}
}

// TestExplainTooFarGapNeverReadsAsAnHour: a decline processed 1h0m20s
// after the order was made is over the hour's margin, so explain must not
// say it was processed "1h after" in the same breath (spans round up).
func TestExplainTooFarGapNeverReadsAsAnHour(t *testing.T) {
	made := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for _, gap := range []time.Duration{time.Hour + 20*time.Second, -(time.Hour + 29*time.Second)} {
		d := store.OrphanDecline{FCOrderID: "FX", OrderCreatedOn: made, OrderTransactionID: "X1", TransactionID: "D1", Occurrence: 1,
			Status: "declined", ProcessedAt: made.Add(gap), InRun: true, LastRun: 1, TooFar: true}
		got := whyNotClaimed(d, store.Explanation{RunID: 1}, time.UTC)
		if strings.Contains(got, "processed 1h after") || strings.Contains(got, "processed 1h before") {
			t.Errorf("gap %s: explain says the gap is an hour, yet over an hour: %q", gap, got)
		}
	}
}

func TestSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		45 * time.Minute: "45m", time.Hour + 20*time.Second: "1h1m", 3*time.Hour + 12*time.Minute: "3h12m",
		13 * time.Hour: "13h", 47 * time.Hour: "47h", 30*24*time.Hour + 5*time.Hour: "30 days",
	} {
		if got := span(d); got != want {
			t.Errorf("span(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestExplainLostRescueBesideALateOrderNamingIt: an order naming a decline
// but made over a day after it is not its evaluation; explain must not then
// call that order another attempt's, nor say FlexCharge has none at all.
func TestExplainLostRescueBesideALateOrderNamingIt(t *testing.T) {
	processed := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	order := store.ExplainedOrder{Environment: "production", ID: "F1", ExternalOrderID: "O1", MID: "P1", Merchant: "M1",
		TransactionID: "D1", Status: 7, CreatedOn: processed.Add(25 * time.Hour)}
	e := store.Explanation{RunID: 1, Orders: []store.ExplainedOrder{order},
		Results: []store.ExplainedResult{{TransactionID: "D1", Occurrence: 1, ProcessedAt: processed, Status: "declined", Profile: "cit_web",
			SwitchState: "production", SwitchID: 1, TransmitState: "transmitted", OutcomeState: "missed_evaluate"}}}
	var buf bytes.Buffer
	writeVerdicts(&buf, e, time.UTC)
	if got := buf.String(); !strings.Contains(got, "no FlexCharge order is its evaluation") || !strings.Contains(got, "came too early or too late") {
		t.Errorf("F1 names D1, yet explain says:\n%s", got)
	}
	late := store.OrphanDecline{FCOrderID: "F1", OrderCreatedOn: order.CreatedOn, OrderTransactionID: "D1", TransactionID: "D1", Occurrence: 1,
		Status: "declined", ProcessedAt: processed, NamesAttempt: true, InRun: true, LastRun: 1, TooFar: true}
	if got := whyNotClaimed(late, e, time.UTC); !strings.Contains(got, "was processed 25h before the order was made, which names this very attempt") {
		t.Errorf("a day-late order naming the attempt: got %q", got)
	}
}

// TestExplainNotFoundNamesWhatWasAsked: an id nothing answers is named
// alone, without an empty "order" or "transaction" beside it.
func TestExplainNotFoundNamesWhatWasAsked(t *testing.T) {
	for q, want := range map[store.ExplainQuery]string{
		{TransactionID: "T9"}: `no ledger row or FlexCharge order for transaction "T9"`,
		{OrderID: "O9"}:       `no ledger row or FlexCharge order for order "O9"`,
	} {
		if got := q.NotFound().Error(); got != want {
			t.Errorf("%+v.NotFound() = %q, want %q", q, got, want)
		}
	}
}

// TestExplainSaysARunDidNotJudgeIt: a run asked for that judged none of the
// rows explained says so under its heading, which had nothing under it.
func TestExplainSaysARunDidNotJudgeIt(t *testing.T) {
	var out strings.Builder
	writeVerdicts(&out, store.Explanation{RunID: 5}, time.UTC)
	if want := "\nVerdicts of run 5:\n  none: run 5 did not judge it (its window or merchant does not hold it, or it failed before judging)\n"; out.String() != want {
		t.Errorf("verdicts of a run that judged nothing explained:\n%q\nwant\n%q", out.String(), want)
	}
}
