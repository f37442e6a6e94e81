package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// LoadFile is one ledger file to load: where it is and how to read it.
type LoadFile struct {
	File   ledger.File
	Fields []ledger.Field // canonical column ← the file's column
	Header []string       // every column of the file, in order
	Delim  rune
	Zone   *time.Location // for naive processing times
	RunID  int64
}

// LoadOutcome says what loading a file did.
type LoadOutcome struct {
	FileID      int64
	Outcome     string // loaded | replaced-earlier | duplicate | rejected
	Rows        int64
	Quarantined int64
	Duplicates  int64
	Replaced    int64 // the earlier version of the file this one replaced
	Problems    []Problem
}

// Problem is one quarantined value: where it is and what is wrong with it.
type Problem struct {
	Line   int64  `db:"line"`
	Column string `db:"column_name"`
	Reason string `db:"reason"`
}

// ErrRejected marks a file refused whole; nothing of it is stored.
var ErrRejected = errors.New("file rejected")

// problemSample bounds how many quarantined values a load reports back.
const problemSample = 20

// IngestFile loads one file in bulk: DuckDB reads and validates it into a
// temporary stage, then one transaction stores the good rows, quarantines the
// bad ones and, for a corrected file, removes the version it replaces.
// A file already loaded (same hash) is a no-op; a rejected file is recorded
// and leaves stored data untouched.
func (db *DB) IngestFile(ctx context.Context, lf LoadFile) (out LoadOutcome, err error) {
	defer wrap(&err, "load ledger file %s", lf.File.Path)
	if seen, ok, err := db.fileSeen(ctx, lf.File.SHA256); err != nil || ok {
		return LoadOutcome{FileID: seen, Outcome: "duplicate"}, err
	}
	conn, err := db.db.Connx(ctx)
	if err != nil {
		return out, err
	}
	defer conn.Close()
	if err := db.stage(ctx, conn, lf); err != nil {
		return out, db.reject(ctx, lf, err)
	}
	return db.storeStage(ctx, conn, lf)
}

func (db *DB) fileSeen(ctx context.Context, sha string) (int64, bool, error) {
	var f struct {
		ID      int64  `db:"id"`
		Outcome string `db:"outcome"`
	}
	err := db.db.GetContext(ctx, &f, db.q.FileByHash, sha)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return f.ID, err == nil, err
}

// stage reads the file into the temporary stage and applies the whole-file checks.
func (db *DB) stage(ctx context.Context, conn *sqlx.Conn, lf LoadFile) error {
	for _, q := range []string{db.q.CreateLedgerStage, db.q.ClearLedgerStage} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	query, err := render(db.q.StageCSV, readParams(lf, 0))
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, query); err != nil {
		return cleanCSVError(err)
	}
	if err := db.cardGuard(ctx, conn, lf); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, db.q.StageProblems)
	return err
}

// cardGuard rejects the file when any value looks like a full card number,
// naming the line and columns but never the value.
func (db *DB) cardGuard(ctx context.Context, conn *sqlx.Conn, lf LoadFile) error {
	var line int64
	if err := conn.GetContext(ctx, &line, db.q.FirstCardHit); err != nil || line == 0 {
		return err
	}
	cols, err := db.cardColumns(ctx, conn, lf, line)
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: line %d column %s: a value looks like a full card number (13 to 19 digits passing Luhn); the file is not PCI-safe and nothing of it was loaded",
		ErrRejected, line, strings.Join(cols, ", "))
}

func (db *DB) cardColumns(ctx context.Context, conn *sqlx.Conn, lf LoadFile, line int64) ([]string, error) {
	query, err := render(db.q.CardColumns, readParams(lf, line))
	if err != nil {
		return nil, err
	}
	hits := make([]sql.NullBool, len(lf.Header))
	dest := make([]any, len(hits))
	for i := range hits {
		dest[i] = &hits[i]
	}
	if err := conn.QueryRowxContext(ctx, query).Scan(dest...); err != nil {
		return nil, err
	}
	var cols []string
	for i, h := range hits {
		if h.Bool {
			cols = append(cols, lf.Header[i])
		}
	}
	return cols, nil
}

func (db *DB) reject(ctx context.Context, lf LoadFile, cause error) error {
	_, err := db.db.ExecContext(ctx, db.q.InsertFile, lf.File.Source, lf.File.Name, lf.File.SHA256,
		lf.File.Size, nullDate(lf.File.BusinessDate), 0, 0, 0, "rejected", cause.Error(), time.Now().UTC(), lf.RunID)
	return errors.Join(cause, err)
}
