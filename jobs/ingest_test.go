package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// ingestStage is what run id's ingest stage recorded.
func ingestStage(t *testing.T, env *jobs.Env, id int64) store.Stage {
	t.Helper()
	stages, err := env.DB.RunStages(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stages {
		if s.Stage == "ingest" {
			return s
		}
	}
	t.Fatalf("run %d has no ingest stage: %+v", id, stages)
	return store.Stage{}
}

// TestIngestReportsReplacements: a cut-off correction (10 rows where the
// day's export has hundreds) is refused, named with both files in the run's
// notices, and the export's rows stay in force; an ordinary correction (the
// same rows, one amount fixed) replaces the export, is logged and named in
// the run's ingest detail.
func TestIngestReportsReplacements(t *testing.T) {
	env, req, _, correction, lines := correctionChain(t)
	var logged bytes.Buffer
	env.Logger = slog.New(slog.NewJSONHandler(&logged, nil))
	first, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	rows := ingestStage(t, env, first.ID).Rows // the export's rows but those quarantined

	if err := os.WriteFile(correction, []byte(strings.Join(lines[:11], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatalf("run with a cut-off correction: %v; want it to succeed, the correction refused", err)
	}
	notices, err := env.DB.FileNotices(t.Context(), second.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("rejected: ledger_2026-11-23_v2.csv: file rejected: ledger_2026-11-23_v2.csv (10 rows) would replace the file in force for 2026-11-23, ledger_2026-11-23.csv (%d rows), with fewer than half its rows", rows)
	if len(notices) != 1 || !strings.HasPrefix(notices[0], want) || !strings.Contains(notices[0], "flexrecon ingest --replace ledger_2026-11-23_v2.csv") {
		t.Errorf("run %d's notices: got %q, want one starting %q and naming ingest --replace", second.ID, notices, want)
	}
	if got := inForce(t, env); got != rows {
		t.Errorf("rows in force after the cut-off correction: got %d, want the export's %d", got, rows)
	}

	if err := os.WriteFile(correction, []byte(fixedAmount(t, lines)), 0o644); err != nil {
		t.Fatal(err)
	}
	third, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("1 files loaded, 0 rejected; ledger_2026-11-23_v2.csv replaces ledger_2026-11-23.csv for 2026-11-23: %d rows where there were %d", rows, rows)
	if got := ingestStage(t, env, third.ID).Detail; got != want {
		t.Errorf("run %d's ingest detail, the ordinary correction: got %q, want %q", third.ID, got, want)
	}
	if !strings.Contains(logged.String(), fmt.Sprintf(`"file":"ledger_2026-11-23_v2.csv","rows":%d,"replaces":"ledger_2026-11-23.csv","replaced_rows":%d`, rows, rows)) {
		t.Errorf("log of run %d:\n%s\nwant the replacement naming both files and their rows", third.ID, logged.String())
	}
	if got := inForce(t, env); got != rows {
		t.Errorf("rows in force after the ordinary correction: got %d, want %d", got, rows)
	}
}

// TestIngestNamesAReplacementForcedBetweenRuns: a cut-off export a run
// refused, put in force by ingest --replace (a load under no run), showed
// in no run's history: no run's notices, ingest detail or manifest named
// the replacement, though the next run judged the day without the rows it
// put out of force. The next run takes it in and names it, once.
func TestIngestNamesAReplacementForcedBetweenRuns(t *testing.T) {
	env, req, replacement := forcedCutOff(t)

	// A dry run, one merchant's run and a run of another day do not judge
	// the file as the night does: none of them takes it.
	dry, one, otherDay := req, req, req
	dry.DryRun = true
	one.Merchant = env.Merchants[0].ID
	otherDay.From, otherDay.To = req.From.AddDate(0, 0, -1), req.From.AddDate(0, 0, -1)
	for _, r := range []jobs.Request{dry, one, otherDay} {
		run, err := env.Reconcile(t.Context(), r)
		if err != nil {
			t.Fatal(err)
		}
		if notices, err := env.DB.FileNotices(t.Context(), run.ID); err != nil || len(notices) != 0 {
			t.Errorf("notices of run %d (%+v) after ingest --replace: got %q, %v; want none (it does not judge the file as a whole run of its day does)", run.ID, r, notices, err)
		}
	}

	third, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	notices, err := env.DB.FileNotices(t.Context(), third.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"correction: " + replacement}; !slices.Equal(notices, want) {
		t.Errorf("notices of the run after ingest --replace: got %q, want %q", notices, want)
	}
	if got, want := ingestStage(t, env, third.ID).Detail, "0 files loaded, 0 rejected; "+replacement+" (put in force by ingest --replace)"; got != want {
		t.Errorf("ingest detail of the run after ingest --replace: got %q, want %q", got, want)
	}
	fourth, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if notices, err := env.DB.FileNotices(t.Context(), fourth.ID); err != nil || len(notices) != 0 {
		t.Errorf("notices of the run after that: got %q, %v; want none (the replacement is the run before's)", notices, err)
	}
}

// TestForcedReplacementOfAFailedRunIsTheNextRuns: a run that took in a
// file forced by ingest --replace and then failed kept it, so the run that
// next succeeded over its day, whose workbook finance reads, never named
// the correction it judged the day with. The failed run lets it go.
func TestForcedReplacementOfAFailedRunIsTheNextRuns(t *testing.T) {
	env, req, replacement := forcedCutOff(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	env.Logger = slog.New(cancelAfterStage{stage: "ingest", cancel: cancel})
	failed, err := env.Reconcile(ctx, req)
	if err == nil || failed.Status != "failed" {
		t.Fatalf("run stopped as its ingest ended: %+v, %v; want it failed", failed, err)
	}
	env.Logger = slog.New(slog.DiscardHandler)
	next, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if notices, err := env.DB.FileNotices(t.Context(), next.ID); err != nil || !slices.Equal(notices, []string{"correction: " + replacement}) {
		t.Errorf("notices of the run after failed run %d took in the forced file: got %q, %v; want the correction", failed.ID, notices, err)
	}
	if got, want := ingestStage(t, env, next.ID).Detail, "0 files loaded, 0 rejected; "+replacement+" (put in force by ingest --replace)"; got != want {
		t.Errorf("ingest detail of the run after the failed one: got %q, want %q", got, want)
	}
}

// TestIngestCorrectionNoRunPublishedIsNamedByTheNext: an ordinary
// correction loaded by a run that then failed, or by a dry run, was named
// only in that run's history: the next run, whose workbook finance reads,
// judged the day with it and never said so. The next recorded run of every
// merchant over the day names it, saying which run loaded it; the run that
// loaded it still names it too.
func TestIngestCorrectionNoRunPublishedIsNamedByTheNext(t *testing.T) {
	for _, how := range []string{"failed", "dry"} {
		t.Run(how, func(t *testing.T) {
			env, req, export, correction, lines := correctionChain(t)
			if err := os.WriteFile(correction, []byte(fixedAmount(t, lines)), 0o644); err != nil {
				t.Fatal(err)
			}
			// Both sent an hour ago, the correction kept back for the first
			// run: runs pass over the files they read.
			sent := time.Now().Add(-time.Hour)
			for _, f := range []string{export, correction} {
				if err := os.Chtimes(f, sent, sent); err != nil {
					t.Fatal(err)
				}
			}
			held := correction + ".held"
			if err := os.Rename(correction, held); err != nil {
				t.Fatal(err)
			}
			first, err := env.Reconcile(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(held, correction); err != nil {
				t.Fatal(err)
			}
			rows := ingestStage(t, env, first.ID).Rows
			replacement := fmt.Sprintf("ledger_2026-11-23_v2.csv replaces ledger_2026-11-23.csv for 2026-11-23: %d rows where there were %d", rows, rows)

			loader := loadCorrectionUnpublished(t, env, req, how)
			if notices, err := env.DB.FileNotices(t.Context(), loader.ID); err != nil || !slices.Equal(notices, []string{"correction: " + replacement}) {
				t.Errorf("notices of the %s run %d that loaded the correction: %q, %v; want it named", how, loader.ID, notices, err)
			}
			next, err := env.Reconcile(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if notices, err := env.DB.FileNotices(t.Context(), next.ID); err != nil || !slices.Equal(notices, []string{"correction: " + replacement}) {
				t.Errorf("notices of the run after the %s run %d: %q, %v; want the correction", how, loader.ID, notices, err)
			}
			if got, want := ingestStage(t, env, next.ID).Detail, fmt.Sprintf("0 files loaded, 0 rejected; %s (loaded by run %d)", replacement, loader.ID); got != want {
				t.Errorf("ingest detail of the run after the %s run: got %q, want %q", how, got, want)
			}
		})
	}
}

// loadCorrectionUnpublished runs req so that it loads what the inbox holds
// and publishes nothing: stopped as its ingest ends ("failed"), or dry.
func loadCorrectionUnpublished(t *testing.T, env *jobs.Env, req jobs.Request, how string) store.Run {
	t.Helper()
	if how == "dry" {
		req.DryRun = true
		run, err := env.Reconcile(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logger := env.Logger
	env.Logger = slog.New(cancelAfterStage{stage: "ingest", cancel: cancel})
	defer func() { env.Logger = logger }()
	run, err := env.Reconcile(ctx, req)
	if err == nil || run.Status != "failed" {
		t.Fatalf("run stopped as its ingest ended: %+v, %v; want it failed", run, err)
	}
	return run
}

// correctionChain is a day's chain of 300 rows, with the path of the day's
// export and of its correction (not written yet), and the export's lines.
func correctionChain(t *testing.T) (env *jobs.Env, req jobs.Request, export, correction string, lines []string) {
	t.Helper()
	env, req, dir := dayChain(t, 300)
	inbox := filepath.Join(dir, gen.InboxDir)
	export, correction = filepath.Join(inbox, "ledger_2026-11-23.csv"), filepath.Join(inbox, "ledger_2026-11-23_v2.csv")
	body, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	return env, req, export, correction, strings.SplitAfter(string(body), "\n")
}

// forcedCutOff is a day's chain whose export a run loaded, then a cut-off
// export of the day (10 rows) that a run refused, put in force by
// ingest --replace; and the replacement as a run's notices word it.
func forcedCutOff(t *testing.T) (env *jobs.Env, req jobs.Request, replacement string) {
	t.Helper()
	env, req, export, correction, lines := correctionChain(t)
	first, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	rows := ingestStage(t, env, first.ID).Rows
	if err := os.WriteFile(correction, []byte(strings.Join(lines[:11], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	// Both sent an hour ago: runs pass over the files they read.
	sent := time.Now().Add(-time.Hour)
	for _, f := range []string{export, correction} {
		if err := os.Chtimes(f, sent, sent); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	forceReplace(t, env, correction) // as ingest --replace does
	return env, req, fmt.Sprintf("ledger_2026-11-23_v2.csv replaces ledger_2026-11-23.csv for 2026-11-23: 10 rows where there were %d, fewer than half", rows)
}

// forceReplace loads path, a file of env's first source, under no run and
// in force over its day's file whatever it holds: ingest --replace.
func forceReplace(t *testing.T, env *jobs.Env, path string) {
	t.Helper()
	src := env.Sources[0]
	f, err := ledger.Describe(src.Name, path)
	if err != nil {
		t.Fatal(err)
	}
	lf, err := store.NewLoadFile(f, src.Format, src.Mapping, env.Location)
	if err != nil {
		t.Fatal(err)
	}
	lf.Replace = true
	if out, err := env.DB.IngestFile(t.Context(), lf); err != nil || out.Replacement == nil {
		t.Fatalf("ingest --replace %s: %+v, %v; want it in force over the day's export", path, out, err)
	}
}

// fixedAmount is an export's lines with one USD amount changed: a
// correction as a partner sends it.
func fixedAmount(t *testing.T, lines []string) string {
	t.Helper()
	for i, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) > 6 && f[6] == "USD" && f[5] != "1.23" && regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`).MatchString(f[5]) {
			f[5] = "1.23"
			fixed := slices.Clone(lines)
			fixed[i+1] = strings.Join(f, ",")
			return strings.Join(fixed, "")
		}
	}
	t.Fatal("no USD amount in the export to fix")
	return ""
}

// inForce counts the ledger rows in force.
func inForce(t *testing.T, env *jobs.Env) int64 {
	t.Helper()
	res, err := env.DB.Query(t.Context(), "SELECT count(*) FROM ledger_tx")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var n int64
	if !res.Next() || res.Scan(&n) != nil {
		t.Fatalf("count rows in force: %v", res.Err())
	}
	return n
}

// TestIngestRecordsAFileOfNoKnownFormat: a file whose format its name does
// not tell (a spreadsheet left in an inbox read with format "auto") is
// refused like any bad file and recorded as one: the run's file notices,
// which reconcile prints, name it and why. It was counted as rejected, but
// recorded nowhere a person reads.
func TestIngestRecordsAFileOfNoKnownFormat(t *testing.T) {
	env, req, dir := dayChain(t, 50)
	env.Sources[0].Format, env.Sources[0].Pattern = "auto", "*"
	if err := os.WriteFile(filepath.Join(dir, gen.InboxDir, "ledger_2026-11-23.xlsx"), []byte("PK"), 0o644); err != nil {
		t.Fatal(err)
	}
	run, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := ingestStage(t, env, run.ID).Detail; !strings.HasSuffix(got, ", 1 rejected") {
		t.Errorf("run %d's ingest detail: %q, want one file rejected", run.ID, got)
	}
	notices, err := env.DB.FileNotices(t.Context(), run.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`rejected: ledger_2026-11-23.xlsx: file rejected: cannot tell the format of "ledger_2026-11-23.xlsx" from its name (.csv, .tsv, .txt, .jsonl, .ndjson, .json, .parquet, .gz too): the source's format = "csv", "jsonl" or "parquet" in the configuration declares it`}
	if diff := cmp.Diff(want, notices); diff != "" {
		t.Errorf("run %d's file notices (-want +got):\n%s", run.ID, diff)
	}
}
