package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// acceptedFor is how long a password bcrypt accepted is taken again without
// bcrypt. Prometheus sends its basic_auth on every scrape, a program on
// every request, and bcrypt costs tens of milliseconds of CPU each time by
// design; this makes it one check every few minutes, and keeps short the
// time a digest of the password stays in memory (until the first sign-in
// as any user after it).
const acceptedFor = 5 * time.Minute

// acceptedLogins remembers, per user, a digest of the password bcrypt last
// accepted for them. Only the same password within acceptedFor is taken
// without bcrypt, compared in constant time; any other still goes to
// bcrypt, behind the throttle as ever. The digest covers the user's hash,
// so a changed hash no longer takes the old password, and is keyed at
// random per process, so it is no plain hash to test guesses against.
// Only users bcrypt accepted are kept: one entry at most per configured
// user.
type acceptedLogins struct {
	key     []byte
	now     func() time.Time
	compare func(hash, password []byte) error // bcrypt's, an unknown name's check too; a test counts its calls
	mu      sync.Mutex
	byName  map[string]acceptedLogin
}

type acceptedLogin struct {
	digest [sha256.Size]byte
	until  time.Time
}

func newAcceptedLogins(now func() time.Time) *acceptedLogins {
	return &acceptedLogins{key: []byte(rand.Text()), now: now, compare: bcrypt.CompareHashAndPassword,
		byName: map[string]acceptedLogin{}}
}

// check says whether password is u's: bcrypt says so now, or said so of
// the same password and hash within acceptedFor.
func (a *acceptedLogins) check(u User, password string) bool {
	d := a.digest(u, password)
	if a.remembers(u.Name, d) {
		return true
	}
	if a.compare(u.PasswordHash, []byte(password)) != nil {
		return false
	}
	a.mu.Lock()
	a.byName[u.Name] = acceptedLogin{digest: d, until: a.now().Add(acceptedFor)}
	a.mu.Unlock()
	return true
}

// remembers says whether d is the digest bcrypt accepted for name within
// acceptedFor. It first forgets every user's digest past its time: one
// left until its own user signed in again could stay in memory for good.
func (a *acceptedLogins) remembers(name string, d [sha256.Size]byte) bool {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for n, e := range a.byName {
		if !now.Before(e.until) {
			delete(a.byName, n)
		}
	}
	e, ok := a.byName[name]
	return ok && hmac.Equal(e.digest[:], d[:])
}

func (a *acceptedLogins) digest(u User, password string) (d [sha256.Size]byte) {
	m := hmac.New(sha256.New, a.key)
	m.Write(u.PasswordHash)
	m.Write([]byte{0}) // no bcrypt hash holds a NUL: hash and password cannot run into each other
	m.Write([]byte(password))
	m.Sum(d[:0])
	return d
}
