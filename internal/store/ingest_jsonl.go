package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// quarantineMalformedJSON has Go read again the lines of a JSON Lines file
// that DuckDB read as no record, or as no object (json-misfit in
// ingest.sql): DuckDB keeps no text of the first, and its card guard reads
// only an object's keys and values, so it never saw either whole; nor does
// it say what is wrong with them. Each is quarantined with what Go finds wrong,
// unless it refuses the file (refuseJSONRecord). Quarantining such a line,
// not refusing the file at it, is what a CSV record of the wrong number of
// fields gets: DuckDB reads every line as one record or none either way, so
// the other records keep their lines.
func (db *DB) quarantineMalformedJSON(ctx context.Context, conn *sqlx.Conn, p plan) error {
	if p.format != ledger.JSONL {
		return nil
	}
	var records []int64
	if err := conn.SelectContext(ctx, &records, db.q.JSONMisfitRecords); err != nil || len(records) == 0 {
		return err
	}
	recs, err := ledger.ReadJSONRecords(p.File.Path, records)
	if err != nil {
		return err
	}
	if len(recs) != len(records) {
		return fmt.Errorf("the file reads as fewer records in Go than in DuckDB; nothing of it was loaded")
	}
	reasons := make([]string, len(recs))
	for i, r := range recs {
		if err := refuseJSONRecord(r); err != nil {
			return err
		}
		reasons[i] = cmp.Or(r.Problem, "malformed JSON")
	}
	return execLists(ctx, conn, db.q.SetJSONMisfitReasons, records, reasons)
}

// refuseJSONRecord refuses the file for a record Go read again that holds
// a card number, or that is its last line cut short: quarantining the cut
// record would load half a day as if whole.
func refuseJSONRecord(r ledger.JSONRecord) error {
	switch {
	case r.CardLike:
		return cardRejection(r.Line, recordColumn)
	case r.CutShort:
		return fmt.Errorf("%w: %s", ErrRejected, cutShort(r.Line))
	}
	return nil
}

// noJSONObject is why a JSON Lines file has no columns: it has no records,
// or its first (no JSON object, or one without keys) refuses it, since no
// record has any.
func noJSONObject(p plan) error {
	recs, err := ledger.ReadJSONRecords(p.File.Path, []int64{0})
	if err != nil || len(recs) == 0 {
		return cmp.Or(err, errNoRecords)
	}
	if err := refuseJSONRecord(recs[0]); err != nil {
		return err
	}
	return fmt.Errorf("line %d: %s; no record of the file is a JSON object with keys", recs[0].Line, cmp.Or(recs[0].Problem, "no keys"))
}

// respelling is a JSON Lines key that only ever appears in records beside
// another spelling of it (the two differ in case, or in spaces around
// them), and the reason those records are quarantined (json-misfit).
type respelling struct{ Key, Reason string }

// respelling is what becomes of key again, spelt as the earlier key first
// is but for case or spaces around it, names being matched as a CSV's
// header names are. A record that has it and not first would be read
// under another column than the records that have first: that refuses the
// file, as a CSV header naming a column twice does, at the first such
// record. A key only ever beside first is instead a key a record names
// twice, which quarantines the record, as another key named twice does.
func (db *DB) respelling(ctx context.Context, conn *sqlx.Conn, p plan, first, again string) (respelling, error) {
	place, err := db.jsonKeyPlace(ctx, conn, p, again, first)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return respelling{again, fmt.Sprintf("key %q appears twice, as %q and %q (keys are matched without regard to case)", first, first, again)}, nil
	case err != nil:
		return respelling{}, err
	}
	return respelling{}, fmt.Errorf("%w: %s: the key %q is the key %q of earlier records, spelt otherwise (keys are matched without regard to case)", ErrRejected, place, again, first)
}

// jsonKeyPlace names the first record of a JSON Lines file that has key and
// none of the keys without: "line 7 key 3", the line it is on and the key's
// place among its keys. sql.ErrNoRows when no record does.
func (db *DB) jsonKeyPlace(ctx context.Context, conn *sqlx.Conn, p plan, key string, without ...string) (string, error) {
	query, err := p.render(db.q, "json-key-place")
	if err != nil {
		return "", err
	}
	var at struct {
		Record int64 `db:"record"`
		Key    int64 `db:"key"`
	}
	if err := conn.GetContext(ctx, &at, query, key, without); err != nil {
		return "", err
	}
	recs, err := ledger.ReadRecords(p.File.Path, ledger.JSONL, p.delim)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("line %d key %d", recs.Line(at.Record-1), at.Key), nil
}
