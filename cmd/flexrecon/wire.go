package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/wire"
	"github.com/flexcharge/flexrecon/jobs"
)

// openEnv wires the chain from a configuration for this program.
func openEnv(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*jobs.Env, error) {
	return wire.Open(ctx, cfg, wire.Options{Logger: logger, Version: buildVersion(), Progress: isTerminal(os.Stderr)})
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newLogger(m *Main, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(m.Stderr, &slog.HandlerOptions{Level: level}))
}

func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return nil, fmt.Errorf("--config is required")
	}
	return config.Load(path)
}
