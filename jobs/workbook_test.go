package jobs_test

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/internal/wire"
	"github.com/flexcharge/flexrecon/jobs"
)

var update = flag.Bool("update", false, "rewrite testdata/workbook.golden")

// demoRun is one generated run, shared by the tests of this file: the chain
// takes seconds, and every test only reads what it wrote.
type demoRun struct {
	env      *jobs.Env
	run      store.Run
	workbook []byte
}

var (
	sharedOnce sync.Once
	shared     demoRun
	sharedErr  error
	sharedDir  string
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if sharedDir != "" {
		if shared.env != nil {
			shared.env.DB.Close()
		}
		os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

// realRun generates a fixed data set, serves it from the FlexCharge sandbox
// over real HTTP, runs the whole chain once and reads back its workbook.
func realRun(t *testing.T) demoRun {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedErr = newDemoRun() })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

func newDemoRun() (demoRun, error) {
	var err error
	if sharedDir, err = os.MkdirTemp("", "flexrecon-workbook-"); err != nil {
		return demoRun{}, err
	}
	env, plan, err := generatedChain(gen.Options{Rows: 600, Seed: 42, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Out: sharedDir})
	if err != nil {
		return demoRun{}, err
	}
	d := demoRun{env: env}
	if d.run, err = env.Reconcile(context.Background(), planRequest("demo", plan)); err != nil {
		return d, err
	}
	d.workbook, err = os.ReadFile(d.run.Workbook)
	return d, err
}

// generatedChain generates the data of opts into opts.Out, serves its
// orders from a sandbox of its own and wires the chain over them.
// planRequest is a run of kind over gen's plan: its days, at its clock.
func planRequest(kind string, plan gen.Plan) jobs.Request {
	from, _ := time.Parse(time.DateOnly, plan.From)
	to, _ := time.Parse(time.DateOnly, plan.To)
	return jobs.Request{Kind: kind, From: from, To: to, AsOf: plan.AsOf}
}

func generatedChain(opts gen.Options) (*jobs.Env, gen.Plan, error) {
	return editedChain(opts, func(*flexcharge.SeedOrder) {})
}

// editedChain is generatedChain with each order edited before it is served.
func editedChain(opts gen.Options, edit func(*flexcharge.SeedOrder)) (*jobs.Env, gen.Plan, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, gen.Plan{}, err
	}
	opts.SandboxURL = "http://" + ln.Addr().String()
	plan, err := gen.Generate(opts)
	if err != nil {
		return nil, plan, err
	}
	if err := serveSandbox(ln, filepath.Join(opts.Out, gen.SeedFile), edit); err != nil {
		return nil, plan, err
	}
	env, err := openEnv(filepath.Join(opts.Out, gen.ConfigFile))
	return env, plan, err
}

// serveSandbox serves the generated orders, edited, until the test binary exits.
func serveSandbox(ln net.Listener, seedPath string, edit func(*flexcharge.SeedOrder)) error {
	seed, err := flexcharge.LoadSeed(seedPath)
	if err != nil {
		return err
	}
	for i := range seed.Orders {
		edit(&seed.Orders[i])
	}
	go http.Serve(ln, flexcharge.NewSandbox(seed, flexcharge.SandboxOptions{}))
	return nil
}

// openEnv wires the chain as the program does.
func openEnv(cfgPath string) (*jobs.Env, error) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return nil, err
	}
	return wire.Open(context.Background(), cfg, wire.Options{Logger: slog.New(slog.DiscardHandler), Version: "test"})
}

func openBook(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// sheetRows reads a sheet as people see it (formatted), or raw numbers.
func sheetRows(t *testing.T, f *excelize.File, sheet string, raw bool) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: raw})
	if err != nil {
		t.Fatalf("read sheet %q: %v", sheet, err)
	}
	return rows
}

// volatile names the cells that change from run to run (clock readings,
// keys FlexCharge mints, the port the sandbox listens on in the config hash):
// per sheet, the titles of columns, or for the manifest, item prefixes.
var volatile = map[string][]string{
	"Pushed":   {"Transmit key", "At (America/New_York)"},
	"Manifest": {"Started", "Finished", "Configuration hash", "Switches judged by", "Stage "},
}

