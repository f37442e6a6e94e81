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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/recon"
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
// keeps the keys FlexCharge had already returned, so the next run resends
// only the calls the stop cut short (at most one per concurrent call).
func TestStoppedPushKeepsItsAnswers(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	env, counter, req := countedChain(t, &copiesCounter{n: 10, stop: cancel})
	if _, err := env.Reconcile(ctx, req); err == nil {
		t.Fatal("the stopped run succeeded: the test stopped nothing")
	}
	if _, err := env.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	twice := 0
	for _, n := range counter.copies {
		if n > 1 {
			twice++
		}
	}
	if limit := env.Push.Concurrency; twice > limit {
		t.Errorf("%d transactions sent twice after one stop, want at most %d (the calls under way)", twice, limit)
	}
}

// TestStoppedPushListsOnlyTheCallsUnderWay: a stop in the middle of a
// batch cuts short the calls under way, which FlexCharge may have taken,
// and leaves the rest of the batch's calls unmade: the next run sends those
// as any other, without listing them push_in_doubt.
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
		if strings.Contains(v.Findings, "push_in_doubt") {
			listed++
		}
		if v.TransmitState == "pushed" {
			pushed++
		}
	}
	if limit := env.Push.Concurrency; listed > limit || pushed <= limit {
		t.Errorf("after a stop at the first copy, the next run pushed %d and listed %d push_in_doubt; want more than %d pushed, at most %d listed (the calls under way)",
			pushed, listed, limit, limit)
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

// TestLostAnswerThenFailureListed: a transmit whose answer is lost after
// FlexCharge took the copy, and whose retries then all fail, is a failure
// FlexCharge may hold a copy of. The run lists it push_in_doubt, and so does
// the next run, which sends it again.
func TestLostAnswerThenFailureListed(t *testing.T) {
	env, counter, req := countedChain(t, &copiesCounter{lose: 3, downAfterLoss: true})
	first, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	counter.mu.Lock()
	id := counter.down
	counter.down = ""
	counter.mu.Unlock()
	if id == "" {
		t.Fatal("no answer was lost: the test injected nothing")
	}
	second, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.copies[id]; n != 2 {
		t.Fatalf("%s: FlexCharge holds %d copies, want 2 (the lost answer's and the next run's)", id, n)
	}
	for _, run := range []int64{first.ID, second.ID} {
		listed := false
		for _, v := range verdicts(t, env, run) {
			listed = listed || v.TransactionID == id && strings.Contains(v.Findings, "push_in_doubt")
		}
		if !listed {
			t.Errorf("run %d: %s (answer lost, then refused) is not listed push_in_doubt", run, id)
		}
	}
}

// TestRefusedDoubtListedOnce: a transmit whose answer is lost and whose
// resend FlexCharge then refuses (a 4xx) is in doubt and never sent again.
// The run it happened in lists it push_in_doubt; the next run over the same
// day does not list it again (it is no new problem), and counts it in its
// push stage, where it was listed by every run that judged its day.
func TestRefusedDoubtListedOnce(t *testing.T) {
	env, counter, req := countedChain(t, &copiesCounter{lose: 3, downAfterLoss: true, downStatus: http.StatusBadRequest})
	first, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	second, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	id := counter.down
	if id == "" || counter.copies[id] != 1 {
		t.Fatalf("lost answer of %q, then refused: FlexCharge holds %d copies, want 1", id, counter.copies[id])
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
	stages, err := env.DB.RunStages(t.Context(), second.ID)
	if err != nil {
		t.Fatal(err)
	}
	counted := false
	for _, s := range stages {
		counted = counted || s.Stage == "push" && strings.Contains(s.Detail, "1 in doubt listed by an earlier run")
	}
	if !counted {
		t.Errorf("run %d's stages %+v: the push does not count the doubt listed before", second.ID, stages)
	}
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
