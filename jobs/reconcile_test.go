package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// TestCancelledBeforeStartIsRecorded: a run cancelled while it waited for
// the one before it (the service stopping under a queued night) is recorded
// as failed, saying it never started, rather than left queued or lost.
func TestCancelledBeforeStartIsRecorded(t *testing.T) {
	d := realRun(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	run, err := d.env.Reconcile(ctx, jobs.Request{Kind: "nightly", From: d.run.WindowFrom, To: d.run.WindowTo, AsOf: d.run.AsOf})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Reconcile with a cancelled context: got %v, want context.Canceled", err)
	}
	if run.ID == 0 || run.Status != "failed" || !strings.Contains(run.Error, "stopped before it started") || !errors.Is(err, jobs.ErrNotStarted) ||
		run.StartedAt != nil {
		t.Errorf("run cancelled before its turn: %+v, %v; want it recorded as failed before it started, with no start", run, err)
	}
	// A run that did not succeed has no verdicts to compare.
	if _, err := d.env.CompareRuns(t.Context(), run.ID, d.run.ID, 0); !errors.Is(err, jobs.ErrNotComparable) || !strings.Contains(err.Error(), "is failed") {
		t.Errorf("comparing the failed run %d: %v, want it refused as failed", run.ID, err)
	}
}

// behindARun starts a run of req and returns once it is under way, held in
// its ingest stage by a remote source whose server keeps the first download
// waiting until release is called (later downloads find no export). first
// gives the run once it has ended.
func behindARun(t *testing.T, env *jobs.Env, req jobs.Request) (first <-chan store.Run, release func()) {
	t.Helper()
	held, done := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(held); <-done })
		http.NotFound(w, r)
	}))
	release = sync.OnceFunc(func() { close(done) })
	t.Cleanup(func() { release(); srv.Close() }) // before the database closes: Cleanup runs last in, first out
	env.Sources = append(env.Sources, jobs.Source{Name: "held", Kind: "https", URL: srv.URL + "/{date}.csv",
		Path: t.TempDir(), Pattern: "*.csv"})
	ended := make(chan store.Run, 1)
	go func() {
		run, _ := env.Reconcile(t.Context(), req)
		ended <- run
	}()
	select {
	case <-held:
	case <-time.After(time.Minute):
		t.Fatal("the first run never asked the held source for its export")
	}
	return ended, release
}

// TestQueuedRunsStartInQueueOrder: runs queued behind one under way start
// one at a time in the order they were queued, however their callers come
// to wait for their turn (here the last queued first). Each round is
// deterministic: a run whose turn it is cannot be overtaken.
func TestQueuedRunsStartInQueueOrder(t *testing.T) {
	env, req, _ := dayChain(t, 20)
	first, release := behindARun(t, env, req)
	queued := make([]store.Run, 3)
	for i := range queued {
		var err error
		if queued[i], err = env.Queue(t.Context(), req); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for _, rec := range slices.Backward(queued) {
		wg.Go(func() { env.Run(t.Context(), rec, req) })
	}
	release()
	wg.Wait()
	prev := <-first
	for _, rec := range queued {
		run, err := env.DB.GetRun(t.Context(), rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if prev.FinishedAt == nil || run.StartedAt == nil || run.StartedAt.Before(*prev.FinishedAt) {
			t.Errorf("run %d started %v, before run %d queued ahead of it finished (%v)", run.ID, run.StartedAt, prev.ID, prev.FinishedAt)
		}
		prev = run
	}
}

// TestQueuedRunStartsWhenItsTurnComes: a run queued behind another keeps
// when it was queued, and has no start until its turn comes: its start is
// then, after the run ahead of it ended, not when it was queued.
func TestQueuedRunStartsWhenItsTurnComes(t *testing.T) {
	env, req, _ := dayChain(t, 20)
	first, release := behindARun(t, env, req)
	rec, err := env.Queue(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	queued, err := env.DB.GetRun(t.Context(), rec.ID)
	if err != nil || queued.Status != "queued" || queued.StartedAt != nil || queued.QueuedAt.IsZero() {
		t.Fatalf("run %d while queued: %+v, %v; want queued, with a queueing time and no start", rec.ID, queued, err)
	}
	release()
	run, err := env.Run(t.Context(), rec, req)
	if err != nil {
		t.Fatal(err)
	}
	ahead := <-first
	if !run.QueuedAt.Equal(queued.QueuedAt) || ahead.FinishedAt == nil || run.StartedAt == nil || run.StartedAt.Before(*ahead.FinishedAt) {
		t.Errorf("run %d queued %v, started %v; want it queued as before, and started after run %d ended (%v)",
			run.ID, run.QueuedAt, run.StartedAt, ahead.ID, ahead.FinishedAt)
	}
}

// TestTieOutBeforePush: a run whose numbers do not tie out fails before it
// pushes, so FlexCharge gets nothing from it. The numbers are made wrong
// by the results view reading every amount one minor unit high, as a
// classify bug could; put right, the same run pushes.
func TestTieOutBeforePush(t *testing.T) {
	env, req, _ := dayChain(t, 300)
	view := strings.Replace(sqlOf(t, env, `SELECT sql FROM duckdb_views() WHERE view_name = 'results'`), "CREATE VIEW", "CREATE OR REPLACE VIEW", 1)
	wrong := strings.Replace(view, "l.amount,", "l.amount + 1 AS amount,", 1)
	if wrong == view {
		t.Fatalf("the results view reads no l.amount to make wrong:\n%s", view)
	}
	sqlOf(t, env, wrong)
	run, err := env.Reconcile(t.Context(), req)
	if !errors.Is(err, jobs.ErrTieOut) {
		t.Fatalf("run %d over wrong numbers: %v, want it failed by the tie-out", run.ID, err)
	}
	if sent := sqlOf(t, env, `SELECT count(*) FROM transmit_events`); sent != "0" {
		t.Errorf("run %d failed its tie-out after %s transmit events; want none sent", run.ID, sent)
	}
	sqlOf(t, env, view)
	if _, err := env.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if sent := sqlOf(t, env, `SELECT count(*) FROM transmit_events`); sent == "0" {
		t.Error("the same run over right numbers pushed nothing: the test proves nothing")
	}
}

// sqlOf runs statement on env's database and gives its first value as text.
func sqlOf(t *testing.T, env *jobs.Env, statement string) string {
	t.Helper()
	rows, err := env.DB.Query(t.Context(), statement)
	if err != nil {
		t.Fatalf("%s: %v", statement, err)
	}
	defer rows.Close()
	var v sql.NullString
	if rows.Next() {
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", statement, err)
	}
	return v.String
}