// TestWorkbookGolden reads every cell of a real run's workbook back as the
// text a person sees and compares it with testdata/workbook.golden.
func TestWorkbookGolden(t *testing.T) {
	d := realRun(t)
	f := openBook(t, d.workbook)
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&b, "== %s\n", sheet)
		for _, row := range maskVolatile(sheet, sheetRows(t, f, sheet, false)) {
			fmt.Fprintf(&b, "%s\n", strings.Join(row, " | "))
		}
	}
	golden := filepath.Join("testdata", "workbook.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("workbook cells differ from %s (-want +got):\n%s", golden, diff)
	}
}

func maskVolatile(sheet string, rows [][]string) [][]string {
	names := volatile[sheet]
	if sheet == "Manifest" {
		for _, row := range rows {
			for _, p := range names {
				if len(row) > 1 && strings.HasPrefix(row[0], p) {
					row[1] = "*"
				}
			}
		}
		return rows
	}
	var cols []int
	for _, row := range rows { // the header is the first row naming a column
		for i, cell := range row {
			for _, n := range names {
				if cell == n {
					cols = append(cols, i)
				}
			}
		}
		if len(cols) > 0 {
			break
		}
	}
	for _, row := range rows[min(2, len(rows)):] {
		for _, c := range cols {
			if c < len(row) && row[c] != "" {
				row[c] = "*"
			}
		}
	}
	return rows
}

// table is a sheet read back raw: the header row's titles and the data rows,
// without the title above and the totals rows below.
type table struct {
	cols   map[string]int
	rows   [][]string
	totals [][]string
}

func readTable(t *testing.T, f *excelize.File, sheet string) table {
	t.Helper()
	rows := sheetRows(t, f, sheet, true)
	if len(rows) < 2 {
		t.Fatalf("sheet %q has %d rows, want a title and a header", sheet, len(rows))
	}
	tb := table{cols: map[string]int{}}
	for i, title := range rows[1] {
		tb.cols[title] = i
	}
	for _, row := range rows[2:] {
		if len(row) > 0 && strings.HasPrefix(row[0], "Total") {
			tb.totals = append(tb.totals, row)
			continue
		}
		tb.rows = append(tb.rows, row)
	}
	return tb
}

// num reads a column of a row as a number; money comes back in minor units,
// rounded, so that sums compare exactly.
func (tb table) num(t *testing.T, row []string, col string) int64 {
	t.Helper()
	i, ok := tb.cols[col]
	if !ok {
		t.Fatalf("no column %q", col)
	}
	if i >= len(row) || row[i] == "" {
		return 0
	}
	v, err := strconv.ParseFloat(row[i], 64)
	if err != nil {
		t.Fatalf("column %q: %v", col, err)
	}
	return int64(math.Round(v * 100)) // every currency of the demo has two digits
}

// sums adds columns per key (merchant, or merchant and currency).
func (tb table) sums(t *testing.T, key func(row []string) string, cols map[string]string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, row := range tb.rows {
		for name, col := range cols {
			out[key(row)+" "+name] += tb.num(t, row, col)
		}
	}
	return out
}

// cell reads a column of a row as text; a column the sheet does not have
// fails the test, rather than reading another (the map's zero, Merchant).
func (tb table) cell(t *testing.T, row []string, col string) string {
	t.Helper()
	i, ok := tb.cols[col]
	if !ok {
		t.Fatalf("no column %q", col)
	}
	if i < len(row) {
		return row[i]
	}
	return ""
}

