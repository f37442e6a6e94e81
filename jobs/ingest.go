package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

// ingest fetches the exports of remote sources, then loads every new file
// of every source; a file read before and unchanged since is passed over
// unread. A rejected file is recorded and reported, and does not stop the
// run: the other files still count. A file that replaces the earlier one of
// its day is logged and named in the stage's detail.
func ingest(ctx context.Context, r *run) (int64, string, error) {
	var rows, loaded, rejected int64
	replaced, err := r.adoptUnnamed(ctx)
	if err != nil {
		return 0, "", err
	}
	for _, src := range r.env.Sources {
		if err := fetch(ctx, r, src); err != nil {
			return rows, "", err
		}
		files, err := ledger.Discover(src.Name, src.Path, src.Pattern)
		if err != nil {
			return rows, "", err
		}
		for _, f := range files {
			out, err := r.loadFile(ctx, src, f)
			switch {
			case errors.Is(err, store.ErrRejected):
				rejected++
				r.env.Logger.Warn("ledger file rejected", "run", r.id, "file", f.Path, "err", err)
			case err != nil:
				return rows, "", err
			case out.Outcome == "loaded":
				loaded++
				rows += out.Rows
				if out.Replacement != nil {
					r.logReplacement(ctx, src.Name, *out.Replacement)
					replaced = append(replaced, out.Replacement.String())
				}
			}
		}
	}
	detail := fmt.Sprintf("%d files loaded, %d rejected", loaded, rejected)
	if len(replaced) > 0 {
		detail += "; " + strings.Join(replaced, "; ")
	}
	return rows, detail, nil
}

// adoptUnnamed takes into the run the corrections of the days it judges
// that no published run has named (loaded outside runs, or by a run that
// failed, a dry run or one merchant's), and says which files they
// replaced and how they came: the run's detail, notices and log name them,
// as they do the run's own corrections.
func (r *run) adoptUnnamed(ctx context.Context) ([]string, error) {
	taken, err := r.env.DB.AdoptUnnamedCorrections(ctx, r.id)
	var replaced []string
	for _, rp := range taken {
		r.env.Logger.InfoContext(ctx, "ledger file replaced the earlier file of its day since a run last published it", "run", r.id, "replacement", rp.String(), "origin", rp.Origin())
		replaced = append(replaced, rp.String()+" ("+rp.Origin()+")")
	}
	return replaced, err
}

// logReplacement logs a file put in force over the earlier file of its day.
// A file unlike it (far fewer rows, or none of its transactions) is refused
// by the load, and reported as rejected, until ops force it with
// ingest --replace.
func (r *run) logReplacement(ctx context.Context, source string, rp store.Replacement) {
	r.env.Logger.InfoContext(ctx, "ledger file replaces the earlier file of its day", "run", r.id, "source", source, "day", rp.BusinessDate.Format(time.DateOnly),
		"file", rp.Name, "rows", rp.Rows, "replaces", rp.Earlier, "replaced_rows", rp.EarlierRows)
}

// loadFile loads f, an export or a transmit log, unless it was read before
// and is unchanged since.
func (r *run) loadFile(ctx context.Context, src Source, f ledger.File) (store.LoadOutcome, error) {
	unchanged, err := r.env.DB.FileUnchanged(ctx, f)
	if err != nil {
		return store.LoadOutcome{}, err
	}
	if unchanged {
		return store.LoadOutcome{Outcome: "unchanged"}, nil
	}
	if src.TransmitLog {
		return r.env.DB.IngestTransmitLog(ctx, store.LoadFile{File: f, Mapping: src.Mapping, RunID: r.id})
	}
	lf, err := store.NewLoadFile(f, src.Format, src.Mapping, r.env.Location)
	if err != nil {
		// A mapping that cannot apply is refused like a bad file: it does
		// not stop the run. (The load refuses, and records, a file of no
		// known format.)
		return store.LoadOutcome{}, fmt.Errorf("%w: %w", store.ErrRejected, err)
	}
	lf.RunID = r.id
	return r.env.DB.IngestFile(ctx, lf)
}
