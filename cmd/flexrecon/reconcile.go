package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

func (m *Main) reconcile(ctx context.Context, args []string) error {
	fs := m.flags("reconcile", "--config F --from DATE [--to DATE] [--merchant ID] [--dry-run] [--backfill] [--resend-in-doubt] [--as-of T] [-v]")
	cfgPath := fs.String("config", "", "configuration file")
	from := fs.String("from", "", "first business day, YYYY-MM-DD")
	to := fs.String("to", "", "last business day, YYYY-MM-DD (default: --from)")
	merchant := fs.String("merchant", "", "only this partner merchant id")
	dryRun := fs.Bool("dry-run", false, "list what would be pushed to FlexCharge; send nothing")
	backfill := fs.Bool("backfill", false, "also push transactions older than push.max_age")
	resend := fs.Bool("resend-in-doubt", false, "also push again what FlexCharge may hold already (listed push_in_doubt); check with FlexCharge first")
	asOf := fs.String("as-of", "", "the run's clock, RFC 3339 (default: now)")
	verbose := fs.Bool("v", false, "log each stage")
	if err := parse(fs, args); err != nil {
		return err
	}
	req, err := request("adhoc", *from, *to, *asOf)
	if err != nil {
		return err
	}
	req.Merchant, req.DryRun, req.Backfill, req.ResendInDoubt = *merchant, *dryRun, *backfill, *resend
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if err := req.Check(cfg.Location); err != nil {
		return err
	}
	env, err := openEnv(ctx, cfg, newLogger(m, *verbose))
	if errors.Is(err, store.ErrBusy) {
		return m.handOff(ctx, cfg, req, err)
	}
	if err != nil {
		return err
	}
	defer env.DB.Close()
	return m.runAndReport(ctx, env, req)
}

func request(kind, from, to, asOf string) (jobs.Request, error) {
	req := jobs.Request{Kind: kind, AsOf: time.Now().UTC()}
	if from == "" {
		// time.Parse's complaint about "" would read as a bad date, not a missing flag.
		return req, errors.New("--from is required: the first business day, YYYY-MM-DD")
	}
	var err error
	if req.From, err = time.Parse(time.DateOnly, from); err != nil {
		return req, fmt.Errorf("--from: want YYYY-MM-DD: %w", err)
	}
	req.To = req.From
	if to != "" {
		if req.To, err = time.Parse(time.DateOnly, to); err != nil {
			return req, fmt.Errorf("--to: want YYYY-MM-DD: %w", err)
		}
	}
	if req.To.Before(req.From) {
		return req, fmt.Errorf("--to %s is before --from %s", to, from)
	}
	if asOf != "" {
		if req.AsOf, err = time.Parse(time.RFC3339, asOf); err != nil {
			return req, fmt.Errorf("--as-of: want RFC 3339: %w", err)
		}
	}
	return req, nil
}

// runAndReport runs the chain and prints what it found.
func (m *Main) runAndReport(ctx context.Context, env *jobs.Env, req jobs.Request) error {
	run, err := env.Reconcile(ctx, req)
	if err != nil {
		return err
	}
	counts, err := env.DB.StateCounts(ctx, run.ID)
	if err != nil {
		return err
	}
	notices, err := env.DB.FileNotices(ctx, run.ID)
	if err != nil {
		return err
	}
	m.printSummary(run, run.Workbook, counts, notices)
	return nil
}

// countHeadings head each kind of a run's counts.
var countHeadings = map[string]string{
	"transmit": "transmit states (ledger rows):",
	"outcome":  "outcomes (declines: a repeated row's once, as the workbook counts them):",
	"finding":  "findings:",
}

// printSummary prints a run: its window, what its ingest did to the files
// in force (corrections, files rejected whole), its counts and where its
// workbook is (a path, or the service's URL), if it has one.
func (m *Main) printSummary(run store.Run, workbook string, counts []store.StateCount, notices []string) {
	fmt.Fprintf(m.Stdout, "run %d %s: %s to %s", run.ID, run.Status, run.WindowFrom.Format(time.DateOnly), run.WindowTo.Format(time.DateOnly))
	if run.DryRun {
		fmt.Fprint(m.Stdout, " (dry run)")
	}
	fmt.Fprintln(m.Stdout)
	for _, n := range notices {
		fmt.Fprintln(m.Stdout, n)
	}
	kind := ""
	for _, c := range counts {
		if c.Kind != kind {
			kind = c.Kind
			fmt.Fprintln(m.Stdout, countHeadings[kind])
		}
		fmt.Fprintf(m.Stdout, "  %-22s %9d\n", c.State, c.N)
	}
	if workbook != "" {
		fmt.Fprintf(m.Stdout, "workbook: %s\n", workbook)
	}
}
