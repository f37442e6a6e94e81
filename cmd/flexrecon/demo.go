package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// demo is the whole nightly job on generated data, with no set-up: it
// generates a partner's exports and FlexCharge's orders, starts the sandbox
// in this process, and runs the chain once over real HTTP.
func (m *Main) demo(ctx context.Context, args []string) error {
	fs := m.flags("demo", "[--dir DIR] [--rows N] [--seed S]")
	dir := fs.String("dir", "var/demo", "folder for the demo's data, database and workbook (emptied first)")
	rows := fs.Int("rows", 5000, "ledger transactions to generate")
	seed := fs.Uint64("seed", 7, "random seed")
	if err := parse(fs, args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close() // on every way out; the sandbox's stop closes it too
	// No last day: gen makes yesterday's, in the partner's zone.
	opts := gen.Options{Rows: *rows, Seed: *seed, Out: *dir, SandboxURL: "http://" + ln.Addr().String()}
	if err := opts.Check(); err != nil { // before the earlier demo goes
		return err
	}
	if err := clearDemoDir(ctx, *dir); err != nil {
		return err
	}
	plan, err := gen.Generate(opts)
	if err != nil {
		return err
	}
	stop, err := startSandbox(ctx, ln, filepath.Join(*dir, gen.SeedFile))
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(m.Stdout, "generated %d transactions in %s; FlexCharge sandbox on %s\n", *rows, *dir, ln.Addr())
	return m.demoRun(ctx, filepath.Join(*dir, gen.ConfigFile), plan)
}

func (m *Main) demoRun(ctx context.Context, cfgPath string, plan gen.Plan) error {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	env, err := openEnv(ctx, cfg, newLogger(m, false))
	if err != nil {
		return err
	}
	defer env.DB.Close()
	from, _ := time.Parse(time.DateOnly, plan.From)
	to, _ := time.Parse(time.DateOnly, plan.To)
	return m.runAndReport(ctx, env, jobs.Request{Kind: "demo", From: from, To: to, AsOf: plan.AsOf})
}

// startSandbox serves a sandbox seeded from seedPath on ln until stop is called.
func startSandbox(ctx context.Context, ln net.Listener, seedPath string) (stop func(), err error) {
	seed, err := flexcharge.LoadSeed(seedPath)
	if err != nil {
		return nil, err
	}
	sb := flexcharge.NewSandbox(seed, flexcharge.SandboxOptions{})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		serveUntilDone(ctx, ln, sb)
	}()
	return func() { cancel(); <-done; sb.Close() }, nil
}

// clearDemoDir empties dir for a new demo. It refuses a folder that is
// neither empty nor an earlier demo's (--dir would delete whatever it names)
// and one whose database a process holds (a service started on the demo).
func clearDemoDir(ctx context.Context, dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(entries) == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	for _, name := range []string{gen.PlanFile, gen.ConfigFile, gen.SeedFile, gen.ExpectedFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("demo: %s holds files and is not an earlier demo's folder (no %s): give --dir a new or empty folder", dir, name)
		}
	}
	if cfg, err := config.Load(filepath.Join(dir, gen.ConfigFile)); err == nil {
		if _, err := os.Stat(cfg.Path(cfg.Database)); err == nil {
			db, err := store.Open(ctx, cfg.Path(cfg.Database), flexrecon.SQL())
			if errors.Is(err, store.ErrBusy) {
				return fmt.Errorf("demo: the earlier demo in %s is still in use, so it stays: %w", dir, err)
			}
			if err == nil {
				db.Close()
			}
		}
	}
	return os.RemoveAll(dir)
}
