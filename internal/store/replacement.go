package store

import (
	"context"
	"fmt"
	"time"
)

// Replacement is a ledger file put in force over the earlier file of its
// source and business date (a correction), with both files' rows.
type Replacement struct {
	BusinessDate time.Time `db:"business_date"`
	Name         string    `db:"name"`
	Rows         int64     `db:"rows"`
	EarlierID    int64     `db:"earlier_id"`
	Earlier      string    `db:"earlier_name"`
	EarlierRows  int64     `db:"earlier_rows"`
	// LoadedBy is the run that loaded the file (0: none, ingest outside
	// runs), and Forced whether ops forced it with ingest --replace: how a
	// correction a run took in, not loaded, came (Origin).
	LoadedBy int64 `db:"loaded_by"`
	Forced   bool  `db:"forced"`
}

// String says what the replacement changed, for a person: "b.csv replaces
// a.csv for 2026-11-24: 3 rows where there were 5012, fewer than half".
func (r Replacement) String() string {
	s := fmt.Sprintf("%s replaces %s for %s: %s", r.Name, r.Earlier, r.BusinessDate.Format(time.DateOnly), rowsWhere(r.Rows, r.EarlierRows))
	if r.Shrinks() {
		s += ", fewer than half"
	}
	return s
}

// Origin says how a correction a run took in came, for its ingest detail:
// "put in force by ingest --replace", "loaded by flexrecon ingest" or
// "loaded by run 7" (which failed, was a dry run or one merchant's).
func (r Replacement) Origin() string {
	switch {
	case r.Forced:
		return "put in force by ingest --replace"
	case r.LoadedBy == 0:
		return "loaded by flexrecon ingest"
	}
	return fmt.Sprintf("loaded by run %d", r.LoadedBy)
}

// Shrinks says whether the replacement puts fewer than half the rows of the
// file it replaced in force: a correction, or a cut-off export.
func (r Replacement) Shrinks() bool { return r.Rows*2 < r.EarlierRows }

// rowsWhere is "3 rows where there were 5012".
func rowsWhere(rows, earlier int64) string {
	were := "were"
	if earlier == 1 {
		were = "was"
	}
	return fmt.Sprintf("%s where there %s %d", countRows(rows), were, earlier)
}

func countRows(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}

// Replacements lists the replacements run runID names, in the order
// their files were loaded: those of the files it loaded, and those it took
// in (AdoptUnnamedCorrections).
func (db *DB) Replacements(ctx context.Context, runID int64) ([]Replacement, error) {
	var out []Replacement
	err := db.db.SelectContext(ctx, &out, db.q.RunReplacements, runID)
	return out, wrapf(err, "list replacements of run %d", runID)
}

// AdoptUnnamedCorrections takes into run runID the corrections no
// published run has named (FilesAwaitingRun) that it judges (a recorded
// run of every merchant whose window holds their day:
// adopt-unnamed-corrections), and returns them. Called before the run
// loads a file, so that what it returns is the corrections it took in, and
// no other.
func (db *DB) AdoptUnnamedCorrections(ctx context.Context, runID int64) ([]Replacement, error) {
	if _, err := db.db.ExecContext(ctx, db.q.AdoptUnnamedCorrections, runID); err != nil {
		return nil, wrapf(err, "take the corrections no run has named into run %d", runID)
	}
	return db.Replacements(ctx, runID)
}

// AwaitingFile is a correction no published run has named yet: loaded
// outside runs, or by a run that failed, a dry run or one merchant's, it
// waits for the next recorded run of every merchant whose window holds its
// day to succeed.
type AwaitingFile struct {
	Name         string    `db:"name"`
	BusinessDate time.Time `db:"business_date"`
	LoadedAt     time.Time `db:"loaded_at"`
}

// FilesAwaitingRun lists the corrections no published run has named, by
// day: one of a day no nightly window reaches waits for a run of that day,
// and ops must see that it does.
func (db *DB) FilesAwaitingRun(ctx context.Context) ([]AwaitingFile, error) {
	var out []AwaitingFile
	err := db.db.SelectContext(ctx, &out, db.q.FilesAwaitingRun)
	return out, wrapf(err, "list the corrections no run has named")
}

// FileNotices says, for a person, what a run's ingest changed of the files
// in force or left out: "correction: …" for each replacement, then
// "rejected: NAME: REASON" for each file refused whole, then "dated by its
// rows: NAME is of DAY: REASON" for each file whose name spells days that do
// not date it, which no other line of a run's summary would show.
func (db *DB) FileNotices(ctx context.Context, runID int64) ([]string, error) {
	replaced, err := db.Replacements(ctx, runID)
	if err != nil {
		return nil, err
	}
	var dated []struct {
		Name   string    `db:"name"`
		Day    time.Time `db:"business_date"`
		Reason string    `db:"reason"`
	}
	if err := db.db.SelectContext(ctx, &dated, db.q.RunFilesDatedAmongDays, runID); err != nil {
		return nil, wrapf(err, "list files run %d dated among the days their names spell", runID)
	}
	var rejected []struct {
		Name   string `db:"name"`
		Reason string `db:"reason"`
	}
	if err := db.db.SelectContext(ctx, &rejected, db.q.RunRejectedFiles, runID); err != nil {
		return nil, wrapf(err, "list files run %d rejected", runID)
	}
	var notices []string
	for _, r := range replaced {
		notices = append(notices, "correction: "+r.String())
	}
	for _, r := range rejected {
		notices = append(notices, fmt.Sprintf("rejected: %s: %s", r.Name, r.Reason))
	}
	for _, d := range dated {
		notices = append(notices, fmt.Sprintf("dated: %s is of %s: %s", d.Name, d.Day.Format(time.DateOnly), d.Reason))
	}
	return notices, nil
}
