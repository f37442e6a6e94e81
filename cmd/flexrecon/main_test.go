package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/store"
)

// TestBadConfigWritesNothing runs reconcile on a configuration with an
// unknown key: it stops naming the key, and no database or workbook appears.
func TestBadConfigWritesNothing(t *testing.T) {
	f := newFixture(t, 50)
	path := filepath.Join(f.dir, gen.ConfigFile)
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(text), "[push]\n", "[push]\nretries = 3\n", 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &out}
	err = m.Run(context.Background(), []string{"reconcile", "--config", path, "--from", f.plan.From})
	if err == nil || !strings.Contains(err.Error(), "push.retries") {
		t.Fatalf("reconcile with a bad config: %v, want an error naming push.retries", err)
	}
	for _, p := range []string{"var", "reports"} {
		if _, err := os.Stat(filepath.Join(f.dir, p)); !os.IsNotExist(err) {
			t.Errorf("%s was written by a run that should not have started", p)
		}
	}
}

func TestHelpListsCommands(t *testing.T) {
	var out bytes.Buffer
	if err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), []string{"help"}); err != nil {
		t.Fatal(err)
	}
	for name := range commands {
		if !strings.Contains(out.String(), name) {
			t.Errorf("help does not list %q:\n%s", name, out.String())
		}
	}
}

// TestNoCommandFails: flexrecon with no command prints the commands and
// fails, as an unknown one does: it exited 0, so a script or a cron line
// that lost its command passed having done nothing.
func TestNoCommandFails(t *testing.T) {
	var out bytes.Buffer
	err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), nil)
	if err == nil || !strings.Contains(out.String(), "Commands:") {
		t.Errorf("no command: %v, printed %q; want an error after the list of commands", err, out.String())
	}
}

// TestHelpNamesIngestReplace: the command list says ingest also loads
// (--replace), not only that it checks and loads nothing.
func TestHelpNamesIngestReplace(t *testing.T) {
	var out bytes.Buffer
	if err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), []string{"help"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "(--replace)") {
		t.Errorf("help does not name ingest --replace:\n%s", out.String())
	}
}

// TestMemoryLimitReachesDuckDB checks the configured cap is DuckDB's, not
// its default of most of the machine's memory.
func TestMemoryLimitReachesDuckDB(t *testing.T) {
	f := newFixture(t, 10)
	env := f.env(t)
	rows, err := env.DB.Query(context.Background(), "SELECT current_setting('memory_limit')")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got string
	if !rows.Next() || rows.Scan(&got) != nil {
		t.Fatal("no memory_limit setting")
	}
	if got != "2.3 GiB" { // DuckDB shows the default 2.5GB (10^9 bytes) in GiB
		t.Errorf("memory_limit = %q, want the default 2.5GB", got)
	}
}

// TestNextCommandFailsADeadRun: a run left running by a process that died
// (here: started, never finished, the database closed under it) is failed by
// whichever command opens the database next, not only by serve.
func TestNextCommandFailsADeadRun(t *testing.T) {
	f := newFixture(t, 10)
	env := f.openEnv(t)
	run, err := env.DB.StartRun(context.Background(), store.Run{Kind: "adhoc", WindowFrom: f.request().From,
		WindowTo: f.request().To, AsOf: f.plan.AsOf, QueuedAt: time.Now().UTC(), ConfigHash: "h", Version: "v"})
	if err != nil {
		t.Fatal(err)
	}
	env.DB.Close()
	var out bytes.Buffer
	if err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), []string{"runs", "--config", filepath.Join(f.dir, gen.ConfigFile)}); err != nil {
		t.Fatal(err)
	}
	got, err := f.env(t).DB.GetRun(context.Background(), run.ID)
	if err != nil || got.Status != "failed" {
		t.Errorf("run %d after the next command: %q, %v; want failed", run.ID, got.Status, err)
	}
}

