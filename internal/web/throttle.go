package web

import (
	"maps"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Password guessing is slowed per key, a client address and the user name
// it signs in as: after loginLimit failed sign-ins in a row, further ones
// are refused unchecked (no bcrypt) for a lockout that doubles each time,
// from lockoutFirst up to lockoutLongest. Keyed by address and name
// together, guesses lock out only the guesser, and a success forgives only
// its own key: a user signing in elsewhere, or as another name from the
// same address, does not reset the count against a guessed password.
//
// A failure is counted once its check fails, so that correct sign-ins sent
// at once are never refused for being many; maxInFlight caps the checks a
// key may have running instead, which also bounds the failures checked in
// parallel past loginLimit before their lockout refuses more.
const (
	loginLimit     = 5
	lockoutFirst   = time.Minute
	lockoutLongest = time.Hour
	maxInFlight    = 16
	// maxKeys bounds the keys remembered, since an attacker can choose
	// addresses.
	maxKeys = 10000
)

// throttleKey is what sign-ins are counted by: the client's address and a
// configured user name, or "" for every other name, as one typed is often
// a password and must not be kept.
type throttleKey struct{ addr, name string }

// strikes are one key's failed sign-ins since its last success.
type strikes struct {
	n        int       // failures since the last lockout
	lockouts int       // lockouts since the last success
	until    time.Time // refused unchecked until then
	last     time.Time // the last sign-in let through to its check
	inFlight int       // sign-ins being checked now
}

// throttle counts failed sign-ins by throttleKey.
type throttle struct {
	now  func() time.Time
	mu   sync.Mutex
	keys map[throttleKey]*strikes
	// overflow is shared by the new keys that find keys full: counted and
	// locked out like any other entry, so a flood of new addresses is
	// throttled too (together) while memory stays bounded.
	overflow strikes
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, keys: map[throttleKey]*strikes{}}
}

// begin lets a sign-in from addr as name (a configured name, or "") through
// to its password check, answering the strikes to end it with. It refuses
// the sign-in with a lockedOut instead while its key is locked out or has
// maxInFlight checks running.
func (t *throttle) begin(addr, name string) (*strikes, error) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.entry(throttleKey{addr, name}, now)
	if wait := s.until.Sub(now); wait > 0 {
		return nil, lockedOut{wait, "too many failed logins"}
	}
	if s.inFlight >= maxInFlight {
		return nil, lockedOut{time.Second, "too many logins at once"}
	}
	s.inFlight++
	s.last = now
	return s, nil
}

// end records how the check begun as s went and answers the lockout a
// failure starts, if any. A failure checked in parallel with the one that
// started a lockout is not counted again: that lockout covers it. A
// success forgives its key, but not the overflow, which would forgive
// everyone sharing it.
func (t *throttle) end(s *strikes, ok bool) time.Duration {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	s.inFlight--
	switch {
	case ok && s != &t.overflow:
		s.n, s.lockouts, s.until = 0, 0, time.Time{}
		return 0
	case ok || now.Before(s.until):
		return 0
	}
	return s.fail(now)
}

// entry is key's strikes, forgiven if stale.
func (t *throttle) entry(key throttleKey, now time.Time) *strikes {
	s := t.keys[key]
	if s == nil {
		s = t.add(key, now)
	}
	if s.stale(now) {
		*s = strikes{}
	}
	return s
}

// add remembers key, forgetting the stale keys first if keys is full. When
// all are live, key shares the overflow instead: an older key, perhaps
// locked out, is never forgotten to make room.
func (t *throttle) add(key throttleKey, now time.Time) *strikes {
	if len(t.keys) >= maxKeys {
		maps.DeleteFunc(t.keys, func(_ throttleKey, s *strikes) bool { return s.stale(now) })
	}
	if len(t.keys) >= maxKeys {
		return &t.overflow
	}
	s := &strikes{}
	t.keys[key] = s
	return s
}

// stale says whether s is out of its lockout, has nothing being checked and
// has been quiet as long as the longest lockout: forgiven, and forgotten.
func (s *strikes) stale(now time.Time) bool {
	// Quiet measured from the end of its lockout: measured from its last
	// sign-in, an hour's lockout ended stale, and the doubling began again.
	return s.inFlight == 0 && now.Sub(later(s.last, s.until)) >= lockoutLongest
}

// fail counts a failure and answers the lockout it starts, if any.
func (s *strikes) fail(now time.Time) time.Duration {
	if s.n++; s.n < loginLimit {
		return 0
	}
	d := lockoutFirst
	for i := 0; i < s.lockouts && d < lockoutLongest; i++ {
		d *= 2
	}
	d = min(d, lockoutLongest)
	s.n, s.lockouts, s.until = 0, s.lockouts+1, now.Add(d)
	return d
}

// clientAddr is the address r comes from, as the throttle counts it: the
// connection's, since no proxy in front is trusted to name the client (behind
// one, every client shares its address); for IPv6 the /64, which one client
// commonly holds whole.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.Is6() || a.Is4In6() {
		return host
	}
	p, _ := a.Prefix(64)
	return p.String()
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
