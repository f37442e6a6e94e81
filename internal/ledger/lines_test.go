package ledger

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLineShifts(t *testing.T) {
	tests := []struct {
		name, body string
		format     Format
		delim      rune
		want       []LineShift
	}{
		{"quoted line ends and a blank line", "a;b\r\n" + // record 0, line 1
			"1;\"two\r\nlines\"\r\n" + // record 1, lines 2-3
			"2;x\r\n" + // record 2, line 4: one line down
			"\r\n" + // blank, line 5
			"3;\"\"\"quoted\"\" \"\r\n" + // record 3, line 6: two down
			"4;y", // record 4, line 7, no line end
			CSV, ';', []LineShift{{Record: 2, Shift: 1}, {Record: 3, Shift: 2, Blank: 1}}},
		{"quotes inside unquoted values", "a;b\n" +
			"1;5\" FRAME\n" + // text, not a quote: the record ends here
			"2;7\" FRAME\n" +
			"\n" + // blank, line 4
			"3;x\n", // record 3, line 5: one down
			CSV, ';', []LineShift{{Record: 3, Shift: 1, Blank: 1}}},
		{"a doubled quote before a quoted line end", "a;b\n" +
			"1;\"5\"\" FRAME\nSECOND\"\n" + // the value goes on to line 3
			"2;\"\"\"\"\n" + // record 2, line 4: a quote alone, quoted
			"3;\"\"\n" + // an empty quoted value
			"4;x\n",
			CSV, ';', []LineShift{{Record: 2, Shift: 1}}},
		{"a delimiter of two bytes", "a§b\n" +
			"1§\"two\nlines\"\n" + // a value after the delimiter may be quoted
			"2§ç\"\n" + // ç ends in the byte § ends in: its quote is text
			"3§x\n",
			CSV, '§', []LineShift{{Record: 2, Shift: 1}}},
		{"JSON Lines with blank lines", "{\"a\":\"\\\"\"}\n" + // record 0, line 1
			"\n \t\r\n" + // blank, lines 2-3
			"{\"a\":\"\\\\\"}\r\n" + // record 1, line 4: two down
			"{\"a\":1}",
			JSONL, 0, []LineShift{{Record: 1, Shift: 2, Blank: 2}}},
		{"JSON Lines with lines of form feeds and vertical tabs", "{\"a\":1}\n" + // record 0, line 1
			"\f\n\v \n" + // blank to DuckDB, lines 2-3
			"{\"a\":2}\n",
			JSONL, 0, []LineShift{{Record: 1, Shift: 2, Blank: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range plainAndZipped(t, tt.body) {
				got, err := LineShifts(path, tt.format, tt.delim)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("shifts of %s (-want +got):\n%s", filepath.Base(path), diff)
				}
			}
			c := newLineCounter(tt.format, tt.delim) // a byte at a time: chunk edges anywhere
			for i := range len(tt.body) {
				c.scan([]byte(tt.body[i : i+1]))
			}
			if diff := cmp.Diff(tt.want, c.shifts); diff != "" {
				t.Errorf("shifts read a byte at a time (-want +got):\n%s", diff)
			}
		})
	}
}

