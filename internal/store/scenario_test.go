package store_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
)

// The scenario day: every scenario judges 2026-11-23 in UTC.
var (
	day      = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	window   = store.Window{Start: day, End: day.AddDate(0, 0, 1), FirstDay: day, LastDay: day}
	asOf     = day.Add(26*time.Hour + 30*time.Minute)
	longAgo  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	siteURL  = "https://one.example"
	siteDesc = "ONE*SHOP"
)

// at is a time on the scenario day.
func at(hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(err)
	}
	return day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

// tx is one ledger row of a scenario; row fills the defaults.
type tx struct {
	merchant, order, id, at, amount, currency, status string
	initiator, channel, site, descriptor, campaign    string
	env, key                                          string
}

func row(id string, mods ...func(*tx)) tx {
	t := tx{merchant: "M1", order: "O-" + id, id: id, at: "10:00", amount: "10.00", currency: "USD",
		status: "declined", initiator: "CIT", channel: "web", site: siteURL, descriptor: siteDesc, env: "production"}
	for _, m := range mods {
		m(&t)
	}
	return t
}

func approved(t *tx)            { t.status = "approved" }
func status(s string) func(*tx) { return func(t *tx) { t.status = s } }
func mit(t *tx)                 { t.initiator = "MIT" }
func callcenter(t *tx)          { t.channel = "callcenter" }
func keyed(t *tx)               { t.key = "K-" + t.id }
func sandboxRow(t *tx)          { t.env = "sandbox" }

// registryM1 is the scenario merchant: one site with a campaign, cit_web
// and mit in production since January, cit_callcenter never switched on.
func registryM1(extra ...store.Switch) []store.Merchant {
	sw := []store.Switch{
		{Profile: "cit_web", Scope: "merchant", State: "production", EffectiveAt: longAgo, Actor: "ops", Reason: "go live", Origin: "config"},
		{Profile: "mit", Scope: "merchant", State: "production", EffectiveAt: longAgo, Actor: "ops", Reason: "go live", Origin: "config"},
	}
	return []store.Merchant{{
		ID: "M1", Name: "Shop One", MIDs: map[string]string{"production": "P1", "sandbox": "S1"},
		Sites:    []store.Site{{URL: siteURL, Descriptor: siteDesc, SiteIDSandbox: "sid-s", SiteIDProd: "sid-p", Campaigns: []string{"C9"}}},
		Switches: append(sw, extra...),
	}}
}

// order is a FlexCharge order for a scenario row, matching it in every field.
func order(t tx, id string, status int, mods ...func(*store.Order)) store.Order {
	o := store.Order{Environment: "production", ID: id, ExternalOrderID: t.order, MID: "P1", Amount: new(int64(1000)),
		Currency: "USD", IsMIT: new(t.initiator == "MIT"), OrderSource: t.channel, SiteID: "sid-p", SiteURL: siteURL,
		Descriptor: siteDesc, TransactionID: t.id, Status: status, PlacedAt: mustAt(t.at), CreatedOn: mustAt(t.at).Add(time.Minute)}
	for _, m := range mods {
		m(&o)
	}
	return o
}

func mustAt(hhmm string) time.Time { return at(hhmm) }

// scenario is the inputs of one classification.
type scenario struct {
	registry []store.Merchant
	rows     []tx
	extra    []string // raw CSV lines appended as they are (bad rows)
	orders   []store.Order
	pushes   []store.PushRecord
	unjudged bool // load only: the test records and classifies its own runs
}

// classify loads a scenario into a fresh database and classifies it as run 1.
func classify(t *testing.T, s scenario) *store.DB {
	t.Helper()
	ctx := context.Background()
	db := MustOpenDB(t)
	if s.registry == nil {
		s.registry = registryM1()
	}
	if err := db.SeedRegistry(ctx, s.registry, longAgo); err != nil {
		t.Fatal(err)
	}
	if _, err := loadFile(t, db, writeLedger(t, s.rows, s.extra)); err != nil {
		t.Fatalf("load scenario ledger: %v", err)
	}
	pullOrders(t, db, asOf, s.orders...)
	if len(s.pushes) > 0 {
		if err := db.RecordPushes(ctx, nil, s.pushes); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordPushes(ctx, s.pushes, nil); err != nil {
			t.Fatal(err)
		}
	}
	if s.unjudged {
		return db
	}
	if _, err := db.Classify(ctx, 1, window, asOf); err != nil {
		t.Fatal(err)
	}
	return db
}

var ledgerHeader = []string{"partner_merchant_id", "order_id", "transaction_id", "processed_at", "amount", "currency",
	"status", "initiator", "channel", "site_url", "descriptor", "campaign_id", "environment", "fc_transmit_key"}

func writeLedger(t *testing.T, rows []tx, extra []string) string {
	t.Helper()
	return writeLedgerNamed(t, "ledger_2026-11-23.csv", rows, extra...)
}

// writeLedgerNamed writes a scenario ledger file of that name.
func writeLedgerNamed(t *testing.T, name string, rows []tx, extra ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := csv.NewWriter(f)
	w.Write(ledgerHeader)
	for _, r := range rows {
		w.Write([]string{r.merchant, r.order, r.id, at(r.at).Format(time.RFC3339), r.amount, r.currency,
			r.status, r.initiator, r.channel, r.site, r.descriptor, r.campaign, r.env, r.key})
	}
	for _, e := range extra {
		w.Write(splitCSV(e))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return path
}

func splitCSV(line string) []string {
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	if err != nil {
		panic(err)
	}
	return rec
}

// verdicts maps transaction id (and occurrence above 1) to its verdict.
func verdicts(t *testing.T, db *store.DB) map[string]store.Verdict {
	t.Helper()
	vs, err := db.Verdicts(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Verdict{}
	for _, v := range vs {
		key := v.TransactionID
		if v.Occurrence > 1 {
			key += "#2"
		}
		out[key] = v
	}
	return out
}

// counts maps each state and finding of run 1 to how often it occurs.
func counts(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	cs, err := db.StateCounts(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, c := range cs {
		out[c.State] = c.N
	}
	return out
}
