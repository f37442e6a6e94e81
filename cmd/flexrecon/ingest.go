package main

import (
	"context"
	"fmt"
	"time"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

// ingest checks one ledger file: how it maps and what loading it would
// reject or quarantine. It stages the file in an in-memory database, so it
// loads nothing and never needs the real database file (which a running
// service may hold).
func (m *Main) ingest(ctx context.Context, args []string) error {
	fs := m.flags("ingest", "--check FILE [--config F --source NAME]")
	check := fs.String("check", "", "the ledger file to check")
	cfgPath := fs.String("config", "", "configuration file, for the source's format, mapping and zone")
	source := fs.String("source", "", "the configured source whose format and mapping apply")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *check == "" {
		fs.Usage()
		return fmt.Errorf("ingest: --check FILE is required (loading happens in reconcile and serve)")
	}
	lf, err := checkPlan(*check, *cfgPath, *source)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, "", flexrecon.SQL())
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.CheckFile(ctx, lf)
	if err != nil {
		return err
	}
	return c.Write(m.Stdout)
}

// checkPlan reads the file to check the way its source would: the source's
// format and mapping and the configuration's zone, or a canonical file in UTC
// with the format from its name.
func checkPlan(path, cfgPath, source string) (store.LoadFile, error) {
	name, format, mapping, zone := "check", "auto", ledger.Mapping{}, time.UTC
	if cfgPath != "" || source != "" {
		cfg, err := loadConfig(cfgPath)
		if err != nil {
			return store.LoadFile{}, err
		}
		src, err := findSource(cfg, source)
		if err != nil {
			return store.LoadFile{}, err
		}
		if src.Content == config.ContentTransmitLog {
			return store.LoadFile{}, fmt.Errorf("source %q holds transmit logs: --check reads ledger exports", src.Name)
		}
		name, format, mapping, zone = src.Name, src.Format, src.Mapping, cfg.Location
	}
	f, err := ledger.Describe(name, path)
	if err != nil {
		return store.LoadFile{}, err
	}
	return store.NewLoadFile(f, format, mapping, zone)
}

// findSource is the named source, or the only one when no name is given.
func findSource(cfg *config.Config, name string) (config.Source, error) {
	for _, s := range cfg.Sources {
		if s.Name == name || (name == "" && len(cfg.Sources) == 1) {
			return s, nil
		}
	}
	if name == "" {
		return config.Source{}, fmt.Errorf("the configuration has %d sources: name one with --source", len(cfg.Sources))
	}
	return config.Source{}, fmt.Errorf("no source named %q in the configuration", name)
}
