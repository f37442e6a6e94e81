package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/store"
)

// BenchmarkEndToEnd runs the real program as a nightly job would: `flexrecon
// reconcile` in its own process against `flexrecon sandbox` in another, over
// one business day of generated exports (1 % of transactions untransmitted,
// FlexCharge orders for the declines). It reports each stage's seconds, the
// run's wall time and peak RSS, and the DuckDB floors for the same data: a
// bare read of the exports and the bare ledger-to-orders join.
//
// FLEXRECON_BENCH_ROWS sets the sizes, comma-separated (default 100,000);
// data sets are cached in .bench/ at the repository's top. With
// FLEXRECON_BENCH_REPORT naming a file (make bench names docs/benchmarks.md),
// the figures of every size and the machine's description replace the part
// of that file between its "make bench" markers.
func BenchmarkEndToEnd(b *testing.B) {
	sizes, err := benchSizes(os.Getenv("FLEXRECON_BENCH_ROWS"))
	if err != nil {
		b.Fatal(err)
	}
	var runs []benchRun
	for _, rows := range sizes {
		b.Run(strconv.Itoa(rows), func(b *testing.B) {
			runs = append(runs, benchEndToEnd(b, rows))
		})
	}
	if path := os.Getenv("FLEXRECON_BENCH_REPORT"); path != "" && len(runs) == len(sizes) {
		if err := writeBenchReport(path, runs); err != nil {
			b.Fatal(err)
		}
	}
}

func benchSizes(list string) ([]int, error) {
	if list == "" {
		return []int{100_000}, nil
	}
	var sizes []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("FLEXRECON_BENCH_ROWS: %q is not a number of rows", f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

func benchEndToEnd(b *testing.B, rows int) benchRun {
	dir, plan := cachedDataset(b, rows)
	var last benchRun
	for b.Loop() {
		b.StopTimer()
		sandbox := startBenchSandbox(b, dir)
		b.StartTimer()
		last = runReconcile(b, dir, plan)
		b.StopTimer()
		sandbox.Process.Signal(syscall.SIGTERM)
		sandbox.Wait()
		b.StartTimer()
	}
	last.rows = rows
	last.readFloor, last.joinFloor = floors(b, dir)
	for stage, secs := range last.stages {
		b.ReportMetric(secs, strings.ReplaceAll(stage, " ", "-")+"-s")
	}
	b.ReportMetric(last.wall.Seconds(), "run-s")
	b.ReportMetric(float64(last.peakKB)/1024, "peak-MB")
	b.ReportMetric(float64(rows), "ledger-rows")
	b.ReportMetric(last.readFloor.Seconds(), "floor-read-s")
	b.ReportMetric(last.joinFloor.Seconds(), "floor-join-s")
	return last
}

// cachedDataset generates the data set once per size and keeps it.
func cachedDataset(b *testing.B, rows int) (string, gen.Plan) {
	b.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", ".bench", "e2e-"+strconv.Itoa(rows)))
	if err != nil {
		b.Fatal(err)
	}
	planPath := filepath.Join(dir, gen.PlanFile)
	if _, err := os.Stat(planPath); err != nil {
		_, err := gen.Generate(gen.Options{Rows: rows, Seed: 2026, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
			Out: dir, SandboxURL: "http://SANDBOX", KeyRate: 0.99})
		if err != nil {
			b.Fatal(err)
		}
	}
	var plan gen.Plan
	raw, err := os.ReadFile(planPath)
	if err == nil {
		err = json.Unmarshal(raw, &plan)
	}
	if err != nil {
		b.Fatal(err)
	}
	return dir, plan
}

// startBenchSandbox starts the sandbox process on a free port, clears the
// last run's database and workbooks, and points the configuration at it.
func startBenchSandbox(b *testing.B, dir string) *exec.Cmd {
	b.Helper()
	for _, d := range []string{"var", "reports"} {
		if err := os.RemoveAll(filepath.Join(dir, d)); err != nil {
			b.Fatal(err)
		}
	}
	addr := freeAddr(b)
	writeBenchConfig(b, dir, addr)
	cmd := childCommand("sandbox", "--addr", addr, "--seed", filepath.Join(dir, gen.SeedFile))
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	for start := time.Now(); time.Since(start) < 5*time.Minute; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return cmd
		}
	}
	b.Fatal("the sandbox did not start listening")
	return nil
}

func freeAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func writeBenchConfig(b *testing.B, dir, addr string) {
	raw, err := os.ReadFile(filepath.Join(dir, gen.ConfigFile))
	if err != nil {
		b.Fatal(err)
	}
	cfg := strings.ReplaceAll(string(raw), "http://SANDBOX/", "http://"+addr+"/")
	// Our own child sandbox takes 50000 sends/s: the generated 2000 per environment alone holds 100k pushes to 25 s.
	cfg = strings.ReplaceAll(cfg, "rate = 2000 ", "rate = 50000 ")
	if err := os.WriteFile(filepath.Join(dir, "bench.toml"), []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
}

type benchRun struct {
	rows                 int
	stages               map[string]float64
	wall                 time.Duration
	peakKB               int64
	readFloor, joinFloor time.Duration
}

// runReconcile runs the nightly chain as a child process and reads its
// stage log, wall time and peak resident memory.
func runReconcile(b *testing.B, dir string, plan gen.Plan) benchRun {
	b.Helper()
	var logs bytes.Buffer
	cmd := childCommand("reconcile", "-v", "--config", filepath.Join(dir, "bench.toml"),
		"--from", plan.From, "--to", plan.To, "--as-of", plan.AsOf.Format(time.RFC3339))
	cmd.Stderr = &logs
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("reconcile: %v\n%s", err, logs.String())
	}
	r := benchRun{stages: map[string]float64{}, wall: time.Since(start),
		peakKB: cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss}
	sc := bufio.NewScanner(&logs)
	for sc.Scan() {
		var line struct {
			Msg, Stage string
			Seconds    float64
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "stage finished" {
			r.stages[line.Stage] = line.Seconds
		}
	}
	return r
}

// floors times DuckDB doing the least the chain must: read the exports, and
// join the stored ledger with the stored orders.
func floors(b *testing.B, dir string) (read, join time.Duration) {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "var", "flexrecon.duckdb"), flexrecon.SQL())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	timed := func(query string) time.Duration {
		start := time.Now()
		rows, err := db.Query(ctx, query)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
		return time.Since(start)
	}
	read = timed("SELECT count(*) FROM read_csv('" + filepath.Join(dir, gen.InboxDir, "*.csv") + "', all_varchar = true)")
	join = timed(`SELECT count(*) FROM ledger_tx l JOIN merchant_mids mm ON mm.merchant_id = l.partner_merchant_id
		JOIN fc_orders o ON o.mid = mm.mid AND o.external_order_id = l.order_id`)
	return read, join
}
