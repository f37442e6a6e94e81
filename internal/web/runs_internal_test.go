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
	got := describe(jobs.Request{From: day, To: day, AsOf: day, Backfill: true, ResendInDoubt: true}, time.UTC)
	for _, want := range []string{"(backfill)", "(resending pushes in doubt)"} {
		if !strings.Contains(got, want) {
			t.Errorf("describe of a backfill resending what is in doubt: %q, want it to say %q", got, want)
		}
	}
}

// TestDescribeSaysTheClockAsTheAuditPageDoes: the audit line's as-of is on
// the partner's clock with its offset, as the audit page's own times; it
// was UTC (as of 2026-10-25T00:30:00Z) beside them.
func TestDescribeSaysTheClockAsTheAuditPageDoes(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC)
	got := describe(jobs.Request{From: day, To: day, AsOf: time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)}, berlin)
	if want := "2026-10-24 to 2026-10-24 as of 2026-10-25 02:30:00 +02:00"; got != want {
		t.Errorf("describe of a run as of the first 02:30 of the autumn night in Berlin: %q, want %q", got, want)
	}
}
