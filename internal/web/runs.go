package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// RunRequest is the body of POST /api/runs.
type RunRequest struct {
	From     string `json:"from"` // YYYY-MM-DD
	To       string `json:"to"`   // YYYY-MM-DD; "" means From
	Merchant string `json:"merchant"`
	DryRun   bool   `json:"dry_run"`
	Backfill bool   `json:"backfill"`
	// ResendInDoubt pushes again what FlexCharge may hold already
	// (jobs.Request.ResendInDoubt).
	ResendInDoubt bool `json:"resend_in_doubt"`
	// AsOf is the run's clock (RFC 3339), for a run judged as of another
	// time than now (flexrecon reconcile --as-of handed over); "" is now.
	AsOf string `json:"as_of"`
	// Wait makes the call return when the run ends, with the run; otherwise
	// it returns at once and the run goes on in the background.
	Wait bool `json:"wait"`
}

// Request turns r into a chain request judged as of r.AsOf, or now.
func (r RunRequest) Request(now time.Time) (jobs.Request, error) {
	req := jobs.Request{Kind: "adhoc", AsOf: now.UTC(), Merchant: r.Merchant, DryRun: r.DryRun, Backfill: r.Backfill, ResendInDoubt: r.ResendInDoubt}
	var err error
	if r.AsOf != "" {
		if req.AsOf, err = time.Parse(time.RFC3339, r.AsOf); err != nil {
			return req, fmt.Errorf("as_of: want an RFC 3339 time")
		}
		req.AsOf = req.AsOf.UTC()
	}
	if req.From, err = time.Parse(time.DateOnly, r.From); err != nil {
		return req, fmt.Errorf("from: want YYYY-MM-DD")
	}
	req.To = req.From
	if r.To != "" {
		if req.To, err = time.Parse(time.DateOnly, r.To); err != nil {
			return req, fmt.Errorf("to: want YYYY-MM-DD")
		}
	}
	if req.To.Before(req.From) {
		return req, errors.New("to is before from")
	}
	return req, nil
}

// Reconcile runs req when its turn comes and records its metrics. The
// scheduler's runs come through here too, so /metrics sees every run.
func (s *Server) Reconcile(ctx context.Context, req jobs.Request) (store.Run, error) {
	rec, err := s.opts.Chain.Queue(ctx, req)
	if err != nil {
		return rec, err
	}
	return s.execute(ctx, rec, req)
}

// execute runs the queued run rec of req and records its metrics.
func (s *Server) execute(ctx context.Context, rec store.Run, req jobs.Request) (store.Run, error) {
	run, err := s.opts.Chain.Run(ctx, rec, req)
	// The counts /metrics shows are a whole night's: a dry run's or one
	// merchant's would replace them with a part.
	var counts []store.StateCount
	if run.Status == "succeeded" && !run.DryRun && run.Merchant == "" {
		counts, _ = s.opts.DB.StateCounts(context.WithoutCancel(ctx), run.ID)
	}
	s.opts.Metrics.observeRun(req.Kind, run, errors.Is(err, jobs.ErrNotStarted), counts)
	if doubts, derr := s.opts.DB.OpenDoubts(context.WithoutCancel(ctx)); derr == nil {
		s.opts.Metrics.setDoubts(doubts) // a failing database keeps the last count, as the counts above do
	}
	return run, err
}

// startRun records req as a queued run and runs it in the background when
// its turn comes (runs go one at a time); the queued run is returned at
// once, to be followed. It refuses once the server is closing.
func (s *Server) startRun(r *http.Request, req jobs.Request) (store.Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.base.Err() != nil {
		return store.Run{}, errShuttingDown
	}
	rec, err := s.opts.Chain.Queue(r.Context(), req)
	if err != nil {
		return rec, err
	}
	s.audit(r, userOf(r).Name, "run", fmt.Sprintf("run %d: %s", rec.ID, describe(req, s.opts.Location)))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if run, err := s.execute(s.base, rec, req); err != nil {
			s.opts.Logger.Error("ad-hoc run failed", "run", run.ID, "err", err)
		}
	}()
	return rec, nil
}

// errShuttingDown refuses a run asked of a service that is stopping.
var errShuttingDown = errors.New("the service is shutting down")

