package ledger

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLineShifts(t *testing.T) {
	tests := []struct {
		name, body string
		want       []LineShift
	}{
		{"quoted line ends and a blank line", "a;b\r\n" + // record 0, line 1
			"1;\"two\r\nlines\"\r\n" + // record 1, lines 2-3
			"2;x\r\n" + // record 2, line 4: one line down
			"\r\n" + // blank, line 5
			"3;\"\"\"quoted\"\" \"\r\n" + // record 3, line 6: two down
			"4;y", // record 4, line 7, no line end
			[]LineShift{{Record: 2, Shift: 1}, {Record: 3, Shift: 2}}},
		{"quotes inside unquoted values", "a;b\n" +
			"1;5\" FRAME\n" + // text, not a quote: the record ends here
			"2;7\" FRAME\n" +
			"\n" + // blank, line 4
			"3;x\n", // record 3, line 5: one down
			[]LineShift{{Record: 3, Shift: 1}}},
		{"a doubled quote before a quoted line end", "a;b\n" +
			"1;\"5\"\" FRAME\nSECOND\"\n" + // the value goes on to line 3
			"2;\"\"\"\"\n" + // record 2, line 4: a quote alone, quoted
			"3;\"\"\n" + // an empty quoted value
			"4;x\n",
			[]LineShift{{Record: 2, Shift: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.csv")
			if err := os.WriteFile(path, []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := LineShifts(path, ';')
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("shifts (-want +got):\n%s", diff)
			}
			c := lineCounter{delim: ';', prev: '\n'} // a byte at a time: chunk edges anywhere
			for i := range len(tt.body) {
				c.scan([]byte(tt.body[i : i+1]))
			}
			if diff := cmp.Diff(got, c.shifts); diff != "" {
				t.Errorf("shifts read a byte at a time (-whole +bytes):\n%s", diff)
			}
		})
	}
}
