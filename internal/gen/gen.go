package gen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/recon"
)

// Options say how much data to make, for which days, and where to put it.
type Options struct {
	Rows       int
	Seed       uint64
	LastDay    time.Time      // the last business day; its date is read in Zone (default: yesterday there)
	Days       int            // business days ending at LastDay (default 1)
	Zone       *time.Location // the partner's zone (default America/New_York)
	Out        string         // folder to write into
	SandboxURL string         // where the config points FlexCharge (default http://127.0.0.1:8089)
	KeyRate    float64        // share of expected transactions exported with a transmit key (default 0.95)
}

// Expectation is the verdict a transaction must get.
type Expectation struct {
	Merchant, TransactionID string
	Occurrence              int
	Transmit, Outcome       string
	Findings                []string
}

// The nightly run's local time, in the generated configuration and in the
// plan's clock.
const nightlyHour, nightlyMinute = 2, 30

// Plan is the run the expectations hold for, and the counts of findings that
// belong to no ledger transaction.
type Plan struct {
	From, To   string    // business days, YYYY-MM-DD
	AsOf       time.Time // the nightly run's clock: 02:30 the day after LastDay
	Orphans    int
	Quarantine int
}

// dataset is everything generated, before it is written.
type dataset struct {
	opts Options
	r    *rand.Rand
	// test draws which approvals are test traffic, a stream of its own so
	// that the rows of a seed stay what they were before gen planted it.
	test      *rand.Rand
	merchants []merchant
	asOf      time.Time
	days      []time.Time
	out       *sink // ledger rows and expectations go straight to their files
	orders    []flexcharge.SeedOrder
	plan      Plan
	nextID    int
}

// Generate makes the data set and writes it to opts.Out.
func Generate(opts Options) (Plan, error) {
	if err := opts.Check(); err != nil {
		return Plan{}, err
	}
	d := newDataset(opts)
	out, err := openSink(d.opts.Out, d.days)
	if err != nil {
		return Plan{}, fmt.Errorf("write generated data to %s: %w", opts.Out, err)
	}
	d.out = out
	for range d.opts.Rows {
		d.addTransaction()
	}
	d.addOrphans(max(1, d.opts.Rows/400))
	if err := errors.Join(out.close(), d.write()); err != nil {
		return Plan{}, fmt.Errorf("write generated data to %s: %w", opts.Out, err)
	}
	return d.plan, nil
}

func newDataset(opts Options) *dataset {
	if opts.Days <= 0 {
		opts.Days = 1
	}
	if opts.Zone == nil {
		opts.Zone, _ = time.LoadLocation("America/New_York")
	}
	if opts.LastDay.IsZero() {
		// Yesterday in the partner's zone: the host's may still be in it.
		opts.LastDay = time.Now().In(opts.Zone).AddDate(0, 0, -1)
	}
	if opts.SandboxURL == "" {
		opts.SandboxURL = "http://127.0.0.1:8089"
	}
	if opts.KeyRate == 0 {
		opts.KeyRate = 0.95
	}
	last := time.Date(opts.LastDay.Year(), opts.LastDay.Month(), opts.LastDay.Day(), 0, 0, 0, 0, opts.Zone)
	d := &dataset{opts: opts, r: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		test: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5851f42d4c957f2d))}
	d.merchants = registry(d.r, last)
	for i := opts.Days - 1; i >= 0; i-- {
		d.days = append(d.days, time.Date(last.Year(), last.Month(), last.Day()-i, 0, 0, 0, 0, opts.Zone))
	}
	// 02:30 local as the scheduler (gocron, by Go's time.Date) places the
	// nightly time: not midnight plus 150 minutes on a day the clocks change,
	// and 01:30 standard time on the night 02:30 does not exist.
	next := last.AddDate(0, 0, 1)
	d.asOf = time.Date(next.Year(), next.Month(), next.Day(), nightlyHour, nightlyMinute, 0, 0, opts.Zone)
	d.plan = Plan{From: d.days[0].Format(time.DateOnly), To: last.Format(time.DateOnly), AsOf: d.asOf}
	return d
}

func (d *dataset) chance(p float64) bool { return d.r.Float64() < p }

func (d *dataset) id(prefix string) string {
	d.nextID++
	return fmt.Sprintf("%s%08d", prefix, d.nextID)
}

// stateOf is the switch in force for a row; unknown merchants are off.
func (d *dataset) stateOf(m *merchant, rw row) recon.SwitchState {
	if m == nil {
		return recon.Off
	}
	return m.stateAt(rw.profile, rw.siteURL, rw.campaign, rw.processedAt)
}

// Check refuses options that generate nothing.
func (o Options) Check() error {
	if o.Rows < 1 || o.Days < 0 {
		return fmt.Errorf("generate: want at least one row and no negative days (got %d rows, %d days)", o.Rows, o.Days)
	}
	return nil
}
