package ledger

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strings"
	"testing"
)

// cardRun is the card guard's pattern (sql/queries/ingest.sql).
var cardRun = regexp.MustCompile(`[0-9](?:[ -]?[0-9]){12}`)

// screen screens data written in chunks of size chunk.
func screen(data []byte, chunk int) *Screen {
	var s Screen
	for len(data) > 0 {
		n := min(chunk, len(data))
		s.Write(data[:n])
		data = data[n:]
	}
	s.Close()
	return &s
}

func TestScreen(t *testing.T) {
	for _, c := range []struct {
		name, data string
		card, trim bool
	}{
		{"clean", "a,b\n2026-11-23,ORD-123456789\n", false, false},
		{"card with spaces", "a,b\nx,PAY 4111 1111 1111 1111\n", true, false},
		{"card with dashes", "a,b\nx,4111-1111-1111-1111\n", true, false},
		{"twelve digits", "a,b\nx,123456789012\n", false, false},
		{"thirteen digits split by a comma", "a,b\n1234567,123456\n", false, false},
		{"two separators break a run", "a,b\nx,1234567 -123456\n", false, false},
		{"inner space", "a,b\nx,ACME STORE\n", false, false},
		{"leading space", "a,b\nx, ACME\n", false, true},
		{"trailing space", "a,b\nACME ,x\n", false, true},
		{"space before the line end", "a,b\nx,y \n", false, true},
		{"space inside quotes", "a,b\nx,\" y\"\n", false, true},
		{"space ending the file", "a,b\nx,y ", false, true},
		{"non-ASCII", "a,b\nx,caf\u00e9\n", false, true},
	} {
		for _, chunk := range []int{1, 3, 7, 1 << 20} {
			s := screen([]byte(c.data), chunk)
			if s.MayHoldCard() != c.card || s.MayNeedTrim(',') != c.trim {
				t.Errorf("%s in chunks of %d: card %v trim %v, want %v %v", c.name, chunk, s.MayHoldCard(), s.MayNeedTrim(','), c.card, c.trim)
			}
		}
	}
	var unread Screen
	if !unread.MayHoldCard() || !unread.MayNeedTrim(',') {
		t.Error("a file never screened is cleared")
	}
}

// TestScreenNUL: a file with a NUL byte anywhere may hold one in a value;
// one without, screened, holds none.
func TestScreenNUL(t *testing.T) {
	for data, want := range map[string]bool{"a,b\nx,y\n": false, "a,b\nx,y\x00z\n": true, "\x00": true} {
		if got := screen([]byte(data), 2).MayHoldNUL(); got != want {
			t.Errorf("screen of %q: MayHoldNUL %v, want %v", data, got, want)
		}
	}
	var unread Screen
	if !unread.MayHoldNUL() {
		t.Error("a file never screened is cleared of NUL bytes")
	}
}

// FuzzScreen: the screen finds a card run exactly where the guard's pattern
// finds one in the file, however the file is cut into chunks, and it
// clears no file with a value (as a CSV reader reads it) that needs
// trimming or holds a card run.
func FuzzScreen(f *testing.F) {
	f.Add([]byte("a,b\nx,4111 1111 1111 1111\n"), uint8(5))
	f.Add([]byte("a,b\n\" 12345\"\"6789012\",y\n"), uint8(2))
	f.Add([]byte("a;b\r\n1-2-3-4-5-6-7-8-9-0-1-2-3;z \n"), uint8(13))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		s := screen(data, int(chunk)+1)
		if got, want := s.MayHoldCard(), cardRun.Match(data); got != want {
			t.Fatalf("card run in %q: screen says %v, pattern %v", data, got, want)
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		records, err := r.ReadAll()
		if err != nil {
			return
		}
		for _, rec := range records {
			for _, v := range rec {
				if cardRun.MatchString(v) && !s.MayHoldCard() {
					t.Fatalf("value %q of %q holds a card run; screen cleared it", v, data)
				}
				if strings.Trim(v, " ") != v && !s.MayNeedTrim(',') {
					t.Fatalf("value %q of %q needs trimming; screen cleared it", v, data)
				}
				if strings.Contains(v, "\x00") && !s.MayHoldNUL() {
					t.Fatalf("value %q of %q holds a NUL byte; screen cleared it", v, data)
				}
			}
		}
	})
}