// TestWorkbookTiesOut reads a real run's workbook back and checks that the
// Summary's figures per merchant and environment equal the sums of the
// detail sheets: transactions from Transmit, declines, recovered counts and
// net recovered amounts from Recovery.
func TestWorkbookTiesOut(t *testing.T) {
	f := openBook(t, realRun(t).workbook)
	summary, transmit, recovery := readTable(t, f, "Summary"), readTable(t, f, "Transmit"), readTable(t, f, "Recovery")
	byMerchant := func(tb table) func([]string) string {
		return func(row []string) string { return tb.cell(t, row, "Merchant") + " " + tb.cell(t, row, "Environment") }
	}
	byCurrency := func(tb table) func([]string) string {
		return func(row []string) string { return byMerchant(tb)(row) + " " + tb.cell(t, row, "Currency") }
	}
	got := summary.sums(t, byMerchant(summary), map[string]string{"transactions": "Transactions", "declines": "Declined", "recovered": "Recovered"})
	want := transmit.sums(t, byMerchant(transmit), map[string]string{"transactions": "Processed"})
	for k, v := range recovery.sums(t, byMerchant(recovery), map[string]string{"declines": "Declines", "recovered": "Recovered"}) {
		want[k] = v
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Summary counts against Transmit and Recovery (-detail +summary):\n%s", diff)
	}
	gotAmt := summary.sums(t, byCurrency(summary), map[string]string{"recovered": "Recovered amount"})
	wantAmt := recovery.sums(t, byCurrency(recovery), map[string]string{"recovered": "Recovered net"})
	if diff := cmp.Diff(nonZero(wantAmt), nonZero(gotAmt)); diff != "" {
		t.Errorf("Summary recovered amounts against Recovery net (-detail +summary):\n%s", diff)
	}
	sites := readTable(t, f, "Sites and descriptors")
	gotLedger := summary.sums(t, byCurrency(summary), map[string]string{"amount": "Amount"})
	wantLedger := sites.sums(t, byCurrency(sites), map[string]string{"amount": "Ledger amount"})
	if diff := cmp.Diff(nonZero(wantLedger), nonZero(gotLedger)); diff != "" {
		t.Errorf("Summary amounts against the Sites sheet's ledger amounts (-detail +summary):\n%s", diff)
	}
	exc := readTable(t, f, "Exceptions by merchant")
	perMerchant := map[string]int64{}
	for _, row := range exc.rows {
		if c := exc.cell(t, row, "Category"); c != "orphan_order" && c != "quarantined" && exc.cell(t, row, "Merchant") != "Total" {
			perMerchant[byMerchant(exc)(row)+" exceptions"] += exc.num(t, row, "Exceptions")
		}
	}
	gotExc := summary.sums(t, byMerchant(summary), map[string]string{"exceptions": "Exceptions"})
	if diff := cmp.Diff(nonZero(perMerchant), nonZero(gotExc)); diff != "" {
		t.Errorf("Summary exceptions against Exceptions by merchant (-detail +summary):\n%s", diff)
	}
	if len(got) == 0 || got[byMerchant(summary)(summary.rows[0])+" recovered"] == 0 {
		t.Fatalf("the run recovered nothing for %s: the data set no longer exercises the tie-out", summary.rows[0][0])
	}
	total := func(sheet, column string) int64 {
		tb := readTable(t, f, sheet)
		var n int64
		for _, row := range tb.rows { // totals rows are apart
			n += tb.num(t, row, column)
		}
		return n / 100 // num reads hundredths; these are counts
	}
	if byCat, byMer := total("Exceptions by category", "Exceptions"), total("Exceptions by merchant", "Exceptions"); byCat != byMer {
		t.Errorf("exceptions: %d by category, %d by merchant", byCat, byMer)
	}
	// One run over a new database: every order it pulled is on the Sites
	// sheet, the extra orders of a duplicate evaluate too.
	var pulled int64
	rows, err := realRun(t).env.DB.Query(t.Context(), "SELECT count(*) FROM fc_orders")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() || rows.Scan(&pulled) != nil {
		t.Fatal("count the pulled orders")
	}
	if onSheet := total("Sites and descriptors", "FlexCharge orders"); onSheet != pulled {
		t.Errorf("Sites and descriptors: %d FlexCharge orders, the run pulled %d", onSheet, pulled)
	}
}

