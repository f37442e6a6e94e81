package jobs_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// BenchmarkPullOrders measures the "pull orders" stage alone: every order of
// three merchants in two environments, from an in-process sandbox over real
// HTTP into a fresh DuckDB file through the real OrderWriter. Both ends run
// in this process, so cpu-s covers the sandbox's encoding as well as the
// client's decoding and the store's appending; wall time on a shared machine
// is noisy, CPU time less so.
//
// FLEXRECON_BENCH_ORDERS sets the number of orders (default 50,000; the 10M
// ledger rows of BenchmarkEndToEnd come with about 1.9 million).
func BenchmarkPullOrders(b *testing.B) {
	n := 50_000
	if v, err := strconv.Atoi(os.Getenv("FLEXRECON_BENCH_ORDERS")); err == nil {
		n = v
	}
	asOf := time.Date(2026, 11, 24, 2, 30, 0, 0, time.UTC)
	seed, merchants := benchSeed(n, asOf)
	sb := flexcharge.NewSandbox(seed, flexcharge.SandboxOptions{Now: func() time.Time { return asOf }})
	srv := httptest.NewServer(sb)
	b.Cleanup(func() { srv.Close(); sb.Close() })
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		env := pullEnv(b, srv.URL, merchants, 8)
		cpuBefore := cpuTime()
		b.StartTimer()
		got, err := env.RefreshOutcomes(context.Background(), asOf, 1)
		b.StopTimer()
		cpu += cpuTime() - cpuBefore
		if err != nil || got != int64(n) {
			b.Fatalf("RefreshOutcomes of %d seeded orders: got %d, %v", n, got, err)
		}
		env.DB.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n), "orders")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// benchSeed spreads n orders over the day before asOf, round robin over three
// merchants in two environments, with fields shaped like generated ones.
func benchSeed(n int, asOf time.Time) (flexcharge.Seed, []jobs.Merchant) {
	var seed flexcharge.Seed
	merchants := make([]jobs.Merchant, 3)
	for i := range merchants {
		m := &merchants[i]
		m.ID = fmt.Sprintf("merchant-%d", i)
		m.Credentials = map[recon.Environment]flexcharge.Credentials{}
		for _, env := range []string{flexcharge.EnvSandbox, flexcharge.EnvProduction} {
			cr := flexcharge.Credentials{MID: uuid.NewString(), AppKey: uuid.NewString(), AppSecret: uuid.NewString()}
			m.Credentials[recon.Environment(env)] = cr
			seed.Merchants = append(seed.Merchants, flexcharge.SeedMerchant{
				Environment: env, MID: cr.MID, AppKey: cr.AppKey, AppSecret: cr.AppSecret,
			})
		}
	}
	start := asOf.Add(-24 * time.Hour)
	for i := range n {
		sm := seed.Merchants[i%len(seed.Merchants)]
		created := start.Add(24 * time.Hour / time.Duration(n) * time.Duration(i)).Truncate(time.Second)
		seed.Orders = append(seed.Orders, flexcharge.SeedOrder{Environment: sm.Environment, Order: flexcharge.Order{
			ID: uuid.NewString(), ExternalOrderID: fmt.Sprintf("O%08d", i), MID: sm.MID,
			Amount: new(int64(1000 + i%9000)), CurrencyCode: "USD", OrderSource: "ecommerce",
			SiteID: sm.MID, SiteURL: "https://copperleaf2.example", DynamicDescriptor: "COPPERLF*SHOP2",
			TransactionID: fmt.Sprintf("T%08d", i), Status: flexcharge.StatusCompleted,
			OrderPlacedDate: created, CreatedOn: created, IsTestMode: sm.Environment == flexcharge.EnvSandbox,
		}})
	}
	return seed, merchants
}

// pullEnv opens a fresh database file and points one client per
// environment at the sandbox, with the rate the generated configuration
// uses and the concurrency given.
func pullEnv(tb testing.TB, url string, merchants []jobs.Merchant, concurrency int) *jobs.Env {
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "pull.duckdb"), flexrecon.SQL())
	if err != nil {
		tb.Fatal(err)
	}
	clients := map[recon.Environment]*flexcharge.Client{}
	for _, env := range []string{flexcharge.EnvSandbox, flexcharge.EnvProduction} {
		clients[recon.Environment(env)] = flexcharge.NewClient(url+"/"+env+"/v1",
			flexcharge.Options{Concurrency: concurrency, RatePerSecond: 2000})
	}
	return &jobs.Env{DB: db, Clients: clients, Merchants: merchants, Location: time.UTC}
}

// cpuTime is the user and system CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
