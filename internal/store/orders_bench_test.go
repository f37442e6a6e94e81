package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// BenchmarkOrderWriter is the store's share of pulling orders: appending n
// orders into a fresh database, then Close's merge into fc_orders, each
// reported on its own.
//
// FLEXRECON_BENCH_ORDERS sets n (default 50,000).
func BenchmarkOrderWriter(b *testing.B) {
	n := 50_000
	if v, err := strconv.Atoi(os.Getenv("FLEXRECON_BENCH_ORDERS")); err == nil {
		n = v
	}
	fetched := time.Date(2026, 11, 24, 2, 30, 0, 0, time.UTC)
	var write, merge time.Duration
	for b.Loop() {
		b.StopTimer()
		db := MustOpenDB(b)
		b.StartTimer()
		start := time.Now()
		w, err := db.NewOrderWriter(context.Background(), fetched)
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			if err := w.Write(benchOrder(i, fetched)); err != nil {
				b.Fatal(err)
			}
		}
		write += time.Since(start)
		start = time.Now()
		if err := w.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
		merge += time.Since(start)
	}
	b.ReportMetric(write.Seconds()/float64(b.N), "write-s/op")
	b.ReportMetric(merge.Seconds()/float64(b.N), "close-s/op")
}

func benchOrder(i int, fetched time.Time) store.Order {
	created := fetched.Add(-time.Duration(i) * time.Second)
	return store.Order{
		Environment: "production", ID: fmt.Sprintf("%08d-e5c9-4ea4-a62e-fcdacbd16b5e", i),
		ExternalOrderID: fmt.Sprintf("O%08d", i), MID: "22375a1d-3aed-4744-8701-c405faf0d669",
		Amount: int64(1000 + i%9000), Currency: "USD", OrderSource: "ecommerce",
		SiteID: "ccd6b850-912d-42a1-a524-bb6b177f3843", SiteURL: "https://copperleaf2.example",
		Descriptor: "COPPERLF*SHOP2", TransactionID: fmt.Sprintf("T%08d", i), Status: 7,
		StatusName: "COMPLETED", PlacedAt: created, CreatedOn: created,
	}
}
