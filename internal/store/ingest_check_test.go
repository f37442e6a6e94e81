package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"github.com/flexcharge/flexrecon/internal/ledger"
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
