package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"text/tabwriter"
	"time"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

// switchCmd records a profile switch change in the registry, or lists the
// history of changes. History is never rewritten: a change is a new row.
func (m *Main) switchCmd(ctx context.Context, args []string) error {
	fs := m.flags("switch", "--config F --merchant ID --profile P --state off|sandbox|production [--site URL | --campaign ID] --effective RFC3339 --reason TEXT [--actor NAME]\n       flexrecon switch --config F --list [--merchant ID]")
	cfgPath := fs.String("config", "", "configuration file")
	list := fs.Bool("list", false, "print the switch history instead of recording a change")
	var s store.Switch
	fs.StringVar(&s.MerchantID, "merchant", "", "partner merchant id")
	fs.StringVar(&s.Profile, "profile", "", "cit_web, cit_callcenter or mit")
	fs.StringVar(&s.State, "state", "", "off, sandbox or production")
	site := fs.String("site", "", "only this site URL of the merchant")
	campaign := fs.String("campaign", "", "only this campaign of the merchant")
	effective := fs.String("effective", "", "when the change takes effect, RFC 3339")
	fs.StringVar(&s.Reason, "reason", "", "why the switch changes")
	fs.StringVar(&s.Actor, "actor", os.Getenv("USER"), "who makes the change")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*list {
		if err := completeSwitch(&s, *site, *campaign, *effective); err != nil {
			return err
		}
	}
	return m.withDatabase(ctx, *cfgPath, func(env *jobs.Env) error {
		if *list {
			sws, err := env.DB.Switches(ctx, s.MerchantID)
			if err != nil {
				return err
			}
			return m.listSwitches(sws, env.Location)
		}
		if s.Actor == "" { // through the service, the user signed in is the actor
			return errors.New("--actor is required when $USER is not set")
		}
		s, err := env.DB.RecordSwitch(ctx, s)
		if err != nil {
			return err
		}
		m.printRecorded(s, env.Location)
		return nil
	}, func(cfg *config.Config, busy error) error {
		return m.switchThroughService(ctx, cfg, s, *list, busy)
	})
}

// switchThroughService lists or records through the running service that
// holds the database; it records the change as made by the user signed in.
func (m *Main) switchThroughService(ctx context.Context, cfg *config.Config, s store.Switch, list bool, busy error) error {
	if list {
		var sws []store.Switch
		if err := askService(ctx, cfg, "/api/switches?merchant="+url.QueryEscape(s.MerchantID), &sws, busy); err != nil {
			return err
		}
		return m.listSwitches(sws, cfg.Location)
	}
	body, err := json.Marshal(s)
	if err != nil {
		return err
	}
	hr, err := serviceRequest(ctx, cfg, http.MethodPost, "/api/switches", bytes.NewReader(body), "an ops", busy)
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", "application/json")
	if err := sendToService(hr, http.StatusCreated, &s); err != nil {
		return err
	}
	m.printRecorded(s, cfg.Location)
	return nil
}

func (m *Main) printRecorded(s store.Switch, loc *time.Location) {
	fmt.Fprintf(m.Stdout, "recorded: %s %s %s → %s from %s (%s, by %s)\n", s.MerchantID, scopeText(s.Scope, s.ScopeValue),
		s.Profile, s.State, ts(s.EffectiveAt, loc), s.Reason, s.Actor)
}

// completeSwitch validates the flags of a change and fills in the rest.
func completeSwitch(s *store.Switch, site, campaign, effective string) error {
	var errs []error
	if s.MerchantID == "" {
		errs = append(errs, errors.New("--merchant is required"))
	}
	if _, err := recon.ParseProfile(s.Profile); err != nil {
		errs = append(errs, fmt.Errorf("--profile: %w", err))
	}
	if _, err := recon.ParseSwitchState(s.State); err != nil {
		errs = append(errs, fmt.Errorf("--state: %w", err))
	}
	at, err := time.Parse(time.RFC3339, effective)
	if err != nil {
		errs = append(errs, fmt.Errorf("--effective: want RFC 3339 (2026-11-23T12:00:00-05:00): %w", err))
	}
	if s.Reason == "" {
		errs = append(errs, errors.New("--reason is required: the history says why"))
	}
	if site != "" && campaign != "" {
		errs = append(errs, errors.New("--site and --campaign exclude each other"))
	}
	s.Scope, s.ScopeValue = "merchant", ""
	switch {
	case site != "":
		s.Scope, s.ScopeValue = "site", site
	case campaign != "":
		s.Scope, s.ScopeValue = "campaign", campaign
	}
	s.EffectiveAt, s.RecordedAt, s.Origin = at.UTC(), time.Now().UTC(), "cli"
	return errors.Join(errs...)
}

func (m *Main) listSwitches(sws []store.Switch, loc *time.Location) error {
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tMERCHANT\tPROFILE\tSCOPE\tSTATE\tEFFECTIVE\tACTOR\tORIGIN\tRECORDED\tREASON")
	for _, s := range sws {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.MerchantID, s.Profile, scopeText(s.Scope, s.ScopeValue),
			s.State, ts(s.EffectiveAt, loc), s.Actor, s.Origin, ts(s.RecordedAt, loc), s.Reason)
	}
	return w.Flush()
}

func scopeText(scope, value string) string {
	if scope == "merchant" {
		return "merchant"
	}
	return scope + " " + value
}
