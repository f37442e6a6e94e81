package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// BenchmarkOrderWriter is the store's share of pulling orders: appending n
// orders, then Close's merge into fc_orders, each reported on its own, and
// the CPU time of both (the machine is shared; CPU time is less noisy).
// "empty" writes into a fresh database; "rerun" pulls the same orders again
// into a database that already holds them, as a rerun of a night does.
//
// FLEXRECON_BENCH_ORDERS sets n (default 50,000).
func BenchmarkOrderWriter(b *testing.B) {
	n := 50_000
	if v, err := strconv.Atoi(os.Getenv("FLEXRECON_BENCH_ORDERS")); err == nil {
		n = v
	}
	fetched := time.Date(2026, 11, 24, 2, 30, 0, 0, time.UTC)
	b.Run("empty", func(b *testing.B) {
		benchOrderWriter(b, n, fetched, func(*store.DB) {})
	})
	b.Run("rerun", func(b *testing.B) {
		benchOrderWriter(b, n, fetched, func(db *store.DB) {
			var earlier orderWriteTimes
			earlier.pull(b, db, n, fetched.Add(-time.Hour))
		})
	})
}

// benchOrderWriter times pulls of n orders, each into a fresh database
// prepared, untimed, by prepare.
func benchOrderWriter(b *testing.B, n int, fetched time.Time, prepare func(*store.DB)) {
	var t orderWriteTimes
	for b.Loop() {
		b.StopTimer()
		db := MustOpenDB(b)
		prepare(db)
		b.StartTimer()
		t.pull(b, db, n, fetched)
	}
	b.ReportMetric(t.write.Seconds()/float64(b.N), "write-s/op")
	b.ReportMetric(t.close.Seconds()/float64(b.N), "close-s/op")
	b.ReportMetric(t.cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// orderWriteTimes adds up the wall time of appending and of Close, and the
// CPU time of both.
type orderWriteTimes struct{ write, close, cpu time.Duration }

// pull writes n orders fetched at fetched through one OrderWriter.
func (t *orderWriteTimes) pull(b *testing.B, db *store.DB, n int, fetched time.Time) {
	cpuStart, start := cpuTime(), time.Now()
	w, err := db.NewOrderWriter(context.Background(), fetched)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if err := w.Write(benchOrder(i, fetched)); err != nil {
			b.Fatal(err)
		}
	}
	t.write += time.Since(start)
	start = time.Now()
	if err := w.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	t.close += time.Since(start)
	t.cpu += cpuTime() - cpuStart
}

func benchOrder(i int, fetched time.Time) store.Order {
	created := fetched.Add(-time.Duration(i) * time.Second)
	return store.Order{
		Environment: "production", ID: fmt.Sprintf("%08d-e5c9-4ea4-a62e-fcdacbd16b5e", i),
		ExternalOrderID: fmt.Sprintf("O%08d", i), MID: "22375a1d-3aed-4744-8701-c405faf0d669",
		Amount: new(int64(1000 + i%9000)), Currency: "USD", OrderSource: "ecommerce",
		SiteID: "ccd6b850-912d-42a1-a524-bb6b177f3843", SiteURL: "https://copperleaf2.example",
		Descriptor: "COPPERLF*SHOP2", TransactionID: fmt.Sprintf("T%08d", i), Status: 7,
		StatusName: "COMPLETED", PlacedAt: created, CreatedOn: created,
	}
}

// cpuTime is the user and system CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
