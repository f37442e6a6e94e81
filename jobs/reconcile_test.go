package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

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
	if run.ID == 0 || run.Status != "failed" || !strings.Contains(run.Error, "stopped before it started") || !errors.Is(err, jobs.ErrNotStarted) {
		t.Errorf("run cancelled before its turn: %+v, %v; want it recorded as failed before it started", run, err)
	}
	// A run that did not succeed has no verdicts to compare.
	if _, err := d.env.CompareRuns(t.Context(), run.ID, d.run.ID); !errors.Is(err, jobs.ErrNotComparable) || !strings.Contains(err.Error(), "is failed") {
		t.Errorf("comparing the failed run %d: %v, want it refused as failed", run.ID, err)
	}
}
