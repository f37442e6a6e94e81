// Package wire builds the reconciliation chain (a jobs.Env) from a
// configuration. It is cmd/flexrecon's wiring, kept in a package of its own
// so that tests run the program's real wiring rather than copies of it; only
// cmd/ and tests import it.
package wire

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
	"github.com/flexcharge/flexrecon/reports"
)

// Options are what the wiring needs beyond the configuration.
type Options struct {
	Logger   *slog.Logger
	Version  string // recorded in every run's manifest
	Progress bool   // draw progress bars (stderr is a terminal)
}

// Open wires the chain from a configuration: the database (migrated, its
// memory capped, the registry seeded), a client per FlexCharge environment,
// the sources and the reports.
func Open(ctx context.Context, cfg *config.Config, o Options) (*jobs.Env, error) {
	defs, err := reportDefinitions()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.Path(cfg.Database), flexrecon.SQL())
	if err != nil {
		return nil, err
	}
	if err := db.SetMemoryLimit(ctx, cfg.MemoryLimit); err != nil {
		db.Close()
		return nil, err
	}
	db.SetIngestMemoryLimit(cfg.IngestMemoryLimit)
	env := &jobs.Env{
		DB: db, Clients: clients(cfg, o.Logger), Location: cfg.Location, Output: cfg.Path(cfg.Output),
		Reports: defs, Version: o.Version, ConfigHash: cfg.Hash, Logger: o.Logger, Progress: o.Progress,
		Push:        jobs.PushPolicy{MaxAge: cfg.Push.MaxAge.Duration, Concurrency: cfg.Push.Concurrency},
		PendingDays: *cfg.Schedule.PendingDays,
	}
	for _, m := range cfg.Merchants {
		env.Merchants = append(env.Merchants, merchant(m, cfg.FlexCharge))
	}
	if env.Sources, err = sources(cfg); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.SeedRegistry(ctx, registry(env.Merchants), time.Now().UTC()); err != nil {
		db.Close()
		return nil, err
	}
	// DuckDB lets one process at a time hold the file, so a run still
	// marked running was left by a process that died (killed, or the
	// machine went down): it is failed now, whichever command comes next.
	if err := db.AbandonRunning(ctx, time.Now().UTC(), cfg.Location); err != nil {
		db.Close()
		return nil, err
	}
	// A workbook that process held under its temporary name is settled as
	// the run's end would have: put in place or removed.
	if err := env.SettleHeldWorkbooks(ctx); err != nil {
		o.Logger.Warn("workbooks left held in the output folder are not settled", "err", err)
	}
	return env, nil
}

func reportDefinitions() ([]reports.Definition, error) {
	sub, err := fs.Sub(flexrecon.SQL(), "reports")
	if err != nil {
		return nil, err
	}
	return reports.LoadDefinitions(sub)
}

func clients(cfg *config.Config, logger *slog.Logger) map[recon.Environment]*flexcharge.Client {
	out := map[recon.Environment]*flexcharge.Client{}
	for env, f := range cfg.FlexCharge {
		out[recon.Environment(env)] = flexcharge.NewClient(f.BaseURL, flexcharge.Options{
			Concurrency: cfg.Push.Concurrency, RatePerSecond: cfg.Push.Rate, Logger: logger,
			MaxRetries: *cfg.Push.MaxRetries, BaseBackoff: cfg.Push.BaseBackoff.Duration, MaxBackoff: cfg.Push.MaxBackoff.Duration,
		})
	}
	return out
}

// merchant is m as the chain and the registry know it. Credentials without
// their environment's endpoint (kept after go-live) give only their mid:
// nothing calls that environment, and no switch may turn there.
func merchant(m config.Merchant, endpoints map[string]config.FlexCharge) jobs.Merchant {
	jm := jobs.Merchant{
		Merchant:    store.Merchant{ID: m.ID, Name: m.Name, MIDs: map[string]string{}, KeptMIDs: map[string]string{}},
		Credentials: map[recon.Environment]flexcharge.Credentials{},
	}
	for env, cr := range m.Credentials {
		if _, ok := endpoints[env]; !ok {
			jm.KeptMIDs[env] = cr.MID
			continue
		}
		jm.MIDs[env] = cr.MID
		jm.Credentials[recon.Environment(env)] = flexcharge.Credentials{MID: cr.MID, AppKey: cr.AppKey.Value(), AppSecret: cr.AppSecret.Value()}
	}
	for _, s := range m.Sites {
		jm.Sites = append(jm.Sites, store.Site{URL: s.URL, Descriptor: s.Descriptor,
			SiteIDSandbox: s.SiteID["sandbox"], SiteIDProd: s.SiteID["production"], Campaigns: s.Campaigns})
	}
	for _, s := range m.Switches {
		jm.Switches = append(jm.Switches, switchOf(s))
	}
	return jm
}

func switchOf(s config.Switch) store.Switch {
	sw := store.Switch{Profile: string(s.Profile), Scope: "merchant", State: string(s.State),
		EffectiveAt: s.Effective.Time, Actor: s.Actor, Reason: s.Reason, Origin: "config"}
	switch {
	case s.Site != "":
		sw.Scope, sw.ScopeValue = "site", s.Site
	case s.Campaign != "":
		sw.Scope, sw.ScopeValue = "campaign", s.Campaign
	}
	return sw
}

func registry(ms []jobs.Merchant) []store.Merchant {
	out := make([]store.Merchant, len(ms))
	for i, m := range ms {
		out[i] = m.Merchant
	}
	return out
}

func sources(cfg *config.Config) ([]jobs.Source, error) {
	out := make([]jobs.Source, len(cfg.Sources))
	for i, s := range cfg.Sources {
		src := jobs.Source{Name: s.Name, Path: cfg.Path(s.Path), Pattern: s.Pattern, Format: s.Format,
			Mapping: s.Mapping, Kind: s.Kind, URL: s.URL, TransmitLog: s.Content == config.ContentTransmitLog}
		if s.Kind == "sftp" || s.Kind == "https" {
			// A remote source's files are fetched beside the database, one
			// folder per source, and read from there.
			src.Path = filepath.Join(filepath.Dir(cfg.Path(cfg.Database)), "downloads", s.Name)
		}
		if s.Kind == "sftp" {
			addr := s.Host
			if _, _, err := net.SplitHostPort(addr); err != nil {
				addr = net.JoinHostPort(addr, "22")
			}
			src.SFTP = &ledger.SFTPSource{Addr: addr, User: s.User, Password: s.Password.Value(),
				Key: []byte(s.Key.Value()), HostKey: s.HostKey, Dir: s.Path, Pattern: s.Pattern}
		}
		out[i] = src
	}
	return out, nil
}
