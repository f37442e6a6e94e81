package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/web"
	"github.com/flexcharge/flexrecon/jobs"
)

// serve runs the web pages and the schedule until ctx ends. On the way out
// it stops taking requests, then lets the scheduler and the pages cancel any
// run in progress and record how it ended, then closes the database.
func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.flags("serve", "--config F")
	cfgPath := fs.String("config", "", "configuration file")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	logger := newLogger(m, true)
	env, err := openEnv(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer env.DB.Close()
	h, err := newWeb(cfg, env, logger)
	if err != nil {
		return err
	}
	// On a signal, runs started from the pages are aborted (and recorded as
	// failed) at once, so the HTTP shutdown does not wait on them.
	defer context.AfterFunc(ctx, h.Close)()
	defer h.Close()
	refresh := func(ctx context.Context) error {
		_, err := env.RefreshOutcomes(ctx, time.Now(), *cfg.Schedule.TrailingDays+1)
		return err
	}
	sched, err := jobs.NewScheduler(jobs.Schedule{Nightly: cfg.Schedule.Nightly, TrailingDays: *cfg.Schedule.TrailingDays,
		Location: cfg.Location, Refresh: refresh}, serviceRunner{h, env}, nil, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Web.Addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "flexrecon serving on http://%s\n", ln.Addr())
	// Catching up runs in the background so the pages answer meanwhile; a
	// shutdown cancels it and waits for it before stopping the schedule.
	started := make(chan struct{})
	go func() {
		defer close(started)
		if err := sched.Start(ctx); err != nil {
			logger.Error("scheduler did not start", "err", err)
		}
	}()
	defer func() { <-started; sched.Shutdown() }()
	return serveUntilDone(ctx, ln, h)
}

// newWeb wires the pages from the configuration.
func newWeb(cfg *config.Config, env *jobs.Env, logger *slog.Logger) (*web.Server, error) {
	opts := web.Options{DB: env.DB, Chain: env, Reports: env.Reports, Location: cfg.Location, Logger: logger,
		SessionKey: []byte(cfg.Web.SessionKey.Value()), Secure: cfg.Web.Secure, Nightly: cfg.Schedule.Nightly}
	for _, src := range env.Sources {
		opts.SourceFolders = append(opts.SourceFolders, src.Path)
	}
	for _, u := range cfg.Web.Users {
		opts.Users = append(opts.Users, web.User{Name: u.Name, Role: u.Role, PasswordHash: []byte(u.PasswordHash)})
	}
	for name, k := range cfg.Web.WebhookKeys {
		key, err := base64.StdEncoding.DecodeString(k.Value())
		if err != nil {
			return nil, fmt.Errorf("web.webhook_keys.%s: want base64: %w", name, err)
		}
		opts.WebhookKeys = append(opts.WebhookKeys, web.WebhookKey{Environment: name, Key: key})
	}
	return web.New(opts)
}

// serviceRunner sends the scheduler's runs through the pages, so metrics
// count them, and reads the run history for catching up.
type serviceRunner struct {
	web *web.Server
	env *jobs.Env
}

func (r serviceRunner) Run(ctx context.Context, req jobs.Request) error {
	_, err := r.web.Reconcile(ctx, req)
	return err
}

func (r serviceRunner) LastNightly(ctx context.Context) (time.Time, bool, error) {
	return r.env.DB.NightlyCaughtUp(ctx)
}
