package jobs

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jonboulle/clockwork"
)

// fakeRunner records the requests the scheduler makes.
type fakeRunner struct {
	mu      sync.Mutex
	reqs    []Request
	last    time.Time
	hasLast bool
	ran     chan struct{}
	hold    chan struct{} // when set, Run returns only once it is closed
	during  func()        // when set, called by Run (a run that takes time)
}

func (f *fakeRunner) Run(_ context.Context, req Request) error {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	f.ran <- struct{}{}
	if f.during != nil {
		f.during()
	}
	if f.hold != nil {
		<-f.hold
	}
	return nil
}

func (f *fakeRunner) LastNightly(context.Context) (time.Time, bool, error) {
	return f.last, f.hasLast, nil
}

func (f *fakeRunner) days() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.reqs {
		out = append(out, r.AsOf.Format(time.RFC3339)+" "+r.To.Format(time.DateOnly))
	}
	return out
}

func startScheduler(t *testing.T, r *fakeRunner, clock *clockwork.FakeClock, loc *time.Location) *Scheduler {
	t.Helper()
	sc, err := NewScheduler(Schedule{Nightly: "02:30", Location: loc}, r, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Shutdown() })
	return sc
}

// advanceTo moves the fake clock to each next firing gocron computes, until
// until, and waits for the run each firing makes.
func advanceTo(t *testing.T, sc *Scheduler, clock *clockwork.FakeClock, r *fakeRunner, until time.Time) {
	t.Helper()
	for {
		if err := clock.BlockUntilContext(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		next, err := sc.sched.Jobs()[0].NextRun()
		if err != nil {
			t.Fatal(err)
		}
		if next.After(until) {
			return
		}
		clock.Advance(next.Sub(clock.Now()))
		select {
		case <-r.ran:
		case <-time.After(30 * time.Second): // generous: CI runs this under -race beside other suites
			t.Fatalf("no run at %s", next)
		}
	}
}

// TestNightlyAcrossDST runs the schedule over Berlin's spring-forward night
// (2026-03-29 02:00 CET → 03:00 CEST): 02:30 does not exist that night, so
// the run fires once, at 03:30 CEST, and every other night at 02:30 local.
func TestNightlyAcrossDST(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 27, 12, 0, 0, 0, loc))
	r := &fakeRunner{ran: make(chan struct{}, 10)}
	sc := startScheduler(t, r, clock, loc)
	advanceTo(t, sc, clock, r, time.Date(2026, 3, 30, 12, 0, 0, 0, loc))
	want := []string{
		"2026-03-28T01:30:00Z 2026-03-27", // 02:30 CET
		"2026-03-29T01:30:00Z 2026-03-28", // 03:30 CEST: 02:30 was skipped
		"2026-03-30T00:30:00Z 2026-03-29", // 02:30 CEST
	}
	if diff := cmp.Diff(want, r.days()); diff != "" {
		t.Errorf("nightly runs (-want +got):\n%s", diff)
	}
}

// TestNightWhileARunIsUnderWay: a night that fires while the previous
// night's run has not returned still runs (Env serializes the two), rather
// than being skipped.
func TestNightWhileARunIsUnderWay(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	r := &fakeRunner{ran: make(chan struct{}, 10), hold: make(chan struct{})}
	sc := startScheduler(t, r, clock, time.UTC)
	t.Cleanup(func() { close(r.hold) }) // before Shutdown, which waits for the held runs
	advanceTo(t, sc, clock, r, time.Date(2026, 5, 3, 12, 0, 0, 0, time.UTC))
	want := []string{"2026-05-02T02:30:00Z 2026-05-01", "2026-05-03T02:30:00Z 2026-05-02"}
	if diff := cmp.Diff(want, r.days()); diff != "" {
		t.Errorf("nightly runs (-want +got):\n%s", diff)
	}
}

