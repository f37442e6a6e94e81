package flexcharge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// tokenSkew is how long before `expires` a token stops being reused, so a
// request never leaves with a token that dies in flight.
const tokenSkew = 60 * time.Second

// tokenFetchTimeout bounds a shared token fetch, which runs detached from the
// caller that started it so that caller's cancellation cannot fail the others.
const tokenFetchTimeout = 2 * time.Minute

// tokenError marks a failed token fetch: it already retried, so callers must not.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "get access token: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

// tokenKey identifies a merchant's token within one environment (one Client).
type tokenKey struct{ mid, appKey string }

// tokenCall is one in-flight fetch that every waiting caller shares.
type tokenCall struct {
	done    chan struct{}
	token   string
	expires time.Time
	err     error
}

type tokenEntry struct {
	token    string
	expires  time.Time
	inflight *tokenCall
	// refused is FlexCharge's refusal of the credentials with the secret
	// refusedSecret, given again without asking until refusedUntil.
	refused       error
	refusedSecret string
	refusedUntil  time.Time
}

// refusalMemory is how long credentials FlexCharge refused (bad AppKey or
// AppSecret: HTTP 400) are refused again without asking. A push calls once
// per transaction: without it, a merchant's wrong secret made a token
// request for every few of its transactions, each night, at the client's
// rate, and kept hammering FlexCharge's sign-in with credentials it had
// refused. Credentials are read at start, so they cannot come right within
// a run; FlexCharge's side may, hence a while, not for good.
const refusalMemory = 10 * time.Minute

// tokenCache holds one access token per merchant and deduplicates fetches.
type tokenCache struct {
	mu      sync.Mutex
	entries map[tokenKey]*tokenEntry
	fetch   func(context.Context, Credentials) (string, time.Time, error)
	now     func() time.Time
}

func newTokenCache(fetch func(context.Context, Credentials) (string, time.Time, error)) *tokenCache {
	return &tokenCache{entries: map[tokenKey]*tokenEntry{}, fetch: fetch, now: time.Now}
}

// get returns a valid token for cr, fetching one if none is cached or the
// cached one is about to expire. Concurrent callers wait for the same fetch.
func (tc *tokenCache) get(ctx context.Context, cr Credentials) (string, error) {
	token, call := tc.join(cr)
	if call == nil {
		return token, nil
	}
	select {
	case <-call.done:
		return call.token, call.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// join returns the cached token when it is good, or else the fetch to wait
// for, starting it if nobody has.
func (tc *tokenCache) join(cr Credentials) (string, *tokenCall) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	key := tokenKey{cr.MID, cr.AppKey}
	e := tc.entries[key]
	if e == nil {
		e = &tokenEntry{}
		tc.entries[key] = e
	}
	if e.token != "" && tc.now().Before(e.expires.Add(-tokenSkew)) {
		return e.token, nil
	}
	if e.refused != nil && e.refusedSecret == cr.AppSecret && tc.now().Before(e.refusedUntil) {
		refused := &tokenCall{done: make(chan struct{}), err: e.refused}
		close(refused.done)
		return "", refused
	}
	if e.inflight == nil {
		e.inflight = &tokenCall{done: make(chan struct{})}
		go tc.run(cr, e, e.inflight)
	}
	return "", e.inflight
}

// run performs one fetch and publishes its result to the entry and waiters.
func (tc *tokenCache) run(cr Credentials, e *tokenEntry, call *tokenCall) {
	ctx, cancel := context.WithTimeout(context.Background(), tokenFetchTimeout)
	defer cancel()
	call.token, call.expires, call.err = tc.fetch(ctx, cr)
	tc.mu.Lock()
	if call.err == nil {
		e.token, e.expires = call.token, tc.reuseUntil(call.expires)
	}
	e.refused = nil
	if Permanent(call.err) {
		e.refused, e.refusedSecret, e.refusedUntil = call.err, cr.AppSecret, tc.now().Add(refusalMemory)
	}
	e.inflight = nil
	tc.mu.Unlock()
	close(call.done)
}

// reuseUntil is until when a token FlexCharge says expires at expires is
// reused. One that would not outlive the skew (no expires, seconds where
// milliseconds are meant, a clock far from FlexCharge's) would be fetched
// again for every call: it is reused for the contract's lifetime instead,
// and a 401 renews it should it die sooner.
func (tc *tokenCache) reuseUntil(expires time.Time) time.Time {
	if now := tc.now(); !now.Before(expires.Add(-tokenSkew)) {
		return now.Add(TokenLifetime)
	}
	return expires
}

// invalidate forgets token if it is still the cached one, after a 401. A token
// that another caller already replaced is left alone, so a burst of 401s on
// the old token causes one fetch, not one per request.
func (tc *tokenCache) invalidate(cr Credentials, token string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if e := tc.entries[tokenKey{cr.MID, cr.AppKey}]; e != nil && e.token == token {
		e.token = ""
	}
}

// tokenRequest is the body of POST /oauth2/token.
type tokenRequest struct {
	AppKey    string `json:"AppKey"`
	AppSecret string `json:"AppSecret"`
}

// tokenResponse holds the fields of the token answer that the client uses.
type tokenResponse struct {
	AccessToken string `json:"accessToken"`
	Expires     int64  `json:"expires"` // unix epoch milliseconds
}

// fetchToken asks FlexCharge for a new access token, with the usual retries.
func (c *Client) fetchToken(ctx context.Context, cr Credentials) (string, time.Time, error) {
	body, err := json.Marshal(tokenRequest{AppKey: cr.AppKey, AppSecret: cr.AppSecret})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("encode token request: %w", err)
	}
	var tr tokenResponse
	r := request{method: http.MethodPost, path: "/oauth2/token", body: body, cr: cr}
	if err := c.call(ctx, r, &tr); err != nil {
		return "", time.Time{}, err
	}
	if tr.AccessToken == "" {
		return "", time.Time{}, fmt.Errorf("token response for mid %s has no accessToken", cr.MID)
	}
	return tr.AccessToken, time.UnixMilli(tr.Expires), nil
}
