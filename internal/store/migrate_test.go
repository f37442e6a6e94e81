package store

import (
	"database/sql"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/recon"
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
	// A flexrecon from before writes no queued_at: it was queued when it began.
	if _, err := db.db.Exec(insert, "succeeded", at, sql.NullString{}); err != nil {
		t.Fatal(err)
	}
	if r, err := db.GetRun(t.Context(), 5); err != nil || !r.QueuedAt.Equal(at) {
		t.Errorf("a run an older flexrecon recorded: queued %v, %v; want %v", r.QueuedAt, err, at)
	}
}

// TestMigrationKeepsNoWorkbookPath: the runs that kept their workbook's
// full path as the workbook stage's detail, which the run page and the API
// show, keep its name only; a failed stage's error, and other stages'
// details, are left as they were.
func TestMigrationKeepsNoWorkbookPath(t *testing.T) {
	db := migratedUpTo(t, 27)
	details := []struct{ stage, detail, want string }{
		{"workbook", "/var/lib/flexrecon/out/flexrecon-run-1.xlsx", "flexrecon-run-1.xlsx"},
		{"workbook", `D:\flexrecon\out\flexrecon-run-2-M001.xlsx`, "flexrecon-run-2-M001.xlsx"},
		{"workbook", "flexrecon-run-3.xlsx", "flexrecon-run-3.xlsx"},
		{"workbook", "failed: write workbook: no space left on device", "failed: write workbook: no space left on device"},
		{"ingest", "2 files loaded, 0 rejected; a/b replaced", "2 files loaded, 0 rejected; a/b replaced"},
	}
	at := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	for i, d := range details {
		if _, err := db.db.Exec(`INSERT INTO run_stages (run_id, stage, started_at, finished_at, rows, detail) VALUES ($1, $2, $3, $3, 0, $4)`,
			i+1, d.stage, at, d.detail); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.migrate(t.Context(), flexrecon.SQL()); err != nil {
		t.Fatal(err)
	}
	for i, d := range details {
		stages, err := db.RunStages(t.Context(), int64(i+1))
		if err != nil || len(stages) != 1 || stages[0].Detail != d.want {
			t.Errorf("stage %s with detail %q after the migration: %+v, %v; want detail %q", d.stage, d.detail, stages, err, d.want)
		}
	}
}

// TestMigrationKeepsOldRunsSiteDescriptors: the runs from before their
// site descriptors were kept get the registry's as the upgrade finds them,
// once each; a run that kept its own keeps them.
func TestMigrationKeepsOldRunsSiteDescriptors(t *testing.T) {
	db := migratedUpTo(t, 28)
	for _, q := range []string{
		`INSERT INTO merchants VALUES ('M1', 'Shop One')`,
		`INSERT INTO sites (merchant_id, url, descriptor) VALUES ('M1', 'https://one.example', 'ONE*NOW')`,
		`INSERT INTO runs (id, kind, window_from, window_to, as_of, dry_run, status, started_at, config_hash, version)
SELECT i, 'adhoc', DATE '2026-11-23', DATE '2026-11-23', TIMESTAMPTZ '2026-11-24 00:00:00Z', false, 'succeeded', TIMESTAMPTZ '2026-11-24 01:00:00Z', 'h', 'v'
FROM range(1, 3) t(i)`,
		`INSERT INTO run_site_descriptors VALUES (2, 'M1', 'https://one.example', 'ONE*THEN')`,
	} {
		if _, err := db.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.migrate(t.Context(), flexrecon.SQL()); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := db.db.Select(&got, `SELECT run_id || ' ' || descriptor FROM run_site_descriptors ORDER BY ALL`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"1 ONE*NOW", "2 ONE*THEN"}; !slices.Equal(got, want) {
		t.Errorf("runs' site descriptors after the migration: %q, want %q", got, want)
	}
}

// TestMigrationKeepsNoPathInFailedWorkbooks: a run whose workbook stage
// failed names the files of its error by their names, in the stage's
// detail and the run's error, as a stage failing now does; another stage's
// failure is left as it was.
func TestMigrationKeepsNoPathInFailedWorkbooks(t *testing.T) {
	db := migratedUpTo(t, 31)
	const insertRun = `INSERT INTO runs (id, kind, window_from, window_to, as_of, dry_run, status, started_at, config_hash, version, error)
VALUES ($1, 'adhoc', DATE '2026-11-23', DATE '2026-11-23', TIMESTAMPTZ '2026-11-24 00:00:00Z', false, 'failed', TIMESTAMPTZ '2026-11-24 01:00:00Z', 'h', 'v', 'run ' || $1 || ': ' || $2 || ': ' || $3)`
	failures := []struct{ stage, err, want string }{
		{"workbook", "mkdir /srv/flexrecon/out: not a directory", "mkdir out: not a directory"},
		{"workbook", `open D:\flexrecon\out\.flexrecon-run-2.xlsx-1.tmp: access denied`, "open .flexrecon-run-2.xlsx-1.tmp: access denied"},
		{"ingest", "open /srv/ledger/ledger_2026-11-23.csv: permission denied", "open /srv/ledger/ledger_2026-11-23.csv: permission denied"},
	}
	for i, f := range failures {
		if _, err := db.db.Exec(insertRun, i+1, f.stage, f.err); err != nil {
			t.Fatal(err)
		}
		if _, err := db.db.Exec(`INSERT INTO run_stages (run_id, stage, started_at, finished_at, rows, detail) VALUES ($1, $2, now(), now(), 0, 'failed: ' || $3)`,
			i+1, f.stage, f.err); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.migrate(t.Context(), flexrecon.SQL()); err != nil {
		t.Fatal(err)
	}
	for i, f := range failures {
		run, err := db.GetRun(t.Context(), int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		stages, err := db.RunStages(t.Context(), run.ID)
		if err != nil || len(stages) != 1 {
			t.Fatal(stages, err)
		}
		if want := fmt.Sprintf("run %d: %s: %s", run.ID, f.stage, f.want); run.Error != want || stages[0].Detail != "failed: "+f.want {
			t.Errorf("%s stage failed with %q, after the migration: error %q, detail %q; want %q", f.stage, f.err, run.Error, stages[0].Detail, f.want)
		}
	}
}

// TestMigrationsApplyByNumber: 1000_ applies after 999_ (as text it sorts
// before, and would insert into a table not made yet).
func TestMigrationsApplyByNumber(t *testing.T) {
	files := migrationsUpTo(t, 1)
	files["migrations/999_make.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE later (x INTEGER);")}
	files["migrations/1000_fill.sql"] = &fstest.MapFile{Data: []byte("INSERT INTO later VALUES (1);")}
	if err := migratedUpTo(t, 1).migrate(t.Context(), files); err != nil {
		t.Errorf("migrations 999 and 1000: %v", err)
	}
}

// TestMigrationsRefused: a database a later flexrecon upgraded is not
// opened by this one, and two migrations of one number are refused (the
// second would be skipped as applied), as is a file not named by its number.
func TestMigrationsRefused(t *testing.T) {
	later := migratedUpTo(t, 24)
	ahead := fstest.MapFS{}
	for name, f := range migrationsUpTo(t, 23) {
		ahead[name] = f
	}
	if err := later.migrate(t.Context(), ahead); err == nil || !strings.Contains(err.Error(), "upgraded by a later flexrecon (migration 24; this one knows up to 23)") {
		t.Errorf("a database a migration ahead: %v", err)
	}
	twice := migrationsUpTo(t, 2)
	twice["migrations/002_again.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;")}
	if err := migratedUpTo(t, 1).migrate(t.Context(), twice); err == nil || !strings.Contains(err.Error(), "have one number") {
		t.Errorf("two migrations numbered 2: %v", err)
	}
	unnumbered := migrationsUpTo(t, 1)
	unnumbered["migrations/card_spans.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;")}
	if err := migratedUpTo(t, 1).migrate(t.Context(), unnumbered); err == nil || !strings.Contains(err.Error(), `migration "migrations/card_spans.sql": its file name must start with its number`) {
		t.Errorf("a migration without a number: %v", err)
	}
}

// TestMigrationsOfAnotherBuildRefused: a database another build migrated
// (a branch with a migration of its own) is refused, naming the migration,
// whether this flexrecon has no migration of that number or another one.
// The read-only check refuses it too.
func TestMigrationsOfAnotherBuildRefused(t *testing.T) {
	for _, c := range []struct {
		name, want string
	}{
		{"migrations/007_branch.sql", "the database has migration 7 (007_branch.sql), which this flexrecon does not have: another build of flexrecon applied it"},
		{"migrations/008_branch.sql", "the database recorded migration 8 as 008_branch.sql, where this flexrecon's is 008_transmit_log.sql: another build of flexrecon applied it"},
	} {
		branch := migrationsUpTo(t, 6)
		branch[c.name] = &fstest.MapFile{Data: []byte("CREATE TABLE branch (x INTEGER);")}
		db := migratedUpTo(t, 6)
		if err := db.migrate(t.Context(), branch); err != nil {
			t.Fatal(err)
		}
		if err := db.migrate(t.Context(), migrationsUpTo(t, 9)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("migrate a database with %s: %v, want %q", c.name, err, c.want)
		}
		if err := db.checkMigrated(t.Context(), migrationsUpTo(t, 9)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("check a database with %s: %v, want %q", c.name, err, c.want)
		}
	}
}

// migrationsUpTo is the migrations up to version.
func migrationsUpTo(t *testing.T, version int) fstest.MapFS {
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
	return upTo
}

// migratedUpTo is an in-memory database with the migrations up to version
// applied, and the queries of every one loaded.
func migratedUpTo(t *testing.T, version int) *DB {
	t.Helper()
	upTo := migrationsUpTo(t, version)
	conn, err := duckdb.NewConnector("", inUTC)
	if err != nil {
		t.Fatal(err)
	}
	db := &DB{db: sqlx.NewDb(sql.OpenDB(conn), "duckdb")}
	t.Cleanup(func() { db.Close() })
	if db.q, err = LoadQueries(flexrecon.SQL()); err != nil {
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

// ledgerRowT1 stores, in a database migrated part way, the ledger row an
// old run judged: T1, of file 1 line 2, with status, in production.
func ledgerRowT1(status string) string {
	return `INSERT INTO ledger_rows (file_id, line, partner_merchant_id, order_id, transaction_id, occurrence, processed_at, amount,
			currency, status, initiator, channel, profile, is_recurring, environment)
		VALUES (1, 2, 'M1', 'O1', 'T1', 1, TIMESTAMPTZ '2026-11-23 10:00:00Z', 1000, 'USD', '` + status + `', 'CIT', 'web', 'cit_web', false, 'production')`
}

// TestMigrationDropsDiffersKeepingVerdicts: the verdicts runs wrote before
// 029 are read as they were once their differs flag is gone.
func TestMigrationDropsDiffersKeepingVerdicts(t *testing.T) {
	db := migratedUpTo(t, 28)
	for _, q := range []string{
		ledgerRowT1("declined"),
		`INSERT INTO verdicts (run_id, file_id, line, switch_state, environment, transmit_state, outcome_state, fc_order_id, differs)
		VALUES (1, 1, 2, 'production', 'production', 'transmitted', 'recovered', 'F1', true)`,
	} {
		if _, err := db.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.migrate(t.Context(), flexrecon.SQL()); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := db.db.Select(&got, "SELECT concat_ws(' ', transaction_id, transmit_state, outcome_state, fc_order_id) FROM results WHERE run_id = 1"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"T1 transmitted recovered F1"}, got); diff != "" {
		t.Errorf("a verdict from before 029 (-want +got):\n%s", diff)
	}
}

// TestMigrationGivesKeptOrderSitesTheirEnvironment: a Sites row an older run
// kept is of one environment where its orders are (O3, sandbox), and of none
// where its sum holds both (O1 production and O2 sandbox), which no guess
// may split.
func TestMigrationGivesKeptOrderSitesTheirEnvironment(t *testing.T) {
	got := keptSitesAfter034(t, `('production', 'O1', 'a'), ('sandbox', 'O2', 'a'), ('sandbox', 'O3', 'b')`,
		`(1, 'M1', 'a', 'ONE*SHOP', 'USD', 2, 2000, 0), (1, 'M1', 'b', 'ONE*SHOP', 'USD', 1, 1000, 0)`)
	if want := []string{"a none 2", "b sandbox 1"}; !slices.Equal(got, want) {
		t.Errorf("kept Sites rows after the migration: %q, want %q", got, want)
	}
}

// TestMigrationLeavesAMovedOrdersSitesRowWithoutEnvironment: a Sites row
// kept when its site summed O1 (production) and O2 (sandbox), whose site
// FlexCharge has changed since: the orders the site has now are all
// production, but the kept sum is not, so it gets no environment.
func TestMigrationLeavesAMovedOrdersSitesRowWithoutEnvironment(t *testing.T) {
	got := keptSitesAfter034(t, `('production', 'O1', 'a'), ('sandbox', 'O2', 'moved')`,
		`(1, 'M1', 'a', 'ONE*SHOP', 'USD', 2, 2000, 0)`)
	if want := []string{"a none 2"}; !slices.Equal(got, want) {
		t.Errorf("kept Sites rows after the migration: %q, want %q", got, want)
	}
}

// keptSitesAfter034 is run 1's kept Sites rows ("site environment orders")
// after migration 034, over orphan orders (environment, id, site) and the
// rows the run kept before it (run_order_sites values).
func keptSitesAfter034(t *testing.T, orders, kept string) []string {
	t.Helper()
	db := migratedUpTo(t, 33)
	for _, q := range []string{
		`INSERT INTO runs (id, kind, window_from, window_to, as_of, dry_run, status, started_at, config_hash, version)
VALUES (1, 'adhoc', DATE '2026-11-23', DATE '2026-11-23', TIMESTAMPTZ '2026-11-24 00:00:00Z', false, 'succeeded', TIMESTAMPTZ '2026-11-24 01:00:00Z', 'h', 'v')`,
		`INSERT INTO fc_orders (environment, id, external_order_id, mid, amount, currency, is_mit, site_url, descriptor, status, created_on, is_test_mode, fetched_at)
SELECT env, id, 'X-' || id, 'P1', 1000, 'USD', false, site, 'ONE*SHOP', 7, TIMESTAMPTZ '2026-11-23 10:00:00Z', false, TIMESTAMPTZ '2026-11-24 00:00:00Z'
FROM (VALUES ` + orders + `) t(env, id, site)`,
		`INSERT INTO findings (run_id, category, partner_merchant_id, fc_order_id) SELECT 1, 'orphan_order', 'M1', id FROM fc_orders`,
		`INSERT INTO run_order_sites (run_id, merchant, site, descriptor, currency, fc_orders, fc_amount, fc_amounts_unknown) VALUES ` + kept,
	} {
		if _, err := db.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.migrate(t.Context(), flexrecon.SQL()); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := db.db.Select(&got, `SELECT site || ' ' || coalesce(environment, 'none') || ' ' || fc_orders FROM run_order_sites ORDER BY ALL`); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestMigrationGivesOldFindingsTheirEnvironment: the findings runs stored
// before 037 get the environment the Exceptions sheet gave them: their
// verdict's (T1 judged in sandbox, though its ledger row says production),
// an orphan order's own, and none where there is no verdict (a quarantined
// row; run 2, which judged no T1).
func TestMigrationGivesOldFindingsTheirEnvironment(t *testing.T) {
	db := migratedUpTo(t, 36)
	for _, q := range []string{
		ledgerRowT1("approved"),
		`INSERT INTO verdicts (run_id, file_id, line, switch_state, environment, transmit_state)
		VALUES (1, 1, 2, 'sandbox', 'sandbox', 'transmitted')`,
		`INSERT INTO findings (run_id, category, partner_merchant_id, transaction_id, occurrence, fc_order_id, fc_value) VALUES
			(1, 'unknown_site', 'M1', 'T1', 1, NULL, NULL),
			(1, 'orphan_order', 'M1', 'T9', NULL, 'F9', 'production'),
			(1, 'quarantined', NULL, NULL, NULL, NULL, NULL),
			(2, 'unknown_site', 'M1', 'T1', 1, NULL, NULL)`,
	} {
		if _, err := db.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.migrate(t.Context(), flexrecon.SQL()); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := db.db.Select(&got, `SELECT concat_ws(' ', run_id, category, coalesce(environment, 'none')) FROM findings ORDER BY ALL`); err != nil {
		t.Fatal(err)
	}
	want := []string{"1 orphan_order production", "1 quarantined none", "1 unknown_site sandbox", "2 unknown_site none"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings stored before 037, after it (-want +got):\n%s", diff)
	}
}

// TestMigrationGivesOldRisksTheirDecline: a double_charge_risk stored
// before 041 gets the decline its detail named as its ledger value, where
// explain now looks; one naming no decline (an order no decline claimed)
// keeps none. The decline's id is taken whole, whatever it holds: a line
// break (A3's was stored as an empty value) or the wording itself.
func TestMigrationGivesOldRisksTheirDecline(t *testing.T) {
	db := migratedUpTo(t, 39)
	q := `INSERT INTO findings (run_id, category, partner_merchant_id, transaction_id, occurrence, fc_order_id, field, detail) VALUES
		(1, 'double_charge_risk', 'M1', 'A1', 1, 'F1', 'rescue', 'the merchant''s retry was approved after FlexCharge completed the order for decline D1'),
		(1, 'double_charge_risk', 'M1', 'A2', 1, 'F2', 'rescue', 'the merchant''s retry was approved after FlexCharge completed the order'),
		(1, 'double_charge_risk', 'M1', 'A3', 1, 'F3', 'rescue', 'the merchant''s retry was approved after FlexCharge completed the order for decline D3' || chr(10) || 'b'),
		(1, 'double_charge_risk', 'M1', 'A4', 1, 'F4', 'rescue', 'the merchant''s retry was approved after FlexCharge completed the order for decline D4 for decline 5')`
	if _, err := db.db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if err := db.migrate(t.Context(), flexrecon.SQL()); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := db.db.Select(&got, `SELECT transaction_id || ' ' || coalesce(ledger_value, 'none') FROM findings ORDER BY ALL`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"A1 D1", "A2 none", "A3 D3\nb", "A4 D4 for decline 5"}; !slices.Equal(got, want) {
		t.Errorf("risks stored before 041, after it: %q, want %q", got, want)
	}
}

// TestShownAtIsTheGoClock: the Manifest sheet's times (shown_at, migration
// 044) read as the command line's and the pages' (recon.LocalTime): Berlin
// on each side of the autumn change (01:00 UTC on 2026-10-25), New York
// behind UTC, and a zone half an hour off the hour.
func TestShownAtIsTheGoClock(t *testing.T) {
	db := migratedUpTo(t, 44)
	for _, c := range []struct {
		zone string
		at   time.Time
	}{
		{"Europe/Berlin", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{"Europe/Berlin", time.Date(2026, 10, 25, 1, 30, 59, 900_000_000, time.UTC)},
		{"America/New_York", time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)},
		{"Asia/Kolkata", time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)},
		{"UTC", time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := db.db.Get(&got, "SELECT shown_at(CAST($1 AS TIMESTAMPTZ), $2)", c.at, c.zone); err != nil {
			t.Fatal(err)
		}
		if want := recon.LocalTime(c.at, loc); got != want {
			t.Errorf("shown_at(%s, %s) = %q, want %q", c.at.Format(time.RFC3339Nano), c.zone, got, want)
		}
	}
}

// TestMigrationLeavesCorrectionsNamedBeforeItNamed: after 043, a
// correction loaded before it by a run that failed (B, whose day no
// nightly window reaches any more) is not listed as waiting for a run,
// as 042 did not list it; one forced outside runs that 042 listed as
// waiting (D) still waits.
func TestMigrationLeavesCorrectionsNamedBeforeItNamed(t *testing.T) {
	db := migratedUpTo(t, 42)
	for _, q := range []string{
		`INSERT INTO runs (id, kind, window_from, window_to, as_of, dry_run, status, started_at, config_hash, version)
		VALUES (nextval('run_id_seq'), 'nightly', DATE '2026-09-01', DATE '2026-09-01', TIMESTAMPTZ '2026-09-02 00:00:00Z', false, 'failed', TIMESTAMPTZ '2026-09-02 01:00:00Z', 'h', 'v')`,
		`INSERT INTO ledger_files (id, source, name, sha256, size, business_date, rows, quarantined, duplicates, outcome, loaded_at, run_id, replaced_by, forced) VALUES
		(1, 'inbox', 'A.csv', 'a', 1, DATE '2026-08-01', 2, 0, 0, 'replaced', TIMESTAMPTZ '2026-08-02 01:00:00Z', 0, 2, false),
		(2, 'inbox', 'B.csv', 'b', 1, DATE '2026-08-01', 2, 0, 0, 'loaded', TIMESTAMPTZ '2026-09-02 01:00:00Z', 1, NULL, false),
		(3, 'inbox', 'C.csv', 'c', 1, DATE '2026-08-02', 2, 0, 0, 'replaced', TIMESTAMPTZ '2026-08-03 01:00:00Z', 0, 4, false),
		(4, 'inbox', 'D.csv', 'd', 1, DATE '2026-08-02', 1, 0, 0, 'loaded', TIMESTAMPTZ '2026-09-03 01:00:00Z', 0, NULL, true)`,
	} {
		if _, err := db.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.migrate(t.Context(), flexrecon.SQL()); err != nil {
		t.Fatal(err)
	}
	awaiting, err := db.FilesAwaitingRun(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range awaiting {
		got = append(got, f.Name)
	}
	if diff := cmp.Diff([]string{"D.csv"}, got); diff != "" {
		t.Errorf("corrections waiting for a run after 043 (-want +got):\n%s", diff)
	}
}
