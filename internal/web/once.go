package web

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"time"
)

// formTokenLife is how long a start form's token is remembered once it
// started a run: a session's length, beyond which its page is gone.
const formTokenLife = 12 * time.Hour

// formTokens are the start forms that started a run, each known by its
// one-time token and what it asks (formKey), so that the same form sent
// twice (a double click, a browser sending it again) starts one run, not
// two, while the form changed after going back to it in the browser's
// history, its old token with it, starts its own. They are kept in memory,
// for formTokenLife: the same form sent after a restart or later than that
// starts another run (the README says so). They guard against mistakes, not
// forgery: the cross-origin protection does that.
type formTokens struct {
	mu      sync.Mutex
	claimed map[string]*formClaim
	now     func() time.Time
}

// formClaim is a submission's hold on a form: done is closed once it has
// started its run, or failed to (err).
type formClaim struct {
	at   time.Time
	done chan struct{}
	run  int64
	err  error
}

func newFormTokens(now func() time.Time) *formTokens {
	return &formTokens{claimed: map[string]*formClaim{}, now: now}
}

// issue is a new token for a start form.
func (t *formTokens) issue() string { return rand.Text() }

// once starts the run of the form key by start, unless a submission of the
// same form did or is doing so: then it waits for that one and answers its
// run, again true, or its error. A double click's browser shows only the second answer, so the
// second must say that the first failed (shutting down, the database
// failing). A failure gives the form back, to be sent again.
func (t *formTokens) once(ctx context.Context, key string, start func() (int64, error)) (run int64, again bool, err error) {
	c, first := t.claim(key)
	if !first {
		select {
		case <-c.done:
			return c.run, c.err == nil, c.err
		case <-ctx.Done():
			return 0, false, ctx.Err()
		}
	}
	c.err = errStartPanicked // what the waiting see if start panics (net/http recovers the handler)
	defer func() {
		if c.err != nil {
			t.release(key)
		}
		close(c.done)
	}()
	c.run, c.err = start()
	return c.run, false, c.err
}

// errStartPanicked is the answer of a form whose run's start panicked: its
// claim given back, the form may be sent again. Without it, the claim stayed
// taken for formTokenLife and the same form's duplicates waited until their
// browsers gave up.
var errStartPanicked = errors.New("starting the run failed")

// claim takes key for one submission, unless another already has it: then
// it is that one's claim, first false.
func (t *formTokens) claim(key string) (c *formClaim, first bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for k, c := range t.claimed {
		if now.Sub(c.at) > formTokenLife {
			delete(t.claimed, k)
		}
	}
	if c, ok := t.claimed[key]; ok {
		return c, false
	}
	c = &formClaim{at: now, done: make(chan struct{})}
	t.claimed[key] = c
	return c, true
}

// release gives key back, its submission having started no run.
func (t *formTokens) release(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.claimed, key)
}
