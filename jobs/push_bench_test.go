package jobs_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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
		cpuBefore := processCPU()
		b.StartTimer()
		d, err := env.PushRun(context.Background(), runID, req)
		b.StopTimer()
		cpu += processCPU() - cpuBefore
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

// processCPU is the user and system CPU time this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
