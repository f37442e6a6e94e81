package flexcharge

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRetriesTransientFailures(t *testing.T) {
	ok := map[string]any{"transmitId": "key-1", "success": true}
	tests := []struct {
		name       string
		fail       func(w http.ResponseWriter)
		minWait    time.Duration
		wantCalls  int64
		maybeTwice bool // an answer was lost: the key comes with ErrMaybeTwice
	}{
		{"5xx", func(w http.ResponseWriter) { writeJSON(w, 503, map[string]any{"title": "busy"}) }, 0, 3, false},
		{"500 plain", func(w http.ResponseWriter) { http.Error(w, "boom", 500) }, 0, 3, false},
		{"504 from a proxy", func(w http.ResponseWriter) { http.Error(w, "upstream timed out", http.StatusGatewayTimeout) }, 0, 3, true},
		{"502 from a proxy", func(w http.ResponseWriter) { http.Error(w, "bad gateway", http.StatusBadGateway) }, 0, 3, true},
		{"408", func(w http.ResponseWriter) { w.WriteHeader(408) }, 0, 3, false},
		{"429 with Retry-After", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
		}, 2 * time.Second, 3, false},
		{"dropped connection", func(http.ResponseWriter) { panic(http.ErrAbortHandler) }, 0, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, base := startFake(t, func(w http.ResponseWriter, n int64) {
				if n <= 2 {
					tt.fail(w)
					return
				}
				writeJSON(w, 200, ok)
			})
			start := time.Now()
			key, err := NewClient(base, fastOptions()).Transmit(context.Background(), credA, validTransmit(credA))
			if key != "key-1" || errors.Is(err, ErrMaybeTwice) != tt.maybeTwice || err != nil && !tt.maybeTwice {
				t.Fatalf("Transmit = %q, %v; want key-1 (ErrMaybeTwice: %t)", key, err, tt.maybeTwice)
			}
			if got := f.calls.Load(); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
			if el := time.Since(start); el < tt.minWait {
				t.Errorf("took %v, want at least %v (Retry-After honoured)", el, tt.minWait)
			}
		})
	}
}

// TestLongRetryAfterGivesUp: a 429 asking for a day's wait fails the call
// at once, with no second attempt, retryable later, instead of stalling the
// run; so does one asking for longer than a time.Duration holds, which
// overflowed into no wait at all and was retried at once.
func TestLongRetryAfterGivesUp(t *testing.T) {
	for _, wait := range []string{"86400", "9999999999999", "99999999999999999999999"} {
		t.Run(wait, func(t *testing.T) {
			f, base := startFake(t, func(w http.ResponseWriter, _ int64) {
				w.Header().Set("Retry-After", wait)
				w.WriteHeader(429)
			})
			start := time.Now()
			_, err := NewClient(base, fastOptions()).Transmit(context.Background(), credA, validTransmit(credA))
			if err == nil || Permanent(err) || time.Since(start) > 5*time.Second || f.calls.Load() != 1 {
				t.Errorf("Transmit = %v after %v and %d calls; want a prompt, retryable failure after one", err, time.Since(start), f.calls.Load())
			}
		})
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	for _, code := range []int{400, 403, 404, 409, 422} {
		f, base := startFake(t, func(w http.ResponseWriter, _ int64) {
			writeJSON(w, code, map[string]any{"success": false, "result": "refused"})
		})
		_, err := NewClient(base, fastOptions()).Transmit(context.Background(), credA, validTransmit(credA))
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != code || !Permanent(err) {
			t.Errorf("HTTP %d: err = %v, want a permanent *APIError with that status", code, err)
		}
		if got := f.calls.Load(); got != 1 {
			t.Errorf("HTTP %d: calls = %d, want 1", code, got)
		}
	}
}

func TestRetriesExhaustedWrapLastCause(t *testing.T) {
	f, base := startFake(t, func(w http.ResponseWriter, _ int64) { writeJSON(w, 502, map[string]any{"title": "down"}) })
	opts := fastOptions()
	opts.MaxRetries = 3
	_, err := NewClient(base, opts).Transmit(context.Background(), credA, validTransmit(credA))
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 502 || Permanent(err) {
		t.Fatalf("err = %v, want a non-permanent error wrapping the 502", err)
	}
	if got := f.calls.Load(); got != 4 {
		t.Errorf("calls = %d, want 4 (1 + 3 retries)", got)
	}
}

// TestLostAnswerThenFailureMayHaveSent: a call whose first answer was lost and
// whose retries then fail may still have delivered its copy, so the error
// says so; one that never lost an answer does not.
func TestLostAnswerThenFailureMayHaveSent(t *testing.T) {
	for _, tt := range []struct {
		name    string
		first   func(w http.ResponseWriter)
		maySent bool
		then    int
	}{
		{"dropped, then 502s", func(http.ResponseWriter) { panic(http.ErrAbortHandler) }, true, 502},
		{"dropped, then a 409", func(http.ResponseWriter) { panic(http.ErrAbortHandler) }, true, 409},
		{"only 503s", func(w http.ResponseWriter) { writeJSON(w, 503, map[string]any{"title": "down"}) }, false, 503},
		{"a proxy's 504, then 503s", func(w http.ResponseWriter) { http.Error(w, "upstream timed out", http.StatusGatewayTimeout) }, true, 503},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, base := startFake(t, func(w http.ResponseWriter, n int64) {
				if n == 1 {
					tt.first(w)
					return
				}
				writeJSON(w, tt.then, map[string]any{"title": "refused"})
			})
			opts := fastOptions()
			opts.MaxRetries = 2
			key, err := NewClient(base, opts).Transmit(context.Background(), credA, validTransmit(credA))
			if key != "" || err == nil || errors.Is(err, ErrMaybeTwice) || errors.Is(err, ErrMaybeSent) != tt.maySent {
				t.Errorf("Transmit = %q, %v; want a failure, with ErrMaybeSent: %t", key, err, tt.maySent)
			}
		})
	}
}

