package reports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
)

// WriteCSV runs def's query with args and writes the rows to w as RFC 4180
// CSV (CRLF line ends, quotes where needed): a header of column titles, money
// as exact decimal text in major units (19.99, 1200, 0.125), dates as
// 2006-01-02, datetimes as RFC 3339 in opt.Location, percents as the plain
// ratio, NULL as an empty field. CSV has no totals row: a program reading it
// would take the total for one more record.
func WriteCSV(ctx context.Context, w io.Writer, q Querier, def Definition, opt Options, args ...any) error {
	if err := writeCSV(ctx, w, q, &def, opt, args); err != nil {
		return fmt.Errorf("write report %q as csv: %w", def.Name, err)
	}
	return nil
}

func writeCSV(ctx context.Context, w io.Writer, q Querier, def *Definition, opt Options, args []any) error {
	r, err := openReader(ctx, q, def, opt, args)
	if err != nil {
		return err
	}
	defer r.Close()
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	rec := make([]string, len(def.Columns))
	for i, c := range def.Columns {
		rec[i] = c.Title
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for r.Next() {
		for i, c := range def.Columns {
			rec[i] = r.vals[i].csvText(c.Format)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