// TestStrayWordRefused: a word among the flags stops the command before it
// does anything, instead of dropping every flag after it (here --dry-run:
// the run would have pushed for real).
func TestStrayWordRefused(t *testing.T) {
	f := newFixture(t, 10)
	var out bytes.Buffer
	err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), []string{"reconcile", "--config",
		filepath.Join(f.dir, gen.ConfigFile), "--from", f.plan.From, f.plan.From, "--dry-run"})
	if err == nil || !strings.Contains(err.Error(), `unexpected "`+f.plan.From+`"`) {
		t.Errorf("reconcile with a stray word: %v, want it refused naming the word", err)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "var")); !os.IsNotExist(err) {
		t.Error("the refused command opened the database")
	}
}

// TestBusyWithoutServiceSaysSo: a reconcile that finds the database held by
// another command (no service answering) says to wait for it, and does not
// ask for the service's credentials.
func TestBusyWithoutServiceSaysSo(t *testing.T) {
	f := newFixture(t, 10)
	path, _ := serviceConfig(t, f.dir) // a free port: no service answers there
	f.env(t)                           // holds the database, as a reconcile under way does
	cmd := childCommand("reconcile", "--config", path, "--from", f.plan.From)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "another flexrecon command holds it") || strings.Contains(string(out), "FLEXRECON_USER") {
		t.Errorf("reconcile against a held database: %v\n%s\nwant it refused, saying another command holds it", err, out)
	}
}

// TestDemoKeepsFoldersNotItsOwn: demo --dir refuses to empty a folder that
// holds files and is not an earlier demo's, and an earlier demo whose
// database a process holds; it empties an earlier demo's otherwise.
func TestDemoKeepsFoldersNotItsOwn(t *testing.T) {
	precious := t.TempDir()
	if err := os.WriteFile(filepath.Join(precious, "ledger.xlsx"), []byte("finance's own"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := clearDemoDir(context.Background(), precious); err == nil {
		t.Error("demo would empty a folder that is not a demo's")
	}
	if _, err := os.Stat(filepath.Join(precious, "ledger.xlsx")); err != nil {
		t.Errorf("the folder's file is gone: %v", err)
	}
	f := newFixture(t, 10)
	path, addr := serviceConfig(t, f.dir)
	serve := childCommand("serve", "--config", path)
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer kill(t, serve)
	waitHealthy(t, addr, nil)
	if err := clearDemoDir(context.Background(), f.dir); err == nil || !strings.Contains(err.Error(), "still in use") {
		t.Errorf("demo over a demo a service runs on: %v, want it refused", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the served demo's configuration is gone: %v", err)
	}
}

// TestCommandsRefuseNonsense: a diff against a run that does not exist, a
// negative limit, a list of 0 runs and a generation of no rows are refused,
// not reported as "0 changes", every run, an empty history and "wrote -5
// transactions".
func TestCommandsRefuseNonsense(t *testing.T) {
	f := newFixture(t, 10)
	cfg := filepath.Join(f.dir, gen.ConfigFile)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"runs", "--config", cfg, "--diff", "1", "--against", "99"}, "no run"},
		{[]string{"runs", "--config", cfg, "--against", "1"}, "--against belongs to a diff, so it needs --diff N"},
		{[]string{"runs", "--config", cfg, "--limit", "-1"}, "--limit: want 1 or more runs to list"},
		{[]string{"runs", "--config", cfg, "--limit", "0"}, "--limit: want 1 or more runs to list, got 0"},
		{[]string{"runs", "--config", cfg, "--diff", "1", "--limit", "-1"}, "--limit: want 0 or more changes per kind"},
		{[]string{"gen", "--rows", "-5", "--out", t.TempDir()}, "at least one row"},
		{[]string{"demo", "--rows", "0", "--dir", f.dir}, "at least one row"},
	} {
		var out bytes.Buffer
		err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error saying %q", tt.args, err, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(f.dir, gen.PlanFile)); err != nil {
		t.Errorf("the refused demo deleted the earlier one: %v", err)
	}
}

