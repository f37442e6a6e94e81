package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

// inbox is a folder of exports that discovery lists as a nightly run does.
type inbox struct {
	t   *testing.T
	db  *store.DB
	dir string
}

// only is the inbox's one file, as discovery finds it (not yet hashed).
func (in inbox) only() ledger.File {
	in.t.Helper()
	files, err := ledger.Discover("test", in.dir, "*.csv")
	if err != nil || len(files) != 1 {
		in.t.Fatalf("discover %s: got %d files, %v; want one", in.dir, len(files), err)
	}
	return files[0]
}

func (in inbox) unchanged() bool {
	in.t.Helper()
	ok, err := in.db.FileUnchanged(in.t.Context(), in.only())
	if err != nil {
		in.t.Fatal(err)
	}
	return ok
}

// load loads the inbox's file as discovery found it (IngestFile hashes it),
// as a run does with a file that is not unchanged.
func (in inbox) load() (store.LoadOutcome, error) {
	in.t.Helper()
	lf, err := store.NewLoadFile(in.only(), "", ledger.Mapping{}, time.UTC)
	if err != nil {
		in.t.Fatal(err)
	}
	return in.db.IngestFile(in.t.Context(), lf)
}

func (in inbox) write(body string, modified time.Time) {
	in.t.Helper()
	path := filepath.Join(in.dir, "ledger_2026-11-23.csv")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		in.t.Fatal(err)
	}
	if err := os.Chtimes(path, modified, modified); err != nil {
		in.t.Fatal(err)
	}
}

// TestIngestPassesOverUnchangedFiles: a file found again with the size and
// modification time it was read with is not read again, even when its bytes
// changed behind that (the proof that it was not read); a file touched since,
// one read as it was being written and a rejected one are read again.
func TestIngestPassesOverUnchangedFiles(t *testing.T) {
	in := inbox{t: t, db: MustOpenDB(t), dir: t.TempDir()}
	body, err := os.ReadFile(canonical)
	if err != nil {
		t.Fatal(err)
	}
	night := time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)
	in.write(string(body), night)
	if in.unchanged() {
		t.Fatal("a file never read: got unchanged")
	}
	first, err := in.load()
	if err != nil || first.Outcome != "loaded" {
		t.Fatalf("first load: got %+v, %v", first, err)
	}
	if !in.unchanged() {
		t.Error("the loaded file found again: got changed, want unchanged")
	}

	// Same size and time, other bytes: still passed over.
	same := strings.Replace(string(body), "12.345", "12.346", 1)
	in.write(same, night)
	if !in.unchanged() {
		t.Error("bytes changed behind the same size and time: got changed, want unchanged (not read)")
	}

	// Touched: read again; its content is new, so it corrects the first.
	in.write(same, night.Add(time.Hour))
	if in.unchanged() {
		t.Error("a touched file: got unchanged, want read again")
	}
	second, err := in.load()
	if err != nil || earlierOf(second) != first.FileID {
		t.Fatalf("the touched, edited file: got %+v, %v; want it to replace file %d", second, err, first.FileID)
	}

	// Touched again with the same content: read, a duplicate, then passed over.
	in.write(same, night.Add(2*time.Hour))
	if in.unchanged() {
		t.Error("a touched copy: got unchanged, want read again")
	}
	if again, err := in.load(); err != nil || again.Outcome != "duplicate" {
		t.Fatalf("the touched copy: got %+v, %v; want a duplicate", again, err)
	}
	if !in.unchanged() {
		t.Error("a copy found again: got changed, want unchanged")
	}

	// Modified as it was read (its time within 2 s of the reading): the same
	// time could still hide a later write, so it is read again next time.
	in.write(same, time.Now())
	if again, err := in.load(); err != nil || again.Outcome != "duplicate" {
		t.Fatalf("a copy just written: got %+v, %v; want a duplicate", again, err)
	}
	if in.unchanged() {
		t.Error("a file read as it was written: got unchanged, want read again")
	}

	// Rejected: read again every time, in case its mapping was fixed.
	in.write("partner_merchant_id,transaction_id\nM001,TX-1\n", night.Add(3*time.Hour))
	if _, err := in.load(); !errors.Is(err, store.ErrRejected) {
		t.Fatalf("a file without required columns: got %v, want rejected", err)
	}
	if in.unchanged() {
		t.Error("a rejected file found again: got unchanged, want read again")
	}
}
