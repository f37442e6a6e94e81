package jobs

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/reports"
)

// Env is everything the chain works with, wired once by cmd/.
type Env struct {
	DB        *store.DB
	Clients   map[recon.Environment]*flexcharge.Client
	Merchants []Merchant
	Sources   []Source
	Location  *time.Location
	Output    string // folder for workbooks
	Reports   []reports.Definition
	Push      PushPolicy
	// PendingDays bounds how far back, before its last day, a night reaches
	// for the declines the night before left pending (0: not at all).
	PendingDays int
	Version     string
	ConfigHash  string
	Logger      *slog.Logger
	Progress    bool // show progress bars (stderr is a terminal)

	line line // the runs queued or under way
}

// Merchant is a registry merchant with its credentials per environment.
type Merchant struct {
	store.Merchant
	Credentials map[recon.Environment]flexcharge.Credentials
}

// Source is a folder ledger exports arrive in, and how to read them. A
// remote source (Kind sftp or https) is fetched into Path before each run.
type Source struct {
	Name, Path, Pattern string
	TransmitLog         bool   // its files are transmit logs, not ledger exports
	Format              string // "" or "auto": from the file name
	Mapping             ledger.Mapping
	Kind                string             // inbox (or ""), sftp or https
	SFTP                *ledger.SFTPSource // for Kind sftp: server, credentials, remote folder
	URL                 string             // for Kind https: {date} and {yyyymmdd} become each business date
}

// PushPolicy governs transmitting what FlexCharge never received.
type PushPolicy struct {
	MaxAge      time.Duration // older transactions are reported, not pushed, unless Backfill
	Concurrency int
}

// Request is one run of the chain.
type Request struct {
	Kind     string    // nightly | adhoc | demo
	From, To time.Time // business days, inclusive; only their dates count
	AsOf     time.Time // the run's clock: ages and expiries are judged against it
	Merchant string    // "" for every merchant
	DryRun   bool      // list what would be pushed; send nothing
	Backfill bool      // push transactions older than the age limit too
	// ResendInDoubt sends again what FlexCharge may hold already (a push
	// that got no answer), which no run does on its own: for ops who
	// checked with FlexCharge that it holds no copy.
	ResendInDoubt bool
}

// Check refuses a window that begins after the day of the run's clock in
// loc, the partner's zone: nothing in it can have happened yet, and a run
// over it would succeed having judged nothing.
func (r Request) Check(loc *time.Location) error {
	if today := dateOnly(r.AsOf.In(loc)); dateOnly(r.From).After(today) {
		return fmt.Errorf("the window starts %s, after the run's clock (%s there): nothing in it has happened yet",
			r.From.Format(time.DateOnly), r.AsOf.In(loc).Format(time.DateOnly))
	}
	return nil
}

// window turns the request's business days into processing-time bounds in
// the partner's zone (daylight saving included).
func (e *Env) window(req Request) store.Window {
	first := localMidnight(req.From, e.Location)
	last := localMidnight(req.To, e.Location)
	return store.Window{Start: first, End: last.AddDate(0, 0, 1), FirstDay: dateOnly(req.From), LastDay: dateOnly(req.To), Merchant: req.Merchant}
}

func localMidnight(day time.Time, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
}

func dateOnly(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
}
