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

// Mismatch is one merchant and currency whose states do not add up.
type Mismatch struct {
	Merchant     string `db:"merchant"`
	Currency     string `db:"currency"`
	LedgerCount  int64  `db:"ledger_count"`
	StateCount   int64  `db:"state_count"`
	LedgerAmount int64  `db:"ledger_amount"`
	StateAmount  int64  `db:"state_amount"`
}

// Classify judges every transaction of the window for a run: its switch in
// force, transmit state, outcome and findings, all in DuckDB. It returns how
// long each step took ("judge 0.00s, pair orders 4.10s, ..."), for the run's
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
	defer conn.ExecContext(context.WithoutCancel(ctx), db.q.DropAssigned)
	defer conn.ExecContext(context.WithoutCancel(ctx), db.q.DropOrderPairs) // when a step before its drop failed
	var lastSwitch int64
	if err := conn.GetContext(ctx, &lastSwitch, db.q.LastSwitch); err != nil {
		return "", err
	}
	var took []string
	// The connection's working tables are made before the transaction:
	// DuckDB reads a table made inside one from transaction-local storage,
	// which made every later step a third slower. Every step judges by the
	// same switches (lastSwitch), though they do not share a snapshot.
	err = runSteps(ctx, conn, &took, []step{
		{"judge", db.q.ClassifyJudge, nil},
		{"pair orders", db.q.ClassifyPairOrders, []any{w.Start, w.End, w.Merchant, asOf, lastSwitch}},
		{"assign orders", db.q.ClassifyAssign, nil},
		{"assign repeats", db.q.ClassifyRepeats, []any{w.Start, w.End, w.Merchant}},
		{"drop pairs", db.q.DropOrderPairs, nil},
	})
	if err != nil {
		return "", err
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	err = runSteps(ctx, tx, &took, []step{
		{"results", db.q.ClassifyResults, []any{runID, w.Start, w.End, w.Merchant, lastSwitch}},
		{"findings", db.q.ClassifyFindings, []any{runID, w.Start, w.End, w.Merchant, lastSwitch}},
		{"orphans", db.q.ClassifyOrphans, []any{runID, w.Start, w.End, w.Merchant}},
		{"quarantined", db.q.ClassifyQuarantined, []any{runID, w.FirstDay, w.LastDay}},
	})
	if err != nil {
		return "", err
	}
	return strings.Join(took, ", "), tx.Commit()
}

// step is one statement of a classification.
type step struct {
	name  string
	query string
	args  []any
}

// runSteps runs steps in order on ex, adding each one's time to took.
func runSteps(ctx context.Context, ex sqlx.ExecerContext, took *[]string, steps []step) error {
	for _, s := range steps {
		start := time.Now()
		if _, err := ex.ExecContext(ctx, s.query, s.args...); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		*took = append(*took, fmt.Sprintf("%s %.2fs", s.name, time.Since(start).Seconds()))
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
