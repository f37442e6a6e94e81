package ledger

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
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

// Misfit is a CSV record with another number of fields than the header:
// DuckDB would read it with its values under other columns' names, or stop
// at it. Record numbers it as LineShift does (1 is the first after the
// header).
type Misfit struct {
	Record, Fields int64
}

// Records is what reading a file's records in Go shows of them.
type Records struct {
	Count  int64 // records, without a CSV's header
	Shifts []LineShift
	// Header is a CSV header's number of fields; Misfits the records whose
	// number is another. JSON Lines records have neither.
	Header  int64
	Misfits []Misfit
	// QuotedLineEnds says a CSV value spans lines; Unclosed is the record
	// a quoted value is still open in at the end of the file, 0 if none.
	QuotedLineEnds bool
	Unclosed       int64
	// CutShort is the last record when it has fewer fields than the
	// header and no line end: the file was cut off (a transfer stopped
	// early), and the rows before it are not the whole export; 0 if not.
	CutShort int64
	// CRLF says a CSV header's line ends in \r\n, not \n alone.
	// MixedLineEnd is the first line after the header (from 1) that ends
	// otherwise, or has a carriage return outside quotes elsewhere: DuckDB
	// reads every line as ending as the header's does, and stops at such a
	// line without naming it; 0 if none.
	CRLF         bool
	MixedLineEnd int64
	// StrayCR says MixedLineEnd ends as the header's line does, and has a
	// carriage return outside quotes before its end.
	StrayCR bool
}

// Line is the line record begins on (a CSV's header is record 0, on line 1).
func (r Records) Line(record int64) int64 {
	shift := int64(0)
	for _, s := range r.Shifts {
		if s.Record > record {
			break
		}
		shift = s.Shift
	}
	return record + 1 + shift
}

// LineShifts reads a CSV with this delimiter (quotes '"') or a JSON Lines
// file, gzipped when its name says so, and lists where its records' lines
// shift, so that a record's line can be named as the file numbers it. A
// file with one line per record has none.
func LineShifts(path string, format Format, delim rune) ([]LineShift, error) {
	r, err := ReadRecords(path, format, delim)
	return r.Shifts, err
}

// ReadRecords reads a file as LineShifts does, and finds a CSV's misfits
// on the way.
func ReadRecords(path string, format Format, delim rune) (Records, error) {
	in, err := openText(path)
	if err != nil {
		return Records{}, err
	}
	defer in.Close()
	c := newLineCounter(format, delim)
	buf := make([]byte, 1<<20)
	for {
		n, err := fill(in, buf)
		c.scan(buf[:n])
		switch {
		case err == io.EOF:
			return c.end(), nil
		case err != nil:
			return Records{}, readError(err, path, c.line+1)
		}
	}
}

// readError is an error met reading a file's text on line. A gzip stream
// that ends early is the file cut off: DuckDB reads what a cut stream
// holds, and cut between two records, half a day would load as if whole. A
// stream whose data or checksum is wrong is the file damaged: DuckDB
// checks neither, and reads what the damaged bytes decompress to.
func readError(err error, path string, line int64) error {
	switch {
	case !Compressed(path):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("line %d: the gzip stream ends early: %w", line, ErrCutOff)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.As(err, new(flate.CorruptInputError)):
		return fmt.Errorf("the gzip stream is damaged (%v): %w", err, ErrDamaged)
	}
	return err
}

// ErrCutOff is a file that ends before its end: a transfer stopped early.
var ErrCutOff = errors.New("the file is cut off; send it whole")

// ErrDamaged is a file whose bytes are not those written: a gzip stream
// that fails its own checks.
var ErrDamaged = errors.New("the file is damaged; send it again")

