package store_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

func TestCheckFileLoadsNothing(t *testing.T) {
	var m ledger.Mapping
	if _, err := toml.DecodeFile("../../testdata/ledger/foreign.toml", &m); err != nil {
		t.Fatal(err)
	}
	db := MustOpenDB(t)
	if _, err := loadFile(t, db, canonical); err != nil {
		t.Fatal(err)
	}
	const files = "SELECT * EXCLUDE (loaded_at) FROM ledger_files ORDER BY id"
	before, beforeFiles := stored(t, db), dump(t, db, files)
	foreign := "../../testdata/ledger/foreign_2026-11-23.csv"
	c, err := db.CheckFile(context.Background(), loadFileFor(t, foreign, m))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	t.Logf("check %s:\n%s", foreign, out.String())
	for _, want := range []string{"status", "← Result", "approved", "line 5", "5 read, 4 would load, 1 quarantined", "replacing file 1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check %s: output lacks %q:\n%s", foreign, want, out.String())
		}
	}
	if diff := cmp.Diff(before, stored(t, db)); diff != "" {
		t.Errorf("stored data changed by a check (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(beforeFiles, dump(t, db, files)); diff != "" {
		t.Errorf("ledger_files changed by a check (-before +after):\n%s", diff)
	}
}

func TestCheckFileRejected(t *testing.T) {
	db := MustOpenDB(t)
	path := writeFile(t, "card_2026-11-23.csv", "partner_merchant_id,order_id,transaction_id,processed_at,amount,currency,status,initiator,site_url\n"+
		"M001,O,T,2026-11-23T10:00:00Z,1.00,USD,approved,CIT,4111-1111-1111-1111\n")
	c, err := db.CheckFile(context.Background(), loadFileFor(t, path, ledger.Mapping{}))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c.Write(&out)
	if !strings.Contains(c.Rejected, "line 2 column site_url") || strings.Contains(out.String(), "1111-1111") {
		t.Errorf("check %s: got rejection %q, want line 2 column site_url and no card number; output:\n%s", path, c.Rejected, out.String())
	}
	if got := dump(t, db, "SELECT count(*) FROM ledger_files"); got[0][0] != "0" {
		t.Errorf("check %s recorded %s files, want 0", path, got[0][0])
	}
}

// checkText is the check of path as text.
func checkText(t *testing.T, db *store.DB, path string) (store.Check, string) {
	t.Helper()
	c, err := db.CheckFile(t.Context(), loadFileFor(t, path, ledger.Mapping{}))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	return c, out.String()
}

// TestCheckFileCorrectionPutsBack: after a day's file A and its correction
// B, the check of A says that a load would put it back, replacing B (not
// that it is loaded already), and whether a run would read it; the check of
// B, in force, says a load would do nothing.
func TestCheckFileCorrectionPutsBack(t *testing.T) {
	db := MustOpenDB(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "ledger_2026-11-24.csv"), filepath.Join(dir, "ledger_2026-11-24_more.csv")
	night := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
	bodyA := dayExport("TX-1", "TX-2", "TX-3", "TX-4", "TX-5")
	writeAt(t, a, bodyA, night)
	writeAt(t, b, dayExport("TX-1", "TX-2", "TX-3", "TX-9"), night) // a correction restates the day
	first := loadInRun(t, db, a, 1)
	second := loadInRun(t, db, b, 2)

	for _, tt := range []struct {
		name     string
		modified time.Time
		want     []string
		absent   []string
	}{
		{"A unchanged since read", night, []string{
			"a run passes it over unread", "same name, size and modification time",
			"replacing file 2 (ledger_2026-11-24_more.csv, 4 rows) of the same source and date: 5 rows where there were 4",
			"(file 1 had the same content, and is out of force)",
		}, []string{"already loaded"}},
		{"A sent again", night.Add(time.Hour), []string{
			"verdict                 would load, replacing file 2 (ledger_2026-11-24_more.csv, 4 rows) of the same source and date: 5 rows where there were 4",
			"(file 1 had the same content, and is out of force)",
		}, []string{"already loaded", "passes it over"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			writeAt(t, a, bodyA, tt.modified)
			c, out := checkText(t, db, a)
			t.Logf("check %s:\n%s", a, out)
			if c.Loaded != 0 || c.Replaces != second.FileID || c.Restores != first.FileID {
				t.Errorf("check %s: got loaded %d, replaces %d, restores %d; want 0, %d, %d", a, c.Loaded, c.Replaces, c.Restores, second.FileID, first.FileID)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("check %s: output lacks %q:\n%s", a, w, out)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(out, w) {
					t.Errorf("check %s: output has %q:\n%s", a, w, out)
				}
			}
		})
	}
	c, out := checkText(t, db, b)
	if want := "its content is loaded already, as file 2 (in force, or put out of force by another source's correction or by a file ops forced with ingest --replace): a load would do nothing"; c.Loaded != second.FileID || !strings.Contains(out, want) {
		t.Errorf("check %s, in force: got loaded %d, output:\n%s\nwant file %d, %q", b, c.Loaded, out, second.FileID, want)
	}
}

