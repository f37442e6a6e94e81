package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// AuditEntry is one thing a person (or the scheduler) did through the service.
type AuditEntry struct {
	ID     int64     `db:"id"`
	At     time.Time `db:"at"`
	Actor  string    `db:"actor"`
	Action string    `db:"action"`
	Detail string    `db:"detail"`
}

// Audit records who did what.
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	_, err := db.db.ExecContext(ctx, db.q.InsertAudit, e.At, e.Actor, e.Action, e.Detail)
	return wrapf(err, "record audit entry %s", e.Action)
}

// AuditLog lists the latest audit entries, newest first.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := db.db.SelectContext(ctx, &out, db.q.ListAudit, limit)
	return out, wrapf(err, "list audit log")
}

// EndSession records that the session whose id has digest ended (its user
// logged out) before its expiry.
func (db *DB) EndSession(ctx context.Context, digest string, expires time.Time) error {
	_, err := db.db.ExecContext(ctx, db.q.EndSession, digest, expires)
	return wrapf(err, "end session")
}

// EndedSessions drops the ended sessions past their expiry at now and
// returns the others, each digest with its expiry.
func (db *DB) EndedSessions(ctx context.Context, now time.Time) (map[string]time.Time, error) {
	if _, err := db.db.ExecContext(ctx, db.q.PruneEndedSessions, now); err != nil {
		return nil, wrapf(err, "prune ended sessions")
	}
	var rows []struct {
		Digest  string    `db:"session_digest"`
		Expires time.Time `db:"expires_at"`
	}
	if err := db.db.SelectContext(ctx, &rows, db.q.EndedSessions); err != nil {
		return nil, wrapf(err, "list ended sessions")
	}
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		out[r.Digest] = r.Expires
	}
	return out, nil
}

// IdempotencyKey is a POST /api/runs Idempotency-Key that started a run:
// its user, a digest of the key (the key itself is not kept), the run it
// asked and the run it started, at At.
type IdempotencyKey struct {
	User   string    `db:"user_name"`
	Digest string    `db:"key_digest"`
	Asked  string    `db:"asked"`
	RunID  int64     `db:"run_id"`
	At     time.Time `db:"created_at"`
}

// KeepIdempotencyKey records k, first dropping the keys older than oldest.
func (db *DB) KeepIdempotencyKey(ctx context.Context, k IdempotencyKey, oldest time.Time) error {
	if _, err := db.db.ExecContext(ctx, db.q.PruneIdempotency, oldest); err != nil {
		return wrapf(err, "prune idempotency keys")
	}
	_, err := db.db.ExecContext(ctx, db.q.KeepIdempotencyKey, k.User, k.Digest, k.Asked, k.RunID, k.At)
	return wrapf(err, "keep the idempotency key of run %d", k.RunID)
}

// FindIdempotencyKey finds the key of user with digest kept since oldest;
// found false if there is none.
func (db *DB) FindIdempotencyKey(ctx context.Context, user, digest string, oldest time.Time) (k IdempotencyKey, found bool, err error) {
	err = db.db.GetContext(ctx, &k, db.q.IdempotencyKey, user, digest, oldest)
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	return k, err == nil, wrapf(err, "find an idempotency key of %s", user)
}

// RunEnd is when the last succeeded run of a kind ended.
type RunEnd struct {
	Kind       string    `db:"kind"`
	FinishedAt time.Time `db:"finished_at"`
}

// LastSuccesses lists, per kind of run, when the last succeeded one ended.
func (db *DB) LastSuccesses(ctx context.Context) ([]RunEnd, error) {
	var out []RunEnd
	err := db.db.SelectContext(ctx, &out, db.q.LastSuccesses)
	return out, wrapf(err, "find the last succeeded runs")
}

// LastWholeRun is the last succeeded run over every merchant that was not a
// dry run, or 0.
func (db *DB) LastWholeRun(ctx context.Context) (int64, error) {
	var id int64
	err := db.db.GetContext(ctx, &id, db.q.LastWholeRun)
	return id, wrapf(err, "find the last whole run")
}

// LastNightlySuccess is the last business day a succeeded nightly run
// covered; ok is false when no nightly run ever succeeded.
func (db *DB) LastNightlySuccess(ctx context.Context) (day time.Time, ok bool, err error) {
	return db.optionalTime(ctx, "find last nightly run", db.q.LastNightlySuccess)
}

// NightlyCaughtUp is the last business day no nightly run is owed for: the
// last a succeeded nightly run covered, else the day before the first
// nightly run made, which failed; ok is false when none was ever made.
func (db *DB) NightlyCaughtUp(ctx context.Context) (day time.Time, ok bool, err error) {
	return db.optionalTime(ctx, "find the nights caught up", db.q.NightlyCaughtUp)
}

// EarliestPending is when the earliest decline the last succeeded nightly run
// (over every merchant) left pending was processed, looking no further back
// than since; ok is false when there is none.
func (db *DB) EarliestPending(ctx context.Context, since time.Time) (processed time.Time, ok bool, err error) {
	return db.optionalTime(ctx, "find pending declines", db.q.EarliestPending, since)
}

// optionalTime is the one time query answers, ok false when it is NULL;
// what says what failed.
func (db *DB) optionalTime(ctx context.Context, what, query string, args ...any) (time.Time, bool, error) {
	var t sql.NullTime
	if err := db.db.GetContext(ctx, &t, query, args...); err != nil {
		return time.Time{}, false, wrapf(err, "%s", what)
	}
	return t.Time, t.Valid, nil
}

// Doubts are the pushes in doubt no run has answered, whatever their day:
// N transactions, the oldest processed at Oldest (zero when none, or when
// the ledger in force holds none of them).
type Doubts struct {
	N      int64        `db:"n"`
	Oldest sql.NullTime `db:"oldest"`
}

// OpenDoubts counts the pushes in doubt no run has answered (open-doubts).
func (db *DB) OpenDoubts(ctx context.Context) (Doubts, error) {
	var d Doubts
	err := db.db.GetContext(ctx, &d, db.q.OpenDoubts)
	return d, wrapf(err, "count unanswered pushes in doubt")
}

// Stage is how one stage of a run went.
type Stage struct {
	Stage      string       `db:"stage"`
	StartedAt  time.Time    `db:"started_at"`
	FinishedAt sql.NullTime `db:"finished_at"`
	Rows       int64        `db:"rows"`
	Detail     string       `db:"detail"`
}

// RunStages lists a run's stages in the order they started: its manifest
// and, while it runs, its progress.
func (db *DB) RunStages(ctx context.Context, runID int64) ([]Stage, error) {
	var out []Stage
	err := db.db.SelectContext(ctx, &out, db.q.RunStages, runID)
	return out, wrapf(err, "list stages of run %d", runID)
}

// Exception is one finding of a run, as the run page lists it.
type Exception struct {
	Category      string `db:"category"`
	Merchant      string `db:"merchant"`
	Environment   string `db:"environment"`
	TransactionID string `db:"transaction_id"`
	FCOrderID     string `db:"fc_order_id"`
	Field         string `db:"field"`
	LedgerValue   string `db:"ledger_value"`
	FCValue       string `db:"fc_value"`
}

// RunExceptions lists up to limit findings of a run.
func (db *DB) RunExceptions(ctx context.Context, runID int64, limit int) ([]Exception, error) {
	var out []Exception
	err := db.db.SelectContext(ctx, &out, db.q.RunExceptions, runID, limit)
	return out, wrapf(err, "list exceptions of run %d", runID)
}
