package jobs_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// BenchmarkPush measures the "push" stage alone: the real push code against
// the sandbox over real HTTP (in this process, so cpu-s counts both ends)
// and a real DuckDB file. Each iteration prepares a run by a dry run of the
// whole chain on a fresh database, outside the timer, then pushes it.
//
// FLEXRECON_BENCH_PUSH_ROWS sets the ledger rows (default 20,000). A tenth of
// expected transactions lack a transmit key (the end-to-end data set: 1 %),
// so 1M rows make about 10 % of the rows candidates. FLEXRECON_BENCH_PUSH_RATE
// replaces the generated push.rate (2000 per environment);
// FLEXRECON_BENCH_PUSH_CPUPROFILE writes a CPU profile of the push alone.
func BenchmarkPush(b *testing.B) {
	cfgPath, plan := pushBenchData(b, benchEnvInt("FLEXRECON_BENCH_PUSH_ROWS", 20_000))
	req := jobs.Request{Kind: "adhoc", AsOf: plan.AsOf}
	req.From, _ = time.Parse(time.DateOnly, plan.From)
	req.To, _ = time.Parse(time.DateOnly, plan.To)
	var cpu, selection time.Duration
	var detail string
	for b.Loop() {
		b.StopTimer()
		env, runID := dryRun(b, cfgPath, req)
		selection += timeSelection(b, env.DB, runID)
		stop := startPushProfile(b)
		cpuBefore := cpuTime()
		b.StartTimer()
		d, err := env.PushRun(context.Background(), runID, req)
		b.StopTimer()
		cpu += cpuTime() - cpuBefore
		stop()
		if err != nil {
			b.Fatalf("push run %d: %v", runID, err)
		}
		detail = d
		env.DB.Close()
		b.StartTimer()
	}
	b.Logf("push: %s", detail)
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(selection.Seconds()/float64(b.N), "select-s/op")
}

// pushBenchData generates the data set and starts the sandbox that serves it.
func pushBenchData(b *testing.B, rows int) (string, gen.Plan) {
	srv := httptest.NewUnstartedServer(nil)
	dir := b.TempDir()
	plan, err := gen.Generate(gen.Options{Rows: rows, Seed: 2026, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		Out: dir, SandboxURL: "http://" + srv.Listener.Addr().String(), KeyRate: 0.9})
	if err != nil {
		b.Fatal(err)
	}
	seed, err := flexcharge.LoadSeed(filepath.Join(dir, gen.SeedFile))
	if err != nil {
		b.Fatal(err)
	}
	sb := flexcharge.NewSandbox(seed, flexcharge.SandboxOptions{})
	srv.Config.Handler = sb
	srv.Start()
	b.Cleanup(func() { srv.Close(); sb.Close() })
	cfgPath := filepath.Join(dir, gen.ConfigFile)
	if rate := os.Getenv("FLEXRECON_BENCH_PUSH_RATE"); rate != "" {
		replaceInFile(b, cfgPath, "rate = 2000 ", "rate = "+rate+" ")
	}
	return cfgPath, plan
}

// dryRun runs the whole chain without sending on a fresh database, leaving a
// run whose untransmitted transactions are still to push.
func dryRun(b *testing.B, cfgPath string, req jobs.Request) (*jobs.Env, int64) {
	os.RemoveAll(filepath.Join(filepath.Dir(cfgPath), "var"))
	env, err := openEnv(cfgPath)
	if err != nil {
		b.Fatal(err)
	}
	req.DryRun = true
	run, err := env.Reconcile(context.Background(), req)
	if err != nil {
		b.Fatalf("dry run: %v", err)
	}
	return env, run.ID
}

// timeSelection times the candidate query alone, on the run about to be pushed.
func timeSelection(b *testing.B, db *store.DB, runID int64) time.Duration {
	start := time.Now()
	cands, err := db.PushCandidates(context.Background(), runID)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(cands)), "candidates")
	return time.Since(start)
}

func startPushProfile(b *testing.B) (stop func()) {
	path := os.Getenv("FLEXRECON_BENCH_PUSH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		b.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func replaceInFile(b *testing.B, path, old, repl string) {
	raw, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(raw), old) {
		b.Fatalf("%s: no %q to replace (%v)", path, old, err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(raw), old, repl, 1)), 0o600); err != nil {
		b.Fatal(err)
	}
}

func benchEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// BenchmarkRecordPushes measures one batch's outbox commit (the answers of
// 128 sends and the intents of the next 128) against an outbox that already
// holds earlier transmits: the per-batch cost must not grow with them.
func BenchmarkRecordPushes(b *testing.B) {
	for _, prior := range []int{0, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("prior=%d", prior), func(b *testing.B) {
			db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "flexrecon.duckdb"), flexrecon.SQL())
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			for start := 0; start < prior; start += 10_000 {
				recs := pushRecords(min(10_000, prior-start))
				recordPushes(b, db, nil, recs)
				recordPushes(b, db, recs, nil)
			}
			checkpoint(b, db)
			var answered []store.PushRecord
			for b.Loop() {
				next := pushRecords(128)
				recordPushes(b, db, answered, next)
				answered = next
			}
		})
	}
}

// pushRecords makes n sent records of distinct transactions. The ids are
// random, as gateways' are: sequential ones would let DuckDB skip row groups
// by their min/max and hide what a lookup costs.
func pushRecords(n int) []store.PushRecord {
	recs := make([]store.PushRecord, n)
	now := time.Now().UTC()
	for i := range recs {
		recs[i] = store.PushRecord{RunID: 1, Merchant: "m1", TransactionID: uuid.NewString(),
			Env: "sandbox", MID: "mid1", Outcome: "pushed", Key: "k", At: now, RunClock: now}
	}
	return recs
}

func recordPushes(b *testing.B, db *store.DB, outcomes, intents []store.PushRecord) {
	if err := db.RecordPushes(context.Background(), outcomes, intents); err != nil {
		b.Fatal(err)
	}
}

// checkpoint folds the seeding's write-ahead log into the file, so that the
// timed batches do not pay for it.
func checkpoint(b *testing.B, db *store.DB) {
	rows, err := db.Query(context.Background(), "CHECKPOINT")
	if err != nil {
		b.Fatal(err)
	}
	rows.Close()
}
