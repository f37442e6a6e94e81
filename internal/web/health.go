package web

import (
	"net/http"
	"path/filepath"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// healthView is what the health page shows: is the nightly run keeping up,
// and are webhooks arriving.
type healthView struct {
	LastRun     *store.Run
	LastNightly time.Time
	HasNightly  bool
	// LastWhole is the last succeeded run over every merchant (not a dry
	// run) when no nightly run ever succeeded: after `make demo` the demo's.
	LastWhole     *store.Run
	Behind        bool // the last nightly run covers less than the nights fired an hour ago
	WebhookEvents int64
	// Doubts are the pushes in doubt no run has answered: a run lists only
	// its window's, so one of a day no later run judges showed nowhere.
	Doubts store.Doubts
	// Awaiting are the corrections no published run has named (loaded
	// outside runs, by ingest --replace, or by a run that failed, a dry run
	// or one merchant's): one of a day no nightly window reaches back to
	// waits for a run of that day, and is named by no notices finance reads.
	Awaiting []store.AwaitingFile
	Database string
}

// nightlyGrace is how long a nightly run has from its time to succeed (it
// may wait for a run under way) before the health page says it is behind.
const nightlyGrace = time.Hour

func (s *Server) healthPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.health(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "health", page{User: userOf(r), Data: v})
}

func (s *Server) health(r *http.Request) (v healthView, err error) {
	ctx := r.Context()
	runs, err := s.opts.DB.Runs(ctx, 1)
	if err != nil {
		return v, err
	}
	if len(runs) == 1 {
		v.LastRun = &runs[0]
	}
	if v.LastNightly, v.HasNightly, err = s.opts.DB.LastNightlySuccess(ctx); err != nil {
		return v, err
	}
	covered, err := s.nightlyCovered(r, v)
	if err != nil {
		return v, err
	}
	v.Behind = covered.Before(s.due(s.opts.Now().Add(-nightlyGrace)))
	if !v.HasNightly {
		if v.LastWhole, err = s.lastWholeRun(r); err != nil {
			return v, err
		}
	}
	// The database's name: where the server keeps it is the configuration's,
	// not for every reader of this page.
	if path := s.opts.DB.Path(); path != "" {
		v.Database = filepath.Base(path)
	}
	if v.Doubts, err = s.opts.DB.OpenDoubts(ctx); err != nil {
		return v, err
	}
	if v.Awaiting, err = s.opts.DB.FilesAwaitingRun(ctx); err != nil {
		return v, err
	}
	v.WebhookEvents, err = s.opts.DB.WebhookEventCount(ctx)
	return v, err
}

// nightlyCovered is the last day v's nightly runs covered, to judge whether
// they are behind: the day no nightly run is owed before, as the scheduler
// catches up from (store.NightlyCaughtUp: the last succeeded, else the day
// before the first made, whatever became of it), or, with no nightly run
// made, or none succeeded and the service started later, the day before
// the first night to fire since it started (a database `make demo` or
// ad-hoc runs filled has no nightly run). A night that fires and fails is
// behind an hour later, and stays so across restarts: counting from each
// start alone, a service restarted every day after its first night failed
// never said behind.
func (s *Server) nightlyCovered(r *http.Request, v healthView) (time.Time, error) {
	caught, ok, err := s.opts.DB.NightlyCaughtUp(r.Context())
	if started := s.due(s.started); !ok || !v.HasNightly && started.Before(caught) {
		return started, err
	}
	return caught, err
}

// lastWholeRun is the last succeeded run over every merchant that was not a
// dry run, or nil.
func (s *Server) lastWholeRun(r *http.Request) (*store.Run, error) {
	id, err := s.opts.DB.LastWholeRun(r.Context())
	if err != nil || id == 0 {
		return nil, err
	}
	run, err := s.opts.DB.GetRun(r.Context(), id)
	return &run, err
}
