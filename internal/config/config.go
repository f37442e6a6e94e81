package config

import (
	"fmt"
	"time"

	"github.com/flexcharge/flexrecon/internal/recon"
)

// Config is the whole configuration file.
type Config struct {
	Timezone string `toml:"timezone"`
	Database string `toml:"database"`
	// MemoryLimit caps DuckDB's memory ("2.5GB"); it spills to disk beyond
	// it. The process's peak runs about 0.5 GB above it: a 10M-row night
	// peaks under 3 GB and is no slower than with more.
	MemoryLimit string `toml:"memory_limit"`
	// IngestMemoryLimit caps it while a ledger file loads ("1.8GB"): a load
	// holds the file's rows up to the limit. A 10M-row file peaked at
	// 2.0-2.2 GB under 1.8GB (eight runs), as fast as under 2GB, where it
	// peaked at 2.2-3.1 GB; under 2.5GB it passed 3 GB more often.
	IngestMemoryLimit string                `toml:"ingest_memory_limit"`
	Output            string                `toml:"output"`
	Web               Web                   `toml:"web"`
	Schedule          Schedule              `toml:"schedule"`
	Push              Push                  `toml:"push"`
	Sources           []Source              `toml:"sources"`
	FlexCharge        map[string]FlexCharge `toml:"flexcharge"`
	Merchants         []Merchant            `toml:"merchants"`

	// Location is Timezone, loaded.
	Location *time.Location `toml:"-"`
	// Hash identifies the file's exact bytes, for run manifests.
	Hash string `toml:"-"`
	// Dir is the folder relative paths in the file are taken from.
	Dir string `toml:"-"`
}

// Schedule says when the nightly chain runs and how far back it looks.
type Schedule struct {
	Nightly      string `toml:"nightly"`       // local "HH:MM" in Timezone
	TrailingDays *int   `toml:"trailing_days"` // days re-examined before yesterday (0: yesterday alone)
	// PendingDays is how far back (days before yesterday) a night reaches
	// for the declines the last night left pending; 0 does not reach back.
	PendingDays *int `toml:"pending_days"`
}

// Push governs transmitting untransmitted transactions.
type Push struct {
	MaxAge      Duration `toml:"max_age"`
	Concurrency int      `toml:"concurrency"`
	Rate        float64  `toml:"rate"` // requests per second per FlexCharge environment
	// MaxRetries, BaseBackoff and MaxBackoff tune the client's retries on
	// 429, 5xx and timeouts: at least one retry (6 when unset); a zero
	// backoff keeps the client's default (100ms, 5s).
	MaxRetries  *int     `toml:"max_retries"`
	BaseBackoff Duration `toml:"base_backoff"`
	MaxBackoff  Duration `toml:"max_backoff"`
}

// FlexCharge is one environment's API endpoint.
type FlexCharge struct {
	BaseURL string `toml:"base_url"`
}

// Merchant is one of the partner's merchants, as onboarded with FlexCharge.
type Merchant struct {
	ID          string                 `toml:"id"`
	Name        string                 `toml:"name"`
	Credentials map[string]Credentials `toml:"credentials"`
	Sites       []Site                 `toml:"sites"`
	Switches    []Switch               `toml:"switches"`
}

// Credentials are a merchant's FlexCharge identity in one environment.
type Credentials struct {
	MID       string `toml:"mid"`
	AppKey    Secret `toml:"app_key"`
	AppSecret Secret `toml:"app_secret"`
}

// Site is a merchant website with its statement descriptor.
type Site struct {
	URL        string            `toml:"url"`
	Descriptor string            `toml:"descriptor"`
	SiteID     map[string]string `toml:"site_id"`
	Campaigns  []string          `toml:"campaigns"`
}

// Switch turns one profile of a merchant (or of one of its sites or campaigns)
// to a state from a moment on.
type Switch struct {
	Profile   recon.Profile     `toml:"profile"`
	State     recon.SwitchState `toml:"state"`
	Effective Moment            `toml:"effective"`
	Site      string            `toml:"site"`
	Campaign  string            `toml:"campaign"`
	Actor     string            `toml:"actor"`
	Reason    string            `toml:"reason"`
}

// Moment is a date-time of the file. Written with an offset ("-05:00",
// "Z") it is that instant; without one, the wall clock of the configured
// timezone, which validation settles. The TOML decoder alone would take the
// host's zone, so the same file meant another instant on each machine.
type Moment struct {
	time.Time
	local bool // written without an offset, not yet placed in the timezone
}

// UnmarshalTOML takes a TOML date-time, or RFC 3339 text (as Print writes it).
func (m *Moment) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case time.Time:
		zone := x.Location().String()
		m.Time, m.local = x, zone == "datetime-local" || zone == "date-local"
		return nil
	case string:
		t, err := time.Parse(time.RFC3339, x)
		m.Time = t
		return err
	}
	return fmt.Errorf("%v is not a date-time", v)
}

// MarshalTOML writes the instant as a TOML date-time with its offset.
func (m Moment) MarshalTOML() ([]byte, error) {
	return []byte(m.Time.Format(time.RFC3339Nano)), nil
}

// in places a time written without an offset in loc, as DuckDB places the
// ledger's offset-less times (recon.WallClock), so on a transition night a
// switch and a ledger row showing the same clock are the same instant.
func (m *Moment) in(loc *time.Location) {
	if m.local && loc != nil {
		m.Time, m.local = recon.WallClock(m.Time, loc), false
	}
}

// Duration is a time.Duration written as text ("24h") in the file.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	d.Duration = v
	return err
}

// MarshalText writes the duration back as text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
