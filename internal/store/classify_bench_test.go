package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// BenchmarkClassify10M classifies 10 million ledger rows against 10 million
// FlexCharge orders (FLEXRECON_BENCH_ROWS to change it) and reports, beside
// it, the DuckDB floor: the bare join of the same tables. Peak memory is the
// process's resident high-water mark during each, reset between them. The
// engine settings of testdata/classify_settings.sql apply unless
// FLEXRECON_BENCH_DEFAULTS=1.
// Run: FLEXRECON_BENCH_LARGE=1 go test ./internal/store -run '^$' -bench Classify10M -benchtime 1x
func BenchmarkClassify10M(b *testing.B) {
	db := classifyBenchDB(b, benchRows(10_000_000), 1)
	benchClassify(b, db)
	// The floor after classify, so that its table does not weigh on it.
	floor, floorPeak := measurePeak(b, func() { execFile(b, db, "testdata/classify_floor.sql", nil) })
	b.Logf("floor (bare join): %s, peak RSS %d MB", floor, floorPeak>>20)
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(float64(floorPeak>>20), "floor-peak-MB")
}

// BenchmarkClassifyHistory classifies one day of a million ledger rows and
// orders (FLEXRECON_BENCH_ROWS) alone, and with a week of earlier days kept:
// a run's time must not grow with the history a partner keeps.
// Run: FLEXRECON_BENCH_LARGE=1 go test ./internal/store -run '^$' -bench ClassifyHistory -benchtime 1x
func BenchmarkClassifyHistory(b *testing.B) {
	for _, days := range []int{1, 8} {
		b.Run(fmt.Sprintf("days=%d", days), func(b *testing.B) {
			benchClassify(b, classifyBenchDB(b, benchRows(1_000_000), days))
		})
	}
}

// benchRows is FLEXRECON_BENCH_ROWS, else rows.
func benchRows(rows int) int {
	if n, err := strconv.Atoi(os.Getenv("FLEXRECON_BENCH_ROWS")); err == nil {
		return n
	}
	return rows
}

// classifyBenchDB makes testdata/classify_bench.sql's data, rows a day over
// days ending with the judged one, under the engine settings the benchmarks
// measure.
func classifyBenchDB(b *testing.B, rows, days int) *store.DB {
	if os.Getenv("FLEXRECON_BENCH_LARGE") != "1" {
		b.Skip("set FLEXRECON_BENCH_LARGE=1 to classify millions of rows")
	}
	db := MustOpenDB(b)
	seedBenchRegistry(b, db)
	start := time.Now()
	execFile(b, db, "testdata/classify_bench.sql", map[string]string{"rows": strconv.Itoa(rows), "days": strconv.Itoa(days)})
	b.Logf("made %d ledger rows and %d orders a day for %d days in %s", rows, rows, days, time.Since(start))
	if os.Getenv("FLEXRECON_BENCH_DEFAULTS") != "1" {
		execFile(b, db, "testdata/classify_settings.sql", nil)
	}
	return db
}

// benchClassify times the judged day's classification and reports its
// steps and peak memory.
func benchClassify(b *testing.B, db *store.DB) {
	b.ResetTimer()
	var took time.Duration
	var peak int64
	var steps string
	for i := range b.N {
		took, peak = measurePeak(b, func() {
			var err error
			if steps, err = db.Classify(context.Background(), int64(i+1), window, asOf); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.StopTimer()
	b.Logf("classify: %s (%s), peak RSS %d MB", took, steps, peak>>20)
	b.ReportMetric(float64(peak>>20), "peak-MB")
}

func seedBenchRegistry(b *testing.B, db *store.DB) {
	var ms []store.Merchant
	for _, n := range []string{"1", "2", "3"} {
		ms = append(ms, store.Merchant{ID: "M" + n, Name: "Merchant " + n, MIDs: map[string]string{"production": "P" + n},
			Sites: []store.Site{{URL: "https://m" + n + ".example", Descriptor: "SHOP*" + n, SiteIDProd: "sid-" + n}},
			Switches: []store.Switch{
				{Profile: "cit_web", Scope: "merchant", State: "production", EffectiveAt: longAgo, Actor: "ops", Reason: "live", Origin: "config"},
				{Profile: "mit", Scope: "merchant", State: "off", EffectiveAt: longAgo, Actor: "ops", Reason: "not yet", Origin: "config"},
				{Profile: "mit", Scope: "merchant", State: "production", EffectiveAt: at("12:00"), Actor: "ops", Reason: "MIT at noon", Origin: "config"},
			}})
	}
	if err := db.SeedRegistry(context.Background(), ms, longAgo); err != nil {
		b.Fatal(err)
	}
}

// execFile runs the statements of a testdata SQL file, each {{name}} of
// vars replaced by its value.
func execFile(b *testing.B, db *store.DB, path string, vars map[string]string) {
	text, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	sql := string(text)
	for name, value := range vars {
		sql = strings.ReplaceAll(sql, "{{"+name+"}}", value)
	}
	for _, stmt := range strings.SplitAfter(sql, ";\n") {
		if strings.TrimSpace(stripComments(stmt)) == "" {
			continue
		}
		r, err := db.Query(context.Background(), stmt)
		if err != nil {
			b.Fatalf("%s: %v", path, err)
		}
		r.Close()
	}
}

func stripComments(stmt string) string {
	var out strings.Builder
	for _, line := range strings.Split(stmt, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			out.WriteString(line)
		}
	}
	return out.String()
}

// measure times fn and reports the process's peak resident memory while it
// ran: the kernel's high-water mark, reset first through clear_refs.
func measurePeak(b *testing.B, fn func()) (time.Duration, int64) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak memory mark: %v", err)
	}
	start := time.Now()
	fn()
	return time.Since(start), peakRSS() // peakRSS is ingest_bench_test.go's
}
