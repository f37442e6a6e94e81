package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// File is one export found in a source.
type File struct {
	Source       string
	Path         string
	Name         string
	SHA256       string // empty until Hash
	Size         int64
	ModTime      time.Time   // to the microsecond, as the database keeps it
	HashedAt     time.Time   // when Hash began reading
	BusinessDate time.Time   // zero when the name carries none; the content decides
	DateNote     string      // why a name that spells days does not date the file (NameDate); "" otherwise
	NameDays     []time.Time // the days the name spells, when more than one: the content picks of them
	Screen       Screen      // what Hash saw of the values; the zero Screen clears nothing
}

// Discover lists the files of dir matching pattern, in name order, with
// their size and modification time but not yet hashed: a file seen before
// unchanged need not be read again. A dir that is not there is an error: a
// mistyped inbox would otherwise give runs that read nothing and succeed.
func Discover(source, dir, pattern string) ([]File, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("source %s: the folder %s is not there (or not a folder): check the source's path", source, dir)
	}
	paths, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	sort.Strings(paths)
	files := make([]File, 0, len(paths))
	for _, p := range paths {
		f, err := stat(source, p)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// Describe is the file at path, hashed.
func Describe(source, path string) (File, error) {
	f, err := stat(source, path)
	if err != nil {
		return File{}, err
	}
	err = f.Hash()
	return f, err
}

func stat(source, path string) (File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return File{}, err
	}
	name := filepath.Base(path)
	days := daysInName(name)
	day, note := dateOf(days)
	f := File{
		Source: source, Path: path, Name: name, Size: st.Size(),
		ModTime: st.ModTime().UTC().Truncate(time.Microsecond), BusinessDate: day, DateNote: note,
	}
	if len(days) > 1 {
		f.NameDays = days
	}
	return f, nil
}

// Hash reads the file for its SHA-256 (and its size as read), screening
// its bytes on a second core as they pass.
func (f *File) Hash() error {
	f.HashedAt = time.Now()
	r, err := os.Open(f.Path)
	if err != nil {
		return err
	}
	defer r.Close()
	h := sha256.New()
	f.Screen = Screen{}
	n, err := readTwice(r, h, &f.Screen)
	if err != nil {
		return fmt.Errorf("hash %s: %w", f.Path, err)
	}
	f.Screen.Close()
	f.SHA256, f.Size = hex.EncodeToString(h.Sum(nil)), n
	return nil
}

// readTwice gives what r reads to h and s at once, chunk by chunk; neither
// fails to take it. A goroutine reads ahead: for a file not in the page
// cache, the kernel's copying in takes longer than hashing.
func readTwice(r io.Reader, h hash.Hash, s *Screen) (int64, error) {
	var n int64
	for c := range readAhead(r) {
		if len(c.data) > 0 {
			var wg sync.WaitGroup
			wg.Go(func() { s.Write(c.data) })
			h.Write(c.data)
			wg.Wait()
			n += int64(len(c.data))
		}
		switch {
		case c.err == io.EOF || c.err == io.ErrUnexpectedEOF:
			return n, nil
		case c.err != nil:
			return n, c.err
		}
		c.done()
	}
	return n, nil
}

// chunk is one read of a file and the error that ended the file, if it did;
// done gives its buffer back for a later read.
type chunk struct {
	data []byte
	err  error
	done func()
}

// readAhead reads r into a few buffers of 1 MB (smaller chunks spend the
// gain on handing them over) until an error or the end, which is the last
// chunk it sends.
func readAhead(r io.Reader) <-chan chunk {
	const buffers = 4
	free, full := make(chan []byte, buffers), make(chan chunk, buffers)
	for range buffers {
		free <- make([]byte, 1<<20)
	}
	go func() {
		defer close(full)
		advise, off := prefetcher(r), int64(0)
		for buf := range free {
			advise(off)
			k, err := io.ReadFull(r, buf)
			off += int64(k)
			full <- chunk{buf[:k], err, func() { free <- buf }}
			if err != nil {
				return
			}
		}
	}()
	return full
}