// TestCatchUp starts the service three nights after the last succeeded
// nightly run: the two nights it missed run at start, once each.
func TestCatchUp(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, loc)
	clock := clockwork.NewFakeClockAt(now)
	r := &fakeRunner{ran: make(chan struct{}, 10), last: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), hasLast: true}
	startScheduler(t, r, clock, loc)
	want := []string{"2026-11-24T14:00:00Z 2026-11-22", "2026-11-24T14:00:00Z 2026-11-23"}
	if diff := cmp.Diff(want, r.days()); diff != "" {
		t.Errorf("caught-up runs (-want +got):\n%s", diff)
	}
}

// TestCatchUpOutlastsANight: a catch-up run that lasts past the nightly
// time also catches up the night that came due meanwhile.
func TestCatchUpOutlastsANight(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 2, 0, 0, 0, loc))
	r := &fakeRunner{ran: make(chan struct{}, 10), last: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), hasLast: true,
		during: func() { clock.Advance(time.Hour) }}
	startScheduler(t, r, clock, loc)
	want := []string{"2026-11-24T07:00:00Z 2026-11-22", "2026-11-24T08:00:00Z 2026-11-23"}
	if diff := cmp.Diff(want, r.days()); diff != "" {
		t.Errorf("caught-up runs (-want +got):\n%s", diff)
	}
}

// TestNightlyOnFallBack runs over Berlin's fall-back night (2026-10-25
// 03:00 CEST → 02:00 CET): 02:30 happens twice that night, and the run
// fires once (gocron picks the second, CET one).
func TestNightlyOnFallBack(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(time.Date(2026, 10, 24, 12, 0, 0, 0, loc))
	r := &fakeRunner{ran: make(chan struct{}, 10)}
	sc := startScheduler(t, r, clock, loc)
	advanceTo(t, sc, clock, r, time.Date(2026, 10, 26, 12, 0, 0, 0, loc))
	want := []string{
		"2026-10-25T01:30:00Z 2026-10-24", // 02:30 CET, the second 02:30
		"2026-10-26T01:30:00Z 2026-10-25", // 02:30 CET
	}
	if diff := cmp.Diff(want, r.days()); diff != "" {
		t.Errorf("nightly runs (-want +got):\n%s", diff)
	}
}

// TestCancelledCatchUpStopsCleanly: a shutdown during catch-up returns and
// the never-started schedule shuts down without hanging.
func TestCancelledCatchUpStopsCleanly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := &fakeRunner{ran: make(chan struct{}, 40), last: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), hasLast: true}
	sc, err := NewScheduler(Schedule{Nightly: "02:30", Location: time.UTC}, r, clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Start(ctx); err == nil {
		t.Error("Start with a cancelled context: got nil, want the context's error")
	}
	if n := len(r.days()); n != 1 {
		t.Errorf("catch-up runs after cancel: got %d, want 1 (the one under way)", n)
	}
	done := make(chan struct{})
	go func() { sc.Shutdown(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Shutdown of a never-started scheduler hung")
	}
}

func TestBadNightlyTime(t *testing.T) {
	for _, s := range []string{"25:00", "2:3x", ""} {
		if _, err := NewScheduler(Schedule{Nightly: s, Location: time.UTC}, &fakeRunner{}, nil, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("nightly %q: got no error", s)
		}
	}
}

// TestMissedKeepsTheNewestNights: after a long outage the newest nights are
// caught up, up to maxCatchUp; the oldest are left.
func TestMissedKeepsTheNewestNights(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, loc)
	sc, err := NewScheduler(Schedule{Nightly: "02:30", Location: loc}, &fakeRunner{}, clockwork.NewFakeClockAt(now), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	nights := sc.missed(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), now)
	if len(nights) != maxCatchUp || !nights[len(nights)-1].Equal(time.Date(2026, 11, 24, 2, 30, 0, 0, loc)) {
		t.Errorf("missed nights: %d, the last %s; want %d, the last this morning's", len(nights), nights[len(nights)-1], maxCatchUp)
	}
}
