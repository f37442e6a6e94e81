package jobs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/flexcharge/flexrecon/jobs"
)

// TestCancelledBeforeStartLeavesNoRun: a run cancelled while it waited for
// the one before it (the service stopping under a queued night) is not
// recorded, rather than recorded as failed.
func TestCancelledBeforeStartLeavesNoRun(t *testing.T) {
	d := realRun(t)
	before, err := d.env.DB.Runs(t.Context(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := d.env.Reconcile(ctx, jobs.Request{Kind: "nightly", From: d.run.WindowFrom, To: d.run.WindowTo, AsOf: d.run.AsOf}); !errors.Is(err, context.Canceled) {
		t.Errorf("Reconcile with a cancelled context: got %v, want context.Canceled", err)
	}
	after, err := d.env.DB.Runs(t.Context(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("runs recorded: %d before, %d after; want none added", len(before), len(after))
	}
}