func gzipped(t *testing.T, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFileLine: DuckDB's CSV errors count a blank line as a line and a
// record spanning lines as one; FileLine gives the line the file has.
func TestFileLine(t *testing.T) {
	// header line 1; a record on lines 2-4; blank lines 5-6; records on 7, 8
	shifts := []LineShift{{Record: 2, Shift: 4, Blank: 2}}
	for duck, want := range map[int64]int64{1: 1, 2: 2, 5: 7, 6: 8} {
		if got := FileLine(shifts, duck); got != want {
			t.Errorf("FileLine(%d) = %d, want %d", duck, got, want)
		}
	}
}

// TestReadRecords: a CSV's records are counted, and those with another
// number of fields than the header listed, with delimiters inside quotes
// as text, across chunk edges anywhere.
func TestReadRecords(t *testing.T) {
	tests := []struct {
		name, body string
		delim      rune
		want       Records
	}{
		{"one a line", "a,b,c\n1,2,3\n1,2,3,\n1,2\n1,2,3,4,5\n", ',',
			Records{Count: 4, Header: 3, Misfits: []Misfit{{2, 4}, {3, 2}, {4, 5}}}},
		{"delimiters inside quotes", "a,b,c\r\n" +
			"\"1,x\",\"2\"\"\",3\r\n" + // "" is a quote of the text
			"1,\"two,\r\nlines\",3,4\r\n" + // record 2, lines 3-4
			"\r\n" +
			"1,5\" FRAME,3,\"x,y\"\r\n" + // a quote inside an unquoted value is text
			"\"\",,\r\n", ',',
			Records{Count: 4, Header: 3, Misfits: []Misfit{{2, 4}, {3, 4}}, QuotedLineEnds: true,
				Shifts: []LineShift{{Record: 3, Shift: 2, Blank: 1}}, CRLF: true}},
		{"a delimiter of two bytes", "a§b§c\n1§\"x§y\"§3\n1§2\n1§ç\"§3§4\n", '§',
			Records{Count: 3, Header: 3, Misfits: []Misfit{{2, 2}, {3, 4}}}},
		{"a delimiter of three bytes", "a€b€c\n1€\"x€y\"€3\n1€2\n1€2€3\n", '€',
			Records{Count: 3, Header: 3, Misfits: []Misfit{{2, 2}}}},
		{"a quoted header after a BOM", "\ufeff\"a,b\",c\n1,2\n1,2,3\n", ',',
			Records{Count: 2, Header: 2, Misfits: []Misfit{{2, 3}}}},
		{"the last line without a line end", "a;b\n1;2\n1;2", ';',
			Records{Count: 2, Header: 2}},
		{"the last line cut short", "a;b\n1;2\n1", ';',
			Records{Count: 2, Header: 2, Misfits: []Misfit{{2, 1}}, CutShort: 2}},
		{"a quote open at the end", "a,b\n1,2\n1,\"2\n", ',',
			Records{Count: 2, Header: 2, QuotedLineEnds: true, Unclosed: 2}},
		{"a \\r\\n blank line where lines end in \\n", "a,b\n1,2\n\r\n1,2\n", ',',
			Records{Count: 2, Header: 2, Shifts: []LineShift{{Record: 2, Shift: 1, Blank: 1}}, MixedLineEnd: 3}},
		{"a \\n line end where lines end in \\r\\n", "a,b\r\n1,2\r\n1,2\n1,2\r\n", ',',
			Records{Count: 3, Header: 2, CRLF: true, MixedLineEnd: 3}},
		{"a carriage return outside quotes, after one inside", "a,b\n1,\"x\r\ny\"\n1,x\ry\n", ',',
			Records{Count: 2, Header: 2, QuotedLineEnds: true, Shifts: []LineShift{{Record: 2, Shift: 1}}, MixedLineEnd: 4, StrayCR: true}},
		{"a carriage return outside quotes, the line ending in \\r\\n as the header's", "a,b\r\n1,x\ry\r\n", ',',
			Records{Count: 1, Header: 2, CRLF: true, MixedLineEnd: 2, StrayCR: true}},
		{"a carriage return outside quotes, the line ending in \\n alone", "a,b\r\n1,x\ry\n", ',',
			Records{Count: 1, Header: 2, CRLF: true, MixedLineEnd: 2}},
		{"a last line ending in \\r where lines end in \\n", "a,b\n1,2\n1,2\r", ',',
			Records{Count: 2, Header: 2, MixedLineEnd: 3}},
		{"\\r\\n line ends, the last in \\r alone", "a,b\r\n1,\"x\ny\"\r\n1,2\r", ',',
			Records{Count: 2, Header: 2, QuotedLineEnds: true, Shifts: []LineShift{{Record: 2, Shift: 1}}, CRLF: true}},
		// DuckDB reads the other line end after a delimiter as the end of
		// an empty last field.
		{"the other line end after a delimiter of four bytes", "a𝄞b\n1𝄞\r\n2𝄞\r\r\n", '𝄞',
			Records{Count: 2, Header: 2, MixedLineEnd: 3}},
		{"\\n alone after a delimiter where lines end in \\r\\n", "a,b\r\n1,\n1,\"2\"\n", ',',
			Records{Count: 2, Header: 2, CRLF: true, MixedLineEnd: 3}},
		// DuckDB passes over one byte of the other line end right after
		// the header's: a \n after a \r\n header's, a \r after a \n one's.
		{"\\n alone right after a \\r\\n header", "a,b\r\n\n1,2\r\n", ',',
			Records{Count: 1, Header: 2, CRLF: true, Shifts: []LineShift{{Record: 1, Shift: 1, Blank: 1}}}},
		{"\\n alone right after a \\r\\n header and nothing else", "a,b\r\n\n", ',',
			Records{Header: 2, CRLF: true}},
		{"\\r\\n right after a \\n header", "a,b\n\r\n1,2\n", ',',
			Records{Count: 1, Header: 2, Shifts: []LineShift{{Record: 1, Shift: 1, Blank: 1}}}},
		{"\\r alone right after a \\n header, before a record", "a,b\n\r1,2\n", ',',
			Records{Count: 1, Header: 2}},
		{"\\r alone right after a \\n header, at the end", "a,b\n\r", ',',
			Records{Header: 2}},
		{"two bytes of the other line end after the header", "a,b\r\n\n\n1,2\r\n", ',',
			Records{Count: 1, Header: 2, CRLF: true, Shifts: []LineShift{{Record: 1, Shift: 2, Blank: 2}}, MixedLineEnd: 3}},
		{"\\r\\r\\n right after a \\n header", "a,b\n\r\r\n1,2\n", ',',
			Records{Count: 1, Header: 2, Shifts: []LineShift{{Record: 1, Shift: 1, Blank: 1}}, MixedLineEnd: 2}},
		{"\\n alone after a \\r\\n header and a blank line", "a,b\r\n\r\n\n1,2\r\n", ',',
			Records{Count: 1, Header: 2, CRLF: true, Shifts: []LineShift{{Record: 1, Shift: 2, Blank: 2}}, MixedLineEnd: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range plainAndZipped(t, tt.body) {
				got, err := ReadRecords(path, CSV, tt.delim)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("records of %s (-want +got):\n%s", filepath.Base(path), diff)
				}
			}
			c := newLineCounter(CSV, tt.delim) // a byte at a time: chunk edges anywhere
			body := strings.TrimPrefix(tt.body, utf8BOM)
			for i := range len(body) {
				c.scan([]byte(body[i : i+1]))
			}
			if diff := cmp.Diff(tt.want, c.end()); diff != "" {
				t.Errorf("records read a byte at a time (-want +got):\n%s", diff)
			}
		})
	}
}