// TestCheckOfContentInForceIsNoRejection: a file whose content is in force
// is left as it is by a load, whatever the mapping now makes of it: the
// check says so and refuses nothing.
func TestCheckOfContentInForceIsNoRejection(t *testing.T) {
	c := store.Check{Loaded: 3, Rejected: "header lacks required columns"}
	var out strings.Builder
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	if c.Refused() || !strings.Contains(out.String(), "loaded already, as file 3") || !strings.Contains(out.String(), "as mapped now, it would be rejected whole") ||
		strings.Contains(out.String(), "nothing would be loaded") || strings.Contains(out.String(), "business date") {
		t.Errorf("refused %v, printed\n%s\nwant the file in force, and no rejection", c.Refused(), out.String())
	}
}

// TestCheckOutOfMemoryIsNoRejection: a check that runs out of memory fails,
// as a load does, rather than say the file would be rejected (with DuckDB's
// message as the reason, and the exit status of a bad file).
func TestCheckOutOfMemoryIsNoRejection(t *testing.T) {
	path := manyRows(t, 200_000)
	db := MustOpenDB(t)
	if err := db.SetMemoryLimit(t.Context(), "16MB"); err != nil {
		t.Fatal(err)
	}
	if c, err := db.CheckFile(t.Context(), loadFileFor(t, path, ledger.Mapping{})); err == nil || c.Rejected != "" {
		t.Errorf("check under 16MB: rejected %q, %v; want it failed, not rejected", c.Rejected, err)
	}
}

// TestCheckQuotesAColumnWithControlCharacters: a JSON key holding a tab
// and a line end, named twice in a record, is printed quoted in the
// quarantine line and among the unmapped columns, so that each line keeps
// its columns.
func TestCheckQuotesAColumnWithControlCharacters(t *testing.T) {
	db := MustOpenDB(t)
	path := writeFile(t, "tabbed_2026-11-23.jsonl", `{"partner_merchant_id":"M001","order_id":"O","transaction_id":"T","processed_at":"2026-11-23T10:00:00Z","amount":"1.00","currency":"USD","status":"approved","initiator":"CIT","site_url":"https://a.example","no\tte\nx":"a","no\tte\nx":"b"}`+"\n")
	_, out := checkText(t, db, path)
	var line string
	for l := range strings.Lines(out) {
		if strings.HasPrefix(l, "  line 1") {
			line = l
		}
	}
	if !strings.Contains(line, ` "no\tte\nx"  `) || !strings.Contains(out, ` "no\tte\nx" (card-checked`) || strings.Contains(out, "\t") {
		t.Errorf("check of a record with key %q named twice: quarantine line %q, want the key quoted; output:\n%s", "no\tte\nx", line, out)
	}
}
