package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

// dayExport is an export of 2026-11-24 with one approved row per
// transaction id.
func dayExport(ids ...string) string {
	var b strings.Builder
	b.WriteString("partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n")
	for i, id := range ids {
		fmt.Fprintf(&b, "M001,O-%s,%s,2026-11-24T1%d:00:00Z,1.00,USD,approved,CIT,https://a.example\n", id, id, i)
	}
	return b.String()
}

// writeAt writes body to path, last modified at modified.
func writeAt(t *testing.T, path, body string, modified time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, modified, modified); err != nil {
		t.Fatal(err)
	}
}

// loadInRun loads path, hashed, as run does.
func loadInRun(t *testing.T, db *store.DB, path string, run int64) store.LoadOutcome {
	t.Helper()
	lf := loadFileFor(t, path, ledger.Mapping{})
	lf.RunID = run
	out, err := db.IngestFile(t.Context(), lf)
	if err != nil {
		t.Fatalf("load %s in run %d: %v", path, run, err)
	}
	return out
}

// forceInRun loads path in run as ops' ingest --replace does, past the
// guard against unlike replacements.
func forceInRun(t *testing.T, db *store.DB, path string, run int64) store.LoadOutcome {
	t.Helper()
	lf := loadFileFor(t, path, ledger.Mapping{})
	lf.RunID, lf.Replace = run, true
	out, err := db.IngestFile(t.Context(), lf)
	if err != nil {
		t.Fatalf("force %s in run %d: %v", path, run, err)
	}
	return out
}

// TestIngestRefusesUnlikeReplacements: a dateless file of 3 rows, 2 of them
// of the day of a 7-row export, and a file of as many rows sharing none of
// its transaction ids, are refused whole, naming both files, their rows and
// ingest --replace, as ingest --check says; the export stays in force.
// Forced, the small file replaces it; an ordinary correction (same ids, one
// amount fixed) needs no force.
func TestIngestRefusesUnlikeReplacements(t *testing.T) {
	db := MustOpenDB(t)
	dir := t.TempDir()
	export := filepath.Join(dir, "ledger_2026-11-24.csv")
	writeAt(t, export, dayExport("TX-1", "TX-2", "TX-3", "TX-4", "TX-5", "TX-6", "TX-7"), time.Now())
	first := loadInRun(t, db, export, 1)

	tiny := filepath.Join(dir, "stragglers.csv")
	writeAt(t, tiny, dayExport("TX-1", "TX-8")+"M001,O-9,TX-9,2026-11-23T23:00:00Z,1.00,USD,approved,CIT,https://a.example\n", time.Now())
	other := filepath.Join(dir, "ledger_2026-11-24_other.csv")
	writeAt(t, other, dayExport("TX-A", "TX-B", "TX-C", "TX-D", "TX-E", "TX-F", "TX-G"), time.Now())
	for _, c := range []struct{ path, want string }{
		{tiny, "stragglers.csv (3 rows) would replace the file in force for 2026-11-24, ledger_2026-11-24.csv (7 rows), with fewer than half its rows"},
		{other, "ledger_2026-11-24_other.csv (7 rows) would replace the file in force for 2026-11-24, ledger_2026-11-24.csv (7 rows), with none of its transaction ids"},
	} {
		if chk, err := db.CheckFile(t.Context(), loadFileFor(t, c.path, ledger.Mapping{})); err != nil || !strings.Contains(chk.Rejected, c.want) {
			t.Errorf("check %s: %v, rejected %q; want %q", c.path, err, chk.Rejected, c.want)
		}
		before := stored(t, db)
		_, err := db.IngestFile(t.Context(), loadFileFor(t, c.path, ledger.Mapping{}))
		if !errors.Is(err, store.ErrRejected) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "ingest --replace "+filepath.Base(c.path)) {
			t.Errorf("load %s over the day's export: %v; want it rejected: %q, naming ingest --replace", c.path, err, c.want)
		}
		if diff := cmp.Diff(before, stored(t, db)); diff != "" {
			t.Errorf("stored data changed by the refused %s (-before +after):\n%s", c.path, diff)
		}
	}
	if got := dump(t, db, "SELECT DISTINCT file_id FROM ledger_tx"); !cmp.Equal(got, [][]string{{fmt.Sprint(first.FileID)}}) {
		t.Errorf("files in force after the refusals: %v; want the export %d alone", got, first.FileID)
	}

	fixed := filepath.Join(dir, "ledger_2026-11-24_v2.csv")
	writeAt(t, fixed, strings.Replace(dayExport("TX-1", "TX-2", "TX-3", "TX-4", "TX-5", "TX-6", "TX-7"), "1.00", "2.00", 1), time.Now())
	if out := loadInRun(t, db, fixed, 2); earlierOf(out) != first.FileID {
		t.Errorf("ordinary correction: got %+v; want it to replace file %d", out, first.FileID)
	}
	if out := forceInRun(t, db, tiny, 3); out.Rows != 3 || out.Replacement == nil || out.Replacement.Earlier != "ledger_2026-11-24_v2.csv" {
		t.Errorf("forced stragglers: got %+v; want its 3 rows in force over ledger_2026-11-24_v2.csv", out)
	}
}

