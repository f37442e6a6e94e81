package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// runs lists the run history, or what changed between a run and the one
// before it over the same window and merchant.
func (m *Main) runs(ctx context.Context, args []string) error {
	fs := m.flags("runs", "--config F [--diff N [--against M]] [--limit N]")
	cfgPath := fs.String("config", "", "configuration file")
	diff := fs.Int64("diff", 0, "compare run N with the previous run of the same window and merchant (a nightly run: the night before)")
	against := fs.Int64("against", 0, "compare with this run instead of the previous one")
	limit := fs.Int("limit", 20, "runs to list; changes to print per kind")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	env, err := openEnv(ctx, cfg, newLogger(m, false))
	if err != nil {
		return err
	}
	defer env.DB.Close()
	if *diff == 0 {
		return m.listRuns(ctx, env.DB, *limit)
	}
	return m.diffRuns(ctx, env, *diff, *against, *limit)
}

// diffRuns prints what changed from run before (0: the one before it) to
// run after, over the days both judged.
func (m *Main) diffRuns(ctx context.Context, env *jobs.Env, after, before int64, limit int) error {
	var err error
	if before == 0 {
		if before, err = env.DB.SameWindowRunBefore(ctx, after); err != nil {
			return err
		}
		if before == 0 {
			return fmt.Errorf("run %d has no earlier succeeded run over the same window and merchant; name one with --against", after)
		}
	}
	var runs [2]store.Run
	for i, id := range []int64{after, before} {
		if runs[i], err = env.DB.GetRun(ctx, id); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("no run %d to compare", id)
		} else if err != nil {
			return err
		}
	}
	if runs[0].WindowFrom.After(runs[1].WindowTo) || runs[1].WindowFrom.After(runs[0].WindowTo) {
		return fmt.Errorf("runs %d and %d share no day of their windows: there is nothing to compare", after, before)
	}
	if a, b := runs[0].Merchant, runs[1].Merchant; a != "" && b != "" && a != b {
		return fmt.Errorf("runs %d and %d cover different merchants (%s, %s): there is nothing to compare", after, before, a, b)
	}
	changes, err := env.DB.Diff(ctx, before, after, env.Location)
	if err != nil {
		return err
	}
	m.printChanges(before, after, changes, limit)
	return nil
}

func (m *Main) listRuns(ctx context.Context, db *store.DB, limit int) error {
	rs, err := db.Runs(ctx, limit)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RUN\tKIND\tWINDOW\tMERCHANT\tAS OF\tSTATUS\tSTARTED\tTOOK\tERROR")
	for _, r := range rs {
		took := "-"
		if r.FinishedAt.Valid {
			took = r.FinishedAt.Time.Sub(r.StartedAt).Round(time.Millisecond).String()
		}
		kind := r.Kind
		if r.DryRun {
			kind += " (dry run)"
		}
		fmt.Fprintf(w, "%d\t%s\t%s..%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, kind, r.WindowFrom.Format(time.DateOnly),
			r.WindowTo.Format(time.DateOnly), orAll(r.Merchant), ts(r.AsOf), r.Status, ts(r.StartedAt), took, r.Error)
	}
	return w.Flush()
}

// printChanges prints a count per kind of change, then up to limit of each.
func (m *Main) printChanges(before, after int64, changes []store.Change, limit int) {
	byKind := map[string][]store.Change{}
	for _, c := range changes {
		byKind[c.Kind] = append(byKind[c.Kind], c)
	}
	fmt.Fprintf(m.Stdout, "run %d compared with run %d:\n", after, before)
	for _, k := range store.ChangeKinds {
		fmt.Fprintf(m.Stdout, "  %-16s %8d\n", k, len(byKind[k]))
	}
	for _, k := range store.ChangeKinds {
		cs := byKind[k]
		if len(cs) == 0 {
			continue
		}
		fmt.Fprintf(m.Stdout, "\n%s:\n", k)
		for i, c := range cs {
			if i == limit {
				fmt.Fprintf(m.Stdout, "  … %d more\n", len(cs)-limit)
				break
			}
			fmt.Fprintf(m.Stdout, "  %s %s #%d: %s → %s\n", c.Merchant, c.TransactionID, c.Occurrence, orNone(c.Before), orNone(c.After))
		}
	}
}

func orAll(merchant string) string {
	if merchant == "" {
		return "all"
	}
	return merchant
}
