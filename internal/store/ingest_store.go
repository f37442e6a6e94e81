package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// storeStage moves the staged file into the ledger in one transaction. It
// dates p by its business date once known: a file refused after that (the
// replacement guards) is recorded as of the day it would have replaced,
// so that ops see which day's export was refused, a dateless file too.
func (db *DB) storeStage(ctx context.Context, conn *sqlx.Conn, p *plan) (LoadOutcome, error) {
	var out LoadOutcome
	if err := conn.SelectContext(ctx, &out.Problems, db.q.ListStageProblems, problemSample); err != nil {
		return out, err
	}
	if err := conn.GetContext(ctx, &out.Quarantined, db.q.CountStageProblems); err != nil {
		return out, err
	}
	records, err := db.stagedRecords(ctx, conn, *p)
	if err != nil {
		return out, err
	}
	day, err := db.businessDate(ctx, conn, *p)
	if err != nil {
		return out, err
	}
	p.File.BusinessDate = day
	if err := db.execTemplate(ctx, conn, *p, "unordered"); err != nil {
		return out, err
	}
	defer db.execTemplate(context.WithoutCancel(ctx), conn, *p, "ordered")
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return out, err
	}
	if err := db.storeInTx(ctx, tx, *p, day, records-out.Quarantined, &out); err != nil {
		tx.Rollback()
		return out, err
	}
	out.Outcome = "loaded"
	return out, tx.Commit()
}

// storeInTx stores the staged file, of rows to store, as the file of day
// in force. A file the replacement guards refuse is refused before any of
// it is stored: the stage knows its rows and ids, and storing a million
// rows to roll them back cost most of a refused load's time.
func (db *DB) storeInTx(ctx context.Context, tx *sqlx.Tx, p plan, day time.Time, rows int64, out *LoadOutcome) error {
	lf := p.LoadFile
	live, err := db.liveFile(ctx, tx, lf.File.Source, day)
	if err != nil {
		return err
	}
	if err := db.refuseReplacement(ctx, tx, lf, live, rows, out.Quarantined); err != nil {
		return err
	}
	earlier := live.ID
	if err := tx.GetContext(ctx, &out.FileID, db.q.InsertFile, lf.File.Source, lf.File.Name, lf.File.SHA256,
		lf.File.Size, day, 0, out.Quarantined, 0, "loaded", nullString(lf.File.DateNote), time.Now().UTC(), lf.RunID); err != nil {
		return err
	}
	if earlier != 0 {
		if err := db.putOutOfForce(ctx, tx, earlier, out.FileID, lf.Replace); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, db.q.StageOccurrences); err != nil {
		return err
	}
	if err := db.renumberRepeats(ctx, tx); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, db.q.StoreStage, out.FileID)
	if err != nil {
		return cleanCSVError(err, p.fileLine)
	}
	if out.Rows, err = res.RowsAffected(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q.StoreQuarantine, out.FileID); err != nil {
		return err
	}
	if err := tx.GetContext(ctx, &out.Duplicates, db.q.CountStoredDuplicates); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q.SetFileCounts, out.FileID, out.Rows, out.Duplicates); err != nil {
		return err
	}
	if earlier != 0 {
		out.Replacement = &Replacement{BusinessDate: day, Name: lf.File.Name, Rows: out.Rows,
			EarlierID: earlier, Earlier: live.Name, EarlierRows: live.Rows, LoadedBy: lf.RunID, Forced: lf.Replace}
	}
	return db.recordSeen(ctx, tx, lf.File)
}

// putOutOfForce replaces the earlier file of a day by file, forced when ops
// put it in force with ingest --replace (file-by-hash says what that keeps
// out). The earlier file's rows and quarantine stay: the runs that judged
// them still read them. Later runs see only the files in force.
func (db *DB) putOutOfForce(ctx context.Context, tx *sqlx.Tx, earlier, file int64, forced bool) error {
	if _, err := tx.ExecContext(ctx, db.q.ReplaceFile, earlier, file); err != nil {
		return err
	}
	if forced {
		if _, err := tx.ExecContext(ctx, db.q.MarkForced, file); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, db.q.ReplacedRepeats, earlier); err != nil {
		return err
	}
	return db.renumberRepeats(ctx, tx)
}