// startFailed answers a run startRun could not queue.
func (s *Server) startFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errShuttingDown) {
		writeError(w, r, http.StatusServiceUnavailable, err.Error())
		return
	}
	s.fail(w, r, err)
}

// describe is a run request as the audit log's line says it, its clock on
// the partner's (loc) as the audit page shows every other time.
func describe(req jobs.Request, loc *time.Location) string {
	d := fmt.Sprintf("%s to %s", req.From.Format(time.DateOnly), req.To.Format(time.DateOnly))
	if req.Merchant != "" {
		d += " merchant " + req.Merchant
	}
	// What may send FlexCharge a second copy is on the record of who asked.
	d += store.Asked(req.DryRun, req.Backfill, req.ResendInDoubt)
	return d + " as of " + recon.LocalTime(req.AsOf, loc)
}

// runRequest is rr as the chain's request, refused if malformed, for a
// merchant the configuration lacks, or for a window yet to come.
func (s *Server) runRequest(rr RunRequest) (jobs.Request, error) {
	req, err := rr.Request(s.opts.Now())
	if err == nil && req.Merchant != "" && !s.opts.Chain.KnowsMerchant(req.Merchant) {
		err = fmt.Errorf("merchant: %q is not in the configuration", req.Merchant)
	}
	if err == nil {
		err = req.Check(s.opts.Location)
	}
	return req, err
}

