package jobs_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
)

// TestPullFetchesTheOrdersClassifyPairs: classification pairs a window's
// declines with orders made up to an hour before the window starts (the
// clocks' margin), so the run's pull must fetch them: a decline at 00:10
// whose order FlexCharge stamped 23:55 the day before was a lost rescue in a
// run whose window starts that day (unless an earlier run had pulled it),
// and recovered in a run of two days.
func TestPullFetchesTheOrdersClassifyPairs(t *testing.T) {
	asOf := time.Date(2026, 11, 24, 2, 30, 0, 0, time.UTC)
	seed, merchants := benchSeed(0, asOf)
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // RefreshOutcomes(asOf, 1)'s window start
	sm := seed.Merchants[1]
	for i, created := range []time.Time{start.Add(-5 * time.Minute), start.Add(5 * time.Minute)} {
		seed.Orders = append(seed.Orders, flexcharge.SeedOrder{Environment: sm.Environment, Order: flexcharge.Order{
			ID: []string{"before", "after"}[i], ExternalOrderID: "O1", MID: sm.MID, Amount: new(int64(1000)), CurrencyCode: "USD",
			TransactionID: "T1", Status: flexcharge.StatusCompleted, OrderPlacedDate: created, CreatedOn: created,
			IsTestMode: sm.Environment == flexcharge.EnvSandbox,
		}})
	}
	sb := flexcharge.NewSandbox(seed, flexcharge.SandboxOptions{Now: func() time.Time { return asOf }})
	srv := httptest.NewServer(sb)
	t.Cleanup(func() { srv.Close(); sb.Close() })
	env := pullEnv(t, srv.URL, merchants, 2)
	defer env.DB.Close()
	got, err := env.RefreshOutcomes(context.Background(), asOf, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got != 2 {
		t.Errorf("pulled %d orders; want 2: the one made 5 minutes before the window's start may be a window decline's", got)
	}
}
