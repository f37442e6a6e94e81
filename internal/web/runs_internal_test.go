package web

import (
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/jobs"
)

// TestDescribeNamesWhatMaySendTwice: the audit line of a run started from
// the web or the API names a resend of pushes in doubt (a second copy at
// FlexCharge if it held one) and a backfill; it said only the window, so
// the audit could not tell who asked for a resend.
func TestDescribeNamesWhatMaySendTwice(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	got := describe(jobs.Request{From: day, To: day, AsOf: day, Backfill: true, ResendInDoubt: true})
	for _, want := range []string{"(backfill)", "(resending pushes in doubt)"} {
		if !strings.Contains(got, want) {
			t.Errorf("describe of a backfill resending what is in doubt: %q, want it to say %q", got, want)
		}
	}
}
