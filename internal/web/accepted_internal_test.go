package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// countBcrypt makes a count bcrypt's checks.
func countBcrypt(a *acceptedLogins) *int {
	n := new(int)
	a.compare = func(hash, password []byte) error {
		*n++
		return bcrypt.CompareHashAndPassword(hash, password)
	}
	return n
}

func hashed(t *testing.T, password string) []byte {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestAcceptedLogins: a password bcrypt accepted is taken again without
// bcrypt for acceptedFor, and only that password with that hash: a wrong
// one goes to bcrypt every time, and so does the old password once the
// user's hash has changed.
func TestAcceptedLogins(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	a := newAcceptedLogins(func() time.Time { return now })
	checks := countBcrypt(a)
	old := User{Name: "prometheus", Role: "finance", PasswordHash: hashed(t, "scrape secret")}
	changed := User{Name: "prometheus", Role: "finance", PasswordHash: hashed(t, "new secret")}
	for _, step := range []struct {
		what     string
		after    time.Duration // since the step before
		u        User
		password string
		ok       bool
		checks   int // bcrypt's, so far
	}{
		{"the first login", 0, old, "scrape secret", true, 1},
		{"the same again", 0, old, "scrape secret", true, 1},
		{"the same just before acceptedFor is up", acceptedFor - time.Second, old, "scrape secret", true, 1},
		{"a wrong password", 0, old, "scrape secret ", false, 2},
		{"the wrong password again", 0, old, "scrape secret ", false, 3},
		{"the right one after a wrong one", 0, old, "scrape secret", true, 3},
		{"the right one once acceptedFor is up", time.Second, old, "scrape secret", true, 4},
		{"the old password once the hash changed", 0, changed, "scrape secret", false, 5},
		{"the new password", 0, changed, "new secret", true, 6},
		{"the new password again", 0, changed, "new secret", true, 6},
	} {
		now = now.Add(step.after)
		if ok := a.check(step.u, step.password); ok != step.ok || *checks != step.checks {
			t.Errorf("%s: got %v after %d bcrypt checks, want %v after %d", step.what, ok, *checks, step.ok, step.checks)
		}
	}
}

// TestScrapesCostOneBcrypt: Prometheus scraping /metrics with basic_auth
// costs one bcrypt check, not one a scrape; wrong passwords are still
// checked and counted, and once they lock the name out, the right password
// is refused like any other.
func TestScrapesCostOneBcrypt(t *testing.T) {
	s := prometheusServer(t)
	checks := countBcrypt(s.accepted)
	scrape := func(password string, want, wantChecks int) {
		t.Helper()
		if got := scrapeAs(s, "prometheus", password); got != want || *checks != wantChecks {
			t.Fatalf("scrape with password %q: got %d after %d bcrypt checks, want %d after %d", password, got, *checks, want, wantChecks)
		}
	}
	for range 3 {
		scrape("scrape secret", http.StatusOK, 1)
	}
	for i := range loginLimit {
		scrape("guess", http.StatusUnauthorized, 2+i)
	}
	scrape("scrape secret", http.StatusTooManyRequests, 1+loginLimit)
}

// TestUnknownNamesCostABcrypt: a name no user has costs one bcrypt check,
// as a known name's wrong password does, so that the time an answer takes
// does not tell which names exist.
func TestUnknownNamesCostABcrypt(t *testing.T) {
	s := prometheusServer(t)
	checks := countBcrypt(s.accepted)
	if got := scrapeAs(s, "grafana", "scrape secret"); got != http.StatusUnauthorized || *checks != 1 {
		t.Errorf("scrape as an unknown name: got %d after %d bcrypt checks, want 401 after 1", got, *checks)
	}
}

// prometheusServer is a Server whose one user, prometheus (finance), has
// the password "scrape secret".
func prometheusServer(t *testing.T) *Server {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "test.duckdb"), flexrecon.SQL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Options{DB: db, Logger: slog.New(slog.DiscardHandler),
		Users: []User{{Name: "prometheus", Role: "finance", PasswordHash: hashed(t, "scrape secret")}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// scrapeAs asks s for /metrics with basic auth, answering the status.
func scrapeAs(s *Server, name, password string) int {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.SetBasicAuth(name, password)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code
}

// TestAcceptedDigestsAreForgotten: a digest past acceptedFor is forgotten at
// the next sign-in, whoever's, not kept until its own user signs in again,
// so that it stays in memory no longer than acceptedFor says.
func TestAcceptedDigestsAreForgotten(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	a := newAcceptedLogins(func() time.Time { return now })
	prometheus := User{Name: "prometheus", PasswordHash: hashed(t, "scrape secret")}
	ops := User{Name: "ops", PasswordHash: hashed(t, "ops secret")}
	a.check(prometheus, "scrape secret")
	now = now.Add(acceptedFor)
	a.check(ops, "ops secret")
	if _, kept := a.byName[prometheus.Name]; kept || len(a.byName) != 1 {
		t.Errorf("after acceptedFor and another user's sign-in: kept %d digests, prometheus's %v; want only ops'", len(a.byName), kept)
	}
}

// TestUnknownNamesCostAsUsers: a name no user has is checked at the cost
// of the users' hashes, not bcrypt's default: at another, the time its
// answer took told it from a user's name (a user's hash here costs 4).
func TestUnknownNamesCostAsUsers(t *testing.T) {
	s := prometheusServer(t)
	var costs []int
	s.accepted.compare = func(hash, password []byte) error {
		c, _ := bcrypt.Cost(hash)
		costs = append(costs, c)
		return bcrypt.CompareHashAndPassword(hash, password)
	}
	scrapeAs(s, "grafana", "guess")
	scrapeAs(s, "prometheus", "guess")
	if len(costs) != 2 || costs[0] != costs[1] {
		t.Errorf("bcrypt costs of a name no user has and a user's wrong password: got %v, want two alike", costs)
	}
}

// TestPasswordChecksTakeTurns: however many sign-ins come at once, at most
// maxChecks passwords are checked at a time, service-wide.
func TestPasswordChecksTakeTurns(t *testing.T) {
	s := prometheusServer(t)
	var running, most atomic.Int32
	s.accepted.compare = func(hash, password []byte) error {
		n := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		return bcrypt.CompareHashAndPassword(hash, password)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { scrapeAs(s, fmt.Sprint("guess", i), "guess") })
	}
	wg.Wait()
	if got := most.Load(); got > int32(maxChecks) {
		t.Errorf("passwords checked at once: %d, want at most %d", got, maxChecks)
	}
}

// TestSignInGivenUpWhileWaiting: a sign-in whose client leaves while it
// waits for its turn is refused and not counted as a failure: however many
// leave, the right password is taken afterwards.
func TestSignInGivenUpWhileWaiting(t *testing.T) {
	s := prometheusServer(t)
	for range maxChecks {
		s.checking <- struct{}{} // every turn taken
	}
	for range loginLimit + 1 {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/metrics", nil)
		req.SetBasicAuth("prometheus", "guess")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		cancel()
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("a sign-in given up while waiting: got %d, want 429", rec.Code)
		}
	}
	for range maxChecks {
		<-s.checking
	}
	if got := scrapeAs(s, "prometheus", "scrape secret"); got != http.StatusOK {
		t.Errorf("the right password after %d sign-ins given up: got %d, want 200", loginLimit+1, got)
	}
}
