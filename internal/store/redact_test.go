package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestCardsRedacted: an ingest error that quotes a card number (as DuckDB's
// may quote a line) leaves ingest without it, still an ErrRejected, and so
// does the reason check prints.
func TestCardsRedacted(t *testing.T) {
	err := fmt.Errorf("%w: Binder Error: Duplicate struct entry name \"4111 1111 1111 1111\"", ErrRejected)
	redactCards(&err)
	if strings.Contains(strings.ReplaceAll(err.Error(), " ", ""), "4111111111111111") || !errors.Is(err, ErrRejected) {
		t.Errorf("redacted error: %q (ErrRejected: %t); want no card number and ErrRejected", err, errors.Is(err, ErrRejected))
	}
	if c, _ := (Check{}).rejected(errors.New("4111111111111111 in line 3")); strings.Contains(c.Rejected, "4111111111111111") {
		t.Errorf("check's rejection: %q carries the card number", c.Rejected)
	}
}
