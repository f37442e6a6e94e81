package jobs

import (
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/recon"
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

// TestDryRunDecidesAsTheRun: a dry run lists what the same run would do: a
// transaction of a merchant with no credentials in its environment failed
// in the run, and was listed would_push by the dry run, under the ledger's
// mid where the run sends the credentials'.
func TestDryRunDecidesAsTheRun(t *testing.T) {
	asOf := time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)
	env := &Env{Push: PushPolicy{MaxAge: 24 * time.Hour}, Clients: map[recon.Environment]*flexcharge.Client{recon.Sandbox: {}},
		Merchants: []Merchant{{Merchant: store.Merchant{ID: "M1"},
			Credentials: map[recon.Environment]flexcharge.Credentials{recon.Sandbox: {MID: "S1"}}}}}
	for _, c := range []store.PushCandidate{
		{Merchant: "M1", Environment: string(recon.Production), MID: "P1", ProcessedAt: asOf.Add(-time.Hour)},
		{Merchant: "M1", Environment: string(recon.Sandbox), MID: "P1", ProcessedAt: asOf.Add(-time.Hour)},
	} {
		wet := (&run{env: env, req: Request{AsOf: asOf}}).decide(c)
		dry := (&run{env: env, req: Request{AsOf: asOf, DryRun: true}}).decide(c)
		if wet.Outcome == "" {
			wet.Outcome = "would_push" // what the run sends, the dry run lists
		}
		if dry.Outcome != wet.Outcome || dry.Error != wet.Error || dry.MID != wet.MID {
			t.Errorf("%s: a dry run decided %s %q under mid %s; the run %s %q under mid %s",
				c.Environment, dry.Outcome, dry.Error, dry.MID, wet.Outcome, wet.Error, wet.MID)
		}
	}
}
