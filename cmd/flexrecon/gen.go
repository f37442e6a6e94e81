package main

import (
	"context"
	"fmt"
	"time"

	"github.com/flexcharge/flexrecon/internal/gen"
)

func (m *Main) gen(ctx context.Context, args []string) error {
	fs := m.flags("gen", "--rows N --seed S --out DIR [--date YYYY-MM-DD] [--days N]")
	rows := fs.Int("rows", 1000, "ledger transactions to generate")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and flags give the same files")
	out := fs.String("out", "var/gen", "folder to write into")
	date := fs.String("date", "2026-11-23", "last business day")
	days := fs.Int("days", 1, "business days ending at --date")
	sandboxURL := fs.String("sandbox-url", "http://127.0.0.1:8089", "FlexCharge sandbox the generated config points at")
	keyRate := fs.Float64("key-rate", 0.95, "share of expected transactions exported with a transmit key; the rest are pushed")
	if err := parse(fs, args); err != nil {
		return err
	}
	last, err := time.Parse(time.DateOnly, *date)
	if err != nil {
		return fmt.Errorf("--date: want YYYY-MM-DD: %w", err)
	}
	plan, err := gen.Generate(gen.Options{Rows: *rows, Seed: *seed, LastDay: last, Days: *days, Out: *out, SandboxURL: *sandboxURL, KeyRate: *keyRate})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "wrote %d transactions for %s to %s into %s (config %s, sandbox seed %s, expectations %s)\n",
		*rows, plan.From, plan.To, *out, gen.ConfigFile, gen.SeedFile, gen.ExpectedFile)
	return nil
}
