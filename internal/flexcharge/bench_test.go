package flexcharge

import (
	"context"
	"testing"
)

// BenchmarkClientTransmit measures the client's overhead per call (encoding,
// token cache, semaphore, limiter, HTTP round trip) against a local sandbox
// without faults; the rate cap is lifted so it does not dominate.
func BenchmarkClientTransmit(b *testing.B) {
	e := startSandbox(b, testSeed(), SandboxOptions{})
	opts := fastOptions()
	opts.RatePerSecond = 1e9
	c := NewClient(e.url(EnvSandbox), opts)
	tr := validTransmit(credA)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Transmit(context.Background(), credA, tr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientTransmitParallel is the same at the default concurrency (8).
func BenchmarkClientTransmitParallel(b *testing.B) {
	e := startSandbox(b, testSeed(), SandboxOptions{})
	c := NewClient(e.url(EnvSandbox), Options{RatePerSecond: 1e9})
	tr := validTransmit(credA)
	b.ReportAllocs()
	b.SetParallelism(1)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Transmit(context.Background(), credA, tr); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