// nonZero drops zero sums: a currency with no recovery has no Recovery row.
func nonZero(m map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// TestExportCSV checks that every report becomes one CSV file whose header
// is the report's column titles and whose records are the sheet's data rows.
func TestExportCSV(t *testing.T) {
	d := realRun(t)
	dir := t.TempDir()
	paths, err := jobs.ExportCSV(context.Background(), d.env, d.run.ID, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(d.env.Reports) {
		t.Fatalf("ExportCSV wrote %d files, want one per report (%d)", len(paths), len(d.env.Reports))
	}
	f := openBook(t, d.workbook)
	for i, def := range d.env.Reports {
		recs := readCSV(t, paths[i])
		if filepath.Base(paths[i]) != def.Name+".csv" || len(recs) == 0 {
			t.Fatalf("%s: want %s.csv with a header", paths[i], def.Name)
		}
		if got, want := len(recs)-1, len(readTable(t, f, def.Sheet).rows); got != want && def.Name != "manifest" {
			t.Errorf("%s.csv has %d records, sheet %q has %d data rows", def.Name, got, def.Sheet, want)
		}
	}
}

// TestMerchantWorkbooks checks that each merchant's workbook holds that
// merchant's rows only, and the same figures as the full workbook.
func TestMerchantWorkbooks(t *testing.T) {
	d := realRun(t)
	paths, err := jobs.WriteMerchantWorkbooks(context.Background(), d.env, d.run.ID, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(d.env.Merchants) {
		t.Fatalf("wrote %d workbooks for %d merchants", len(paths), len(d.env.Merchants))
	}
	all := readTable(t, openBook(t, d.workbook), "Summary")
	for i, m := range d.env.Merchants {
		data, err := os.ReadFile(paths[i])
		if err != nil {
			t.Fatal(err)
		}
		var want [][]string
		for _, row := range all.rows {
			if row[0] == m.ID {
				want = append(want, row)
			}
		}
		got := readTable(t, openBook(t, data), "Summary").rows
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Summary of %s's workbook (-full workbook's rows +merchant's):\n%s", m.ID, diff)
		}
		checkMerchantManifest(t, d, m.ID, openBook(t, data))
	}
}

// checkMerchantManifest checks that a merchant's workbook's manifest tells
// nothing of other merchants: no stages (whole-run counts), only its own
// switches, and its files without their counts of every merchant's rows.
func checkMerchantManifest(t *testing.T, d demoRun, merchant string, book *excelize.File) {
	t.Helper()
	switches, err := d.env.DB.Switches(context.Background(), merchant)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows("Manifest")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		switch {
		case strings.HasPrefix(row[0], "Stage "):
			t.Errorf("%s's workbook's manifest has %q: the whole run's counts", merchant, row)
		case strings.HasPrefix(row[0], "Input file ") && strings.Contains(row[1], " rows, "):
			t.Errorf("%s's workbook's manifest has %q: the file's count of every merchant's rows", merchant, row)
		case row[0] == "Switches judged by" && !strings.HasPrefix(row[1], fmt.Sprintf("%d changes recorded", len(switches))):
			t.Errorf("%s's workbook's manifest: %q, want its own %d switches", merchant, row, len(switches))
		}
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return recs
}

// TestWorkbookIsReadableByOthers: finance opens workbooks from a shared
// folder, so they must not keep the private mode of a temporary file.
func TestWorkbookIsReadableByOthers(t *testing.T) {
	st, err := os.Stat(realRun(t).run.Workbook)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o044 != 0o044 {
		t.Errorf("workbook mode %v, want readable by group and others", st.Mode().Perm())
	}
}

// TestExceptionsByMerchantAddUp checks that "Exceptions by merchant" keeps
// environments apart and that its figures of each finding category are the
// Exceptions sheet's rows of that merchant, environment and category (the
// exception states, such as missed evaluate, are not on Exceptions).
func TestExceptionsByMerchantAddUp(t *testing.T) {
	f := openBook(t, realRun(t).workbook)
	byMerchant, exceptions := readTable(t, f, "Exceptions by merchant"), readTable(t, f, "Exceptions")
	if _, ok := byMerchant.cols["Environment"]; !ok {
		t.Fatalf("Exceptions by merchant has no Environment column: %v", sheetRows(t, f, "Exceptions by merchant", false)[1])
	}
	key := func(tb table, row []string) string {
		merchant, category := tb.cell(t, row, "Merchant"), tb.cell(t, row, "Category")
		switch {
		case merchant == "" && category == "quarantined":
			merchant = "(file)"
		case merchant == "":
			merchant = "(unknown mid)" // an orphan order of a mid the registry does not hold
		}
		return merchant + " " + tb.cell(t, row, "Environment") + " " + category
	}
	want := map[string]int64{}
	for _, row := range exceptions.rows {
		want[key(exceptions, row)]++
	}
	states := map[string]bool{"missed_evaluate": true, "expired": true, "problem": true, "untransmitted": true, "push_failed": true}
	got := map[string]int64{}
	for _, row := range byMerchant.rows {
		if !states[byMerchant.cell(t, row, "Category")] {
			got[key(byMerchant, row)] = byMerchant.num(t, row, "Exceptions") / 100
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Exceptions by merchant against the Exceptions sheet's rows (-exceptions +by merchant):\n%s", diff)
	}
	envs := map[string]bool{}
	for _, row := range exceptions.rows {
		envs[exceptions.cell(t, row, "Environment")] = true
	}
	if !envs["sandbox"] || !envs["production"] {
		t.Fatalf("the run's findings are in %v: the data set no longer tells environments apart", envs)
	}
}
