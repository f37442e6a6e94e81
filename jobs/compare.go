package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/flexcharge/flexrecon/internal/store"
)

// RunDiff is what changed from run Before to run After, over the days both
// judged: Counts of every kind, and the Changes listed (all, or a sample of
// each kind: see CompareRuns).
type RunDiff struct {
	Before  int64          `json:"before"`
	After   int64          `json:"after"`
	Counts  map[string]int `json:"counts"` // by kind (store.ChangeKinds)
	Changes []store.Change `json:"changes"`
}

// ErrNotComparable refuses a comparison there is nothing to make of: no
// earlier run, no such run, or runs of different days or merchants.
var ErrNotComparable = errors.New("nothing to compare")

// CountsOnly, as CompareRuns's perKind, counts every kind and lists no
// change: a night may change millions, and ops often want the counts alone.
const CountsOnly = -1

// CompareRuns compares run after with run before (0: the one before it over
// the same window and merchant; for a night, the night before), listing at
// most perKind changes of each kind (0: all; CountsOnly: none) and counting
// all.
func (e *Env) CompareRuns(ctx context.Context, after, before int64, perKind int) (RunDiff, error) {
	if _, err := e.DB.GetRun(ctx, after); errors.Is(err, sql.ErrNoRows) {
		return RunDiff{}, fmt.Errorf("%w: no run %d", ErrNotComparable, after)
	} else if err != nil {
		return RunDiff{}, err
	}
	var err error
	if before == 0 {
		if before, err = e.DB.SameWindowRunBefore(ctx, after); err != nil {
			return RunDiff{}, err
		}
		if before == 0 {
			return RunDiff{}, fmt.Errorf("%w: run %d has no earlier succeeded run over the same window and merchant; name one to compare with", ErrNotComparable, after)
		}
	}
	var runs [2]store.Run
	for i, id := range []int64{after, before} {
		if runs[i], err = e.DB.GetRun(ctx, id); errors.Is(err, sql.ErrNoRows) {
			return RunDiff{}, fmt.Errorf("%w: no run %d", ErrNotComparable, id)
		} else if err != nil {
			return RunDiff{}, err
		}
		if runs[i].Status != "succeeded" {
			return RunDiff{}, fmt.Errorf("%w: run %d is %s; only succeeded runs have verdicts to compare", ErrNotComparable, id, runs[i].Status)
		}
	}
	if runs[0].WindowFrom.After(runs[1].WindowTo) || runs[1].WindowFrom.After(runs[0].WindowTo) {
		return RunDiff{}, fmt.Errorf("%w: runs %d and %d share no day of their windows", ErrNotComparable, after, before)
	}
	if a, b := runs[0].Merchant, runs[1].Merchant; a != "" && b != "" && a != b {
		return RunDiff{}, fmt.Errorf("%w: runs %d and %d cover different merchants (%s, %s)", ErrNotComparable, after, before, a, b)
	}
	list := perKind
	if perKind == CountsOnly {
		list = 1 // one of each kind carries its kind's count; the store lists all below 1
	}
	changes, err := e.DB.Diff(ctx, before, after, e.Location, list)
	counts := map[string]int{}
	for _, c := range changes {
		counts[c.Kind] = c.OfKind
	}
	if perKind == CountsOnly {
		changes = []store.Change{}
	}
	return RunDiff{Before: before, After: after, Counts: counts, Changes: changes}, err
}
