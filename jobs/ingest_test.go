package jobs_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/gen"
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

// TestIngestReportsReplacements: a correction with far fewer rows than the
// day's export replaces it (the run succeeds), is logged as a warning and
// named in the run's ingest detail; the export sent again once the
// correction is taken away puts its rows back, and says so too.
func TestIngestReportsReplacements(t *testing.T) {
	env, req, dir := dayChain(t, 300)
	var logged bytes.Buffer
	env.Logger = slog.New(slog.NewJSONHandler(&logged, nil))
	inbox := filepath.Join(dir, gen.InboxDir)
	export, correction := filepath.Join(inbox, "ledger_2026-11-23.csv"), filepath.Join(inbox, "ledger_2026-11-23_v2.csv")
	sent := time.Now().Add(-time.Hour)
	if err := os.Chtimes(export, sent, sent); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(body), "\n")
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
		t.Fatalf("run with a correction of fewer than half the rows: %v; want it to succeed", err)
	}
	want := fmt.Sprintf("ledger_2026-11-23_v2.csv replaces ledger_2026-11-23.csv for 2026-11-23: 10 rows where there were %d, fewer than half", rows)
	if got := ingestStage(t, env, second.ID).Detail; !strings.Contains(got, want) {
		t.Errorf("run %d's ingest detail: got %q, want it to say %q", second.ID, got, want)
	}
	if !strings.Contains(logged.String(), `"level":"WARN","msg":"ledger file replaces the earlier file of its day with fewer than half its rows"`) ||
		!strings.Contains(logged.String(), fmt.Sprintf(`"file":"ledger_2026-11-23_v2.csv","rows":10,"replaces":"ledger_2026-11-23.csv","replaced_rows":%d`, rows)) {
		t.Errorf("log of run %d:\n%s\nwant a warning naming both files and their rows", second.ID, logged.String())
	}

	if err := os.Remove(correction); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(export, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	third, err := env.Reconcile(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("1 files loaded, 0 rejected; ledger_2026-11-23.csv replaces ledger_2026-11-23_v2.csv for 2026-11-23: %d rows where there were 10", rows)
	if got := ingestStage(t, env, third.ID).Detail; got != want {
		t.Errorf("run %d's ingest detail, the export sent again: got %q, want %q", third.ID, got, want)
	}
	res, err := env.DB.Query(t.Context(), "SELECT count(*) FROM ledger_tx")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var inForce int64
	if !res.Next() || res.Scan(&inForce) != nil {
		t.Fatalf("count rows in force: %v", res.Err())
	}
	if inForce != rows {
		t.Errorf("rows in force after the export came again: got %d, want its %d", inForce, rows)
	}
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
	want := []string{`rejected: ledger_2026-11-23.xlsx: file rejected: cannot tell the format of "ledger_2026-11-23.xlsx" from its name; declare it`}
	if diff := cmp.Diff(want, notices); diff != "" {
		t.Errorf("run %d's file notices (-want +got):\n%s", run.ID, diff)
	}
}
