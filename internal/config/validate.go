package config

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/recon"
)

var clockTime = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// memorySize is an amount DuckDB takes for a memory limit.
var memorySize = regexp.MustCompile(`(?i)^\s*[0-9]+(\.[0-9]+)?\s*(b|bytes?|kb|mb|gb|tb|kib|mib|gib|tib|k|m|g|t|(kilo|mega|giga|tera)bytes?)\s*$`)

func (c *Config) validate() error {
	var fe fieldErrors
	loc, err := time.LoadLocation(c.Timezone)
	switch {
	case err != nil:
		fe.add("timezone", "unknown time zone %q", c.Timezone)
	case loc == time.Local:
		// Go's "Local" is whatever zone this host is set to, which DuckDB
		// does not know: the Manifest sheet (every run's workbook), runs
		// --diff and the opening of a database with a run left running
		// all failed on it, and the partner's days moved with the host.
		fe.add("timezone", "%q is this host's zone: name the partner's (\"America/New_York\", \"UTC\")", c.Timezone)
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
	// Unchecked, a negative concurrency or rate became the client's defaults
	// (8 calls, 50 a second) while the push ran one call at a time, and a
	// rate of nan (valid TOML) left the client's rate limiter undefined.
	if c.Push.Concurrency < 1 {
		fe.add("push.concurrency", "must be at least 1 (%d)", c.Push.Concurrency)
	}
	if !(c.Push.Rate > 0) || math.IsInf(c.Push.Rate, 1) {
		fe.add("push.rate", "must be a number of requests per second above 0 (%v)", c.Push.Rate)
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

// knownHosts are FlexCharge's own API hosts (flexcharge-api.md), by the
// environment each serves.
var knownHosts = map[string]recon.Environment{
	"api-sandbox.flex-charge.com": recon.Sandbox, "api-sandbox.flexfactor.io": recon.Sandbox,
	"api.flex-charge.com": recon.Production, "api.flexfactor.io": recon.Production,
}

// validateFlexCharge refuses an endpoint that is another environment's:
// sandbox copies pushed to production (or production's orders pulled as
// sandbox ones) would be judged in the wrong environment.
func (c *Config) validateFlexCharge(fe *fieldErrors) {
	for env, f := range c.FlexCharge {
		key := "flexcharge." + env + ".base_url"
		if _, err := recon.ParseEnvironment(env); err != nil {
			fe.add("flexcharge."+env, "%v", err)
		}
		if f.BaseURL == "" {
			fe.add(key, "missing")
			continue
		}
		// Call paths are appended to the base URL, so a query or fragment
		// in it would break every call, and user info would go to the host
		// beside the merchants' credentials. A bare "?" or "#" parses as no
		// query or fragment, yet every call path after it would be one.
		u, err := url.Parse(f.BaseURL)
		if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.User != nil || strings.ContainsAny(f.BaseURL, "?#") {
			fe.add(key, "%q is not an http(s) URL with a host and no user, query or fragment", ledger.RedactURL(f.BaseURL))
			continue
		}
		served, known := knownHosts[strings.ToLower(u.Hostname())]
		if known && string(served) != env {
			fe.add(key, "%s is FlexCharge's %s API, not its %s one", u.Hostname(), served, env)
		}
		// Plain http stays open to a sandbox server (flexrecon sandbox
		// serves no TLS); FlexCharge's own hosts would get the merchants'
		// AppSecrets and tokens in clear.
		if known && u.Scheme != "https" {
			fe.add(key, "FlexCharge's API over plain http would send AppSecrets and tokens in clear: use https")
		}
		for other, o := range c.FlexCharge {
			if other < env && sameEndpoint(o.BaseURL, f.BaseURL) {
				fe.add(key, "the same as flexcharge.%s.base_url: each environment has its own", other)
			}
		}
	}
}

func sameEndpoint(a, b string) bool {
	return strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(b, "/"))
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
	validateDistinctCredentials(fe, key, m)
	for j, s := range m.Sites {
		validateSite(fe, fmt.Sprintf("%s.sites[%d]", key, j), s)
	}
	for j := range m.Switches {
		m.Switches[j].Effective.in(c.Location)
		c.validateSwitch(fe, fmt.Sprintf("%s.switches[%d]", key, j), m, m.Switches[j])
	}
}

// validateCredentials checks one environment's credentials. Credentials
// without their environment's endpoint are kept, not refused (sandbox ones
// after go-live, with the sandbox endpoint gone): nothing calls that
// environment, and a switch there is what is refused, here (validateSwitch)
// and by `switch` (only environments with an endpoint are configured for
// it). What would cross environments still is: a shared mid or AppKey.
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

// validateDistinctCredentials refuses a merchant whose sandbox and
// production credentials share a mid or an AppKey: FlexCharge issues each
// environment its own, so a shared one is a copy put under the wrong
// environment. The values are not shown.
func validateDistinctCredentials(fe *fieldErrors, key string, m *Merchant) {
	sb, okS := m.Credentials[string(recon.Sandbox)]
	pr, okP := m.Credentials[string(recon.Production)]
	if !okS || !okP {
		return
	}
	if sb.MID != "" && sb.MID == pr.MID {
		fe.add(key+".credentials.sandbox.mid", "the same as production's: each environment has its own mid")
	}
	if sb.AppKey.Value() != "" && sb.AppKey.Value() == pr.AppKey.Value() {
		fe.add(key+".credentials.sandbox.app_key", "the same value as production's: each environment has its own AppKey")
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
