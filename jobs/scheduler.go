package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
)

// maxCatchUp bounds how many missed nights a start catches up, the newest,
// so a service restored after months does not queue a season of runs.
const maxCatchUp = 31

// Schedule says when the nightly chain runs, in the partner's zone.
type Schedule struct {
	Nightly      string // "HH:MM"
	TrailingDays int    // days before yesterday re-examined each night
	Location     *time.Location
	// Refresh, when set, runs hourly (the outcome refresh).
	Refresh func(ctx context.Context) error
}

// Runner is what the scheduler needs of the chain: run one request, and
// know the last business day no nightly run is owed for (the last a
// nightly run covered; with none succeeded, the day before the first made).
type Runner interface {
	Run(ctx context.Context, req Request) error
	LastNightly(ctx context.Context) (day time.Time, ok bool, err error)
}

// NightlyRequest is the run a night at now makes: yesterday and the trailing
// days before it, judged as of now.
func NightlyRequest(now time.Time, loc *time.Location, trailingDays int) Request {
	local := now.In(loc)
	yesterday := time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, time.UTC)
	return Request{Kind: "nightly", From: yesterday.AddDate(0, 0, -trailingDays), To: yesterday, AsOf: now.UTC()}
}

// Scheduler runs the nightly chain and the hourly refresh. It is the only
// user of gocron; a run never overlaps another.
type Scheduler struct {
	sched  gocron.Scheduler
	clock  clockwork.Clock
	runner Runner
	s      Schedule
	at     nightlyTime
	logger *slog.Logger

	mu      sync.Mutex
	lastDay time.Time // the business day the last nightly run covered
}

// NewScheduler checks s and registers its jobs; Start begins them. A nil
// clock is the real one.
func NewScheduler(s Schedule, r Runner, clock clockwork.Clock, logger *slog.Logger) (*Scheduler, error) {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	sc := &Scheduler{clock: clock, runner: r, s: s, logger: logger}
	var err error
	if sc.at, err = parseNightly(s.Nightly, s.Location); err != nil {
		return nil, err
	}
	// No singleton mode: Env serializes runs itself, so a night that fires
	// while another run is under way waits for it instead of being skipped.
	sc.sched, err = gocron.NewScheduler(gocron.WithLocation(s.Location), gocron.WithClock(clock))
	if err != nil {
		return nil, fmt.Errorf("make scheduler: %w", err)
	}
	return sc, sc.register()
}

func (sc *Scheduler) register() error {
	_, err := sc.sched.NewJob(
		gocron.DailyJob(1, gocron.NewAtTimes(gocron.NewAtTime(uint(sc.at.hour), uint(sc.at.minute), 0))),
		gocron.NewTask(sc.nightly), gocron.WithName("nightly"))
	if err != nil {
		return fmt.Errorf("schedule nightly run: %w", err)
	}
	if sc.s.Refresh == nil {
		return nil
	}
	_, err = sc.sched.NewJob(gocron.DurationJob(time.Hour), gocron.NewTask(sc.refresh), gocron.WithName("outcome refresh"))
	if err != nil {
		return fmt.Errorf("schedule outcome refresh: %w", err)
	}
	return nil
}

// Start catches up missed nights, then begins the schedule. Catching up
// runs synchronously so the first scheduled night cannot race it.
func (sc *Scheduler) Start(ctx context.Context) error {
	if err := sc.CatchUp(ctx); err != nil {
		return err
	}
	sc.sched.Start()
	return nil
}

// Shutdown stops the schedule and waits for a running job to return.
func (sc *Scheduler) Shutdown() error { return sc.sched.Shutdown() }

func (sc *Scheduler) nightly(ctx context.Context) {
	req := NightlyRequest(sc.clock.Now(), sc.s.Location, sc.s.TrailingDays)
	if !sc.claim(req.To) {
		sc.logger.Info("nightly run already made for this day", "day", req.To.Format(time.DateOnly))
		return
	}
	if err := sc.runner.Run(ctx, req); err != nil {
		sc.logger.Error("nightly run failed", "err", err, "day", req.To.Format(time.DateOnly))
	}
}

func (sc *Scheduler) refresh(ctx context.Context) {
	if err := sc.s.Refresh(ctx); err != nil {
		sc.logger.Error("outcome refresh failed", "err", err)
	}
}

