package web_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// way is how a client signs in: a browser with the login form, a program
// with basic auth on each request.
type way struct {
	name string
	ok   int // the status of a success
	send func(t *testing.T, f *fixture, name, pw string) *http.Response
}

var ways = []way{
	{"form", http.StatusSeeOther, func(t *testing.T, f *fixture, name, pw string) *http.Response {
		res, err := f.client(t).PostForm(f.srv.URL+"/login", url.Values{"name": {name}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}},
	{"basic auth", http.StatusOK, func(t *testing.T, f *fixture, name, pw string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/runs", nil)
		req.SetBasicAuth(name, pw)
		res, err := f.client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}},
}

// expect sends name and pw n times the way w does and fails unless each
// answers status.
func expect(t *testing.T, f *fixture, w way, n int, name, pw string, status int) *http.Response {
	t.Helper()
	var res *http.Response
	for i := range n {
		if res = w.send(t, f, name, pw); res.StatusCode != status {
			t.Fatalf("%s sign-in %d of %d as %s: got %s, want %d", w.name, i+1, n, name, res.Status, status)
		}
	}
	return res
}

// wantRetry fails unless res's Retry-After is from to to seconds: the
// lockout's length less the time since it began, rounded up.
func wantRetry(t *testing.T, res *http.Response, from, to int) {
	t.Helper()
	h := res.Header.Get("Retry-After")
	if s, err := strconv.Atoi(h); err != nil || s < from || s > to {
		t.Errorf("%s %s: got Retry-After %q, want %d to %d seconds", res.Request.Method, res.Request.URL.Path, h, from, to)
	}
}

// TestLoginLockout: five wrong passwords from one address as one
// name lock that name out there, the right password included, for the form
// and for programs alike.
func TestLoginLockout(t *testing.T) {
	f := newFixture(t, false)
	for i, w := range ways {
		f.start(t, false) // a server that has seen no failures
		expect(t, f, w, 5, "oscar", "wrong", http.StatusUnauthorized)
		res := expect(t, f, w, 1, "oscar", password, http.StatusTooManyRequests)
		wantRetry(t, res, 50, 60)
		if len(res.Cookies()) != 0 {
			t.Errorf("%s sign-in while locked out: got cookies %v, want none", w.name, res.Cookies())
		}
		// The other way counts with this one.
		expect(t, f, ways[1-i], 1, "oscar", password, http.StatusTooManyRequests)
	}
}

// TestLoginParallel: a program's correct sign-ins sent at once all
// succeed, more of them than the failures that lock out. The passwords are
// hashed at the real cost, so that their checks overlap.
func TestLoginParallel(t *testing.T) {
	f := newFixture(t, false)
	f.cost = bcrypt.DefaultCost
	f.start(t, false)
	got := make([]string, 10)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = statusOf(f, "oscar", password) })
	}
	wg.Wait()
	for i, status := range got {
		if status != "200 OK" {
			t.Errorf("correct basic-auth sign-in %d of %d sent at once: got %s, want 200 OK", i+1, len(got), status)
		}
	}
}

// statusOf is the status of an API request signed in as name with pw (or
// why it has none), for goroutines, which must not stop the test.
func statusOf(f *fixture, name, pw string) string {
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/runs", nil)
	req.SetBasicAuth(name, pw)
	res, err := f.srv.Client().Do(req)
	if err != nil {
		return err.Error()
	}
	res.Body.Close()
	return res.Status
}

// TestLoginSuccessForgivesNothing: a success among failures from one
// address as one name resets neither their count nor the doubling of
// lockouts, lest a guesser behind the same NAT as a program signing in on
// every request start again after each of the program's.
func TestLoginSuccessForgivesNothing(t *testing.T) {
	f := newFixture(t, false)
	for _, w := range ways {
		f.start(t, false)
		expect(t, f, w, 4, "oscar", "wrong", http.StatusUnauthorized)
		expect(t, f, w, 1, "oscar", password, w.ok)
		expect(t, f, w, 1, "oscar", "wrong", http.StatusUnauthorized)
		expect(t, f, w, 1, "oscar", password, http.StatusTooManyRequests)
		f.clock.advance(time.Minute)
		expect(t, f, w, 1, "oscar", password, w.ok)
		expect(t, f, w, 5, "oscar", "wrong", http.StatusUnauthorized)
		wantRetry(t, expect(t, f, w, 1, "oscar", password, http.StatusTooManyRequests), 110, 120)
	}
}