func (s *Server) startRunForm(w http.ResponseWriter, r *http.Request) {
	rr := RunRequest{From: r.PostFormValue("from"), To: r.PostFormValue("to"),
		Merchant: r.PostFormValue("merchant"), DryRun: r.PostFormValue("dry_run") != "",
		Backfill: r.PostFormValue("backfill") != "", ResendInDoubt: r.PostFormValue("resend_in_doubt") != ""}
	req, err := s.runRequest(rr)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	// The same form sent again (a double click) starts nothing: it answers
	// as the first did, the list that shows its run or why it started none.
	// A form without a token is taken as before.
	start := func() (int64, error) { rec, err := s.startRun(r, req); return rec.ID, err }
	var run int64
	again := false
	if once := r.PostFormValue("once"); once != "" {
		run, again, err = s.forms.once(r.Context(), formKey(once, req), "", start)
	} else {
		_, err = start()
	}
	switch {
	case err != nil && errors.Is(err, r.Context().Err()):
		// A form sent again whose browser went away as it waited (a third
		// click): no one is left to answer, and nothing failed.
	case err != nil:
		s.startFailed(w, r, err)
	case again: // the list says so, or the form seems ignored
		http.Redirect(w, r, fmt.Sprintf("/?again=%d", run), http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
}

// formKey is what a start form sent with the token once asks: its token and
// every field that makes its run, not the run's clock, which is the time it
// came. The form from the browser's history changed and sent again has its
// old token, and must start its run.
func formKey(once string, req jobs.Request) string { return once + " " + runFields(req) }

// runFields are the fields of req that make its run, its clock aside.
func runFields(req jobs.Request) string {
	return fmt.Sprintf("%s %s %q dry_run=%t backfill=%t resend=%t", req.From.Format(time.DateOnly),
		req.To.Format(time.DateOnly), req.Merchant, req.DryRun, req.Backfill, req.ResendInDoubt)
}

// maxIdempotencyKey bounds an Idempotency-Key (a UUID is 36 characters), so
// that the keys remembered for a day stay small.
const maxIdempotencyKey = 255

func (s *Server) apiStartRun(w http.ResponseWriter, r *http.Request) {
	var rr RunRequest
	if !readJSON(w, r, &rr, "a run's fields") {
		return
	}
	req, err := s.runRequest(rr)
	if err == nil && len(r.Header.Get("Idempotency-Key")) > maxIdempotencyKey {
		err = fmt.Errorf("Idempotency-Key: longer than %d characters", maxIdempotencyKey)
	}
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if rr.Wait && s.base.Err() != nil {
		writeError(w, r, http.StatusServiceUnavailable, errShuttingDown.Error())
		return
	}
	// A waited-for run goes on if the client goes away (it is recorded all
	// the same); a shutdown aborts it, rather than leaving the server to
	// wait for it, and says so.
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(r.Context()))
	defer cancel(nil)
	defer context.AfterFunc(s.base, func() { cancel(context.Cause(s.base)) })()
	var rec store.Run
	queue := func() (int64, error) {
		var err error
		if rr.Wait {
			rec, err = s.queueWaited(ctx, r, req)
		} else {
			rec, err = s.startRun(r, req)
		}
		return rec.ID, err
	}
	id, again, err := s.startOnce(r, rr, req, queue)
	switch {
	case errors.Is(err, errKeyReused):
		writeError(w, r, http.StatusConflict, fmt.Sprintf("Idempotency-Key %q: %v; this request asks %s",
			r.Header.Get("Idempotency-Key"), err, askedRun(rr, req)))
	case err != nil:
		s.startFailed(w, r, err)
	case again:
		s.answerStarted(w, r, id)
	case rr.Wait:
		s.finishWaited(ctx, w, rec, req)
	default:
		w.Header().Set("Location", fmt.Sprintf("/api/runs/%d", rec.ID))
		writeJSON(w, http.StatusAccepted, s.runAnswer(rec))
	}
}

// startOnce starts a run by queue, once for each Idempotency-Key a user
// sends (a client retrying after a timeout), over idempotencyKeyLife: the
// key sent again asking the same run (its fields and as_of) answers the run
// it started, again true; asking another, errKeyReused. Without the header
// every request starts its run, as before keys were taken.
// A key that started a run is kept in the database, by a digest (a client
// may make its keys of anything), so that the promise outlives a restart:
// the moment a client retries is often the one the service came back. The
// keys in memory hold a retry sent while its key's first request is still
// starting the run, to answer that run too.
func (s *Server) startOnce(r *http.Request, rr RunRequest, req jobs.Request, queue func() (int64, error)) (int64, bool, error) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		id, err := queue()
		return id, false, err
	}
	// wait is how the answer comes, not what runs, so it may differ.
	kept := store.IdempotencyKey{User: userOf(r).Name, Digest: storedDigest(key), Asked: askedRun(rr, req)}
	oldest := s.opts.Now().Add(-idempotencyKeyLife)
	before, found, err := s.opts.DB.FindIdempotencyKey(r.Context(), kept.User, kept.Digest, oldest)
	switch {
	case err != nil:
		return 0, false, err
	case found && before.Asked != kept.Asked:
		return 0, false, keyReused(before.Asked)
	case found:
		return before.RunID, true, nil
	}
	return s.idempotent.once(r.Context(), kept.User+"\n"+key, kept.Asked, func() (int64, error) {
		id, err := queue()
		if err == nil {
			kept.RunID, kept.At = id, s.opts.Now()
			s.keepKey(r, kept, oldest)
		}
		return id, err
	})
}

// keepKey records the key k that started its run. Failing, the run stands
// (it is queued, and answering an error would have the client start
// another): the key is held in memory still, until a restart, and the log
// says so.
func (s *Server) keepKey(r *http.Request, k store.IdempotencyKey, oldest time.Time) {
	if err := s.opts.DB.KeepIdempotencyKey(context.WithoutCancel(r.Context()), k, oldest); err != nil {
		s.opts.Logger.Error("the Idempotency-Key of a run is not kept past a restart", "run", k.RunID, "user", k.User, "err", err)
	}
}

// askedRun is the run a request asks, as its key is held to: its fields and
// clock, the clock in UTC (2026-11-24T02:30:00Z and 03:30:00+01:00 ask the
// same run), or none when it asks for now (each request's now differs).
func askedRun(rr RunRequest, req jobs.Request) string {
	asOf := ""
	if rr.AsOf != "" {
		asOf = req.AsOf.Format(time.RFC3339)
	}
	return fmt.Sprintf("%s as_of=%q", runFields(req), asOf)
}

