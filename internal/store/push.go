package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
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

// RecordIntents writes the outbox rows of a batch in one transaction, before
// any of its calls is made.
func (db *DB) RecordIntents(ctx context.Context, ps []PushRecord) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, p := range ps {
			if _, err := tx.ExecContext(ctx, db.q.RecordIntent, p.Merchant, p.TransactionID, p.Env, p.MID, p.InDoubt, p.At, p.RunID); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapf(err, "record %d transmit intents", len(ps))
}

// RecordOutcomes stores a batch of answers (keys or failures) in the outbox
// and the run's push list, in one transaction. A dry run's or a too-old
// candidate's outcome goes to the run's list only.
func (db *DB) RecordOutcomes(ctx context.Context, ps []PushRecord) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, p := range ps {
			if err := db.recordOutcome(ctx, tx, p); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapf(err, "record %d transmit outcomes", len(ps))
}

func (db *DB) recordOutcome(ctx context.Context, tx *sqlx.Tx, p PushRecord) (err error) {
	switch p.Outcome {
	case "pushed":
		_, err = tx.ExecContext(ctx, db.q.RecordSent, p.Merchant, p.TransactionID, p.Key, p.RunClock)
	case "failed":
		_, err = tx.ExecContext(ctx, db.q.RecordFailed, p.Merchant, p.TransactionID, p.Error, p.Retryable, p.RunClock)
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.q.RecordPush, p.RunID, p.Merchant, p.TransactionID, p.Env, p.Outcome,
		nullString(p.Key), nullString(p.Error), p.InDoubt, p.At)
	return err
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
