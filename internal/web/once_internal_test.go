package web

import (
	"errors"
	"testing"
	"time"
)

// TestFormClaimGivenBackWhenStartPanics: a form whose run's start panics
// (net/http recovers the handler) gives its claim back and answers those
// waiting on it: the claim stayed taken for formTokenLife, a duplicate
// waited until its browser gave up, and the form could not be sent again.
func TestFormClaimGivenBackWhenStartPanics(t *testing.T) {
	forms := newFormTokens(time.Now, formTokenLife)
	started, panicking := make(chan struct{}), make(chan struct{})
	go func() {
		defer func() { recover() }()
		forms.once(t.Context(), "k", "", func() (int64, error) {
			close(started)
			<-panicking
			panic("queue")
		})
	}()
	<-started
	waited := make(chan error, 1)
	go func() {
		_, _, err := forms.once(t.Context(), "k", "", func() (int64, error) { return 0, errors.New("a second start") })
		waited <- err
	}()
	close(panicking)
	select {
	case err := <-waited:
		if err == nil {
			t.Errorf("the same form sent while the first start panicked: no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the same form sent while the first start panicked: still waiting 10 s after")
	}
	run, again, err := forms.once(t.Context(), "k", "", func() (int64, error) { return 7, nil })
	if run != 7 || again || err != nil {
		t.Errorf("the form sent again after its start panicked: run %d, again %v, %v; want run 7 started", run, again, err)
	}
}