// TestDiffOfDisjointWindowsSaysSo: two runs whose windows share no day, or
// that cover two different merchants, have nothing to compare, and the diff
// says so rather than listing nothing.
func TestDiffOfDisjointWindowsSaysSo(t *testing.T) {
	f := newFixture(t, 10)
	env := f.env(t)
	var ids []int64
	for _, r := range []struct{ day, merchant string }{{f.plan.From, ""}, {"2025-01-01", ""}, {f.plan.From, "M001"}, {f.plan.From, "M002"}} {
		d, _ := time.Parse(time.DateOnly, r.day)
		run, err := env.DB.StartRun(context.Background(), store.Run{Kind: "adhoc", WindowFrom: d, WindowTo: d, AsOf: f.plan.AsOf,
			Merchant: r.merchant, QueuedAt: f.plan.AsOf, ConfigHash: "h", Version: "v"})
		if err == nil {
			err = env.DB.FinishRun(context.Background(), run.ID, f.plan.AsOf, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, run.ID)
	}
	env.DB.Close()
	for _, tt := range []struct {
		after, before int64
		want          string
	}{{ids[1], ids[0], "share no day"}, {ids[3], ids[2], "different merchants"}} {
		var out bytes.Buffer
		err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), []string{"runs", "--config", filepath.Join(f.dir, gen.ConfigFile),
			"--diff", fmt.Sprint(tt.after), "--against", fmt.Sprint(tt.before)})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("diff of runs %d and %d: %v, want it to say they %s", tt.after, tt.before, err, tt.want)
		}
	}
}

// TestRunsListSaysWhatARunWasAsked: the list of runs says which run
// backfilled and which resent pushes in doubt, as the runs page does: those
// are the runs that may have sent FlexCharge a second copy.
func TestRunsListSaysWhatARunWasAsked(t *testing.T) {
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	err := (&Main{Stdout: &out}).listRuns([]store.Run{
		{ID: 1, Kind: "adhoc", WindowFrom: day, WindowTo: day, Status: "succeeded"},
		{ID: 2, Kind: "adhoc", WindowFrom: day, WindowTo: day, Status: "succeeded", Backfill: true, ResendInDoubt: true},
	}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) < 3 || strings.Contains(lines[1], "(backfill)") || !strings.Contains(lines[2], "adhoc (backfill) (resending pushes in doubt)") {
		t.Errorf("runs listed\n%s\nwant run 2 alone marked (backfill) (resending pushes in doubt)", out.String())
	}
}

// TestRunsListShowsThePartnersClock: the list of runs shows its times on
// the partner's clock with the offset, as the pages and the workbook do,
// not in UTC: a Berlin run queued at 00:30 UTC on each side of the autumn
// change (2026-10-25 03:00 CEST → 02:00 CET, 01:00 UTC) reads 02:30 +02:00
// and 01:30 +01:00, and its window's days are the days asked for.
func TestRunsListShowsThePartnersClock(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var rs []store.Run
	for i, day := range []time.Time{time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)} {
		at := day.AddDate(0, 0, 1).Add(30 * time.Minute)
		rs = append(rs, store.Run{ID: int64(i + 1), Kind: "nightly", WindowFrom: day, WindowTo: day, AsOf: at, QueuedAt: at, StartedAt: &at, Status: "succeeded"})
	}
	if err := (&Main{Stdout: &out}).listRuns(rs, berlin); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2026-10-24..2026-10-24", "2026-10-25 02:30:00 +02:00", "2026-10-25..2026-10-25", "2026-10-26 01:30:00 +01:00"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("runs listed in Europe/Berlin\n%s\nlack %q", out.String(), want)
		}
	}
	if strings.Contains(out.String(), "Z ") {
		t.Errorf("runs listed in Europe/Berlin\n%s\nshow a UTC time", out.String())
	}
}