// plainAndZipped writes body to a file as it is and to one gzipped, and
// answers both paths: every reader must agree on them.
func plainAndZipped(t *testing.T, body string) []string {
	t.Helper()
	dir := t.TempDir()
	plain, zipped := filepath.Join(dir, "x"), filepath.Join(dir, "x.gz")
	if err := os.WriteFile(plain, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zipped, gzipped(t, body), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{plain, zipped}
}

// TestReadJSONRecords: the records asked for are found on their lines
// after blank ones, plain and gzipped, and described: what is wrong with
// each, a card number in it (also spelt in escapes), a last line cut short.
// A BOM the file begins with is no text of its first line (DuckDB reads a
// copy without it: WithoutBOM); one that begins another line is.
func TestReadJSONRecords(t *testing.T) {
	const body = "\ufeff" + `[0]` + "\n" + // record 0, line 1
		"\n \t\f\v\r\n" + // blank, lines 2-3
		`{"a": oops}` + "\n" + // record 1, line 4
		`[1,2]` + "\r\n" + // record 2, line 5
		`{"a":"4111\u003111111111111"` + "\n" + // record 3, line 6
		`{"a":"4111 1111 1111 1111"}` + "\n" + // record 4, line 7
		"\ufeff" + `{"a":1}` + "\n" + // record 5, line 8
		`{"a":1` // record 6, line 9, no line end
	want := []JSONRecord{
		{Line: 1, Problem: "not a JSON object"},
		{Line: 4, Problem: "malformed JSON: invalid character 'o' looking for beginning of value (byte 7 of the line)"},
		{Line: 5, Problem: "not a JSON object"},
		{Line: 6, Problem: "malformed JSON: unexpected end of JSON input (byte 28 of the line)", CardLike: true},
		{Line: 7, CardLike: true},
		{Line: 8, Problem: "malformed JSON: the line begins with a byte order mark (U+FEFF)"},
		{Line: 9, Problem: "malformed JSON: unexpected end of JSON input (byte 6 of the line)", CutShort: true},
	}
	for _, path := range plainAndZipped(t, body) {
		got, err := ReadJSONRecords(path, []int64{0, 1, 2, 3, 4, 5, 6, 7})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("records of %s (-want +got):\n%s", filepath.Base(path), diff)
		}
	}
}
