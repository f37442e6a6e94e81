package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Window is the span of processing times a run judges, and its days.
type Window struct {
	Start, End        time.Time // End is exclusive
	FirstDay, LastDay time.Time
	Merchant          string // "" for every merchant
}

// Mismatch is one merchant and currency whose states do not add up: its
// transmit states to the ledger's transactions, or its outcome states to its
// declines whose profile was on (States says which; Ledger* are the rows
// that should have them).
type Mismatch struct {
	States       string `db:"states"`
	Merchant     string `db:"merchant"`
	Currency     string `db:"currency"`
	LedgerCount  int64  `db:"ledger_count"`
	StateCount   int64  `db:"state_count"`
	LedgerAmount int64  `db:"ledger_amount"`
	StateAmount  int64  `db:"state_amount"`
}

// declineMargin is how far the ledger's and FlexCharge's clocks may
// disagree. FlexCharge creates an order when the gateway asks it to
// evaluate a decline, in real time, so an order made longer than that
// before a decline is not its evaluation, whatever attempt it names, nor one
// made longer than that after it, unless it names that very attempt.
const declineMargin = time.Hour

// lateEvaluation is how long after a decline an order naming that attempt
// may still be its evaluation (a gateway that asked late, or again):
// FlexCharge's window for a transaction, as for transmits (an assumption;
// the contract states none for /evaluate). An order FlexCharge completed
// then did charge the customer, and finance must see the decline rescued.
const lateEvaluation = 24 * time.Hour

// retryHorizon is how long after FlexCharge completed an order the
// merchant's own approval of the same order is taken for a retry of its
// decline, a double charge, where a run's window is long enough to hold
// both: dunning retries come within days (ten, twenty), and an order id
// reused by a monthly rebill comes back four weeks on or later, which is a
// new charge.
const retryHorizon = 21 * 24 * time.Hour

// OrdersFrom is the earliest an order may have been made that a run over w
// pairs with its declines: the run's pull must fetch from there.
func OrdersFrom(w Window) time.Time { return w.Start.Add(-declineMargin) }

// Classify judges every transaction of the window for a run: its switch in
// force, transmit state, outcome and findings, all in DuckDB. It returns how
// long each step took ("pair orders 4.10s, assign orders 3.00s, ..."), for the run's
// record of its stages.
func (db *DB) Classify(ctx context.Context, runID int64, w Window, asOf time.Time) (timings string, err error) {
	defer wrap(&err, "classify run %d", runID)
	conn, err := db.db.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, db.q.InsertionOrderOff); err != nil {
		return "", err
	}
	// The setting is the database's, not the connection's: put it back for
	// ingest, whose line numbers rely on it.
	defer conn.ExecContext(context.WithoutCancel(ctx), db.q.InsertionOrderOn)
	defer db.dropWorkingTables(conn)
	// The connection's working tables are made before the transaction:
	// DuckDB reads a table made inside one from transaction-local storage,
	// which made every later step a third slower. So the steps do not share
	// a snapshot, and they judge by a copy of the switches (run_switches).
	if err := db.defineJudging(ctx, conn); err != nil {
		return "", err
	}
	took, err := runSteps(ctx, conn, nil, []step{
		{"pair orders", db.q.ClassifyPairOrders, []any{w.Start, w.End, w.Merchant, asOf, declineMargin.Seconds(), lateEvaluation.Seconds()}},
		{"find repeats", db.q.ClassifyRepeatRows, []any{w.Start, w.End, w.Merchant}},
	})
	if err != nil {
		return "", err
	}
	early, err := db.pairEarlyFirsts(ctx, conn, w, asOf)
	if err != nil {
		return "", err
	}
	took, err = runSteps(ctx, conn, append(took, early...), []step{
		{"assign orders", db.q.ClassifyAssign, []any{w.Start, w.End}},
		{"assign repeats", db.q.ClassifyRepeats, []any{w.Start, w.End, w.Merchant}},
		{"drop pairs", db.q.DropOrderPairs, nil},
	})
	if err != nil {
		return "", err
	}
	if afterWorkingTables != nil {
		afterWorkingTables()
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	took, err = runSteps(ctx, tx, took, []step{
		{"results", db.q.ClassifyResults, []any{runID, w.Start, w.End, w.Merchant}},
		{"findings", db.q.ClassifyFindings, []any{runID, w.Start, w.End, w.Merchant,
			retryHorizon.Seconds(), declineMargin.Seconds(), lateEvaluation.Seconds()}},
		{"orphans", db.q.ClassifyOrphans, []any{runID, w.Start, w.End, w.Merchant}},
		{"extra orders", db.q.ClassifyExtraOrders, []any{runID}},
		{"quarantined", db.q.ClassifyQuarantined, []any{runID, w.FirstDay, w.LastDay}},
	})
	if err != nil {
		return "", err
	}
	return strings.Join(took, ", "), tx.Commit()
}

