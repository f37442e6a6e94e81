package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// Schedule says when the nightly chain runs, in the partner's zone.
type Schedule struct {
	Nightly      string // "HH:MM"
	TrailingDays int    // days before yesterday re-examined each night
}

// NightlyRequest is the run a night at now makes: yesterday and the trailing
// days before it, judged as of now.
func NightlyRequest(now time.Time, loc *time.Location, trailingDays int) Request {
	local := now.In(loc)
	yesterday := time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, time.UTC)
	return Request{Kind: "nightly", From: yesterday.AddDate(0, 0, -trailingDays), To: yesterday, AsOf: now.UTC()}
}

// StartScheduler runs the nightly chain at the scheduled local time. It is
// the only user of gocron; a run never overlaps another (Env serializes runs).
func StartScheduler(ctx context.Context, env *Env, s Schedule, logger *slog.Logger, opts ...gocron.SchedulerOption) (gocron.Scheduler, error) {
	var hour, minute uint
	if _, err := fmt.Sscanf(s.Nightly, "%d:%d", &hour, &minute); err != nil {
		return nil, fmt.Errorf("nightly time %q: %w", s.Nightly, err)
	}
	sched, err := gocron.NewScheduler(append([]gocron.SchedulerOption{gocron.WithLocation(env.Location)}, opts...)...)
	if err != nil {
		return nil, err
	}
	_, err = sched.NewJob(
		gocron.DailyJob(1, gocron.NewAtTimes(gocron.NewAtTime(hour, minute, 0))),
		gocron.NewTask(func() {
			req := NightlyRequest(time.Now(), env.Location, s.TrailingDays)
			if _, err := env.Reconcile(ctx, req); err != nil {
				logger.Error("nightly run failed", "err", err)
			}
		}),
		gocron.WithName("nightly"),
		gocron.WithSingletonMode(gocron.LimitModeWait),
	)
	if err != nil {
		return nil, fmt.Errorf("schedule nightly run: %w", err)
	}
	sched.Start()
	return sched, nil
}
