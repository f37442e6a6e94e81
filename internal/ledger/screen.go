package ledger

import (
	"bytes"
	"encoding/binary"
)

// Screen is what one pass over a file's bytes, made while hashing it, shows
// about the values a CSV reader can find in them. The card guard and the
// trimming of values are costly for DuckDB (a fifth of a large load) and
// find nothing in most files; a file the screen clears is spared them.
// The screen is conservative: it may see a card number or a padded value
// that is not there, never miss one. The zero Screen clears nothing.
type Screen struct {
	screened bool
	digitRun bool // 13 digits, one space or dash at most between two
	nonASCII bool // a byte of a multi-byte character (trim strips Unicode spaces)
	nul      bool // a NUL byte, which no value may hold
	// spaceBeside marks each byte seen just before or after a ' ';
	// spaceAtEdge a ' ' that begins or ends the file.
	spaceBeside [256]bool
	spaceAtEdge bool

	newlines int64 // '\n' bytes: a file's lines, with its records, show whether any record spans lines

	// the scan's state between two chunks
	digits     int  // digits in the run so far
	separated  bool // the run's last byte is a space or dash
	last       byte // the previous byte
	afterSpace bool // the previous byte is a ' '
	started    bool
}

// cardDigits is the shortest card number (the guard's 13 digits).
const cardDigits = 13

// MayHoldCard says whether some value may contain 13 or more digits in a
// row (spaces or dashes between), which the card guard must then look at.
// A CSV value is its bytes in the file, or those between quotes with each
// doubled quote made one: a run in a value is a run in the file.
func (s *Screen) MayHoldCard() bool { return !s.screened || s.digitRun }

// MayNeedTrim says whether some value of a CSV with this delimiter may
// begin or end with a space: a ' ' is beside the delimiter, a quote, a
// line end or the file's edge, or the file has non-ASCII text.
func (s *Screen) MayNeedTrim(delim byte) bool {
	if !s.screened || s.nonASCII || s.spaceAtEdge {
		return true
	}
	for _, b := range []byte{delim, '"', '\n', '\r'} {
		if s.spaceBeside[b] {
			return true
		}
	}
	return false
}

// MayHoldNUL says whether some value may contain a NUL byte, which the
// load must then look for value by value.
func (s *Screen) MayHoldNUL() bool { return !s.screened || s.nul }

// Write screens the next bytes of the file; it never fails.
func (s *Screen) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if !s.started {
		s.started = true
		s.spaceAtEdge = p[0] == ' '
	}
	s.scanDigits(p)
	s.scanSpaces(p)
	s.nonASCII = s.nonASCII || hasHighByte(p)
	s.nul = s.nul || bytes.IndexByte(p, 0) >= 0
	s.newlines += int64(bytes.Count(p, newline))
	return len(p), nil
}

var newline = []byte{'\n'}

// Lines is how many lines a screened file has (a last line without its
// line end counts); ok is false when the file was not screened to its end.
func (s *Screen) Lines() (n int64, ok bool) {
	n = s.newlines
	if s.started && s.last != '\n' {
		n++
	}
	return n, s.screened
}

// Close ends the screen at the file's end: only a file screened to its
// end can be cleared.
func (s *Screen) Close() {
	s.screened = true
	s.spaceAtEdge = s.spaceAtEdge || s.afterSpace
}

// scanDigits looks for a run of 13 digits. Such a run spans at least 13
// bytes of digits, spaces and dashes, so only every 13th byte is looked at
// until one is of those; its span of them is then read in full.
func (s *Screen) scanDigits(p []byte) {
	if s.digitRun {
		return
	}
	i := s.follow(p) // the rest of a span the last chunk ended in
	for j := i + cardDigits - 1; j < len(p); j += cardDigits {
		if !inRun[p[j]] {
			continue
		}
		start := j
		for start > i && inRun[p[start-1]] {
			start--
		}
		s.digits, s.separated = 0, false
		i = start + s.follow(p[start:])
		j = i
	}
	if i == len(p) {
		return // the chunk ends in the span just read
	}
	tail := len(p) // the span the chunk ends in, which the next continues
	for tail > i && inRun[p[tail-1]] {
		tail--
	}
	s.follow(p[tail:])
}

// follow reads the span of digits, spaces and dashes that p begins with,
// continuing the run the screen is in; it returns the span's length.
func (s *Screen) follow(p []byte) int {
	for i, c := range p {
		switch {
		case c-'0' <= 9:
			s.digits++
			s.separated = false
			if s.digits >= cardDigits {
				s.digitRun = true
			}
		case !inRun[c]:
			s.digits, s.separated = 0, false
			return i
		case s.digits > 0 && !s.separated:
			s.separated = true
		default: // a second separator, or one before any digit
			s.digits, s.separated = 0, false
		}
	}
	return len(p)
}

// inRun marks the bytes a card number may be written with.
var inRun = func() (t [256]bool) {
	for _, c := range []byte("0123456789 -") {
		t[c] = true
	}
	return t
}()

// scanSpaces records the bytes beside each space, across chunk edges too.
func (s *Screen) scanSpaces(p []byte) {
	if s.afterSpace {
		s.spaceBeside[p[0]] = true
	}
	prev := s.last
	for i := 0; i < len(p); {
		j := bytes.IndexByte(p[i:], ' ')
		if j < 0 {
			break
		}
		i += j
		if i > 0 {
			prev = p[i-1]
		}
		s.spaceBeside[prev] = true
		if i+1 < len(p) {
			s.spaceBeside[p[i+1]] = true
		}
		i++
	}
	s.last = p[len(p)-1]
	s.afterSpace = s.last == ' '
}

// hasHighByte says whether p has a byte outside ASCII, eight at a time.
func hasHighByte(p []byte) bool {
	for ; len(p) >= 8; p = p[8:] {
		if binary.LittleEndian.Uint64(p)&0x8080808080808080 != 0 {
			return true
		}
	}
	for _, c := range p {
		if c >= 0x80 {
			return true
		}
	}
	return false
}
