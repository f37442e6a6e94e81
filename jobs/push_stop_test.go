package jobs_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// copiesCounter serves the sandbox and counts the copies of each
// transaction it accepted; after the n-th it calls stop, once, and it loses
// the answer to the lose-th (the copy stays accepted). With downAfterLoss,
// every later transmit of the transaction whose answer it lost gets a 503
// (or downStatus) until down is cleared.
type copiesCounter struct {
	sandbox       http.Handler
	n, lose       int
	downAfterLoss bool
	downStatus    int
	stop          func()
	mu            sync.Mutex
	copies        map[string]int
	total         int
	down          string
}

func (c *copiesCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/transmit") {
		c.sandbox.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var t flexcharge.TransmitRequest
	json.Unmarshal(body, &t)
	if c.isDown(t.Transaction.ID) {
		http.Error(w, "unavailable", cmp.Or(c.downStatus, http.StatusServiceUnavailable))
		return
	}
	rec := httptest.NewRecorder()
	c.sandbox.ServeHTTP(rec, r)
	if rec.Code == http.StatusOK {
		c.mu.Lock()
		c.copies[t.Transaction.ID]++
		if c.total++; c.total == c.n && c.stop != nil {
			c.stop()
		}
		lost := c.total == c.lose
		if lost && c.downAfterLoss {
			c.down = t.Transaction.ID
		}
		c.mu.Unlock()
		if lost {
			panic(http.ErrAbortHandler)
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// TestStoppedPushKeepsItsAnswers: a run stopped in the middle of a batch
// keeps the keys FlexCharge had already returned, and the next run sends
// none of them again, nor the calls the stop cut short (which FlexCharge may
// have taken): it lists those in doubt. It resent them, a second copy each.
func TestStoppedPushKeepsItsAnswers(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	env, counter, req := countedChain(t, &copiesCounter{n: 10, stop: cancel})
	if _, err := env.Reconcile(ctx, req); err == nil {
		t.Fatal("the stopped run succeeded: the test stopped nothing")
	}
	if _, err := env.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	for id, n := range counter.copies {
		if n > 1 {
			t.Errorf("%s sent %d times after one stop, want at most once", id, n)
		}
	}
}

// TestStoppedPushListsOnlyTheCallsUnderWay: a stop in the middle of a
// batch cuts short the calls under way, which FlexCharge may have taken,
// and leaves the rest of the batch's calls unmade: the next run lists the
// first in doubt and does not send them again, and sends the others as any
// other, without listing them push_in_doubt.
func TestStoppedPushListsOnlyTheCallsUnderWay(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	env, _, req := countedChain(t, &copiesCounter{n: 1, stop: cancel})
	if _, err := env.Reconcile(ctx, req); err == nil {
		t.Fatal("the stopped run succeeded: the test stopped nothing")
	}
	run, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	listed, pushed := 0, 0
	for _, v := range verdicts(t, env, run.ID) {
		doubt := strings.Contains(v.Findings, "push_in_doubt")
		if doubt {
			listed++
		}
		if v.TransmitState == "pushed" {
			pushed++
		}
		if doubt && v.TransmitState != "untransmitted" {
			t.Errorf("%s, cut short by the stop, is %s after the next run; want untransmitted (not sent again)", v.TransactionID, v.TransmitState)
		}
	}
	if limit := env.Push.Concurrency; listed > limit || pushed == 0 {
		t.Errorf("after a stop at the first copy, the next run pushed %d and listed %d push_in_doubt; want some pushed, at most %d listed (the calls under way)",
			pushed, listed, limit)
	}
}

// TestLostAnswerListed: a transmit whose answer is lost after FlexCharge
// took the copy is sent again by the client's retry, and the run lists it
// push_in_doubt: every transaction sent twice is listed.
func TestLostAnswerListed(t *testing.T) {
	env, counter, req := countedChain(t, &copiesCounter{lose: 3})
	run, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, v := range verdicts(t, env, run.ID) {
		if strings.Contains(v.Findings, "push_in_doubt") {
			listed[v.TransactionID] = true
		}
	}
	twice := 0
	for id, n := range counter.copies {
		if n > 1 {
			twice++
			if !listed[id] {
				t.Errorf("%s sent %d times and not listed push_in_doubt", id, n)
			}
		}
	}
	if twice == 0 {
		t.Fatal("no transaction was sent twice: the test lost no answer")
	}
}

func (c *copiesCounter) isDown(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return id != "" && id == c.down
}

// TestFailedDoubtListedOnce: a transmit whose answer is lost and whose
// client retries then all fail (503s) or are refused (a 4xx) is in doubt:
// FlexCharge may hold the copy, so no later run sends it again, though
// FlexCharge answers again (a retryable failure was resent by the next run,
// a second copy). The run it happened in lists it push_in_doubt; the next
// run over the same day does not list it again (it is no new problem), and
// counts it in its push stage, where it was listed by every run that judged
// its day.
func TestFailedDoubtListedOnce(t *testing.T) {
	for name, status := range map[string]int{"retries fail": http.StatusServiceUnavailable, "refused": http.StatusBadRequest} {
		t.Run(name, func(t *testing.T) { failedDoubtListedOnce(t, status) })
	}
}

func failedDoubtListedOnce(t *testing.T, status int) {
	env, counter, req := countedChain(t, &copiesCounter{lose: 3, downAfterLoss: true, downStatus: status})
	first, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	counter.mu.Lock()
	id := counter.down
	counter.down = "" // FlexCharge answers again
	counter.mu.Unlock()
	second, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if id == "" || counter.copies[id] != 1 {
		t.Fatalf("lost answer of %q, then %d: FlexCharge holds %d copies, want 1", id, status, counter.copies[id])
	}
	for run, want := range map[int64]bool{first.ID: true, second.ID: false} {
		listed := false
		for _, v := range verdicts(t, env, run) {
			listed = listed || v.TransactionID == id && strings.Contains(v.Findings, "push_in_doubt")
		}
		if listed != want {
			t.Errorf("run %d: %s (answer lost, resend refused) listed push_in_doubt: %v, want %v", run, id, listed, want)
		}
	}
	if !pushDetailSays(t, env, second.ID, "1 in doubt listed by an earlier run") {
		t.Errorf("run %d: the push stage does not count the doubt listed before", second.ID)
	}
}

// pushDetailSays says whether run's push stage detail holds text.
func pushDetailSays(t *testing.T, env *jobs.Env, run int64, text string) bool {
	t.Helper()
	stages, err := env.DB.RunStages(t.Context(), run)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stages {
		if s.Stage == "push" && strings.Contains(s.Detail, text) {
			return true
		}
	}
	t.Logf("run %d's stages: %+v", run, stages)
	return false
}

// countedChain is a generated day whose sandbox is counted by c, and the
// request that reconciles it.
func countedChain(t *testing.T, c *copiesCounter) (*jobs.Env, *copiesCounter, jobs.Request) {
	t.Helper()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := gen.Generate(gen.Options{Rows: 600, Seed: 42, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		Out: dir, SandboxURL: "http://" + ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	seed, err := flexcharge.LoadSeed(filepath.Join(dir, gen.SeedFile))
	if err != nil {
		t.Fatal(err)
	}
	c.sandbox, c.copies = flexcharge.NewSandbox(seed, flexcharge.SandboxOptions{}), map[string]int{}
	srv := &http.Server{Handler: c}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	env, err := openEnv(filepath.Join(dir, gen.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.DB.Close() })
	return env, c, planRequest("adhoc", plan)
}

// TestPushSendsTheCredentialsMID: a ledger that gives each row its
// merchant's production mid (a gateway that exports the mid it knows) has
// its transactions pushed as one that leaves the mid to the registry: those
// whose profile was in sandbox go to the sandbox under the sandbox
// credentials' mid, never under another environment's mid, which
// FlexCharge refuses.
func TestPushSendsTheCredentialsMID(t *testing.T) {
	transmitStates := func(spellMID bool) map[string]string {
		env, _, req := countedChain(t, &copiesCounter{})
		if spellMID {
			spellProductionMIDs(t, env)
		}
		run, err := env.Reconcile(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, v := range verdicts(t, env, run.ID) {
			out[v.TransactionID] = v.TransmitState
		}
		return out
	}
	want, got := transmitStates(false), transmitStates(true)
	pushed := 0
	for id, state := range want {
		if state == "pushed" {
			pushed++
		}
		if got[id] != state {
			t.Errorf("%s: %s with the ledger's production mid, %s without", id, got[id], state)
		}
	}
	if pushed == 0 {
		t.Fatal("nothing was pushed: the test pushed under no mid")
	}
}

// spellProductionMIDs writes into env's ledger exports each row's merchant's
// production mid, where gen leaves the column empty.
func spellProductionMIDs(t *testing.T, env *jobs.Env) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(env.Sources[0].Path, "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no ledger export in %s: %v", env.Sources[0].Path, err)
	}
	for _, m := range env.Merchants {
		prod := m.Credentials[recon.Production].MID
		for _, f := range files {
			replaceInLedger(t, f, "\n"+m.ID+",,", "\n"+m.ID+","+prod+",")
		}
	}
}

func replaceInLedger(t *testing.T, path, old, repl string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(b), old, repl)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCrashedBatchNotSentAgain: a process that died under a batch's calls,
// some of whose answers had come (FlexCharge holds those copies; their keys
// were never stored), leaves the batch's intents unanswered. The next run
// sends none of them again, though three of the five are certain copies and
// the others may be: it lists all five push_in_doubt, leaves them
// untransmitted and sends every other transaction once; a run asked to
// resend them (ResendInDoubt) sends each once more and lists it. The next
// run resent all five: three certain second copies.
func TestCrashedBatchNotSentAgain(t *testing.T) {
	env, counter, req := countedChain(t, &copiesCounter{})
	batch := crashUnderBatch(t, env, req)
	taken := map[string]bool{}
	for _, id := range batch[:3] {
		counter.copies[id], taken[id] = 1, true // answered, and the answers died with the process
	}
	check := func(run int64, state string, copies func(id string) int) {
		t.Helper()
		seen := 0
		for _, v := range verdicts(t, env, run) {
			if !slices.Contains(batch, v.TransactionID) {
				continue
			}
			seen++
			listed := strings.Contains(v.Findings, "push_in_doubt")
			if n := counter.copies[v.TransactionID]; v.TransmitState != state || !listed || n != copies(v.TransactionID) {
				t.Errorf("run %d: %s (FlexCharge took it before the crash: %v) is %s, listed in doubt %v, %d copies; want %s, listed, %d",
					run, v.TransactionID, taken[v.TransactionID], v.TransmitState, listed, n, state, copies(v.TransactionID))
			}
		}
		if seen != len(batch) {
			t.Errorf("run %d judged %d of the crashed batch's %d transactions", run, seen, len(batch))
		}
	}
	before := func(id string) int { // the copies FlexCharge held before the run after the crash
		if taken[id] {
			return 1
		}
		return 0
	}
	run, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	check(run.ID, "untransmitted", before)
	if !pushDetailSays(t, env, run.ID, "5 in doubt not sent again (--resend-in-doubt)") {
		t.Errorf("run %d's push stage does not count the 5 transactions in doubt it left unsent", run.ID)
	}
	pushed := 0
	for id, n := range counter.copies {
		if n > 1 {
			t.Errorf("%s sent %d times", id, n)
		}
		if !slices.Contains(batch, id) {
			pushed++
		}
	}
	if pushed == 0 {
		t.Fatal("the run after the crash pushed nothing: the test checks nothing")
	}
	resend := req
	resend.ResendInDoubt = true
	if run, err = env.Reconcile(t.Context(), resend); err != nil {
		t.Fatal(err)
	}
	check(run.ID, "pushed", func(id string) int { return before(id) + 1 })
}

// crashUnderBatch leaves in env what a process that died under a batch of
// five calls leaves: their intents, stored, and nothing else. The five are
// transactions req's run would push (within the age limit).
func crashUnderBatch(t *testing.T, env *jobs.Env, req jobs.Request) []string {
	t.Helper()
	dry := req
	dry.DryRun = true
	dryRun, err := env.Reconcile(t.Context(), dry)
	if err != nil {
		t.Fatal(err)
	}
	cands, err := env.DB.PushCandidates(t.Context(), dryRun.ID)
	if err != nil {
		t.Fatal(err)
	}
	var intents []store.PushRecord
	var ids []string
	for _, c := range cands {
		if len(ids) < 5 && c.ProcessedAt.After(req.AsOf.Add(-env.Push.MaxAge)) {
			intents = append(intents, store.PushRecord{RunID: dryRun.ID, Merchant: c.Merchant, TransactionID: c.TransactionID,
				Env: c.Environment, MID: c.MID, At: req.AsOf, RunClock: req.AsOf})
			ids = append(ids, c.TransactionID)
		}
	}
	if len(ids) < 5 {
		t.Fatalf("%d transactions to push within the age limit, want 5", len(ids))
	}
	if err := env.DB.RecordPushes(t.Context(), nil, intents); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestDryRunListsTooOldAsTooOld: a dry run whose clock is past the age
// limit lists what a run would do, so nothing as would_push: a run without
// a backfill would leave it all too old, and said so.
func TestDryRunListsTooOldAsTooOld(t *testing.T) {
	env, counter, req := countedChain(t, &copiesCounter{})
	dry := req
	dry.DryRun, dry.AsOf = true, req.AsOf.Add(env.Push.MaxAge+48*time.Hour)
	run, err := env.Reconcile(t.Context(), dry)
	if err != nil {
		t.Fatal(err)
	}
	if len(counter.copies) != 0 {
		t.Errorf("a dry run sent %d copies; want none", len(counter.copies))
	}
	if !pushDetailSays(t, env, run.ID, ", 0 would push (dry run)") || pushDetailSays(t, env, run.ID, ", 0 too old") {
		t.Errorf("run %d, a dry run past the age limit, does not list its transactions too old and none would_push", run.ID)
	}
}

// TestResendInDoubtKeepsTheRules: a resend ops ask for is pushed as any
// other push: a dry run sends none of the transactions in doubt (it lists
// them would_push), and a run whose clock is past the age limit sends none
// without a backfill (too old); they stay in doubt, unsent, for a resend
// that may send them, which sends each once.
func TestResendInDoubtKeepsTheRules(t *testing.T) {
	env, counter, req := countedChain(t, &copiesCounter{})
	batch := crashUnderBatch(t, env, req)
	unsent := func(what string) {
		t.Helper()
		for _, id := range batch {
			if n := counter.copies[id]; n != 0 {
				t.Errorf("%s: %s, in doubt, sent %d times; want none", what, id, n)
			}
		}
	}
	dry := req
	dry.ResendInDoubt, dry.DryRun = true, true
	run, err := env.Reconcile(t.Context(), dry)
	if err != nil {
		t.Fatal(err)
	}
	unsent("a dry run resending what is in doubt")
	if !pushDetailSays(t, env, run.ID, "would push (dry run)") {
		t.Errorf("run %d, a dry run resending what is in doubt, lists nothing it would push", run.ID)
	}
	late := req
	late.ResendInDoubt, late.AsOf = true, req.AsOf.Add(env.Push.MaxAge+48*time.Hour)
	if _, err := env.Reconcile(t.Context(), late); err != nil {
		t.Fatal(err)
	}
	unsent("a resend past the age limit without a backfill")
	late.Backfill = true
	if _, err := env.Reconcile(t.Context(), late); err != nil {
		t.Fatal(err)
	}
	for _, id := range batch {
		if n := counter.copies[id]; n != 1 {
			t.Errorf("a resend with a backfill: %s, in doubt, sent %d times; want once", id, n)
		}
	}
}