// renumberRepeats numbers repeat_rows, the rows of the repeated transaction
// ids a load touches, and writes the stored ones' new numbers.
func (db *DB) renumberRepeats(ctx context.Context, tx *sqlx.Tx) error {
	for _, q := range []string{db.q.NumberRepeats, db.q.RenumberStored} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// liveFile is the source's file in force for a business day; its ID is 0
// when there is none. Day is the day, which a refusal names: a dateless
// file's day is read from its rows, and its name does not say it.
type liveFile struct {
	ID   int64     `db:"id"`
	Name string    `db:"name"`
	Rows int64     `db:"rows"`
	Day  time.Time `db:"-"`
}

// refuseEmptyReplacement refuses a file with no records to store (rows)
// that would put the live file out of force: more likely a broken export (or
// a changed format, every row quarantined) than a day without transactions.
// A file of only quarantined rows may replace another such file.
func (live liveFile) refuseEmptyReplacement(rows, quarantined int64) error {
	if live.ID == 0 || rows > 0 || live.Rows == 0 && quarantined > 0 {
		return nil
	}
	return fmt.Errorf("%w: the file has no records to store (%d quarantined), and would put the earlier file of %s (%d, %d rows) out of force",
		ErrRejected, quarantined, live.Day.Format(time.DateOnly), live.ID, live.Rows)
}

// stagedRecords counts the staged file's records, quarantined or not.
func (db *DB) stagedRecords(ctx context.Context, conn *sqlx.Conn, p plan) (int64, error) {
	count, err := p.render(db.q, "count")
	if err != nil {
		return 0, err
	}
	var records int64
	if err := conn.GetContext(ctx, &records, count); err != nil {
		return 0, cleanCSVError(err, p.fileLine)
	}
	return records, nil
}

// refuseReplacement refuses a staged file, of rows to store and quarantined
// ones, that would put the live file out of force while empty
// (refuseEmptyReplacement) or unlike it (guardReplacement). Load and check
// both ask it.
func (db *DB) refuseReplacement(ctx context.Context, q sqlx.QueryerContext, lf LoadFile, live liveFile, rows, quarantined int64) error {
	if err := live.refuseEmptyReplacement(rows, quarantined); err != nil {
		return err
	}
	return db.guardReplacement(ctx, q, lf, live, rows)
}

// guardReplacement refuses, unless ops said to replace (LoadFile.Replace),
// a file that would put the live file out of force while unlike it
// (refuseUnlikeReplacement). The staged file is read for the transaction
// ids it shares only when it has a live file to replace.
func (db *DB) guardReplacement(ctx context.Context, q sqlx.QueryerContext, lf LoadFile, live liveFile, rows int64) error {
	if lf.Replace || live.ID == 0 || live.Rows == 0 {
		return nil
	}
	shares := true
	if rows*2 >= live.Rows {
		if err := sqlx.GetContext(ctx, q, &shares, db.q.StageSharesIDs, live.ID); err != nil {
			return err
		}
	}
	return live.refuseUnlikeReplacement(lf.File, rows, shares)
}

// refuseUnlikeReplacement refuses a file f, with rows to store, that
// would replace the live file while holding fewer than half its rows, or
// none of its transaction ids. A correction restates the day's export with
// a few rows fixed; a cut-off export (the partner's job died half-way), or
// a small file of another day's stragglers dated by most of its rows, would
// silently put the rest of the day out of force, and the next run would
// report it gone. Ops put such a file in force with ingest --replace.
func (live liveFile) refuseUnlikeReplacement(f ledger.File, rows int64, shares bool) error {
	var unlike string
	switch {
	case rows*2 < live.Rows:
		unlike = "fewer than half its rows"
	case !shares:
		unlike = "none of its transaction ids"
	default:
		return nil
	}
	return fmt.Errorf("%w: %s (%s) would replace the file in force for %s, %s (%s), with %s: more likely a cut-off or another day's export than a correction; "+
		"if it is the day's true export, put it in force with: flexrecon ingest --replace %s --config F --source %s",
		ErrRejected, f.Name, countRows(rows), live.Day.Format(time.DateOnly), live.Name, countRows(live.Rows), unlike, f.Name, f.Source)
}

func (db *DB) liveFile(ctx context.Context, q sqlx.QueryerContext, source string, day time.Time) (liveFile, error) {
	live := liveFile{Day: day}
	err := sqlx.GetContext(ctx, q, &live, db.q.LiveFileForDate, source, day)
	if errors.Is(err, sql.ErrNoRows) {
		return live, nil
	}
	return live, err
}

// execTemplate runs one of the templates of ingest.sql that take no
// arguments.
func (db *DB) execTemplate(ctx context.Context, conn *sqlx.Conn, p plan, name string) error {
	query, err := p.render(db.q, name)
	if err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, query)
	return err
}

