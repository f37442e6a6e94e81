package jobs_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// TestNightCarriesPendingDeclines: a night judges again every decline the
// night before left pending, even one older than its trailing days.
func TestNightCarriesPendingDeclines(t *testing.T) {
	dir := t.TempDir()
	env, plan, err := generatedChain(gen.Options{Rows: 600, Seed: 7, Days: 3, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.DB.Close() })
	req := planRequest("nightly", plan)
	first, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	// The next night has no trailing days: only its pending declines take
	// it back to the days before.
	next, err := env.Reconcile(t.Context(), jobs.Request{Kind: "nightly", From: req.To, To: req.To, AsOf: plan.AsOf.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if !next.WindowFrom.Before(req.To) {
		t.Fatalf("the next night's window starts %s; want a day before %s, where the first night left declines pending",
			next.WindowFrom.Format(time.DateOnly), plan.To)
	}
	judged := map[string]bool{}
	for _, v := range verdicts(t, env, next.ID) {
		judged[v.Merchant+"/"+v.TransactionID] = true
	}
	pending := 0
	for _, v := range verdicts(t, env, first.ID) {
		if v.OutcomeState != "pending" {
			continue
		}
		pending++
		if !judged[v.Merchant+"/"+v.TransactionID] {
			t.Errorf("pending decline %s/%s is not judged again by the next night", v.Merchant, v.TransactionID)
		}
	}
	if pending == 0 {
		t.Fatal("the first night left no decline pending: the test proves nothing")
	}
}

func verdicts(t *testing.T, env *jobs.Env, runID int64) []store.Verdict {
	t.Helper()
	vs, err := env.DB.Verdicts(t.Context(), runID)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestFutureAsOfKeepsOrdersFresh: a run judged as of a later date stores the
// orders it pulls as fetched now, not then; else every pull and webhook
// until that date would look older than its copies and be ignored.
func TestFutureAsOfKeepsOrdersFresh(t *testing.T) {
	env, plan, err := generatedChain(gen.Options{Rows: 200, Seed: 7, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.DB.Close() })
	day, _ := time.Parse(time.DateOnly, plan.To)
	if _, err := env.Reconcile(t.Context(), jobs.Request{Kind: "adhoc", From: day, To: day, AsOf: time.Now().AddDate(0, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	rows, err := env.DB.Query(t.Context(), "SELECT count(*) FILTER (fetched_at > now()), count(*) FROM fc_orders")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ahead, orders int64
	if !rows.Next() || rows.Scan(&ahead, &orders) != nil || orders == 0 {
		t.Fatalf("no orders pulled: the test proves nothing")
	}
	if ahead > 0 {
		t.Errorf("%d of %d orders stored as fetched in the future", ahead, orders)
	}
}

// TestOrdersWithoutAssumedFields: orders that carry no amount, currency,
// isMIT or orderSource (names the contract only assumes) are judged without
// a mismatch on those fields, and the run publishes its workbook, the Sites
// sheet showing their amounts as unknown.
func TestOrdersWithoutAssumedFields(t *testing.T) {
	env, plan, err := editedChain(gen.Options{Rows: 300, Seed: 42, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Out: t.TempDir()},
		func(o *flexcharge.SeedOrder) { o.Amount, o.CurrencyCode, o.IsMIT, o.OrderSource = nil, "", nil, "" })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.DB.Close() })
	day, _ := time.Parse(time.DateOnly, plan.To)
	run, err := env.Reconcile(t.Context(), jobs.Request{Kind: "adhoc", From: day, To: day, AsOf: plan.AsOf})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range verdicts(t, env, run.ID) {
		for _, f := range []string{"amount_mismatch", "currency_mismatch", "profile_mismatch"} {
			if strings.Contains(v.Findings, f) {
				t.Errorf("%s/%s: %s, though FlexCharge gave no value to compare", v.Merchant, v.TransactionID, v.Findings)
			}
		}
	}
	book, err := os.ReadFile(run.Workbook)
	if err != nil {
		t.Fatal(err)
	}
	f := openBook(t, book)
	rows := sheetRows(t, f, "Sites and descriptors", false)
	blank := 0
	for _, r := range rows[2:] {
		if len(r) > 9 && r[8] != "0" && r[9] == "" {
			blank++ // orders, and no amount for them
		}
	}
	if blank == 0 {
		t.Errorf("Sites sheet shows no FlexCharge amount as unknown:\n%q", rows)
	}
}

// TestRequestRefusesAWindowYetToCome: a window that starts after the day of
// the run's clock, in the partner's zone, is refused; today's is not.
func TestRequestRefusesAWindowYetToCome(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	asOf := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC) // 22:00 on the 24th in New York
	for from, refused := range map[string]bool{"2026-11-24": false, "2026-11-25": true, "2030-01-01": true} {
		day, _ := time.Parse(time.DateOnly, from)
		err := jobs.Request{Kind: "adhoc", From: day, To: day, AsOf: asOf}.Check(ny)
		if (err != nil) != refused {
			t.Errorf("window from %s as of %s: got %v, want refused %t", from, asOf.Format(time.RFC3339), err, refused)
		}
	}
}
