package jobs_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

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

// TestIngestReportsReplacements: a cut-off correction (10 rows where the
// day's export has hundreds) is refused, named with both files in the run's
// notices, and the export's rows stay in force; an ordinary correction (the
// same rows, one amount fixed) replaces the export, is logged and named in
// the run's ingest detail.
func TestIngestReportsReplacements(t *testing.T) {
	env, req, dir := dayChain(t, 300)
	var logged bytes.Buffer
	env.Logger = slog.New(slog.NewJSONHandler(&logged, nil))
	inbox := filepath.Join(dir, gen.InboxDir)
	export, correction := filepath.Join(inbox, "ledger_2026-11-23.csv"), filepath.Join(inbox, "ledger_2026-11-23_v2.csv")
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
		t.Fatalf("run with a cut-off correction: %v; want it to succeed, the correction refused", err)
	}
	notices, err := env.DB.FileNotices(t.Context(), second.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("rejected: ledger_2026-11-23_v2.csv: file rejected: ledger_2026-11-23_v2.csv (10 rows) would replace the day's file in force, ledger_2026-11-23.csv (%d rows), with fewer than half its rows", rows)
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
	want := []string{`rejected: ledger_2026-11-23.xlsx: file rejected: cannot tell the format of "ledger_2026-11-23.xlsx" from its name; declare it`}
	if diff := cmp.Diff(want, notices); diff != "" {
		t.Errorf("run %d's file notices (-want +got):\n%s", run.ID, diff)
	}
}
