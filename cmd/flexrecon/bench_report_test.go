package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// The part of the report file that make bench rewrites; the rest is prose.
const (
	reportBegin = "<!-- make bench: begin (written by BenchmarkEndToEnd) -->"
	reportEnd   = "<!-- make bench: end -->"
)

// benchStages are the nightly chain's stages, in order, as the run logs them.
var benchStages = []string{"ingest", "pull orders", "classify", "tie out", "push", "workbook"}

// writeBenchReport replaces the marked part of the file at path with the
// machine, the date and one table row per run.
func writeBenchReport(path string, runs []benchRun) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	begin, end := bytes.Index(doc, []byte(reportBegin)), bytes.Index(doc, []byte(reportEnd))
	if begin < 0 || end < begin {
		return fmt.Errorf("%s: no %q … %q markers to write between", path, reportBegin, reportEnd)
	}
	var out bytes.Buffer
	out.Write(doc[:begin+len(reportBegin)])
	out.WriteString("\n" + benchTable(runs))
	out.Write(doc[end:])
	return os.WriteFile(path, out.Bytes(), 0o644)
}

func benchTable(runs []benchRun) string {
	var t strings.Builder
	fmt.Fprintf(&t, "Last `make bench`: %s on %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), machine())
	t.WriteString("| rows | " + strings.Join(benchStages, " | ") + " | run | peak RSS | floor read | floor join |\n")
	t.WriteString("|---" + strings.Repeat("|---", len(benchStages)+4) + "|\n")
	for _, r := range runs {
		fmt.Fprintf(&t, "| %s |", thousands(r.rows))
		for _, s := range benchStages {
			fmt.Fprintf(&t, " %.2f s |", r.stages[s])
		}
		fmt.Fprintf(&t, " %.1f s | %s MB | %.2f s | %.2f s |\n", r.wall.Seconds(), thousands(int(r.peakKB/1024)),
			r.readFloor.Seconds(), r.joinFloor.Seconds())
	}
	return t.String()
}

// machine describes the box: CPU model, cores, memory, Go and DuckDB.
func machine() string {
	cpu := firstMatch("/proc/cpuinfo", `(?m)^model name\s*:\s*(.+)$`)
	memKB := firstMatch("/proc/meminfo", `(?m)^MemTotal:\s*(\d+) kB`)
	var gb float64
	fmt.Sscan(memKB, &gb)
	return fmt.Sprintf("%s, %d cores, %.0f GB, %s, DuckDB %s", cpu, runtime.NumCPU(), gb/(1<<20), runtime.Version(), duckdbVersion())
}

func firstMatch(path, pattern string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	if m := regexp.MustCompile(pattern).FindSubmatch(b); m != nil {
		return strings.TrimSpace(string(m[1]))
	}
	return "unknown"
}

func duckdbVersion() string {
	db, err := store.Open(context.Background(), "", flexrecon.SQL())
	if err != nil {
		return "unknown"
	}
	defer db.Close()
	rows, err := db.Query(context.Background(), "SELECT version()")
	if err != nil {
		return "unknown"
	}
	defer rows.Close()
	var v string
	if !rows.Next() || rows.Scan(&v) != nil {
		return "unknown"
	}
	return v
}

// thousands writes n with comma separators (10,000,000).
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestBenchReportRewritesOnlyItsPart checks that make bench keeps the prose
// around its table and replaces the table of an earlier run.
func TestBenchReportRewritesOnlyItsPart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	before, after := "# Benchmarks\n\nProse.\n\n", "\nMore prose.\n"
	old := before + reportBegin + "\n| an old table |\n" + reportEnd + after
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	run := benchRun{rows: 10_000_000, stages: map[string]float64{"ingest": 28.8, "classify": 13.09},
		wall: 76 * time.Second, peakKB: 2810 << 10, readFloor: 1690 * time.Millisecond}
	if err := writeBenchReport(path, []benchRun{run}); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(path)
	got := string(doc)
	for _, want := range []string{before + reportBegin + "\nLast `make bench`: ", "| 10,000,000 | 28.80 s | 0.00 s | 13.09 s |",
		"| 76.0 s | 2,810 MB | 1.69 s | 0.00 s |\n" + reportEnd + after} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "an old table") {
		t.Errorf("the earlier table is still there:\n%s", got)
	}
}
