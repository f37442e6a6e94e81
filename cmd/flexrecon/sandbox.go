package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
)

func (m *Main) sandbox(ctx context.Context, args []string) error {
	fs := m.flags("sandbox", "--addr HOST:PORT [--seed FILE] [fault flags]")
	addr := fs.String("addr", "127.0.0.1:8089", "address to listen on")
	seedPath := fs.String("seed", "", "the seed `FILE` flexrecon gen writes (merchants, credentials and orders)")
	var faults flexcharge.Faults
	fs.Float64Var(&faults.ErrorRate, "error-rate", 0, "fraction of requests answered with a 5xx")
	fs.DurationVar(&faults.Latency, "latency", 0, "delay added to every answer")
	fs.IntVar(&faults.Burst429, "burst429", 0, "every Nth request starts a burst of 429s (0: never)")
	fs.Float64Var(&faults.DropRate, "drop-rate", 0, "fraction of connections dropped without an answer")
	webhook := fs.String("webhook-url", "", "where to deliver signed webhooks")
	if err := parse(fs, args); err != nil {
		return err
	}
	seed, err := loadSeed(*seedPath)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	sb := flexcharge.NewSandbox(seed, flexcharge.SandboxOptions{Faults: faults, WebhookURL: *webhook, Logger: slog.New(slog.NewJSONHandler(m.Stderr, nil))})
	defer sb.Close()
	fmt.Fprintf(m.Stdout, "FlexCharge sandbox on http://%s/sandbox/v1 and http://%s/production/v1\n", ln.Addr(), ln.Addr())
	return serveUntilDone(ctx, ln, sb)
}

func loadSeed(path string) (flexcharge.Seed, error) {
	if path == "" {
		return flexcharge.Seed{}, nil
	}
	return flexcharge.LoadSeed(path)
}

// serveUntilDone serves h on ln until ctx ends, then shuts down gracefully.
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil {
			return err
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
