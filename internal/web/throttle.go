package web

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Password guessing is slowed per client address and per known user name:
// after loginLimit sign-ins in a row without a success, further ones are
// refused unchecked (no bcrypt) for a lockout that doubles each time, from
// lockoutFirst up to lockoutLongest. Counting by name too stops guessing one
// account from many addresses, and a user who signs in between guesses at
// another's password from the same address.
const (
	loginLimit     = 5
	lockoutFirst   = time.Minute
	lockoutLongest = time.Hour
	// maxAddresses bounds the addresses remembered, since an attacker can
	// choose them; names need no bound, as only configured ones are counted.
	maxAddresses = 10000
)

// strikes are one address's or name's sign-ins since its last success.
type strikes struct {
	n        int       // sign-ins since the last lockout
	lockouts int       // lockouts since the last success
	until    time.Time // refused unchecked until then
	last     time.Time // the last sign-in
}

// throttle counts sign-ins by client address and by known user name.
type throttle struct {
	now   func() time.Time
	mu    sync.Mutex
	addrs map[string]*strikes
	users map[string]*strikes
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, addrs: map[string]*strikes{}, users: map[string]*strikes{}}
}

// attempt counts a sign-in from addr as user (a configured name, or ""
// for an unknown one) before its password is checked, so sign-ins sent in
// parallel count too; succeeded takes it back. It answers how long the
// client must still wait (then the password must not be checked), or the
// lockout this sign-in starts if it fails.
func (t *throttle) attempt(addr, user string) (wait, lockout time.Duration) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	a, u := t.entry(t.addrs, addr, now, maxAddresses), t.entry(t.users, user, now, 0)
	if wait = max(a.left(now), u.left(now)); wait > 0 {
		return wait, 0
	}
	return 0, max(a.count(now), u.count(now))
}

// succeeded forgets addr's and user's strikes: a success resets them.
func (t *throttle) succeeded(addr, user string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.addrs, addr)
	delete(t.users, user)
}

// entry is key's strikes in m, new ones when it has none or stale ones.
// It is nil for no key, and for a new key when m holds limit live entries
// (limit 0: no limit): that key goes uncounted rather than an older one,
// perhaps locked out, being forgotten to make room.
func (t *throttle) entry(m map[string]*strikes, key string, now time.Time, limit int) *strikes {
	if key == "" {
		return nil
	}
	if s, ok := m[key]; ok && !s.stale(now) {
		return s
	}
	delete(m, key)
	if limit > 0 && len(m) >= limit {
		for k, s := range m {
			if s.stale(now) {
				delete(m, k)
			}
		}
		if len(m) >= limit {
			return nil
		}
	}
	s := &strikes{}
	m[key] = s
	return s
}

// stale says whether s is out of its lockout and has been quiet as long as
// the longest lockout: forgiven, and forgotten.
func (s *strikes) stale(now time.Time) bool {
	return !now.Before(s.until) && now.Sub(s.last) >= lockoutLongest
}

// left is how long s is still locked out.
func (s *strikes) left(now time.Time) time.Duration {
	if s == nil {
		return 0
	}
	return max(s.until.Sub(now), 0)
}

// count adds a sign-in and answers the lockout it starts, if any.
func (s *strikes) count(now time.Time) time.Duration {
	if s == nil {
		return 0
	}
	s.last = now
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
