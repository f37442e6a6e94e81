package web

import (
	"container/list"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Password guessing is slowed per key, a client address and the slot of the
// user name it signs in as (slotter): after loginLimit failed sign-ins,
// further ones are refused unchecked (no bcrypt) for a lockout that doubles
// each time, from lockoutFirst up to lockoutLongest. Keyed by address and
// slot together, guesses lock out only the guesser's address.
//
// Only time forgives: a key's failures and lockouts are forgotten once it
// has had no failure for lockoutLongest, and a success forgives nothing.
// Were a success to reset its key, anyone behind the same address (a NAT)
// as a program signing in as that name on every request would have their
// count reset by each of them, and guess without end; as it is, a typist's
// few slips among successes lock them out for a minute at worst.
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
	// evictScan bounds the keys looked at to find one to forget, so that
	// a flood of new clients costs little while many keys are locked out.
	evictScan = 64
)

// throttleKey is what sign-ins are counted by: the client's address and the
// slot of the name signed in as.
type throttleKey struct {
	addr string
	slot int
}

// strikes are one key's failed sign-ins since it was last quiet.
type strikes struct {
	n        int       // failures since the last lockout
	lockouts int       // lockouts since it was last quiet
	until    time.Time // refused unchecked until then
	failed   time.Time // the last failure
	inFlight int       // sign-ins being checked now, or waiting their turn (maxChecks)
}

// keyed is a key's strikes, as kept in the throttle's recency list.
type keyed struct {
	key throttleKey
	strikes
}

// throttle counts failed sign-ins by throttleKey.
type throttle struct {
	now  func() time.Time
	mu   sync.Mutex
	keys map[throttleKey]*list.Element // each holding a *keyed
	// recent orders keys by their last sign-in, the oldest last: the
	// first to forget when keys is full.
	recent list.List
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, keys: map[throttleKey]*list.Element{}}
}

// begin lets a sign-in from addr as a name in slot through to its password
// check, answering the strikes to end it with. It refuses the sign-in with
// a lockedOut instead while its key is locked out or has maxInFlight checks
// running, or when no key can be forgotten to make room for a new one.
func (t *throttle) begin(addr string, slot int) (*strikes, error) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	s, err := t.entry(throttleKey{addr, slot}, now)
	if err != nil {
		return nil, err
	}
	if wait := s.until.Sub(now); wait > 0 {
		return nil, lockedOut{wait, "too many failed logins"}
	}
	if s.inFlight >= maxInFlight {
		return nil, lockedOut{time.Second, "too many logins at once"}
	}
	s.inFlight++
	return s, nil
}

// end records how the check begun as s went and answers the lockout a
// failure starts, if any. A failure checked in parallel with the one that
// started a lockout is not counted again: that lockout covers it.
func (t *throttle) end(s *strikes, ok bool) time.Duration {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	s.inFlight--
	if ok || now.Before(s.until) {
		return 0
	}
	return s.fail(now)
}

// abandon ends the check begun as s that never ran: nothing to count.
func (t *throttle) abandon(s *strikes) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s.inFlight--
}

// entry is key's strikes, forgiven if stale, and now the most recent.
func (t *throttle) entry(key throttleKey, now time.Time) (*strikes, error) {
	e := t.keys[key]
	if e == nil {
		if len(t.keys) >= maxKeys && !t.evict(now) {
			return nil, lockedOut{time.Second, "too many clients signing in"}
		}
		e = t.recent.PushFront(&keyed{key: key})
		t.keys[key] = e
	}
	t.recent.MoveToFront(e)
	s := &e.Value.(*keyed).strikes
	if s.stale(now) {
		*s = strikes{}
	}
	return s, nil
}

// evict forgets the least recently used key that is neither locked out nor
// being checked, among the evictScan oldest, answering whether it found
// one. Forgetting a locked key would end its lockout for anyone able to
// send from enough new addresses. Keys passed over go to the front, so the
// next scan looks at others; the order is then only roughly by use, which
// costs nothing as they could not be forgotten anyway.
//
// Finding none, entry refuses the new client for a second. Keys locked out
// are moved on from, so the oldest are all locked out or busy only when
// nearly every key is, which takes thousands of lockouts: an attack on the
// throttle itself, where turning new clients away briefly harms less than
// letting lockouts be flushed.
func (t *throttle) evict(now time.Time) bool {
	for range min(evictScan, t.recent.Len()) {
		e := t.recent.Back()
		k := e.Value.(*keyed)
		if k.inFlight == 0 && !now.Before(k.until) {
			t.recent.Remove(e)
			delete(t.keys, k.key)
			return true
		}
		t.recent.MoveToFront(e)
	}
	return false
}

// stale says whether s is out of its lockout, has nothing being checked and
// has had no failure for as long as the longest lockout: forgiven.
func (s *strikes) stale(now time.Time) bool {
	// Quiet measured from the end of its lockout: measured from its last
	// failure, an hour's lockout ended stale, and the doubling began again.
	return s.inFlight == 0 && now.Sub(later(s.failed, s.until)) >= lockoutLongest
}

// fail counts a failure and answers the lockout it starts, if any.
func (s *strikes) fail(now time.Time) time.Duration {
	s.failed = now
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
