package store_test

import (
	"bytes"
	"cmp"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

// benchFile is the 10-million-row canonical export, made once and kept in
// the gitignored .bench/ folder.
const benchFile = "../../.bench/ledger_10m_2026-11-23.csv"

// benchFile1M is the first million rows' worth, for fast iteration.
const benchFile1M = "../../.bench/ledger_1m_2026-11-23.csv"

// BenchmarkIngest10M measures a 10-million-row ingest against the floor of
// a bare read_csv of the same file, each with its peak resident memory.
// Run: FLEXRECON_BENCH_LARGE=1 go test ./internal/store -run '^$' -bench Ingest10M -benchtime 1x
func BenchmarkIngest10M(b *testing.B) {
	if os.Getenv("FLEXRECON_BENCH_LARGE") != "1" {
		b.Skip("set FLEXRECON_BENCH_LARGE=1 to run (writes a 1 GB file to .bench/)")
	}
	makeBenchFile(b, benchFile, 10_000_000)
	benchIngest(b, benchFile, 10_000_000, allColumns())
}

// benchFileRequired is benchFile's rows with the required columns only
// (and site_url and descriptor, one of which is): 1.07 GB, the "about 1 GB"
// the target names, where benchFile fills every optional column too (1.6 GB).
const benchFileRequired = "../../.bench/ledger_10m_required_2026-11-23.csv"

// BenchmarkIngest10MRequired is BenchmarkIngest10M on benchFileRequired.
// Run: FLEXRECON_BENCH_LARGE=1 go test ./internal/store -run '^$' -bench Ingest10MRequired -benchtime 1x
func BenchmarkIngest10MRequired(b *testing.B) {
	if os.Getenv("FLEXRECON_BENCH_LARGE") != "1" {
		b.Skip("set FLEXRECON_BENCH_LARGE=1 to run (writes a 1 GB file to .bench/)")
	}
	makeBenchFile(b, benchFile, 10_000_000)
	makeRequiredFile(b, benchFile, benchFileRequired)
	benchIngest(b, benchFileRequired, 10_000_000, requiredColumns())
}

// BenchmarkIngest1M is BenchmarkIngest10M at a tenth of the size, with the
// time of each step logged.
// Run: FLEXRECON_BENCH_LARGE=1 go test ./internal/store -run '^$' -bench Ingest1M -benchtime 1x -v
func BenchmarkIngest1M(b *testing.B) {
	if os.Getenv("FLEXRECON_BENCH_LARGE") != "1" {
		b.Skip("set FLEXRECON_BENCH_LARGE=1 to run (writes a 160 MB file to .bench/)")
	}
	makeBenchFile(b, benchFile1M, 1_000_000)
	benchIngest(b, benchFile1M, 1_000_000, allColumns())
}

// benchIngest loads path, a file of rows records and the columns cols,
// beside the floor of a bare read_csv of it.
func benchIngest(b *testing.B, path string, rows int64, cols []string) {
	b.Run("floor", func(b *testing.B) {
		db := MustOpenDB(b)
		measure(b, func() {
			dumpB(b, db, "SELECT count(*) FROM read_csv('"+path+"', header = true, all_varchar = true, auto_detect = false, columns = "+benchColumns(cols)+")")
		})
	})
	b.Run("ingest", func(b *testing.B) {
		measure(b, func() {
			// The database is the service's, open already: making it is
			// not part of an ingest.
			b.StopTimer()
			db := MustOpenDB(b)
			// The service's default memory limits (internal/config), or
			// another one for loading to try.
			if err := db.SetMemoryLimit(context.Background(), "2.5GB"); err != nil {
				b.Fatal(err)
			}
			db.SetIngestMemoryLimit(cmp.Or(os.Getenv("FLEXRECON_BENCH_MEMORY"), "1.8GB"))
			b.StartTimer()
			f, err := ledger.Describe("bench", path)
			if err != nil {
				b.Fatal(err)
			}
			start, last, prev := time.Now(), time.Now(), ""
			progress := func(step string) {
				if prev != "" {
					b.Logf("step %-8s %v", prev, time.Since(last).Round(time.Millisecond))
				}
				prev, last = step, time.Now()
			}
			out, err := db.IngestFile(context.Background(), store.LoadFile{File: f, Zone: time.UTC, Progress: progress})
			progress("")
			b.Logf("total %v", time.Since(start).Round(time.Millisecond))
			if err != nil || out.Rows != rows {
				b.Fatalf("ingest %s: %+v, %v", path, out, err)
			}
		})
	})
}

// benchColumns is read_csv's columns option for cols, every one text.
func benchColumns(cols []string) string {
	var b bytes.Buffer
	b.WriteString("{")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + c + "': 'VARCHAR'")
	}
	b.WriteString("}")
	return b.String()
}

