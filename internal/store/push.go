package store

import (
	"context"
	"database/sql/driver"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// PushCandidate is an untransmitted transaction with what /transmit needs.
type PushCandidate struct {
	Merchant           string    `db:"partner_merchant_id"`
	MerchantName       string    `db:"merchant_name"`
	TransactionID      string    `db:"transaction_id"`
	OrderID            string    `db:"order_id"`
	Environment        string    `db:"environment"`
	MID                string    `db:"mid"`
	ProcessedAt        time.Time `db:"processed_at"`
	Amount             int64     `db:"amount"`
	Currency           string    `db:"currency"`
	Status             string    `db:"status"`
	Profile            string    `db:"profile"`
	IsRecurring        bool      `db:"is_recurring"`
	ResponseCode       string    `db:"response_code"`
	ResponseCodeSource string    `db:"response_code_source"`
	SiteURL            string    `db:"site_url"`
	Descriptor         string    `db:"descriptor"`
	SiteID             string    `db:"site_id"`
	CardBIN            string    `db:"card_bin"`
	CardLast4          string    `db:"card_last4"`
	InDoubt            bool      `db:"in_doubt"` // an earlier push never got its answer
}

// PushCandidates lists what a run should transmit, those FlexCharge may
// hold already (InDoubt) among them: they are sent only when ops ask.
func (db *DB) PushCandidates(ctx context.Context, runID int64) ([]PushCandidate, error) {
	var out []PushCandidate
	err := db.db.SelectContext(ctx, &out, db.q.PushCandidates, runID)
	return out, wrapf(err, "list push candidates of run %d", runID)
}

// PushRecord is what happened to one candidate in a run.
type PushRecord struct {
	RunID                             int64
	Merchant, TransactionID, Env, MID string
	Outcome                           string // pushed | failed | would_push | too_old
	Key, Error                        string
	InDoubt, Retryable                bool
	Local                             bool      // decided without a call: no intent in the outbox to answer
	At                                time.Time // when it happened, for the audit trail
	RunClock                          time.Time // the run's as-of, which lateness is judged by
}

// intentOutcome marks a staged row as an intent rather than an outcome.
const intentOutcome = "intent"

// RecordPushes stores, in one transaction, the outcomes of one batch (the
// answers of its calls in the outbox, every record in the run's push list)
// and the intents of the next batch, before any of that batch's calls is
// made. One commit per batch instead of two: each commit costs milliseconds.
func (db *DB) RecordPushes(ctx context.Context, outcomes, intents []PushRecord) error {
	err := db.viaPushBatch(ctx, outcomes, intents)
	return wrapf(err, "record %d transmit outcomes and %d intents", len(outcomes), len(intents))
}

// viaPushBatch appends the records to push_batch and from there to the
// outbox log and the push list, all in one transaction. One run pushes at a
// time, so the batch table is its own.
func (db *DB) viaPushBatch(ctx context.Context, outcomes, intents []PushRecord) error {
	if len(outcomes)+len(intents) == 0 {
		return nil
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		return inTx(ctx, dc.(driver.Conn), func(exec driver.ExecerContext) error {
			if _, err := exec.ExecContext(ctx, db.q.ClearPushBatch, nil); err != nil {
				return err
			}
			if err := appendPushes(dc.(driver.Conn), outcomes, intents); err != nil {
				return err
			}
			for _, q := range []string{db.q.RecordTransmits, db.q.RecordPushes} {
				if _, err := exec.ExecContext(ctx, q, nil); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

func appendPushes(conn driver.Conn, outcomes, intents []PushRecord) error {
	app, err := duckdb.NewAppenderFromConn(conn, "", "push_batch")
	if err != nil {
		return err
	}
	for i, p := range append(outcomes[:len(outcomes):len(outcomes)], intents...) {
		outcome := p.Outcome
		if i >= len(outcomes) {
			outcome = intentOutcome
		}
		err := app.AppendRow(p.RunID, p.Merchant, p.TransactionID, p.Env, p.MID, outcome,
			nullString(p.Key), nullString(p.Error), p.InDoubt, p.Retryable, p.At, p.RunClock, p.Local)
		if err != nil {
			app.Close()
			return err
		}
	}
	return app.Close()
}

func inTx(ctx context.Context, conn driver.Conn, fn func(driver.ExecerContext) error) error {
	tx, err := conn.(driver.ConnBeginTx).BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return err
	}
	if err := fn(conn.(driver.ExecerContext)); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// ApplyPushes updates a run's results with its pushes, and lists in-doubt pushes as findings.
func (db *DB) ApplyPushes(ctx context.Context, runID int64) error {
	if _, err := db.db.ExecContext(ctx, db.q.ApplyPushes, runID); err != nil {
		return wrapf(err, "apply pushes of run %d", runID)
	}
	_, err := db.db.ExecContext(ctx, db.q.InDoubtFindings, runID)
	return wrapf(err, "list in-doubt pushes of run %d", runID)
}

// DoubtsListedBefore counts the run's transactions in doubt that an earlier
// run listed, and this one does not list again.
func (db *DB) DoubtsListedBefore(ctx context.Context, runID int64) (int64, error) {
	var n int64
	err := db.db.GetContext(ctx, &n, db.q.DoubtsListedBefore, runID)
	return n, wrapf(err, "count in-doubt pushes listed before run %d", runID)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
