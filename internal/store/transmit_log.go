package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// transmitLogColumns are the columns a transmit log must have, in any order
// and case; others are card-checked and ignored.
var transmitLogColumns = []string{"partner_merchant_id", "transaction_id", "transmit_key", "transmitted_at"}

// IngestTransmitLog loads a CSV of the keys /transmit returned (the columns
// of transmitLogColumns, transmitted_at in RFC 3339 with an offset), which a
// run then counts as those transactions' keys. Of lf's mapping, the
// delimiter and rows_end_in_delimiter apply. The log is taken whole or
// rejected whole: a card number, a row without a key or a time, or a record
// with another number of fields than its rows must have, rejects it naming
// the line, column and reason. The same file again is a no-op.
func (db *DB) IngestTransmitLog(ctx context.Context, lf LoadFile) (out LoadOutcome, err error) {
	defer redactCards(&err)
	defer wrap(&err, "load transmit log %s", lf.File.Path)
	if out, dup, err := db.loadedBefore(ctx, &lf.File, false); dup || err != nil {
		return out, err
	}
	conn, err := db.db.Connx(ctx)
	if err != nil {
		return out, err
	}
	defer conn.Close()
	defer conn.ExecContext(context.WithoutCancel(ctx), db.q.DropTransmitLogStage)
	if _, err := db.stageTransmitLog(ctx, conn, lf); err != nil {
		return out, db.reject(ctx, lf, err)
	}
	return db.storeTransmitLog(ctx, conn, lf)
}

// stageTransmitLog checks the log in Go, then reads it into the stage,
// refusing it at its first row that cannot be taken: what a load stores
// from. Any error is a reason to reject the log whole; the log it gives
// has its header when that was read.
func (db *DB) stageTransmitLog(ctx context.Context, conn *sqlx.Conn, lf LoadFile) (checkedLog, error) {
	log, err := checkTransmitLog(lf)
	if err != nil {
		return log, err
	}
	return log, db.readTransmitLog(ctx, conn, log)
}

// checkTransmitLog reads the log in Go before DuckDB does: its header, and
// each record's number of fields, since read_csv may take a record with a
// delimiter too many or too few with its values under other columns' names
// (a transmit key from another column), which no check of the values sees.
func checkTransmitLog(lf LoadFile) (log checkedLog, err error) {
	log = checkedLog{File: lf.File, rowsEndInDelimiter: lf.Mapping.RowsEndInDelimiter}
	if log.delim, err = lf.Mapping.Delim(); err != nil {
		return log, err
	}
	if log.header, err = ledger.ReadHeader(lf.File.Path, log.delim); err != nil {
		return log, err
	}
	if err := checkTransmitLogHeader(log.header); err != nil {
		return log, err
	}
	log.shifts, err = log.checkFields()
	return log, err
}

// checkedLog is a transmit log that checkTransmitLog read: its header, and
// where its records' lines shift (a quoted value spanning lines, a blank
// line), which DuckDB's rows do not show: kept from that read, not read
// again. rowsEndInDelimiter: each row, not the header, ends in a delimiter
// (the source's mapping says so).
type checkedLog struct {
	ledger.File
	delim              rune
	rowsEndInDelimiter bool
	header             []string
	shifts             []ledger.LineShift
}

// fileLine is the line of the log that DuckDB's CSV errors call line n.
func (l checkedLog) fileLine(n int64) int64 {
	return ledger.FileLine(l.shifts, n)
}

func checkTransmitLogHeader(header []string) error {
	have := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case ledger.CardLike(h):
			return cardNameRejection(fmt.Sprintf("line 1 column %d", i+1))
		case have[name] && name != "":
			// Which of two transmit_key columns holds the key, say, is
			// anyone's guess.
			return fmt.Errorf("line 1 column %d: the column %q is named twice", i+1, name)
		}
		have[name] = true
	}
	var missing []string
	for _, c := range transmitLogColumns {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("line 1: %w: %s", ledger.ErrMissingColumns, strings.Join(missing, ", "))
	}
	return nil
}

// checkFields refuses a log cut off, or with a record of another number of
// fields than its rows must have: its header's, and one more where each
// row ends in a delimiter. The log is taken whole, so its first such
// record rejects it. It gives where the records' lines shift.
func (l checkedLog) checkFields() ([]ledger.LineShift, error) {
	recs, err := ledger.ReadRecords(l.Path, ledger.CSV, l.delim)
	if err != nil {
		return nil, err
	}
	if err := checkWhole(recs, len(l.header)); err != nil {
		return nil, err
	}
	want := recs.Header
	if l.rowsEndInDelimiter {
		want++
	}
	if m, ok := firstRecordNotOf(recs, want); ok {
		return nil, fmt.Errorf("line %d: %s", recs.Line(m.Record), l.fieldsReason(m, recs))
	}
	return recs.Shifts, nil
}

// firstRecordNotOf is the first record with other than want fields. recs
// lists, in order, the records with other than the header's: where want is
// not the header's, a record missing from that list is one.
func firstRecordNotOf(recs ledger.Records, want int64) (ledger.Misfit, bool) {
	next := int64(1) // the first record not looked at
	for _, m := range recs.Misfits {
		if want != recs.Header && m.Record != next {
			break
		}
		if m.Fields != want {
			return m, true
		}
		next = m.Record + 1
	}
	if want != recs.Header && next <= recs.Count {
		return ledger.Misfit{Record: next, Fields: recs.Header}, true
	}
	return ledger.Misfit{}, false
}

