package flexcharge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Options tune a Client. Zero values take the defaults noted on each field.
type Options struct {
	Concurrency   int           // max in-flight requests per Client (default 8)
	RatePerSecond float64       // request rate cap per Client (default 50)
	MaxRetries    int           // retries after the first attempt (default 6)
	BaseBackoff   time.Duration // first backoff ceiling (default 100ms); full jitter
	MaxBackoff    time.Duration // backoff cap (default 5s)
	Timeout       time.Duration // per attempt (default 30s)
	HTTPClient    *http.Client  // default: a client without its own timeout; either way, redirects are not followed
	Logger        *slog.Logger  // retries at debug level; never secrets or tokens
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.RatePerSecond <= 0 {
		o.RatePerSecond = 50
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 6
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 100 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.HTTPClient == nil {
		// The default transport keeps only 2 idle connections per host, which
		// would make a client with 8 requests in flight reconnect constantly.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = o.Concurrency
		o.HTTPClient = &http.Client{Transport: t}
	}
	hc := *o.HTTPClient
	hc.CheckRedirect = noRedirects
	o.HTTPClient = &hc
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// noRedirects keeps every call where it was sent: its 3xx is the answer
// (an error, see redirectError). Followed, a 307 or 308 to the token call
// would send the AppKey and AppSecret again to the Location, which may be
// another host, and a transmit would be sent where no one configured.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// maxBody bounds how much of a response is read: a runaway body must not
// exhaust memory. A page of 500 orders is well under 1 MiB.
const maxBody = 32 << 20

// Client talks to ONE FlexCharge environment. It is safe for concurrent use;
// its concurrency and rate bounds apply across all merchants it serves.
type Client struct {
	base    string
	opts    Options
	sem     chan struct{}
	limiter *rate.Limiter
	tokens  *tokenCache
}

// NewClient returns a Client for baseURL, e.g. https://api-sandbox.flex-charge.com/v1.
func NewClient(baseURL string, opts Options) *Client {
	opts = opts.withDefaults()
	c := &Client{
		base:    strings.TrimRight(baseURL, "/"),
		opts:    opts,
		sem:     make(chan struct{}, opts.Concurrency),
		limiter: rate.NewLimiter(rate.Limit(opts.RatePerSecond), max(1, opts.Concurrency)),
	}
	c.tokens = newTokenCache(c.fetchToken)
	return c
}

// request is one logical call; attempts and retries are the Client's business.
type request struct {
	method string
	path   string
	query  url.Values
	body   []byte
	cr     Credentials
	auth   bool // send a bearer token (everything but /oauth2/token)
}

// response is one answer that came back; status >= 300 is not yet an error.
type response struct {
	status     int
	body       []byte
	retryAfter time.Duration
	location   string // a redirect's Location header
	// token is the bearer token the call was sent with, for checkEnvelope
	// to keep out of the error it makes of a 2xx refusal.
	token string
	// afterLoss: an earlier attempt of the call was sent and its answer
	// lost, so FlexCharge may have acted on it too.
	afterLoss bool
}

// call runs r with token handling and retries, and decodes a success into out.
func (c *Client) call(ctx context.Context, r request, out any) error {
	_, err := c.answer(ctx, r, out)
	return err
}

// answer is call, with the answer's response.
func (c *Client) answer(ctx context.Context, r request, out any) (response, error) {
	resp, err := c.retry(ctx, r)
	if err != nil {
		return resp, err
	}
	if err := checkEnvelope(resp); err != nil {
		return resp, err
	}
	if out == nil {
		return resp, nil
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		return resp, fmt.Errorf("decode %s response: %w", r.path, err)
	}
	return resp, nil
}

// retry sends r until it succeeds, fails permanently, or retries run out.
// A 401 renews the token once without counting as a retry. A failure's
// response holds nothing but afterLoss: a call that failed in the end may
// still have been acted on by an attempt whose answer was lost.
func (c *Client) retry(ctx context.Context, r request) (response, error) {
	renewed, lost := false, false
	for attempt := 0; ; attempt++ {
		resp, err := c.attemptWithToken(ctx, r)
		if err == nil && resp.status == http.StatusUnauthorized && r.auth && !renewed {
			renewed, attempt = true, attempt-1
			continue
		}
		if err == nil && resp.status < 300 {
			resp.afterLoss = lost
			return resp, nil
		}
		lost = lost || answerLost(err) || gatewayLost(resp.status)
		failed := response{afterLoss: lost}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return failed, fmt.Errorf("%s %s: %w", r.method, r.path, ctxErr)
		}
		cause := err
		if cause == nil && isRedirect(resp.status) {
			cause = redirectError(r, resp)
		}
		if cause == nil {
			cause = decodeAPIError(resp.status, resp.body)
		}
		if !retryable(err, resp.status) {
			return failed, cause
		}
		if attempt >= c.opts.MaxRetries {
			return failed, fmt.Errorf("%s %s: gave up after %d attempts: %w", r.method, r.path, attempt+1, cause)
		}
		if resp.retryAfter > maxRetryAfter {
			return failed, fmt.Errorf("%s %s: FlexCharge asks to wait %s, more than a run waits (%s): %w",
				r.method, r.path, resp.retryAfter, maxRetryAfter, cause)
		}
		wait := c.backoff(attempt, resp.retryAfter)
		c.opts.Logger.DebugContext(ctx, "flexcharge retry", "method", r.method, "path", r.path,
			"attempt", attempt+1, "status", resp.status, "wait", wait, "cause", cause)
		if err := sleep(ctx, wait); err != nil {
			return failed, fmt.Errorf("%s %s: %w", r.method, r.path, err)
		}
	}
}

// attemptWithToken adds the bearer token (fetching it if needed) and sends once.
// On 401 it drops the token it used so the next attempt fetches a new one.
// A token fetch has retried on its own, so its failure is final here.
func (c *Client) attemptWithToken(ctx context.Context, r request) (response, error) {
	var token string
	if r.auth {
		var err error
		if token, err = c.tokens.get(ctx, r.cr); err != nil {
			return response{}, &tokenError{err}
		}
	}
	resp, err := c.attempt(ctx, r, token)
	if err == nil && resp.status == http.StatusUnauthorized && r.auth {
		c.tokens.invalidate(r.cr, token)
	}
	if !r.auth {
		resp.body = withoutSecrets(resp.body, r.cr)
	}
	if r.auth && resp.status >= 300 {
		resp.body = withoutToken(resp.body, token)
	}
	resp.token = token
	return resp, err
}

// withoutToken is a refusal of a call made with token, with the token
// replaced wherever it quotes it (an auth failure naming the token it
// refused), so that no error made of it carries a live token into a log,
// the database or a report. A token is a JWT, whose characters JSON never
// escapes. Only refusals are searched (here, and by checkEnvelope for a 2xx
// that says "success": false): an answer's body can be a page of a thousand
// orders, and a token is long enough to make the search cost milliseconds.
func withoutToken(body []byte, token string) []byte {
	if token == "" || !bytes.Contains(body, []byte(token)) {
		return body
	}
	return bytes.ReplaceAll(body, []byte(token), []byte("[redacted]"))
}

// withoutSecrets is the answer to a call that sent cr's secrets (the token
// call) with them replaced wherever it repeats them, as a validation
// message quoting the value it refused does, so that no error made of it
// carries them into a log, the database or a report. A JSON answer is
// first written again in one spelling, so that a secret is found however
// its server escaped it; a secret is also looked for URL-encoded (a proxy's
// or gateway's page quoting the request it refused as a query or form).
func withoutSecrets(body []byte, cr Credentials) []byte {
	body = plainJSON(body)
	for _, secret := range []string{cr.AppKey, cr.AppSecret} {
		if secret == "" {
			continue
		}
		for _, form := range append(urlForms(secret), string(jsonForm(secret)), secret) {
			body = bytes.ReplaceAll(body, []byte(form), []byte("[redacted]"))
		}
	}
	return body
}

// urlForms are s URL-encoded as a query or form value and as a path
// segment, each with upper- and lower-case hex digits (servers write either).
func urlForms(s string) []string {
	var forms []string
	for _, f := range []string{url.QueryEscape(s), url.PathEscape(s)} {
		if f != s {
			forms = append(forms, f, lowerHex.ReplaceAllStringFunc(f, strings.ToLower))
		}
	}
	return forms
}

// lowerHex matches a percent escape, whose hex digits urlForms lowers.
var lowerHex = regexp.MustCompile(`%[0-9A-F]{2}`)

// plainJSON is body, if it is one JSON value, as Go writes it escaping
// only what JSON must: servers escape more, and each its own way
// (ASP.NET's System.Text.Json writes a base64 secret's + as \u002B, Go
// writes < as \u003c). Anything else is left as it is.
func plainJSON(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.Decode(new(any)) != io.EOF {
		return body
	}
	return encodePlain(v)
}

// jsonForm is s as plainJSON spells it in a string, without the quotes.
func jsonForm(s string) []byte {
	b := encodePlain(s)
	return b[1 : len(b)-1]
}

// encodePlain is v in JSON escaping only what JSON must.
func encodePlain(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // of decoded JSON or a string: it cannot fail
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// attempt sends one HTTP request within the concurrency and rate bounds.
func (c *Client) attempt(ctx context.Context, r request, token string) (response, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return response{}, &unsentError{ctx.Err()}
	}
	defer func() { <-c.sem }()
	if err := c.limiter.Wait(ctx); err != nil {
		return response{}, &unsentError{err}
	}
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var conn connTrace
	req, err := c.newRequest(conn.watch(actx), r, token)
	if err != nil {
		return response{}, &unsentError{err}
	}
	res, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		err = fmt.Errorf("%s %s: %w", r.method, r.path, redactURLError(err))
		if conn.neverGot() {
			return response{}, &unsentError{err}
		}
		return response{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return response{}, fmt.Errorf("read %s response: %w", r.path, err)
	}
	return response{status: res.StatusCode, body: body, retryAfter: parseRetryAfter(res.Header.Get("Retry-After")),
		location: res.Header.Get("Location")}, nil
}

func isRedirect(status int) bool { return status >= 300 && status < 400 }

// redirectError is a call's 3xx answer, which is not followed (noRedirects):
// it names the status and where it pointed (scheme and host only: a path or
// query could carry what must not be logged), so that ops can fix base_url.
// It is not permanent: a transmit it refused is sent again once fixed.
func redirectError(r request, resp response) error {
	to := ""
	if u, err := url.Parse(resp.location); err == nil && u.Host != "" {
		to = " to " + u.Scheme + "://" + u.Host
	}
	return fmt.Errorf("%s %s: FlexCharge answered HTTP %d, a redirect%s: redirects are not followed (they could take the call's credentials to another host); check the base_url",
		r.method, r.path, resp.status, to)
}

func (c *Client) newRequest(ctx context.Context, r request, token string) (*http.Request, error) {
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build %s request: %w", r.path, err)
	}
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}

