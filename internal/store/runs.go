package store

import (
	"context"
	"time"
)

// Run is one execution of the reconciliation chain.
type Run struct {
	ID         int64      `db:"id" json:"id"`
	Kind       string     `db:"kind" json:"kind"`
	WindowFrom time.Time  `db:"window_from" json:"window_from"`
	WindowTo   time.Time  `db:"window_to" json:"window_to"`
	AsOf       time.Time  `db:"as_of" json:"as_of"`
	Merchant   string     `db:"merchant" json:"merchant"`
	DryRun     bool       `db:"dry_run" json:"dry_run"`
	Status     string     `db:"status" json:"status"`
	QueuedAt   time.Time  `db:"queued_at" json:"queued_at"`
	StartedAt  *time.Time `db:"started_at" json:"started_at"`   // nil until its turn comes, and for good if it never does
	FinishedAt *time.Time `db:"finished_at" json:"finished_at"` // nil while queued or running
	ConfigHash string     `db:"config_hash" json:"config_hash"`
	Version    string     `db:"version" json:"version"`
	Error      string     `db:"error" json:"error"`
	// Workbook is where the run wrote its workbook: a path on the server,
	// which no client has use for (the API answers a download URL instead).
	Workbook string `db:"workbook" json:"-"`
	// WorkbookSHA256 (hex) and WorkbookSize are the workbook's as the run
	// wrote it; "" and 0 for a run that recorded none.
	WorkbookSHA256 string `db:"workbook_sha256" json:"-"`
	WorkbookSize   int64  `db:"workbook_size" json:"-"`
	// Backfill and ResendInDoubt are what the run was asked (jobs.Request):
	// push past the age limit, and send again what FlexCharge may hold.
	Backfill      bool `db:"backfill" json:"backfill"`
	ResendInDoubt bool `db:"resend_in_doubt" json:"resend_in_doubt"`
}

// KindAsked is the run's kind with what it was asked that changes what it
// does (Asked), as every list of runs says it.
func (r Run) KindAsked() string {
	return r.Kind + Asked(r.DryRun, r.Backfill, r.ResendInDoubt)
}

// Asked says what a run is asked beyond its kind: a dry run sends nothing,
// while a backfill or a resend of pushes in doubt may send FlexCharge what a
// plain run would not, so ops reading a list of runs must see which did.
func Asked(dryRun, backfill, resendInDoubt bool) string {
	var s string
	if dryRun {
		s += " (dry run)"
	}
	if backfill {
		s += " (backfill)"
	}
	if resendInDoubt {
		s += " (resending pushes in doubt)"
	}
	return s
}

// WorkbookFile is a workbook as written: where, and its digest.
type WorkbookFile struct {
	Path   string
	SHA256 string // hex
	Size   int64
}

// Took is how long r took from its start to its end, its wait for its
// turn aside; ok is false until it has both.
func (r Run) Took() (d time.Duration, ok bool) {
	if r.StartedAt == nil || r.FinishedAt == nil {
		return 0, false
	}
	return r.FinishedAt.Sub(*r.StartedAt), true
}

// StartRun records a run as running, started as it was queued (at
// r.QueuedAt), and returns it with its id.
func (db *DB) StartRun(ctx context.Context, r Run) (Run, error) {
	started := r.QueuedAt
	r.Status, r.StartedAt = "running", &started
	return db.insertRun(ctx, r)
}

// QueueRun records a run waiting its turn, queued at r.QueuedAt, and
// returns it with its id; BeginRun starts it.
func (db *DB) QueueRun(ctx context.Context, r Run) (Run, error) {
	r.Status, r.StartedAt = "queued", nil
	return db.insertRun(ctx, r)
}

func (db *DB) insertRun(ctx context.Context, r Run) (Run, error) {
	var merchant any
	if r.Merchant != "" {
		merchant = r.Merchant
	}
	err := db.db.GetContext(ctx, &r.ID, db.q.InsertRun, r.Kind, r.WindowFrom, r.WindowTo, r.AsOf,
		merchant, r.DryRun, r.QueuedAt, r.ConfigHash, r.Version, r.Status, r.StartedAt, r.Backfill, r.ResendInDoubt)
	return r, wrapf(err, "record run")
}

// BeginRun marks a queued run running from at, over its (final) window.
func (db *DB) BeginRun(ctx context.Context, r Run, at time.Time) error {
	_, err := db.db.ExecContext(ctx, db.q.BeginRun, r.ID, at, r.WindowFrom, r.WindowTo)
	return wrapf(err, "begin run %d", r.ID)
}