// TestStoppedBeforeSendingIsNotInDoubt: a transmit stopped while it waited
// for its turn or for a connection sent nothing, so its failure does not
// say FlexCharge may hold the copy (a push would list it in doubt); one
// stopped under its call may have delivered it, and says so.
func TestStoppedBeforeSendingIsNotInDoubt(t *testing.T) {
	underWay := make(chan struct{}, 1)
	release := make(chan struct{})
	_, base := startFake(t, func(w http.ResponseWriter, _ int64) {
		underWay <- struct{}{}
		<-release
		writeJSON(w, 200, map[string]any{"transmitId": "key-1", "success": true})
	})
	t.Cleanup(func() { close(release) })
	dials := 0
	opts := fastOptions()
	opts.Concurrency = 1
	// Every request dials its own connection, and all but the first few
	// dials (the token's and the first transmit's) hang until the test ends.
	opts.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials++; dials > 2 {
				<-release
				return nil, errors.New("test over")
			}
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}
	c := NewClient(base, opts)
	stopped := func(name string, stopAfter time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), stopAfter)
		defer cancel()
		_, err := c.Transmit(ctx, credA, validTransmit(credA))
		if err == nil {
			t.Fatalf("%s: Transmit succeeded, want a stop", name)
		}
		return err
	}
	first := make(chan error, 1)
	go func() { first <- stopped("under its call", time.Second) }()
	<-underWay
	// The first holds the only slot: the second waits for its turn.
	if err := stopped("waiting for its turn", 50*time.Millisecond); errors.Is(err, ErrMaybeSent) {
		t.Errorf("stopped waiting for its turn: %v; want no ErrMaybeSent", err)
	}
	if err := <-first; !errors.Is(err, ErrMaybeSent) {
		t.Errorf("stopped under its call: %v; want ErrMaybeSent", err)
	}
	if err := stopped("waiting for a connection", 50*time.Millisecond); errors.Is(err, ErrMaybeSent) {
		t.Errorf("stopped waiting for a connection: %v; want no ErrMaybeSent", err)
	}
}

// TestTakenWithoutAKeyMayHaveSent: FlexCharge answered 2xx without refusing
// the copy, but with no key to read: it holds the copy, so the failure
// says so. A success:false is a refusal, and says nothing of the kind.
func TestTakenWithoutAKeyMayHaveSent(t *testing.T) {
	for _, tt := range []struct {
		name    string
		answer  func(w http.ResponseWriter)
		maySent bool
	}{
		{"no transmitId", func(w http.ResponseWriter) { writeJSON(w, 200, map[string]any{"success": true}) }, true},
		{"not JSON", func(w http.ResponseWriter) { w.WriteHeader(200); w.Write([]byte("<html>ok</html>")) }, true},
		{"success false", func(w http.ResponseWriter) { writeJSON(w, 200, map[string]any{"success": false, "result": "refused"}) }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, base := startFake(t, func(w http.ResponseWriter, _ int64) { tt.answer(w) })
			key, err := NewClient(base, fastOptions()).Transmit(context.Background(), credA, validTransmit(credA))
			if key != "" || err == nil || errors.Is(err, ErrMaybeSent) != tt.maySent {
				t.Errorf("Transmit = %q, %v; want a failure, with ErrMaybeSent: %t", key, err, tt.maySent)
			}
			// Taken or refused, a resend would be a second copy or refused again.
			if !Permanent(err) {
				t.Errorf("Transmit = %v: not permanent, so sent again; want it never sent again", err)
			}
			if err != nil && strings.Contains(err.Error(), "lost") {
				t.Errorf("Transmit answered without a key: %v; want no word of a lost answer (the push records it)", err)
			}
		})
	}
}

