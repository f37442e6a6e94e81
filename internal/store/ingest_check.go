package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// Check is what loading a file would do, found by staging it and throwing
// the stage away: nothing is stored, not even the file's record.
type Check struct {
	File     ledger.File
	Format   ledger.Format
	Mapping  ledger.Mapping
	Fields   []ledger.Field // canonical column ← file column, with value maps
	Unmapped []string       // the file's columns no canonical column reads
	// Loaded is the file in force with the same content (a load would be a
	// no-op).
	Loaded int64
	// Restores is the latest file out of force (replaced) with the same
	// content, when none is in force: a load puts that content back.
	Restores     int64
	BusinessDate time.Time
	Replaces     int64 // the live file of the same source and date a load would replace
	ReplacesName string
	ReplacesRows int64
	// PassedOver: a run does not read the file, since one of its source and
	// name was read before with its size and modification time.
	PassedOver  bool
	Records     int64
	Quarantined int64
	Problems    []Problem // the first checkSample problems
	Rejected    string    // why the file would be refused whole; "" when it would load
	// Uncompared says why the check did not see the files loaded before
	// (Loaded and Replaces unknown); "" when it did.
	Uncompared string
}

// checkSample bounds the problems a check lists.
const checkSample = 50

// CheckFile shows how a file maps and what loading it would reject or
// quarantine, loading nothing. A file that would be rejected is not an
// error: the reason is in Check.Rejected.
func (db *DB) CheckFile(ctx context.Context, lf LoadFile) (c Check, err error) {
	defer redactCards(&err)
	defer wrap(&err, "check ledger file %s", lf.File.Path)
	return db.check(ctx, lf, Check{File: lf.File, Mapping: lf.Mapping}, db.inspectLedgerFile)
}

// inspector stages lf on conn as a load would and tells c what it finds;
// it clears what it staged.
type inspector func(ctx context.Context, conn *sqlx.Conn, lf LoadFile, c Check) (Check, error)

// check is c, a check of lf's file, with the files loaded before with its
// content (checkLoaded) and what inspect finds staging it on a connection
// of its own: what a ledger file's check and a transmit log's share.
func (db *DB) check(ctx context.Context, lf LoadFile, c Check, inspect inspector) (Check, error) {
	if err := db.checkLoaded(ctx, &c); err != nil {
		return c, err
	}
	conn, err := db.db.Connx(ctx)
	if err != nil {
		return c, err
	}
	defer conn.Close()
	return inspect(ctx, conn, lf, c)
}

// inspectLedgerFile stages a ledger file as IngestFile does; a file a load
// would reject is no error, but c.Rejected.
func (db *DB) inspectLedgerFile(ctx context.Context, conn *sqlx.Conn, lf LoadFile, c Check) (Check, error) {
	defer db.clearStage(conn)
	p, err := db.plan(ctx, conn, lf)
	defer p.removeCopy()
	c.Format, c.Fields, c.Unmapped = p.format, p.fields, unmapped(p.header, p.fields)
	if err == nil {
		err = db.stage(ctx, conn, p)
	}
	if err != nil {
		return c.rejected(err)
	}
	if err = db.checkStage(ctx, conn, p, &c); errors.Is(err, ErrRejected) {
		return c.rejected(err)
	}
	return c, err
}

// checkLoaded finds the files loaded before with the file's content, and
// whether a run would read it at all.
func (db *DB) checkLoaded(ctx context.Context, c *Check) (err error) {
	if c.Loaded, err = db.loadedAlready(ctx, c.File, false); err != nil || c.Loaded != 0 {
		return err
	}
	if c.Restores, err = db.fileByHash(ctx, db.q.ReplacedFileByHash, c.File); err != nil {
		return err
	}
	c.PassedOver, err = db.FileUnchanged(ctx, c.File)
	return err
}

// rejected is c with the reason a load would refuse the file for err; the
// machine's failing (machineFailure) is no reason, and fails the check as it
// would fail a run.
func (c Check) rejected(err error) (Check, error) {
	if machineFailure(err) {
		return c, err
	}
	c.Rejected = ledger.RedactCards(strings.TrimPrefix(err.Error(), ErrRejected.Error()+": "))
	return c, nil
}

func (db *DB) checkStage(ctx context.Context, conn *sqlx.Conn, p plan, c *Check) (err error) {
	if c.Records, err = db.stagedRecords(ctx, conn, p); err != nil {
		return err
	}
	if err = conn.SelectContext(ctx, &c.Problems, db.q.ListStageProblems, checkSample); err != nil {
		return err
	}
	if err = conn.GetContext(ctx, &c.Quarantined, db.q.CountStageProblems); err != nil {
		return err
	}
	if c.BusinessDate, err = db.businessDate(ctx, conn, p); err != nil {
		return err
	}
	live, err := db.liveFile(ctx, conn, p.File.Source, c.BusinessDate)
	if err != nil {
		return err
	}
	c.Replaces, c.ReplacesName, c.ReplacesRows = live.ID, live.Name, live.Rows
	return db.refuseReplacement(ctx, conn, p.LoadFile, live, c.Records-c.Quarantined, c.Quarantined)
}

