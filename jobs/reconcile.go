package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// step is one stage of the chain; it returns how many rows it handled and a
// short detail for the run's manifest.
type step struct {
	name string
	run  func(ctx context.Context, r *run) (int64, string, error)
}

// run is the state one execution of the chain carries between steps.
type run struct {
	env    *Env
	req    Request
	id     int64
	window store.Window
	// workbook is the one the workbook stage wrote, held under a temporary
	// name until the run's end is recorded (settleWorkbook); nil before.
	workbook *heldWorkbook
}

// ErrTieOut fails a run whose states do not add up to the ledger.
var ErrTieOut = errors.New("totals do not tie out")

// ErrNotStarted marks a queued run stopped before its turn came.
var ErrNotStarted = errors.New("stopped before it started")

// ErrUnknownMerchant refuses a run for a merchant the configuration lacks:
// it would judge nothing and succeed.
var ErrUnknownMerchant = errors.New("merchant is not in the configuration")

// KnowsMerchant says whether id is a configured merchant.
func (e *Env) KnowsMerchant(id string) bool {
	return slices.ContainsFunc(e.Merchants, func(m Merchant) bool { return m.ID == id })
}

// Reconcile runs the whole chain once for req and records it as a run.
// The run is recorded as failed, with the reason, when any step fails.
func (e *Env) Reconcile(ctx context.Context, req Request) (store.Run, error) {
	rec, err := e.Queue(ctx, req)
	if err != nil {
		return rec, err
	}
	return e.Run(ctx, rec, req)
}

// Queue records req as a run waiting its turn (runs go one at a time, in
// the order they were queued), so that it can be followed, and is failed
// with the reason if it never gets one. A merchant the configuration lacks
// is refused unrecorded. The run must be handed to Run, which takes it out
// of line again: until then the runs queued after it wait.
func (e *Env) Queue(ctx context.Context, req Request) (store.Run, error) {
	if req.Merchant != "" && !e.KnowsMerchant(req.Merchant) {
		return store.Run{}, fmt.Errorf("run not started: %w: %q", ErrUnknownMerchant, req.Merchant)
	}
	var rec store.Run
	err := e.line.join(func() (id int64, err error) {
		// The row is written whole even if ctx ends meanwhile.
		rec, err = e.DB.QueueRun(context.WithoutCancel(ctx), store.Run{
			Kind: req.Kind, WindowFrom: dateOnly(req.From), WindowTo: dateOnly(req.To), AsOf: req.AsOf,
			Merchant: req.Merchant, DryRun: req.DryRun, Backfill: req.Backfill, ResendInDoubt: req.ResendInDoubt, QueuedAt: time.Now().UTC(),
			ConfigHash: e.ConfigHash, Version: e.Version,
		})
		return rec.ID, err
	})
	return rec, err
}

// Run runs the queued run rec of req when its turn comes, and records how
// it ended (also when ctx ends first: a run is never left queued or running).
func (e *Env) Run(ctx context.Context, rec store.Run, req Request) (store.Run, error) {
	// One run at a time: runs share the outbox and the stage tables. The
	// next one's turn comes when this one leaves the line, run or not.
	defer e.line.leave(rec.ID)
	r := &run{env: e, id: rec.ID}
	runErr := e.line.wait(ctx, rec.ID)
	if runErr != nil {
		runErr = fmt.Errorf("%w: %w", ErrNotStarted, runErr)
	} else {
		runErr = e.begin(ctx, &rec, &req)
		if runErr == nil {
			r.req, r.window = req, e.window(req)
			runErr = r.steps(ctx)
		}
	}
	if cause := context.Cause(ctx); runErr != nil && cause != nil && cause != ctx.Err() {
		runErr = fmt.Errorf("%w (%v)", runErr, cause) // why it was stopped, not only that it was
	}
	// The run's record is written even when ctx was cancelled mid-run.
	err := e.DB.FinishRun(context.WithoutCancel(ctx), rec.ID, time.Now().UTC(), runErr)
	r.settleWorkbook(runErr == nil && err == nil)
	if err != nil {
		return rec, errors.Join(runErr, err)
	}
	final, err := e.DB.GetRun(context.WithoutCancel(ctx), rec.ID)
	if err != nil {
		return rec, errors.Join(runErr, err)
	}
	return final, runErr
}