// CheckUnchanged refuses a file that no longer has the size and
// modification time it had when found and hashed: what was loaded is then
// what was hashed (and checked).
func (f File) CheckUnchanged() error {
	now, err := stat(f.Source, f.Path)
	if err == nil && (now.Size != f.Size || !now.ModTime.Equal(f.ModTime)) {
		err = errors.New("the file changed while it was read (is it still being written?); nothing of it was loaded")
	}
	return err
}

// racyWindow: a file modified less than this before it was hashed may be
// written again without its modification time changing (file systems keep
// times to a few milliseconds, FAT and some network mounts to 2 s).
const racyWindow = 2 * time.Second

// Settled says whether the file was last modified at least racyWindow before
// Hash read it: only then do its name, size and time identify what was read
// (git's index treats "racily clean" files the same way).
func (f File) Settled() bool {
	return !f.HashedAt.IsZero() && f.ModTime.Before(f.HashedAt.Add(-racyWindow))
}

// dateInName is a date written as a whole run of eight digits (20261123)
// or as year-month-day joined by dashes (2026-11-23), with no digit just
// before or after it: a date inside a longer run (export_1202611235.csv, a
// batch number before it, a time after it without a separator) is no date,
// and a name without one is dated by its rows. The boundaries are matched
// as characters, since Go's regexp has no lookaround.
var dateInName = regexp.MustCompile(`(?:^|[^0-9])(20[0-9]{2})(?:(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])|-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))(?:[^0-9]|$)`)

// DateFromName finds a business date (2026-11-23 or 20261123, a whole run
// of digits) in a file name: the one day the name spells, or zero when it
// spells none (2026-02-30 is no day of the calendar) or two different days.
func DateFromName(name string) time.Time {
	d, _ := NameDate(name)
	return d
}

// NameDate is DateFromName with why a name that spells days does not date
// its file: export_2026-11-22_to_2026-11-23.csv or
// ledger_20261123_rerun_20261124.csv may be of either day (a range, a rerun
// of one day on the next). Such a file is of the day its rows give (as a file
// without a date in its name is) when that is one of them, else of the
// first: taking the first alone put a range of 2026-11-23's rows in force
// over 2026-11-22's file, and taking the rows' day alone kept a rerun named
// by its export day (ledger_20261124_rerun_20261125.csv, of 2026-11-23's
// rows) in force beside ledger_20261124.csv, every row counted twice. The
// same day written twice dates it.
func NameDate(name string) (time.Time, string) {
	return dateOf(daysInName(name))
}

// dateOf is the day of the days a name spells, and why none when it spells
// several (NameDate).
func dateOf(days []time.Time) (time.Time, string) {
	switch len(days) {
	case 0:
		return time.Time{}, ""
	case 1:
		return days[0], ""
	}
	spelt := make([]string, len(days))
	for i, d := range days {
		spelt[i] = d.Format(time.DateOnly)
	}
	last := len(spelt) - 1
	return time.Time{}, fmt.Sprintf("its name spells %d days, %s and %s: the one of these its rows give, else the first", len(days), strings.Join(spelt[:last], ", "), spelt[last])
}

// daysInName lists the different days a name spells, in the order it spells
// them.
func daysInName(name string) []time.Time {
	var days []time.Time
	for _, sp := range spellings(name) {
		if !sp.day.IsZero() && !slices.ContainsFunc(days, sp.day.Equal) {
			days = append(days, sp.day)
		}
	}
	return days
}

// spelling is where a name spells a date (name[start:end], its digits and
// dashes), and the day it is, zero for none of the calendar's.
type spelling struct {
	start, end int
	day        time.Time
}

// spellings finds every date a name spells. Each search starts at the
// character after a date's last digit, which the match before took as its
// boundary: a date just after another one (20261123_20261124) is found too.
func spellings(name string) []spelling {
	var out []spelling
	for at := 0; at < len(name); {
		m := dateInName.FindStringSubmatchIndex(name[at:])
		if m == nil {
			break
		}
		text := func(g int) string {
			if m[2*g] < 0 {
				return ""
			}
			return name[at+m[2*g] : at+m[2*g+1]]
		}
		sp := spelling{start: at + m[2], end: at + max(m[7], m[11])}
		sp.day, _ = time.Parse("20060102", text(1)+text(2)+text(3)+text(4)+text(5))
		out = append(out, sp)
		at = sp.end
	}
	return out
}
