package main

// The fault suite (`make faults`, tests named TestFault…): each test logs
// what it injected and what it checked, so `go test -v -run Fault` reads as
// a report.

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
	"github.com/flexcharge/flexrecon/reports"
)

// faultFixture is newFixture with fault injection in the sandbox and the
// generated config's [push] section replaced by push (TOML lines).
func faultFixture(t *testing.T, rows int, seed uint64, faults flexcharge.Faults, push string) fixture {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plan, err := gen.Generate(gen.Options{Rows: rows, Seed: seed, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		Days: 2, Out: dir, SandboxURL: "http://" + ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, gen.ConfigFile)
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	const genPush = "concurrency = 8\nrate = 2000 # the local sandbox takes it\n"
	if !strings.Contains(string(cfg), genPush) {
		t.Fatalf("the generated config's [push] section changed; update faultFixture:\n%s", cfg)
	}
	if err := os.WriteFile(cfgPath, []byte(strings.Replace(string(cfg), genPush, push, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	sd, err := flexcharge.LoadSeed(filepath.Join(dir, gen.SeedFile))
	if err != nil {
		t.Fatal(err)
	}
	sb := flexcharge.NewSandbox(sd, flexcharge.SandboxOptions{Faults: faults, RandSeed: int64(seed)})
	srv := &http.Server{Handler: countTransmits(sb)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); sb.Close() })
	return fixture{dir: dir, plan: plan, sandbox: sb}
}

// transmitAttempts counts /transmit requests that reached the sandbox, faulted or not.
var transmitAttempts atomic.Int64

func countTransmits(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/transmit") {
			transmitAttempts.Add(1)
		}
		h.ServeHTTP(w, r)
	})
}

// fastRetries lets the client ride out a faulty sandbox quickly.
const fastRetries = "concurrency = 8\nrate = 5000\nmax_retries = 20\nbase_backoff = \"1ms\"\nmax_backoff = \"20ms\"\n"

// pushable lists the (merchant, transaction) pairs ground truth says a run pushes.
func pushable(want []store.Verdict) [][2]string {
	var out [][2]string
	for _, v := range want {
		if v.Occurrence == 1 && v.TransmitState == "pushed" {
			out = append(out, [2]string{v.Merchant, v.TransactionID})
		}
	}
	return out
}

// deliveries counts the copies the sandbox accepted for every transaction in
// want, in either environment.
func (f fixture) deliveries(mids map[string]map[string]string, want []store.Verdict) map[[2]string]int {
	out := map[[2]string]int{}
	for _, v := range want {
		if v.Occurrence != 1 {
			continue
		}
		m := mids[v.Merchant]
		if n := f.sandbox.Deliveries("production", m["production"], v.TransactionID) + f.sandbox.Deliveries("sandbox", m["sandbox"], v.TransactionID); n > 0 {
			out[[2]string{v.Merchant, v.TransactionID}] = n
		}
	}
	return out
}

// mids opens the fixture's database only to read the merchants' MIDs, and
// closes it so a child process can take it.
func (f fixture) mids(t *testing.T) map[string]map[string]string {
	t.Helper()
	env := f.openEnv(t)
	defer env.DB.Close()
	return midsOf(env)
}

func midsOf(env *jobs.Env) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, m := range env.Merchants {
		out[m.ID] = m.MIDs
	}
	return out
}

