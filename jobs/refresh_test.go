package jobs_test

import (
	"testing"
)

// TestRefreshOutcomes pulls the sandbox's orders again outside a run.
func TestRefreshOutcomes(t *testing.T) {
	d := realRun(t)
	n, err := d.env.RefreshOutcomes(t.Context(), d.run.AsOf, 2)
	if err != nil || n == 0 {
		t.Fatalf("RefreshOutcomes as of %s: got %d orders, %v; want some and no error", d.run.AsOf, n, err)
	}
}
