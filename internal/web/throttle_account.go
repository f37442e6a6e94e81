package web

import "time"

const (
	// accountLimit is the failures as one name, from addresses that have
	// not signed in as it, after which such addresses are locked out of it.
	accountLimit = 20
	// provenFor is how long a success proves its address for its name: a
	// month, to outlast a holiday.
	provenFor = 30 * 24 * time.Hour
	// maxProven bounds the addresses kept per name, should its password
	// leak to someone signing in from many.
	maxProven = 64
)

// account counts the failures as one configured name from every address
// that has not signed in as it within provenFor: a key counts only one
// address, so many addresses could each guess loginLimit times per lockout.
// After accountLimit such failures, sign-ins as the name from those
// addresses are refused unchecked, for a lockout that doubles as a key's
// does, while addresses proven by a success are let through still, under
// their own keys' limits. Guessing thus cannot lock the user out of where
// they have signed in from; at worst, not from a new place until it ends.
// Refused rather than slowed: a delay an attacker waits out in parallel
// bounds nothing.
//
// As with keys, only an hour without failures forgives, or a program
// signing in as the name would forgive every guess; and the unproven checks
// running at once are capped at the failures left before the lockout, so
// that guesses sent in parallel cannot overshoot it. Names no user has have
// no account: there is nothing behind them to guess.
type account struct {
	strikes // failures from unproven addresses
	// proven are the addresses that signed in as the name, and when last.
	proven map[string]time.Time
}

// accountOf is name's account, forgiven if quiet, or nil for "": names no
// user has.
func (t *throttle) accountOf(name string, now time.Time) *account {
	if name == "" {
		return nil
	}
	a := t.accounts[name]
	if a == nil {
		a = &account{proven: map[string]time.Time{}}
		t.accounts[name] = a
	}
	a.forgiveIfQuiet(now)
	return a
}

// proves says whether addr signed in as the account's name within
// provenFor.
func (a *account) proves(addr string, now time.Time) bool {
	at, ok := a.proven[addr]
	return ok && now.Sub(at) < provenFor
}

// prove remembers that addr signed in as the account's name now, forgetting
// the address that did so longest ago when maxProven are kept.
func (a *account) prove(addr string, now time.Time) {
	if _, ok := a.proven[addr]; !ok && len(a.proven) >= maxProven {
		delete(a.proven, leastRecent(a.proven))
	}
	a.proven[addr] = now
}

// leastRecent is the address in proven that signed in longest ago.
func leastRecent(proven map[string]time.Time) string {
	var oldest string
	for addr, at := range proven {
		if oldest == "" || at.Before(proven[oldest]) {
			oldest = addr
		}
	}
	return oldest
}