// fieldsReason says why a record of the log has the wrong number of fields,
// with the ledger path's hint where every record has one more than the
// header.
func (l checkedLog) fieldsReason(m ledger.Misfit, recs ledger.Records) string {
	switch {
	case l.rowsEndInDelimiter:
		return fmt.Sprintf("%d fields, want %d: the header's %d and an empty one after the delimiter ending the row (rows_end_in_delimiter)",
			m.Fields, recs.Header+1, recs.Header)
	case everyRecordOneMore(recs):
		return misfitReason(m, recs.Header) + ": " + rowsEndHint
	}
	return misfitReason(m, recs.Header)
}

// readTransmitLog reads the log in file order, numbers its rows by the
// lines they begin on, and refuses it at its first row that cannot be taken.
func (db *DB) readTransmitLog(ctx context.Context, conn *sqlx.Conn, log checkedLog) error {
	if _, err := conn.ExecContext(ctx, db.q.InsertionOrderOn); err != nil {
		return err
	}
	stage := strings.Replace(db.q.StageTransmitLog, "{{columns}}", varcharColumns(log.stagedNames()), 1)
	if _, err := conn.ExecContext(ctx, stage, log.Path, string(log.delim), compression(log.Name)); err != nil {
		return cleanCSVError(err, log.fileLine)
	}
	// The check counted the fields of the bytes hashed; DuckDB read the file
	// again, and its rows' lines and problems are named by that count.
	if err := log.CheckUnchanged(); err != nil {
		return err
	}
	// Made even with no shifts, so that no earlier file's are read.
	if err := db.insertLineShifts(ctx, conn, log.shifts); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, db.q.TransmitLogLines); err != nil {
		return err
	}
	return db.transmitLogProblem(ctx, conn, log)
}

// stagedNames are the header's names as the stage reads them: a column the
// log needs by its canonical name, any other by its place ("column 5"),
// since it is only card-checked; and rowEndColumn, the field after the
// delimiter ending each row, where rows end in one. A header's own names,
// spliced into the read, could be empty (a delimiter ending every line),
// padded with spaces, or rowid, which would hide the stage's own row
// numbers.
func (l checkedLog) stagedNames() []string {
	names := make([]string, len(l.header))
	for i, h := range l.header {
		names[i] = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(transmitLogColumns, names[i]) {
			names[i] = fmt.Sprintf("column %d", i+1)
		}
	}
	if l.rowsEndInDelimiter {
		names = append(names, rowEndColumn)
	}
	return names
}

// rowEndColumn names, in the stage, the field after the delimiter ending
// each row, which transmit-log-problem wants empty. stagedNames stages no
// header name as written, so none can take it.
const rowEndColumn = "row_end"

// transmitLogProblem is the staged log's first row that cannot be taken,
// as an error naming its line; nil when every row can be.
func (db *DB) transmitLogProblem(ctx context.Context, conn *sqlx.Conn, log checkedLog) error {
	var p struct {
		Problem
		Card bool `db:"card"`
	}
	err := conn.GetContext(ctx, &p, db.q.TransmitLogProblem)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case p.Card:
		return db.transmitLogCardRejection(ctx, conn, log, p.Line)
	case p.Column == "":
		return fmt.Errorf("%w: line %d: %s", ErrRejected, p.Line, p.Reason)
	}
	return fmt.Errorf("%w: line %d column %s: %s", ErrRejected, p.Line, p.Column, p.Reason)
}

// transmitLogCardRejection refuses the log for a card number on line,
// naming the columns that hold one as an export's rejection does: by the
// header's names (card-checked), never the values.
func (db *DB) transmitLogCardRejection(ctx context.Context, conn *sqlx.Conn, log checkedLog, line int64) error {
	var staged []string
	if err := conn.SelectContext(ctx, &staged, db.q.TransmitLogCardCols, line); err != nil {
		return err
	}
	cols := make([]string, len(staged))
	for i, s := range staged {
		cols[i] = log.fileColumn(s)
	}
	return cardRejection(line, strings.Join(cols, ", "))
}

// fileColumn is the log's own name for a column as staged (stagedNames):
// the header's, or its place where the header has none (the field after
// the delimiter ending each row has none).
func (l checkedLog) fileColumn(staged string) string {
	i := slices.Index(l.stagedNames(), staged)
	switch {
	case i < 0:
		return staged
	case i < len(l.header) && strings.TrimSpace(l.header[i]) != "":
		return l.header[i]
	}
	return fmt.Sprintf("column %d", i+1)
}

func (db *DB) storeTransmitLog(ctx context.Context, conn *sqlx.Conn, lf LoadFile) (LoadOutcome, error) {
	out := LoadOutcome{Outcome: "loaded"}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return out, err
	}
	defer tx.Rollback()
	f := lf.File
	if err := tx.GetContext(ctx, &out.FileID, db.q.InsertFile, f.Source, f.Name, f.SHA256, f.Size, nil,
		0, 0, 0, "loaded", nil, time.Now().UTC(), lf.RunID); err != nil {
		return out, err
	}
	res, err := tx.ExecContext(ctx, db.q.StoreTransmitLog, out.FileID)
	if err != nil {
		return out, err
	}
	if out.Rows, err = res.RowsAffected(); err != nil {
		return out, err
	}
	if _, err := tx.ExecContext(ctx, db.q.SetFileCounts, out.FileID, out.Rows, 0); err != nil {
		return out, err
	}
	if err := db.recordSeen(ctx, tx, f); err != nil {
		return out, err
	}
	return out, tx.Commit()
}
