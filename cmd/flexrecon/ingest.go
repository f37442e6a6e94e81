package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

// ingest checks one file, a ledger export or a transmit log (of a source
// that holds them): how it maps and what loading it would reject or
// quarantine. It stages the file in temporary tables and loads nothing.
// With a configuration it compares the file with the files the configured
// database holds; when there is none, or a running service holds it, the
// check says it did not.
func (m *Main) ingest(ctx context.Context, args []string) error {
	fs := m.flags("ingest", "--check FILE [--config F --source NAME] | --replace FILE --config F [--source NAME]")
	check := fs.String("check", "", "the file to check: a ledger export, or a transmit log of a --source that holds them")
	replace := fs.String("replace", "", "the ledger export to load now and put in force over its day's file, though it holds far fewer rows or none of its transactions")
	cfgPath := fs.String("config", "", "configuration file, for the source's format, mapping and zone")
	source := fs.String("source", "", "the configured source whose format and mapping apply")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *replace != "" {
		return m.replace(ctx, *replace, *cfgPath, *source)
	}
	if *check == "" {
		fs.Usage()
		return fmt.Errorf("ingest: --check FILE or --replace FILE is required (loading happens in reconcile and serve)")
	}
	fc, cfg, err := checkPlan(*check, *cfgPath, *source)
	if err != nil {
		return err
	}
	db, uncompared, err := checkDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := fc.check(ctx, db)
	if err != nil {
		return err
	}
	c.Uncompared = uncompared
	if err := c.Write(m.Stdout); err != nil {
		return err
	}
	if c.Refused() {
		return errCheckRejected // the verdict is printed; the exit status tells a script
	}
	return nil
}

// replace loads one ledger export into the configured database, put in
// force over its day's file even where the load's guard would refuse it
// (store.LoadFile.Replace): ops' word, after a run refused it, that it is
// the day's true export. Runs then pass the file over as read.
func (m *Main) replace(ctx context.Context, path, cfgPath, source string) error {
	if cfgPath == "" {
		return fmt.Errorf("ingest --replace: --config is required (the database to load into)")
	}
	fc, cfg, err := checkPlan(path, cfgPath, source)
	if err != nil {
		return err
	}
	if fc.transmitLog {
		return fmt.Errorf("ingest --replace: source %s holds transmit logs, not ledger exports", fc.File.Source)
	}
	db, err := store.Open(ctx, cfg.Path(cfg.Database), flexrecon.SQL())
	if err != nil {
		return err
	}
	defer db.Close()
	fc.Replace = true
	out, err := db.IngestFile(ctx, fc.LoadFile)
	if err != nil {
		return err
	}
	if out.Replacement != nil {
		_, err = fmt.Fprintf(m.Stdout, "loaded %s: %s\n", fc.File.Name, out.Replacement)
	} else {
		_, err = fmt.Fprintf(m.Stdout, "%s %s: %d rows, %d quarantined\n", out.Outcome, fc.File.Name, out.Rows, out.Quarantined)
	}
	return err
}

// errCheckRejected fails a check whose file would be rejected whole.
var errCheckRejected = errors.New("ingest --check: the file would be rejected whole")

// checkDatabase is the configured database, opened read-only (it knows the
// files loaded before), else an in-memory one, with the reason; it never
// creates, upgrades or writes the file.
func checkDatabase(ctx context.Context, cfg *config.Config) (*store.DB, string, error) {
	reason := "no --config names the database"
	if cfg != nil {
		path := cfg.Path(cfg.Database)
		reason = "the database " + path + " does not exist yet"
		if _, err := os.Stat(path); err == nil {
			db, err := store.OpenReadOnly(ctx, path, flexrecon.SQL())
			switch {
			case errors.Is(err, store.ErrBusy):
				reason = "another process (a running service?) holds the database"
			case errors.Is(err, store.ErrSchemaBehind):
				reason = err.Error()
			default:
				return db, "", err
			}
		}
	}
	db, err := store.Open(ctx, "", flexrecon.SQL())
	return db, reason, err
}

// fileCheck is a file to check, and whether its source holds transmit
// logs rather than ledger exports.
type fileCheck struct {
	store.LoadFile
	transmitLog bool
}

// check checks the file as a run would load it.
func (fc fileCheck) check(ctx context.Context, db *store.DB) (store.Check, error) {
	if fc.transmitLog {
		return db.CheckTransmitLog(ctx, fc.LoadFile)
	}
	return db.CheckFile(ctx, fc.LoadFile)
}

// checkPlan reads the file to check the way its source would: the source's
// content, format and mapping and the configuration's zone, or a canonical
// ledger export in UTC with the format from its name.
func checkPlan(path, cfgPath, source string) (fileCheck, *config.Config, error) {
	src, zone := config.Source{Name: "check", Format: "auto"}, time.UTC
	var cfg *config.Config
	if cfgPath != "" || source != "" {
		var err error
		if cfg, err = loadConfig(cfgPath); err != nil {
			return fileCheck{}, nil, err
		}
		if src, err = findSource(cfg, source); err != nil {
			return fileCheck{}, nil, err
		}
		zone = cfg.Location
	}
	f, err := ledger.Describe(src.Name, path)
	if err != nil {
		return fileCheck{}, nil, err
	}
	if src.Content == config.ContentTransmitLog {
		// As a run loads it: CSV whatever its name, with its mapping's delimiter.
		return fileCheck{LoadFile: store.LoadFile{File: f, Mapping: src.Mapping}, transmitLog: true}, cfg, nil
	}
	lf, err := store.NewLoadFile(f, src.Format, src.Mapping, zone)
	return fileCheck{LoadFile: lf}, cfg, err
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