// TestSwitchListShowsThePartnersClock: switch --list shows a change's
// effective and recorded times on the partner's clock with the offset, on
// each side of Berlin's spring change (2026-03-29 01:00 UTC), not in UTC.
func TestSwitchListShowsThePartnersClock(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	change := time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	err = (&Main{Stdout: &out}).listSwitches([]store.Switch{{ID: 1, MerchantID: "M1", Profile: "mit", Scope: "merchant", State: "production",
		EffectiveAt: change.Add(-30 * time.Minute), RecordedAt: change.Add(30 * time.Minute), Actor: "ops", Origin: "cli", Reason: "go-live"}}, berlin)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2026-03-29 01:30:00 +01:00", "2026-03-29 03:30:00 +02:00"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("switches listed in Europe/Berlin\n%s\nlack %q", out.String(), want)
		}
	}
}

// TestReconcileNeedsFrom: reconcile without --from says the flag is
// missing, not that an empty date does not parse.
func TestReconcileNeedsFrom(t *testing.T) {
	var out bytes.Buffer
	err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), []string{"reconcile", "--config", "flexrecon.toml"})
	if err == nil || err.Error() != "--from is required: the first business day, YYYY-MM-DD" {
		t.Errorf("reconcile without --from: %v, want an error saying --from is required", err)
	}
}

// TestReconcileUsageNamesEveryFlag: the usage line shows --to as optional
// (it defaults to --from) and names every flag, --as-of included.
func TestReconcileUsageNamesEveryFlag(t *testing.T) {
	var out bytes.Buffer
	_ = (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), []string{"reconcile", "--help"})
	usage, _, _ := strings.Cut(out.String(), "\n")
	for _, want := range []string{"--from DATE [--to DATE]", "[--as-of T]", "[-v]"} {
		if !strings.Contains(usage, want) {
			t.Errorf("reconcile usage %q does not say %q", usage, want)
		}
	}
}

// TestRunsDiffCountsAlone: `runs --diff N --counts` prints each kind's
// count and no change, where --limit 0 lists every change; --counts without
// --diff, or with --limit, is refused.
func TestRunsDiffCountsAlone(t *testing.T) {
	f := newFixture(t, 40)
	cfg := filepath.Join(f.dir, gen.ConfigFile)
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), append([]string{"runs", "--config", cfg}, args...))
		return out.String(), err
	}
	// The first day, then both: the second day's broken transactions are news.
	for _, to := range []string{f.plan.From, f.plan.To} {
		var out bytes.Buffer
		if err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), []string{"reconcile", "--config", cfg,
			"--from", f.plan.From, "--to", to, "--as-of", f.plan.AsOf.Format(time.RFC3339)}); err != nil {
			t.Fatalf("reconcile: %v\n%s", err, out.String())
		}
	}
	all, err := run("--diff", "2", "--against", "1", "--limit", "0")
	if err != nil {
		t.Fatal(err)
	}
	counts, err := run("--diff", "2", "--against", "1", "--counts")
	if err != nil {
		t.Fatal(err)
	}
	head, listed, _ := strings.Cut(all, "\n\n")
	if listed == "" || counts != head+"\n" {
		t.Errorf("runs --diff 2 --counts printed\n%s\nwant the counts alone of the whole diff\n%s", counts, all)
	}
	if _, err := run("--counts"); err == nil || !strings.Contains(err.Error(), "needs --diff") {
		t.Errorf("runs --counts: %v, want it refused as needing --diff", err)
	}
	// --limit 5 beside --counts was dropped without a word.
	for _, limit := range []string{"5", "20"} {
		if _, err := run("--diff", "2", "--against", "1", "--counts", "--limit", limit); err == nil || !strings.Contains(err.Error(), "--limit "+limit+" has nothing to limit") {
			t.Errorf("runs --diff --counts --limit %s: %v, want it refused", limit, err)
		}
	}
}
