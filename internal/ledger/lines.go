package ledger

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// LineShift says that from record Record on (0 is a CSV's header, a JSON
// Lines file's first record), each record begins Shift lines further down
// the file than one line per record would put it: a quoted value before it
// spans lines, or blank lines (which DuckDB skips) come before it. Blank is
// how many of the Shift lines are blank: DuckDB's CSV errors count those.
type LineShift struct {
	Record, Shift, Blank int64
}

// LineShifts reads a CSV with this delimiter (quotes '"') or a JSON Lines
// file, gzipped when its name says so, and lists where its records' lines
// shift, so that a record's line can be named as the file numbers it. A
// file with one line per record has none.
func LineShifts(path string, format Format, delim rune) ([]LineShift, error) {
	in, err := openText(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	c := newLineCounter(format, delim)
	buf := make([]byte, 1<<20)
	for {
		n, err := io.ReadFull(in, buf)
		c.scan(buf[:n])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return c.shifts, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// FileLine is the line of the file that DuckDB's CSV errors call line n:
// they count blank lines, but a record spanning lines as one.
func FileLine(shifts []LineShift, n int64) int64 {
	more := int64(0)
	for _, s := range shifts {
		if s.Record+s.Blank+1 > n { // DuckDB's line of the record
			break
		}
		more = s.Shift - s.Blank
	}
	return n + more
}

// openText opens a file to read its text, through gzip when its name ends
// in .gz.
func openText(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if !Compressed(path) {
		return f, nil
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("line 1: not gzip data: %w", err)
	}
	return gunzipFile{gz, f}, nil
}

// gunzipFile reads a gzipped file's text; closing it closes the file.
type gunzipFile struct {
	*gzip.Reader
	file *os.File
}

func (g gunzipFile) Close() error {
	g.Reader.Close()
	return g.file.Close()
}

// lineCounter follows a file's line ends, and a CSV's quotes, across
// chunks. In a CSV a quote opens a quoted value only where a value begins
// (after the delimiter or a line end): DuckDB reads the quote of `12" PIZZA`
// as text. Inside quotes a quote closes the value, unless the next byte is a
// quote too: the two are one quote of the text. DuckDB rejects a JSON Lines
// record spanning lines (a line end inside a string too), so each of its
// lines is a record or blank.
type lineCounter struct {
	stops      string // the bytes scan stops at: line ends, and a CSV's quotes
	blank      string // what a line that holds no record may hold
	delim      uint32 // a CSV delimiter's UTF-8 bytes, as recent holds them
	delimMask  uint32
	recent     uint32 // the last bytes read, up to four, the latest lowest
	line       int64  // the line being read, from 0
	record     int64  // the record being read, or the next one
	blanks     int64  // blank lines read
	inRecord   bool   // a record has begun and not ended
	inQuote    bool
	quoteEnded bool // the byte before is a quote that ended a quoted value
	shift      int64
	shifts     []LineShift
}

func newLineCounter(format Format, delim rune) *lineCounter {
	c := &lineCounter{stops: "\n", blank: " \t\r", recent: '\n'}
	if format == CSV {
		c.stops, c.blank = "\"\n", "\r"
		d := utf8.AppendRune(nil, delim)
		for _, b := range d {
			c.delim = c.delim<<8 | uint32(b)
		}
		c.delimMask = ^uint32(0) >> (32 - 8*len(d))
	}
	return c
}

func (c *lineCounter) scan(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexAny(p, c.stops)
		if i < 0 {
			i = len(p)
		}
		if i > 0 {
			c.quoteEnded = false
			if !c.inRecord && len(bytes.TrimLeft(p[:i], c.blank)) > 0 {
				c.content()
			}
			c.remember(p[:i])
		}
		if i == len(p) {
			return
		}
		c.stop(p[i])
		c.remember(p[i : i+1])
		p = p[i+1:]
	}
}

// stop reads a byte scan stops at: a line end or a quote.
func (c *lineCounter) stop(b byte) {
	switch b {
	case '"':
		c.content()
		if c.inQuote || c.quoteEnded || c.valueBegins() {
			c.inQuote = !c.inQuote
			c.quoteEnded = !c.inQuote // the first of a doubled quote, maybe
		}
	case '\n':
		c.line++
		c.quoteEnded = false
		switch {
		case c.inQuote:
		case c.inRecord:
			c.record++
			c.inRecord = false
		default:
			c.blanks++
		}
	}
}

// valueBegins says whether a CSV value begins at the byte being read: the
// one before ends a line or the delimiter.
func (c *lineCounter) valueBegins() bool {
	return c.recent&0xff == '\n' || c.recent&c.delimMask == c.delim
}

// remember keeps the last bytes read, for valueBegins.
func (c *lineCounter) remember(p []byte) {
	for _, b := range p[max(0, len(p)-utf8.UTFMax):] {
		c.recent = c.recent<<8 | uint32(b)
	}
}

// content marks bytes of a record: the first begins it, on the current line.
func (c *lineCounter) content() {
	if c.inRecord {
		return
	}
	c.inRecord = true
	if shift := c.line - c.record; shift != c.shift {
		c.shift = shift
		c.shifts = append(c.shifts, LineShift{Record: c.record, Shift: shift, Blank: c.blanks})
	}
}