// fill reads into buf until it is full or in ends: io.EOF at the end
// (io.ReadFull would call a short last read io.ErrUnexpectedEOF, which a
// cut gzip stream answers too).
func fill(in io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := in.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
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
// in .gz, past a UTF-8 BOM it begins with: the mark is no text of the first
// line, as DuckDB's CSV reader reads it and its JSON reader is given it
// (WithoutBOM), so every reader numbers and reads the same lines.
func openText(path string) (io.ReadCloser, error) {
	in, err := openBytes(path)
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(in)
	skipBOM(r)
	return textFile{r, in}, nil
}

// openBytes opens a file's bytes, gunzipped when its name ends in .gz.
func openBytes(path string) (io.ReadCloser, error) {
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

// textFile reads a file's text through a buffer; closing it closes the file.
type textFile struct {
	*bufio.Reader
	file io.Closer
}

func (t textFile) Close() error { return t.file.Close() }

// gunzipFile reads a gzipped file's text; closing it closes the file.
type gunzipFile struct {
	*gzip.Reader
	file *os.File
}

func (g gunzipFile) Close() error {
	g.Reader.Close()
	return g.file.Close()
}

// lineCounter follows a file's line ends, and a CSV's quotes and
// delimiters, across chunks. In a CSV a quote opens a quoted value only
// where a value begins (after the delimiter or a line end): DuckDB reads the
// quote of `12" PIZZA` as text. Inside quotes a quote closes the value,
// unless the next byte is a quote too: the two are one quote of the text,
// and a delimiter is text. DuckDB reads no JSON Lines record across lines
// (a line end inside a string too): each line of one spanning lines is a
// malformed record of its own, so each line is a record or blank.
type lineCounter struct {
	csv        bool
	blank      string // what a line that holds no record may hold
	delimText  []byte // a CSV delimiter's UTF-8 bytes
	delim      uint32 // the same bytes, as recent holds them
	delimMask  uint32
	recent     uint64 // the last bytes read, up to eight, the latest lowest
	line       int64  // the line being read, from 0
	record     int64  // the record being read, or the next one
	blanks     int64  // blank lines read
	inRecord   bool   // a record has begun and not ended
	inQuote    bool
	quoteEnded bool // the byte before is a quote that ended a quoted value
	// quotedLineEnds: a line end was read inside quotes
	quotedLineEnds bool
	fields         int64 // the fields of the CSV record being read, so far
	header         int64 // the CSV header's fields
	shift          int64
	shifts         []LineShift
	misfits        []Misfit

	// crs counts the carriage returns outside quotes on the CSV line
	// being read, looked for only in a chunk that has any (most have
	// none); crlf says the header's line ends in one, on headerLine.
	crs          int64
	chunkCRs     bool
	crlf         bool
	headerLine   int64
	mixedLineEnd int64
	strayCR      bool
}

// jsonBlank is what a JSON Lines line that holds no record may hold:
// DuckDB passes over a line of JSON's spaces, vertical tabs and form
// feeds, and reads any other line as a record.
const jsonBlank = " \t\r\v\f"

func newLineCounter(format Format, delim rune) *lineCounter {
	c := &lineCounter{blank: jsonBlank, recent: '\n'}
	if format == CSV {
		c.csv, c.blank = true, "\r"
		c.delimText = utf8.AppendRune(nil, delim)
		for _, b := range c.delimText {
			c.delim = c.delim<<8 | uint32(b)
		}
		c.delimMask = ^uint32(0) >> (32 - 8*len(c.delimText))
	}
	return c
}

// scan reads the next bytes of the file, a line at a time, and a CSV
// line's text between its quotes. Most lines have few quotes or none; the
// bytes package's vector code finds them and the line ends, and counts the
// delimiters.
func (c *lineCounter) scan(p []byte) {
	if len(p) == 0 {
		return
	}
	c.delimiterBegun(p)
	c.chunkCRs = c.csv && bytes.IndexByte(p, '\r') >= 0
	for len(p) > 0 {
		end := bytes.IndexByte(p, '\n')
		if end < 0 {
			c.lineText(p)
			c.remember(p) // the next chunk goes on with this line
			break
		}
		c.lineText(p[:end])
		c.lineEnd(p[:end])
		p = p[end+1:]
	}
}

// lineText reads the text of a line (maybe a part of it: a chunk may end
// in a line), without its line end: the delimiters in it, less those
// inside quotes, and its quotes.
func (c *lineCounter) lineText(p []byte) {
	if len(p) == 0 {
		return
	}
	if !c.inRecord && len(bytes.TrimLeft(p, c.blank)) > 0 {
		c.content()
	}
	if !c.csv {
		return
	}
	c.fields += int64(bytes.Count(p, c.delimText))
	if c.chunkCRs {
		c.crs += int64(bytes.Count(p, cr))
		if c.afterHeader() && !c.crlf && p[0] == '\r' {
			c.crs-- // DuckDB passes over it
		}
	}
	from := 0 // the text not yet read
	for from < len(p) {
		q := 0 // a doubled quote, or an empty quoted value, is next to the last
		if p[from] != '"' {
			if q = bytes.IndexByte(p[from:], '"'); q < 0 {
				break
			}
		}
		c.text(p[from : from+q])
		from += q
		c.quote(p[:from])
		from++
	}
	c.text(p[from:])
}

// text reads the bytes between two stops (a line end or a quote): inside
// quotes, its delimiters are text.
func (c *lineCounter) text(p []byte) {
	if len(p) == 0 {
		return
	}
	c.quoteEnded = false
	if c.inQuote {
		c.fields -= int64(bytes.Count(p, c.delimText))
		if c.chunkCRs {
			c.crs -= int64(bytes.Count(p, cr))
		}
	}
}

// delimiterBegun counts a delimiter of several bytes that the chunk before
// p began and p ends: text counts those that p holds whole.
func (c *lineCounter) delimiterBegun(p []byte) {
	if !c.csv || c.inQuote {
		return
	}
	for k := 1; k < len(c.delimText); k++ {
		if len(c.delimText)-k > len(p) {
			continue // p is too short for this split's tail; a later split's may fit
		}
		head := c.delim >> (8 * (len(c.delimText) - k))
		if uint32(c.recent)&(1<<(8*k)-1) == head && bytes.HasPrefix(p, c.delimText[k:]) {
			c.fields++
		}
	}
}

// quote reads a quote; before is the text of its line before it in the
// chunk.
func (c *lineCounter) quote(before []byte) {
	c.content()
	if c.inQuote || c.quoteEnded || c.valueBegins(before) {
		c.inQuote = !c.inQuote
		c.quoteEnded = !c.inQuote // the first of a doubled quote, maybe
	}
}

// lineEnd reads a line end; last is the line's text before it in the
// chunk. Of a CSV with \n line ends, only the header's line and a line with
// a carriage return outside quotes need checkLineEnd: most lines are
// neither, and skip it.
func (c *lineCounter) lineEnd(last []byte) {
	c.line++
	if c.csv && (c.crs != 0 || c.crlf || c.record == 0) {
		// checkLineEnd looks at a carriage return and a delimiter before it at most.
		c.remember(last[max(0, len(last)-len(c.delimText)-1):])
		c.checkLineEnd(true)
	}
	c.quoteEnded = false
	c.recent = '\n'
	switch {
	case c.inQuote:
		c.quotedLineEnds = true
	case c.inRecord:
		c.endRecord()
	default:
		c.blanks++
	}
}

// end ends the file (its last line may have no line end) and says what
// was read. A header a quoted value is open in at the end is no Unclosed:
// readCSVHeader stops at it first.
func (c *lineCounter) end() Records {
	var unclosed, cutShort int64
	if c.csv && c.recent != '\n' {
		c.line++ // a last line with no line end
		c.checkLineEnd(false)
	}
	if c.inQuote {
		unclosed = c.record
	}
	if c.inRecord {
		if c.csv && c.record > 0 && c.fields < c.header {
			cutShort = c.record
		}
		c.endRecord()
	}
	r := Records{Count: c.record, Shifts: c.shifts, Header: c.header, Misfits: c.misfits,
		QuotedLineEnds: c.quotedLineEnds, Unclosed: unclosed, CutShort: cutShort, CRLF: c.crlf, MixedLineEnd: c.mixedLineEnd, StrayCR: c.strayCR}
	if c.csv && r.Count > 0 {
		r.Count-- // the header
	}
	return r
}

// cr is a carriage return, as bytes.Count looks for it.
var cr = []byte{'\r'}

// checkLineEnd reads the end of the CSV line c.line, ended by a line end
// or (not ended) by the end of the file, as DuckDB does. The header's sets
// whether lines end in \r\n or \n alone; after it, the first line with a
// carriage return outside quotes other than that line end, or with \n
// alone where lines end in \r\n, is mixedLineEnd. DuckDB takes the other
// line end after a delimiter, as the end of an empty last field; the last
// line may have none. Right after the header's line end, DuckDB passes
// over one byte of the other line end (a \n after \r\n, a \r after \n
// alone): a file that has one there loads.
func (c *lineCounter) checkLineEnd(ended bool) {
	endsInCR := !c.inQuote && c.recent&0xff == '\r'
	stray := c.crs
	c.crs = 0
	switch {
	case c.record == 0:
		if c.inRecord && !c.inQuote {
			c.crlf, c.headerLine = endsInCR, c.line
		}
		return
	case c.mixedLineEnd != 0:
		return
	}
	wrongEnd := false // the line's end is not the header's
	switch {
	case endsInCR && (c.crlf || c.endsInDelimiter(c.recent>>8)):
		stray--
	case endsInCR:
		wrongEnd = true // \r\n (or \r at the end), where lines end in \n alone
	case c.line == c.headerLine+1 && c.recent == '\n':
		// an empty line right after the header's: DuckDB passes over its \n
	case c.crlf && ended && !c.inQuote && !c.endsInDelimiter(c.recent):
		stray++ // \n alone, where lines end in \r\n
		wrongEnd = true
	}
	if stray != 0 {
		c.mixedLineEnd, c.strayCR = c.line, !wrongEnd
	}
}

// afterHeader says whether lineText is at the start of the line right
// after the CSV header's.
func (c *lineCounter) afterHeader() bool {
	return c.headerLine > 0 && c.line == c.headerLine && c.recent == '\n'
}

func (c *lineCounter) endRecord() {
	if c.csv {
		if c.record == 0 {
			c.header = c.fields
		} else if c.fields != c.header {
			c.misfits = append(c.misfits, Misfit{Record: c.record, Fields: c.fields})
		}
	}
	c.record++
	c.inRecord = false
}

// valueBegins says whether a CSV value begins after before, the bytes of
// the line read before a quote in this chunk: they, or the bytes before
// them, end in a line end or the delimiter.
func (c *lineCounter) valueBegins(before []byte) bool {
	switch {
	case len(before) == 0:
	case len(c.delimText) == 1:
		return before[len(before)-1] == c.delimText[0]
	case len(before) >= len(c.delimText):
		return bytes.HasSuffix(before, c.delimText)
	}
	r := c.recent
	for _, b := range before {
		r = r<<8 | uint64(b)
	}
	return r&0xff == '\n' || c.endsInDelimiter(r)
}

// endsInDelimiter says whether bytes, as recent holds them, end in the
// delimiter.
func (c *lineCounter) endsInDelimiter(bytes uint64) bool {
	return uint32(bytes)&c.delimMask == c.delim
}

// remember keeps the last bytes of a chunk that ends in a line, which
// valueBegins and delimiterBegun may need to look back at from the next
// chunk, and of a line, for checkLineEnd (after a line end, lineEnd sets
// them).
func (c *lineCounter) remember(p []byte) {
	for _, b := range p[max(0, len(p)-8):] {
		c.recent = c.recent<<8 | uint64(b)
	}
}

// content marks bytes of a record: the first begins it, on the current line.
func (c *lineCounter) content() {
	if c.inRecord {
		return
	}
	c.inRecord, c.fields = true, 1
	if shift := c.line - c.record; shift != c.shift {
		c.shift = shift
		c.shifts = append(c.shifts, LineShift{Record: c.record, Shift: shift, Blank: c.blanks})
	}
}
