package config

import (
	"fmt"
	"regexp"
	"time"

	"github.com/flexcharge/flexrecon/internal/recon"
)

var clockTime = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// memorySize is an amount DuckDB takes for a memory limit.
var memorySize = regexp.MustCompile(`(?i)^\s*[0-9]+(\.[0-9]+)?\s*(b|bytes?|kb|mb|gb|tb|kib|mib|gib|tib|k|m|g|t|(kilo|mega|giga|tera)bytes?)\s*$`)

func (c *Config) validate() error {
	var fe fieldErrors
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		fe.add("timezone", "unknown time zone %q", c.Timezone)
	}
	c.Location = loc
	if !clockTime.MatchString(c.Schedule.Nightly) {
		fe.add("schedule.nightly", "%q is not a local time HH:MM", c.Schedule.Nightly)
	}
	for key, limit := range map[string]string{"memory_limit": c.MemoryLimit, "ingest_memory_limit": c.IngestMemoryLimit} {
		if !memorySize.MatchString(limit) {
			fe.add(key, "%q is not an amount of memory (\"2.5GB\", \"800MB\")", limit)
		}
	}
	if c.Push.MaxAge.Duration < 0 {
		fe.add("push.max_age", "must not be negative")
	}
	if *c.Push.MaxRetries < 1 {
		fe.add("push.max_retries", "must be at least 1: retries are how a night rides out FlexCharge's brief failures")
	}
	if *c.Schedule.TrailingDays < 0 {
		fe.add("schedule.trailing_days", "must not be negative")
	}
	if *c.Schedule.PendingDays < 0 {
		fe.add("schedule.pending_days", "must not be negative")
	}
	c.validateSources(&fe)
	c.validateFlexCharge(&fe)
	c.validateWeb(&fe)
	seen := map[string]bool{}
	for i := range c.Merchants {
		m := &c.Merchants[i]
		key := fmt.Sprintf("merchants[%d]", i)
		if seen[m.ID] {
			fe.add(key+".id", "duplicate merchant id %q", m.ID)
		}
		seen[m.ID] = true
		c.validateMerchant(&fe, key, m)
	}
	return fe.err()
}

func (c *Config) validateFlexCharge(fe *fieldErrors) {
	for env, f := range c.FlexCharge {
		if _, err := recon.ParseEnvironment(env); err != nil {
			fe.add("flexcharge."+env, "%v", err)
		}
		if f.BaseURL == "" {
			fe.add("flexcharge."+env+".base_url", "missing")
		}
	}
}

func (c *Config) validateMerchant(fe *fieldErrors, key string, m *Merchant) {
	if m.ID == "" {
		fe.add(key+".id", "missing")
	}
	if m.Name == "" {
		fe.add(key+".name", "missing")
	}
	for env, cr := range m.Credentials {
		c.validateCredentials(fe, fmt.Sprintf("%s.credentials.%s", key, env), env, &cr)
		m.Credentials[env] = cr // the resolved secrets
	}
	for j, s := range m.Sites {
		validateSite(fe, fmt.Sprintf("%s.sites[%d]", key, j), s)
	}
	for j := range m.Switches {
		m.Switches[j].Effective.in(c.Location)
		c.validateSwitch(fe, fmt.Sprintf("%s.switches[%d]", key, j), m, m.Switches[j])
	}
}

func (c *Config) validateCredentials(fe *fieldErrors, key, env string, cr *Credentials) {
	if _, err := recon.ParseEnvironment(env); err != nil {
		fe.add(key, "%v", err)
	}
	if cr.MID == "" {
		fe.add(key+".mid", "missing")
	}
	if err := cr.AppKey.resolve(c.Dir); err != nil {
		fe.add(key+".app_key", "%v", err)
	}
	if err := cr.AppSecret.resolve(c.Dir); err != nil {
		fe.add(key+".app_secret", "%v", err)
	}
}

func validateSite(fe *fieldErrors, key string, s Site) {
	if s.URL == "" {
		fe.add(key+".url", "missing")
	}
	if s.Descriptor == "" {
		fe.add(key+".descriptor", "missing")
	}
	for env := range s.SiteID {
		if _, err := recon.ParseEnvironment(env); err != nil {
			fe.add(key+".site_id."+env, "%v", err)
		}
	}
}

func (c *Config) validateSwitch(fe *fieldErrors, key string, m *Merchant, s Switch) {
	if _, err := recon.ParseProfile(string(s.Profile)); err != nil {
		fe.add(key+".profile", "%v", err)
	}
	state, err := recon.ParseSwitchState(string(s.State))
	if err != nil {
		fe.add(key+".state", "%v", err)
	}
	if s.Effective.IsZero() {
		fe.add(key+".effective", "missing (an RFC 3339 date-time)")
	}
	if s.Site != "" && s.Campaign != "" {
		fe.add(key, "targets both a site and a campaign; a switch targets one")
	}
	if s.Site != "" && !m.hasSite(s.Site) {
		fe.add(key+".site", "%q is not one of the merchant's sites", s.Site)
	}
	if state != recon.Off && state != "" {
		if _, ok := m.Credentials[string(state)]; !ok {
			fe.add(key+".state", "%s needs credentials.%s for the merchant", state, state)
		}
		if _, ok := c.FlexCharge[string(state)]; !ok {
			fe.add(key+".state", "%s needs a [flexcharge.%s] base_url", state, state)
		}
	}
}

func (m *Merchant) hasSite(url string) bool {
	for _, s := range m.Sites {
		if s.URL == url {
			return true
		}
	}
	return false
}
