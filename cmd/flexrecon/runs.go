package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// runs lists the run history, or what changed between a run and the one
// before it over the same window and merchant.
func (m *Main) runs(ctx context.Context, args []string) error {
	fs := m.flags("runs", "--config F [--diff N [--against M]] [--limit N]")
	cfgPath := fs.String("config", "", "configuration file")
	diff := fs.Int64("diff", 0, "compare run N with the previous run of the same window and merchant")
	against := fs.Int64("against", 0, "compare with this run instead of the previous one")
	limit := fs.Int("limit", 20, "runs to list; changes to print per kind")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, m, *cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if *diff == 0 {
		return m.listRuns(ctx, db, *limit)
	}
	before := *against
	if before == 0 {
		if before, err = db.SameWindowRunBefore(ctx, *diff); err != nil {
			return err
		}
		if before == 0 {
			return fmt.Errorf("run %d has no earlier succeeded run over the same window and merchant; name one with --against", *diff)
		}
	}
	for _, id := range []int64{*diff, before} {
		if _, err := db.GetRun(ctx, id); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("no run %d to compare", id)
		} else if err != nil {
			return err
		}
	}
	changes, err := db.Diff(ctx, before, *diff)
	if err != nil {
		return err
	}
	m.printChanges(before, *diff, changes, *limit)
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
		fmt.Fprintf(w, "%d\t%s\t%s..%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Kind, r.WindowFrom.Format(time.DateOnly),
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
