package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// readRecords reads a CSV's records in Go while DuckDB reads the file, for
// the lines they begin on and its misfits (records with another number of
// fields than the header, which DuckDB would stop at, or read with their
// values under other columns' names when the fields too many are empty).
// The function it returns waits for them. Other formats have neither.
func (p plan) readRecords() func() (ledger.Records, error) {
	if p.format != ledger.CSV {
		return func() (ledger.Records, error) { return ledger.Records{}, nil }
	}
	type read struct {
		recs ledger.Records
		err  error
	}
	done := make(chan read, 1)
	go func() {
		recs, err := ledger.ReadRecords(p.File.Path, p.format, p.delim)
		done <- read{recs, err}
	}()
	return func() (ledger.Records, error) {
		r := <-done
		if r.err == nil {
			r.err = p.checkShape(&r.recs)
		}
		return r.recs, r.err
	}
}

// checkShape refuses a CSV whose records Go read wrong as a whole, and
// leaves in recs.Misfits the records to quarantine.
func (p plan) checkShape(recs *ledger.Records) error {
	if err := checkWhole(*recs, len(p.header)); err != nil {
		return err
	}
	oneMore := func(m ledger.Misfit) bool { return m.Fields == recs.Header+1 }
	if p.Mapping.RowsEndInDelimiter {
		recs.Misfits = slices.DeleteFunc(recs.Misfits, oneMore)
	}
	if recs.Count == 0 || int64(len(recs.Misfits)) < recs.Count {
		return nil
	}
	m := recs.Misfits[0]
	why := "the rows do not match the header"
	if everyRecordOneMore(*recs) {
		why = rowsEndHint
	}
	return shapeError(fmt.Sprintf("line %d: every record has another number of fields than the header's %d (this one %d): %s",
		recs.Line(m.Record), recs.Header, m.Fields, why))
}

// rowsEndHint is the hint for a CSV whose every record has one field more
// than its header.
const rowsEndHint = "if the exporter ends each row in a delimiter, set rows_end_in_delimiter = true in the source's mapping"

// everyRecordOneMore says whether a CSV has records, each of one field more
// than its header: its exporter may end each row in a delimiter, or a
// delimiter unquoted in a value over an empty last column may look so.
func everyRecordOneMore(recs ledger.Records) bool {
	return recs.Count > 0 && int64(len(recs.Misfits)) == recs.Count &&
		!slices.ContainsFunc(recs.Misfits, func(m ledger.Misfit) bool { return m.Fields != recs.Header+1 })
}

// checkWhole refuses a CSV whose records Go read wrong as a whole: a
// quoted value open at its end, a last record cut off, a header of names,
// as a CSV reader reads it, that is another number of fields than Go
// counted, or lines that end unlike the header's.
func checkWhole(recs ledger.Records, names int) error {
	switch {
	case recs.Unclosed != 0:
		// DuckDB stops at it, reading on many threads; on one (restage)
		// it may drop the record, or read the value as NULL.
		return fmt.Errorf("line %d: value with unterminated quote found: a quoted value runs to the end of the file", recs.Line(recs.Unclosed))
	case recs.CutShort != 0:
		// Quarantining the cut record would load half a day as if whole.
		return shapeError(cutShort(recs.Line(recs.CutShort)))
	case recs.Header != int64(names):
		return fmt.Errorf("line 1: the header reads as %d names and as %d fields", names, recs.Header)
	case recs.MixedLineEnd != 0:
		// DuckDB stops at it saying only that its parser "reached an
		// invalid state".
		return shapeError(mixedLineEnd(recs))
	}
	return nil
}

// mixedLineEnd says where a CSV's lines stop ending as its header's does,
// and how: the line's own end, or a carriage return before it.
func mixedLineEnd(recs ledger.Records) string {
	end := `\n alone`
	if recs.CRLF {
		end = `\r\n`
	}
	if recs.StrayCR {
		return fmt.Sprintf(`line %d: a carriage return (\r) outside quotes before the line's end (%s, as the header's): `+
			"only a line end may hold one; quote the value", recs.MixedLineEnd, end)
	}
	return fmt.Sprintf("line %d: a line end other than the header's (%s): every line must end as the header's does",
		recs.MixedLineEnd, end)
}