// redactURLError keeps the operation and cause of a *url.Error but drops the
// URL, whose query could one day carry something that must not be logged.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// answerLost says whether a failed attempt may have reached FlexCharge and
// only its answer failed: a transport error after the connection was made
// (a timeout, a reset, a dropped connection). A refused or unresolved
// connection, a token that could not be had, or a stop while the attempt
// waited for its turn sent nothing.
func answerLost(err error) bool {
	var op *net.OpError
	var te *tokenError
	var ue *unsentError
	return err != nil && !errors.As(err, &te) && !errors.As(err, &ue) && !(errors.As(err, &op) && op.Op == "dial")
}

// connTrace follows an attempt's request through the transport: one that
// failed after asking for a connection and before it had one was never
// written (a dial refused or cut short by a stop). A transport that
// reports neither (not net/http's) is taken to have sent.
type connTrace struct{ asked, got atomic.Bool }

func (t *connTrace) watch(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { t.asked.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { t.got.Store(true) },
	})
}

func (t *connTrace) neverGot() bool { return t.asked.Load() && !t.got.Load() }

// unsentError marks an attempt that failed before its request left: while
// it waited for a free slot, the rate limit or a connection (a stop, a
// refused dial), or was built.
type unsentError struct{ err error }

func (e *unsentError) Error() string { return e.err.Error() }
func (e *unsentError) Unwrap() error { return e.err }

