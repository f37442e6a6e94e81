package store_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/store"
)

// TestGroundTruthLarge classifies a generated data set of a million rows
// (FLEXRECON_LARGE_ROWS to change it) and compares every transaction's
// verdict with gen's ground truth. Pushing is left out: what a push would
// make of an untransmitted transaction (pushed, push_failed,
// transmitted_late, push_in_doubt) is compared as untransmitted.
// Slow: run with FLEXRECON_LARGE=1.
func TestGroundTruthLarge(t *testing.T) {
	if os.Getenv("FLEXRECON_LARGE") != "1" {
		t.Skip("set FLEXRECON_LARGE=1 to classify a million generated rows")
	}
	rows := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("FLEXRECON_LARGE_ROWS")); err == nil {
		rows = n
	}
	dir := t.TempDir()
	start := time.Now()
	plan, err := gen.Generate(gen.Options{Rows: rows, Seed: 42, LastDay: day, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generate %d rows: %s", rows, time.Since(start))
	db, w := loadGenerated(t, dir, plan)
	start = time.Now()
	if _, err := db.Classify(context.Background(), 1, w, plan.AsOf); err != nil {
		t.Fatal(err)
	}
	t.Logf("classify: %s", time.Since(start))
	compareGroundTruth(t, db, filepath.Join(dir, gen.ExpectedFile))
	n := counts(t, db)
	if n["orphan_order"] != int64(plan.Orphans) || n["quarantined"] != int64(plan.Quarantine) {
		t.Errorf("orphan orders %d, quarantined rows %d; gen planted %d and %d",
			n["orphan_order"], n["quarantined"], plan.Orphans, plan.Quarantine)
	}
}

// loadGenerated seeds the registry, ingests the inbox and loads the
// sandbox's orders, as the nightly chain would.
func loadGenerated(t *testing.T, dir string, plan gen.Plan) (*store.DB, store.Window) {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load(filepath.Join(dir, gen.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	db := MustOpenDB(t)
	if err := db.SeedRegistry(ctx, registryOf(cfg), plan.AsOf); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	files, _ := filepath.Glob(filepath.Join(dir, gen.InboxDir, "*.csv"))
	for _, f := range files {
		if _, err := loadFile(t, db, f); err != nil {
			t.Fatalf("ingest %s: %v", f, err)
		}
	}
	t.Logf("ingest %d files: %s", len(files), time.Since(start))
	start = time.Now()
	seed, err := flexcharge.LoadSeed(filepath.Join(dir, gen.SeedFile))
	if err != nil {
		t.Fatal(err)
	}
	ow, err := db.NewOrderWriter(ctx, plan.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range seed.Orders {
		if err := ow.Write(seedOrder(o)); err != nil {
			t.Fatal(err)
		}
	}
	if err := ow.Close(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("load %d orders: %s", len(seed.Orders), time.Since(start))
	from, _ := time.Parse(time.DateOnly, plan.From)
	to, _ := time.Parse(time.DateOnly, plan.To)
	loc := cfg.Location
	start0 := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	return db, store.Window{Start: start0, End: end, FirstDay: from, LastDay: to}
}

func seedOrder(s flexcharge.SeedOrder) store.Order {
	o := s.Order
	var expiry *time.Time
	if o.ExpiryDate != nil {
		e := o.ExpiryDate.UTC()
		expiry = &e
	}
	return store.Order{Environment: s.Environment, ID: o.ID, ExternalOrderID: o.ExternalOrderID, MID: o.MID,
		Amount: o.Amount, Currency: o.CurrencyCode, IsMIT: o.IsMIT, OrderSource: o.OrderSource, SiteID: o.SiteID,
		SiteURL: o.SiteURL, Descriptor: o.DynamicDescriptor, TransactionID: o.TransactionID, Status: o.Status,
		StatusName: o.StatusName, PlacedAt: o.OrderPlacedDate.UTC(), CreatedOn: o.CreatedOn.UTC(), ExpiryAt: expiry,
		IsTestMode: o.IsTestMode}
}

// registryOf maps the generated configuration's merchants as cmd/flexrecon does.
func registryOf(cfg *config.Config) []store.Merchant {
	var out []store.Merchant
	for _, m := range cfg.Merchants {
		sm := store.Merchant{ID: m.ID, Name: m.Name, MIDs: map[string]string{}}
		for env, cr := range m.Credentials {
			sm.MIDs[env] = cr.MID
		}
		for _, s := range m.Sites {
			sm.Sites = append(sm.Sites, store.Site{URL: s.URL, Descriptor: s.Descriptor,
				SiteIDSandbox: s.SiteID["sandbox"], SiteIDProd: s.SiteID["production"], Campaigns: s.Campaigns})
		}
		for _, s := range m.Switches {
			sw := store.Switch{Profile: string(s.Profile), Scope: "merchant", State: string(s.State),
				EffectiveAt: s.Effective.Time, Actor: s.Actor, Reason: s.Reason, Origin: "config"}
			if s.Site != "" {
				sw.Scope, sw.ScopeValue = "site", s.Site
			} else if s.Campaign != "" {
				sw.Scope, sw.ScopeValue = "campaign", s.Campaign
			}
			sm.Switches = append(sm.Switches, sw)
		}
		out = append(out, sm)
	}
	return out
}

// unpushed is what classification alone says of a transaction whose
// expected state comes from pushing it.
var unpushed = map[string]string{"pushed": "untransmitted", "push_failed": "untransmitted", "transmitted_late": "untransmitted"}

func compareGroundTruth(t *testing.T, db *store.DB, expectedPath string) {
	t.Helper()
	f, err := os.Open(expectedPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, r := range recs[1:] {
		state := r[3]
		if u, ok := unpushed[state]; ok {
			state = u
		}
		want[r[0]+"/"+r[1]+"/"+r[2]] = state + "|" + r[4] + "|" + withoutPushFindings(r[5])
	}
	vs, err := db.Verdicts(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, v := range vs {
		key := v.Merchant + "/" + v.TransactionID + "/" + strconv.Itoa(v.Occurrence)
		got := v.TransmitState + "|" + v.OutcomeState + "|" + v.Findings
		if want[key] != got && bad < 20 {
			t.Errorf("%s: got %s, want %s", key, got, want[key])
		}
		if want[key] != got {
			bad++
		}
		delete(want, key)
	}
	if bad > 0 || len(want) > 0 {
		t.Errorf("%d of %d verdicts differ from ground truth; %d expected transactions have no verdict", bad, len(vs), len(want))
	}
}

func withoutPushFindings(findings string) string {
	if findings == "push_in_doubt" {
		return ""
	}
	return findings
}