// TestIngestRefusedDatelessFileKeepsItsDay: a dateless file the
// replacement guard refuses is of the day its rows give, the day whose
// export it would have replaced: it was recorded with no day, so the
// manifest of a run of that day (which lists the day's files) and anyone
// asking which day's export was refused could not tell.
func TestIngestRefusedDatelessFileKeepsItsDay(t *testing.T) {
	db := MustOpenDB(t)
	dir := t.TempDir()
	export, tiny := filepath.Join(dir, "ledger_2026-11-24.csv"), filepath.Join(dir, "stragglers.csv")
	writeAt(t, export, dayExport("TX-1", "TX-2", "TX-3"), time.Now())
	writeAt(t, tiny, dayExport("TX-1"), time.Now())
	loadInRun(t, db, export, 1)
	lf := loadFileFor(t, tiny, ledger.Mapping{})
	lf.RunID = 2
	if _, err := db.IngestFile(t.Context(), lf); !errors.Is(err, store.ErrRejected) {
		t.Fatalf("load of 1 row over the day's 3: %v; want it refused", err)
	}
	want := [][]string{{"ledger_2026-11-24.csv", "2026-11-24", "loaded"}, {"stragglers.csv", "2026-11-24", "rejected"}}
	if got := dump(t, db, "SELECT name, coalesce(CAST(business_date AS VARCHAR), 'none'), outcome FROM ledger_files ORDER BY id"); !cmp.Equal(got, want) {
		t.Errorf("files: %v; want %v", got, want)
	}
}

