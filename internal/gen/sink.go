package gen

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// sink streams ledger rows, one file per business day, and expectations to
// disk as they are made, so ten million rows need no more memory than ten.
type sink struct {
	files    []*os.File
	ledgers  []*bufio.Writer
	expected *bufio.Writer
	buf      []byte
	err      error // the first write error; later writes are skipped
}

func openSink(out string, days []time.Time) (*sink, error) {
	if err := os.MkdirAll(filepath.Join(out, InboxDir), 0o755); err != nil {
		return nil, err
	}
	s := &sink{buf: make([]byte, 0, 256)}
	for _, day := range days {
		w, err := s.create(filepath.Join(out, InboxDir, "ledger_"+day.Format(time.DateOnly)+".csv"), ledgerHeader)
		if err != nil {
			return nil, errors.Join(err, s.close())
		}
		s.ledgers = append(s.ledgers, w)
	}
	w, err := s.create(filepath.Join(out, ExpectedFile), "partner_merchant_id,transaction_id,occurrence,transmit_state,outcome_state,findings\n")
	if err != nil {
		return nil, errors.Join(err, s.close())
	}
	s.expected = w
	return s, nil
}

func (s *sink) create(path, header string) (*bufio.Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	s.files = append(s.files, f)
	w := bufio.NewWriterSize(f, 1<<20)
	_, err = w.WriteString(header)
	return w, err
}

func (s *sink) row(day int, rw row) {
	if s.err == nil {
		s.buf = appendRow(s.buf[:0], rw)
		_, s.err = s.ledgers[day].Write(s.buf)
	}
}

func (s *sink) expect(e Expectation) {
	if s.err == nil {
		_, s.err = fmt.Fprintf(s.expected, "%s,%s,%d,%s,%s,%s\n", e.Merchant, e.TransactionID, e.Occurrence,
			e.Transmit, e.Outcome, strings.Join(sortedUnique(e.Findings), ";"))
	}
}

// close flushes and closes every file, reporting the first error of all.
func (s *sink) close() error {
	err := s.err
	for _, w := range append(s.ledgers, s.expected) {
		if w != nil {
			err = errors.Join(err, w.Flush())
		}
	}
	for _, f := range s.files {
		err = errors.Join(err, f.Close())
	}
	return err
}
