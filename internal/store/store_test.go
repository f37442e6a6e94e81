package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// MustOpenDB opens a fresh database file in a temporary folder, migrated.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "test.duckdb"), flexrecon.SQL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "twice.duckdb")
	for range 2 {
		db, err := store.Open(context.Background(), path, flexrecon.SQL())
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		db.Close()
	}
}

// TestOpenReadOnlyWritesNothing: a read-only open of a file an older
// flexrecon left (a migration short) is refused as behind and leaves the
// file as it was. (A writer in another process makes it ErrBusy, as Open.)
func TestOpenReadOnlyWritesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.duckdb")
	db, err := store.Open(ctx, path, flexrecon.SQL())
	if err != nil {
		t.Fatal(err)
	}
	dump(t, db, "DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
	db.Close()
	before, _ := os.ReadFile(path)
	if ro, err := store.OpenReadOnly(ctx, path, flexrecon.SQL()); !errors.Is(err, store.ErrSchemaBehind) {
		t.Errorf("read-only open of a file a migration short: %v, want ErrSchemaBehind", err)
		if err == nil {
			ro.Close()
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("the read-only open changed the file")
	}
}

// A file in DuckDB's older storage format cannot take the migrations, which
// name the new format's compression: it is refused, with the reason, and
// left as it was.
func TestOpenRefusesAnOlderStorageFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.duckdb")
	old, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec("CREATE TABLE kept AS SELECT 42 AS answer"); err != nil {
		t.Fatal(err)
	}
	old.Close()

	_, err = store.Open(context.Background(), path, flexrecon.SQL())
	if err == nil || !strings.Contains(err.Error(), "storage format") {
		t.Fatalf("open of a 1.0-format file: %v, want a storage format error", err)
	}
	old, err = sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	var answer int
	if err := old.QueryRow("SELECT answer FROM kept").Scan(&answer); err != nil || answer != 42 {
		t.Fatalf("the refused file lost its table: %d, %v", answer, err)
	}
}

// TestRecordSwitchKeepsEveryChange: a change that repeats an earlier one
// (an undo) is a change of its own; a switch of an unknown merchant is
// refused.
func TestRecordSwitchKeepsEveryChange(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.SeedRegistry(ctx, registryM1(), longAgo); err != nil {
		t.Fatal(err)
	}
	pause := store.Switch{MerchantID: "M1", Profile: "cit_web", Scope: "merchant", State: "off", EffectiveAt: longAgo, Actor: "ops", Reason: "pause", Origin: "cli"}
	undo := pause
	undo.State, undo.Reason = "production", "undo" // as the configuration's switch at the same time
	for _, s := range []store.Switch{pause, undo} {
		if _, err := db.RecordSwitch(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	sws, err := db.Switches(ctx, "M1")
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, s := range sws {
		if s.Profile == "cit_web" {
			reasons = append(reasons, s.Reason)
		}
	}
	if diff := cmp.Diff([]string{"go live", "pause", "undo"}, reasons); diff != "" {
		t.Errorf("cit_web history (-want +got):\n%s", diff)
	}
	unknown := pause
	unknown.MerchantID = "M9"
	if _, err := db.RecordSwitch(ctx, unknown); !errors.Is(err, store.ErrUnknownTarget) {
		t.Errorf("switch of merchant M9: got %v, want ErrUnknownTarget", err)
	}
}

// TestSwitchNeedsTheEnvironmentsCredentials: a switch to an environment
// the merchant has no credentials for is refused, as the configuration
// refuses one: its transactions would be judged there, and no run could
// push them or pull their orders. Turning the profile off needs none.
func TestSwitchNeedsTheEnvironmentsCredentials(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	m := registryM1()
	if _, ok := m[0].MIDs["sandbox"]; !ok {
		t.Fatal("registryM1 has no sandbox credentials: this test takes them out")
	}
	// Seeded with sandbox credentials once, then with them taken out.
	if err := db.SeedRegistry(ctx, m, longAgo); err != nil {
		t.Fatal(err)
	}
	delete(m[0].MIDs, "sandbox")
	if err := db.SeedRegistry(ctx, m, longAgo); err != nil {
		t.Fatal(err)
	}
	sw := store.Switch{MerchantID: "M1", Profile: "mit", Scope: "merchant", State: "sandbox", EffectiveAt: longAgo, Actor: "ops", Reason: "test MIT", Origin: "cli"}
	if _, err := db.RecordSwitch(ctx, sw); !errors.Is(err, store.ErrUnknownTarget) || !strings.Contains(err.Error(), "sandbox credentials") {
		t.Errorf("switch to sandbox without sandbox credentials: got %v, want ErrUnknownTarget naming them", err)
	}
	for _, state := range []string{"production", "off"} {
		sw.State = state
		if _, err := db.RecordSwitch(ctx, sw); err != nil {
			t.Errorf("switch to %s: %v", state, err)
		}
	}
}

// TestOpenSweepsBOMlessCopies: a load killed while DuckDB read a BOM-less
// copy of a JSON Lines file leaves it beside the database; the next open
// removes it, and nothing of another database's.
func TestOpenSweepsBOMlessCopies(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flexrecon.duckdb")
	left, other := path+".nobom-123", filepath.Join(dir, "other.duckdb.nobom-456")
	for _, f := range []string{left, other} {
		if err := os.WriteFile(f, []byte(`{"card":"4111111111111111"}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := store.Open(context.Background(), path, flexrecon.SQL())
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left after open: %v", left, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another database's copy removed: %v", err)
	}
}

// TestNightlyCaughtUpOwesAFailedFirstNight: the nights a start catches up
// run from the last succeeded nightly run on, or, with none succeeded, from
// the first one made, which failed: taking "no success" for "nothing owed"
// left a failed first night for ops to run by hand.
func TestNightlyCaughtUpOwesAFailedFirstNight(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	nightly := func(day string, failed bool) {
		t.Helper()
		d, _ := time.Parse(time.DateOnly, day)
		r, err := db.StartRun(ctx, store.Run{Kind: "nightly", WindowFrom: d, WindowTo: d, AsOf: d, QueuedAt: d, ConfigHash: "h", Version: "v"})
		if err != nil {
			t.Fatal(err)
		}
		var runErr error
		if failed {
			runErr = errors.New("pull orders: connection refused")
		}
		if err := db.FinishRun(ctx, r.ID, d, runErr); err != nil {
			t.Fatal(err)
		}
	}
	caughtUp := func() string {
		t.Helper()
		day, ok, err := db.NightlyCaughtUp(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return "none"
		}
		return day.Format(time.DateOnly)
	}
	steps := []struct {
		name, want string
		record     func()
	}{
		{"no nightly run", "none", func() {}},
		{"the first night failed", "2026-11-22", func() { nightly("2026-11-23", true) }},
		{"the next night succeeded", "2026-11-24", func() { nightly("2026-11-24", false) }},
		{"a later night failed", "2026-11-24", func() { nightly("2026-11-25", true) }},
	}
	for _, s := range steps {
		s.record()
		if got := caughtUp(); got != s.want {
			t.Errorf("%s: caught up to %s, want %s", s.name, got, s.want)
		}
	}
}
