package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/ledger"
	"github.com/flexcharge/flexrecon/internal/store"
)

func loadFile(t *testing.T, db *store.DB, path string) (store.LoadOutcome, error) {
	t.Helper()
	f, err := ledger.Describe("test", path)
	if err != nil {
		t.Fatal(err)
	}
	header, err := ledger.ReadHeader(path, ',')
	if err != nil {
		t.Fatal(err)
	}
	fields, err := ledger.MapHeader(header)
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	return db.IngestFile(context.Background(), store.LoadFile{File: f, Fields: fields, Header: header, Delim: ',', Zone: ny})
}

func TestIngestCanonical(t *testing.T) {
	db := MustOpenDB(t)
	out, err := loadFile(t, db, "../../testdata/ledger/canonical_2026-11-23.csv")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", out)
}