// answerStarted answers a request sent again with its key: the run the
// first started, as it stands now (not waited for), 200.
func (s *Server) answerStarted(w http.ResponseWriter, r *http.Request, id int64) {
	run, err := s.opts.DB.GetRun(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/runs/%d", id))
	writeJSON(w, http.StatusOK, s.runAnswer(run))
}

// queueWaited records req as a queued run, to be run by the request that
// waits for it.
func (s *Server) queueWaited(ctx context.Context, r *http.Request, req jobs.Request) (store.Run, error) {
	rec, err := s.opts.Chain.Queue(ctx, req)
	if err == nil {
		s.audit(r, userOf(r).Name, "run", fmt.Sprintf("run %d: %s", rec.ID, describe(req, s.opts.Location)))
	}
	return rec, err
}

// finishWaited runs the queued run rec of req and answers it once it ends.
func (s *Server) finishWaited(ctx context.Context, w http.ResponseWriter, rec store.Run, req jobs.Request) {
	run, err := s.execute(ctx, rec, req)
	if err != nil {
		s.opts.Logger.Error("ad-hoc run failed", "run", run.ID, "err", err)
	}
	status := http.StatusOK
	switch {
	case errors.Is(err, jobs.ErrNotStarted): // the service stopped while it waited its turn
		status = http.StatusServiceUnavailable
	case err != nil:
		status = http.StatusUnprocessableEntity
	}
	// The run's own record is the answer; counts and notices only add to it.
	counts, _ := s.opts.DB.StateCounts(context.WithoutCancel(ctx), run.ID)
	notices, _ := s.opts.DB.FileNotices(context.WithoutCancel(ctx), run.ID)
	for i, n := range notices {
		notices[i] = s.cutter.cut(n)
	}
	writeJSON(w, status, FinishedRun{Run: s.runAnswer(run), Counts: counts, FileNotices: notices})
}

// Run is a run as the API answers it: store.Run, which leaves out the
// server's path to its workbook, with its error cut of the server's
// directories (pathCutter), and the URL that downloads the workbook (under
// /api/, so a program's basic auth takes it, as a browser's session does),
// once the run succeeded ("" before).
type Run struct {
	store.Run
	WorkbookURL string `json:"workbook_url"`
}

func (s *Server) runAnswer(run store.Run) Run {
	a := Run{Run: run}
	a.Error = s.cutter.cut(run.Error)
	if run.Status == "succeeded" {
		a.WorkbookURL = fmt.Sprintf("/api/runs/%d/workbook.xlsx", run.ID)
	}
	return a
}

// FinishedRun is the answer to a waited-for POST /api/runs: the run, its
// counts per state and category and what its ingest did to the files in
// force (store.FileNotices; reconcile prints them).
type FinishedRun struct {
	Run
	Counts      []store.StateCount `json:"counts"`
	FileNotices []string           `json:"file_notices"`
}

// apiRuns lists the latest runs, ?limit= of them (50 unless told).
func (s *Server) apiRuns(w http.ResponseWriter, r *http.Request) {
	limit := 50
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeError(w, r, http.StatusBadRequest, "limit: want a positive number")
			return
		}
		limit = n
	}
	runs, err := s.opts.DB.Runs(r.Context(), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	answer := make([]Run, len(runs))
	for i, run := range runs {
		answer[i] = s.runAnswer(run)
	}
	writeJSON(w, http.StatusOK, answer)
}

// RunWithStages is GET /api/runs/{id}'s answer: the run and its stages so
// far, so that a script following a run sees where it is, and which stage
// failed and why.
type RunWithStages struct {
	Run
	Stages []Stage `json:"stages"`
}