// TestIngestCorrectionPutsBackTheEarlierFile: a day's file A, then a
// correction B, then A again: A's content is back in force, as a new file
// that replaces B, and the files and runs record both replacements. A sent
// once more while it is in force is a no-op.
func TestIngestCorrectionPutsBackTheEarlierFile(t *testing.T) {
	db := MustOpenDB(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "ledger_2026-11-24.csv"), filepath.Join(dir, "ledger_2026-11-24_more.csv")
	writeAt(t, a, dayExport("TX-1", "TX-2", "TX-3", "TX-4", "TX-5"), time.Now())
	writeAt(t, b, dayExport("TX-9"), time.Now())

	first := loadInRun(t, db, a, 1)
	second := forceInRun(t, db, b, 2) // 1 row for 5: refused unforced
	third := forceInRun(t, db, a, 3)  // none of B's ids: refused unforced too
	if third.Outcome != "loaded" || earlierOf(third) != second.FileID || third.Rows != 5 {
		t.Fatalf("A after its correction B: got %+v; want loaded, 5 rows, replacing file %d", third, second.FileID)
	}
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	want := []store.Replacement{
		{BusinessDate: day, Name: "ledger_2026-11-24_more.csv", Rows: 1, EarlierID: first.FileID, Earlier: "ledger_2026-11-24.csv", EarlierRows: 5, LoadedBy: 2, Forced: true},
		{BusinessDate: day, Name: "ledger_2026-11-24.csv", Rows: 5, EarlierID: second.FileID, Earlier: "ledger_2026-11-24_more.csv", EarlierRows: 1, LoadedBy: 3, Forced: true},
	}
	for i, out := range []store.LoadOutcome{second, third} {
		if diff := cmp.Diff(&want[i], out.Replacement); diff != "" {
			t.Errorf("load %d's replacement (-want +got):\n%s", i+2, diff)
		}
	}
	for i, run := range []int64{2, 3} {
		got, err := db.Replacements(t.Context(), run)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want[i:i+1], got); diff != "" {
			t.Errorf("run %d's replacements (-want +got):\n%s", run, diff)
		}
	}
	if got, want := want[0].String(), "ledger_2026-11-24_more.csv replaces ledger_2026-11-24.csv for 2026-11-24: 1 row where there were 5, fewer than half"; got != want {
		t.Errorf("B's replacement as text:\n got %q\nwant %q", got, want)
	}
	if !want[0].Shrinks() || want[1].Shrinks() {
		t.Errorf("Shrinks: got %v for 5 → 1 rows and %v for 1 → 5; want true, false", want[0].Shrinks(), want[1].Shrinks())
	}

	files := dump(t, db, "SELECT id, name, outcome, replaced_by, run_id FROM ledger_files ORDER BY id")
	wantFiles := [][]string{
		{fmt.Sprint(first.FileID), "ledger_2026-11-24.csv", "replaced", fmt.Sprint(second.FileID), "1"},
		{fmt.Sprint(second.FileID), "ledger_2026-11-24_more.csv", "replaced", fmt.Sprint(third.FileID), "2"},
		{fmt.Sprint(third.FileID), "ledger_2026-11-24.csv", "loaded", "<nil>", "3"},
	}
	if diff := cmp.Diff(wantFiles, files); diff != "" {
		t.Errorf("ledger_files (-want +got):\n%s", diff)
	}
	inForce := dump(t, db, "SELECT file_id, transaction_id FROM ledger_tx ORDER BY ALL")
	var wantRows [][]string
	for _, id := range []string{"TX-1", "TX-2", "TX-3", "TX-4", "TX-5"} {
		wantRows = append(wantRows, []string{fmt.Sprint(third.FileID), id})
	}
	if diff := cmp.Diff(wantRows, inForce); diff != "" {
		t.Errorf("rows in force (-want +got):\n%s", diff)
	}

	before := stored(t, db)
	again := loadInRun(t, db, a, 4)
	if again.Outcome != "duplicate" || again.FileID != third.FileID || again.Replacement != nil {
		t.Errorf("A again, in force: got %+v; want a duplicate of file %d", again, third.FileID)
	}
	if diff := cmp.Diff(before, stored(t, db)); diff != "" {
		t.Errorf("stored data changed by sending the file in force again (-before +after):\n%s", diff)
	}
}