// defineJudging copies the switches the run judges by and defines the
// macros that judge: definitions, not steps of the work (no time, no plan).
func (db *DB) defineJudging(ctx context.Context, conn *sqlx.Conn) error {
	if _, err := conn.ExecContext(ctx, db.q.ClassifySwitches); err != nil {
		return fmt.Errorf("copy switches: %w", err)
	}
	if _, err := conn.ExecContext(ctx, db.q.ClassifyJudge); err != nil {
		return fmt.Errorf("define judging: %w", err)
	}
	return nil
}

// pairEarlyFirsts pairs the orders of the window's repeats whose first
// occurrence is before the window that pair-orders does not read: without
// it such a repeat found no order. The few there are bound the orders read,
// span by span; a night without any (most) reads none.
func (db *DB) pairEarlyFirsts(ctx context.Context, conn *sqlx.Conn, w Window, asOf time.Time) ([]string, error) {
	var spans []struct {
		First time.Time `db:"first"`
		Last  time.Time `db:"last"`
	}
	if err := conn.SelectContext(ctx, &spans, db.q.ClassifyEarlyFirsts, w.Start,
		declineMargin.Seconds(), lateEvaluation.Seconds()); err != nil {
		return nil, fmt.Errorf("find early first occurrences: %w", err)
	}
	var steps []step
	for _, s := range spans {
		steps = append(steps, step{"pair early first occurrences", db.q.ClassifyPairEarly, []any{
			s.First.Add(-declineMargin), s.Last.Add(lateEvaluation), w.Start, asOf,
			declineMargin.Seconds(), lateEvaluation.Seconds()}})
	}
	return runSteps(ctx, conn, nil, steps)
}

// afterWorkingTables, when set (by tests), runs between the working tables
// and the transaction that writes the run's verdicts.
var afterWorkingTables func()

// dropWorkingTables drops classification's temporary tables, so that a
// pooled connection does not hold millions of rows between runs.
func (db *DB) dropWorkingTables(conn *sqlx.Conn) {
	for _, q := range []string{db.q.DropOrderPairs, db.q.DropAssigned, db.q.DropRepeatedRows, db.q.DropRunSwitches} {
		conn.ExecContext(context.Background(), q)
	}
}

// step is one statement of a classification.
type step struct {
	name  string
	query string
	args  []any
}

// stepRunner is a connection or a transaction, which steps run on.
type stepRunner interface {
	sqlx.ExecerContext
	sqlx.QueryerContext
}

// stepPlanned, when set (by tests), is given each step's plan before it
// runs, so that a test can refuse a plan that would not scale.
var stepPlanned func(step, plan string)

// runSteps runs steps in order on ex, adding each one's time to took.
func runSteps(ctx context.Context, ex stepRunner, took []string, steps []step) ([]string, error) {
	for _, s := range steps {
		if stepPlanned != nil {
			if err := reportPlan(ctx, ex, s); err != nil {
				return took, err
			}
		}
		start := time.Now()
		if _, err := ex.ExecContext(ctx, s.query, s.args...); err != nil {
			return took, fmt.Errorf("%s: %w", s.name, err)
		}
		took = append(took, fmt.Sprintf("%s %.2fs", s.name, time.Since(start).Seconds()))
	}
	return took, nil
}

// reportPlan gives stepPlanned the physical plan DuckDB makes for s.
func reportPlan(ctx context.Context, ex sqlx.QueryerContext, s step) error {
	var plan []struct {
		Key  string `db:"explain_key"`
		Plan string `db:"explain_value"`
	}
	if err := sqlx.SelectContext(ctx, ex, &plan, "EXPLAIN "+s.query, s.args...); err != nil {
		return fmt.Errorf("plan %s: %w", s.name, err)
	}
	for _, p := range plan {
		stepPlanned(s.name, p.Plan)
	}
	return nil
}

// TieOut lists the merchants and currencies whose run states do not add up
// to the ledger's count and amount; an empty list means the run ties out.
func (db *DB) TieOut(ctx context.Context, runID int64, w Window) ([]Mismatch, error) {
	var out []Mismatch
	err := db.db.SelectContext(ctx, &out, db.q.TieOut, runID, w.Start, w.End, w.Merchant)
	return out, wrapf(err, "tie out run %d", runID)
}
