package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"
)

// formTokenLife is how long a start form's token is remembered once it
// started a run: a session's length, beyond which its page is gone.
const formTokenLife = 12 * time.Hour

// idempotencyKeyLife is how long a POST /api/runs Idempotency-Key is
// remembered once it started a run: a day, longer than any client's retries.
const idempotencyKeyLife = 24 * time.Hour

// formTokens are the start forms that started a run, each known by its
// one-time token and what it asks (formKey), so that the same form sent
// twice (a double click, a browser sending it again) starts one run, not
// two, while the form changed after going back to it in the browser's
// history, its old token with it, starts its own. They are kept in memory,
// for their life (formTokenLife): the same form sent after a restart or
// later than that starts another run (the README says so). They guard
// against mistakes, not forgery: the cross-origin protection does that. The
// API's Idempotency-Key requests are held alike while they start their run,
// each by its key alone with what it asks beside it: the same key asking
// something else is refused (errKeyReused). Those keys are kept in the
// database too (Server.startOnce), as a client retries after a restart.
type formTokens struct {
	mu      sync.Mutex
	claimed map[string]*formClaim
	now     func() time.Time
	life    time.Duration
}

// formClaim is a submission's hold on a form: done is closed once it has
// started its run, or failed to (err).
type formClaim struct {
	at   time.Time
	what string // what the submission asks, when its key does not say it all
	done chan struct{}
	run  int64
	err  error
}

func newFormTokens(now func() time.Time, life time.Duration) *formTokens {
	return &formTokens{claimed: map[string]*formClaim{}, now: now, life: life}
}

// issue is a new token for a start form.
func (t *formTokens) issue() string { return rand.Text() }

// once starts the run of the form key, asking what, by start, unless a
// submission of the same form did or is doing so: then it waits for that one
// and answers its run, again true, or its error; errKeyReused if that one
// asked something else. A double click's browser shows only the second answer, so the
// second must say that the first failed (shutting down, the database
// failing). A failure gives the form back, to be sent again.
func (t *formTokens) once(ctx context.Context, key, what string, start func() (int64, error)) (run int64, again bool, err error) {
	c, first := t.claim(key, what)
	if !first && c.what != what {
		return 0, false, keyReused(c.what)
	}
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

// errKeyReused refuses a key sent again asking another run than the one it
// started: answering that run would hide that the request was not run, and
// starting another would make the key mean two runs.
var errKeyReused = errors.New("the key was sent before asking another run")

// keyReused refuses a key that first asked asked.
func keyReused(asked string) error { return fmt.Errorf("%w (it asked %s)", errKeyReused, asked) }

// claim takes key for one submission, unless another already has it: then
// it is that one's claim, first false.
func (t *formTokens) claim(key, what string) (c *formClaim, first bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for k, c := range t.claimed {
		if now.Sub(c.at) > t.life {
			delete(t.claimed, k)
		}
	}
	if c, ok := t.claimed[key]; ok {
		return c, false
	}
	c = &formClaim{at: now, what: what, done: make(chan struct{})}
	t.claimed[key] = c
	return c, true
}

// release gives key back, its submission having started no run.
func (t *formTokens) release(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.claimed, key)
}