// TestLoginQuietHourForgives: failures an hour apart do not add up, even
// with successes between them, as from a program signing in all day.
func TestLoginQuietHourForgives(t *testing.T) {
	f := newFixture(t, false)
	w := ways[1]
	expect(t, f, w, 4, "oscar", "wrong", http.StatusUnauthorized)
	f.clock.advance(59 * time.Minute)
	expect(t, f, w, 1, "oscar", password, w.ok)
	f.clock.advance(time.Minute)
	expect(t, f, w, 4, "oscar", "wrong", http.StatusUnauthorized)
	expect(t, f, w, 1, "oscar", password, w.ok)
}

// TestLoginLockoutEnds: a lockout ends after its window, and the next one,
// before an hour without failures forgives the first, lasts twice as long.
func TestLoginLockoutEnds(t *testing.T) {
	f := newFixture(t, false)
	w := ways[1]
	expect(t, f, w, 5, "oscar", "wrong", http.StatusUnauthorized)
	expect(t, f, w, 1, "oscar", password, http.StatusTooManyRequests)
	f.clock.advance(time.Minute)
	expect(t, f, w, 5, "oscar", "wrong", http.StatusUnauthorized)
	wantRetry(t, expect(t, f, w, 1, "oscar", password, http.StatusTooManyRequests), 110, 120)
	f.clock.advance(time.Minute)
	expect(t, f, w, 1, "oscar", password, http.StatusTooManyRequests)
	f.clock.advance(time.Minute)
	expect(t, f, w, 1, "oscar", password, w.ok)
}

// TestRefusedAPILoginsAudited: a program's refused logins are audited like
// the form's, an unknown name (here a password typed as one) as "(unknown
// user)"; a flood of them adds a row per checked refusal, not per request.
func TestRefusedAPILoginsAudited(t *testing.T) {
	f := newFixture(t, false)
	w := ways[1]
	// The name no user has comes from another address: its slot is drawn
	// at random, fiona's one time in 64, where its failure would start her
	// lockout a sign-in early.
	req := httptest.NewRequest(http.MethodGet, "/api/runs", nil)
	req.SetBasicAuth("Spring2027!pw", password)
	req.RemoteAddr = "10.0.0.9:4000"
	rec := httptest.NewRecorder()
	if f.web.ServeHTTP(rec, req); rec.Code != http.StatusUnauthorized {
		t.Fatalf("basic auth sign-in as a name no user has: got %d, want 401", rec.Code)
	}
	expect(t, f, w, 5, "fiona", "wrong", http.StatusUnauthorized)
	want := map[string]int{"(unknown user)": 1, "fiona": 5}
	got, lockout := refusals(t, f)
	if !maps.Equal(got, want) {
		t.Errorf("refused logins audited by actor: got %v, want %v", got, want)
	}
	if !strings.Contains(lockout, "127.0.0.1") {
		t.Errorf("audit of the refusal that started the lockout: got %q, want it naming the client", lockout)
	}
	expect(t, f, w, 20, "fiona", "wrong", http.StatusTooManyRequests)
	if got, _ = refusals(t, f); !maps.Equal(got, want) {
		t.Errorf("after 20 refused while locked out, refused logins audited by actor: got %v, want still %v", got, want)
	}
}

// refusals are the refused logins audited, counted by actor, and the
// detail of the last one that started a lockout.
func refusals(t *testing.T, f *fixture) (map[string]int, string) {
	t.Helper()
	log, err := f.env.DB.AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	actors, lockout := map[string]int{}, ""
	for _, e := range log {
		if strings.Contains(e.Actor+e.Detail, "Spring2027") {
			t.Errorf("audit row %+v shows a name no user has (a password typed as one)", e)
		}
		if e.Action != "login refused" {
			continue
		}
		actors[e.Actor]++
		if lockout == "" && strings.Contains(e.Detail, "locked out") {
			lockout = e.Detail
		}
	}
	return actors, lockout
}

// loginFrom posts the login form to f's server as if from addr.
func loginFrom(t *testing.T, f *fixture, addr, name, pw string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"name": {name}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr
	rec := httptest.NewRecorder()
	f.web.ServeHTTP(rec, req)
	return rec.Code
}

