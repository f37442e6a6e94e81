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
// run then counts as those transactions' keys. The log is taken whole or
// rejected whole: a card number, a row without a key or a time, or a record
// with another number of fields than the header, rejects it naming the line,
// column and reason. The same file again is a no-op.
func (db *DB) IngestTransmitLog(ctx context.Context, f ledger.File, delim rune, runID int64) (out LoadOutcome, err error) {
	defer redactCards(&err)
	defer wrap(&err, "load transmit log %s", f.Path)
	if f.SHA256 == "" {
		if err := f.Hash(); err != nil {
			return out, err
		}
	}
	seen, err := db.loadedAlready(ctx, f)
	if err != nil {
		return out, err
	}
	if seen != 0 {
		return LoadOutcome{FileID: seen, Outcome: "duplicate"}, db.recordSeen(ctx, db.db, f)
	}
	lf := LoadFile{File: f, RunID: runID}
	log, err := checkTransmitLog(f, delim)
	if err != nil {
		return out, db.reject(ctx, lf, err)
	}
	conn, err := db.db.Connx(ctx)
	if err != nil {
		return out, err
	}
	defer conn.Close()
	defer conn.ExecContext(context.WithoutCancel(ctx), db.q.DropTransmitLogStage)
	if err := db.stageTransmitLog(ctx, conn, log); err != nil {
		return out, db.reject(ctx, lf, err)
	}
	out, err = db.storeTransmitLog(ctx, conn, lf)
	return out, err
}

// checkTransmitLog reads the log in Go before DuckDB does: its header, and
// each record's number of fields, since read_csv may take a record with a
// delimiter too many or too few with its values under other columns' names
// (a transmit key from another column), which no check of the values sees.
func checkTransmitLog(f ledger.File, delim rune) (checkedLog, error) {
	header, err := ledger.ReadHeader(f.Path, delim)
	if err != nil {
		return checkedLog{}, err
	}
	if err := checkTransmitLogHeader(header); err != nil {
		return checkedLog{}, err
	}
	shifts, err := checkTransmitLogFields(f.Path, delim, len(header))
	return checkedLog{File: f, delim: delim, header: header, shifts: shifts}, err
}

// checkedLog is a transmit log that checkTransmitLog read: its header, and
// where its records' lines shift (a quoted value spanning lines, a blank
// line), which DuckDB's rows do not show: kept from that read, not read
// again.
type checkedLog struct {
	ledger.File
	delim  rune
	header []string
	shifts []ledger.LineShift
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
			return cardNameRejection(i + 1)
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

// checkTransmitLogFields refuses a log cut off, or with a record of another
// number of fields than its header (which ReadHeader read as names names):
// the log is taken whole, so its first such record rejects it. It gives
// where the records' lines shift.
func checkTransmitLogFields(path string, delim rune, names int) ([]ledger.LineShift, error) {
	recs, err := ledger.ReadRecords(path, ledger.CSV, delim)
	if err != nil {
		return nil, err
	}
	if err := checkWhole(recs, names); err != nil {
		return nil, err
	}
	if len(recs.Misfits) > 0 {
		m := recs.Misfits[0]
		return nil, fmt.Errorf("line %d: %s", recs.Line(m.Record), misfitReason(m, recs.Header))
	}
	return recs.Shifts, nil
}

// stageTransmitLog reads the log in file order, numbers its rows by the
// lines they begin on, and refuses it at its first row that cannot be taken.
func (db *DB) stageTransmitLog(ctx context.Context, conn *sqlx.Conn, log checkedLog) error {
	if _, err := conn.ExecContext(ctx, db.q.InsertionOrderOn); err != nil {
		return err
	}
	stage := strings.Replace(db.q.StageTransmitLog, "{{columns}}", varcharColumns(stagedNames(log.header)), 1)
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
	return db.transmitLogProblem(ctx, conn)
}

// stagedNames are the header's names as the stage reads them: a column the
// log needs by its canonical name, any other by its place ("column 5"),
// since it is only card-checked. A header's own names, spliced into the
// read, could be empty (a delimiter ending every line), padded with spaces,
// or rowid, which would hide the stage's own row numbers.
func stagedNames(header []string) []string {
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(transmitLogColumns, names[i]) {
			names[i] = fmt.Sprintf("column %d", i+1)
		}
	}
	return names
}

// transmitLogProblem is the staged log's first row that cannot be taken,
// as an error naming its line; nil when every row can be.
func (db *DB) transmitLogProblem(ctx context.Context, conn *sqlx.Conn) error {
	var p Problem
	err := conn.GetContext(ctx, &p, db.q.TransmitLogProblem)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case p.Column == "":
		return fmt.Errorf("%w: line %d: %s", ErrRejected, p.Line, p.Reason)
	}
	return fmt.Errorf("%w: line %d column %s: %s", ErrRejected, p.Line, p.Column, p.Reason)
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
