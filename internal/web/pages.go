package web

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// runRow is a run on the runs page, with its stages while it runs.
type runRow struct {
	store.Run
	Stages []store.Stage
}

// runsView is the runs page: the latest runs, whether any is still queued
// or running (the list then refreshes itself), the start form's one-time
// token (formTokens) and the run a form sent again had started (?again=).
type runsView struct {
	Runs  []runRow
	Busy  bool
	Once  string
	Again int64
}

func (s *Server) runsPage(w http.ResponseWriter, r *http.Request) {
	runs, err := s.opts.DB.Runs(r.Context(), 50)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := runsView{Runs: make([]runRow, len(runs)), Once: s.forms.issue()}
	// The notice names only a run the list shows: /?again=999 typed or kept
	// in a bookmark said a form had started run 999, which never was.
	again, _ := strconv.ParseInt(r.URL.Query().Get("again"), 10, 64)
	for i, run := range runs {
		v.Runs[i].Run = run
		if run.ID == again {
			v.Again = again
		}
		v.Busy = v.Busy || run.Status == "queued" || run.Status == "running"
		if run.Status == "running" {
			if v.Runs[i].Stages, err = s.opts.DB.RunStages(r.Context(), run.ID); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	s.render(w, r, "runs", page{User: userOf(r), Data: v})
}

// runView is everything the run page shows.
type runView struct {
	Run        store.Run
	Took       time.Duration // from its start to its end, its wait for its turn aside; 0 until it has both
	Previous   int64
	Counts     []countDiff
	Stages     []store.Stage
	Exceptions []store.Exception
	// MoreExceptions says the run has findings beyond those listed, so the
	// page does not pass a part of them off as all.
	MoreExceptions bool
	Reports        []string
}

// pageExceptions is how many findings the run page lists; the workbook's
// Exceptions sheet has every one.
const pageExceptions = 500

// DiffLimit is how many changes of each kind the run page's link to the
// diff lists: a night may change millions, more than a browser shows.
func (runView) DiffLimit() int { return pageExceptions }

// countDiff is a state's count in this run beside the previous run's.
type countDiff struct {
	Kind, State    string
	N, Prev, Delta int64
}

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	run, ok := s.runOf(w, r)
	if !ok {
		return
	}
	v, err := s.runView(r, run)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "run", page{User: userOf(r), Data: v})
}

func (s *Server) runView(r *http.Request, run store.Run) (v runView, err error) {
	ctx := r.Context()
	v.Run = run
	if took, ok := run.Took(); ok {
		v.Took = took.Round(time.Millisecond)
	}
	for _, d := range s.opts.Reports {
		v.Reports = append(v.Reports, d.Name)
	}
	if v.Stages, err = s.opts.DB.RunStages(ctx, run.ID); err != nil {
		return v, err
	}
	if v.Exceptions, err = s.opts.DB.RunExceptions(ctx, run.ID, pageExceptions+1); err != nil {
		return v, err
	}
	if len(v.Exceptions) > pageExceptions {
		v.Exceptions, v.MoreExceptions = v.Exceptions[:pageExceptions], true
	}
	if run.Status != "succeeded" {
		return v, nil // no comparison of counts a failed run did not publish; its findings above may say why
	}
	// The run `runs --diff` compares it with: the same window and merchant
	// (a night, the night before), never a dry run.
	if v.Previous, err = s.opts.DB.SameWindowRunBefore(ctx, run.ID); err != nil {
		return v, err
	}
	v.Counts, err = s.diffCounts(r, run.ID, v.Previous)
	return v, err
}

// diffCounts sets each state's count beside the previous run's.
func (s *Server) diffCounts(r *http.Request, id, prev int64) ([]countDiff, error) {
	now, err := s.opts.DB.StateCounts(r.Context(), id)
	if err != nil {
		return nil, err
	}
	before := map[string]store.StateCount{}
	if prev != 0 {
		old, err := s.opts.DB.StateCounts(r.Context(), prev)
		if err != nil {
			return nil, err
		}
		for _, c := range old {
			before[c.State] = c
		}
	}
	var out []countDiff
	for _, c := range now {
		p := before[c.State].N
		out = append(out, countDiff{Kind: c.Kind, State: c.State, N: c.N, Prev: p, Delta: c.N - p})
		delete(before, c.State)
	}
	for _, st := range slices.Sorted(maps.Keys(before)) { // the same order on every view
		c := before[st]
		out = append(out, countDiff{Kind: c.Kind, State: st, Prev: c.N, Delta: -c.N})
	}
	return out, nil
}