func unmapped(header []string, fields []ledger.Field) []string {
	used := map[string]bool{}
	for _, f := range fields {
		used[f.Source] = true
	}
	var out []string
	for _, h := range header {
		if !used[h] {
			out = append(out, h)
		}
	}
	return out
}

// Refused says whether a load would reject the file whole: not one whose
// content is in force already, which a load leaves as it is whatever the
// mapping now makes of it.
func (c Check) Refused() bool { return c.Rejected != "" && c.Loaded == 0 }

// Write renders the check as text for a terminal.
func (c Check) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	format := cmp.Or(string(c.Format), "format unknown") // a name that tells none, the file refused
	fmt.Fprintf(tw, "file\t%s (%s, %d bytes, sha256 %.12s)\n", c.File.Name, format, c.File.Size, c.File.SHA256)
	c.writeMapping(tw)
	switch {
	case c.Refused():
		fmt.Fprintf(tw, "verdict\trejected whole, nothing would be loaded: %s\n", c.Rejected)
		return tw.Flush()
	case c.Rejected != "": // its content is loaded: nothing was read to count
		fmt.Fprintf(tw, "verdict\t%s (as mapped now, it would be rejected whole: %s)\n", c.verdict(), c.Rejected)
		return tw.Flush()
	}
	if !c.BusinessDate.IsZero() { // a transmit log has none
		fmt.Fprintf(tw, "business date\t%s%s\n", c.BusinessDate.Format(time.DateOnly), parenthesised(c.File.DateNote))
	}
	fmt.Fprintf(tw, "records\t%d read, %d would load, %d quarantined\n", c.Records, c.Records-c.Quarantined, c.Quarantined)
	for _, p := range c.Problems {
		fmt.Fprintf(tw, "  line %d\t%s\t%s\n", p.Line, shownValue(p.Column), p.Reason)
	}
	fmt.Fprintf(tw, "verdict\t%s\n", c.verdict())
	return tw.Flush()
}

func (c Check) writeMapping(w io.Writer) {
	if len(c.Fields) == 0 {
		return
	}
	fmt.Fprintf(w, "mapping\tcanonical ← file column\n")
	for _, f := range c.Fields {
		src := "(absent)"
		if f.Source != "" {
			src = shownValue(f.Source)
		}
		fmt.Fprintf(w, "  %s\t← %s%s\n", f.Name, src, valueMap(f.Values))
	}
	if layout := c.Mapping.Strptime(); layout != "" {
		fmt.Fprintf(w, "  processed_at\tread as %s in %s\n", layout, c.Mapping.Zone)
	}
	if c.Mapping.MinorUnits() {
		fmt.Fprintf(w, "  amount\tread in minor units\n")
	}
	if c.Mapping.RowsEndInDelimiter {
		fmt.Fprintf(w, "  rows\tend in a delimiter the header lacks\n")
	}
	if len(c.Unmapped) > 0 {
		shown := make([]string, len(c.Unmapped))
		for i, name := range c.Unmapped {
			shown[i] = shownValue(name)
		}
		fmt.Fprintf(w, "unmapped\t%s (card-checked, not stored)\n", strings.Join(shown, ", "))
	}
}

func valueMap(pairs []ledger.ValuePair) string {
	if len(pairs) == 0 {
		return ""
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = fmt.Sprintf("%s→%s", shownValue(p.From), p.To)
	}
	return "   values " + strings.Join(parts, ", ")
}

// shownValue is a map entry's file value, or a file's column or key, as
// the check prints it: quoted
// when it holds a character that prints as nothing or as a space, a tab
// (which the check's tabwriter took for a column's end), a line end, a
// no-break space, as the entry matches only values that hold it too (and a
// JSON key may hold any of them).
func shownValue(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return strconv.Quote(s)
	}
	return s
}

func (c Check) verdict() string {
	switch {
	case c.Loaded != 0:
		return fmt.Sprintf("its content is loaded already, as file %d (in force, or put out of force by another source's correction or by a file ops forced with ingest --replace): a load would do nothing", c.Loaded)
	case c.PassedOver:
		return "a run passes it over unread, as a file read before with the same name, size and modification time; " +
			"sent again (copied in or touched, so that its time changes), it " + c.load()
	case c.Uncompared != "":
		return "would load, unless loaded before (then nothing happens; not compared with the files loaded before: " + c.Uncompared + ")"
	}
	return c.load()
}

// load says what loading the file would do, its content not in force.
func (c Check) load() string {
	s := "would load"
	if c.Replaces != 0 {
		s += fmt.Sprintf(", replacing file %d (%s, %s) of the same source and date: %s", c.Replaces, c.ReplacesName,
			countRows(c.ReplacesRows), rowsWhere(c.Records-c.Quarantined, c.ReplacesRows))
	}
	if c.Restores != 0 {
		s += fmt.Sprintf(" (file %d had the same content, and is out of force)", c.Restores)
	}
	return s
}

// parenthesised is " (s)", or "" for no s.
func parenthesised(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
