package reports

import (
	"context"
	"fmt"
	"time"
)

// Rows is the result of a report query. *sql.Rows and *sqlx.Rows satisfy it.
// Columns lets the renderers check the query against the header even when
// the result is empty.
type Rows interface {
	Columns() ([]string, error)
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Querier runs a report's query; the store implements it, tests use DuckDB.
type Querier interface {
	QueryReport(ctx context.Context, query string, args ...any) (Rows, error)
}

// Options control rendering.
type Options struct {
	// Location is the zone datetime columns are shown in; nil means UTC.
	Location *time.Location
	// SheetRowLimit is the most rows a sheet holds, title, header and totals
	// included; 0 means Excel's 1,048,576. Tests set it small to exercise
	// continuation sheets.
	SheetRowLimit int
}

// MaxSheetRows is the number of rows an Excel sheet holds.
const MaxSheetRows = 1 << 20

func (o Options) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

func (o Options) rowLimit() int {
	if o.SheetRowLimit <= 0 || o.SheetRowLimit > MaxSheetRows {
		return MaxSheetRows
	}
	return o.SheetRowLimit
}

// reader runs a report's query and converts each row into values, checking
// every value against its column's format.
type reader struct {
	ctx  context.Context
	def  *Definition
	rows Rows
	loc  *time.Location
	raw  []any
	ptrs []any
	vals []value
	cur  []int // index of each money column's currency column
	n    int   // rows read so far
	err  error
}

func openReader(ctx context.Context, q Querier, def *Definition, opt Options, args []any) (*reader, error) {
	if def.Zone {
		args = append(args[:len(args):len(args)], opt.location().String())
	}
	rows, err := q.QueryReport(ctx, def.Query, args...)
	if err != nil {
		return nil, fmt.Errorf("run query: %w", err)
	}
	if err := checkColumns(def, rows); err != nil {
		rows.Close()
		return nil, err
	}
	r := &reader{ctx: ctx, def: def, rows: rows, loc: opt.location()}
	r.raw = make([]any, len(def.Columns))
	r.ptrs = make([]any, len(def.Columns))
	r.vals = make([]value, len(def.Columns))
	r.cur = make([]int, len(def.Columns))
	for i, c := range def.Columns {
		r.ptrs[i] = &r.raw[i]
		r.cur[i] = def.column(c.CurrencyKey)
	}
	return r, nil
}

// checkColumns compares the query's columns with the header: same count and
// same names in the same order, because the keys are what money and charts
// refer to and a silent shift would put amounts under the wrong title.
func checkColumns(def *Definition, rows Rows) error {
	names, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("read query columns: %w", err)
	}
	if len(names) != len(def.Columns) {
		return fmt.Errorf("query returns %d columns, header declares %d", len(names), len(def.Columns))
	}
	for i, c := range def.Columns {
		if names[i] != c.Key {
			return fmt.Errorf("query column %d is %q, header declares %q", i+1, names[i], c.Key)
		}
	}
	return nil
}

// Next reads and converts the next row into r.vals.
func (r *reader) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	r.n++
	if r.n%4096 == 0 { // a cheap way to stop a huge report when the caller gives up
		if r.err = r.ctx.Err(); r.err != nil {
			return false
		}
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		r.err = fmt.Errorf("scan row %d: %w", r.n, err)
		return false
	}
	if err := r.convert(); err != nil {
		r.err = fmt.Errorf("row %d: %w", r.n, err)
		return false
	}
	return true
}

func (r *reader) convert() error {
	for i := range r.def.Columns {
		if err := r.convertColumn(i); err != nil {
			return fmt.Errorf("column %q: %w", r.def.Columns[i].Key, err)
		}
	}
	return nil
}

func (r *reader) convertColumn(i int) error {
	c := &r.def.Columns[i]
	v := &r.vals[i]
	*v = value{}
	if r.raw[i] == nil {
		v.null = true
		return nil
	}
	if c.Format != FormatMoney {
		return v.set(c.Format, r.raw[i], r.loc)
	}
	cur, ok := r.raw[r.cur[i]].(string)
	if !ok {
		return fmt.Errorf("currency column %q is %T, want a currency code", c.CurrencyKey, r.raw[r.cur[i]])
	}
	return v.setMoney(r.raw[i], cur)
}

// Err returns the first error met while reading, from the query or a value.
func (r *reader) Err() error {
	if r.err != nil {
		return r.err
	}
	if err := r.rows.Err(); err != nil {
		return fmt.Errorf("read rows: %w", err)
	}
	return nil
}

func (r *reader) Close() error { return r.rows.Close() }
