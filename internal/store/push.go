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

// PushCandidates lists what a run should transmit.
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
	At                                time.Time // when it happened, for the audit trail
	RunClock                          time.Time // the run's as-of, which lateness is judged by
}

// RecordIntents writes the outbox rows of a batch before any of its calls
// is made: appended in bulk, then made intents by one statement.
func (db *DB) RecordIntents(ctx context.Context, ps []PushRecord) error {
	return wrapf(db.viaPushBatch(ctx, ps, db.q.RecordIntents), "record %d transmit intents", len(ps))
}

// RecordOutcomes stores a batch of answers (keys or refusals) in the outbox,
// and every record of the batch, sent or not, in the run's push list.
func (db *DB) RecordOutcomes(ctx context.Context, ps []PushRecord) error {
	return wrapf(db.viaPushBatch(ctx, ps, db.q.RecordAnswers, db.q.RecordPushes), "record %d transmit outcomes", len(ps))
}

// viaPushBatch appends ps to push_batch and applies the merge statements in
// one transaction. One run pushes at a time, so the batch table is its own.
func (db *DB) viaPushBatch(ctx context.Context, ps []PushRecord, merges ...string) error {
	if len(ps) == 0 {
		return nil
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		exec := dc.(driver.ExecerContext)
		if _, err := exec.ExecContext(ctx, db.q.ClearPushBatch, nil); err != nil {
			return err
		}
		if err := appendPushes(dc.(driver.Conn), ps); err != nil {
			return err
		}
		return execInTx(ctx, dc.(driver.Conn), merges)
	})
}

func appendPushes(conn driver.Conn, ps []PushRecord) error {
	app, err := duckdb.NewAppenderFromConn(conn, "", "push_batch")
	if err != nil {
		return err
	}
	for _, p := range ps {
		err := app.AppendRow(p.RunID, p.Merchant, p.TransactionID, p.Env, p.MID, p.Outcome,
			nullString(p.Key), nullString(p.Error), p.InDoubt, p.Retryable, p.At, p.RunClock)
		if err != nil {
			app.Close()
			return err
		}
	}
	return app.Close()
}

func execInTx(ctx context.Context, conn driver.Conn, queries []string) error {
	tx, err := conn.(driver.ConnBeginTx).BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return err
	}
	for _, q := range queries {
		if _, err := conn.(driver.ExecerContext).ExecContext(ctx, q, nil); err != nil {
			tx.Rollback()
			return err
		}
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

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
