package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jmoiron/sqlx"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// LoadFile is one ledger file to load: where it is and how to read it.
// IngestFile reads the header and maps it itself.
type LoadFile struct {
	File    ledger.File
	Format  ledger.Format  // "" or "auto" means from the file name
	Mapping ledger.Mapping // the zero Mapping reads a canonical CSV
	Zone    *time.Location // naive processing times, when Mapping.Zone is empty
	RunID   int64
	// Replace puts the file in force over its day's earlier file even where
	// the guard (refuseUnlikeReplacement) would refuse it: ops' word that a
	// much smaller or wholly different file is the day's true export
	// (flexrecon ingest --replace).
	Replace bool
	// Progress, when set, is told each step of the load as it starts
	// (IngestSteps of them); the caller draws a bar, store prints nothing.
	Progress func(step string)
}

// IngestSteps is how many times IngestFile calls LoadFile.Progress.
const IngestSteps = 4

// NewLoadFile builds the LoadFile of a file found in a source from the
// source's configured format, mapping and the configuration's zone. The
// format is worked out when the file is read: a file of no format its name
// tells (a spreadsheet in an inbox read with "auto") is then refused and
// recorded as any bad file is, so that the run's notices name it.
func NewLoadFile(f ledger.File, format string, m ledger.Mapping, zone *time.Location) (LoadFile, error) {
	if err := m.Validate(); err != nil {
		return LoadFile{}, fmt.Errorf("plan %s: mapping: %w", f.Name, err)
	}
	return LoadFile{File: f, Format: ledger.Format(format), Mapping: m, Zone: zone}, nil
}

