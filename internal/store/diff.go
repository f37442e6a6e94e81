package store

import (
	"context"
	"time"
)

// Change is one transaction's change between two runs.
type Change struct {
	Kind          string `db:"kind" json:"kind"` // one of ChangeKinds
	Merchant      string `db:"partner_merchant_id" json:"partner_merchant_id"`
	TransactionID string `db:"transaction_id" json:"transaction_id"`
	Occurrence    int    `db:"occurrence" json:"occurrence"`
	Before        string `db:"before" json:"before"`
	After         string `db:"after" json:"after"`
	OfKind        int    `db:"of_kind" json:"-"` // how many changes of its kind there are, listed or not
}

// ChangeKinds lists the kinds of Change in report order.
var ChangeKinds = []string{"newly_matched", "newly_broken", "pending_settled", "removed", "pushed", "confirmed", "push_lost"}

// SameWindowRunBefore is the latest succeeded run before runID over the same window
// and merchant (for a nightly run, the night before), or 0.
func (db *DB) SameWindowRunBefore(ctx context.Context, runID int64) (int64, error) {
	var id int64
	err := db.db.GetContext(ctx, &id, db.q.DiffPreviousRun, runID)
	return id, wrapf(err, "find the run before run %d", runID)
}

// Diff lists what changed from run before to run after, over the days both
// windows hold (days in loc, the runs' zone): at most perKind changes of
// each kind (perKind < 1: all), each counting its kind's.
func (db *DB) Diff(ctx context.Context, before, after int64, loc *time.Location, perKind int) ([]Change, error) {
	var out []Change
	err := db.db.SelectContext(ctx, &out, db.q.RunDiff, before, after, loc.String(), perKind)
	return out, wrapf(err, "compare run %d with run %d", after, before)
}
