package main

import (
	"context"
	"fmt"
	"net"

	"github.com/flexcharge/flexrecon/internal/web"
	"github.com/flexcharge/flexrecon/jobs"
)

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.flags("serve", "--config F")
	cfgPath := fs.String("config", "", "configuration file")
	if err := fs.Parse(args); err != nil {
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
	sched, err := jobs.StartScheduler(ctx, env, jobs.Schedule{Nightly: cfg.Schedule.Nightly, TrailingDays: cfg.Schedule.TrailingDays}, logger)
	if err != nil {
		return err
	}
	defer sched.Shutdown()
	h, err := web.New(web.Options{DB: env.DB, Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Web.Addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "flexrecon serving on http://%s\n", ln.Addr())
	return serveUntilDone(ctx, ln, h)
}