// misfitReason says why a misfit is no row: "22 fields, the header has 21".
func misfitReason(m ledger.Misfit, header int64) string {
	return fmt.Sprintf("%d fields, the header has %d", m.Fields, header)
}

// cutShort says the file's last record, on line, has no line end and is
// short of a whole record: the file was cut off.
func cutShort(line int64) string {
	return fmt.Sprintf("line %d: the last record stops short, with no line end: the file looks cut off; send it whole", line)
}

// shapeError is what the Go pass found wrong with a file as a whole (cut
// off, no row matching the header), which DuckDB's error at the first
// record it stops at would not say: it is the error a read reports.
type shapeError string

func (e shapeError) Error() string { return string(e) }

// read runs the stage query while Go reads a CSV's records, and reads a CSV
// with misfits again (restage). When both fail, DuckDB's error says more of
// what it stopped at, unless Go's says the file is cut off or damaged: then
// DuckDB stopped at what is not the file's text.
func (db *DB) read(ctx context.Context, conn *sqlx.Conn, p *plan, query string) (ledger.Records, error) {
	records := p.readRecords()
	_, err := conn.ExecContext(ctx, query)
	recs, rerr := records()
	switch {
	case rerr != nil && (err == nil || errors.As(rerr, new(shapeError)) || errors.Is(rerr, ledger.ErrCutOff) || errors.Is(rerr, ledger.ErrDamaged)):
		return recs, rerr
	case rerr == nil && len(recs.Misfits) > 0:
		err = db.restage(ctx, conn, p, recs)
	}
	if err != nil {
		return recs, cleanCSVError(err, p.fileLine)
	}
	return recs, nil
}

// maxExtraFields bounds how many fields beyond the header's a record may
// have and be quarantined: a file with a longer one is rejected, rather than
// read with a column for each.
const maxExtraFields = 1000

// restage reads a CSV with misfits again, with the columns its longest
// record needs and shorter ones padded, so that each record is one row (its
// line numbered by its place) and the card guard sees all its values; the
// misfits table marks them to quarantine, whatever their values. DuckDB
// pads records in parallel only when no value spans lines.
func (db *DB) restage(ctx context.Context, conn *sqlx.Conn, p *plan, recs ledger.Records) error {
	for _, q := range []string{db.q.ClearLedgerStage, db.q.CreateMisfits} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	widest := recs.Header
	records, reasons := make([]int64, len(recs.Misfits)), make([]string, len(recs.Misfits))
	for i, m := range recs.Misfits {
		if m.Fields-recs.Header > maxExtraFields {
			return fmt.Errorf("line %d: %s: too many to read", recs.Line(m.Record), misfitReason(m, recs.Header))
		}
		widest = max(widest, m.Fields)
		records[i], reasons[i] = m.Record, misfitReason(m, recs.Header)
	}
	if err := execLists(ctx, conn, db.q.InsertMisfits, records, reasons); err != nil {
		return err
	}
	p.misfits, p.serial, p.extra = true, recs.QuotedLineEnds, extraColumns(p.header, int(widest-recs.Header))
	if err := db.execTemplate(ctx, conn, *p, "stage"); err != nil {
		return err
	}
	// Each record is one row only if DuckDB reads them as Go did: else the
	// misfits would mark other rows.
	count, err := p.render(db.q, "count")
	if err != nil {
		return err
	}
	var rows int64
	if err := conn.GetContext(ctx, &rows, count); err != nil {
		return err
	}
	if rows != recs.Count {
		return fmt.Errorf("the file reads as %d records and as %d; nothing of it was loaded", recs.Count, rows)
	}
	return nil
}

// extraColumns names n columns after the header's by their places
// ("column 22"), as readHeader names a column without a name, but never as
// one of the header's.
func extraColumns(header []string, n int) []string {
	taken := map[string]bool{}
	for _, h := range header {
		taken[strings.ToLower(strings.TrimSpace(h))] = true
	}
	extra := make([]string, n)
	for i := range extra {
		name := fmt.Sprintf("column %d", len(header)+i+1)
		for taken[strings.ToLower(name)] {
			name += "+"
		}
		extra[i] = name
	}
	return extra
}