func TestContextCancellation(t *testing.T) {
	t.Run("during a slow answer", func(t *testing.T) {
		e := startSandbox(t, testSeed(), SandboxOptions{Faults: Faults{Latency: time.Second}})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := NewClient(e.url(EnvSandbox), fastOptions()).Transmit(ctx, credA, validTransmit(credA))
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 500*time.Millisecond {
			t.Errorf("err = %v after %v, want context.DeadlineExceeded promptly", err, time.Since(start))
		}
	})
	t.Run("during backoff", func(t *testing.T) {
		_, base := startFake(t, func(w http.ResponseWriter, _ int64) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(429)
		})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := NewClient(base, fastOptions()).Transmit(ctx, credA, validTransmit(credA))
		if !errors.Is(err, context.Canceled) || time.Since(start) > 500*time.Millisecond {
			t.Errorf("err = %v after %v, want context.Canceled promptly", err, time.Since(start))
		}
	})
	t.Run("waiting for a shared token fetch", func(t *testing.T) {
		e := startSandbox(t, testSeed(), SandboxOptions{Faults: Faults{Latency: time.Second}})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := NewClient(e.url(EnvSandbox), fastOptions()).Orders(ctx, credA, OrderQuery{}, func(Order) error { return nil })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	f, base := startFake(t, func(w http.ResponseWriter, n int64) {
		if n == 1 {
			time.Sleep(300 * time.Millisecond)
		}
		writeJSON(w, 200, map[string]any{"transmitId": "key-2", "success": true})
	})
	opts := fastOptions()
	opts.Timeout = 100 * time.Millisecond
	key, err := NewClient(base, opts).Transmit(context.Background(), credA, validTransmit(credA))
	if !errors.Is(err, ErrMaybeTwice) || key != "key-2" || f.calls.Load() != 2 {
		t.Errorf("Transmit = %q, %v after %d calls; want key-2 after 2, with ErrMaybeTwice (the first may have landed)", key, err, f.calls.Load())
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	var mu sync.Mutex
	inFlight, peak := 0, 0
	_, base := startFake(t, func(w http.ResponseWriter, _ int64) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		writeJSON(w, 200, map[string]any{"transmitId": "k", "success": true})
	})
	opts := fastOptions()
	opts.Concurrency = 3
	c := NewClient(base, opts)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { _, _ = c.Transmit(context.Background(), credA, validTransmit(credA)) })
	}
	wg.Wait()
	if peak > 3 {
		t.Errorf("peak in-flight requests = %d, want <= 3", peak)
	}
}

func TestRateIsBounded(t *testing.T) {
	_, base := startFake(t, func(w http.ResponseWriter, _ int64) {
		writeJSON(w, 200, map[string]any{"transmitId": "k", "success": true})
	})
	opts := fastOptions()
	opts.RatePerSecond, opts.Concurrency = 20, 1
	c := NewClient(base, opts)
	start := time.Now()
	for range 11 { // the token call plus 11 transmits: a burst of 1 then 20/s
		if _, err := c.Transmit(context.Background(), credA, validTransmit(credA)); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 500*time.Millisecond {
		t.Errorf("12 requests at 20/s took %v, want >= 500ms", el)
	}
}

func TestPersistent401RenewsOnlyOnce(t *testing.T) {
	f, base := startFake(t, func(w http.ResponseWriter, _ int64) { w.WriteHeader(http.StatusUnauthorized) })
	_, err := NewClient(base, fastOptions()).Transmit(context.Background(), credA, validTransmit(credA))
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 {
		t.Fatalf("err = %v, want the 401", err)
	}
	if got := f.calls.Load(); got != 2 {
		t.Errorf("transmit calls = %d, want 2 (one renewal, then give up)", got)
	}
}
