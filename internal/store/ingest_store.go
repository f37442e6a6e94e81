package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/jmoiron/sqlx"
)

// storeStage moves the staged file into the ledger in one transaction.
func (db *DB) storeStage(ctx context.Context, conn *sqlx.Conn, lf LoadFile) (LoadOutcome, error) {
	var out LoadOutcome
	if err := conn.SelectContext(ctx, &out.Problems, db.q.ListStageProblems, problemSample); err != nil {
		return out, err
	}
	if err := conn.GetContext(ctx, &out.Quarantined, db.q.CountStageProblems); err != nil {
		return out, err
	}
	day, err := db.businessDate(ctx, conn, lf)
	if err != nil {
		return out, err
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return out, err
	}
	if err := db.storeInTx(ctx, tx, lf, day, &out); err != nil {
		tx.Rollback()
		return out, err
	}
	out.Outcome = "loaded"
	return out, tx.Commit()
}

func (db *DB) storeInTx(ctx context.Context, tx *sqlx.Tx, lf LoadFile, day time.Time, out *LoadOutcome) error {
	var earlier int64
	err := tx.GetContext(ctx, &earlier, db.q.LiveFileForDate, lf.File.Source, day)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err := tx.GetContext(ctx, &out.FileID, db.q.InsertFile, lf.File.Source, lf.File.Name, lf.File.SHA256,
		lf.File.Size, day, 0, out.Quarantined, 0, "loaded", nil, time.Now().UTC(), lf.RunID); err != nil {
		return err
	}
	if earlier != 0 {
		out.Replaced = earlier
		if err := db.execAll(ctx, tx, []string{db.q.DeleteFileRows, db.q.DeleteFileQuarantine}, earlier); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q.ReplaceFile, earlier, out.FileID); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, db.q.StoreStage, out.FileID)
	if err != nil {
		return err
	}
	if out.Rows, err = res.RowsAffected(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q.StoreQuarantine, out.FileID); err != nil {
		return err
	}
	if err := tx.GetContext(ctx, &out.Duplicates, db.q.CountStoredDuplicates, out.FileID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.q.SetFileCounts, out.FileID, out.Rows, out.Duplicates)
	return err
}

func (db *DB) execAll(ctx context.Context, tx *sqlx.Tx, queries []string, args ...any) error {
	for _, q := range queries {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// businessDate is the date in the file's name, else its earliest processing day.
func (db *DB) businessDate(ctx context.Context, conn *sqlx.Conn, lf LoadFile) (time.Time, error) {
	if !lf.File.BusinessDate.IsZero() {
		return lf.File.BusinessDate, nil
	}
	var day sql.NullTime
	err := conn.GetContext(ctx, &day, db.q.StageBusinessDate, lf.Zone.String())
	return day.Time, err
}

type readTemplate struct {
	Path, Delim, Zone, ColumnTypes string
	Fields                         any
	Line                           int64
}

func readParams(lf LoadFile, line int64) readTemplate {
	types := make([]string, len(lf.Header))
	for i, h := range lf.Header {
		types[i] = literal(h) + ": 'VARCHAR'"
	}
	return readTemplate{
		Path: literal(lf.File.Path), Delim: literal(string(lf.Delim)), Zone: literal(lf.Zone.String()),
		ColumnTypes: "{" + strings.Join(types, ", ") + "}", Fields: lf.Fields, Line: line,
	}
}

// render fills a query template. Every value reaching the SQL is quoted by
// literal or ident, never spliced raw.
func render(query string, data any) (string, error) {
	t, err := template.New("q").Funcs(template.FuncMap{"ident": ident}).Parse(query)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = t.Execute(&b, data)
	return b.String(), err
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// csvDetail keeps DuckDB's reason for refusing a file but drops the echo of
// the offending line, which could carry a card number.
var csvDetail = regexp.MustCompile(`(?s)\n?\s*Original Line:.*`)

func cleanCSVError(err error) error {
	return fmt.Errorf("%w: %s", ErrRejected, csvDetail.ReplaceAllString(err.Error(), ""))
}
