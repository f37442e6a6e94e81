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
	switch {
	case recs.Unclosed != 0:
		// DuckDB stops at it, reading on many threads; on one (restage)
		// it may drop the record, or read the value as NULL.
		return fmt.Errorf("line %d: value with unterminated quote found: a quoted value runs to the end of the file", recs.Line(recs.Unclosed))
	case recs.CutShort != 0:
		// Quarantining the cut record would load half a day as if whole.
		return shapeError(fmt.Sprintf("line %d: the last record stops short, with no line end: the file looks cut off; send it whole", recs.Line(recs.CutShort)))
	case recs.Header != int64(len(p.header)):
		return fmt.Errorf("line 1: the header reads as %d names and as %d fields", len(p.header), recs.Header)
	}
	dropTrailingDelimiters(recs)
	if recs.Count > 0 && int64(len(recs.Misfits)) == recs.Count {
		m := recs.Misfits[0]
		return shapeError(fmt.Sprintf("line %d: every record has another number of fields than the header's %d (this one %d): the rows do not match the header",
			recs.Line(m.Record), recs.Header, m.Fields))
	}
	return nil
}

// shapeError is what the Go pass found wrong with a file as a whole (cut
// off, no row matching the header), which DuckDB's error at the first
// record it stops at would not say: it is the error a read reports.
type shapeError string

func (e shapeError) Error() string { return string(e) }

// dropTrailingDelimiters takes out of recs' misfits the records of an
// exporter that ends each row, not the header, in a delimiter: when most of
// two records or more have one field more than the header, those are whole
// (DuckDB reads them with their empty last field dropped, as it did before
// misfits were counted), and the misfits are the records with another
// number, such as a delimiter unquoted in a value. A single record has no
// such majority: one field too many there is a misfit.
func dropTrailingDelimiters(recs *ledger.Records) {
	trailing := func(m ledger.Misfit) bool { return m.Fields == recs.Header+1 }
	n := int64(0)
	for _, m := range recs.Misfits {
		if trailing(m) {
			n++
		}
	}
	if recs.Count >= 2 && 2*n > recs.Count {
		recs.Misfits = slices.DeleteFunc(recs.Misfits, trailing)
	}
}

// read runs the stage query while Go reads a CSV's records, and reads a CSV
// with misfits again (restage). When both fail, DuckDB's error says more of
// what it stopped at.
func (db *DB) read(ctx context.Context, conn *sqlx.Conn, p *plan, query string) (ledger.Records, error) {
	records := p.readRecords()
	_, err := conn.ExecContext(ctx, query)
	recs, rerr := records()
	switch {
	case rerr != nil && (err == nil || errors.As(rerr, new(shapeError))):
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
	for chunk := range slices.Chunk(recs.Misfits, 100_000) {
		records, reasons := make([]int64, len(chunk)), make([]string, len(chunk))
		for i, m := range chunk {
			if m.Fields-recs.Header > maxExtraFields {
				return fmt.Errorf("line %d: %d fields, the header has %d: too many to read", recs.Line(m.Record), m.Fields, recs.Header)
			}
			widest = max(widest, m.Fields)
			records[i], reasons[i] = m.Record, fmt.Sprintf("%d fields, the header has %d", m.Fields, recs.Header)
		}
		if _, err := conn.ExecContext(ctx, db.q.InsertMisfits, records, reasons); err != nil {
			return err
		}
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
