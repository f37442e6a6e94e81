package reports

import (
	"bytes"
	"context"
	"testing"
)

func TestCSVGolden(t *testing.T) {
	db := openDuck(t, "seed.sql")
	for _, def := range loadTestDefs(t)[:2] {
		t.Run(def.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(context.Background(), &buf, db, def, Options{Location: newYork(t)}, 7); err != nil {
				t.Fatal(err)
			}
			golden(t, def.Name+".csv", buf.String())
		})
	}
}