// begin marks the queued run running from now, when its turn came, a
// night's window first widened back to the declines the night before left
// pending.
func (e *Env) begin(ctx context.Context, rec *store.Run, req *Request) error {
	start := time.Now().UTC()
	if req.Kind == "nightly" && e.PendingDays > 0 {
		var err error
		if *req, err = e.carryPending(ctx, *req); err != nil {
			return err
		}
		rec.WindowFrom = dateOnly(req.From)
	}
	return e.DB.BeginRun(context.WithoutCancel(ctx), *rec, start)
}

// carryPending widens a nightly window back to the earliest decline the last
// nightly run left pending, no further than PendingDays before its last day,
// so that it is judged again each night until it settles or expires, as a
// decline within the trailing days is. The whole window widens: one
// lingering order makes each night judge, and report, every day since.
func (e *Env) carryPending(ctx context.Context, req Request) (Request, error) {
	since := localMidnight(req.To.AddDate(0, 0, -e.PendingDays), e.Location)
	processed, ok, err := e.DB.EarliestPending(ctx, since)
	if err != nil || !ok {
		return req, err
	}
	if day := dateOnly(processed.In(e.Location)); day.Before(dateOnly(req.From)) {
		e.Logger.Info("window reaches back to a pending decline", "from", day.Format(time.DateOnly),
			"trailing_from", req.From.Format(time.DateOnly))
		req.From = day
	}
	return req, nil
}

// chain is the nightly chain's steps, in order. The tie-out comes before
// the push, so that a run whose numbers are wrong sends FlexCharge nothing;
// the push changes no count or amount (it only moves untransmitted verdicts
// to pushed, transmitted_late or push_failed), so the tie-out still holds
// for what the workbook publishes.
var chain = []step{
	{"ingest", ingest},
	{"pull orders", pullOrders},
	{"classify", classify},
	{"tie out", tieOut},
	{"push", push},
	{"workbook", writeWorkbook},
}

func (r *run) steps(ctx context.Context) error {
	for _, s := range chain {
		if err := r.stage(ctx, s); err != nil {
			return fmt.Errorf("run %d: %s: %w", r.id, s.name, err)
		}
	}
	return nil
}

func (r *run) stage(ctx context.Context, s step) error {
	start := time.Now()
	if err := r.env.DB.StartStage(ctx, r.id, s.name, start.UTC()); err != nil {
		return err
	}
	rows, detail, err := s.run(ctx, r)
	if err != nil {
		// The stage that failed keeps its end and why, as the others keep
		// theirs; a stop does not stop this record of it.
		ctx := context.WithoutCancel(ctx)
		if ferr := r.env.DB.FinishStage(ctx, r.id, s.name, time.Now().UTC(), rows, "failed: "+err.Error()); ferr != nil {
			r.env.Logger.Error("record failed stage", "run", r.id, "stage", s.name, "err", ferr)
		}
		return err
	}
	r.env.Logger.Info("stage finished", "run", r.id, "stage", s.name, "rows", rows, "detail", detail,
		"seconds", time.Since(start).Seconds())
	return r.env.DB.FinishStage(ctx, r.id, s.name, time.Now().UTC(), rows, detail)
}

func classify(ctx context.Context, r *run) (int64, string, error) {
	timings, err := r.env.DB.Classify(ctx, r.id, r.window, r.req.AsOf)
	if err != nil {
		return 0, timings, err
	}
	judged, err := r.env.DB.VerdictCount(ctx, r.id)
	return judged, timings, err
}

// tieOut refuses to publish a run whose states do not add up.
func tieOut(ctx context.Context, r *run) (int64, string, error) {
	bad, err := r.env.DB.TieOut(ctx, r.id, r.window)
	if err != nil || len(bad) == 0 {
		return 0, "ties out", err
	}
	m := bad[0]
	return int64(len(bad)), "", fmt.Errorf("%w: %s of merchant %s %s: %d transactions %d minor units should have them, %d transactions %d minor units do",
		ErrTieOut, m.States, m.Merchant, m.Currency, m.LedgerCount, m.LedgerAmount, m.StateCount, m.StateAmount)
}