// queryPairs runs a query returning (merchant, transaction id, text) rows.
func queryPairs(t *testing.T, env *jobs.Env, q string, args ...any) map[[2]string]string {
	t.Helper()
	rows, err := env.DB.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[[2]string]string{}
	for rows.Next() {
		var m, tx string
		var v *string
		if err := rows.Scan(&m, &tx, &v); err != nil {
			t.Fatal(err)
		}
		out[[2]string{m, tx}] = ""
		if v != nil {
			out[[2]string{m, tx}] = *v
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pushedKeys lists the keys of the run's pushes. A push counts as
// transmitted_late when the wall clock is past processed_at + 24h: the
// generator's ground truth assumes the run happens at its as-of, and tests
// run later than that.
func pushedKeys(t *testing.T, env *jobs.Env, runID int64) map[[2]string]string {
	return queryPairs(t, env, `SELECT partner_merchant_id, transaction_id, transmit_key FROM results
		WHERE run_id = $1 AND occurrence = 1 AND transmit_state IN ('pushed', 'transmitted_late')`, runID)
}

func inDoubtListed(t *testing.T, env *jobs.Env, runID int64) map[[2]string]string {
	return queryPairs(t, env, `SELECT partner_merchant_id, transaction_id, NULL FROM findings
		WHERE run_id = $1 AND category = 'push_in_doubt'`, runID)
}

// doubtsListed is what every succeeded run listed push_in_doubt: a doubt
// is listed once, by the first that succeeds after it arose (a child run
// that finished between kills, or the rerun).
func doubtsListed(t *testing.T, env *jobs.Env) map[[2]string]string {
	return queryPairs(t, env, `SELECT DISTINCT f.partner_merchant_id, f.transaction_id, NULL FROM findings f
		JOIN runs r ON r.id = f.run_id WHERE f.category = 'push_in_doubt' AND r.status = 'succeeded'`)
}

// withoutInDoubt is the verdicts by key with the push_in_doubt finding
// taken from the listed transactions: ground truth cannot know which.
func withoutInDoubt(vs []store.Verdict, listed map[[2]string]string) map[[3]any]store.Verdict {
	got := byKey(vs)
	for k, v := range got {
		if _, ok := listed[[2]string{v.Merchant, v.TransactionID}]; ok {
			v.Findings = strings.Join(slices.DeleteFunc(strings.Split(v.Findings, ";"), func(s string) bool { return s == "push_in_doubt" }), ";")
			got[k] = v
		}
	}
	return got
}

// TestFaultPushAgainstFaultySandbox is #3's first acceptance: 20 % 5xx, 429
// bursts and dropped connections, yet every eligible transaction ends
// pushed with its key and FlexCharge holds exactly one copy of each. A call
// resent after a dropped connection is listed push_in_doubt: this sandbox
// drops before handling, but the client cannot know that.
func TestFaultPushAgainstFaultySandbox(t *testing.T) {
	faults := flexcharge.Faults{ErrorRate: 0.2, Burst429: 25, DropRate: 0.05}
	f := faultFixture(t, 6000, 7, faults, fastRetries)
	env := f.env(t)
	before := transmitAttempts.Load()
	run, err := env.Reconcile(context.Background(), f.request())
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	attempts := transmitAttempts.Load() - before
	want := expected(t, f.dir)
	listed := inDoubtListed(t, env, run.ID)
	if diff := cmp.Diff(byKey(want), withoutInDoubt(verdicts(t, env, run), listed)); diff != "" {
		t.Errorf("verdicts differ from ground truth, in-doubt findings aside (-want +got):\n%s", diff)
	}
	if len(listed) == 0 {
		t.Errorf("no transmit listed push_in_doubt, though connections were dropped")
	}
	keys, delivered := pushedKeys(t, env, run.ID), f.deliveries(midsOf(env), want)
	eligible := pushable(want)
	for _, k := range eligible {
		if keys[k] == "" {
			t.Errorf("%v: not pushed with a key (state/key %q)", k, keys[k])
		}
		if delivered[k] != 1 {
			t.Errorf("%v delivered %d times, want 1", k, delivered[k])
		}
	}
	if len(delivered) != len(eligible) {
		t.Errorf("%d transactions delivered, want the %d eligible ones only", len(delivered), len(eligible))
	}
	if len(eligible) == 0 || attempts <= int64(len(eligible)) {
		t.Errorf("%d eligible, %d transmit attempts: the faults did not bite", len(eligible), attempts)
	}
	t.Logf("INJECTED: sandbox faults %+v (5xx rate, a burst of 3×429 with Retry-After every %d requests, dropped connections), client max_retries 20", faults, faults.Burst429)
	t.Logf("CHECKED: %d eligible transactions all pushed with a key after %d transmit attempts; %d delivered, each exactly once; verdicts equal ground truth (%d transactions)",
		len(eligible), attempts, len(delivered), len(want))
}

// startChild starts `flexrecon reconcile` for the fixture's window in a child process.
func (f fixture) startChild(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := childCommand("reconcile", "--config", filepath.Join(f.dir, gen.ConfigFile),
		"--from", f.plan.From, "--to", f.plan.To, "--as-of", f.plan.AsOf.Format(time.RFC3339))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func kill(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Logf("kill: %v (the child had already exited)", err)
	}
	cmd.Wait()
}

// checkAfterKills reruns the chain to completion in-process and checks
// that exactly the intents the kills left unanswered are listed in doubt and
// not sent again, nothing was delivered twice, and every other transaction
// is as ground truth says; then runs it once more as ops would after
// checking with FlexCharge (--resend-in-doubt), and checks nothing was lost:
// the listed ones pushed with a key and as ground truth says, and only they
// delivered twice (once before a kill, once resent).
// It returns the resend run, the eligible, in-doubt and doubly delivered counts.
func (f fixture) checkAfterKills(t *testing.T, intents map[[2]string]string) (run store.Run, eligible, inDoubt, twice int) {
	t.Helper()
	env := f.env(t)
	run, err := env.Reconcile(context.Background(), f.request())
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	want := expected(t, f.dir)
	listed := doubtsListed(t, env)
	// In doubt are exactly the intents the killed runs left unanswered.
	if diff := cmp.Diff(intents, listed); diff != "" {
		t.Errorf("listed in doubt differs from the unanswered intents the kills left (-intents +listed):\n%s", diff)
	}
	for k, n := range f.deliveries(midsOf(env), want) {
		if n > 1 {
			t.Errorf("%v delivered %d times before any resend was asked for: at most once", k, n)
		}
	}
	if diff := cmp.Diff(doubts(byKey(want), listed, false), doubts(verdictsBy(t, env, run, listed), listed, false)); diff != "" {
		t.Errorf("verdicts of the transactions not in doubt differ from ground truth (-want +got):\n%s", diff)
	}
	keys := pushedKeys(t, env, run.ID)
	req := f.request()
	req.ResendInDoubt = true
	if run, err = env.Reconcile(context.Background(), req); err != nil {
		t.Fatalf("rerun resending what is in doubt: %v", err)
	}
	if diff := cmp.Diff(doubts(byKey(want), listed, true), doubts(verdictsBy(t, env, run, listed), listed, true)); diff != "" {
		t.Errorf("verdicts of the transactions in doubt, resent, differ from ground truth (-want +got):\n%s", diff)
	}
	maps.Copy(keys, pushedKeys(t, env, run.ID))
	for _, k := range pushable(want) {
		eligible++
		if keys[k] == "" {
			t.Errorf("%v lost: not pushed with a key after the rerun and the resend", k)
		}
	}
	for k, n := range f.deliveries(midsOf(env), want) {
		_, ok := listed[k]
		switch {
		case n == 0 || n > 2:
			t.Errorf("%v delivered %d times, at most 2 allowed (before a kill, and resent)", k, n)
		case n > 1 && !ok:
			t.Errorf("%v delivered %d times but not listed as push_in_doubt", k, n)
		case n > 1:
			twice++
		}
	}
	settled := queryPairs(t, env, `SELECT partner_merchant_id, transaction_id, state FROM transmits`)
	for k := range listed {
		if settled[k] == "intent" {
			t.Errorf("%v still in doubt after the resend", k)
		}
	}
	return run, eligible, len(listed), twice
}

// verdictsBy is run's verdicts by key, the push_in_doubt finding taken from
// the listed transactions (ground truth cannot know which).
func verdictsBy(t *testing.T, env *jobs.Env, run store.Run, listed map[[2]string]string) map[[3]any]store.Verdict {
	return withoutInDoubt(verdicts(t, env, run), listed)
}

// doubts is the verdicts of m whose transaction is listed in doubt, or (in
// false) those of the others.
func doubts(m map[[3]any]store.Verdict, listed map[[2]string]string, in bool) map[[3]any]store.Verdict {
	out := map[[3]any]store.Verdict{}
	for k, v := range m {
		if _, ok := listed[[2]string{v.Merchant, v.TransactionID}]; ok == in {
			out[k] = v
		}
	}
	return out
}

// totalDeliveries sums the sandbox's accepted copies over the ground truth's transactions.
func (f fixture) totalDeliveries(mids map[string]map[string]string, want []store.Verdict) int {
	n := 0
	for _, c := range f.deliveries(mids, want) {
		n += c
	}
	return n
}

// TestFaultSIGKILLHalfwayThroughPush is #3's second acceptance: a child
// `flexrecon reconcile` is killed with SIGKILL once about half the pushes
// have reached FlexCharge, then the chain runs again.
func TestFaultSIGKILLHalfwayThroughPush(t *testing.T) {
	f := faultFixture(t, 8000, 11, flexcharge.Faults{Latency: 60 * time.Millisecond},
		"concurrency = 2\nrate = 5000\n")
	want := expected(t, f.dir)
	mids := f.mids(t)
	eligible := len(pushable(want))
	child := f.startChild(t)
	deadline := time.Now().Add(2 * time.Minute)
	var atKill int
	for {
		atKill = f.totalDeliveries(mids, want)
		if atKill >= eligible/2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	kill(t, child)
	afterKill := f.totalDeliveries(mids, want)
	if atKill == 0 || afterKill >= eligible {
		t.Fatalf("killed with %d of %d delivered: not halfway through the push", afterKill, eligible)
	}
	intents := map[[2]string]string{}
	f.unanswered(t, intents)
	run, n, inDoubt, twice := f.checkAfterKills(t, intents)
	if inDoubt == 0 {
		t.Errorf("killed with %d of %d delivered, yet nothing was left in doubt", afterKill, eligible)
	}
	t.Logf("INJECTED: SIGKILL of a child `flexrecon reconcile` after %d of %d eligible transactions reached the sandbox (60ms latency per request)", afterKill, eligible)
	t.Logf("CHECKED: the rerun listed push_in_doubt exactly the %[3]d intents left unanswered and sent none twice; a resend of those (run %[1]d) pushed all %[2]d with a key, verdicts equal ground truth except in-doubt findings; %[4]d delivered twice (all listed), none more than twice",
		run.ID, n, inDoubt, twice)
}

// TestFaultSIGKILLAtRandomPoints kills successive nightly runs at random
// moments (any stage), then lets one finish.
func TestFaultSIGKILLAtRandomPoints(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("FAULT_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	f := faultFixture(t, 6000, 13, flexcharge.Faults{Latency: 50 * time.Millisecond}, "concurrency = 2\nrate = 5000\n")
	want := expected(t, f.dir)
	mids := f.mids(t)
	// A whole run takes about 4s here (50ms per request, 2 at a time):
	// kills within 3s hit ingest, pull, classify or push.
	var states []string
	kills, intents := 0, map[[2]string]string{}
	for range 4 {
		d := time.Duration(rng.Int64N(int64(3 * time.Second)))
		child := f.startChild(t)
		done := make(chan error, 1)
		go func() { done <- child.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("child run failed on its own: %v", err)
			}
			states = append(states, fmt.Sprintf("finished before %v", d.Round(time.Millisecond)))
		case <-time.After(d):
			child.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
			f.unanswered(t, intents)
			states = append(states, fmt.Sprintf("killed at %v (%d delivered so far)", d.Round(time.Millisecond), f.totalDeliveries(mids, want)))
		}
	}
	if kills == 0 {
		t.Errorf("no child was killed: the kill points missed the runs")
	}
	run, n, inDoubt, twice := f.checkAfterKills(t, intents)
	t.Logf("INJECTED: 4 child runs, each SIGKILLed at a random moment (FAULT_SEED=%d): %s", seed, strings.Join(states, "; "))
	t.Logf("CHECKED: the rerun listed push_in_doubt exactly the %d intents left unanswered and sent none twice; a resend of those (run %d): all %d eligible pushed with a key, verdicts equal ground truth (%d transactions) except in-doubt findings; %d delivered twice (all listed, none more)",
		inDoubt, run.ID, n, len(want), twice)
}

// TestFaultBadInputFiles drops a truncated, a corrupted and an empty ledger
// file into the inbox after a clean run: the next run completes, rejects and
// reports the three, and the stored ledger is unchanged.
func TestFaultBadInputFiles(t *testing.T) {
	f := faultFixture(t, 3000, 17, flexcharge.Faults{}, "concurrency = 8\nrate = 5000\n")
	env := f.env(t)
	first, err := env.Reconcile(context.Background(), f.request())
	if err != nil {
		t.Fatal(err)
	}
	count := func() string {
		rows, err := env.DB.Query(context.Background(), `SELECT (SELECT count(*) FROM ledger_tx) || '/' || (SELECT count(*) FROM ledger_files WHERE outcome <> 'rejected')`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var s string
		for rows.Next() {
			rows.Scan(&s)
		}
		return s
	}
	stored := count()
	inbox := filepath.Join(f.dir, "inbox")
	good, err := os.ReadFile(filepath.Join(inbox, "ledger_"+f.plan.To+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	cut := len(good) / 2
	for good[cut] == '\n' || good[cut-1] == '\n' || good[cut] == ',' || good[cut-1] == ',' {
		cut++
	}
	corrupt := slices.Clone(good)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(corrupt)/50; i++ {
		corrupt[len(corrupt)/3+r.IntN(len(corrupt)/3)] = byte(r.IntN(256))
	}
	bad := map[string][]byte{
		"ledger_2026-11-24.csv": good[:cut], // truncated mid-field
		"ledger_2026-11-25.csv": corrupt,    // random bytes in the middle third
		"ledger_2026-11-26.csv": nil,        // empty
	}
	for name, b := range bad {
		if err := os.WriteFile(filepath.Join(inbox, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	second, err := env.Reconcile(context.Background(), f.request())
	if err != nil {
		t.Fatalf("the run stopped on bad files: %v", err)
	}
	rejected := queryPairs(t, env, `SELECT name, outcome, reason FROM ledger_files WHERE run_id = $1`, second.ID)
	for name := range bad {
		found := false
		for k, reason := range rejected {
			if k[0] == name && k[1] == "rejected" {
				found = true
				t.Logf("  %s rejected: %s", name, reason)
			}
		}
		if !found {
			t.Errorf("%s not rejected by run %d (files recorded: %v)", name, second.ID, rejected)
		}
	}
	if got := count(); got != stored {
		t.Errorf("stored ledger rows/files %s, want %s unchanged", got, stored)
	}
	if diff := cmp.Diff(seenByLaterRun(verdicts(t, env, first)), verdicts(t, env, second)); diff != "" {
		t.Errorf("verdicts changed (-first, seen by a later run +second):\n%s", diff)
	}
	stages, err := env.DB.RunStages(context.Background(), second.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("INJECTED: a truncated (%d of %d bytes), a corrupted (%d random bytes) and an empty ledger file in the inbox", cut, len(good), len(corrupt)/50)
	t.Logf("CHECKED: run %d completed (%s), all three recorded as rejected with a reason, stored ledger rows/files %s unchanged, verdicts identical to run %d",
		second.ID, stageDetail(stages, "ingest"), stored, first.ID)
}

func stageDetail(stages []store.Stage, name string) string {
	for _, s := range stages {
		if s.Stage == name {
			return fmt.Sprintf("%s: %s", name, s.Detail)
		}
	}
	return name + ": not recorded"
}

// TestFaultConcurrentAdhocRun starts an ad-hoc run while another runs on the
// same Env: they are serialized and both complete.
func TestFaultConcurrentAdhocRun(t *testing.T) {
	f := faultFixture(t, 3000, 19, flexcharge.Faults{Latency: 5 * time.Millisecond}, "concurrency = 8\nrate = 5000\n")
	env := f.env(t)
	nightly := f.request()
	nightly.Kind = "nightly"
	var wg sync.WaitGroup
	runs := make([]store.Run, 2)
	errs := make([]error, 2)
	wg.Go(func() { runs[0], errs[0] = env.Reconcile(context.Background(), nightly) })
	time.Sleep(50 * time.Millisecond)
	wg.Go(func() { runs[1], errs[1] = env.Reconcile(context.Background(), f.request()) })
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	a, b := runs[0], runs[1]
	if b.ID < a.ID { // runs start in the order they were queued
		a, b = b, a
	}
	if a.FinishedAt == nil || b.StartedAt == nil || b.FinishedAt == nil || b.StartedAt.Before(*a.FinishedAt) {
		t.Errorf("runs overlap: %d %v–%v and %d %v–%v", a.ID, a.StartedAt, a.FinishedAt, b.ID, b.StartedAt, b.FinishedAt)
	}
	if a.Status != b.Status || a.Status == "" {
		t.Errorf("statuses %q and %q", a.Status, b.Status)
	}
	if diff := cmp.Diff(seenByLaterRun(verdicts(t, env, a)), verdicts(t, env, b)); diff != "" {
		t.Errorf("the two runs disagree (-first, seen by a later run +second):\n%s", diff)
	}
	t.Logf("INJECTED: an ad-hoc run started 50ms into a nightly run on the same service")
	t.Logf("CHECKED: run %d (%s) finished %s before run %d started %s: serialized; both %q, identical verdicts",
		a.ID, a.Kind, a.FinishedAt.Format(time.StampMilli), b.ID, b.StartedAt.Format(time.StampMilli), a.Status)
}

// TestFaultConcurrentWorkbookDownloads renders a run's workbook 50 times at
// once, as 50 downloads would, and bounds the heap meanwhile.
func TestFaultConcurrentWorkbookDownloads(t *testing.T) {
	f := faultFixture(t, 5000, 23, flexcharge.Faults{}, "concurrency = 8\nrate = 5000\n")
	env := f.env(t)
	run, err := env.Reconcile(context.Background(), f.request())
	if err != nil {
		t.Fatal(err)
	}
	download := func(w io.Writer) error {
		return reports.WriteWorkbook(context.Background(), w, jobs.ReportSource{DB: env.DB}, env.Reports,
			reports.Options{Location: env.Location}, run.ID, "")
	}
	var size countingWriter
	if err := download(&size); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := time.Now()
	for i := range n {
		wg.Go(func() { errs[i] = download(io.Discard) })
	}
	wg.Wait()
	close(stop)
	<-sampled
	for i, err := range errs {
		if err != nil {
			t.Errorf("download %d: %v", i, err)
		}
	}
	const bound = 1 << 30
	grew := peak.Load() - min(base, peak.Load())
	if grew > bound {
		t.Errorf("heap grew by %d MiB during %d downloads, bound %d MiB", grew>>20, n, bound>>20)
	}
	t.Logf("INJECTED: %d concurrent downloads of run %d's workbook (5000 ledger rows, %d KiB each) in %v", n, run.ID, size.n>>10, time.Since(start).Round(time.Millisecond))
	t.Logf("CHECKED: all completed; peak heap %d MiB (%d MiB above the idle %d MiB), under the %d MiB bound", peak.Load()>>20, grew>>20, base>>20, bound>>20)
}

type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

// unanswered lists the outbox intents a killed run left, opening the
// database only while no child holds it.
func (f fixture) unanswered(t *testing.T, into map[[2]string]string) {
	t.Helper()
	cfg, err := config.Load(filepath.Join(f.dir, gen.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), cfg.Path(cfg.Database), flexrecon.SQL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(context.Background(), `SELECT partner_merchant_id, transaction_id FROM transmits WHERE state = 'intent'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			t.Fatal(err)
		}
		into[k] = ""
	}
}