// claim records that day's nightly run is being made, and says false when
// it was already: on a fall-back night the nightly time can come twice.
func (sc *Scheduler) claim(day time.Time) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if !day.After(sc.lastDay) {
		return false
	}
	sc.lastDay = day
	return true
}

// CatchUp runs, one by one, the nights that should have run since the last
// succeeded nightly run but did not (the service was down, or the night
// failed; the first night failing too). With no nightly run in the history
// there is nothing to catch up: the schedule starts it.
func (sc *Scheduler) CatchUp(ctx context.Context) error {
	last, ok, err := sc.runner.LastNightly(ctx)
	if err != nil || !ok {
		return err
	}
	// A night that comes due while catching up is caught up too: the
	// schedule, which would have fired it, starts only afterwards.
	for nights := sc.missed(last, sc.clock.Now()); len(nights) > 0; nights = sc.missed(last, sc.clock.Now()) {
		for _, night := range nights {
			req := NightlyRequest(night, sc.s.Location, sc.s.TrailingDays)
			req.AsOf = sc.clock.Now().UTC()
			sc.claim(req.To)
			sc.logger.Info("catching up a missed night", "day", req.To.Format(time.DateOnly))
			if err := sc.runner.Run(ctx, req); err != nil {
				sc.logger.Error("catch-up run failed", "err", err, "day", req.To.Format(time.DateOnly))
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			last = req.To
		}
	}
	return nil
}

// missed lists the firing times, up to now, of nights after the one that
// covered lastDay, the newest maxCatchUp of them.
func (sc *Scheduler) missed(lastDay, now time.Time) []time.Time {
	var out []time.Time
	for d := 1; ; d++ {
		fire := sc.at.firing(lastDay.AddDate(0, 0, d))
		if fire.After(now) {
			break
		}
		out = append(out, fire)
	}
	if skipped := len(out) - maxCatchUp; skipped > 0 {
		sc.logger.Warn("too many nights missed: the oldest are not caught up", "skipped", skipped,
			"from", out[0].Format(time.DateOnly))
		out = out[skipped:]
	}
	return out
}

// nightlyTime is the local time of day the nightly run fires at.
type nightlyTime struct {
	hour, minute int
	loc          *time.Location
}

func parseNightly(hhmm string, loc *time.Location) (nightlyTime, error) {
	at, err := time.Parse("15:04", hhmm)
	if err != nil {
		return nightlyTime{}, fmt.Errorf("nightly time %q: want HH:MM", hhmm)
	}
	return nightlyTime{at.Hour(), at.Minute(), loc}, nil
}

// firing is when the night covering business day day fires: the day after,
// at the nightly time.
func (n nightlyTime) firing(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()+1, n.hour, n.minute, 0, 0, n.loc)
}

// NightlyDue answers, for the schedule s, the last business day whose night
// has fired by a given time: yesterday once today's nightly time has come,
// else the day before. A nightly run that covers less is behind.
func NightlyDue(s Schedule) (func(now time.Time) time.Time, error) {
	at, err := parseNightly(s.Nightly, s.Location)
	return func(now time.Time) time.Time {
		local := now.In(at.loc)
		yesterday := time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, time.UTC)
		if at.firing(yesterday).After(now) {
			return yesterday.AddDate(0, 0, -1)
		}
		return yesterday
	}, err
}

// RefreshOutcomes pulls FlexCharge orders created in the last days business
// days up to asOf, so outcomes (settled, expired, refunded) show between
// nightly runs; webhooks do the same as they arrive. A run under way pulls
// anyway, so a refresh while one is under way or queued is skipped rather
// than queued.
func (e *Env) RefreshOutcomes(ctx context.Context, asOf time.Time, days int) (int64, error) {
	giveBack, ok := e.line.takeIfIdle()
	if !ok {
		return 0, nil
	}
	defer giveBack()
	local := asOf.In(e.Location)
	first := time.Date(local.Year(), local.Month(), local.Day()-days, 0, 0, 0, 0, time.UTC)
	req := Request{Kind: "refresh", From: first, To: first, AsOf: asOf.UTC()}
	n, _, err := pullOrders(ctx, &run{env: e, req: req, window: e.window(req)})
	if err != nil {
		return n, fmt.Errorf("refresh outcomes: %w", err)
	}
	return n, nil
}
