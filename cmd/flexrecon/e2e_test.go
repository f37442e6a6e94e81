package main

import (
	"context"
	"encoding/csv"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// fixture is a generated data set with its sandbox running over real HTTP.
type fixture struct {
	dir     string
	plan    gen.Plan
	sandbox *flexcharge.Sandbox
}

func newFixture(t *testing.T, rows int) fixture {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// Long past, so a verdict that leaned on the wall clock instead of the
	// run's clock would fail; and the day New York springs forward (23 hours).
	plan, err := gen.Generate(gen.Options{Rows: rows, Seed: 42, LastDay: time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC),
		Days: 2, Out: dir, SandboxURL: "http://" + ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	seed, err := flexcharge.LoadSeed(filepath.Join(dir, gen.SeedFile))
	if err != nil {
		t.Fatal(err)
	}
	sb := flexcharge.NewSandbox(seed, flexcharge.SandboxOptions{})
	srv := &http.Server{Handler: sb}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); sb.Close() })
	return fixture{dir: dir, plan: plan, sandbox: sb}
}

// env opens the fixture's chain for the rest of the test.
func (f fixture) env(t *testing.T) *jobs.Env {
	t.Helper()
	env := f.openEnv(t)
	t.Cleanup(func() { env.DB.Close() })
	return env
}

// openEnv opens the fixture's chain; the caller closes its database.
func (f fixture) openEnv(t *testing.T) *jobs.Env {
	t.Helper()
	cfg, err := config.Load(filepath.Join(f.dir, gen.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	env, err := openEnv(context.Background(), cfg, newLogger(&Main{Stderr: os.Stderr}, false))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func (f fixture) request() jobs.Request {
	from, _ := time.Parse(time.DateOnly, f.plan.From)
	to, _ := time.Parse(time.DateOnly, f.plan.To)
	return jobs.Request{Kind: "adhoc", From: from, To: to, AsOf: f.plan.AsOf}
}

func expected(t *testing.T, dir string) []store.Verdict {
	t.Helper()
	fh, err := os.Open(filepath.Join(dir, gen.ExpectedFile))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Verdict
	for _, r := range recs[1:] {
		occ := 1
		if r[2] == "2" {
			occ = 2
		}
		out = append(out, store.Verdict{Merchant: r[0], TransactionID: r[1], Occurrence: occ, TransmitState: r[3], OutcomeState: r[4], Findings: r[5]})
	}
	return out
}

func verdicts(t *testing.T, env *jobs.Env, run store.Run) []store.Verdict {
	t.Helper()
	got, err := env.DB.Verdicts(context.Background(), run.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func byKey(vs []store.Verdict) map[[3]any]store.Verdict {
	m := make(map[[3]any]store.Verdict, len(vs))
	for _, v := range vs {
		m[[3]any{v.Merchant, v.TransactionID, v.Occurrence}] = v
	}
	return m
}

// TestChainMatchesGroundTruth runs the nightly chain over real HTTP against
// the sandbox with a real DuckDB file, and checks every transaction's
// verdict against what the generator planted.
func TestChainMatchesGroundTruth(t *testing.T) {
	f := newFixture(t, 4000)
	env := f.env(t)
	run, err := env.Reconcile(context.Background(), f.request())
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	want, got := expected(t, f.dir), verdicts(t, env, run)
	if diff := cmp.Diff(byKey(want), byKey(got)); diff != "" {
		t.Errorf("verdicts differ from ground truth (-want +got):\n%s", diff)
	}
	counts := stateCounts(t, env, run)
	if counts["orphan_order"] != int64(f.plan.Orphans) || counts["quarantined"] != int64(f.plan.Quarantine) {
		t.Errorf("orphans %d quarantined %d, want %d and %d", counts["orphan_order"], counts["quarantined"], f.plan.Orphans, f.plan.Quarantine)
	}
	if _, err := os.Stat(run.Workbook); err != nil {
		t.Errorf("workbook: %v", err)
	}
}

// TestRerunIsIdempotent runs the chain twice on the same inputs: the second
// run's verdicts are the first's, except that what the first pushed now has
// its key (transmitted), nothing is pushed the second time, and FlexCharge
// received exactly one copy of every pushed transaction.
func TestRerunIsIdempotent(t *testing.T) {
	f := newFixture(t, 1500)
	env := f.env(t)
	first, err := env.Reconcile(context.Background(), f.request())
	if err != nil {
		t.Fatal(err)
	}
	second, err := env.Reconcile(context.Background(), f.request())
	if err != nil {
		t.Fatal(err)
	}
	want, pushed := verdicts(t, env, first), 0
	for _, v := range want {
		if v.TransmitState != "pushed" || v.Occurrence != 1 {
			continue
		}
		pushed++
		mid := midOf(t, env, v.Merchant)
		if n := f.sandbox.Deliveries("production", mid["production"], v.TransactionID) + f.sandbox.Deliveries("sandbox", mid["sandbox"], v.TransactionID); n != 1 {
			t.Errorf("%s %s delivered %d times, want 1", v.Merchant, v.TransactionID, n)
		}
	}
	if pushed == 0 {
		t.Fatal("the data set pushed nothing: the test proves nothing")
	}
	if diff := cmp.Diff(seenByLaterRun(want), verdicts(t, env, second)); diff != "" {
		t.Errorf("second run differs (-first, seen by a later run +second):\n%s", diff)
	}
	if c := stateCounts(t, env, second); c["pushed"] != 0 {
		t.Errorf("second run counts %d pushed, want none", c["pushed"])
	}
}

// seenByLaterRun is vs as a later run on the same inputs judges them: what
// vs's run pushed has the key that push obtained, so it is transmitted.
func seenByLaterRun(vs []store.Verdict) []store.Verdict {
	out := slices.Clone(vs)
	for i := range out {
		if out[i].TransmitState == "pushed" {
			out[i].TransmitState = "transmitted"
		}
	}
	return out
}

func stateCounts(t *testing.T, env *jobs.Env, run store.Run) map[string]int64 {
	t.Helper()
	cs, err := env.DB.StateCounts(context.Background(), run.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, c := range cs {
		out[c.State] = c.N
	}
	return out
}

func midOf(t *testing.T, env *jobs.Env, merchant string) map[string]string {
	for _, m := range env.Merchants {
		if m.ID == merchant {
			return m.MIDs
		}
	}
	t.Fatalf("merchant %s not configured", merchant)
	return nil
}
