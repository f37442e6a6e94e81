package flexcharge

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func TestWebhookSignVerifyRoundTrip(t *testing.T) {
	body := []byte(`{"Event":"order.completed","OrderId":"o-1","IsResent":false}`)
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	h := SignWebhook(hookKey, "hooks.example:8443", body, now, "0123456789abcdef0123456789abcdef")
	if err := VerifyWebhook(hookKey, "hooks.example:8443", h, body); err != nil {
		t.Fatalf("VerifyWebhook(signed) = %v", err)
	}
	if got := h.Get(HeaderDate); got != "Sat, 01 Mar 2025 12:00:00 GMT" {
		t.Errorf("%s = %q, want RFC 1123 GMT", HeaderDate, got)
	}
	tampered := map[string]func() (http.Header, []byte, string, []byte){
		"body": func() (http.Header, []byte, string, []byte) {
			return h.Clone(), append([]byte{}, body[:len(body)-1]...), "hooks.example:8443", hookKey
		},
		"host": func() (http.Header, []byte, string, []byte) { return h.Clone(), body, "evil.example", hookKey },
		"key": func() (http.Header, []byte, string, []byte) {
			return h.Clone(), body, "hooks.example:8443", []byte("other")
		},
		"nonce": func() (http.Header, []byte, string, []byte) {
			return with(h, HeaderNonce, "ffff"), body, "hooks.example:8443", hookKey
		},
		"date": func() (http.Header, []byte, string, []byte) {
			return with(h, HeaderDate, "x"), body, "hooks.example:8443", hookKey
		},
		"signature": func() (http.Header, []byte, string, []byte) {
			return with(h, HeaderSignature, "AAAA"), body, "hooks.example:8443", hookKey
		},
		"unsigned": func() (http.Header, []byte, string, []byte) {
			return http.Header{}, body, "hooks.example:8443", hookKey
		},
	}
	for name, f := range tampered {
		hh, b, host, key := f()
		if err := VerifyWebhook(key, host, hh, b); !errors.Is(err, ErrWebhookSignature) {
			t.Errorf("tampered %s: VerifyWebhook = %v, want ErrWebhookSignature", name, err)
		}
	}
}

func with(h http.Header, k, v string) http.Header {
	c := h.Clone()
	c.Set(k, v)
	return c
}

// receiver is a partner's webhook endpoint that verifies every delivery.
type receiver struct {
	mu     sync.Mutex
	events []string // "event order"
	bad    int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if VerifyWebhook(hookKey, r.Host, r.Header, body) != nil {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	ev, err := decodeEvent(body)
	if err != nil {
		rc.bad++
		return
	}
	rc.events = append(rc.events, ev.Event+" "+ev.OrderID)
}

func (rc *receiver) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		rc.mu.Lock()
		for _, e := range rc.events {
			if e == want {
				rc.mu.Unlock()
				return
			}
		}
		rc.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	t.Fatalf("webhook %q never arrived; got %v (%d refused)", want, rc.events, rc.bad)
}

func startReceiver(t *testing.T) (*receiver, string) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv.URL + "/hooks"
}
