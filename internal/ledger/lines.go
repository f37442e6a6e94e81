package ledger

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// LineShift says that from record Record on (0 is a CSV's header), each
// record begins Shift lines further down the file than one line per record
// would put it: a quoted value before it spans lines, or blank lines (which
// DuckDB skips) come before it.
type LineShift struct {
	Record, Shift int64
}

// LineShifts reads a plain CSV with this delimiter (quotes '"') and lists
// where its records' lines shift, so that a record's line can be named as
// the file numbers it. A file with one line per record has none.
func LineShifts(path string, delim byte) ([]LineShift, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := lineCounter{delim: delim, prev: '\n'}
	buf := make([]byte, 1<<20)
	r := bufio.NewReaderSize(f, len(buf))
	for {
		n, err := r.Read(buf)
		c.scan(buf[:n])
		if err == io.EOF {
			return c.shifts, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// lineCounter follows a CSV's quotes and line ends across chunks. A quote
// opens a quoted value only where a value begins (after the delimiter or a
// line end): DuckDB reads the quote of `12" PIZZA` as text. Inside quotes a
// quote closes the value, unless the next byte is a quote too: the two are
// one quote of the text.
type lineCounter struct {
	delim      byte
	prev       byte  // the byte before the one being read
	line       int64 // the line being read, from 0
	record     int64 // the record being read, or the next one
	inRecord   bool  // a record has begun and not ended
	inQuote    bool
	quoteEnded bool // the byte before is a quote that ended a quoted value
	shift      int64
	shifts     []LineShift
}

func (c *lineCounter) scan(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\"\n")
		if i < 0 {
			i = len(p)
		}
		if i > 0 && !(i == 1 && p[0] == '\r') {
			c.content()
		}
		if i > 0 {
			c.prev = p[i-1]
			c.quoteEnded = false
		}
		if i == len(p) {
			return
		}
		switch p[i] {
		case '"':
			c.content()
			if c.inQuote || c.quoteEnded || c.prev == c.delim || c.prev == '\n' {
				c.inQuote = !c.inQuote
				c.quoteEnded = !c.inQuote // the first of a doubled quote, maybe
			}
		case '\n':
			c.line++
			c.quoteEnded = false
			if !c.inQuote && c.inRecord {
				c.record++
				c.inRecord = false
			}
		}
		c.prev = p[i]
		p = p[i+1:]
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
		c.shifts = append(c.shifts, LineShift{Record: c.record, Shift: shift})
	}
}
