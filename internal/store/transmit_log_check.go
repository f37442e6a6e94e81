package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

// CheckTransmitLog shows how a transmit log's columns are read and whether
// a load would take it, loading nothing: the log is checked and staged as
// IngestTransmitLog does, and the stage thrown away. A log a load would
// reject is not an error: the reason is in Check.Rejected.
func (db *DB) CheckTransmitLog(ctx context.Context, lf LoadFile) (c Check, err error) {
	defer redactCards(&err)
	defer wrap(&err, "check transmit log %s", lf.File.Path)
	// Of a source's mapping, only these apply to a transmit log.
	m := ledger.Mapping{Delimiter: lf.Mapping.Delimiter, RowsEndInDelimiter: lf.Mapping.RowsEndInDelimiter}
	return db.check(ctx, lf, Check{File: lf.File, Format: ledger.CSV, Mapping: m}, db.inspectTransmitLog)
}

// inspectTransmitLog stages a transmit log as IngestTransmitLog does; a log
// a load would reject is no error, but c.Rejected.
func (db *DB) inspectTransmitLog(ctx context.Context, conn *sqlx.Conn, lf LoadFile, c Check) (Check, error) {
	defer conn.ExecContext(context.WithoutCancel(ctx), db.q.DropTransmitLogStage)
	log, err := db.stageTransmitLog(ctx, conn, lf)
	c.Fields, c.Unmapped = log.columns()
	if err != nil {
		return c.rejected(err) // as IngestTransmitLog rejects it
	}
	return c, conn.GetContext(ctx, &c.Records, db.q.CountTransmitLog)
}

// columns are the log's columns as a check shows them: for each column the
// log needs, the header's name it is read from ("" when the header lacks
// it); the others, card-checked and ignored, by name, or by place when
// unnamed. None when the header was not read.
func (l checkedLog) columns() (fields []ledger.Field, others []string) {
	if l.header == nil {
		return nil, nil
	}
	source := map[string]string{}
	for i, h := range l.header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case slices.Contains(transmitLogColumns, name):
			source[name] = h
		case name == "":
			others = append(others, fmt.Sprintf("column %d", i+1))
		default:
			others = append(others, h)
		}
	}
	for _, name := range transmitLogColumns {
		fields = append(fields, ledger.Field{Name: name, Source: source[name]})
	}
	return fields, others
}
