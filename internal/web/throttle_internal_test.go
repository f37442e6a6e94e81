package web

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// failAt lets a sign-in from addr through to its check and fails it,
// answering why it was refused unchecked instead, if it was.
func failAt(th *throttle, addr string) (lockedOut, bool) {
	s, err := th.begin(addr, 0)
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

// remembered says whether th counts sign-ins from addr in slot 0.
func remembered(th *throttle, addr string) bool {
	return th.keys[throttleKey{addr, 0}] != nil
}

// TestThrottleEvictsLeastRecent: once maxKeys keys are kept, a new client
// is still checked, and the key forgotten for it is the one used least
// recently, passing over one being checked.
func TestThrottleEvictsLeastRecent(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	if _, err := th.begin(addrN(0), 0); err != nil {
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

// The slots two names are counted in, for tests of the throttle alone.
const oscarSlot, fionaSlot = 1, 2

// TestThrottleInFlight: a key may have maxInFlight checks running, and
// when they all fail they start one lockout, which refuses the next.
func TestThrottleInFlight(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	running := make([]*strikes, maxInFlight)
	for i := range running {
		var err error
		if running[i], err = th.begin("192.0.2.1", oscarSlot); err != nil {
			t.Fatalf("check %d at once: got %v, want it let through", i+1, err)
		}
	}
	if _, err := th.begin("192.0.2.1", oscarSlot); err == nil || err.Error() != "too many logins at once; try again in 1s" {
		t.Errorf("check %d at once: got %v, want it refused as one too many", maxInFlight+1, err)
	}
	if _, err := th.begin("192.0.2.1", fionaSlot); err != nil {
		t.Errorf("another name's check meanwhile: got %v, want it let through", err)
	}
	lockouts := 0
	for _, s := range running {
		if th.end(s, false) > 0 {
			lockouts++
		}
	}
	_, err := th.begin("192.0.2.1", oscarSlot)
	if want := (lockedOut{lockoutFirst, "too many failed logins"}); lockouts != 1 || err != want {
		t.Errorf("after %d failures at once: got %d lockouts and %v, want 1 and %v", maxInFlight, lockouts, err, want)
	}
}

// TestSlotsOfUsers: configured names have slots of their own, as many as
// there are slots, so that one user's typos never lock out another behind
// the same address; past that, they share.
func TestSlotsOfUsers(t *testing.T) {
	names := make([]string, nameSlots+1)
	for i := range names {
		names[i] = fmt.Sprintf("user%d", i)
	}
	sl := newSlotter(slices.Values(names[:nameSlots]))
	seen := map[int]string{}
	for _, name := range names[:nameSlots] {
		slot := sl.of(name)
		if other, ok := seen[slot]; ok {
			t.Errorf("%s and %s share slot %d among %d users", name, other, slot, nameSlots)
		}
		seen[slot] = name
	}
	sl = newSlotter(slices.Values(names))
	if got := len(sl.users); got != nameSlots+1 {
		t.Errorf("users given a slot among %d: got %d", nameSlots+1, got)
	}
}

// TestThrottleKeysPerAddress: however many names one address signs in as,
// it holds no more than nameSlots keys, so it cannot flush its own
// failures out of the throttle's bounded table with new names.
func TestThrottleKeysPerAddress(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	th, sl := newThrottle(func() time.Time { return now }), newSlotter(slices.Values([]string{"oscar"}))
	for i := range 20 * nameSlots {
		if s, err := th.begin("192.0.2.1", sl.of(fmt.Sprintf("guess%d", i))); err == nil {
			th.end(s, false)
		}
	}
	if got := len(th.keys); got > nameSlots {
		t.Errorf("keys kept for one address after %d names: got %d, want at most %d", 20*nameSlots, got, nameSlots)
	}
}