// FinishRun records how a run ended; runErr nil means it succeeded.
func (db *DB) FinishRun(ctx context.Context, id int64, at time.Time, runErr error) error {
	status, msg := "succeeded", any(nil)
	if runErr != nil {
		status, msg = "failed", runErr.Error()
	}
	_, err := db.db.ExecContext(ctx, db.q.FinishRun, id, status, at, msg)
	return wrapf(err, "finish run %d", id)
}

// SetRunWorkbook records where a run's workbook was written, and its digest.
func (db *DB) SetRunWorkbook(ctx context.Context, id int64, wb WorkbookFile) error {
	_, err := db.db.ExecContext(ctx, db.q.SetRunWorkbook, id, wb.Path, wb.SHA256, wb.Size)
	return wrapf(err, "record workbook of run %d", id)
}

// KeepOrderSites keeps the FlexCharge side of the run's Sites sheet as the
// orders are now, so that its workbook read later is the one it wrote.
func (db *DB) KeepOrderSites(ctx context.Context, id int64) error {
	_, err := db.db.ExecContext(ctx, db.q.KeepOrderSites, id)
	return wrapf(err, "keep the orders of run %d by site", id)
}

// KeepSiteDescriptors keeps the registry's site descriptors, by which the
// run's Sites sheet shows a ledger row that names its site by URL alone, as
// they are now, so that its workbook read later is the one it wrote.
func (db *DB) KeepSiteDescriptors(ctx context.Context, id int64) error {
	_, err := db.db.ExecContext(ctx, db.q.KeepSiteDescriptors, id)
	return wrapf(err, "keep the site descriptors of run %d", id)
}

// StartStage and FinishStage time a stage of a run.
func (db *DB) StartStage(ctx context.Context, runID int64, stage string, at time.Time) error {
	_, err := db.db.ExecContext(ctx, db.q.StartStage, runID, stage, at)
	return wrapf(err, "start stage %s", stage)
}

// FinishStage records a stage's end, its row count and a short detail.
func (db *DB) FinishStage(ctx context.Context, runID int64, stage string, at time.Time, rows int64, detail string) error {
	_, err := db.db.ExecContext(ctx, db.q.FinishStage, runID, stage, at, rows, detail)
	return wrapf(err, "finish stage %s", stage)
}

// GetRun reads one run.
func (db *DB) GetRun(ctx context.Context, id int64) (Run, error) {
	var r Run
	err := db.db.GetContext(ctx, &r, db.q.GetRun, id)
	return r, wrapf(err, "get run %d", id)
}

// Runs lists the latest runs, newest first.
func (db *DB) Runs(ctx context.Context, limit int) ([]Run, error) {
	var rs []Run
	err := db.db.SelectContext(ctx, &rs, db.q.ListRuns, limit)
	return rs, wrapf(err, "list runs")
}

// AbandonRunning fails runs a dead process left running, ending each when
// it was last seen at work; at is when they were found, written in the
// error on loc's clock (the partner's).
func (db *DB) AbandonRunning(ctx context.Context, at time.Time, loc *time.Location) error {
	_, err := db.db.ExecContext(ctx, db.q.AbandonRunning, at, loc.String())
	return wrapf(err, "abandon unfinished runs")
}

// VerdictCount is how many transactions a run judged.
func (db *DB) VerdictCount(ctx context.Context, runID int64) (int64, error) {
	var n int64
	err := db.db.GetContext(ctx, &n, db.q.CountVerdicts, runID)
	return n, wrapf(err, "count verdicts of run %d", runID)
}

// StateCount is how many transactions or findings a run put in one state.
type StateCount struct {
	Kind  string `db:"kind" json:"kind"` // transmit, outcome or finding
	State string `db:"state" json:"state"`
	N     int64  `db:"n" json:"n"`
}

// StateCounts counts a run's transmit states, outcome states and findings.
func (db *DB) StateCounts(ctx context.Context, runID int64) ([]StateCount, error) {
	var out []StateCount
	err := db.db.SelectContext(ctx, &out, db.q.RunStateCounts, runID)
	return out, wrapf(err, "count states of run %d", runID)
}

// Verdict is one transaction's result in a run.
type Verdict struct {
	Merchant      string `db:"partner_merchant_id"`
	TransactionID string `db:"transaction_id"`
	Occurrence    int    `db:"occurrence"`
	TransmitState string `db:"transmit_state"`
	OutcomeState  string `db:"outcome_state"`
	Findings      string `db:"findings"` // sorted, ';'-separated
}

// Verdicts lists every transaction's verdict in a run.
func (db *DB) Verdicts(ctx context.Context, runID int64) ([]Verdict, error) {
	var out []Verdict
	err := db.db.SelectContext(ctx, &out, db.q.RunVerdicts, runID)
	return out, wrapf(err, "list verdicts of run %d", runID)
}

func wrapf(err error, format string, args ...any) error {
	wrap(&err, format, args...)
	return err
}
