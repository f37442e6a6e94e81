package web

import (
	"crypto/rand"
	"sync"
	"time"
)

// formTokenLife is how long a start form's token is remembered once it
// started a run: a session's length, beyond which its page is gone.
const formTokenLife = 12 * time.Hour

// formTokens are the start form's one-time tokens that started a run, so
// that the same form sent twice (a double click, a browser sending it again)
// starts one run, not two. They guard against mistakes, not forgery: the
// cross-origin protection does that.
type formTokens struct {
	mu      sync.Mutex
	claimed map[string]time.Time
	now     func() time.Time
}

func newFormTokens(now func() time.Time) *formTokens {
	return &formTokens{claimed: map[string]time.Time{}, now: now}
}

// issue is a new token for a start form.
func (t *formTokens) issue() string { return rand.Text() }

// claim takes tok for one submission, unless another already has it; the
// claim is released if that submission starts no run, so that the form
// corrected after a refusal (a bad date) can be sent again.
func (t *formTokens) claim(tok string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for k, at := range t.claimed {
		if now.Sub(at) > formTokenLife {
			delete(t.claimed, k)
		}
	}
	if _, ok := t.claimed[tok]; ok {
		return false
	}
	t.claimed[tok] = now
	return true
}

// release gives tok back, its submission having started no run.
func (t *formTokens) release(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.claimed, tok)
}
