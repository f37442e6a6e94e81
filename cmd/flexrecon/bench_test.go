package main

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkChain runs the whole chain (ingest, pull over HTTP, classify,
// push over HTTP, tie out, workbook) on generated data; FLEXRECON_BENCH_ROWS
// sets the size (default 100,000 ledger rows over two days).
func BenchmarkChain(b *testing.B) {
	rows := 100_000
	if v, err := strconv.Atoi(os.Getenv("FLEXRECON_BENCH_ROWS")); err == nil {
		rows = v
	}
	t := &testing.T{}
	for b.Loop() {
		b.StopTimer()
		f := newFixture(t, rows)
		env := f.env(t)
		b.StartTimer()
		if _, err := env.Reconcile(context.Background(), f.request()); err != nil {
			b.Fatal(err)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(rows), "ledger-rows")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "go-heap-MB")
}
