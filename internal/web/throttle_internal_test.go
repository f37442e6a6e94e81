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

// addrN is the nth of maxKeys and more distinct client addresses.
func addrN(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255)
}

// remembered says whether th counts sign-ins from addr under no name.
func remembered(th *throttle, addr string) bool {
	return th.keys[throttleKey{addr, ""}] != nil
}

// TestThrottleEvictsLeastRecent: once maxKeys keys are kept, a new client
// is still checked, and the key forgotten for it is the one used least
// recently, passing over one being checked.
func TestThrottleEvictsLeastRecent(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	if _, err := th.begin(addrN(0), ""); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < maxKeys; i++ {
		failAt(th, addrN(i))
	}
	failAt(th, addrN(1))
	if locked, ok := failAt(th, "192.0.2.1"); ok {
		t.Fatalf("a new address with %d keys kept: refused unchecked (%v), want it checked", maxKeys, locked)
	}
	if got := len(th.keys); got != maxKeys {
		t.Errorf("keys kept after one more address: got %d, want %d", got, maxKeys)
	}
	for addr, want := range map[string]bool{addrN(0): true, addrN(1): true, addrN(2): false, "192.0.2.1": true} {
		if got := remembered(th, addr); got != want {
			t.Errorf("%s remembered (busy: %s; used again: %s; oldest idle: %s): got %t, want %t",
				addr, addrN(0), addrN(1), addrN(2), got, want)
		}
	}
}

// TestThrottleKeepsLockouts: a locked-out key is never forgotten to make
// room, however many new addresses come; when every key is locked out, a
// new client is refused briefly, until a lockout ends.
func TestThrottleKeepsLockouts(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	for range loginLimit {
		failAt(th, addrN(0))
	}
	for i := 1; i < maxKeys+2*evictScan; i++ {
		failAt(th, addrN(i))
	}
	if locked, ok := failAt(th, addrN(0)); !ok || locked.why != "too many failed logins" {
		t.Errorf("the locked-out address after %d new ones: got refused %t (%v), want still locked out", maxKeys, ok, locked)
	}
	for i := range maxKeys + 2*evictScan {
		for range loginLimit {
			failAt(th, addrN(i))
		}
	}
	want := lockedOut{time.Second, "too many clients signing in"}
	if locked, _ := failAt(th, "192.0.2.1"); locked != want {
		t.Errorf("a new address while every key is locked out: got %v, want %v", locked, want)
	}
	now = now.Add(lockoutFirst)
	if locked, ok := failAt(th, "192.0.2.1"); ok {
		t.Errorf("a new address once lockouts have ended: refused unchecked (%v), want it checked", locked)
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