// gatewayLost says whether an answer is a proxy's in front of FlexCharge
// saying that FlexCharge's own answer was lost (502) or never came in time
// (504): the request was passed on, and FlexCharge may have acted on it.
func gatewayLost(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusGatewayTimeout
}

// maxRetryAfter is the longest Retry-After a call waits out. A longer one
// fails the call (a transmit stays retryable by a later run): one run at a
// time, and a night must not stall behind a 429 that asks for hours.
const maxRetryAfter = 5 * time.Minute

// retryable says whether a failed attempt may be repeated. Transport errors
// (timeouts, dropped or refused connections) are retried; among answers only
// 408, 429 and 5xx are.
func retryable(err error, status int) bool {
	if err != nil {
		var te *tokenError
		return !errors.As(err, &te)
	}
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// backoff returns the wait before retry number attempt+1: Retry-After if the
// server gave one, else full jitter over a capped exponential ceiling.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter
	}
	ceiling := c.opts.BaseBackoff << min(attempt, 30)
	if ceiling <= 0 || ceiling > c.opts.MaxBackoff {
		ceiling = c.opts.MaxBackoff
	}
	return rand.N(ceiling + 1)
}

// parseRetryAfter reads delay-seconds or an HTTP date; anything else is zero.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	// A wait longer than a Duration holds stays longer than maxRetryAfter,
	// not overflowed into no wait at all.
	limit := int64(maxRetryAfter/time.Second) + 1
	if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); (err == nil || errors.Is(err, strconv.ErrRange)) && s >= 0 {
		return time.Duration(min(s, limit)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(t))
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// envelope is the part of the common response envelope that signals failure.
type envelope struct {
	Success *bool `json:"success"`
}

// checkEnvelope turns HTTP 2xx with "success": false into an APIError,
// without the call's token should the refusal quote it (see withoutToken).
func checkEnvelope(resp response) error {
	var env envelope
	if json.Unmarshal(resp.body, &env) != nil || env.Success == nil || *env.Success {
		return nil
	}
	return decodeAPIError(resp.status, withoutToken(resp.body, resp.token))
}
