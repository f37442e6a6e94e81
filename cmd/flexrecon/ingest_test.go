package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/ledger"
)

// TestIngestCheck runs "ingest --check" on a canonical file, a file with a
// card number, a file of no format its name tells (rejected whole, as a run
// rejects it) and a generated source's export: it prints the mapping and
// the verdict, never the card number, and loads nothing anywhere.
func TestIngestCheck(t *testing.T) {
	dir := t.TempDir()
	card := filepath.Join(dir, "card_2026-11-23.csv")
	body := "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url,descriptor\n" +
		"M1,O1,T1,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,https://a.example,\n" +
		"M1,O2,T2,2026-11-23T11:00:00Z,1.00,USD,approved,CIT,,4111 1111 1111 1111\n"
	if err := os.WriteFile(card, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	sheet := filepath.Join(dir, "ledger_2026-11-23.xlsx")
	if err := os.WriteFile(sheet, []byte("PK"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, 50)
	exports, _ := filepath.Glob(filepath.Join(f.dir, gen.InboxDir, "*.csv"))
	if len(exports) == 0 {
		t.Fatalf("no generated export under %s", filepath.Join(f.dir, gen.InboxDir))
	}
	config := filepath.Join(f.dir, gen.ConfigFile)
	for _, c := range []struct {
		name         string
		args         []string
		want, absent []string
		rejected     bool // the check fails, so that a script can tell
	}{
		{"canonical", []string{"--check", "../../testdata/ledger/canonical_2026-11-23.csv"},
			[]string{"processed_at          ← processed_at", "5 read, 4 would load, 1 quarantined", `line 5`, `"12.345" is not an amount`, "verdict                 would load"}, nil, false},
		{"card number", []string{"--check", card},
			[]string{"rejected whole", "line 3 column descriptor", "not PCI-safe"}, []string{"4111", "records"}, true},
		{"no format its name tells", []string{"--check", sheet},
			[]string{"(format unknown, 2 bytes", `rejected whole, nothing would be loaded: cannot tell the format of "ledger_2026-11-23.xlsx"`}, nil, true},
		{"configured source", []string{"--check", exports[0], "--config", config, "--source", "gateway"},
			[]string{"verdict                 would load"}, []string{"rejected"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			m := &Main{Stdout: &out, Stderr: &errOut}
			err := m.Run(context.Background(), append([]string{"ingest"}, c.args...))
			if c.rejected != errors.Is(err, errCheckRejected) || (!c.rejected && err != nil) {
				t.Fatalf("ingest %v: %v (want it to fail: %v)\n%s", c.args, err, c.rejected, errOut.String())
			}
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("ingest %v printed\n%s\nwant it to contain %q", c.args, out.String(), w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(out.String(), a) {
					t.Errorf("ingest %v printed\n%s\nwant no %q", c.args, out.String(), a)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(f.dir, "var")); !os.IsNotExist(err) {
		t.Errorf("ingest --check created the database folder %s/var: %v", f.dir, err)
	}
}

func TestIngestNeedsCheck(t *testing.T) {
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &out}
	err := m.Run(context.Background(), []string{"ingest", "--source", "gateway"})
	if err == nil || !strings.Contains(err.Error(), "--check") {
		t.Fatalf("ingest without --check: %v, want an error naming --check", err)
	}
}

// TestIngestCheckComparesWithLoadedFiles: with a configuration, the check
// reads the configured database: before the first run it says it could not
// compare; after a run loaded the export, it says loading it again would do
// nothing. A run that loads a correction of the export names both files in
// its summary; the check of the export then says a run passes it over, and
// what sending it again would do.
func TestIngestCheckComparesWithLoadedFiles(t *testing.T) {
	f := newFixture(t, 50)
	config := filepath.Join(f.dir, gen.ConfigFile)
	exports, _ := filepath.Glob(filepath.Join(f.dir, gen.InboxDir, "*.csv"))
	sent := time.Now().Add(-time.Hour) // a night's export, settled when read
	for _, e := range exports {
		if err := os.Chtimes(e, sent, sent); err != nil {
			t.Fatal(err)
		}
	}
	check := func() string {
		var out bytes.Buffer
		if err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), []string{"ingest", "--check", exports[0], "--config", config}); err != nil {
			t.Fatalf("ingest --check: %v\n%s", err, out.String())
		}
		return out.String()
	}
	if out := check(); !strings.Contains(out, "not compared with the files loaded before: the database") {
		t.Errorf("check before any run printed\n%s\nwant it to say it could not compare", out)
	}
	reconcile := func() string {
		var out bytes.Buffer
		if err := (&Main{Stdout: &out, Stderr: &out}).Run(context.Background(), []string{"reconcile", "--config", config, "--from", f.plan.From, "--to", f.plan.To}); err != nil {
			t.Fatalf("reconcile: %v\n%s", err, out.String())
		}
		return out.String()
	}
	reconcile()
	if out := check(); !strings.Contains(out, "its content is loaded already, as file") {
		t.Errorf("check after the run printed\n%s\nwant it to say the file is loaded already", out)
	}

	body, err := os.ReadFile(exports[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(body), "\n")
	name := filepath.Base(exports[0])
	correction := strings.TrimSuffix(name, ".csv") + "_v2.csv"
	if err := os.WriteFile(filepath.Join(f.dir, gen.InboxDir, correction), []byte(lines[0]+lines[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	day := ledger.DateFromName(name).Format(time.DateOnly)
	// 1 row for the day's export: refused as cut-off, until ops force it.
	if out, want := reconcile(), "rejected: "+correction+": file rejected: "+correction+" (1 row) would replace the file in force for "+day+", "+name; !strings.Contains(out, want) ||
		!strings.Contains(out, "flexrecon ingest --replace "+correction+" --config F --source gateway") {
		t.Errorf("reconcile with a cut-off correction printed\n%s\nwant it to say %q and how to force it", out, want)
	}
	var forced bytes.Buffer
	if err := (&Main{Stdout: &forced, Stderr: &forced}).Run(context.Background(), []string{"ingest", "--replace", filepath.Join(f.dir, gen.InboxDir, correction), "--config", config}); err != nil {
		t.Fatalf("ingest --replace: %v\n%s", err, forced.String())
	}
	if want := "loaded " + correction + ": " + correction + " replaces " + name + " for " + day + ": 1 row where there were "; !strings.Contains(forced.String(), want) {
		t.Errorf("ingest --replace printed\n%s\nwant it to say %q", forced.String(), want)
	}
	if out := reconcile(); strings.Contains(out, "rejected: "+correction) {
		t.Errorf("reconcile after ingest --replace printed\n%s\nwant the forced file passed over", out)
	}
	// The export the forced file overruled does not come back by itself.
	if out, want := check(), "its content is loaded already, as file 1 (in force, or put out of force by another source's correction or by a file ops forced with ingest --replace): a load would do nothing"; !strings.Contains(out, want) {
		t.Errorf("check of the replaced export printed\n%s\nwant it to say %q", out, want)
	}
}

// TestReconcileSummaryNamesRejectedFiles: a file refused whole is named in
// the run's summary with why, never with the card number that refused it;
// the counts follow, transmit states first and findings last.
func TestReconcileSummaryNamesRejectedFiles(t *testing.T) {
	f := newFixture(t, 50)
	exports, _ := filepath.Glob(filepath.Join(f.dir, gen.InboxDir, "*.csv"))
	body, err := os.ReadFile(exports[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(body), "\n")
	merchant, _, _ := strings.Cut(lines[1], ",")
	carded := strings.TrimSuffix(filepath.Base(exports[0]), ".csv") + "_card.csv"
	if err := os.WriteFile(filepath.Join(f.dir, gen.InboxDir, carded), []byte(lines[0]+strings.Replace(lines[1], merchant, "4111111111111111", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = (&Main{Stdout: &out, Stderr: io.Discard}).Run(context.Background(), []string{"reconcile", "--config", filepath.Join(f.dir, gen.ConfigFile), "--from", f.plan.From, "--to", f.plan.To})
	if err != nil {
		t.Fatalf("reconcile: %v\n%s", err, out.String())
	}
	if want := "rejected: " + carded + ": "; !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "not PCI-safe") || strings.Contains(out.String(), "4111") {
		t.Errorf("reconcile printed\n%s\nwant it to say %q and why, without the card number", out.String(), want)
	}
	transmit, outcomes, findings := strings.Index(out.String(), countHeadings["transmit"]), strings.Index(out.String(), countHeadings["outcome"]), strings.Index(out.String(), countHeadings["finding"])
	if transmit < 0 || outcomes < transmit || findings < outcomes {
		t.Errorf("reconcile printed\n%s\nwant transmit states, outcomes and findings under their headings, in that order", out.String())
	}
}

// TestIngestCheckTransmitLog: "ingest --check" of a file from a source
// that holds transmit logs checks it as a run would load it, with the
// source's delimiter and rows_end_in_delimiter: it prints the columns read
// and the rows a load would store, or fails naming the line and reason a
// load would reject the log for; it loads nothing anywhere.
func TestIngestCheckTransmitLog(t *testing.T) {
	f := newFixture(t, 50)
	config := filepath.Join(f.dir, gen.ConfigFile)
	source := "\n[[sources]]\nname = \"keys\"\nkind = \"inbox\"\ncontent = \"transmit_log\"\npath = \"var/keys\"\n" +
		"[sources.mapping]\ndelimiter = \";\"\nrows_end_in_delimiter = true\n"
	cfg, err := os.OpenFile(config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.WriteString(source); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Close(); err != nil {
		t.Fatal(err)
	}
	const header = "partner_merchant_id;Transaction_ID;transmit_key;transmitted_at;note\n"
	const first = "M1;T1;LK-1;2026-11-23T10:30:00Z;;\n"
	for _, c := range []struct {
		name, body   string
		want, absent []string
		rejected     bool
	}{
		{"a log that would load", header + first + "M1;T2;LK-2;2026-11-23T10:31:00Z;late;\n",
			[]string{"transaction_id ← Transaction_ID", "rows end in a delimiter the header lacks", "unmapped note", "2 read, 2 would load", "verdict would load"},
			[]string{"rejected"}, false},
		{"a row without a key", header + first + "M1;T2;;2026-11-23T10:31:00Z;late;\n",
			[]string{"rejected whole, nothing would be loaded: line 3 column transmit_key: required value missing"}, []string{"records"}, true},
		{"a card number", header + first + "M1;T2;LK-2;2026-11-23T10:31:00Z;4111 1111 1111 1111;\n",
			[]string{"rejected whole", "line 3 column note: a value looks like a full card number"}, []string{"4111"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys.txt") // read as CSV whatever its name, as a run reads it
			if err := os.WriteFile(path, []byte(c.body), 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			args := []string{"ingest", "--check", path, "--config", config, "--source", "keys"}
			err := (&Main{Stdout: &out, Stderr: &errOut}).Run(context.Background(), args)
			if c.rejected != errors.Is(err, errCheckRejected) || (!c.rejected && err != nil) {
				t.Fatalf("ingest %v: %v (want it to fail: %v)\n%s%s", args, err, c.rejected, out.String(), errOut.String())
			}
			printed := strings.Join(strings.Fields(out.String()), " ")
			for _, w := range c.want {
				if !strings.Contains(printed, w) {
					t.Errorf("ingest %v printed\n%s\nwant it to contain %q", args, out.String(), w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(printed, a) {
					t.Errorf("ingest %v printed\n%s\nwant no %q", args, out.String(), a)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(f.dir, "var")); !os.IsNotExist(err) {
		t.Errorf("ingest --check created the database folder %s/var: %v", f.dir, err)
	}
}

// TestSummaryOutcomesAreTheWorkbooks: a run's outcome counts hold a
// repeated decline's once, as the workbook's sheets do (run-state-counts),
// so the summary's heading says so; it said they were ledger rows, apart
// from the workbook's, which sent a reader looking for a difference.
func TestSummaryOutcomesAreTheWorkbooks(t *testing.T) {
	if h := countHeadings["outcome"]; strings.Contains(h, "ledger rows") || !strings.Contains(h, "once, as the workbook") {
		t.Errorf("outcome heading %q; want it to count a repeated row's once, as the workbook", h)
	}
}