// Stage is a stage of a run as the API answers it; FinishedAt is null
// while it runs, and Detail, cut of the server's directories, begins
// "failed: " for a stage that failed.
type Stage struct {
	Stage      string     `json:"stage"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Rows       int64      `json:"rows"`
	Detail     string     `json:"detail"`
}

func (s *Server) apiRun(w http.ResponseWriter, r *http.Request) {
	run, ok := s.runOf(w, r)
	if !ok {
		return
	}
	stages, err := s.opts.DB.RunStages(r.Context(), run.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	answer := RunWithStages{Run: s.runAnswer(run), Stages: make([]Stage, len(stages))}
	for i, st := range stages {
		answer.Stages[i] = Stage{Stage: st.Stage, StartedAt: st.StartedAt, Rows: st.Rows, Detail: s.cutter.cut(st.Detail)}
		if st.FinishedAt.Valid {
			answer.Stages[i].FinishedAt = &st.FinishedAt.Time
		}
	}
	writeJSON(w, http.StatusOK, answer)
}

// apiRunDiff answers what `runs --diff` prints: what changed from the run
// before (or ?against=M) to run {id}, every kind counted and ?limit= changes
// of each listed (all when 0 or not given), or none with ?counts=true.
func (s *Server) apiRunDiff(w http.ResponseWriter, r *http.Request) {
	_, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	before, limit, counts, err2, err3, err4 := int64(0), 0, false, error(nil), error(nil), error(nil)
	if a := r.URL.Query().Get("against"); a != "" {
		before, err2 = strconv.ParseInt(a, 10, 64)
	}
	if l := r.URL.Query().Get("limit"); l != "" {
		limit, err3 = strconv.Atoi(l)
	}
	if c := r.URL.Query().Get("counts"); c != "" {
		counts, err4 = strconv.ParseBool(c)
	}
	if err := errors.Join(err1, err2, err3, err4); err != nil || limit < 0 {
		// A negative limit is no "all": Limit would list every change.
		writeError(w, r, http.StatusBadRequest, "want run numbers, a limit (0 or more) and counts true or false")
		return
	}
	if counts && r.URL.Query().Has("limit") {
		// As `runs --counts --limit` is: which was meant is not ours to guess.
		writeError(w, r, http.StatusBadRequest, "counts=true lists no change, so limit has nothing to limit: give one of them")
		return
	}
	if counts {
		limit = jobs.CountsOnly
	}
	// A run that is not there is not found, as GET /api/runs/{id} says; only
	// ?against= naming none is a comparison there is nothing to make of.
	run, ok := s.runOf(w, r)
	if !ok {
		return
	}
	d, err := s.opts.Chain.CompareRuns(r.Context(), run.ID, before, limit)
	switch {
	case errors.Is(err, jobs.ErrNotComparable):
		writeError(w, r, http.StatusUnprocessableEntity, err.Error())
	case err != nil:
		s.fail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, d)
	}
}

// apiExplain answers what `explain` prints, for ?transaction= or ?order=
// (and ?run=).
func (s *Server) apiExplain(w http.ResponseWriter, r *http.Request) {
	q := store.ExplainQuery{TransactionID: r.URL.Query().Get("transaction"), OrderID: r.URL.Query().Get("order")}
	if run := r.URL.Query().Get("run"); run != "" {
		var err error
		if q.RunID, err = strconv.ParseInt(run, 10, 64); err != nil {
			writeError(w, r, http.StatusBadRequest, "run: want a run number")
			return
		}
	}
	if (q.TransactionID == "") == (q.OrderID == "") {
		writeError(w, r, http.StatusBadRequest, "give one of transaction and order")
		return
	}
	e, err := s.opts.DB.Explain(r.Context(), q)
	if errors.Is(err, store.ErrNoRun) {
		writeError(w, r, http.StatusNotFound, err.Error())
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !e.Found() {
		// As the CLI says: empty lists read as "nothing wrong with it" to a
		// script that asked by a mistyped id.
		writeError(w, r, http.StatusNotFound, q.NotFound().Error())
		return
	}
	answer := explanation{Explanation: e}
	if e.Run != nil {
		run := s.runAnswer(*e.Run)
		answer.Run = &run
	}
	writeJSON(w, http.StatusOK, answer)
}

// explanation is a store.Explanation whose run is answered as the API
// answers runs.
type explanation struct {
	store.Explanation
	Run *Run `json:"run"` // shadows the explanation's own
}

// runOf reads the run named by the {id} in the path, answering 404 itself,
// or 500 when the database fails.
func (s *Server) runOf(w http.ResponseWriter, r *http.Request) (store.Run, bool) {
	var run store.Run
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		run, err = s.opts.DB.GetRun(r.Context(), id)
	}
	switch {
	case err == nil:
		return run, true
	case errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange), errors.Is(err, sql.ErrNoRows):
		writeError(w, r, http.StatusNotFound, "no run "+r.PathValue("id"))
	default: // the database failing is no answer that the run is not there
		s.fail(w, r, err)
	}
	return run, false
}
