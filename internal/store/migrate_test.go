package store

import (
	"database/sql"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	flexrecon "github.com/flexcharge/flexrecon"
)

// TestMigrationKeepsQueueTimesApart: the runs recorded before started_at
// and queued_at were apart are queued when they were started, or queued
// (a run queued held its queueing time in started_at), and one that never
// began, still queued or failed before its turn, keeps no start.
func TestMigrationKeepsQueueTimesApart(t *testing.T) {
	db := migratedUpTo(t, 23)
	const insert = `INSERT INTO runs (id, kind, window_from, window_to, as_of, dry_run, status, started_at, config_hash, version, error)
VALUES (nextval('run_id_seq'), 'adhoc', DATE '2026-11-23', DATE '2026-11-23', TIMESTAMPTZ '2026-11-24 00:00:00Z', false, $1, $2, 'h', 'v', $3)`
	at := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	for _, r := range []struct{ status, err string }{
		{"succeeded", ""}, {"queued", ""}, {"failed", "stopped before it started: context canceled"}, {"failed", "run 4: classify: disk full"},
	} {
		if _, err := db.db.Exec(insert, r.status, at, sql.NullString{String: r.err, Valid: r.err != ""}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.migrate(t.Context(), flexrecon.SQL()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for id := int64(1); id <= 4; id++ {
		r, err := db.GetRun(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Status+" queued "+r.QueuedAt.Format(time.TimeOnly)+" started "+orNone(r.StartedAt))
	}
	want := []string{"succeeded queued 01:00:00 started 01:00:00", "queued queued 01:00:00 started none",
		"failed queued 01:00:00 started none", "failed queued 01:00:00 started 01:00:00"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs after the migration (-want +got):\n%s", diff)
	}
}

// migratedUpTo is an in-memory database with the migrations up to version
// applied, and the queries of every one loaded.
func migratedUpTo(t *testing.T, version int) *DB {
	t.Helper()
	all := flexrecon.SQL()
	names, err := fs.Glob(all, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	upTo := fstest.MapFS{}
	for _, name := range names {
		if v, _ := migrationVersion(name); v <= version {
			body, _ := fs.ReadFile(all, name)
			upTo[name] = &fstest.MapFile{Data: body}
		}
	}
	conn, err := duckdb.NewConnector("", inUTC)
	if err != nil {
		t.Fatal(err)
	}
	db := &DB{db: sqlx.NewDb(sql.OpenDB(conn), "duckdb")}
	t.Cleanup(func() { db.Close() })
	if db.q, err = LoadQueries(all); err != nil {
		t.Fatal(err)
	}
	if err := db.migrate(t.Context(), upTo); err != nil {
		t.Fatal(err)
	}
	return db
}

func orNone(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.Format(time.TimeOnly)
}