// businessDate is the date in the file's name, else the processing day
// holding most of its rows (stage-business-date says why not the earliest);
// of a name spelling several days, that day if it is one of them, else the
// first (ledger.NameDate says why).
func (db *DB) businessDate(ctx context.Context, conn *sqlx.Conn, p plan) (time.Time, error) {
	if !p.File.BusinessDate.IsZero() {
		return p.File.BusinessDate, nil
	}
	var day sql.NullTime
	if err := conn.GetContext(ctx, &day, db.q.StageBusinessDate, p.zone.String()); err != nil {
		return time.Time{}, cleanCSVError(err, p.fileLine)
	}
	if days := p.File.NameDays; len(days) > 1 && !(day.Valid && slices.ContainsFunc(days, day.Time.Equal)) {
		return days[0], nil
	}
	if !day.Valid {
		// Files without a date would all be one day's, each replacing the last.
		return time.Time{}, fmt.Errorf("%w: no business date: the file's name has no date and no row has a valid processed_at", ErrRejected)
	}
	return day.Time, nil
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// DuckDB's read errors may echo the offending line, which could carry a
// card number: only the line number and a known reason are kept from a CSV
// error, and only the first line, cut before any echo, from the others.
var (
	csvErrorLine = regexp.MustCompile(`CSV Error on Line: ([0-9]+)`)
	csvReason    = regexp.MustCompile(`Value with unterminated quote found|Expected Number of Columns: [0-9]+ Found: [0-9]+|Invalid unicode \(byte sequence mismatch\) detected|Maximum line size of [0-9]+ bytes exceeded`)
	echo         = regexp.MustCompile(`(?s)\s*(Original Line|Input):.*`)
)

// cleanCSVError is a DuckDB read error without the text it echoes, as a
// rejection; fileLine, when not nil, turns the line a CSV error names into
// the file's line. The machine's failing is no rejection, and is kept as is.
func cleanCSVError(err error, fileLine func(n int64) int64) error {
	if machineFailure(err) {
		return err // no read error, and DuckDB's message quotes no line
	}
	msg := err.Error()
	if m := csvErrorLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.ParseInt(m[1], 10, 64)
		if fileLine != nil {
			line = fileLine(line)
		}
		reason := csvReason.FindString(msg)
		if reason == "" {
			reason = "malformed CSV"
		}
		return fmt.Errorf("%w: line %d: %s", ErrRejected, line, strings.ToLower(reason[:1])+reason[1:])
	}
	first, _, _ := strings.Cut(msg, "\n")
	return fmt.Errorf("%w: %s", ErrRejected, strings.TrimSpace(echo.ReplaceAllString(first, "")))
}