// LoadOutcome says what loading a file did.
type LoadOutcome struct {
	FileID      int64
	Outcome     string // loaded | duplicate; "unchanged" from a caller that passed the file over
	Rows        int64
	Quarantined int64
	Duplicates  int64
	// Replacement is the earlier file of its day this one replaced, and what
	// that changed; nil when it replaced none.
	Replacement *Replacement
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

// IngestFile loads one file in bulk, hashing it first if it is not yet:
// DuckDB reads and validates it into a temporary stage, then one transaction
// stores the good rows, quarantines the bad ones and, for a corrected file,
// puts the version it replaces out of force. A file whose content is in
// force already (same hash) is a no-op; one whose content is only in a file
// out of force (a correction undone: A, then B, then A again) loads as a
// correction, unless a file ops forced put it out of force (file-by-hash).
// A rejected file is recorded and leaves stored data untouched.
func (db *DB) IngestFile(ctx context.Context, lf LoadFile) (out LoadOutcome, err error) {
	defer redactCards(&err)
	defer wrap(&err, "load ledger file %s", lf.File.Path)
	if out, dup, err := db.loadedBefore(ctx, &lf.File, lf.Replace); dup || err != nil {
		return out, err
	}
	conn, err := db.db.Connx(ctx)
	if err != nil {
		return out, err
	}
	defer conn.Close()
	defer db.clearStage(conn)
	p, err := db.plan(ctx, conn, lf)
	defer p.removeCopy()
	if err != nil {
		return out, db.reject(ctx, lf, err)
	}
	err = db.withIngestMemory(ctx, func() error {
		if err := db.stage(ctx, conn, p); err != nil {
			return db.reject(ctx, lf, err)
		}
		lf.step("store")
		if out, err = db.storeStage(ctx, conn, &p); errors.Is(err, ErrRejected) {
			return db.reject(ctx, p.LoadFile, err)
		}
		return err
	})
	return out, err
}

func (lf LoadFile) step(name string) {
	if lf.Progress != nil {
		lf.Progress(name)
	}
}

// FileUnchanged says whether f (found, not yet hashed) was read before with
// the same size and modification time: loaded, or found to be a copy of a
// loaded file. Such a file is not read again, even when the file it was
// read as is out of force now: a replaced export left in the inbox beside
// its correction must not come back every night. Sending it again (a copy
// or a touch, which changes its time) is what puts it back.
func (db *DB) FileUnchanged(ctx context.Context, f ledger.File) (bool, error) {
	var unchanged bool
	err := db.db.GetContext(ctx, &unchanged, db.q.FileUnchanged, f.Source, f.Name, f.Size, f.ModTime)
	return unchanged, wrapf(err, "look up file %s", f.Path)
}

// recordSeen records f as read, when its modification time says what was
// read (ledger.File.Settled); an unsettled file is read again next time.
func (db *DB) recordSeen(ctx context.Context, ex sqlx.ExecerContext, f ledger.File) error {
	if !f.Settled() {
		return nil
	}
	_, err := ex.ExecContext(ctx, db.q.RecordSeenFile, f.Source, f.Name, f.Size, f.ModTime, f.SHA256)
	return err
}

// loadedBefore hashes f if it is not yet and says whether its content is
// loaded already (loadedAlready): then the load is a no-op, a "duplicate"
// of that file, and f is recorded as seen, so that it is not read again.
func (db *DB) loadedBefore(ctx context.Context, f *ledger.File, replace bool) (LoadOutcome, bool, error) {
	if f.SHA256 == "" {
		if err := f.Hash(); err != nil {
			return LoadOutcome{}, false, err
		}
	}
	seen, err := db.loadedAlready(ctx, *f, replace)
	if err != nil || seen == 0 {
		return LoadOutcome{}, false, err
	}
	return LoadOutcome{FileID: seen, Outcome: "duplicate"}, true, db.recordSeen(ctx, db.db, *f)
}

// loadedAlready is the file with f's content that a load of f leaves as it
// is (file-by-hash); 0 when there is none. A load ops force (replace) may
// put back content a forced file put out of force.
func (db *DB) loadedAlready(ctx context.Context, f ledger.File, replace bool) (int64, error) {
	return db.fileByHash(ctx, db.q.FileByHash, f, replace)
}

// fileByHash is the file query finds by f's content and source, and any
// further arguments; 0 for none.
func (db *DB) fileByHash(ctx context.Context, query string, f ledger.File, args ...any) (int64, error) {
	var id int64
	err := db.db.GetContext(ctx, &id, query, append([]any{f.SHA256, f.Source}, args...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// stage makes ledger_file the view of the file, keeps the records that need
// a second look in ledger_stage and applies the whole-file checks.
func (db *DB) stage(ctx context.Context, conn *sqlx.Conn, p plan) error {
	for _, q := range []string{db.q.CreateLedgerStage, db.q.ClearLedgerStage} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	p.step("read")
	query, err := p.render(db.q, "stage")
	if err != nil {
		return err
	}
	recs, err := db.read(ctx, conn, &p, query)
	if err != nil {
		return err
	}
	if err := db.quarantineMalformedJSON(ctx, conn, p); err != nil {
		return err
	}
	if p.shifts, err = db.shiftLines(ctx, conn, p, recs.Shifts); err != nil {
		return err
	}
	// After every read of the file, DuckDB's and Go's: each must have read
	// the bytes hashed.
	if err := p.File.CheckUnchanged(); err != nil {
		return err
	}
	p.step("guard")
	if err := db.cardGuard(ctx, conn, p); err != nil {
		return err
	}
	p.step("validate")
	_, err = conn.ExecContext(ctx, db.q.StageProblems)
	return err
}

// shiftLines numbers a CSV's or JSON Lines file's records by the lines they
// begin on when some are not one a line (a quoted value spanning lines, a
// blank line): DuckDB numbers records, and a quarantined row must name the
// line a person finds it on. A CSV's shifts were read with its records
// (readRecords); a JSON Lines file's are read when its lines may shift.
func (db *DB) shiftLines(ctx context.Context, conn *sqlx.Conn, p plan, shifts []ledger.LineShift) ([]ledger.LineShift, error) {
	switch p.format {
	case ledger.Parquet:
		return nil, nil
	case ledger.JSONL:
		if may, err := db.linesMayShift(ctx, conn, p); err != nil || !may {
			return nil, err
		}
		var err error
		if shifts, err = ledger.LineShifts(p.File.Path, p.format, p.delim); err != nil {
			return nil, err
		}
	}
	if len(shifts) == 0 {
		return nil, nil
	}
	if err := db.insertLineShifts(ctx, conn, shifts); err != nil {
		return nil, err
	}
	return shifts, db.execTemplate(ctx, conn, p, "shift-lines")
}

// linesMayShift says whether a JSON Lines file must be read again, in Go,
// to place its records on their lines. The hash counted a plain file's
// lines: when they are its records, each record is on its own line, as
// most files are. The hash does not see a gzipped file's lines.
func (db *DB) linesMayShift(ctx context.Context, conn *sqlx.Conn, p plan) (bool, error) {
	lines, ok := p.File.Screen.Lines()
	if !ok || ledger.Compressed(p.File.Name) {
		return true, nil
	}
	count, err := p.render(db.q, "count")
	if err != nil {
		return false, err
	}
	var records int64
	if err := conn.GetContext(ctx, &records, count); err != nil {
		return false, err
	}
	return lines != records, nil
}

// insertLineShifts fills line_shifts, a chunk of the shifts at a time.
func (db *DB) insertLineShifts(ctx context.Context, conn *sqlx.Conn, shifts []ledger.LineShift) error {
	if _, err := conn.ExecContext(ctx, db.q.CreateLineShifts); err != nil {
		return err
	}
	from, moves := make([]int64, len(shifts)), make([]int64, len(shifts))
	for i, s := range shifts {
		from[i], moves[i] = s.Record, s.Shift
	}
	return execLists(ctx, conn, db.q.InsertLineShifts, from, moves)
}

// listChunk bounds how many rows one statement passes DuckDB as lists.
const listChunk = 100_000

// execLists runs query, which takes two lists of one length, a chunk of
// their items at a time.
func execLists[A, B any](ctx context.Context, conn *sqlx.Conn, query string, a []A, b []B) error {
	for i := 0; i < len(a); i += listChunk {
		end := min(i+listChunk, len(a))
		if _, err := conn.ExecContext(ctx, query, a[i:end], b[i:end]); err != nil {
			return err
		}
	}
	return nil
}

// fileLine is the line of the file that DuckDB's CSV errors call line n,
// read again to place it; DuckDB's n when it cannot be.
func (p plan) fileLine(n int64) int64 {
	if p.format != ledger.CSV {
		return n
	}
	shifts, err := ledger.LineShifts(p.File.Path, p.format, p.delim)
	if err != nil {
		return n
	}
	return ledger.FileLine(shifts, n)
}

// recordLine is the line a record would be on at one line a record, for the
// file's line: what card-columns, which numbers records, looks up.
func recordLine(line int64, shifts []ledger.LineShift) int64 {
	shift := int64(0)
	for _, s := range shifts {
		if line-1-s.Shift < s.Record {
			break
		}
		shift = s.Shift
	}
	return line - shift
}

// clearStage empties the stage so the values of a file do not linger on a
// pooled connection after it is loaded or rejected.
func (db *DB) clearStage(conn *sqlx.Conn) {
	conn.ExecContext(context.Background(), db.q.ClearLedgerStage)
}

// cardGuard rejects the file when any value looks like a full card number,
// naming the line and columns but never the value.
func (db *DB) cardGuard(ctx context.Context, conn *sqlx.Conn, p plan) error {
	var line int64
	if err := conn.GetContext(ctx, &line, db.q.FirstCardHit); err != nil || line == 0 {
		return err
	}
	p.line = recordLine(line, p.shifts)
	query, err := p.render(db.q, "card-columns")
	if err != nil {
		return err
	}
	var cols []string
	if err := conn.SelectContext(ctx, &cols, query); err != nil {
		return err
	}
	if len(cols) == 0 { // a JSON Lines record that is no object has no keys
		cols = []string{recordColumn}
	}
	return cardRejection(line, strings.Join(cols, ", "))
}

// recordColumn is the column a problem of a whole record names.
const recordColumn = "(record)"

// cardRejection refuses a file for a card number in columns on line,
// naming neither it nor the rest of the line.
func cardRejection(line int64, columns string) error {
	return fmt.Errorf("%w: line %d column %s: a value %s", ErrRejected, line, columns, cardLike)
}

// cardNameRejection refuses a file that names a column (a header's, a
// record's key) as a card number would, at place (namePlace).
func cardNameRejection(place string) error {
	return fmt.Errorf("%w: %s: the name %s", ErrRejected, place, cardLike)
}

// cardLike is what every card guard says of a card number it finds.
const cardLike = "looks like a full card number (13 to 19 digits passing Luhn); the file is not PCI-safe and nothing of it was loaded"

// reject records lf as refused whole for cause, unless cause is the
// machine's failing, not the file's (machineFailure): that one fails the
// run, and nothing is recorded, so the file is read again next time.
func (db *DB) reject(ctx context.Context, lf LoadFile, cause error) error {
	if machineFailure(cause) {
		return cause
	}
	if !errors.Is(cause, ErrRejected) {
		cause = fmt.Errorf("%w: %w", ErrRejected, cause)
	}
	_, err := db.db.ExecContext(ctx, db.q.InsertFile, lf.File.Source, lf.File.Name, lf.File.SHA256,
		lf.File.Size, nullDate(lf.File.BusinessDate), 0, 0, 0, "rejected", ledger.RedactCards(cause.Error()), time.Now().UTC(), lf.RunID)
	return errors.Join(cause, err)
}

// machineFailure says whether err is the machine's failing while a file
// loads, not the file's: out of memory, a full disk, a stop. A run that
// recorded such a file as rejected would succeed without its rows. A full
// disk is DuckDB's to say, or Go's when it writes a file's copy (unmarkJSON).
func machineFailure(err error) bool {
	var de *duckdb.Error
	if errors.As(err, &de) && (de.Type == duckdb.ErrorTypeOutOfMemory || de.Type == duckdb.ErrorTypeInterrupt ||
		de.Type == duckdb.ErrorTypeIO && strings.Contains(de.Msg, "No space left on device")) {
		return true
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// cardsRedacted is an error whose text has any card number it quotes from a
// file (a DuckDB error may quote a line) removed; errors.Is sees through it.
type cardsRedacted struct{ err error }

func (e cardsRedacted) Error() string { return ledger.RedactCards(e.err.Error()) }
func (e cardsRedacted) Unwrap() error { return e.err }

// redactCards makes *err a cardsRedacted: an ingest error is logged, shown
// and stored, and must never carry a card number.
func redactCards(err *error) {
	if *err != nil {
		*err = cardsRedacted{*err}
	}
}
