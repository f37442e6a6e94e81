package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// runs lists the run history, or what changed between a run and the one
// before it over the same window and merchant.
func (m *Main) runs(ctx context.Context, args []string) error {
	fs := m.flags("runs", "--config F [--diff N [--against M] [--counts]] [--limit N]")
	cfgPath := fs.String("config", "", "configuration file")
	diff := fs.Int64("diff", 0, "compare run N with the previous run of the same window and merchant (a nightly run: the night before)")
	against := fs.Int64("against", 0, "compare with this run instead of the previous one")
	limit := fs.Int("limit", 20, "runs to list (1 or more); with --diff, changes to print per kind (0: every change)")
	counts := fs.Bool("counts", false, "with --diff, print each kind's count and no change")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkLimit(*limit, *diff != 0); err != nil {
		return err
	}
	if err := checkDiffFlags(fs, *diff != 0, *counts, *limit); err != nil {
		return err
	}
	if *counts {
		*limit = jobs.CountsOnly
	}
	return m.withDatabase(ctx, *cfgPath, func(env *jobs.Env) error {
		if *diff == 0 {
			rs, err := env.DB.Runs(ctx, *limit)
			if err != nil {
				return err
			}
			return m.listRuns(rs, env.Location)
		}
		d, err := env.CompareRuns(ctx, *diff, *against, *limit)
		if err != nil {
			return err
		}
		m.printChanges(d)
		return nil
	}, func(cfg *config.Config, busy error) error {
		return m.runsFromService(ctx, cfg, *diff, *against, *limit, busy)
	})
}

// checkDiffFlags refuses the flags of a diff given without --diff, which
// the list of runs would ignore without a word, and --counts beside
// --limit: which was meant is not ours to guess, the counts alone or the
// changes too.
func checkDiffFlags(fs *flag.FlagSet, isDiff, counts bool, limit int) error {
	for _, name := range []string{"against", "counts"} {
		if !isDiff && given(fs, name) {
			return fmt.Errorf("--%s belongs to a diff, so it needs --diff N", name)
		}
	}
	if counts && given(fs, "limit") {
		return fmt.Errorf("--counts lists no change, so --limit %d has nothing to limit: give one of them", limit)
	}
	return nil
}

// checkLimit refuses a --limit that lists nothing: 0 runs listed is an
// empty table that reads as "no runs yet" (the service refuses it too),
// where a diff's 0 changes per kind lists every change, as the API's
// ?limit=0 does.
// given says whether the command line set flag name, default or not.
func given(fs *flag.FlagSet, name string) (set bool) {
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func checkLimit(limit int, diff bool) error {
	switch {
	case diff && limit < 0:
		return fmt.Errorf("--limit: want 0 or more changes per kind, got %d", limit)
	case !diff && limit < 1:
		return fmt.Errorf("--limit: want 1 or more runs to list, got %d", limit)
	}
	return nil
}

// runsFromService prints the same from the running service that holds the
// database.
func (m *Main) runsFromService(ctx context.Context, cfg *config.Config, diff, against int64, limit int, busy error) error {
	if diff == 0 {
		var rs []store.Run
		if err := askService(ctx, cfg, fmt.Sprintf("/api/runs?limit=%d", limit), &rs, busy); err != nil {
			return err
		}
		return m.listRuns(rs, cfg.Location)
	}
	ask := fmt.Sprintf("/api/runs/%d/diff?against=%d&limit=%d", diff, against, limit)
	if limit == jobs.CountsOnly {
		ask = fmt.Sprintf("/api/runs/%d/diff?against=%d&counts=true", diff, against)
	}
	var d jobs.RunDiff
	if err := askService(ctx, cfg, ask, &d, busy); err != nil {
		return err
	}
	m.printChanges(d)
	return nil
}

// listRuns prints runs, one a line.
func (m *Main) listRuns(rs []store.Run, loc *time.Location) error {
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RUN\tKIND\tWINDOW\tMERCHANT\tAS OF\tSTATUS\tQUEUED\tSTARTED\tTOOK\tERROR")
	for _, r := range rs {
		started, took := "-", "-"
		if r.StartedAt != nil {
			started = ts(*r.StartedAt, loc)
		}
		if d, ok := r.Took(); ok {
			took = d.Round(time.Millisecond).String()
		}
		fmt.Fprintf(w, "%d\t%s\t%s..%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.KindAsked(), r.WindowFrom.Format(time.DateOnly),
			r.WindowTo.Format(time.DateOnly), orAll(r.Merchant), ts(r.AsOf, loc), r.Status, ts(r.QueuedAt, loc), started, took, r.Error)
	}
	return w.Flush()
}

// printChanges prints a count per kind of change, then the changes listed
// (none with --counts).
func (m *Main) printChanges(d jobs.RunDiff) {
	byKind := map[string][]store.Change{}
	for _, c := range d.Changes {
		byKind[c.Kind] = append(byKind[c.Kind], c)
	}
	fmt.Fprintf(m.Stdout, "run %d compared with run %d:\n", d.After, d.Before)
	for _, k := range store.ChangeKinds {
		fmt.Fprintf(m.Stdout, "  %-16s %8d\n", k, d.Counts[k])
	}
	if len(d.Changes) == 0 {
		return // --counts, or nothing changed
	}
	for _, k := range store.ChangeKinds {
		if d.Counts[k] == 0 {
			continue
		}
		fmt.Fprintf(m.Stdout, "\n%s:\n", k)
		for _, c := range byKind[k] {
			fmt.Fprintf(m.Stdout, "  %s %s #%d: %s → %s\n", c.Merchant, c.TransactionID, c.Occurrence, orNone(c.Before), orNone(c.After))
		}
		if more := d.Counts[k] - len(byKind[k]); more > 0 {
			fmt.Fprintf(m.Stdout, "  … %d more\n", more)
		}
	}
}

func orAll(merchant string) string {
	if merchant == "" {
		return "all"
	}
	return merchant
}