// TestLoginLockoutByAddressAndName: failures count by client address and
// user name together, so wrong passwords for oscar from one address lock
// oscar out there only: not from another address, and not fiona from there.
func TestLoginLockoutByAddressAndName(t *testing.T) {
	f := newFixture(t, false)
	wantLogins(t, f, 5, "10.0.0.1:4000", "oscar", "wrong", http.StatusUnauthorized)
	checkLogins(t, f, "five wrong ones for oscar from 10.0.0.1", []loginCase{
		{"10.0.0.1:4001", "oscar", http.StatusTooManyRequests},
		{"10.0.0.2:4000", "oscar", http.StatusSeeOther},
		{"10.0.0.1:4001", "fiona", http.StatusSeeOther},
	})
}

// loginCase is a sign-in with the right password as name from addr, and
// the status it must get.
type loginCase struct {
	addr, name string
	want       int
}

// checkLogins signs in each case's name from its address and checks the
// answer; after says what came before, for the message.
func checkLogins(t *testing.T, f *fixture, after string, cases []loginCase) {
	t.Helper()
	for _, c := range cases {
		if got := loginFrom(t, f, c.addr, c.name, password); got != c.want {
			t.Errorf("%s's password from %s after %s: got %d, want %d", c.name, c.addr, after, got, c.want)
		}
	}
}

// TestLoginSuccessElsewhere: neither fiona signing in from the address
// that guesses at oscar's password, nor oscar from his own, forgives a
// guess.
func TestLoginSuccessElsewhere(t *testing.T) {
	f := newFixture(t, false)
	const guesser, office = "10.0.0.1:4000", "10.0.0.2:4000"
	wantLogins(t, f, 4, guesser, "oscar", "wrong", http.StatusUnauthorized)
	wantLogins(t, f, 1, guesser, "fiona", password, http.StatusSeeOther)
	wantLogins(t, f, 1, office, "oscar", password, http.StatusSeeOther)
	wantLogins(t, f, 1, guesser, "oscar", "wrong", http.StatusUnauthorized)
	wantLogins(t, f, 1, guesser, "oscar", password, http.StatusTooManyRequests)
}

// wantLogins posts the login form n times as if from addr and fails
// unless each answers status.
func wantLogins(t *testing.T, f *fixture, n int, addr, name, pw string, status int) {
	t.Helper()
	for i := range n {
		if got := loginFrom(t, f, addr, name, pw); got != status {
			t.Fatalf("sign-in %d of %d as %s from %s: got %d, want %d", i+1, n, name, addr, got, status)
		}
	}
}

// TestLoginLockoutIPv6: an IPv6 client is known by its /64, which it
// commonly holds whole.
func TestLoginLockoutIPv6(t *testing.T) {
	f := newFixture(t, false)
	for i := range 5 {
		wantLogins(t, f, 1, fmt.Sprintf("[2001:db8::%x]:4000", i+1), "oscar", "wrong", http.StatusUnauthorized)
	}
	checkLogins(t, f, "five wrong ones for oscar from 2001:db8::/64", []loginCase{
		{"[2001:db8::ffff]:4000", "oscar", http.StatusTooManyRequests},
		{"[2001:db8:0:1::1]:4000", "oscar", http.StatusSeeOther},
		{"[2001:db8::ffff]:4000", "fiona", http.StatusSeeOther},
	})
}

// TestLoginLockoutTellsNoNames: names no user has are not counted together,
// so failing under a few of them does not lock out the next unknown name
// while a user's name is still answered 401, which would tell a guesser
// which names are users'.
func TestLoginLockoutTellsNoNames(t *testing.T) {
	f := newFixture(t, false)
	const guesser = "10.0.0.1:4000"
	for i := range 5 {
		wantLogins(t, f, 1, guesser, fmt.Sprintf("nobody%d", i), "wrong", http.StatusUnauthorized)
	}
	for _, name := range []string{"someone", "oscar"} {
		if got := loginFrom(t, f, guesser, name, "wrong"); got != http.StatusUnauthorized {
			t.Errorf("a wrong password for %s after five names no user has failed: got %d, want 401", name, got)
		}
	}
}
