package store

import (
	"cmp"
	"context"
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
// them), the column it is a spelling of, which those records are
// quarantined for, and the reason (json-misfit).
type respelling struct{ Key, Column, Reason string }

// respell settles spellings, the keys of a JSON Lines file that are one
// name but for case or the spaces around them (matched as a CSV's header
// names are), in the order the file first has them. A record that has one
// of them without the others is read under it: that one is the column, the
// first when no record has one alone. The others are respellings, which a
// record only ever has beside another spelling: a key named twice, which
// quarantines the record, as another key named twice does. Two spellings
// each alone in some record would read those records under two columns:
// that refuses the file, as a CSV header naming a column twice does, at
// the first record of the second.
func (db *DB) respell(ctx context.Context, conn *sqlx.Conn, p plan, spellings []string) (string, []respelling, error) {
	query, err := p.render(db.q, "json-keys-alone")
	if err != nil {
		return "", nil, err
	}
	var alone []keyPlace
	if err := conn.SelectContext(ctx, &alone, query, spellings); err != nil {
		return "", nil, err
	}
	column := spellings[0]
	if len(alone) > 0 {
		column = alone[0].Key
	}
	if len(alone) > 1 {
		place, err := alone[1].place(p)
		return "", nil, cmp.Or(err, fmt.Errorf("%w: %s: the key %q is the key %q of earlier records, spelt otherwise (keys are matched without regard to case)", ErrRejected, place, alone[1].Key, column))
	}
	var respelt []respelling
	for _, s := range spellings {
		if s != column {
			respelt = append(respelt, respelling{s, column, fmt.Sprintf("key %q appears twice, as %q and %q (keys are matched without regard to case)", column, column, s)})
		}
	}
	return column, respelt, nil
}

// jsonKeyPlace names the first record of a JSON Lines file that has key:
// "line 7 key 3", the line it is on and the key's place among its keys.
func (db *DB) jsonKeyPlace(ctx context.Context, conn *sqlx.Conn, p plan, key string) (string, error) {
	query, err := p.render(db.q, "json-key-place")
	if err != nil {
		return "", err
	}
	var at keyPlace
	if err := conn.GetContext(ctx, &at, query, key); err != nil {
		return "", err
	}
	return at.place(p)
}

// keyPlace is a key of a JSON Lines record: the record's number (from 1,
// as at one line a record) and the key's place among its keys.
type keyPlace struct {
	Key    string `db:"key"`
	Record int64  `db:"record"`
	Place  int64  `db:"place"`
}

// place names k as messages do: "line 7 key 3", the line the record is on
// (ledger.ReadRecords places it past blank lines).
func (k keyPlace) place(p plan) (string, error) {
	recs, err := ledger.ReadRecords(p.File.Path, ledger.JSONL, p.delim)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("line %d key %d", recs.Line(k.Record-1), k.Place), nil
}
