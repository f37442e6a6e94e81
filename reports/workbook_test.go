package reports

import (
	"bytes"
	"context"
	"testing"
)

func TestWorkbookGolden(t *testing.T) {
	db := openDuck(t, "seed.sql")
	var buf bytes.Buffer
	opt := Options{Location: newYork(t)}
	if err := WriteWorkbook(context.Background(), &buf, db, loadTestDefs(t), opt, 7); err != nil {
		t.Fatal(err)
	}
	golden(t, "workbook.golden", dumpWorkbook(t, buf.Bytes()))
}
