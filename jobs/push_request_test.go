package jobs

import (
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// TestTransmitRequestDeclinedUnlessApproved: an error is a failed attempt,
// copied to FlexCharge as declined, never as an approval.
func TestTransmitRequestDeclinedUnlessApproved(t *testing.T) {
	for status, want := range map[string]bool{"approved": false, "declined": true, "error": true} {
		c := store.PushCandidate{Status: status, Profile: "cit_web", ProcessedAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
		if got := transmitRequest(c, "P1", time.UTC).IsDeclined; got != want {
			t.Errorf("status %s: isDeclined %v, want %v", status, got, want)
		}
	}
}