// night loads the files of dir as a run does: a file read before and
// unchanged since is passed over. It returns each file's outcome by name.
func night(t *testing.T, db *store.DB, dir string, run int64) map[string]string {
	t.Helper()
	files, err := ledger.Discover("test", dir, "*.csv")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		unchanged, err := db.FileUnchanged(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		if unchanged {
			got[f.Name] = "unchanged"
			continue
		}
		lf, err := store.NewLoadFile(f, "", ledger.Mapping{}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		lf.RunID = run
		out, err := db.IngestFile(t.Context(), lf)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		got[f.Name] = out.Outcome
	}
	return got
}

// inForceFiles names the files whose rows are in force.
func inForceFiles(t *testing.T, db *store.DB) [][]string {
	t.Helper()
	return dump(t, db, "SELECT name, rows FROM ledger_files WHERE outcome = 'loaded' ORDER BY id")
}

// TestIngestSeenResentFileCorrects: the files of an inbox found again
// unchanged stay passed over (the replaced one does not come back each
// night), and a replaced file sent again (its time changed) loads and puts
// its content back in force.
func TestIngestSeenResentFileCorrects(t *testing.T) {
	db := MustOpenDB(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "ledger_2026-11-24.csv"), filepath.Join(dir, "ledger_2026-11-24_more.csv")
	nightOf := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second) // settled since, as a night's export is
	bodyA := dayExport("TX-1", "TX-2", "TX-3", "TX-4", "TX-5")
	writeAt(t, a, bodyA, nightOf)
	night(t, db, dir, 1)
	writeAt(t, b, dayExport("TX-1", "TX-2", "TX-3", "TX-9"), nightOf.Add(time.Hour)) // a correction restates the day

	for i, want := range []map[string]string{
		{"ledger_2026-11-24.csv": "unchanged", "ledger_2026-11-24_more.csv": "loaded"},
		{"ledger_2026-11-24.csv": "unchanged", "ledger_2026-11-24_more.csv": "unchanged"},
	} {
		run := int64(i + 2)
		if diff := cmp.Diff(want, night(t, db, dir, run)); diff != "" {
			t.Errorf("run %d (-want +got):\n%s", run, diff)
		}
	}
	if diff := cmp.Diff([][]string{{"ledger_2026-11-24_more.csv", "4"}}, inForceFiles(t, db)); diff != "" {
		t.Errorf("after the correction (-want +got):\n%s", diff)
	}

	// Ops takes B away and sends A again (a copy, a touch: a new time).
	if err := os.Remove(b); err != nil {
		t.Fatal(err)
	}
	writeAt(t, a, bodyA, nightOf.Add(48*time.Hour))
	if diff := cmp.Diff(map[string]string{"ledger_2026-11-24.csv": "loaded"}, night(t, db, dir, 4)); diff != "" {
		t.Errorf("run 4, A sent again (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"ledger_2026-11-24.csv": "unchanged"}, night(t, db, dir, 5)); diff != "" {
		t.Errorf("run 5, nothing new (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"ledger_2026-11-24.csv", "5"}}, inForceFiles(t, db)); diff != "" {
		t.Errorf("after A came again (-want +got):\n%s", diff)
	}
}

// TestIngestReplacedContentFromAnotherSource: content a correction replaced,
// coming again from another source (a source renamed, an export delivered
// two ways), is no correction of that source's day: it is a no-op, not the
// day's rows in force twice.
func TestIngestReplacedContentFromAnotherSource(t *testing.T) {
	db, a, b := dayAndCorrection(t, dayExport("TX-1", "TX-2", "TX-3"), dayExport("TX-1", "TX-2"))
	loadInRun(t, db, b, 2)
	lf := loadFileFor(t, a, ledger.Mapping{})
	lf.File.Source, lf.RunID = "renamed", 3
	if out, err := db.IngestFile(t.Context(), lf); err != nil || out.Outcome != "duplicate" {
		t.Errorf("A from another source: %+v, %v; want a duplicate", out, err)
	}
	if got := dump(t, db, "SELECT count(*) FROM ledger_tx"); got[0][0] != "2" {
		t.Errorf("rows in force: %v, want the correction's 2", got)
	}
}

// TestCheckRefusesAnEmptyReplacement: a day's file whose rows are all
// quarantined is rejected by a load (it would put the day's file out of
// force with nothing), and the check says so too.
func TestCheckRefusesAnEmptyReplacement(t *testing.T) {
	db, _, b := dayAndCorrection(t, dayExport("TX-1", "TX-2"), strings.Replace(dayExport("TX-9"), ",1.00,", ",ten,", 1))
	c, text := checkText(t, db, b)
	lf := loadFileFor(t, b, ledger.Mapping{})
	lf.RunID = 2
	_, err := db.IngestFile(t.Context(), lf)
	if !errors.Is(err, store.ErrRejected) || !strings.Contains(c.Rejected, "no records to store") {
		t.Errorf("load: %v; check:\n%s\nwant both to reject the file", err, text)
	}
}

// dayAndCorrection writes a day's export (bodyA) and a correction of it
// (bodyB), sent three days ago, and loads the export in run 1.
func dayAndCorrection(t *testing.T, bodyA, bodyB string) (db *store.DB, a, b string) {
	t.Helper()
	db = MustOpenDB(t)
	dir := t.TempDir()
	a, b = filepath.Join(dir, "ledger_2026-11-24.csv"), filepath.Join(dir, "ledger_2026-11-24_v2.csv")
	sent := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
	writeAt(t, a, bodyA, sent)
	writeAt(t, b, bodyB, sent)
	loadInRun(t, db, a, 1)
	return db, a, b
}

// TestIngestSharedIDsOnlyInQuarantineAreNone: a file of as many rows as
// the day's export whose only transaction id in common with it is on a
// quarantined row shares none of its ids: the load and the check refuse it.
func TestIngestSharedIDsOnlyInQuarantineAreNone(t *testing.T) {
	other := strings.Replace(dayExport("TX-A", "TX-B", "TX-C", "TX-1"), ",TX-1,2026-11-24T13:00:00Z,1.00,", ",TX-1,2026-11-24T13:00:00Z,ten,", 1)
	db, _, b := dayAndCorrection(t, dayExport("TX-1", "TX-2", "TX-3"), other)
	want := "with none of its transaction ids"
	if c, text := checkText(t, db, b); !strings.Contains(c.Rejected, want) {
		t.Errorf("check:\n%s\nwant it rejected %q", text, want)
	}
	lf := loadFileFor(t, b, ledger.Mapping{})
	lf.RunID = 2
	if _, err := db.IngestFile(t.Context(), lf); !errors.Is(err, store.ErrRejected) || !strings.Contains(err.Error(), want) {
		t.Errorf("load: %v; want it rejected %q", err, want)
	}
}

// TestIngestForcedReplacementHolds: a day's export read while unsettled
// (not recorded as seen), then a small file ops force over it with ingest
// --replace: the next run reads the export again, and it changes nothing
// (its content is the one ops overruled), where it loaded as a correction
// of the correction, putting the day back as ops had said it was not. The
// run notes the one replacement, ops'. Forced again, the export goes back.
func TestIngestForcedReplacementHolds(t *testing.T) {
	db := MustOpenDB(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "ledger_2026-11-24.csv"), filepath.Join(dir, "ledger_2026-11-24_true.csv")
	writeAt(t, a, dayExport("TX-1", "TX-2", "TX-3", "TX-4", "TX-5"), time.Now()) // still being written: unsettled
	night(t, db, dir, dayRun(t, db))
	writeAt(t, b, dayExport("TX-1"), time.Now().Add(-time.Hour)) // one of its rows: refused unforced
	forceInRun(t, db, b, 0)

	second := dayRun(t, db)
	if _, err := db.AdoptUnnamedCorrections(t.Context(), second); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ledger_2026-11-24.csv": "duplicate", "ledger_2026-11-24_true.csv": "unchanged"}
	if diff := cmp.Diff(want, night(t, db, dir, second)); diff != "" {
		t.Errorf("run 2 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"ledger_2026-11-24_true.csv", "1"}}, inForceFiles(t, db)); diff != "" {
		t.Errorf("in force after run 2 (-want +got):\n%s", diff)
	}
	notices, err := db.FileNotices(t.Context(), second)
	if want := []string{"correction: ledger_2026-11-24_true.csv replaces ledger_2026-11-24.csv for 2026-11-24: 1 row where there were 5, fewer than half"}; err != nil || !cmp.Equal(notices, want) {
		t.Errorf("run 2's notices: %q, %v; want %q", notices, err, want)
	}

	if out := forceInRun(t, db, a, second+1); out.Outcome != "loaded" || out.Rows != 5 {
		t.Errorf("the export forced back: %+v; want its 5 rows loaded", out)
	}
}

// dayRun starts a recorded run of every merchant over 2026-11-24, the day
// the tests' exports are of: one that takes in what ingest --replace loaded.
func dayRun(t *testing.T, db *store.DB) int64 {
	t.Helper()
	return startDayRun(t, db, false)
}

// startDayRun starts a run of every merchant over 2026-11-24, dry or not.
func startDayRun(t *testing.T, db *store.DB, dryRun bool) int64 {
	t.Helper()
	d := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	r, err := db.StartRun(t.Context(), store.Run{Kind: "adhoc", WindowFrom: d, WindowTo: d, AsOf: d.AddDate(0, 0, 1), QueuedAt: d.AddDate(0, 0, 1), ConfigHash: "h", Version: "v", DryRun: dryRun})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// TestIngestRefusesUnlikeReplacementBeforeStoring: a file the replacement
// guard refuses is refused before any of it is stored, not stored and
// rolled back: no file id is drawn for it but the one its rejection is
// recorded under, the next.
func TestIngestRefusesUnlikeReplacementBeforeStoring(t *testing.T) {
	db, _, b := dayAndCorrection(t, dayExport("TX-1", "TX-2", "TX-3"), dayExport("TX-7", "TX-8", "TX-9"))
	if _, err := db.IngestFile(t.Context(), loadFileFor(t, b, ledger.Mapping{})); !errors.Is(err, store.ErrRejected) {
		t.Fatalf("load of a file sharing no ids: %v; want it rejected", err)
	}
	want := [][]string{{"1", "loaded"}, {"2", "rejected"}}
	if got := dump(t, db, "SELECT id, outcome FROM ledger_files ORDER BY id"); !cmp.Equal(got, want) {
		t.Errorf("files: %v; want %v", got, want)
	}
}

// TestIngestChainOfCorrectionsIsNamedStepByStep: a file B forced over the
// day's export A with ingest --replace, then a new export E that a dry run
// loads over B, before any run named B. The dry run's history names "E
// replaces B"; "B replaces A" was named by no run, and neither by a run
// finance reads. Both wait; the next recorded run of the day names both,
// in the order they were loaded, and once it succeeds neither waits.
func TestIngestChainOfCorrectionsIsNamedStepByStep(t *testing.T) {
	db, a, b := dayAndCorrection(t, dayExport("TX-1", "TX-2", "TX-3"), dayExport("TX-1"))
	forceInRun(t, db, b, 0)
	e := filepath.Join(filepath.Dir(b), "ledger_2026-11-24_v3.csv")
	writeAt(t, e, dayExport("TX-1", "TX-2", "TX-3", "TX-4"), time.Now().Add(-time.Hour))
	dry := startDayRun(t, db, true)
	if out := loadInRun(t, db, e, dry); out.Replacement == nil || out.Replacement.Earlier != filepath.Base(b) {
		t.Fatalf("the new export: %+v; want it to replace the forced file", out)
	}
	if err := db.FinishRun(t.Context(), dry, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	names := func(files []store.AwaitingFile) (out []string) {
		for _, f := range files {
			out = append(out, f.Name)
		}
		return out
	}
	waiting, err := db.FilesAwaitingRun(t.Context())
	if want := []string{filepath.Base(b), filepath.Base(e)}; err != nil || !cmp.Equal(names(waiting), want) {
		t.Errorf("files awaiting a run after the dry run: %q, %v; want %q", names(waiting), err, want)
	}

	next := dayRun(t, db)
	taken, err := db.AdoptUnnamedCorrections(t.Context(), next)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rp := range taken {
		got = append(got, rp.String()+" ("+rp.Origin()+")")
	}
	want := []string{
		fmt.Sprintf("%s replaces %s for 2026-11-24: 1 row where there were 3, fewer than half (put in force by ingest --replace)", filepath.Base(b), filepath.Base(a)),
		fmt.Sprintf("%s replaces %s for 2026-11-24: 4 rows where there was 1 (loaded by run %d)", filepath.Base(e), filepath.Base(b), dry),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("corrections run %d names (-want +got):\n%s", next, diff)
	}
	if err := db.FinishRun(t.Context(), next, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	if waiting, err := db.FilesAwaitingRun(t.Context()); err != nil || len(waiting) != 0 {
		t.Errorf("files awaiting a run after run %d succeeded: %q, %v; want none", next, names(waiting), err)
	}
}
