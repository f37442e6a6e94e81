package jobs_test

import (
	"context"
	"encoding/csv"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// dayChain is a generated chain of rows transactions over one day, in
// dir, and the ad-hoc request for that day.
func dayChain(t *testing.T, rows int) (env *jobs.Env, req jobs.Request, dir string) {
	t.Helper()
	dir = t.TempDir()
	env, plan, err := generatedChain(gen.Options{Rows: rows, Seed: 5, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.DB.Close() })
	day, _ := time.Parse(time.DateOnly, plan.To)
	return env, jobs.Request{Kind: "adhoc", From: day, To: day, AsOf: plan.AsOf}, dir
}

// exported is the text of one of run's reports (name: "manifest.csv"),
// rendered again as a download would be.
func exported(t *testing.T, env *jobs.Env, run int64, name string) string {
	t.Helper()
	out := t.TempDir()
	if _, err := jobs.ExportCSV(t.Context(), env, run, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOldRunsManifestStays: a run's manifest, rendered again after a
// correction of its day was loaded by a later run, still lists the file the
// run read, in force, and not the correction.
func TestOldRunsManifestStays(t *testing.T) {
	env, req, dir := dayChain(t, 300)
	first, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	export := filepath.Join(dir, gen.InboxDir, "ledger_2026-11-23.csv")
	body, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(body), "\n")
	corrected := strings.Join(lines[:len(lines)-2], "") // the day without its last row
	if err := os.WriteFile(filepath.Join(dir, gen.InboxDir, "ledger_2026-11-23_v2.csv"), []byte(corrected), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	m := exported(t, env, first.ID, "manifest.csv")
	if !strings.Contains(m, "Input file ledger_2026-11-23.csv,\"loaded,") || strings.Contains(m, "_v2") {
		t.Errorf("run %d's manifest, rendered after the correction:\n%s\nwant the original export loaded and no correction", first.ID, m)
	}
}

// TestFailedStageKeepsItsEnd: the stage a run failed in records when it
// ended and why, as the stages before it record theirs.
func TestFailedStageKeepsItsEnd(t *testing.T) {
	env, req, dir := dayChain(t, 300)
	env.Output = filepath.Join(dir, "not-a-folder")
	if err := os.WriteFile(env.Output, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	run, err := env.Reconcile(t.Context(), req)
	if err == nil || run.Status != "failed" {
		t.Fatalf("run writing its workbook into a file: %v, status %q; want it failed", err, run.Status)
	}
	stages, err := env.DB.RunStages(t.Context(), run.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := stages[len(stages)-1]
	if last.Stage != "workbook" || !last.FinishedAt.Valid || !strings.HasPrefix(last.Detail, "failed: ") {
		t.Errorf("run %d's last stage: %+v; want the workbook, ended, its detail saying why it failed", run.ID, last)
	}
}

// TestManifestListsEveryFileJudged: a run that loads nothing new still lists
// an export named for another day whose rows it judged.
func TestManifestListsEveryFileJudged(t *testing.T) {
	env, req, dir := dayChain(t, 300)
	body, err := os.ReadFile(filepath.Join(dir, gen.InboxDir, "ledger_2026-11-23.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(body), "\n")
	late := lines[0] + lines[1] // the header and one of the day's rows, in a file named for the day before
	if err := os.WriteFile(filepath.Join(dir, gen.InboxDir, "ledger_2026-11-22.csv"), []byte(late), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	second, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	manifest := exported(t, env, second.ID, "manifest.csv")
	if !strings.Contains(manifest, "Input file ledger_2026-11-22.csv") {
		t.Errorf("run %d's manifest:\n%s\nwant the export named for 2026-11-22, whose row it judged", second.ID, manifest)
	}
}

// TestOldRunsSitesStay: FlexCharge changing its orders after a run does not
// change the run's Sites sheet read again later.
func TestOldRunsSitesStay(t *testing.T) {
	env, req, _ := dayChain(t, 300)
	run, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	sites := func() string { return exported(t, env, run.ID, "sites.csv") }
	before := sites()
	rows, err := env.DB.Query(t.Context(), "UPDATE fc_orders SET amount = amount + 1, site_url = 'https://moved.example'")
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if after := sites(); after != before {
		t.Errorf("run %d's Sites sheet after FlexCharge changed its orders:\n%s\nwant it as the run wrote it:\n%s", run.ID, after, before)
	}
}

// TestMissingInboxFailsTheRun: a source whose folder is not there (a typo in
// its path) fails the run naming the source, instead of a run that read
// nothing, found every order an orphan and succeeded.
func TestMissingInboxFailsTheRun(t *testing.T) {
	env, req, dir := dayChain(t, 50)
	env.Sources[0].Path = filepath.Join(dir, "inbxo")
	run, err := env.Reconcile(t.Context(), req)
	if err == nil || run.Status != "failed" || !strings.Contains(err.Error(), "inbxo") {
		t.Errorf("run with a missing inbox: %v, status %q; want it failed, naming the folder", err, run.Status)
	}
}

// TestUnknownMerchantRefused: a run for a merchant the configuration lacks
// does not start (it would judge nothing and succeed).
func TestUnknownMerchantRefused(t *testing.T) {
	env, req, _ := dayChain(t, 50)
	req.Merchant = "NOPE"
	run, err := env.Reconcile(t.Context(), req)
	if !errors.Is(err, jobs.ErrUnknownMerchant) || run.ID != 0 {
		t.Errorf("run for merchant NOPE: run %d, %v; want none started, ErrUnknownMerchant", run.ID, err)
	}
}

// TestManifestSaysWhatTheRunKnew: the workbook a run writes says the run
// finished, its figures final, when its last stage began writing it (it
// said "not yet", which told finance the run was unfinished), and rendered
// again it says the end the run recorded; the manifest names the switch
// changes the run judged by, so two runs over the same files but different
// switches can be told apart.
func TestManifestSaysWhatTheRunKnew(t *testing.T) {
	env, req, _ := dayChain(t, 50)
	first, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(first.Workbook)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Manifest")
	f.Close()
	stages, err := env.DB.RunStages(t.Context(), first.ID)
	if err != nil || len(stages) == 0 || stages[len(stages)-1].Stage != "workbook" {
		t.Fatalf("run %d's stages: %+v, %v; want the workbook last", first.ID, stages, err)
	}
	began := recon.LocalTime(stages[len(stages)-1].StartedAt, env.Location)
	written := manifestItems(rows)
	if want := began + ", as its last stage began writing this workbook: every figure here is final"; written["Finished"] != want ||
		written["Stage workbook"] != "writing this workbook" {
		t.Errorf("the written workbook's manifest: Finished %q, Stage workbook %q; want %q and %q",
			written["Finished"], written["Stage workbook"], want, "writing this workbook")
	}
	again, err := csv.NewReader(strings.NewReader(exported(t, env, first.ID, "manifest.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rendered := manifestItems(again)
	if want := recon.LocalTime(*first.FinishedAt, env.Location); rendered["Finished"] != want ||
		!strings.HasSuffix(rendered["Stage workbook"], "; "+filepath.Base(first.Workbook)) {
		t.Errorf("run %d's manifest rendered again: Finished %q, Stage workbook %q; want %q and the stage done, naming its file",
			first.ID, rendered["Finished"], rendered["Stage workbook"], want)
	}
	sw := store.Switch{MerchantID: env.Merchants[0].ID, Profile: "mit", Scope: "merchant", State: "off", EffectiveAt: req.From,
		Actor: "ops", Reason: "paused", RecordedAt: time.Now().UTC(), Origin: "cli"}
	if _, err := env.DB.RecordSwitch(t.Context(), sw); err != nil {
		t.Fatal(err)
	}
	second, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	line := func(run int64) string {
		for _, l := range strings.Split(exported(t, env, run, "manifest.csv"), "\n") {
			if strings.HasPrefix(l, "Switches judged by") {
				return l
			}
		}
		return ""
	}
	if a, b := line(first.ID), line(second.ID); a == "" || a == b {
		t.Errorf("manifests' switches: run %d %q, run %d %q; want them present and different", first.ID, a, second.ID, b)
	}
}

// manifestItems is a Manifest sheet's rows as item → value.
func manifestItems(rows [][]string) map[string]string {
	items := map[string]string{}
	for _, r := range rows {
		if len(r) == 2 {
			items[r[0]] = r[1]
		}
	}
	return items
}

// TestFailedWorkbookNamesNoServerPath: a workbook stage that cannot write
// its file fails the run saying why and naming the file, but not where the
// server keeps it: the stage's detail and the run's error are on the run
// page and in the API, for every reader.
func TestFailedWorkbookNamesNoServerPath(t *testing.T) {
	env, req, dir := dayChain(t, 50)
	blocked := filepath.Join(dir, "not-a-folder")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env.Output = filepath.Join(blocked, "out")
	run, err := env.Reconcile(t.Context(), req)
	if err == nil || run.Status != "failed" {
		t.Fatalf("run into an output folder under a file: %v, status %q; want it failed", err, run.Status)
	}
	stages, serr := env.DB.RunStages(t.Context(), run.ID)
	if serr != nil || len(stages) == 0 {
		t.Fatal(serr)
	}
	detail := stages[len(stages)-1].Detail
	for what, text := range map[string]string{"run error": run.Error, "workbook stage detail": detail} {
		if strings.Contains(text, dir) || !strings.Contains(text, "not-a-folder: not a directory") {
			t.Errorf("%s: %q; want it to say why, naming the file, not %s", what, text, dir)
		}
	}
}

// TestFailedRunLeavesNoWorkbook: a run that fails after its workbook stage
// wrote the file (here the service stopping as the stage ends, so that its
// end is never recorded) leaves no workbook in the output folder, under its
// name or any other: the file's manifest says every figure in it is final,
// and finance opens that folder. Any workbook found there is opened, to say
// what it claims.
func TestFailedRunLeavesNoWorkbook(t *testing.T) {
	env, req, _ := dayChain(t, 50)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	env.Logger = slog.New(cancelAfterStage{stage: "workbook", cancel: cancel})
	run, err := env.Reconcile(ctx, req)
	if err == nil || run.Status != "failed" {
		t.Fatalf("run stopped as its workbook stage ended: %+v, %v; want it failed", run, err)
	}
	left, err := os.ReadDir(env.Output)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	for _, e := range left {
		claim := "not a workbook"
		if f, err := excelize.OpenFile(filepath.Join(env.Output, e.Name())); err == nil {
			rows, _ := f.GetRows("Manifest")
			f.Close()
			claim = "Finished: " + manifestItems(rows)["Finished"]
		}
		t.Errorf("failed run %d (%s) left %s in the output folder (%s); want nothing", run.ID, run.Error, e.Name(), claim)
	}
}

// cancelAfterStage is a log that calls cancel once the chain logs stage's
// end: after the stage's work, before its end is recorded. With keep, a
// folder, it first links the temporary files there to other names, as a
// process killed then would have left them.
type cancelAfterStage struct {
	stage  string
	cancel context.CancelFunc
	keep   string
}

func (h cancelAfterStage) Enabled(context.Context, slog.Level) bool { return true }
func (h cancelAfterStage) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h cancelAfterStage) WithGroup(string) slog.Handler            { return h }

func (h cancelAfterStage) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if r.Message == "stage finished" && a.Key == "stage" && a.Value.String() == h.stage {
			var held []string
			if h.keep != "" {
				held, _ = filepath.Glob(filepath.Join(h.keep, ".*.tmp"))
			}
			for _, tmp := range held {
				os.Link(tmp, strings.TrimSuffix(tmp, ".tmp")+"-killed.tmp")
			}
			h.cancel()
		}
		return true
	})
	return nil
}

// TestHeldWorkbooksSettledAfterAKill: a process killed after its workbook
// stage, before the run's workbook took its name, left it under its
// temporary name; the next start settles it as the run's end would have:
// a succeeded run's takes its name (finance finds it in the folder, the
// download serves it), a failed run's is removed. A temporary file that is
// not a workbook a run recorded (another service's in the same folder) is
// left alone.
func TestHeldWorkbooksSettledAfterAKill(t *testing.T) {
	env, req, _ := dayChain(t, 50)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	env.Logger = slog.New(cancelAfterStage{stage: "workbook", cancel: cancel, keep: env.Output})
	failed, err := env.Reconcile(ctx, req)
	if err == nil || failed.Status != "failed" {
		t.Fatalf("run stopped as its workbook stage ended: %+v, %v; want it failed", failed, err)
	}
	env.Logger = slog.New(slog.DiscardHandler)
	ok, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	heldOK := filepath.Join(env.Output, "."+filepath.Base(ok.Workbook)+"-1.tmp")
	if err := os.Rename(ok.Workbook, heldOK); err != nil { // killed before the rename
		t.Fatal(err)
	}
	foreign := filepath.Join(env.Output, "."+filepath.Base(ok.Workbook)+"-2.tmp")
	if err := os.WriteFile(foreign, []byte("another service's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := env.SettleHeldWorkbooks(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ok.Workbook); err != nil {
		t.Errorf("succeeded run %d's held workbook not put in place: %v", ok.ID, err)
	}
	var left []string
	entries, _ := os.ReadDir(env.Output)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{filepath.Base(foreign), filepath.Base(ok.Workbook)}; strings.Join(left, " ") != strings.Join(want, " ") {
		t.Errorf("output folder after settling (failed run %d, succeeded run %d): %q; want %q", failed.ID, ok.ID, left, want)
	}
}
