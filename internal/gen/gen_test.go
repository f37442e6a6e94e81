package gen

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/flexcharge/flexrecon/internal/recon"
)

func generate(t *testing.T, seed uint64) string {
	t.Helper()
	dir := t.TempDir()
	_, err := Generate(Options{Rows: 2000, Seed: seed, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Days: 2, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSameSeedSameFiles: tests, demos and benchmarks rely on gen being deterministic.
func TestSameSeedSameFiles(t *testing.T) {
	a, b, c := generate(t, 5), generate(t, 5), generate(t, 6)
	for _, name := range []string{ExpectedFile, SeedFile, ConfigFile, filepath.Join(InboxDir, "ledger_2026-11-23.csv")} {
		if !bytes.Equal(read(t, a, name), read(t, b, name)) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
		if name == ExpectedFile && bytes.Equal(read(t, a, name), read(t, c, name)) {
			t.Errorf("%s is the same for different seeds", name)
		}
	}
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSwitchInForce checks the generator's own judge, which the ground truth rests on.
func TestSwitchInForce(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	m := merchant{switches: []switchSet{
		{profile: recon.MIT, state: recon.Off, effective: day.AddDate(0, -1, 0)},
		{profile: recon.MIT, state: recon.OnProduction, effective: day.Add(12 * time.Hour)},
		{profile: recon.MIT, state: recon.Off, effective: day.AddDate(0, -1, 0), campaign: "winter"},
		{profile: recon.CITWeb, state: recon.OnSandbox, effective: day.AddDate(0, -1, 0)},
		{profile: recon.CITWeb, state: recon.Off, effective: day.AddDate(0, -1, 0), site: "https://b.example"},
	}}
	cases := []struct {
		p         recon.Profile
		site, cmp string
		at        time.Time
		want      recon.SwitchState
	}{
		{recon.MIT, "https://a.example", "", day.Add(9 * time.Hour), recon.Off},
		{recon.MIT, "https://a.example", "", day.Add(15 * time.Hour), recon.OnProduction},
		{recon.MIT, "https://a.example", "winter", day.Add(15 * time.Hour), recon.Off},
		{recon.CITWeb, "https://a.example", "", day, recon.OnSandbox},
		{recon.CITWeb, "https://b.example", "", day, recon.Off},
		{recon.CITCallCenter, "https://a.example", "", day, recon.Off},
	}
	for _, c := range cases {
		if got := m.stateAt(c.p, c.site, c.cmp, c.at); got != c.want {
			t.Errorf("stateAt(%s, %s, %q, %s) = %s, want %s", c.p, c.site, c.cmp, c.at.Format(time.TimeOnly), got, c.want)
		}
	}
}

func TestDemoUsersSignInWithTheirNames(t *testing.T) {
	for _, u := range DemoUsers {
		if err := bcrypt.CompareHashAndPassword([]byte(demoHashes[u]), []byte(u)); err != nil {
			t.Errorf("demo user %s: %v", u, err)
		}
	}
}

// TestPlanAsOfIsTheNightlyTime: the plan's clock is the generated
// configuration's nightly time (02:30 local) on the day after the last day,
// also when that day is 23 or 25 hours long (the fall-back case fails on
// midnight plus 150 minutes).
func TestPlanAsOfIsTheNightlyTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, last := range []string{"2026-11-22", "2026-03-07", "2026-10-31"} {
		d, _ := time.Parse(time.DateOnly, last)
		plan, err := Generate(Options{Rows: 1, Seed: 1, LastDay: d, Out: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		next := d.AddDate(0, 0, 1)
		if want := time.Date(next.Year(), next.Month(), next.Day(), 2, 30, 0, 0, ny); !plan.AsOf.Equal(want) {
			t.Errorf("last day %s: plan.AsOf %s, want %s", last, plan.AsOf.In(ny).Format(time.RFC3339), want.Format(time.RFC3339))
		}
	}
}

// TestPlanDefaultsToYesterdayInTheZone: without a last day, the data is of
// yesterday in the partner's zone, not in the host's (the demo's day).
func TestPlanDefaultsToYesterdayInTheZone(t *testing.T) {
	for _, name := range []string{"Pacific/Kiritimati", "Pacific/Pago_Pago"} { // UTC+14 and UTC-11
		zone, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Now().In(zone).AddDate(0, 0, -1).Format(time.DateOnly)
		plan, err := Generate(Options{Rows: 1, Seed: 1, Zone: zone, Out: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if plan.To != want {
			t.Errorf("zone %s: last day %s, want %s", name, plan.To, want)
		}
	}
}

// TestRefundsAndVoidsAreNotExpected: a refund or void is no payment attempt,
// so the truth expects no copy of it at /transmit, whatever the switch.
func TestRefundsAndVoidsAreNotExpected(t *testing.T) {
	dir := generate(t, 5)
	transmit := map[string]string{}
	for _, rec := range readCSV(t, dir, ExpectedFile) {
		transmit[rec[1]] = rec[3]
	}
	seen := map[string]int{}
	for _, rec := range readCSV(t, dir, filepath.Join(InboxDir, "ledger_2026-11-23.csv"))[1:] {
		status, tx, key := rec[7], rec[3], rec[19]
		if status != "refunded" && status != "voided" {
			continue
		}
		seen[status]++
		if transmit[tx] != string(recon.NotExpected) || key != "" {
			t.Errorf("%s row %s: expected transmit %q with key %q, want not_expected without a key", status, tx, transmit[tx], key)
		}
	}
	if seen["refunded"] == 0 || seen["voided"] == 0 {
		t.Errorf("want refunds and voids in the data set, got %v", seen)
	}
}

func readCSV(t *testing.T, dir, name string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(read(t, dir, name))).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return recs
}

// TestTestTrafficIsPlanted: about 0.5 % of approvals are marked
// environment=sandbox, and the truth follows the product's rule: under a
// production switch one is not_expected (unless it carries a key) and an
// environment_mismatch; otherwise its verdict is any approval's, with no
// mismatch (gen plants no other on approvals).
func TestTestTrafficIsPlanted(t *testing.T) {
	dir := t.TempDir()
	last := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	if _, err := Generate(Options{Rows: 20000, Seed: 5, LastDay: last, Days: 2, Out: dir}); err != nil {
		t.Fatal(err)
	}
	expected := map[string][]string{}
	for _, rec := range readCSV(t, dir, ExpectedFile) {
		expected[rec[1]] = rec
	}
	var rows, marked, mismatched int
	for _, day := range []string{"2026-11-22", "2026-11-23"} {
		for _, rec := range readCSV(t, dir, filepath.Join(InboxDir, "ledger_"+day+".csv"))[1:] {
			rows++
			status, tx, env, key := rec[7], rec[3], rec[16], rec[19]
			if env == "" {
				continue
			}
			marked++
			e := expected[tx]
			mismatch := strings.Contains(e[5], string(recon.EnvironmentMismatch))
			if env != "sandbox" || status != "approved" || mismatch && key == "" && e[3] != string(recon.NotExpected) {
				t.Errorf("row %s (%s, environment %q, key %q): expected %v; want an approval marked sandbox, not_expected where mismatched without a key", tx, status, env, key, e)
			}
			if mismatch {
				mismatched++
			}
		}
	}
	if marked < rows/1000 || marked > rows/100 || mismatched == 0 {
		t.Errorf("%d of %d rows marked sandbox, %d of them mismatched; want 0.1-1 %% of rows, some under a production switch", marked, rows, mismatched)
	}
}
