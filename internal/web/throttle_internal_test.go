package web

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// failAt lets a sign-in from addr through to its check and fails it,
// answering why it was refused unchecked instead, if it was.
func failAt(th *throttle, addr string) (lockedOut, bool) {
	s, err := th.begin(addr, "")
	var locked lockedOut
	if errors.As(err, &locked) {
		return locked, true
	}
	th.end(s, false)
	return lockedOut{}, false
}

// TestThrottleStaysBounded: keys an attacker varies are remembered up to
// maxKeys; past that new ones share one entry, throttled like any other,
// until old ones have gone quiet long enough to be forgotten.
func TestThrottleStaysBounded(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	for i := range maxKeys {
		failAt(th, fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255))
	}
	for i := range loginLimit {
		if locked, ok := failAt(th, fmt.Sprintf("192.0.2.%d", i)); ok {
			t.Fatalf("failure %d from a new address while full: refused unchecked (%v), want it checked", i+1, locked)
		}
	}
	if len(th.keys) != maxKeys {
		t.Fatalf("after %d addresses: got %d keys remembered, want %d", maxKeys+loginLimit, len(th.keys), maxKeys)
	}
	if locked, ok := failAt(th, "192.0.2.200"); !ok || locked.wait != lockoutFirst {
		t.Fatalf("yet another new address while full: got refused %t (%v), want locked out for %s", ok, locked, lockoutFirst)
	}
	now = now.Add(lockoutLongest)
	failAt(th, "192.0.2.200")
	if got := len(th.keys); got != 1 {
		t.Fatalf("a new address after an hour's quiet: got %d keys remembered, want 1", got)
	}
}

// TestThrottleInFlight: a key may have maxInFlight checks running, and
// when they all fail they start one lockout, which refuses the next.
func TestThrottleInFlight(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	running := make([]*strikes, maxInFlight)
	for i := range running {
		var err error
		if running[i], err = th.begin("192.0.2.1", "oscar"); err != nil {
			t.Fatalf("check %d at once: got %v, want it let through", i+1, err)
		}
	}
	if _, err := th.begin("192.0.2.1", "oscar"); err == nil || err.Error() != "too many logins at once; try again in 1s" {
		t.Errorf("check %d at once: got %v, want it refused as one too many", maxInFlight+1, err)
	}
	if _, err := th.begin("192.0.2.1", "fiona"); err != nil {
		t.Errorf("another name's check meanwhile: got %v, want it let through", err)
	}
	lockouts := 0
	for _, s := range running {
		if th.end(s, false) > 0 {
			lockouts++
		}
	}
	_, err := th.begin("192.0.2.1", "oscar")
	if want := (lockedOut{lockoutFirst, "too many failed logins"}); lockouts != 1 || err != want {
		t.Errorf("after %d failures at once: got %d lockouts and %v, want 1 and %v", maxInFlight, lockouts, err, want)
	}
}
