package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/template"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jmoiron/sqlx"

	"github.com/flexcharge/flexrecon/internal/recon"
)

// DB is an open flexrecon database.
type DB struct {
	db       *sqlx.DB
	q        *Queries
	path     string
	readOnly bool // opened to read (ingest --check): nothing is written beside it either
	// memory and ingestMemory: DuckDB's memory limits for all work and
	// while a ledger file loads ("" for DuckDB's default, or memory)
	memory, ingestMemory string
	// orders serializes the writers of fc_orders (a pull's merge, a
	// webhook's update): DuckDB refuses the second of two transactions that
	// update one row, and a refused merge failed the night.
	orders sync.Mutex
}

// ErrBusy means another process holds the database file.
var ErrBusy = errors.New("database file is held by another process")

// Open opens (creating if needed) the database at path, applies pending
// migrations and loads the named queries. An empty path opens an in-memory
// database. sqlFS is the sql/ tree (flexrecon.SQL()).
func Open(ctx context.Context, path string, sqlFS fs.FS) (_ *DB, err error) {
	defer wrap(&err, "open database %q", path)
	if path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
	}
	conn, err := duckdb.NewConnector(path+"?storage_compatibility_version="+storageFormat, inUTC)
	if err != nil {
		return nil, busy(err)
	}
	db := &DB{db: sqlx.NewDb(sql.OpenDB(conn), "duckdb"), path: path}
	if err := db.setUp(ctx, sqlFS); err != nil {
		db.Close()
		return nil, err
	}
	if path != "" {
		if err := sweepCopies(path); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// ErrSchemaBehind means a database opened read-only lacks migrations this
// flexrecon has, which only a writing open applies.
var ErrSchemaBehind = errors.New("the database's schema is older than this flexrecon's")

// OpenReadOnly opens an existing database file to read: nothing in it is
// migrated, seeded or written (temporary tables are the connection's own).
// A file another process writes is ErrBusy; one an older flexrecon left is
// ErrSchemaBehind.
func OpenReadOnly(ctx context.Context, path string, sqlFS fs.FS) (_ *DB, err error) {
	defer wrap(&err, "open database %q to read", path)
	conn, err := duckdb.NewConnector(path+"?access_mode=READ_ONLY", inUTC)
	if err != nil {
		return nil, busy(err)
	}
	db := &DB{db: sqlx.NewDb(sql.OpenDB(conn), "duckdb"), path: path, readOnly: true}
	if db.q, err = LoadQueries(sqlFS); err == nil {
		if err = db.checkMigrated(ctx, sqlFS); err == nil {
			err = db.checkQueries(ctx)
		}
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// inUTC sets each connection's time zone to UTC. DuckDB otherwise takes
// the process's, and a day counted or a time printed from a TIMESTAMPTZ
// would change with the host's TZ; the partner's zone is always named
// where it matters (timezone(zone, …)).
func inUTC(execer driver.ExecerContext) error {
	_, err := execer.ExecContext(context.Background(), "SET TimeZone = 'UTC'", nil)
	return err
}

func (db *DB) setUp(ctx context.Context, sqlFS fs.FS) error {
	q, err := LoadQueries(sqlFS)
	if err != nil {
		return err
	}
	db.q = q
	if err := db.migrate(ctx, sqlFS); err != nil {
		return err
	}
	if err := db.seedCurrencies(ctx); err != nil {
		return err
	}
	return db.checkQueries(ctx)
}

func busy(err error) error {
	if strings.Contains(err.Error(), "Could not set lock") {
		return fmt.Errorf("%w (a running `flexrecon serve`, or another flexrecon command still at work): %v", ErrBusy, err)
	}
	return err
}

// SetMemoryLimit caps the memory DuckDB's set work may take ("3GB"); past
// it DuckDB spills to disk rather than growing.
func (db *DB) SetMemoryLimit(ctx context.Context, limit string) error {
	if err := db.applyMemoryLimit(ctx, limit); err != nil {
		return err
	}
	db.memory = limit
	return nil
}

// SetIngestMemoryLimit caps DuckDB's memory while a ledger file loads,
// lower than for the rest of the work: a load holds the whole file in its
// stage up to the limit, and its structures outside the limit then take the
// process further past it than a run's do. Set it once, at start-up.
func (db *DB) SetIngestMemoryLimit(limit string) { db.ingestMemory = limit }

// withIngestMemory runs load under the ingest memory limit, when there is
// one, and restores the limit of all work after.
func (db *DB) withIngestMemory(ctx context.Context, load func() error) error {
	if db.ingestMemory == "" {
		return load()
	}
	if err := db.applyMemoryLimit(ctx, db.ingestMemory); err != nil {
		return err
	}
	err := load()
	return errors.Join(err, db.applyMemoryLimit(context.WithoutCancel(ctx), db.memory))
}

// applyMemoryLimit sets DuckDB's memory limit, or its default for "".
func (db *DB) applyMemoryLimit(ctx context.Context, limit string) error {
	query := db.q.ResetMemoryLimit
	if limit != "" {
		t, err := template.New("").Parse(db.q.SetMemoryLimit)
		if err != nil {
			return err
		}
		var b strings.Builder
		if err := t.Execute(&b, literal(limit)); err != nil {
			return err
		}
		query = b.String()
	}
	_, err := db.db.ExecContext(ctx, query)
	return wrapf(err, "set memory limit %q", limit)
}

// Close closes the database.
func (db *DB) Close() error { return db.db.Close() }

// Path is the database file, or "" for an in-memory database.
func (db *DB) Path() string { return db.path }

func (db *DB) seedCurrencies(ctx context.Context) error {
	for code, digits := range recon.Currencies() {
		if _, err := db.db.ExecContext(ctx, db.q.UpsertCurrency, code, digits); err != nil {
			return fmt.Errorf("seed currency %s: %w", code, err)
		}
	}
	return nil
}

// inTx runs fn in one transaction, committing only if fn succeeds.
func (db *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// wrap adds context to *errp when it is not nil; used as a deferred call.
func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}

// Query runs a read-only query written elsewhere (a report from sql/reports).
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.db.QueryContext(ctx, query, args...)
}
