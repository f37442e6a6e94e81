package web

import (
	"fmt"
	"testing"
	"time"
)

// TestThrottleStaysBounded: addresses an attacker varies are remembered up
// to maxAddresses; past that a new one goes uncounted until old ones have
// gone quiet long enough to be forgotten.
func TestThrottleStaysBounded(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	for i := range maxAddresses + 100 {
		th.attempt(fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), "")
	}
	if len(th.addrs) != maxAddresses {
		t.Fatalf("after %d addresses: got %d remembered, want %d", maxAddresses+100, len(th.addrs), maxAddresses)
	}
	for i := range loginLimit + 1 {
		if wait, _ := th.attempt("192.0.2.1", ""); wait != 0 {
			t.Fatalf("attempt %d from a new address while full: got a wait of %s, want it uncounted", i+1, wait)
		}
	}
	now = now.Add(lockoutLongest)
	for i := range loginLimit {
		th.attempt("192.0.2.1", "")
		if got := len(th.addrs); got != 1 {
			t.Fatalf("attempt %d from a new address after an hour's quiet: got %d addresses remembered, want 1", i+1, got)
		}
	}
	if wait, _ := th.attempt("192.0.2.1", ""); wait != lockoutFirst {
		t.Errorf("attempt %d from that address: got a wait of %s, want %s", loginLimit+1, wait, lockoutFirst)
	}
}