func allColumns() []string {
	var cols []string
	for _, c := range ledger.Columns {
		cols = append(cols, c.Name)
	}
	return cols
}

// requiredColumns are the required canonical columns, with site_url and
// descriptor (one of which is).
func requiredColumns() []string {
	var cols []string
	for _, c := range ledger.Columns {
		if c.Required || c.Name == "site_url" || c.Name == "descriptor" {
			cols = append(cols, c.Name)
		}
	}
	return cols
}

// measure runs fn b.N times and reports the peak resident memory it reached,
// after resetting the process's high-water mark.
func measure(b *testing.B, fn func()) {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	b.ResetTimer()
	for range b.N {
		fn()
	}
	b.StopTimer()
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak-MB")
}

func peakRSS() int64 {
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range bytes.Split(status, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, _ := strconv.ParseInt(string(bytes.Fields(v)[0]), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func makeBenchFile(b *testing.B, path string, rows int) {
	if _, err := os.Stat(path); err == nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	db := MustOpenDB(b)
	dumpB(b, db, `COPY (SELECT
		'M' || (i % 500) AS partner_merchant_id, '' AS mid, 'ORD-' || i AS order_id, 'TX-' || i AS transaction_id,
		strftime(TIMESTAMP '2026-11-23 00:00:00' + to_seconds(i % 86400), '%Y-%m-%dT%H:%M:%S') || '-05:00' AS processed_at,
		((i * 7) % 100000) // 100 || '.' || lpad(CAST((i * 7) % 100 AS VARCHAR), 2, '0') AS amount, 'USD' AS currency,
		['approved', 'declined', 'error', 'refunded'][i % 4 + 1] AS status, ['00', '05', '51'][i % 3 + 1] AS response_code,
		'nmi' AS response_code_source, CASE WHEN i % 5 = 0 THEN 'MIT' ELSE 'CIT' END AS initiator,
		CASE WHEN i % 7 = 0 THEN 'callcenter' ELSE 'web' END AS channel, CASE WHEN i % 5 = 0 THEN 'true' ELSE 'false' END AS is_recurring,
		'https://shop' || (i % 50) || '.example' AS site_url, 'SHOP*' || (i % 50) AS descriptor, '' AS campaign_id,
		'production' AS environment, '411111' AS card_bin, lpad(CAST(i % 10000 AS VARCHAR), 4, '0') AS card_last4,
		'' AS fc_transmit_key, '' AS fc_order_id
	FROM range(`+strconv.Itoa(rows)+`) t(i)) TO '`+path+`' (HEADER)`)
}

// makeRequiredFile writes the required columns of the canonical file from
// (with site_url and descriptor) to path, once.
func makeRequiredFile(b *testing.B, from, path string) {
	if _, err := os.Stat(path); err == nil {
		return
	}
	dumpB(b, MustOpenDB(b), "COPY (SELECT "+strings.Join(requiredColumns(), ", ")+" FROM read_csv('"+from+
		"', header = true, all_varchar = true, auto_detect = false, columns = "+benchColumns(allColumns())+")) TO '"+path+"' (HEADER)")
}

func dumpB(b *testing.B, db *store.DB, query string) {
	b.Helper()
	rows, err := db.Query(context.Background(), query)
	if err != nil {
		b.Fatalf("%s: %v", query, err)
	}
	for rows.Next() {
	}
	rows.Close()
}
